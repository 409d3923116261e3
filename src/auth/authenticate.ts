import type { Credentials, Transport } from '../protocol/raw-call.js'
import type { Principal } from '../protocol/principal.js'
import { RestError } from '../protocol/errors.js'
import type { Db } from '../store/schema.js'
import { findWebhookWithOwner } from '../portal/webhooks.js'
import { resolveAccessToken } from './oauth.js'
import type { AuthThrottle } from './auth-throttle.js'

export interface AuthOptions {
  /** server-wide "require HTTPS" mode (B24_REQUIRE_HTTPS); portals can also opt in one by one */
  requireHttps?: boolean
  /** counts wrong webhook codes and tokens per source address and refuses a source that guesses */
  throttle?: AuthThrottle
}

/**
 * The failures that may be guesses at a secret. `expired_token` and APPLICATION_NOT_FOUND need a token that was
 * issued, and SDKs meet them in normal work (they refresh), so they are not counted.
 */
const GUESS_FAILURES: ReadonlySet<string> = new Set(['INVALID_CREDENTIALS', 'invalid_token'])

/**
 * Turns the credentials of a call into a Principal or the documented auth error
 * (settings/how-to-call-rest-api/authorization.md, _includes/system-errors.md, server-behaviour.md §3 62–63).
 */
export async function authenticate(
  db: Db,
  credentials: Credentials,
  transport: Transport,
  nowMs: number,
  options: AuthOptions = {},
): Promise<Principal> {
  const throttle = options.throttle
  if (throttle === undefined || credentials.kind === 'none') {
    return authenticateOnce(db, credentials, transport, nowMs, options)
  }
  return throttle.guard(
    transport.remoteAddress,
    nowMs,
    () => authenticateOnce(db, credentials, transport, nowMs, options),
    (error) => error instanceof RestError && GUESS_FAILURES.has(error.code),
  )
}

function authenticateOnce(
  db: Db,
  credentials: Credentials,
  transport: Transport,
  nowMs: number,
  options: AuthOptions,
): Promise<Principal> {
  switch (credentials.kind) {
    case 'none':
      return Promise.reject(RestError.system('NO_AUTH_FOUND'))
    case 'token':
      return authenticateToken(db, credentials.token, transport, nowMs, options)
    case 'webhook':
      return authenticateWebhook(db, credentials, transport, nowMs, options)
  }
}

async function authenticateWebhook(
  db: Db,
  credentials: { userId: string; code: string },
  transport: Transport,
  nowMs: number,
  options: AuthOptions,
): Promise<Principal> {
  // The webhook with its portal and user in one query (a missing portal or user finds nothing).
  const found = await findWebhookWithOwner(db, credentials.code)
  const webhook = found?.webhook
  // The user id in the URL must be the webhook's owner; a mismatch is as wrong as a bad code.
  if (webhook === undefined || !webhook.active || String(webhook.userId) !== credentials.userId) {
    throw RestError.system('INVALID_CREDENTIALS')
  }
  if (webhook.expiresAtMs !== undefined && webhook.expiresAtMs <= nowMs) {
    throw RestError.system('INVALID_CREDENTIALS')
  }
  const portal = found?.portal
  const user = found?.user
  if (portal === undefined || user === undefined || !user.active) {
    throw RestError.system('INVALID_CREDENTIALS')
  }
  // The cloud refuses webhooks over plain HTTP (server-behaviour.md §3 item 62); a portal can opt in.
  if ((options.requireHttps === true || portal.settings.requireHttps === true) && !transport.secure) {
    throw RestError.system('INVALID_REQUEST')
  }
  return {
    portal,
    user,
    authType: 'webhook',
    scopes: new Set(webhook.scopes),
    credentialKey: `webhook:${webhook.id}`,
  }
}

/**
 * An OAuth access token (`Authorization: Bearer`, `auth` or `access_token`; http/server.ts reads them in that
 * order). The checks and their errors live in auth/oauth.ts; a token's portal is the one its application is
 * installed on, so the same URL serves every portal.
 */
async function authenticateToken(
  db: Db,
  token: string,
  transport: Transport,
  nowMs: number,
  options: AuthOptions,
): Promise<Principal> {
  const grant = await resolveAccessToken(db, token, nowMs)
  // B24_REQUIRE_HTTPS means plain-HTTP calls are refused whatever credential they carry.
  if ((options.requireHttps === true || grant.portal.settings.requireHttps === true) && !transport.secure) {
    throw RestError.system('INVALID_REQUEST')
  }
  return {
    portal: grant.portal,
    user: grant.user,
    authType: 'oauth',
    scopes: new Set(grant.scopes),
    // Limits count per application, as the operating limit does (limits.md: "per application or webhook").
    credentialKey: `oauth:${grant.app.id}`,
  }
}

/**
 * `insufficient_scope` names the credential: "…than provided by the webhook token" for webhooks (the
 * catalog's text, system-errors.md) and "…than provided by the access token" for OAuth
 * (server-behaviour.md §3 item 63).
 */
export function insufficientScopeError(authType: Principal['authType']): RestError {
  return authType === 'oauth'
    ? RestError.system(
        'insufficient_scope',
        'The request requires higher privileges than provided by the access token',
      )
    : RestError.system('insufficient_scope')
}
