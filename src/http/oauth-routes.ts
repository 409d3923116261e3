import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { App } from '../app.js'
import { decodeRequestParams } from '../protocol/params/decode-body.js'
import {
  OAuthError,
  authenticateClient,
  exchangeAuthorizationCode,
  findOAuthAppByClientId,
  issueAuthorizationCode,
  refreshTokenPair,
  tokenResponseBody,
  userMayUseApp,
  type IssuedTokens,
} from '../auth/oauth.js'
import { getPortal } from '../portal/portal.js'
import { getUser } from '../portal/users.js'
import { hostOf, originOf } from './request-host.js'
import { AuthThrottledError } from '../auth/auth-throttle.js'

/**
 * The OAuth 2.0 endpoints (settings/oauth/index.md, auto-renewal.md). This server plays the portal
 * (`/oauth/authorize/`) and the authorization server oauth.bitrix.info (`/oauth/token/`) at once, so an
 * application points both its portal URL and its `server_endpoint` here.
 *
 * The token endpoint answers under every path a client builds (client-contract.md §7, §11): jssdk posts a
 * form to `{serverEndpoint minus /rest/}/oauth/token/`, phpsdk GETs `sprintf('%s/oauth/token/', url)`, which
 * gives `//oauth/token/` or `/rest//oauth/token/` when the configured URL ends in a slash.
 */
export function registerOAuthRoutes(fastify: FastifyInstance, app: App): void {
  for (const url of pathVariants(['/oauth/token', '/rest/oauth/token', '/rest//oauth/token'])) {
    fastify.route({ method: ['GET', 'POST'], url, handler: (request, reply) => token(app, request, reply) })
  }
  for (const url of pathVariants(['/oauth/authorize'])) {
    fastify.route({ method: 'GET', url, handler: (request, reply) => authorize(app, request, reply) })
  }
}

/** Each base with and without a trailing slash, and with a doubled leading slash. */
function pathVariants(bases: string[]): string[] {
  return bases.flatMap((base) => [base, `${base}/`, `/${base}`, `/${base}/`])
}

/**
 * `/oauth/token/`: grant_type=authorization_code (index.md step 2) or refresh_token (auto-renewal.md), the
 * parameters in the query (phpsdk, pysdk), a form body (jssdk, CRest) or JSON, merged the way REST calls
 * merge them.
 */
async function token(app: App, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const params = readParams(request)
  try {
    const issued = await grant(app, params, request.socket.remoteAddress ?? '')
    return send(reply, 200, tokenResponseBody(issued, originOf(request)))
  } catch (error) {
    if (error instanceof OAuthError) return sendError(reply, error)
    if (error instanceof AuthThrottledError) {
      // The REST refusal (auth/auth-throttle.ts) in the token endpoint's {error, error_description} shape.
      void reply.header('retry-after', String(error.retryAfterSeconds))
      return send(reply, error.status, { error: error.code, error_description: error.message })
    }
    throw error
  }
}

async function grant(
  app: App,
  params: Record<string, unknown>,
  remoteAddress: string,
): Promise<IssuedTokens> {
  const grantType = text(params, 'grant_type')
  if (grantType === undefined) {
    throw new OAuthError('invalid_request', 'Invalid grant_type parameter or parameter missing')
  }
  if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
    throw new OAuthError(
      'unsupported_grant_type',
      `grant_type must be authorization_code or refresh_token, got ${JSON.stringify(grantType)}`,
    )
  }
  const secretName = grantType === 'authorization_code' ? 'code' : 'refresh_token'
  const missing = ['client_id', 'client_secret', secretName].filter(
    (name) => text(params, name) === undefined,
  )
  if (missing.length > 0) {
    throw new OAuthError('invalid_request', `Missing required parameter: ${missing.join(', ')}`)
  }
  const clientId = text(params, 'client_id') ?? ''
  const clientSecret = text(params, 'client_secret') ?? ''
  const secret = text(params, secretName) ?? ''
  // A wrong client secret counts towards the source's failed authentications; the code and the refresh token
  // are checked only once the client is authenticated.
  const client = await app.authThrottle.guard(
    remoteAddress,
    app.clock.now(),
    () => authenticateClient(app.store.db, clientId, clientSecret),
    (error) => error instanceof OAuthError && error.code === 'invalid_client',
  )
  const nowMs = app.clock.now()
  return grantType === 'authorization_code'
    ? exchangeAuthorizationCode(app.store, client, secret, nowMs)
    : refreshTokenPair(app.store, client, secret, nowMs)
}

/**
 * `/oauth/authorize/?client_id=…&state=…` (index.md step 1). There is no login form here: the user who
 * authorizes is `user_id` from the query, the portal's administrator (user 1) when absent. The portal is the
 * one the application belongs to. A `redirect_uri` in the request is ignored: "Bitrix24 takes it from the
 * application settings". Failures are shown here, never redirected ("The application receives neither a
 * redirect nor error parameters").
 */
async function authorize(app: App, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const params = readParams(request)
  try {
    const clientId = text(params, 'client_id')
    if (clientId === undefined)
      throw new OAuthError('invalid_request', 'Missing required parameter: client_id')
    const client = await findOAuthAppByClientId(app.store.db, clientId)
    if (client === undefined) throw new OAuthError('invalid_client', 'Unknown client_id', 400)
    if (!client.installed) {
      throw new OAuthError('invalid_client', 'The application is not installed on the portal', 400)
    }
    const userParam = text(params, 'user_id') ?? '1'
    const userId = /^\d{1,9}$/.test(userParam) ? Number(userParam) : 0
    const portal = await getPortal(app.store.db, client.portalId)
    const user =
      portal === undefined || userId === 0 ? undefined : await getUser(app.store.db, portal.id, userId)
    if (portal === undefined || user === undefined || !user.active) {
      throw new OAuthError('invalid_request', `The portal has no active user ${JSON.stringify(userParam)}`)
    }
    if (!userMayUseApp(client, user.id)) {
      throw new OAuthError('user_access_error', 'The user does not have access to the application.')
    }
    const { code } = await issueAuthorizationCode(app.store.db, client, user.id, app.clock.now())
    const host = hostOf(request)
    const answer: Record<string, string> = { code }
    const state = text(params, 'state')
    if (state !== undefined) answer['state'] = state
    Object.assign(answer, {
      domain: host,
      member_id: portal.memberId,
      scope: client.scopes.join(','),
      server_domain: host,
    })
    if (client.redirectUri === '') {
      // "Bitrix24 displays a simplified authorization code directly on the page" (index.md, note).
      return send(reply, 200, answer)
    }
    const target = new URL(client.redirectUri)
    for (const [key, value] of Object.entries(answer)) target.searchParams.set(key, value)
    return reply.status(302).header('location', target.toString()).header('cache-control', 'no-store').send()
  } catch (error) {
    if (error instanceof OAuthError) return sendError(reply, error)
    throw error
  }
}

function readParams(request: FastifyRequest): Record<string, unknown> {
  const queryAt = request.url.indexOf('?')
  return decodeRequestParams({
    query: queryAt === -1 ? '' : request.url.slice(queryAt + 1),
    body: Buffer.isBuffer(request.body) ? request.body : undefined,
    contentType: request.headers['content-type'],
  })
}

/** A non-empty string parameter; arrays, objects and empty strings count as absent. */
function text(params: Record<string, unknown>, name: string): string | undefined {
  const value = params[name]
  if (typeof value === 'number') return String(value)
  return typeof value === 'string' && value !== '' ? value : undefined
}

function sendError(reply: FastifyReply, error: OAuthError): FastifyReply {
  return send(reply, error.status, { error: error.code, error_description: error.message })
}

/** RFC 6749 §5.1: token answers must not be cached. */
function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply
    .status(status)
    .header('content-type', 'application/json; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .send(JSON.stringify(body))
}
