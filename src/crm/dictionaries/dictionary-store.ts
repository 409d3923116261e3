/**
 * Reads and writes of the CRM dictionaries of a portal: statuses and stages (`crm_status`), funnels
 * (`crm_category`), smart-process types (`crm_type`) and currencies (`crm_currency`). The crm.status.*,
 * crm.category.*, crm.type.* and crm.currency.* methods and the item service all go through here, so the
 * storage layout (schema.ts, migrations/0002-crm.ts) is known in this file only.
 *
 * Storage conventions:
 * - `crm_status.semantics` holds `S` / `F` or null — null for in-progress stages as for plain dictionary
 *   values, exactly what crm.status.list shows in SEMANTICS, so a `SEMANTICS` filter compares the wire
 *   value. Read back, a stage dictionary's null is `P` again (statuses.ts StageSemantics).
 * - `crm_status.extra` holds `{"SEMANTICS": …}` only when the text semantics is not the one derived from
 *   SEMANTICS (the deal stage APOLOGY: "apology").
 * - `crm_type.settings` is one flat JSON object: every `is…Enabled` flag as `Y`/`N` (how crm.type.add takes
 *   them, and what the crm.type.list filter compares), `relations`, `linkedUserFields`, `customSectionId`.
 * - `crm_currency.lang` holds the localizations in their wire form (FULL_NAME, FORMAT_STRING …).
 * Ids come from the portal's sequences `crm_status`, `crm_category`, `crm_type` (Store.nextId); the seed
 * (seed-portal.ts) sets them past the seeded rows.
 */
import { sql, type Insertable, type Selectable } from 'kysely'
import type {
  CrmCategoryTable,
  CrmCurrencyTable,
  CrmStatusTable,
  CrmTypeTable,
  Db,
} from '../../store/schema.js'
import type { Dialect, Store } from '../../store/store.js'
import { storedInstant } from '../../lib/format-date.js'
import {
  SMART_PROCESS_DEFAULT_FLAGS,
  type SmartProcessFlags,
  type SmartProcessSettings,
} from '../entity-types/dynamic.js'
import { defaultFunnelFor, type CategorySeed } from './categories.js'
import {
  FRESH_PORTAL_LANGUAGE,
  formatCurrencyAmount,
  localizationToWire,
  type CurrencyLocalization,
  type CurrencyLocalizationWire,
  type CurrencySeed,
  type ThousandsVariant,
} from './currencies.js'
import { buildStatusEntityTypes, type FunnelRef, type StatusEntityType } from './status-entity-types.js'
import {
  ENTITY_TYPE,
  FIRST_DYNAMIC_ENTITY_TYPE_ID,
  extraSemanticsOf,
  newFunnelStages,
  parseStatusEntityId,
  stageEntityId,
  type ExtraSemantics,
  type FunnelEntity,
  type StatusRow,
  type StatusSeed,
} from './statuses.js'

export type { StatusRow } from './statuses.js'

/** Names of the per-portal id sequences of the dictionaries. */
export const SEQUENCE = { status: 'crm_status', category: 'crm_category', type: 'crm_type' } as const

// ---------------------------------------------------------------------------------------------------------
// Statuses and stages
// ---------------------------------------------------------------------------------------------------------

export function statusFromRow(row: Selectable<CrmStatusTable>): StatusRow {
  const status: StatusRow = {
    id: row.id,
    entityId: row.entity_id,
    statusId: row.status_id,
    name: row.name,
    nameInit: row.name_init,
    sort: row.sort,
    system: row.system === 1,
  }
  if (row.color !== null) status.color = row.color
  if (row.semantics === 'S' || row.semantics === 'F') status.semantics = row.semantics
  else if (parseStatusEntityId(row.entity_id).kind !== 'dictionary') status.semantics = 'P'
  if (row.category_id !== null) status.categoryId = row.category_id
  if (row.extra !== null) {
    const extra = JSON.parse(row.extra) as { SEMANTICS?: ExtraSemantics }
    if (extra.SEMANTICS !== undefined) status.extraSemantics = extra.SEMANTICS
  }
  return status
}

function statusToRow(portalId: number, status: StatusRow): Insertable<CrmStatusTable> {
  const derived = extraSemanticsOf({ semantics: status.semantics })
  return {
    portal_id: portalId,
    id: status.id,
    entity_id: status.entityId,
    status_id: status.statusId,
    name: status.name,
    name_init: status.nameInit,
    sort: status.sort,
    system: status.system ? 1 : 0,
    color: status.color ?? null,
    semantics: status.semantics === 'S' || status.semantics === 'F' ? status.semantics : null,
    category_id: status.categoryId ?? null,
    extra:
      status.extraSemantics !== undefined && status.extraSemantics !== derived
        ? JSON.stringify({ SEMANTICS: status.extraSemantics })
        : null,
  }
}

/** The values of one dictionary (or one funnel's stages), ordered by SORT, then ID. */
export async function listStatuses(db: Db, portalId: number, entityId: string): Promise<StatusRow[]> {
  const rows = await db
    .selectFrom('crm_status')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('entity_id', '=', entityId)
    .orderBy('sort')
    .orderBy('id')
    .execute()
  return rows.map(statusFromRow)
}

/** One value of a dictionary by its STATUS_ID (`NEW`, `C1:WON`, `DT177_7:SUCCESS`). */
export async function findStatus(
  db: Db,
  portalId: number,
  entityId: string,
  statusId: string,
): Promise<StatusRow | undefined> {
  const row = await db
    .selectFrom('crm_status')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('entity_id', '=', entityId)
    .where('status_id', '=', statusId)
    .executeTakeFirst()
  return row === undefined ? undefined : statusFromRow(row)
}

/** One value by its numeric ID (crm.status.get / update / delete). */
export async function getStatusById(db: Db, portalId: number, id: number): Promise<StatusRow | undefined> {
  const row = await db
    .selectFrom('crm_status')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('id', '=', id)
    .executeTakeFirst()
  return row === undefined ? undefined : statusFromRow(row)
}

/** Inserts values with ids from the portal's `crm_status` sequence, in the order given. */
export async function insertStatuses(
  store: Store,
  db: Db,
  portalId: number,
  seeds: readonly StatusSeed[],
): Promise<StatusRow[]> {
  const rows: StatusRow[] = []
  for (const seed of seeds) rows.push({ ...seed, id: await store.nextId(db, portalId, SEQUENCE.status) })
  await insertStatusRows(db, portalId, rows)
  return rows
}

/** Inserts rows that already carry their ids (the portal seed). */
export async function insertStatusRows(db: Db, portalId: number, rows: readonly StatusRow[]): Promise<void> {
  // A few hundred rows per statement stays far below SQLite's bound-parameter limit.
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto('crm_status')
      .values(rows.slice(i, i + 200).map((row) => statusToRow(portalId, row)))
      .execute()
  }
}

export interface StatusPatch {
  name?: string
  sort?: number
  color?: string | null
}

export async function updateStatus(db: Db, portalId: number, id: number, patch: StatusPatch): Promise<void> {
  const set: { name?: string; sort?: number; color?: string | null } = {}
  if (patch.name !== undefined) set.name = patch.name
  if (patch.sort !== undefined) set.sort = patch.sort
  if (patch.color !== undefined) set.color = patch.color
  if (Object.keys(set).length === 0) return
  await db.updateTable('crm_status').set(set).where('portal_id', '=', portalId).where('id', '=', id).execute()
}

export async function deleteStatus(db: Db, portalId: number, id: number): Promise<void> {
  await db.deleteFrom('crm_status').where('portal_id', '=', portalId).where('id', '=', id).execute()
}

/** Is any item of this type in the given stage? (crm.status.delete: "There are active items in this status.") */
export async function stageHasItems(
  db: Db,
  portalId: number,
  entityTypeId: number,
  stageId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('crm_item')
    .select('id')
    .where('portal_id', '=', portalId)
    .where('entity_type_id', '=', entityTypeId)
    .where('stage_id', '=', stageId)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

// ---------------------------------------------------------------------------------------------------------
// Funnels
// ---------------------------------------------------------------------------------------------------------

/** A stored funnel. Assignable to CategorySeed, so categories.ts `categoryToWire` serialises it. */
export interface CategoryRecord {
  id: number
  entityTypeId: number
  name: string
  sort: number
  isDefault: boolean
  isSystem: boolean
  code?: string
  originId?: string
  originatorId?: string
}

export function categoryFromRow(row: Selectable<CrmCategoryTable>): CategoryRecord {
  const category: CategoryRecord = {
    id: row.id,
    entityTypeId: row.entity_type_id,
    name: row.name,
    sort: row.sort,
    isDefault: row.is_default === 1,
    isSystem: row.is_system === 1,
  }
  if (row.code !== null) category.code = row.code
  if (row.origin_id !== null) category.originId = row.origin_id
  if (row.originator_id !== null) category.originatorId = row.originator_id
  return category
}

function categoryToRow(portalId: number, c: CategorySeed, nowMs: number): Insertable<CrmCategoryTable> {
  return {
    portal_id: portalId,
    id: c.id,
    entity_type_id: c.entityTypeId,
    name: c.name,
    sort: c.sort,
    is_default: c.isDefault ? 1 : 0,
    is_system: c.isSystem === true ? 1 : 0,
    code: c.code ?? null,
    origin_id: c.originId ?? null,
    originator_id: c.originatorId ?? null,
    created_time: storedInstant(nowMs),
  }
}

export async function getCategory(
  db: Db,
  portalId: number,
  entityTypeId: number,
  categoryId: number,
): Promise<CategoryRecord | undefined> {
  const row = await db
    .selectFrom('crm_category')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('entity_type_id', '=', entityTypeId)
    .where('id', '=', categoryId)
    .executeTakeFirst()
  return row === undefined ? undefined : categoryFromRow(row)
}

/** The default funnel of an object: id 0 for deals, contacts and companies; the flagged one otherwise. */
export async function defaultCategory(
  db: Db,
  portalId: number,
  entityTypeId: number,
): Promise<CategoryRecord | undefined> {
  const row = await db
    .selectFrom('crm_category')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('entity_type_id', '=', entityTypeId)
    .where('is_default', '=', 1)
    .orderBy('id')
    .executeTakeFirst()
  return row === undefined ? undefined : categoryFromRow(row)
}

/** Every funnel of an object, in crm.category.list order: by sort, then id (crm-category-list.md example). */
export async function listCategories(
  db: Db,
  portalId: number,
  entityTypeId: number,
): Promise<CategoryRecord[]> {
  const rows = await db
    .selectFrom('crm_category')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('entity_type_id', '=', entityTypeId)
    .orderBy('sort')
    .orderBy('id')
    .execute()
  return rows.map(categoryFromRow)
}

/** Inserts funnels that already carry their ids (the portal seed). */
export async function insertCategoryRows(
  db: Db,
  portalId: number,
  categories: readonly CategorySeed[],
  nowMs: number,
): Promise<void> {
  if (categories.length === 0) return
  await db
    .insertInto('crm_category')
    .values(categories.map((c) => categoryToRow(portalId, c, nowMs)))
    .execute()
}

/** The stage template of an object's funnels; contacts and companies have funnels without stages. */
export function funnelStageEntity(entityTypeId: number): FunnelEntity | undefined {
  if (entityTypeId === ENTITY_TYPE.deal) return 'deal'
  if (entityTypeId === ENTITY_TYPE.smartInvoice) return 'smart_invoice'
  if (entityTypeId >= FIRST_DYNAMIC_ENTITY_TYPE_ID) return 'dynamic'
  return undefined
}

export interface NewFunnel {
  entityTypeId: number
  name: string
  sort: number
  isDefault: boolean
  isSystem?: boolean
  code?: string
}

/**
 * Creates a funnel with the next `crm_category` id and fills it with the default stages of its object
 * ("Bitrix24 immediately fills the new funnel with default stages", how-to-add-category-to-spa.md:245).
 * A new default funnel takes the flag from the old one (crm-category-add.md, isDefault).
 */
export async function createFunnel(
  store: Store,
  db: Db,
  portalId: number,
  input: NewFunnel,
  nowMs: number,
): Promise<{ category: CategoryRecord; stages: StatusRow[] }> {
  const id = await store.nextId(db, portalId, SEQUENCE.category)
  if (input.isDefault) await clearDefaultCategory(db, portalId, input.entityTypeId)
  const category: CategoryRecord = {
    id,
    entityTypeId: input.entityTypeId,
    name: input.name,
    sort: input.sort,
    isDefault: input.isDefault,
    isSystem: input.isSystem ?? false,
  }
  if (input.code !== undefined) category.code = input.code
  if (input.entityTypeId === ENTITY_TYPE.deal) {
    category.originId = ''
    category.originatorId = ''
  }
  await insertCategoryRows(db, portalId, [category], nowMs)
  const entity = funnelStageEntity(input.entityTypeId)
  const stages =
    entity === undefined
      ? []
      : await insertStatuses(store, db, portalId, newFunnelStages(entity, input.entityTypeId, id))
  return { category, stages }
}

export interface CategoryPatch {
  name?: string
  sort?: number
  /** only `true` is applied: the default funnel cannot be made non-default (crm-category-add.md) */
  makeDefault?: boolean
}

export async function updateCategory(
  db: Db,
  portalId: number,
  entityTypeId: number,
  id: number,
  patch: CategoryPatch,
): Promise<void> {
  if (patch.makeDefault === true) {
    await clearDefaultCategory(db, portalId, entityTypeId)
    await db
      .updateTable('crm_category')
      .set({ is_default: 1 })
      .where('portal_id', '=', portalId)
      .where('entity_type_id', '=', entityTypeId)
      .where('id', '=', id)
      .execute()
  }
  const set: { name?: string; sort?: number } = {}
  if (patch.name !== undefined) set.name = patch.name
  if (patch.sort !== undefined) set.sort = patch.sort
  if (Object.keys(set).length === 0) return
  await db
    .updateTable('crm_category')
    .set(set)
    .where('portal_id', '=', portalId)
    .where('entity_type_id', '=', entityTypeId)
    .where('id', '=', id)
    .execute()
}

async function clearDefaultCategory(db: Db, portalId: number, entityTypeId: number): Promise<void> {
  await db
    .updateTable('crm_category')
    .set({ is_default: 0 })
    .where('portal_id', '=', portalId)
    .where('entity_type_id', '=', entityTypeId)
    .where('is_default', '=', 1)
    .execute()
}

/** Deletes a funnel and its stage dictionary. */
export async function deleteFunnel(
  db: Db,
  portalId: number,
  entityTypeId: number,
  id: number,
): Promise<void> {
  await db
    .deleteFrom('crm_category')
    .where('portal_id', '=', portalId)
    .where('entity_type_id', '=', entityTypeId)
    .where('id', '=', id)
    .execute()
  if (funnelStageEntity(entityTypeId) !== undefined) {
    await db
      .deleteFrom('crm_status')
      .where('portal_id', '=', portalId)
      .where('entity_id', '=', stageEntityId(entityTypeId, id))
      .execute()
  }
}

/** Does the object (or one of its funnels) have any item? */
export async function hasItems(
  db: Db,
  portalId: number,
  entityTypeId: number,
  categoryId?: number,
): Promise<boolean> {
  let query = db
    .selectFrom('crm_item')
    .select('id')
    .where('portal_id', '=', portalId)
    .where('entity_type_id', '=', entityTypeId)
  if (categoryId !== undefined) query = query.where('category_id', '=', categoryId)
  return (await query.limit(1).executeTakeFirst()) !== undefined
}

// ---------------------------------------------------------------------------------------------------------
// Smart-process types
// ---------------------------------------------------------------------------------------------------------

/** The `is…Enabled` flags in the order crm.type.get shows them (crm-type-get.md example). */
export const SMART_PROCESS_FLAG_NAMES = [
  'isCategoriesEnabled',
  'isStagesEnabled',
  'isBeginCloseDatesEnabled',
  'isClientEnabled',
  'isUseInUserfieldEnabled',
  'isLinkWithProductsEnabled',
  'isMycompanyEnabled',
  'isDocumentsEnabled',
  'isSourceEnabled',
  'isObserversEnabled',
  'isRecyclebinEnabled',
  'isAutomationEnabled',
  'isBizProcEnabled',
  'isSetOpenPermissions',
  'isPaymentsEnabled',
  'isCountersEnabled',
] as const satisfies readonly (keyof SmartProcessFlags)[]

export type SmartProcessFlagName = (typeof SMART_PROCESS_FLAG_NAMES)[number]

/** The user fields a type can be shown in (crm-type-add.md, linkedUserFields). */
export const LINKED_USER_FIELD_KEYS = [
  'CALENDAR_EVENT|UF_CRM_CAL_EVENT',
  'TASKS_TASK|UF_CRM_TASK',
  'TASKS_TASK_TEMPLATE|UF_CRM_TASK',
] as const

export interface TypeRelation {
  entityTypeId: number
  isChildrenListEnabled: boolean
}

/** A stored smart-process type with everything crm.type.get returns. */
export interface SmartProcessTypeRecord {
  settings: SmartProcessSettings
  code: string
  /** relations set by clients; the predefined ones (client field) are derived from the flags on output */
  relations: { parent: TypeRelation[]; child: TypeRelation[] }
  linkedUserFields: Record<string, boolean>
  customSectionId: number | null
  createdBy: number
  /** stored instants, `YYYY-MM-DDTHH:MM:SSZ` */
  createdTime: string
  updatedBy: number
  updatedTime: string
}

interface StoredTypeSettings extends Partial<Record<SmartProcessFlagName, 'Y' | 'N'>> {
  relations?: { parent?: TypeRelation[]; child?: TypeRelation[] }
  linkedUserFields?: Record<string, boolean>
  customSectionId?: number | null
}

function typeFromRow(row: Selectable<CrmTypeTable>): SmartProcessTypeRecord {
  const stored = JSON.parse(row.settings) as StoredTypeSettings
  const flags: Record<string, boolean> = {}
  for (const name of SMART_PROCESS_FLAG_NAMES) {
    const value = stored[name]
    flags[name] = value === undefined ? SMART_PROCESS_DEFAULT_FLAGS[name] : value === 'Y'
  }
  return {
    settings: {
      ...(flags as unknown as SmartProcessFlags),
      id: row.id,
      entityTypeId: row.entity_type_id,
      title: row.title,
    },
    code: row.code ?? '',
    relations: { parent: stored.relations?.parent ?? [], child: stored.relations?.child ?? [] },
    linkedUserFields: stored.linkedUserFields ?? {},
    customSectionId: stored.customSectionId ?? null,
    createdBy: row.created_by,
    createdTime: row.created_time,
    updatedBy: row.updated_by,
    updatedTime: row.updated_time,
  }
}

function storedSettings(record: SmartProcessTypeRecord): string {
  const stored: StoredTypeSettings = {}
  for (const name of SMART_PROCESS_FLAG_NAMES) stored[name] = record.settings[name] ? 'Y' : 'N'
  stored.relations = record.relations
  stored.linkedUserFields = record.linkedUserFields
  stored.customSectionId = record.customSectionId
  return JSON.stringify(stored)
}

/** The settings of a smart process by its entityTypeId, or undefined when the portal has no such type. */
export async function findSmartProcessType(
  db: Db,
  portalId: number,
  entityTypeId: number,
): Promise<SmartProcessSettings | undefined> {
  return (await getTypeByEntityTypeId(db, portalId, entityTypeId))?.settings
}

export async function getTypeByEntityTypeId(
  db: Db,
  portalId: number,
  entityTypeId: number,
): Promise<SmartProcessTypeRecord | undefined> {
  const row = await db
    .selectFrom('crm_type')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('entity_type_id', '=', entityTypeId)
    .executeTakeFirst()
  return row === undefined ? undefined : typeFromRow(row)
}

/** By the type's own `id` (crm.type.get / update / delete), not its entityTypeId. */
export async function getTypeById(
  db: Db,
  portalId: number,
  id: number,
): Promise<SmartProcessTypeRecord | undefined> {
  const row = await db
    .selectFrom('crm_type')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('id', '=', id)
    .executeTakeFirst()
  return row === undefined ? undefined : typeFromRow(row)
}

/** Every smart process of the portal, by id. */
export async function listTypes(db: Db, portalId: number): Promise<SmartProcessTypeRecord[]> {
  const rows = await db
    .selectFrom('crm_type')
    .selectAll()
    .where('portal_id', '=', portalId)
    .orderBy('id')
    .execute()
  return rows.map(typeFromRow)
}

/** Converts rows selected from {@link typeListSource} (all `crm_type` columns) into records. */
export function typesFromRows(rows: readonly Selectable<CrmTypeTable>[]): SmartProcessTypeRecord[] {
  return rows.map(typeFromRow)
}

/**
 * The entityTypeId crm.type.add gives a type sent without one: the next even id from 1030 (every example
 * of the docs made since 2024 is even and ≥ 1030: 1038, 1152, 1222 … 1268, five types apart by 10).
 */
export async function nextFreeEntityTypeId(db: Db, portalId: number): Promise<number> {
  const row = await db
    .selectFrom('crm_type')
    .select(sql<number | string | null>`max(entity_type_id)`.as('max'))
    .where('portal_id', '=', portalId)
    .where('entity_type_id', '>=', 1030)
    .executeTakeFirst()
  const max = row?.max === null || row?.max === undefined ? 1028 : Number(row.max)
  return max + (max % 2 === 0 ? 2 : 1)
}

export interface NewType {
  entityTypeId: number
  title: string
  code: string
  flags: SmartProcessFlags
  relations: { parent: TypeRelation[]; child: TypeRelation[] }
  linkedUserFields: Record<string, boolean>
  customSectionId: number | null
  userId: number
}

/**
 * Creates a smart process with the next `crm_type` id, and its default funnel "General" with the default
 * stages. Bitrix creates the funnel and stages for every new type whatever its isCategoriesEnabled /
 * isStagesEnabled (those switch the UI and the item fields), so switching them on later finds them.
 */
export async function createType(
  store: Store,
  db: Db,
  portalId: number,
  input: NewType,
  nowMs: number,
): Promise<SmartProcessTypeRecord> {
  const id = await store.nextId(db, portalId, SEQUENCE.type)
  const now = storedInstant(nowMs)
  const record: SmartProcessTypeRecord = {
    settings: { ...input.flags, id, entityTypeId: input.entityTypeId, title: input.title },
    code: input.code,
    relations: input.relations,
    linkedUserFields: input.linkedUserFields,
    customSectionId: input.customSectionId,
    createdBy: input.userId,
    createdTime: now,
    updatedBy: input.userId,
    updatedTime: now,
  }
  await db
    .insertInto('crm_type')
    .values({
      portal_id: portalId,
      id,
      entity_type_id: input.entityTypeId,
      title: input.title,
      code: input.code,
      settings: storedSettings(record),
      created_by: input.userId,
      created_time: now,
      updated_by: input.userId,
      updated_time: now,
    })
    .execute()
  const funnel = defaultFunnelFor(input.entityTypeId, 0)
  await createFunnel(
    store,
    db,
    portalId,
    { entityTypeId: input.entityTypeId, name: funnel.name, sort: funnel.sort, isDefault: true },
    nowMs,
  )
  return record
}

/** Saves a changed record (title, code, flags, relations …) and stamps who and when. */
export async function saveType(
  db: Db,
  portalId: number,
  record: SmartProcessTypeRecord,
  userId: number,
  nowMs: number,
): Promise<SmartProcessTypeRecord> {
  const saved: SmartProcessTypeRecord = { ...record, updatedBy: userId, updatedTime: storedInstant(nowMs) }
  await db
    .updateTable('crm_type')
    .set({
      title: saved.settings.title,
      code: saved.code,
      settings: storedSettings(saved),
      updated_by: saved.updatedBy,
      updated_time: saved.updatedTime,
    })
    .where('portal_id', '=', portalId)
    .where('id', '=', saved.settings.id)
    .execute()
  return saved
}

/** Deletes a type with its funnels and their stages (the caller has checked it has no items). */
export async function deleteType(db: Db, portalId: number, record: SmartProcessTypeRecord): Promise<void> {
  const { id, entityTypeId } = record.settings
  for (const category of await listCategories(db, portalId, entityTypeId)) {
    await deleteFunnel(db, portalId, entityTypeId, category.id)
  }
  await db.deleteFrom('crm_type').where('portal_id', '=', portalId).where('id', '=', id).execute()
  // The type's custom fields (`CRM_{id}`, migrations/0007-userfields.ts) go with it, their list values too.
  const fieldIds = (
    await db
      .selectFrom('crm_userfield')
      .select('id')
      .where('portal_id', '=', portalId)
      .where('entity_id', '=', `CRM_${id}`)
      .execute()
  ).map((r) => r.id)
  if (fieldIds.length > 0) {
    await db
      .deleteFrom('crm_userfield_enum')
      .where('portal_id', '=', portalId)
      .where('field_id', 'in', fieldIds)
      .execute()
    await db
      .deleteFrom('crm_userfield')
      .where('portal_id', '=', portalId)
      .where('id', 'in', fieldIds)
      .execute()
  }
}

/**
 * The source crm.type.list pages over: `crm_type` with every flag lifted out of the settings JSON into a
 * column of its own (`is_categories_enabled` …, `Y`/`N`) and `custom_section_id`, so the shared list
 * machinery can filter and order by them on both stores.
 */
export function typeListSource(db: Db, dialect: Dialect, portalId: number) {
  const extract = (key: string) =>
    dialect === 'postgres'
      ? sql<string | null>`(cast(settings as jsonb) ->> ${sql.lit(key)})`
      : sql<string | null>`json_extract(settings, ${sql.lit(`$.${key}`)})`
  const customSection =
    dialect === 'postgres'
      ? sql<number | null>`cast(cast(settings as jsonb) ->> 'customSectionId' as integer)`
      : sql<number | null>`json_extract(settings, '$.customSectionId')`
  let inner = db
    .selectFrom('crm_type')
    .selectAll()
    .select(customSection.as('custom_section_id'))
    .where('portal_id', '=', portalId)
  for (const name of SMART_PROCESS_FLAG_NAMES) inner = inner.select(extract(name).as(flagColumn(name)))
  return db.selectFrom(inner.as('t')).selectAll('t')
}

/** `isCategoriesEnabled` → `is_categories_enabled` (the column name in {@link typeListSource}). */
export function flagColumn(name: SmartProcessFlagName): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

// ---------------------------------------------------------------------------------------------------------
// crm.status.entity.types
// ---------------------------------------------------------------------------------------------------------

/** The dictionaries the portal has now: the fixed ones plus one per funnel with stages. */
export async function loadStatusEntityTypes(db: Db, portalId: number): Promise<StatusEntityType[]> {
  const categories = await db
    .selectFrom('crm_category')
    .selectAll()
    .where('portal_id', '=', portalId)
    .orderBy('sort')
    .orderBy('id')
    .execute()
  const funnelsOf = (entityTypeId: number): FunnelRef[] =>
    categories
      .filter((c) => c.entity_type_id === entityTypeId)
      .map((c) => ({ id: c.id, name: c.name, sort: c.sort, isDefault: c.is_default === 1 }))
  const types = await listTypes(db, portalId)
  return buildStatusEntityTypes({
    dealCategories: funnelsOf(ENTITY_TYPE.deal),
    smartInvoiceCategories: funnelsOf(ENTITY_TYPE.smartInvoice),
    smartProcesses: types.map((t) => ({
      entityTypeId: t.settings.entityTypeId,
      title: t.settings.title,
      categories: funnelsOf(t.settings.entityTypeId),
      isStagesEnabled: t.settings.isStagesEnabled,
    })),
  })
}

// ---------------------------------------------------------------------------------------------------------
// Currencies
// ---------------------------------------------------------------------------------------------------------

/** A stored currency: the seed shape plus when it last changed (stored instant). */
export interface CurrencyRecord extends CurrencySeed {
  dateUpdate: string
}

function localizationFromWire(wire: CurrencyLocalizationWire): CurrencyLocalization {
  return {
    fullName: wire.FULL_NAME,
    formatString: wire.FORMAT_STRING,
    decPoint: wire.DEC_POINT,
    thousandsSep: wire.THOUSANDS_SEP,
    thousandsVariant: wire.THOUSANDS_VARIANT as ThousandsVariant,
    decimals: Number(wire.DECIMALS),
    hideZero: wire.HIDE_ZERO === 'Y',
  }
}

function currencyFromRow(row: Selectable<CrmCurrencyTable>): CurrencyRecord {
  const lang = JSON.parse(row.lang) as Record<string, CurrencyLocalizationWire>
  return {
    currency: row.currency,
    amountCnt: row.amount_cnt,
    amount: Number(row.amount),
    sort: row.sort,
    base: row.base === 1,
    lang: Object.fromEntries(Object.entries(lang).map(([lid, l]) => [lid, localizationFromWire(l)])),
    dateUpdate: row.date_update,
  }
}

export async function insertCurrencies(
  db: Db,
  portalId: number,
  currencies: readonly CurrencySeed[],
  nowMs: number,
): Promise<void> {
  if (currencies.length === 0) return
  await db
    .insertInto('crm_currency')
    .values(
      currencies.map((c) => ({
        portal_id: portalId,
        currency: c.currency,
        amount_cnt: c.amountCnt,
        amount: formatCurrencyAmount(c.amount),
        sort: c.sort,
        base: c.base ? 1 : 0,
        date_update: storedInstant(nowMs),
        lang: JSON.stringify(
          Object.fromEntries(Object.entries(c.lang).map(([lid, l]) => [lid, localizationToWire(l)])),
        ),
      })),
    )
    .execute()
}

/** Every currency of the portal, by SORT then code. */
export async function listCurrencies(db: Db, portalId: number): Promise<CurrencyRecord[]> {
  const rows = await db
    .selectFrom('crm_currency')
    .selectAll()
    .where('portal_id', '=', portalId)
    .orderBy('sort')
    .orderBy('currency')
    .execute()
  return rows.map(currencyFromRow)
}

/** A currency by its ISO code; the code is matched case-insensitively, as MySQL's collation would. */
export async function getCurrency(
  db: Db,
  portalId: number,
  currency: string,
): Promise<CurrencyRecord | undefined> {
  const row = await db
    .selectFrom('crm_currency')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('currency', '=', currency.trim().toUpperCase())
    .executeTakeFirst()
  return row === undefined ? undefined : currencyFromRow(row)
}

/** The code of the base currency (`USD` on a new portal). */
export async function baseCurrency(db: Db, portalId: number): Promise<string> {
  const row = await db
    .selectFrom('crm_currency')
    .select('currency')
    .where('portal_id', '=', portalId)
    .where('base', '=', 1)
    .executeTakeFirst()
  if (row === undefined) throw new Error(`portal ${portalId} has no base currency`)
  return row.currency
}

/** The language crm.currency.* localize in; portals are created English (currencies.ts). */
export function portalLanguage(): string {
  return FRESH_PORTAL_LANGUAGE
}
