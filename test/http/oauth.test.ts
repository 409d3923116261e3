import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { InjectOptions } from 'fastify'
import { ADMIN_TOKEN, TEST_START_MS, createTestApp, toPhpQuery, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import { createPortal, updatePortalSettings } from '../../src/portal/portal.js'
import { createUser } from '../../src/portal/users.js'
import { createWebhook } from '../../src/portal/webhooks.js'
import { hashSecret } from '../../src/auth/secrets.js'

/**
 * OAuth 2.0 applications through the real HTTP edge (settings/oauth/index.md, auto-renewal.md,
 * error-codes.md): /oauth/authorize/ → code → /oauth/token/ → REST calls with the token in every place a
 * client puts it, expiry on the fixed clock, refresh with rotation, and the errors of both servers.
 */

const HOST = '127.0.0.1:8080'
const ORIGIN = `http://${HOST}`
const REDIRECT = 'https://app.example.test/oauth/callback?tenant=7'

interface Reply {
  status: number
  body: Record<string, unknown>
  headers: Record<string, unknown>
}

interface CreatedApp {
  id: number
  clientId: string
  clientSecret: string
  portalId: number
}

async function send(t: TestApp, options: InjectOptions): Promise<Reply> {
  const response = await t.inject({ ...options, headers: { host: HOST, ...options.headers } })
  const text = response.body
  return {
    status: response.statusCode,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    headers: response.headers,
  }
}

function admin(t: TestApp, method: InjectOptions['method'], url: string, body?: unknown): Promise<Reply> {
  return send(t, {
    method,
    url: `/_admin${url}`,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  })
}

async function createApp(t: TestApp, input: Record<string, unknown> = {}, portalId = 1): Promise<CreatedApp> {
  const reply = await admin(t, 'POST', `/portals/${portalId}/apps`, {
    title: 'Test app',
    scopes: ['crm', 'user'],
    redirectUri: REDIRECT,
    ...input,
  })
  expect(reply.status).toBe(201)
  return reply.body as unknown as CreatedApp
}

/** Opens /oauth/authorize/ as the browser would; returns the redirect's query (or the shown code). */
async function authorize(
  t: TestApp,
  clientId: string,
  extra: Record<string, string> = {},
): Promise<{ reply: Reply; location: URL | undefined; code: string }> {
  const query = new URLSearchParams({ client_id: clientId, ...extra }).toString()
  const reply = await send(t, { method: 'GET', url: `/oauth/authorize/?${query}` })
  const header = reply.headers['location']
  const location = typeof header === 'string' ? new URL(header) : undefined
  const code = location?.searchParams.get('code') ?? String(reply.body['code'] ?? '')
  return { reply, location, code }
}

type Via = 'get' | 'form' | 'json'

function tokenEndpoint(
  t: TestApp,
  params: Record<string, string>,
  via: Via = 'form',
  path = '/oauth/token/',
): Promise<Reply> {
  if (via === 'get')
    return send(t, { method: 'GET', url: `${path}?${new URLSearchParams(params).toString()}` })
  return send(t, {
    method: 'POST',
    url: path,
    headers: { 'content-type': via === 'form' ? 'application/x-www-form-urlencoded' : 'application/json' },
    payload: via === 'form' ? new URLSearchParams(params).toString() : JSON.stringify(params),
  })
}

function exchange(t: TestApp, app: CreatedApp, code: string, via: Via = 'get'): Promise<Reply> {
  return tokenEndpoint(
    t,
    { grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret, code },
    via,
  )
}

function refresh(t: TestApp, app: CreatedApp, refreshToken: string, via: Via = 'form'): Promise<Reply> {
  return tokenEndpoint(
    t,
    {
      grant_type: 'refresh_token',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      refresh_token: refreshToken,
    },
    via,
  )
}

/** A REST call with the token in the JSON body (jssdk, phpsdk, pysdk). */
async function callWith(
  t: TestApp,
  token: string,
  method: string,
  params: Record<string, unknown> = {},
): Promise<Reply> {
  return send(t, {
    method: 'POST',
    url: `/rest/${method}`,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ ...params, auth: token }),
  })
}

async function tokensFor(t: TestApp, app: CreatedApp, extra: Record<string, string> = {}): Promise<Reply> {
  const { code } = await authorize(t, app.clientId, extra)
  const reply = await exchange(t, app, code)
  expect(reply.status).toBe(200)
  return reply
}

describe.each(STORE_KINDS)('OAuth on %s', (kind) => {
  // One server per store kind; every test makes its own applications and starts from the same instant.
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ store: kind })
  })
  afterAll(async () => {
    await t.close()
  })
  beforeEach(() => {
    t.clock.set(TEST_START_MS)
  })

  it('runs the documented flow: authorize → code → token → REST call', async () => {
    const app = await createApp(t)
    const { reply, location } = await authorize(t, app.clientId, { state: 'JJHgsdgfkdaslg7lbadsfg' })
    expect(reply.status).toBe(302)
    expect(reply.headers['cache-control']).toBe('no-store')
    // The application's own redirect URI, its query kept, the documented parameters added (index.md step 1).
    expect(`${location?.origin}${location?.pathname}`).toBe('https://app.example.test/oauth/callback')
    const portal = (await admin(t, 'GET', '/portals/1')).body
    expect(Object.fromEntries(location?.searchParams ?? [])).toEqual({
      tenant: '7',
      code: expect.stringMatching(/^[a-z0-9]{32}$/) as unknown,
      state: 'JJHgsdgfkdaslg7lbadsfg',
      domain: HOST,
      member_id: portal['memberId'],
      scope: 'crm,user',
      server_domain: HOST,
    })
    // "The value arrives URL-encoded, with the comma passed as %2C"
    expect(location?.search).toContain('scope=crm%2Cuser')

    const code = location?.searchParams.get('code') ?? ''
    const tokens = await exchange(t, app, code)
    expect(tokens.status).toBe(200)
    expect(tokens.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(tokens.headers['cache-control']).toBe('no-store')
    expect(tokens.body).toEqual({
      access_token: expect.stringMatching(/^[a-z0-9]{32}$/) as unknown,
      client_endpoint: `${ORIGIN}/rest/`,
      domain: HOST,
      expires: TEST_START_MS / 1000 + 3600,
      expires_in: 3600,
      member_id: portal['memberId'],
      refresh_token: expect.stringMatching(/^[a-z0-9]{32}$/) as unknown,
      scope: 'crm,user',
      server_endpoint: `${ORIGIN}/rest/`,
      status: 'L',
      user_id: 1,
    })
    expect(tokens.body['refresh_token']).not.toBe(tokens.body['access_token'])

    const me = await callWith(t, String(tokens.body['access_token']), 'user.current')
    expect(me.status).toBe(200)
    expect(me.body['result']).toMatchObject({ ID: '1', NAME: 'Admin' })
  })

  it('takes the token from a JSON body, a form body, the query, access_token and Authorization: Bearer', async () => {
    const app = await createApp(t)
    const token = String((await tokensFor(t, app)).body['access_token'])
    const forms: InjectOptions[] = [
      {
        method: 'POST',
        url: '/rest/user.current',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ auth: token }),
      },
      {
        method: 'POST',
        url: '/rest/user.current.json',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: toPhpQuery({ auth: token }),
      },
      { method: 'GET', url: `/rest/user.current?auth=${token}` },
      { method: 'GET', url: `/rest/user.current.json?access_token=${token}` },
      { method: 'POST', url: '/rest/user.current', headers: { authorization: `Bearer ${token}` } },
      // jssdk's clientEndpoint ends in '/', so its calls go to /rest//method (client-contract.md §2.1).
      {
        method: 'POST',
        url: '/rest//user.current?bx24_request_id=1',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ auth: token }),
      },
      { method: 'GET', url: `//rest//user.current/?auth=${token}` },
    ]
    for (const options of forms) {
      const reply = await send(t, options)
      expect({
        url: options.url,
        status: reply.status,
        id: (reply.body['result'] as { ID?: string })?.ID,
      }).toEqual({
        url: options.url,
        status: 200,
        id: '1',
      })
    }
  })

  it('prefers Authorization: Bearer over auth, and auth over access_token', async () => {
    const app = await createApp(t)
    const token = String((await tokensFor(t, app)).body['access_token'])
    const bearerWins = await send(t, {
      method: 'GET',
      url: `/rest/server.time?auth=nope`,
      headers: { authorization: `Bearer ${token}` },
    })
    expect(bearerWins.status).toBe(200)
    const authWins = await send(t, {
      method: 'GET',
      url: `/rest/server.time?auth=nope&access_token=${token}`,
    })
    expect(authWins.body['error']).toBe('invalid_token')
  })

  it('answers 401 expired_token after one hour, and refreshing brings the call back', async () => {
    const app = await createApp(t)
    const tokens = (await tokensFor(t, app)).body
    const access = String(tokens['access_token'])
    t.clock.advance(3599_000)
    expect((await callWith(t, access, 'server.time')).status).toBe(200)
    t.clock.advance(1000)
    const expired = await callWith(t, access, 'server.time')
    expect(expired.status).toBe(401)
    expect(expired.body).toEqual({
      error: 'expired_token',
      error_description: 'The access token provided has expired',
    })

    const renewed = await refresh(t, app, String(tokens['refresh_token']))
    expect(renewed.status).toBe(200)
    expect(renewed.body).toMatchObject({
      expires: TEST_START_MS / 1000 + 3600 + 3600,
      expires_in: 3600,
      scope: 'crm,user',
      status: 'L',
      user_id: 1,
      client_endpoint: `${ORIGIN}/rest/`,
      server_endpoint: `${ORIGIN}/rest/`,
    })
    expect((await callWith(t, String(renewed.body['access_token']), 'server.time')).status).toBe(200)
  })

  it('rotates on refresh: the new pair works at once, the old access and refresh tokens stop', async () => {
    const app = await createApp(t)
    const first = (await tokensFor(t, app)).body
    const second = (await refresh(t, app, String(first['refresh_token']), 'get')).body
    expect(second['access_token']).not.toBe(first['access_token'])
    expect(second['refresh_token']).not.toBe(first['refresh_token'])
    // No clock movement: the new token is accepted immediately (phpsdk retries forever otherwise).
    expect((await callWith(t, String(second['access_token']), 'user.current')).status).toBe(200)
    const old = await callWith(t, String(first['access_token']), 'user.current')
    expect(old.status).toBe(401)
    expect(old.body).toEqual({
      error: 'invalid_token',
      error_description: 'The access token provided is invalid',
    })

    const reused = await refresh(t, app, String(first['refresh_token']))
    expect(reused.status).toBe(400)
    expect(reused.body['error']).toBe('invalid_grant')
    // The replay did not hurt the live pair, and the chain goes on (JSON body this time).
    const third = await refresh(t, app, String(second['refresh_token']), 'json')
    expect(third.status).toBe(200)
    expect((await callWith(t, String(third.body['access_token']), 'user.current')).status).toBe(200)
    expect((await callWith(t, String(second['access_token']), 'user.current')).body['error']).toBe(
      'invalid_token',
    )
  })

  it('serves the token endpoint under every path the SDKs build', async () => {
    const app = await createApp(t)
    let refreshToken = String((await tokensFor(t, app)).body['refresh_token'])
    const paths = [
      '/oauth/token/',
      '/oauth/token',
      '//oauth/token/',
      '/rest/oauth/token/',
      '/rest//oauth/token/',
      '//oauth/token',
    ]
    for (const path of paths) {
      for (const via of ['get', 'form'] as const) {
        const reply = await tokenEndpoint(
          t,
          {
            grant_type: 'refresh_token',
            client_id: app.clientId,
            client_secret: app.clientSecret,
            refresh_token: refreshToken,
          },
          via,
          path,
        )
        expect({ path, via, status: reply.status }).toEqual({ path, via, status: 200 })
        refreshToken = String(reply.body['refresh_token'])
      }
    }
    // phpsdk appends its telemetry to the refresh GET (client-contract.md §2.2); it is ignored.
    const phpsdk = await send(t, {
      method: 'GET',
      url: `/oauth/token/?${new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        refresh_token: refreshToken,
        bx24_request_id: '01a1fdef-3c6a-742a-b551-2867c03b24fa',
      }).toString()}`,
    })
    expect(phpsdk.status).toBe(200)
  })

  it('builds the endpoints from the scheme and Host the client used', async () => {
    const app = await createApp(t)
    const { code } = await authorize(t, app.clientId)
    const reply = await send(t, {
      method: 'GET',
      url: `/oauth/token/?${new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        code,
      }).toString()}`,
      headers: { host: 'crm.example.test:9443' },
    })
    expect(reply.body).toMatchObject({
      client_endpoint: 'http://crm.example.test:9443/rest/',
      server_endpoint: 'http://crm.example.test:9443/rest/',
      domain: 'crm.example.test:9443',
    })
  })

  it('lets a code live 30 seconds and work once; a replay revokes what it produced', async () => {
    const app = await createApp(t)
    const late = await authorize(t, app.clientId)
    t.clock.advance(30_000)
    const tooLate = await exchange(t, app, late.code)
    expect(tooLate.status).toBe(400)
    expect(tooLate.body).toEqual({
      error: 'invalid_grant',
      error_description: 'The authorization code has expired',
    })

    const timely = await authorize(t, app.clientId)
    t.clock.advance(29_000)
    const first = await exchange(t, app, timely.code, 'form')
    expect(first.status).toBe(200)
    const again = await exchange(t, app, timely.code, 'json')
    expect(again.status).toBe(400)
    expect(again.body['error']).toBe('invalid_grant')
    // RFC 6749 §4.1.2: the code may have leaked, so the pair it gave is revoked, refresh token included.
    expect((await callWith(t, String(first.body['access_token']), 'server.time')).body['error']).toBe(
      'invalid_token',
    )
    expect((await refresh(t, app, String(first.body['refresh_token']))).body['error']).toBe('invalid_grant')
  })

  it('answers invalid_grant for unknown, foreign and expired grants', async () => {
    const app = await createApp(t)
    const other = await createApp(t, { title: 'Other' })
    expect((await exchange(t, app, 'nosuchcode')).body).toEqual({
      error: 'invalid_grant',
      error_description: "Code doesn't exist or is invalid for the client",
    })
    // A code and a refresh token belong to the application they were issued to.
    const { code } = await authorize(t, app.clientId)
    expect((await exchange(t, other, code)).body['error']).toBe('invalid_grant')
    expect((await exchange(t, app, code)).status).toBe(200)
    const tokens = (await tokensFor(t, app)).body
    expect((await refresh(t, other, String(tokens['refresh_token']))).body['error']).toBe('invalid_grant')
    expect((await refresh(t, app, 'nosuchrefreshtoken')).body).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid refresh token',
    })
    // The refresh token lives 180 days.
    t.clock.advance(180 * 24 * 3600 * 1000)
    const stale = await refresh(t, app, String(tokens['refresh_token']))
    expect(stale.status).toBe(400)
    expect(stale.body['error']).toBe('invalid_grant')
  })

  it('answers 401 invalid_client for a wrong client id or secret, or an uninstalled application', async () => {
    const app = await createApp(t)
    const tokens = (await tokensFor(t, app)).body
    const refreshToken = String(tokens['refresh_token'])
    for (const [clientId, clientSecret] of [
      [app.clientId, 'wrong-secret'],
      ['local.00000000000000.00000000', app.clientSecret],
    ] as const) {
      const reply = await tokenEndpoint(t, {
        grant_type: 'refresh_token',
        client_id: clientId,
        client_secret: clientSecret,
        refresh_token: refreshToken,
      })
      expect(reply.status).toBe(401)
      expect(reply.body).toEqual({
        error: 'invalid_client',
        error_description: 'The client credentials are invalid',
      })
    }
    // A failed client check does not consume the refresh token.
    const stillGood = await refresh(t, app, refreshToken)
    expect(stillGood.status).toBe(200)
    expect((await admin(t, 'POST', `/portals/1/apps/${app.id}/uninstall`)).status).toBe(200)
    const uninstalled = await refresh(t, app, String(stillGood.body['refresh_token']))
    expect(uninstalled.status).toBe(401)
    expect(uninstalled.body['error']).toBe('invalid_client')
  })

  it('answers 400 invalid_request for missing parameters and unsupported_grant_type for others', async () => {
    const app = await createApp(t)
    const base = { client_id: app.clientId, client_secret: app.clientSecret }
    const missing = async (params: Record<string, string>, via: Via = 'form'): Promise<Reply> =>
      tokenEndpoint(t, params, via)
    expect((await missing({ ...base, code: 'x' })).body).toEqual({
      error: 'invalid_request',
      error_description: 'Invalid grant_type parameter or parameter missing',
    })
    expect(
      (await missing({ grant_type: 'authorization_code', client_id: app.clientId, code: 'x' }, 'get')).body,
    ).toEqual({
      error: 'invalid_request',
      error_description: 'Missing required parameter: client_secret',
    })
    expect((await missing({ grant_type: 'refresh_token', ...base }, 'json')).body).toEqual({
      error: 'invalid_request',
      error_description: 'Missing required parameter: refresh_token',
    })
    const nothing = await send(t, { method: 'POST', url: '/oauth/token/' })
    expect(nothing.status).toBe(400)
    expect(nothing.body['error']).toBe('invalid_request')
    const password = await missing({ grant_type: 'password', ...base })
    expect(password.status).toBe(400)
    expect(password.body['error']).toBe('unsupported_grant_type')
  })

  it('enforces the application scopes with the access-token wording', async () => {
    const app = await createApp(t, { scopes: ['crm'] })
    const token = String((await tokensFor(t, app)).body['access_token'])
    const denied = await callWith(t, token, 'user.current')
    expect(denied.status).toBe(403)
    expect(denied.body).toEqual({
      error: 'insufficient_scope',
      error_description: 'The request requires higher privileges than provided by the access token',
    })
    expect((await callWith(t, token, 'scope')).body['result']).toEqual(['crm'])
    // Inside a batch the description is empty whatever the credential (server-behaviour.md §3 item 64).
    const batch = await callWith(t, token, 'batch', { cmd: { me: 'user.current', time: 'server.time' } })
    const inner = batch.body['result'] as Record<string, Record<string, unknown>>
    expect(inner['result_error']?.['me']).toEqual({ error: 'insufficient_scope', error_description: '' })
    expect(inner['result']?.['time']).toEqual(expect.any(String))
    // Webhooks keep their own wording.
    const { code } = await createWebhook(
      t.app.store.db,
      { portalId: 1, userId: 1, scopes: ['crm'] },
      t.clock.now(),
    )
    const hook = await t.call('user.current', {}, { prefix: `/rest/1/${code}/` })
    expect(hook.body['error_description']).toBe(
      'The request requires higher privileges than provided by the webhook token',
    )
  })

  it('keeps portals apart: a token sees only the portal its application is installed on', async () => {
    const portalB = await createPortal(t.app.store, { domain: 'b.example.test', name: 'B' }, t.clock.now())
    await createUser(
      t.app.store,
      t.app.store.db,
      portalB.id,
      { name: 'Bernadette', lastName: 'Only-in-B' },
      t.clock.now(),
    )
    const appA = await createApp(t)
    const appB = await createApp(t, {}, portalB.id)
    const tokenA = String((await tokensFor(t, appA)).body['access_token'])
    const pairB = (await tokensFor(t, appB)).body
    const tokenB = String(pairB['access_token'])
    expect(pairB['member_id']).toBe(portalB.memberId)

    const findB = { filter: { LAST_NAME: 'Only-in-B' } }
    const seenByA = await callWith(t, tokenA, 'user.get', findB)
    expect(seenByA.body['result']).toEqual([])
    const seenByB = await callWith(t, tokenB, 'user.get', findB)
    expect((seenByB.body['result'] as Array<Record<string, unknown>>).map((u) => u['NAME'])).toEqual([
      'Bernadette',
    ])
    // Same user id 1, different portals: each token is its own portal's administrator.
    expect((await callWith(t, tokenB, 'user.current')).body['result']).toMatchObject({ ID: '1' })
    expect(((await callWith(t, tokenB, 'user.get', {})).body['result'] as unknown[]).length).toBe(2)
    // Portal A's secret does not open portal B's application.
    const crossed = await tokenEndpoint(t, {
      grant_type: 'refresh_token',
      client_id: appB.clientId,
      client_secret: appA.clientSecret,
      refresh_token: String(pairB['refresh_token']),
    })
    expect(crossed.body['error']).toBe('invalid_client')
  })

  it('authorizes as user_id when given, and refuses users the application is not open to', async () => {
    const bob = await createUser(t.app.store, t.app.store.db, 1, { name: 'Bob' }, t.clock.now())
    const app = await createApp(t)
    const asBob = (await tokensFor(t, app, { user_id: String(bob.id) })).body
    expect(asBob['user_id']).toBe(bob.id)
    expect((await callWith(t, String(asBob['access_token']), 'user.current')).body['result']).toMatchObject({
      ID: String(bob.id),
      NAME: 'Bob',
    })

    const onlyBob = await createApp(t, { users: [bob.id] })
    const refused = await authorize(t, onlyBob.clientId)
    expect(refused.reply.status).toBe(403)
    expect(refused.location).toBeUndefined()
    expect(refused.reply.body['error']).toBe('user_access_error')
    // A pair minted by the admin for someone else still cannot call (system-errors.md user_access_error).
    const minted = await admin(t, 'POST', `/portals/1/apps/${onlyBob.id}/tokens`, { userId: 1 })
    const call = await callWith(t, String(minted.body['access_token']), 'server.time')
    expect(call.status).toBe(403)
    expect(call.body).toEqual({
      error: 'user_access_error',
      error_description: 'The user does not have access to the application.',
    })
  })

  it('shows authorize errors on its own page and never redirects them', async () => {
    const app = await createApp(t)
    const cases: Array<[Record<string, string>, number, string]> = [
      [{}, 400, 'invalid_request'],
      [{ client_id: 'local.00000000000000.00000000' }, 400, 'invalid_client'],
      [{ client_id: app.clientId, user_id: '999' }, 400, 'invalid_request'],
      [{ client_id: app.clientId, user_id: 'admin' }, 400, 'invalid_request'],
    ]
    for (const [params, status, error] of cases) {
      const reply = await send(t, {
        method: 'GET',
        url: `/oauth/authorize/?${new URLSearchParams(params).toString()}`,
      })
      expect({
        params,
        status: reply.status,
        error: reply.body['error'],
        location: reply.headers['location'],
      }).toEqual({
        params,
        status,
        error,
        location: undefined,
      })
    }
    await admin(t, 'POST', `/portals/1/apps/${app.id}/uninstall`)
    const uninstalled = await authorize(t, app.clientId)
    expect(uninstalled.reply.status).toBe(400)
    expect(uninstalled.reply.body['error']).toBe('invalid_client')
  })

  it('shows the code when the application has no redirect URI, and ignores a redirect_uri in the request', async () => {
    const app = await createApp(t, { redirectUri: undefined })
    const shown = await authorize(t, app.clientId, { state: 's1', redirect_uri: 'https://evil.example/' })
    expect(shown.reply.status).toBe(200)
    expect(shown.location).toBeUndefined()
    expect(shown.reply.body).toMatchObject({ state: 's1', scope: 'crm,user', domain: HOST })
    expect((await exchange(t, app, shown.code)).status).toBe(200)

    const redirected = await createApp(t)
    const sent = await authorize(t, redirected.clientId, { redirect_uri: 'https://evil.example/' })
    expect(sent.location?.host).toBe('app.example.test')
  })

  it('stops the tokens of an uninstalled application with APPLICATION_NOT_FOUND; reinstalling does not revive them', async () => {
    const app = await createApp(t)
    const token = String((await tokensFor(t, app)).body['access_token'])
    await admin(t, 'POST', `/portals/1/apps/${app.id}/uninstall`)
    const gone = await callWith(t, token, 'server.time')
    expect(gone.status).toBe(401)
    expect(gone.body).toEqual({ error: 'APPLICATION_NOT_FOUND', error_description: 'Application not found' })
    await admin(t, 'POST', `/portals/1/apps/${app.id}/install`)
    expect((await callWith(t, token, 'server.time')).body['error']).toBe('invalid_token')
    // Deleting the application deletes its tokens.
    const fresh = String((await tokensFor(t, app)).body['access_token'])
    expect((await admin(t, 'DELETE', `/portals/1/apps/${app.id}`)).body).toEqual({
      id: app.id,
      deleted: true,
    })
    expect((await callWith(t, fresh, 'server.time')).body['error']).toBe('invalid_token')
  })

  it('answers authorization_error for a deactivated user and will not refresh for them', async () => {
    const bob = await createUser(t.app.store, t.app.store.db, 1, { name: 'Bob' }, t.clock.now())
    const app = await createApp(t)
    const tokens = (await tokensFor(t, app, { user_id: String(bob.id) })).body
    await t.app.store.db.updateTable('portal_user').set({ active: 0 }).where('id', '=', bob.id).execute()
    const call = await callWith(t, String(tokens['access_token']), 'server.time')
    expect(call.status).toBe(401)
    expect(call.body).toEqual({ error: 'authorization_error', error_description: 'Unable to authorize user' })
    expect((await refresh(t, app, String(tokens['refresh_token']))).body['error']).toBe('invalid_grant')
  })

  it('refuses plain HTTP when the portal requires HTTPS', async () => {
    const app = await createApp(t)
    const token = String((await tokensFor(t, app)).body['access_token'])
    await updatePortalSettings(t.app.store.db, 1, { requireHttps: true })
    try {
      expect((await callWith(t, token, 'server.time')).body).toEqual({
        error: 'INVALID_REQUEST',
        error_description: 'Https required.',
      })
    } finally {
      await updatePortalSettings(t.app.store.db, 1, {})
    }
  })

  it('stores secrets, codes and tokens only as hashes', async () => {
    const app = await createApp(t)
    const { code } = await authorize(t, app.clientId)
    const tokens = (await exchange(t, app, code)).body
    const db = t.app.store.db
    const dump = JSON.stringify([
      await db.selectFrom('oauth_app').selectAll().execute(),
      await db.selectFrom('oauth_code').selectAll().execute(),
      await db.selectFrom('oauth_token').selectAll().execute(),
    ])
    for (const secret of [app.clientSecret, code, tokens['access_token'], tokens['refresh_token']]) {
      expect(dump).not.toContain(String(secret))
    }
    expect(dump).toContain(hashSecret(app.clientSecret))
    expect(dump).toContain(hashSecret(String(tokens['access_token'])))
  })
})

describe('the admin API for OAuth applications', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(async () => {
    await t.close()
  })

  it('creates an application like the local-application form: client id, secret once, installed', async () => {
    const reply = await admin(t, 'POST', '/portals/1/apps', {
      title: 'CRM sync',
      scopes: ['user', 'crm', 'crm'],
    })
    expect(reply.status).toBe(201)
    expect(reply.body).toEqual({
      id: expect.any(Number) as unknown,
      portalId: 1,
      clientId: expect.stringMatching(/^local\.[0-9a-f]{14}\.\d{8}$/) as unknown,
      clientSecret: expect.stringMatching(/^[A-Za-z0-9]{50}$/) as unknown,
      title: 'CRM sync',
      scopes: ['crm', 'user'],
      redirectUri: null,
      applicationToken: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown,
      users: [],
      installed: true,
      status: 'L',
      createdAt: new Date(TEST_START_MS).toISOString(),
    })
    const listed = (await admin(t, 'GET', '/portals/1/apps')).body['apps'] as Array<Record<string, unknown>>
    const mine = listed.find((a) => a['id'] === reply.body['id'])
    expect(mine?.['clientId']).toBe(reply.body['clientId'])
    expect(mine).not.toHaveProperty('clientSecret')
    const shown = await admin(t, 'GET', `/portals/1/apps/${String(reply.body['id'])}`)
    expect(shown.body).not.toHaveProperty('clientSecret')
    expect(shown.body['title']).toBe('CRM sync')
  })

  it('defaults to every scope and can create an application not yet installed', async () => {
    const reply = await admin(t, 'POST', '/portals/1/apps', { install: false })
    expect(reply.body['installed']).toBe(false)
    expect(reply.body['scopes']).toContain('crm')
    const mint = await admin(t, 'POST', `/portals/1/apps/${String(reply.body['id'])}/tokens`, {})
    expect(mint.status).toBe(409)
    expect(mint.body['error']).toBe('APP_NOT_INSTALLED')
    const installed = await admin(t, 'POST', `/portals/1/apps/${String(reply.body['id'])}/install`)
    expect(installed.body['installed']).toBe(true)
  })

  it('mints a pair without the browser flow, already expired when asked', async () => {
    const app = await createApp(t)
    const minted = await admin(t, 'POST', `/portals/1/apps/${app.id}/tokens`, {})
    expect(minted.status).toBe(201)
    expect(minted.body).toMatchObject({ user_id: 1, expires_in: 3600, client_endpoint: `${ORIGIN}/rest/` })
    expect((await callWith(t, String(minted.body['access_token']), 'user.current')).status).toBe(200)

    const expired = await admin(t, 'POST', `/portals/1/apps/${app.id}/tokens`, { expiresIn: 0 })
    expect(expired.body).toMatchObject({ expires: t.clock.now() / 1000, expires_in: 0 })
    expect((await callWith(t, String(expired.body['access_token']), 'server.time')).body['error']).toBe(
      'expired_token',
    )
    // …and its refresh token works, which is what an SDK does next.
    expect((await refresh(t, app, String(expired.body['refresh_token']))).status).toBe(200)
  })

  it('validates its input and names what is missing', async () => {
    const bad = await admin(t, 'POST', '/portals/1/apps', {
      scopes: ['crm', 'telephony'],
      redirectUri: 'ftp://example.test/',
      users: [0],
      extra: 1,
    })
    expect(bad.status).toBe(400)
    expect(bad.body['error']).toBe('INVALID_INPUT')
    const paths = (bad.body['issues'] as Array<{ path: string }>).map((issue) => issue.path).sort()
    expect(paths).toEqual(['', 'redirectUri', 'scopes.1', 'users.0'])
    expect((await admin(t, 'POST', '/portals/1/apps', { users: [77] })).body['error']).toBe('USER_NOT_FOUND')
    expect((await admin(t, 'POST', '/portals/9/apps', {})).body['error']).toBe('PORTAL_NOT_FOUND')
    expect((await admin(t, 'GET', '/portals/1/apps/abc')).body['error']).toBe('APP_NOT_FOUND')
    expect((await admin(t, 'GET', '/portals/1/apps/9999')).status).toBe(404)
    const app = await createApp(t)
    const mintBad = await admin(t, 'POST', `/portals/1/apps/${app.id}/tokens`, { expiresIn: -5, userId: 1 })
    expect(mintBad.status).toBe(400)
    expect((await admin(t, 'POST', `/portals/1/apps/${app.id}/tokens`, { userId: 404 })).body['error']).toBe(
      'USER_NOT_FOUND',
    )
  })

  it('scopes applications to their portal', async () => {
    const portal = await createPortal(t.app.store, { domain: 'c.example.test' }, t.clock.now())
    const app = await createApp(t)
    expect((await admin(t, 'GET', `/portals/${portal.id}/apps/${app.id}`)).body['error']).toBe(
      'APP_NOT_FOUND',
    )
    expect((await admin(t, 'DELETE', `/portals/${portal.id}/apps/${app.id}`)).status).toBe(404)
    expect((await admin(t, 'GET', `/portals/${portal.id}/apps`)).body).toEqual({ apps: [] })
  })

  it('requires the admin token', async () => {
    const reply = await send(t, { method: 'POST', url: '/_admin/portals/1/apps', payload: '{}' })
    expect(reply.status).toBe(401)
  })
})
