import type { Db } from '../store/schema.js'
import { storedInstant } from '../lib/format-date.js'
import { generateSecret, hashSecret, sameDigest } from '../auth/secrets.js'
import { ALL_SCOPES } from '../auth/scopes.js'

/** An incoming webhook (local-integrations/local-webhooks.md): a user, a secret code and the scopes it grants. */
export interface Webhook {
  id: number
  portalId: number
  userId: number
  title: string
  scopes: string[]
  /** epoch ms, or undefined for a webhook that never expires */
  expiresAtMs: number | undefined
  active: boolean
}

export interface NewWebhook {
  portalId: number
  userId: number
  /** the secret; generated when absent (B24_BOOTSTRAP_WEBHOOK names its own) */
  code?: string
  title?: string
  scopes?: readonly string[]
  expiresAtMs?: number
}

/** Creates a webhook and returns it with its code: the only moment the code is known in clear. */
export async function createWebhook(
  db: Db,
  input: NewWebhook,
  nowMs: number,
): Promise<{ webhook: Webhook; code: string }> {
  const code = input.code ?? generateSecret()
  const row = await db
    .insertInto('webhook')
    .values({
      portal_id: input.portalId,
      user_id: input.userId,
      code_hash: hashSecret(code),
      title: input.title ?? '',
      scopes: (input.scopes ?? ALL_SCOPES).join(','),
      expires_at: input.expiresAtMs === undefined ? null : storedInstant(input.expiresAtMs),
      active: 1,
      created_at: storedInstant(nowMs),
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return { webhook: webhookFromRow(row), code }
}

/**
 * Finds the webhook a code belongs to. The lookup is by digest and the digests are compared again in
 * constant time, so neither the code nor its digest can be probed through timing.
 */
export async function findWebhookByCode(db: Db, code: string): Promise<Webhook | undefined> {
  const digest = hashSecret(code)
  const row = await db.selectFrom('webhook').selectAll().where('code_hash', '=', digest).executeTakeFirst()
  if (row === undefined || !sameDigest(row.code_hash, digest)) return undefined
  return webhookFromRow(row)
}

export async function listWebhooks(db: Db, portalId: number): Promise<Webhook[]> {
  const rows = await db
    .selectFrom('webhook')
    .selectAll()
    .where('portal_id', '=', portalId)
    .orderBy('id')
    .execute()
  return rows.map(webhookFromRow)
}

export async function setWebhookScopes(db: Db, id: number, scopes: readonly string[]): Promise<void> {
  await db
    .updateTable('webhook')
    .set({ scopes: scopes.join(','), active: 1 })
    .where('id', '=', id)
    .execute()
}

function webhookFromRow(row: {
  id: number
  portal_id: number
  user_id: number
  title: string
  scopes: string
  expires_at: string | null
  active: number
}): Webhook {
  return {
    id: row.id,
    portalId: row.portal_id,
    userId: row.user_id,
    title: row.title,
    scopes: row.scopes === '' ? [] : row.scopes.split(','),
    expiresAtMs: row.expires_at === null ? undefined : Date.parse(row.expires_at),
    active: row.active === 1,
  }
}

/** Removes a webhook of a portal; its URL stops working at once. False when the portal has no such webhook. */
export async function deleteWebhook(db: Db, portalId: number, id: number): Promise<boolean> {
  const deleted = await db
    .deleteFrom('webhook')
    .where('portal_id', '=', portalId)
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst()
  return deleted !== undefined
}
