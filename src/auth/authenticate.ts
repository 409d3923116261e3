import type { Credentials, Transport } from '../protocol/raw-call.js'
import type { Principal } from '../protocol/principal.js'
import { RestError } from '../protocol/errors.js'
import type { Store } from '../store/store.js'
import { findWebhookWithOwner, type WebhookWithOwner } from '../portal/webhooks.js'
import { notedPortal, type Portal } from '../portal/portal.js'
import type { User } from '../portal/users.js'
import { resolveAccessToken } from './oauth.js'
import type { AuthThrottle } from './auth-throttle.js'
import { hashSecret } from './secrets.js'
import { cachedCredential } from './credential-cache.js'

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
  store: Store,
  credentials: Credentials,
  transport: Transport,
  nowMs: number,
  options: AuthOptions = {},
): Promise<Principal> {
  const throttle = options.throttle
  if (throttle === undefined || credentials.kind === 'none') {
    return authenticateOnce(store, credentials, transport, nowMs, options)
  }
  return throttle.guard(
    transport.remoteAddress,
    nowMs,
    () => authenticateOnce(store, credentials, transport, nowMs, options),
    (error) => error instanceof RestError && GUESS_FAILURES.has(error.code),
  )
}

function authenticateOnce(
  store: Store,
  credentials: Credentials,
  transport: Transport,
  nowMs: number,
  options: AuthOptions,
): Promise<Principal> {
  switch (credentials.kind) {
    case 'none':
      return Promise.reject(RestError.system('NO_AUTH_FOUND'))
    case 'token':
      return authenticateToken(store, credentials.token, transport, nowMs, options)
    case 'webhook':
      return authenticateWebhook(store, credentials, transport, nowMs, options)
  }
}

async function authenticateWebhook(
  store: Store,
  credentials: { userId: string; code: string },
  transport: Transport,
  nowMs: number,
  options: AuthOptions,
): Promise<Principal> {
  // The webhook with its portal and user (a missing portal or user finds nothing), or what this process read
  // for the code before while nothing it was read from has changed since (credential-cache.ts). Every check
  // below runs on every call, cached or not.
  const digest = hashSecret(credentials.code)
  const found = await cachedCredential(store, `webhook:${digest}`, (known: WebhookWithOwner | undefined) =>
    findWebhookWithOwner(store.db, digest, known),
  )
  // A cached portal row reports its configuration version as a read would (store/config-cache.ts).
  if (found !== undefined) notedPortal(store.db, found.portal)
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
  return principalOf(portal, user, 'webhook', webhook.scopes, `webhook:${webhook.id}`)
}

/**
 * An OAuth access token (`Authorization: Bearer`, `auth` or `access_token`; http/server.ts reads them in that
 * order). The checks and their errors live in auth/oauth.ts; a token's portal is the one its application is
 * installed on, so the same URL serves every portal.
 */
async function authenticateToken(
  store: Store,
  token: string,
  transport: Transport,
  nowMs: number,
  options: AuthOptions,
): Promise<Principal> {
  const grant = await resolveAccessToken(store, token, nowMs)
  // B24_REQUIRE_HTTPS means plain-HTTP calls are refused whatever credential they carry.
  if ((options.requireHttps === true || grant.portal.settings.requireHttps === true) && !transport.secure) {
    throw RestError.system('INVALID_REQUEST')
  }
  // Limits count per application, as the operating limit does (limits.md: "per application or webhook").
  return principalOf(grant.portal, grant.user, 'oauth', grant.scopes, `oauth:${grant.app.id}`)
}

/**
 * The principal of one request. Its portal and user are shallow copies of what the credential cache shares
 * between calls: code downstream keeps per-request state keyed by these objects (crm/permissions/
 * user-permissions.ts holds a user's rights per User object, for one request).
 */
function principalOf(
  portal: Portal,
  user: User,
  authType: Principal['authType'],
  scopes: readonly string[],
  credentialKey: string,
): Principal {
  return { portal: { ...portal }, user: { ...user }, authType, scopes: scopeSet(scopes), credentialKey }
}

/** One set per scope list: a cached credential's list is the same array on every call (credential-cache.ts). */
const scopeSets = new WeakMap<readonly string[], ReadonlySet<string>>()

function scopeSet(scopes: readonly string[]): ReadonlySet<string> {
  let set = scopeSets.get(scopes)
  if (set === undefined) scopeSets.set(scopes, (set = new Set(scopes)))
  return set
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
