import type { Credentials, Transport } from '../protocol/raw-call.js'
import type { Principal } from '../protocol/principal.js'
import { RestError } from '../protocol/errors.js'
import type { Db } from '../store/schema.js'
import { findWebhookByCode } from '../portal/webhooks.js'
import { getPortal } from '../portal/portal.js'
import { getUser } from '../portal/users.js'

export interface AuthOptions {
  /** server-wide "require HTTPS" mode (B24_REQUIRE_HTTPS); portals can also opt in one by one */
  requireHttps?: boolean
}

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
  switch (credentials.kind) {
    case 'none':
      throw RestError.system('NO_AUTH_FOUND')
    case 'token':
      // OAuth applications arrive with their own issue; until then no token is valid.
      throw RestError.system('NO_AUTH_FOUND')
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
  const webhook = await findWebhookByCode(db, credentials.code)
  // The user id in the URL must be the webhook's owner; a mismatch is as wrong as a bad code.
  if (webhook === undefined || !webhook.active || String(webhook.userId) !== credentials.userId) {
    throw RestError.system('INVALID_CREDENTIALS')
  }
  if (webhook.expiresAtMs !== undefined && webhook.expiresAtMs <= nowMs) {
    throw RestError.system('INVALID_CREDENTIALS')
  }
  const portal = await getPortal(db, webhook.portalId)
  const user = portal === undefined ? undefined : await getUser(db, portal.id, webhook.userId)
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
