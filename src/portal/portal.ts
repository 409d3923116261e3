import { randomBytes } from 'node:crypto'
import type { Db } from '../store/schema.js'
import type { Store } from '../store/store.js'
import { storedInstant } from '../lib/format-date.js'
import { createUser } from './users.js'
import type { PortalLimits } from '../rate-limit/policy.js'
import { seedCrmDictionaries } from '../crm/dictionaries/seed-portal.js'
import { seedRootDepartment } from './departments.js'
import { seedPermissions } from '../crm/permissions/role-store.js'
import { noteConfigVersion } from '../store/config-cache.js'

/** Switches a portal can have; each later feature (plan restrictions, limits) adds its own key. */
export interface PortalSettings {
  /** Answer plain-HTTP calls with INVALID_REQUEST "Https required." like the cloud does. */
  requireHttps?: boolean
  /**
   * The plan forbids creating and changing smart-process items: crm.item.add answers
   * CREATE_DYNAMIC_ITEM_RESTRICTED and crm.item.update UPDATE_DYNAMIC_ITEM_RESTRICTED (crm-item-add.md,
   * crm-item-update.md error tables).
   */
  restrictDynamicItems?: boolean
  /**
   * The cloud's REST limits (limits.md), off unless set: `queryLimit` is the request-rate leaky bucket
   * (503 QUERY_LIMIT_EXCEEDED), `operatingLimit` the per-method operating-time budget (429 OPERATION_TIME_LIMIT).
   */
  limits?: PortalLimits
  /**
   * The CRM setting "check required custom fields" for REST calls (research/server-behaviour.md §1.A item 8):
   * `false` lets crm.item.add/update and the legacy methods save items with MANDATORY custom fields left
   * empty. On unless set.
   */
  checkRequiredUserFields?: boolean
}

export interface Portal {
  id: number
  domain: string
  memberId: string
  name: string
  /** minutes east of UTC */
  timeZoneOffset: number
  settings: PortalSettings
  /** `portal.config_version` when the row was read (store/config-cache.ts) */
  configVersion: number
}

export interface NewPortal {
  domain?: string
  name?: string
  timeZoneOffset?: number
  settings?: PortalSettings
  /** the first user of a portal is its administrator, id 1, as on a fresh Bitrix24 */
  admin?: { name?: string; lastName?: string; email?: string }
}

export async function createPortal(store: Store, input: NewPortal, nowMs: number): Promise<Portal> {
  return store.transaction(async (tx) => {
    const memberId = randomBytes(16).toString('hex')
    const domain = input.domain ?? `portal-${memberId.slice(0, 8)}.b24crm.local`
    const row = await tx
      .insertInto('portal')
      .values({
        domain,
        member_id: memberId,
        name: input.name ?? domain,
        time_zone_offset: input.timeZoneOffset ?? 0,
        settings: JSON.stringify(input.settings ?? {}),
        created_at: storedInstant(nowMs),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    const portal = await getPortal(tx, row.id)
    if (portal === undefined) throw new Error('portal vanished inside its own transaction')
    await createUser(
      store,
      tx,
      portal.id,
      {
        isAdmin: true,
        name: input.admin?.name ?? 'Admin',
        lastName: input.admin?.lastName ?? '',
        email: input.admin?.email ?? `admin@${domain}`,
        departments: [1],
      },
      nowMs,
    )
    await seedCrmDictionaries(store, tx, portal.id, nowMs)
    // The company's root department (the admin is in it) and the CRM role "Full access" for all employees.
    await seedRootDepartment(store, tx, portal.id, portal.name)
    await seedPermissions(store, tx, portal.id)
    return portal
  })
}

export async function getPortal(db: Db, id: number): Promise<Portal | undefined> {
  const row = await db.selectFrom('portal').selectAll().where('id', '=', id).executeTakeFirst()
  return row === undefined ? undefined : notedPortal(db, portalFromRow(row))
}

export async function findPortalByDomain(db: Db, domain: string): Promise<Portal | undefined> {
  const row = await db.selectFrom('portal').selectAll().where('domain', '=', domain).executeTakeFirst()
  return row === undefined ? undefined : notedPortal(db, portalFromRow(row))
}

export async function listPortals(db: Db): Promise<Portal[]> {
  const rows = await db.selectFrom('portal').selectAll().orderBy('id').execute()
  return rows.map((row) => notedPortal(db, portalFromRow(row)))
}

/** Every read of a portal row tells the configuration cache the portal's current version. */
export function notedPortal(db: Db, portal: Portal): Portal {
  noteConfigVersion(db, portal.id, portal.configVersion)
  return portal
}

export async function updatePortalSettings(db: Db, id: number, settings: PortalSettings): Promise<void> {
  await db
    .updateTable('portal')
    .set({ settings: JSON.stringify(settings) })
    .where('id', '=', id)
    .execute()
}

export function portalFromRow(row: {
  id: number
  domain: string
  member_id: string
  name: string
  time_zone_offset: number
  settings: string
  config_version: number
}): Portal {
  return {
    id: row.id,
    domain: row.domain,
    memberId: row.member_id,
    name: row.name,
    timeZoneOffset: row.time_zone_offset,
    settings: JSON.parse(row.settings) as PortalSettings,
    configVersion: Number(row.config_version),
  }
}
