/**
 * Set-up for the item write tests: users, funnels with extra stages, smart processes with parent relations,
 * id counters and portal settings — the preconditions the docs' examples assume (deal 351 in funnel 9 with
 * stage UC_NYL06U, smart process 1220 …). Where a method exists the fixture goes through HTTP; the rest is
 * written through the same store functions the methods use.
 */
import { sql } from 'kysely'
import { createUser, type NewUser } from '../../src/portal/users.js'
import { createWebhook } from '../../src/portal/webhooks.js'
import { createType, insertStatuses } from '../../src/crm/dictionaries/dictionary-store.js'
import { SMART_PROCESS_DEFAULT_FLAGS, type SmartProcessFlags } from '../../src/crm/entity-types/dynamic.js'
import type { PortalSettings } from '../../src/portal/portal.js'
import type { StatusSeed } from '../../src/crm/dictionaries/statuses.js'
import type { TestApp } from './test-app.js'
import { DEAL } from '../../src/crm/entity-types/deal.js'
import { emptyItem } from '../../src/crm/items/item-store.js'
import type { Item } from '../../src/crm/items/item.js'

export const PORTAL_ID = 1

/** Creates users until the portal's last user id is `lastId` (the admin is user 1). */
export async function addUsersUpTo(t: TestApp, lastId: number, input: NewUser = {}): Promise<void> {
  const store = t.app.store
  for (;;) {
    const row = await store.db
      .selectFrom('portal_user')
      .select((eb) => eb.fn.max('id').as('max'))
      .where('portal_id', '=', PORTAL_ID)
      .executeTakeFirstOrThrow()
    if (Number(row.max) >= lastId) return
    await createUser(
      store,
      store.db,
      PORTAL_ID,
      { name: 'User', lastName: String(Number(row.max) + 1), ...input },
      t.clock.now(),
    )
  }
}

/** A user with a webhook of their own; returns the path prefix to call as them. */
export async function userHook(t: TestApp, input: NewUser): Promise<{ userId: number; prefix: string }> {
  const store = t.app.store
  const user = await createUser(store, store.db, PORTAL_ID, input, t.clock.now())
  const { code } = await createWebhook(store.db, { portalId: PORTAL_ID, userId: user.id }, t.clock.now())
  return { userId: user.id, prefix: `/rest/${user.id}/${code}/` }
}

/** Sets a per-portal sequence so that its next value is `next` (`item:2` → the next deal id). */
export async function setNextId(t: TestApp, sequence: string, next: number): Promise<void> {
  const db = t.app.store.db
  await db
    .insertInto('id_counter')
    .values({ portal_id: PORTAL_ID, name: sequence, value: next - 1 })
    .onConflict((oc) => oc.columns(['portal_id', 'name']).doUpdateSet({ value: next - 1 }))
    .execute()
}

export async function setPortal(
  t: TestApp,
  input: { timeZoneOffset?: number; settings?: PortalSettings },
): Promise<void> {
  const db = t.app.store.db
  if (input.timeZoneOffset !== undefined) {
    await db
      .updateTable('portal')
      .set({ time_zone_offset: input.timeZoneOffset })
      .where('id', '=', PORTAL_ID)
      .execute()
  }
  if (input.settings !== undefined) {
    await db
      .updateTable('portal')
      .set({ settings: JSON.stringify(input.settings) })
      .where('id', '=', PORTAL_ID)
      .execute()
  }
}

/**
 * A funnel with the given id through crm.category.add (the category sequence is moved so the funnel gets
 * it), filled with the default stages, plus extra in-progress stages through crm.status.add.
 */
export async function addFunnel(
  t: TestApp,
  entityTypeId: number,
  id: number,
  extraStages: readonly string[] = [],
): Promise<void> {
  await setNextId(t, 'crm_category', id)
  const added = await t.call('crm.category.add', { entityTypeId, fields: { name: `Funnel ${id}` } })
  if (added.status !== 200) throw new Error(`crm.category.add: ${JSON.stringify(added.body)}`)
  const entityId = entityTypeId === 2 ? `DEAL_STAGE_${id}` : `DYNAMIC_${entityTypeId}_STAGE_${id}`
  for (const [i, code] of extraStages.entries()) {
    const status = await t.call('crm.status.add', {
      fields: { ENTITY_ID: entityId, STATUS_ID: code, NAME: code, SORT: 15 + i },
    })
    if (status.status !== 200) throw new Error(`crm.status.add: ${JSON.stringify(status.body)}`)
  }
}

/** A funnel row with exactly these stages, written directly (for funnels crm.category.add cannot make). */
export async function addBareFunnel(
  t: TestApp,
  entityTypeId: number,
  id: number,
  stages: readonly { code: string; semantics: 'P' | 'S' | 'F' }[],
): Promise<void> {
  const store = t.app.store
  await store.db
    .insertInto('crm_category')
    .values({
      portal_id: PORTAL_ID,
      id,
      entity_type_id: entityTypeId,
      name: `Bare ${id}`,
      sort: 900,
      is_default: 0,
      is_system: 0,
      code: null,
      origin_id: null,
      originator_id: null,
      created_time: '2026-01-01T00:00:00Z',
    })
    .execute()
  const entityId = entityTypeId === 2 ? `DEAL_STAGE_${id}` : `DYNAMIC_${entityTypeId}_STAGE_${id}`
  const prefix = entityTypeId === 2 ? `C${id}` : `DT${entityTypeId}_${id}`
  const seeds: StatusSeed[] = stages.map((s, i) => ({
    entityId,
    statusId: `${prefix}:${s.code}`,
    name: s.code,
    nameInit: s.code,
    sort: (i + 1) * 10,
    system: false,
    semantics: s.semantics,
    categoryId: id,
  }))
  await insertStatuses(store, store.db, PORTAL_ID, seeds)
}

/** A smart process (crm.type) with the given toggles and the item types it is the parent of. */
export async function addSmartProcess(
  t: TestApp,
  entityTypeId: number,
  options: {
    title?: string
    flags?: Partial<SmartProcessFlags>
    childOf?: number[]
    parentOf?: number[]
  } = {},
): Promise<void> {
  const store = t.app.store
  await createType(
    store,
    store.db,
    PORTAL_ID,
    {
      entityTypeId,
      title: options.title ?? `SP ${entityTypeId}`,
      code: '',
      flags: { ...SMART_PROCESS_DEFAULT_FLAGS, ...options.flags },
      relations: {
        parent: (options.childOf ?? []).map((id) => ({ entityTypeId: id, isChildrenListEnabled: true })),
        child: (options.parentOf ?? []).map((id) => ({ entityTypeId: id, isChildrenListEnabled: true })),
      },
      linkedUserFields: {},
      customSectionId: null,
      userId: 1,
    },
    t.clock.now(),
  )
}

/** Every smart-process toggle on. */
export const ALL_FLAGS_ON: Partial<SmartProcessFlags> = {
  isCategoriesEnabled: true,
  isStagesEnabled: true,
  isBeginCloseDatesEnabled: true,
  isClientEnabled: true,
  isLinkWithProductsEnabled: true,
  isMycompanyEnabled: true,
  isSourceEnabled: true,
  isObserversEnabled: true,
}

/** The outbox rows written so far, payloads parsed. */
export async function outbox(t: TestApp): Promise<{ topic: string; payload: Record<string, unknown> }[]> {
  const rows = await t.app.store.db.selectFrom('outbox').select(['topic', 'payload']).orderBy('id').execute()
  return rows.map((r) => ({ topic: r.topic, payload: JSON.parse(r.payload) as Record<string, unknown> }))
}

export async function outboxCount(t: TestApp): Promise<number> {
  const row = await sql<{ n: number }>`select count(*) as n from outbox`.execute(t.app.store.db)
  return Number(row.rows[0]?.n ?? 0)
}

/** `result.item` of a successful call, or a thrown error with the body. */
export function itemOf(response: { status: number; body: Record<string, unknown> }): Record<string, unknown> {
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${JSON.stringify(response.body)}`)
  return (response.body['result'] as { item: Record<string, unknown> }).item
}

/** The request of the seed page's example "Update a deal with id = 351" (cURL / CRest / pysdk samples). */
export const SEED_UPDATE_FIELDS = {
  title: 'REST Deal #1',
  stageId: 'C9:UC_NYL06U',
  assignedById: 6,
  observers: [1, 2, 3],
  opened: 'N',
  typeId: 'SERVICE',
  opportunity: 10000,
  currencyId: 'USD',
  additionalInfo: 'Changing a deal via REST',
  isManualOpportunity: 'N',
  utmSource: 'google',
  ufCrm_1721244707107: 200.05,
  parentId1220: 2,
}

export const SEED_SEARCH_CONTENT =
  '351 Deal #351 10200.00 US Dollar John Doe John Doe Sale Name2134234233 07/23/2024 07/31/2024'

/**
 * Deal 351 before the seed's update, as the docs' portal had it: funnel 9 at its first stage, and the values
 * the response shows for the fields the request does not touch (title "Deal #351", begindate 07/23,
 * closedate 07/31, the stored search content, empty comments/source, webformId 0 …). Written with insertItem:
 * crm.item.add cannot store `""` (it reads as empty) nor a createdTime.
 */
export function seedDeal351(): Item {
  const deal = emptyItem(DEAL, 351)
  Object.assign(deal.values, {
    createdTime: '2024-07-23T17:10:26Z',
    updatedTime: '2024-07-23T16:10:26Z',
    createdBy: 1,
    updatedBy: 1,
    assignedById: 1,
    opened: true,
    title: 'Deal #351',
    categoryId: 9,
    stageId: 'C9:NEW',
    stageSemanticId: 'P',
    isNew: true,
    isRecurring: false,
    isReturnCustomer: false,
    isRepeatedApproach: false,
    closed: false,
    typeId: 'SALE',
    opportunity: 10200,
    isManualOpportunity: false,
    taxValue: 0,
    currencyId: 'USD',
    comments: '',
    begindate: '2024-07-23',
    closedate: '2024-07-31',
    webformId: 0,
    sourceId: '',
    sourceDescription: '',
    searchContent: SEED_SEARCH_CONTENT,
    movedBy: 1,
    movedTime: '2024-07-23T16:10:26Z',
    lastActivityBy: 1,
    lastActivityTime: '2024-07-23T16:10:26Z',
  })
  return deal
}
