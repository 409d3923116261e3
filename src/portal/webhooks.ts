import type { Db } from '../store/schema.js'
import { storedInstant } from '../lib/format-date.js'
import { generateSecret, hashSecret, sameDigest } from '../auth/secrets.js'
import { ALL_SCOPES } from '../auth/scopes.js'
import { notedPortal, portalFromRow, type Portal } from './portal.js'
import { userFromRow, type User } from './users.js'
import { param, runPrepared } from '../store/prepared.js'

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

/** A webhook with its portal and its user: what authenticating a webhook call needs. */
export interface WebhookWithOwner {
  webhook: Webhook
  portal: Portal
  user: User
}

/** The webhook's and its portal's columns, prefixed so that they cannot clash with the user's. */
const WEBHOOK_AND_PORTAL = [
  'w.id as w_id',
  'w.portal_id as w_portal_id',
  'w.user_id as w_user_id',
  'w.code_hash as w_code_hash',
  'w.title as w_title',
  'w.scopes as w_scopes',
  'w.expires_at as w_expires_at',
  'w.active as w_active',
  'p.id as p_id',
  'p.domain as p_domain',
  'p.member_id as p_member_id',
  'p.name as p_name',
  'p.time_zone_offset as p_time_zone_offset',
  'p.settings as p_settings',
  'p.config_version as p_config_version',
] as const

/**
 * The webhook whose code has this digest (`hashSecret(code)`), with its portal and its user (departments
 * included), in one query: what authenticating a webhook call needs (auth/authenticate.ts, which keeps it in
 * auth/credential-cache.ts). Undefined when the code is unknown or the portal or the user no longer exists.
 * Same digest checks as {@link findWebhookByCode}.
 *
 * `known` is what an earlier call found for the same digest. Then the webhook and its portal alone are read
 * (a third of the columns, no user joins), and the user is taken from `known` when the portal's
 * configuration version is the one `known` was read at: every write to `portal_user` and `user_department`
 * moves it in the same transaction (store/migrations/0011-config-version.ts), so an unchanged version means
 * an unchanged user. Only when it moved is the user read again, in a second query.
 */
export async function findWebhookWithOwner(
  db: Db,
  digest: string,
  known?: WebhookWithOwner,
): Promise<WebhookWithOwner | undefined> {
  if (known !== undefined) {
    const build = () =>
      db
        .selectFrom('webhook as w')
        .innerJoin('portal as p', 'p.id', 'w.portal_id')
        .select(WEBHOOK_AND_PORTAL)
        .where('w.code_hash', '=', param<string>('digest'))
    const { rows } = await runPrepared(db, 'webhook-with-portal', build, { digest })
    const row = rows[0]
    if (row === undefined || !sameDigest(row.w_code_hash, digest)) return undefined
    const portal = portalOf(db, row)
    if (
      row.w_user_id === known.user.id &&
      portal.id === known.portal.id &&
      portal.configVersion === known.portal.configVersion
    ) {
      return { webhook: webhookOf(row), portal, user: known.user }
    }
  }
  // One row per department of the user (one for most users; a user in no department gets one row with null).
  // Prepared: every request runs it (store/prepared.ts).
  const build = () =>
    db
      .selectFrom('webhook as w')
      .innerJoin('portal as p', 'p.id', 'w.portal_id')
      .innerJoin('portal_user', (join) =>
        join.onRef('portal_user.portal_id', '=', 'w.portal_id').onRef('portal_user.id', '=', 'w.user_id'),
      )
      .leftJoin('user_department as ud', (join) =>
        join.onRef('ud.portal_id', '=', 'portal_user.portal_id').onRef('ud.user_id', '=', 'portal_user.id'),
      )
      .selectAll('portal_user')
      .select(WEBHOOK_AND_PORTAL)
      .select('ud.department_id as ud_department_id')
      .where('w.code_hash', '=', param<string>('digest'))
      .orderBy('ud.department_id')
  const { rows } = await runPrepared(db, 'webhook-with-owner', build, { digest })
  const first = rows[0]
  if (first === undefined || !sameDigest(first.w_code_hash, digest)) return undefined
  const {
    w_id: _webhookId,
    w_portal_id: _webhookPortalId,
    w_user_id: _webhookUserId,
    w_code_hash: _hash,
    w_title: _title,
    w_scopes: _scopes,
    w_expires_at: _expiresAt,
    w_active: _active,
    p_id: _portalId,
    p_domain: _domain,
    p_member_id: _memberId,
    p_name: _name,
    p_time_zone_offset: _timeZoneOffset,
    p_settings: _settings,
    p_config_version: _configVersion,
    ud_department_id: _department,
    ...userRow
  } = first
  const departments = rows.map((r) => r.ud_department_id).filter((d): d is number => d !== null)
  return { webhook: webhookOf(first), portal: portalOf(db, first), user: userFromRow(userRow, departments) }
}

/** A row with the {@link WEBHOOK_AND_PORTAL} columns. */
interface WebhookAndPortalRow {
  w_id: number
  w_portal_id: number
  w_user_id: number
  w_title: string
  w_scopes: string
  w_expires_at: string | null
  w_active: number
  p_id: number
  p_domain: string
  p_member_id: string
  p_name: string
  p_time_zone_offset: number
  p_settings: string
  p_config_version: number
}

function webhookOf(row: WebhookAndPortalRow): Webhook {
  return webhookFromRow({
    id: row.w_id,
    portal_id: row.w_portal_id,
    user_id: row.w_user_id,
    title: row.w_title,
    scopes: row.w_scopes,
    expires_at: row.w_expires_at,
    active: row.w_active,
  })
}

function portalOf(db: Db, row: WebhookAndPortalRow): Portal {
  return notedPortal(
    db,
    portalFromRow({
      id: row.p_id,
      domain: row.p_domain,
      member_id: row.p_member_id,
      name: row.p_name,
      time_zone_offset: row.p_time_zone_offset,
      settings: row.p_settings,
      config_version: row.p_config_version,
    }),
  )
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
