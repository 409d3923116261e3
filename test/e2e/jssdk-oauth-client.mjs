// Runs @bitrix24/b24jssdk in OAuth mode (B24OAuth) against a running b24crm over plain HTTP, the way a
// server-side integration would, and prints what it saw as one JSON line. The parent test
// (jssdk-oauth.test.ts) starts the server, creates the applications and hands over one JSON argument:
// { app: {clientId, clientSecret, applicationToken}, narrowApp: {…}, pairs: {upFront, serverExpired,
// badRefresh, narrow} } where each pair is the token endpoint's answer.
import { B24OAuth } from '@bitrix24/b24jssdk'

const input = JSON.parse(process.argv[2])

/** The SDK as the docs' snippet builds it (client-contract.md §10), from a token endpoint answer. */
function client(app, pair, expires) {
  const b24 = new B24OAuth(
    {
      applicationToken: app.applicationToken,
      userId: pair.user_id,
      memberId: pair.member_id,
      accessToken: pair.access_token,
      refreshToken: pair.refresh_token,
      expires,
      expiresIn: pair.expires_in,
      scope: pair.scope,
      domain: pair.domain,
      clientEndpoint: pair.client_endpoint,
      serverEndpoint: pair.server_endpoint,
      status: pair.status,
    },
    { clientId: app.clientId, clientSecret: app.clientSecret },
  )
  b24.offClientSideWarning()
  const refreshes = []
  b24.setCallbackRefreshAuth(async ({ authData }) => {
    refreshes.push({
      access_token: authData.access_token,
      refresh_token: authData.refresh_token,
      expires: authData.expires,
    })
  })
  return { b24, refreshes }
}

function failure(error) {
  return {
    thrown: true,
    code: error.code ?? error.answerError?.error,
    status: error.status,
    message: error.message,
  }
}

const nowS = Math.floor(Date.now() / 1000)
const seen = {}

// 1. The SDK's own clock says the token has expired: it refreshes before calling (POST /oauth/token/).
{
  const { b24, refreshes } = client(input.app, input.pairs.upFront, nowS - 60)
  const me = await b24.actions.v2.call.make({ method: 'user.current', params: {} }).catch(failure)
  seen.upFront = { ok: me.isSuccess === true, id: me.getData?.()?.result?.ID, refreshes }
}

// 2. The SDK believes the token is fresh but the server says 401 expired_token: refresh, then one retry.
{
  const { b24, refreshes } = client(input.app, input.pairs.serverExpired, nowS + 3600)
  const scope = await b24.actions.v2.call.make({ method: 'scope', params: {} }).catch(failure)
  // A second call runs on the refreshed pair without another refresh.
  const me = await b24.actions.v2.call.make({ method: 'user.current', params: {} }).catch(failure)
  const batch = await b24.actions.v2.batch
    .make({
      calls: { me: ['user.current', {}], same: ['user.get', { ID: '$result[me][ID]' }] },
      options: { isHaltOnError: true, returnAjaxResult: true },
    })
    .catch(failure)
  seen.serverExpired = {
    ok: scope.isSuccess === true,
    scope: scope.getData?.()?.result,
    again: me.getData?.()?.result?.ID,
    batch: batch
      .getData?.()
      ?.same?.getData()
      ?.result?.map((u) => u.ID),
    refreshes,
  }
}

// 3. The refresh itself is refused (400 invalid_grant): the SDK surfaces it instead of looping.
{
  const { b24, refreshes } = client(input.app, input.pairs.badRefresh, nowS + 3600)
  const outcome = await b24.actions.v2.call.make({ method: 'server.time', params: {} }).catch(failure)
  seen.badRefresh = { ...(outcome.thrown ? outcome : { thrown: false }), refreshes }
}

// 4. A method outside the application's scopes: 403 insufficient_scope, thrown, and no refresh attempted.
{
  const { b24, refreshes } = client(input.narrowApp, input.pairs.narrow, nowS + 3600)
  const outcome = await b24.actions.v2.call.make({ method: 'user.current', params: {} }).catch(failure)
  seen.narrow = { ...(outcome.thrown ? outcome : { thrown: false }), refreshes }
}

process.stdout.write(`${JSON.stringify(seen)}\n`)
