/**
 * Storage of CRM items: the wide `crm_item` row plus the side tables (migrations/0002-crm.ts), mapped to and
 * from the domain {@link Item}. What goes where is declared by the entity-type descriptors
 * (src/crm/entity-types/field.ts `FieldStorage`); this module implements those declarations.
 *
 * Decisions (docs/compatibility.md "CRM items"):
 * - Single binding fields (`contactId` of leads/deals/…, `companyId` of contacts) are not stored on the row:
 *   they are the primary row of their binding table and load as the primary id, or 0 when nothing is bound
 *   ("the single contactId is synced to the primary id, or 0 when no bindings remain", server-behaviour.md
 *   §1.B item 17).
 * - `hasPhone` / `hasEmail` / `hasImol` are stored (so lists filter them through a column) and recomputed by
 *   the store from `fm` on every write, whatever the caller put in `values`.
 * - Multifield ids come from one per-portal sequence (`multifield`); an `fm` entry whose id is not one of the
 *   item's current entries gets a new id.
 * - Lists are read with one query per side table for the whole page (no per-item queries).
 */
import { sql, type Expression, type SqlBool } from 'kysely'
import type { EntityTypeDescriptor } from '../entity-types/entity-type.js'
import type { FieldDescriptor, FieldType, RelationStorage } from '../entity-types/field.js'
import { parentFieldUpperName } from '../entity-types/field-names.js'
import type { CrmItemTable, Db } from '../../store/schema.js'
import type { Store } from '../../store/store.js'
import type { FieldFilterContext, ListField, ListFieldMap, ListFieldType } from '../../store/list-query.js'
import type { Item, Multifield } from './item.js'
import type { Dialect } from '../../store/store.js'
import type { UserFieldDefinition } from '../user-fields/user-field.js'
import { userFieldListFields, userFieldSortSelections } from '../user-fields/user-field-list.js'
import { deleteItemFiles } from '../files/file-store.js'
import { param, runPrepared } from '../../store/prepared.js'

const CONTACT = 3
const COMPANY = 4

/** Binding rows are written with sort 10, 20, … (server-behaviour.md §1.B item 18: "a sort of 10, 20, …"). */
const SORT_STEP = 10

/** Rows of `crm_item` as Kysely returns them; columns addressed by name. */
type ItemRow = Record<string, unknown> & { id: number; uf: string }

// ---------------------------------------------------------------------------------------------------------
// Storage plan: what each field of a type maps to (computed once per descriptor)
// ---------------------------------------------------------------------------------------------------------

interface ColumnBinding {
  readonly field: FieldDescriptor
  readonly column: string
  readonly boolean: boolean
}

interface StoragePlan {
  readonly columns: readonly ColumnBinding[]
  readonly jsonColumns: readonly { readonly field: FieldDescriptor; readonly column: string }[]
  /** Relation fields by relation kind (a relation may back two fields, e.g. `contactIds` and `contacts`). */
  readonly relationField: ReadonlyMap<RelationStorage, string>
  /** primaryBinding field name by relation kind. */
  readonly primaryField: ReadonlyMap<'contactBindings' | 'contactCompanies', string>
  /** The hasPhone/hasEmail/hasImol columns this type has. */
  readonly flagColumns: readonly {
    readonly rule: 'hasPhone' | 'hasEmail' | 'hasImol'
    readonly column: string
  }[]
  /**
   * The `crm_item` columns items of the type are read from: `id`, `uf` and the type's own columns. Reading
   * only these (a lead uses 52 of 136) halves the cost of a page of 50 rows, most of which is making the
   * row objects.
   */
  readonly selected: readonly string[]
  /** Names the `selected` list in prepared-query keys (one per distinct list). */
  readonly selectedKey: string
}

const selectedKeys = new Map<string, string>()

const plans = new WeakMap<EntityTypeDescriptor, StoragePlan>()

function planOf(type: EntityTypeDescriptor): StoragePlan {
  const cached = plans.get(type)
  if (cached) return cached
  const columns: ColumnBinding[] = []
  const jsonColumns: { field: FieldDescriptor; column: string }[] = []
  const relationField = new Map<RelationStorage, string>()
  const primaryField = new Map<'contactBindings' | 'contactCompanies', string>()
  const flagColumns: { rule: 'hasPhone' | 'hasEmail' | 'hasImol'; column: string }[] = []
  for (const field of type.fields) {
    const storage = field.storage
    switch (storage.kind) {
      case 'column':
        if (field.name === 'id') break
        columns.push({ field, column: storage.column, boolean: field.type === 'boolean' })
        if (field.rule === 'hasPhone' || field.rule === 'hasEmail' || field.rule === 'hasImol') {
          flagColumns.push({ rule: field.rule, column: storage.column })
        }
        break
      case 'jsonColumn':
        jsonColumns.push({ field, column: storage.column })
        break
      case 'relation':
        // The item field (`contactIds`) wins over the service field (`contacts`) of the same relation.
        if (field.exposure !== 'fieldsOnly' || !relationField.has(storage.relation)) {
          relationField.set(storage.relation, field.name)
        }
        break
      case 'primaryBinding':
        primaryField.set(storage.relation, field.name)
        break
      case 'multifieldAlias':
      case 'none':
        break
    }
  }
  const selected = [
    ...new Set(['id', 'uf', ...columns.map((c) => c.column), ...jsonColumns.map((c) => c.column)]),
  ]
  const list = selected.join(',')
  let selectedKey = selectedKeys.get(list)
  if (selectedKey === undefined) selectedKeys.set(list, (selectedKey = String(selectedKeys.size)))
  const plan: StoragePlan = {
    columns,
    jsonColumns,
    relationField,
    primaryField,
    flagColumns,
    selected,
    selectedKey,
  }
  plans.set(type, plan)
  return plan
}

/** The `crm_item` column of a field, or undefined when the field is not stored in a plain column. */
export function itemColumnOf(field: FieldDescriptor): string | undefined {
  return field.storage.kind === 'column' ? field.storage.column : undefined
}

// ---------------------------------------------------------------------------------------------------------
// Value conversion between domain and column forms
// ---------------------------------------------------------------------------------------------------------

function toColumnValue(binding: ColumnBinding, value: unknown): string | number | null {
  if (value === undefined || value === null) return null
  if (binding.boolean) {
    if (typeof value === 'boolean') return value ? 1 : 0
    if (typeof value === 'number') return value === 0 ? 0 : 1
    if (typeof value === 'string') return value === 'Y' || value === '1' || value === 'true' ? 1 : 0
    return null
  }
  if (typeof value === 'number' || typeof value === 'string') return value
  if (typeof value === 'boolean') return value ? 1 : 0
  return JSON.stringify(value)
}

function fromColumnValue(binding: ColumnBinding, value: unknown): unknown {
  if (value === undefined || value === null) return null
  if (binding.boolean) return Number(value) !== 0
  if (isNumericType(binding.field.type) && typeof value !== 'number') {
    const n = Number(value)
    return Number.isFinite(n) ? n : null
  }
  return value
}

function isNumericType(type: FieldType): boolean {
  switch (type) {
    case 'integer':
    case 'double':
    case 'user':
    case 'file':
    case 'location':
    case 'crm_category':
    case 'crm_company':
    case 'crm_contact':
    case 'crm_lead':
    case 'crm_deal':
    case 'crm_quote':
      return true
    default:
      return false
  }
}

function parseJsonArray(text: unknown): number[] {
  if (typeof text !== 'string' || text === '') return []
  try {
    const parsed: unknown = JSON.parse(text)
    return Array.isArray(parsed) ? parsed.map(Number).filter((n) => Number.isFinite(n)) : []
  } catch {
    return []
  }
}

function parseUf(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string' || text === '') return {}
  try {
    const parsed: unknown = JSON.parse(text)
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {}
  } catch {
    return {}
  }
}

/** Integer ids from a domain list, zeros and duplicates dropped, order kept (server-behaviour.md §1.B 17–18). */
function idList(value: unknown): number[] {
  if (!Array.isArray(value)) return []
  const result: number[] = []
  for (const entry of value) {
    const n = Math.trunc(Number(entry))
    if (Number.isSafeInteger(n) && n > 0 && !result.includes(n)) result.push(n)
  }
  return result
}

function positiveId(value: unknown): number {
  const n = Math.trunc(Number(value))
  return Number.isSafeInteger(n) && n > 0 ? n : 0
}

function multifieldList(value: unknown): Multifield[] {
  if (!Array.isArray(value)) return []
  return value.filter(
    (m): m is Multifield =>
      typeof m === 'object' &&
      m !== null &&
      typeof (m as Multifield).typeId === 'string' &&
      typeof (m as Multifield).value === 'string',
  )
}

/**
 * `hasPhone` / `hasEmail` / `hasImol` of a multifield set: a phone, an e-mail, an open-line messenger value
 * (`IM` of value type `IMOL`, the source of the `imol` alias) exists.
 */
export function multifieldFlags(fm: readonly Multifield[]): {
  hasPhone: boolean
  hasEmail: boolean
  hasImol: boolean
} {
  return {
    hasPhone: fm.some((m) => m.typeId === 'PHONE' && m.value !== ''),
    hasEmail: fm.some((m) => m.typeId === 'EMAIL' && m.value !== ''),
    hasImol: fm.some((m) => m.typeId === 'IM' && m.valueType === 'IMOL' && m.value !== ''),
  }
}

/**
 * A new item with every stored field of the type empty: columns null, lists empty, single bindings 0.
 * A starting point for crm.item.add and for tests.
 */
export function emptyItem(type: EntityTypeDescriptor, id: number): Item {
  const plan = planOf(type)
  const values: Record<string, unknown> = {}
  for (const binding of plan.columns) values[binding.field.name] = null
  for (const { field } of plan.jsonColumns) values[field.name] = []
  for (const name of plan.relationField.values()) values[name] = []
  for (const name of plan.primaryField.values()) values[name] = 0
  return { entityTypeId: type.entityTypeId, id, values, uf: {}, parents: {} }
}

// ---------------------------------------------------------------------------------------------------------
// Ids
// ---------------------------------------------------------------------------------------------------------

/** The next id of an entity type's items in a portal: ids are per portal and per type, like Bitrix tables. */
export function nextItemId(store: Store, db: Db, portalId: number, entityTypeId: number): Promise<number> {
  return store.nextId(db, portalId, `item:${entityTypeId}`)
}

/**
 * Reserves `count` consecutive ids of a per-portal sequence and returns the first. The same `id_counter` row
 * as Store.nextId, bumped by `count` in one statement (safe under concurrent writers on both stores).
 */
async function reserveIds(db: Db, portalId: number, sequence: string, count: number): Promise<number> {
  const row = await db
    .insertInto('id_counter')
    .values({ portal_id: portalId, name: sequence, value: count })
    .onConflict((oc) =>
      oc.columns(['portal_id', 'name']).doUpdateSet({ value: sql`id_counter.value + ${count}` }),
    )
    .returning('value')
    .executeTakeFirstOrThrow()
  return Number(row.value) - count + 1
}

/** Sequence of multifield ids (`fm[].id`), shared by every type of a portal. */
export const MULTIFIELD_SEQUENCE = 'multifield'

// ---------------------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------------------

/** Which side tables to read; all by default. Lists skip the ones their `select` does not need. */
export interface LoadParts {
  readonly observers?: boolean
  readonly contactBindings?: boolean
  readonly contactCompanies?: boolean
  readonly multifields?: boolean
  readonly parents?: boolean
}

const ALL_PARTS: Required<LoadParts> = {
  observers: true,
  contactBindings: true,
  contactCompanies: true,
  multifields: true,
  parents: true,
}

export async function loadItem(
  db: Db,
  portalId: number,
  type: EntityTypeDescriptor,
  id: number,
): Promise<Item | undefined> {
  if (!Number.isSafeInteger(id) || id <= 0) return undefined
  const [item] = await loadItems(db, portalId, type, [id])
  return item
}

/**
 * Items by id, in the order of `ids` (missing ids skipped). One query for the rows and one per side table,
 * whatever the number of ids.
 */
export async function loadItems(
  db: Db,
  portalId: number,
  type: EntityTypeDescriptor,
  ids: readonly number[],
  parts: LoadParts = ALL_PARTS,
): Promise<Item[]> {
  const wanted = [...new Set(ids.filter((id) => Number.isSafeInteger(id) && id > 0))]
  if (wanted.length === 0) return []
  const plan = planOf(type)
  const rows: ItemRow[] = []
  for (const chunk of chunks(wanted, 500)) {
    const { rows: found } = await runPrepared(
      db,
      `item-rows:${plan.selectedKey}:${chunk.length}`,
      () =>
        db
          .selectFrom('crm_item')
          .select(plan.selected as (keyof CrmItemTable)[])
          .where('portal_id', '=', param('portalId'))
          .where('entity_type_id', '=', param('entityTypeId'))
          .where('id', 'in', idParams(chunk)),
      { portalId, entityTypeId: type.entityTypeId, ...idValues(chunk) },
    )
    rows.push(...(found as unknown as ItemRow[]))
  }
  const items = await itemsFromRows(db, portalId, type, rows, parts)
  const byId = new Map(items.map((item) => [item.id, item]))
  return wanted.map((id) => byId.get(id)).filter((item): item is Item => item !== undefined)
}

/**
 * Builds items from `crm_item` rows already read (a list page), loading the side tables in one query each.
 * The result keeps the order of `rows`.
 */
export async function itemsFromRows(
  db: Db,
  portalId: number,
  type: EntityTypeDescriptor,
  rows: readonly Record<string, unknown>[],
  parts: LoadParts = ALL_PARTS,
): Promise<Item[]> {
  const plan = planOf(type)
  const items: Item[] = rows.map((raw) => {
    const row = raw as ItemRow
    const values: Record<string, unknown> = {}
    for (const binding of plan.columns)
      values[binding.field.name] = fromColumnValue(binding, row[binding.column])
    for (const { field, column } of plan.jsonColumns) values[field.name] = parseJsonArray(row[column])
    return { entityTypeId: type.entityTypeId, id: Number(row.id), values, uf: parseUf(row.uf), parents: {} }
  })
  if (items.length === 0) return items
  const byId = new Map(items.map((item) => [item.id, item]))
  const ids = [...byId.keys()]
  const etid = type.entityTypeId

  const observersField = plan.relationField.get('observers')
  if (observersField !== undefined) {
    for (const item of items) item.values[observersField] = []
    if (parts.observers !== false) {
      for (const chunk of chunks(ids, 500)) {
        const { rows: found } = await runPrepared(
          db,
          `item-observers:${chunk.length}`,
          () =>
            db
              .selectFrom('crm_item_observer')
              .select(['item_id', 'user_id'])
              .where('portal_id', '=', param('portalId'))
              .where('entity_type_id', '=', param('entityTypeId'))
              .where('item_id', 'in', idParams(chunk))
              .orderBy('item_id')
              .orderBy('sort')
              .orderBy('user_id'),
          { portalId, entityTypeId: etid, ...idValues(chunk) },
        )
        for (const r of found)
          (byId.get(r.item_id)?.values[observersField] as number[] | undefined)?.push(r.user_id)
      }
    }
  }

  const bindingsField = plan.relationField.get('contactBindings')
  const bindingsPrimary = plan.primaryField.get('contactBindings')
  if (bindingsField !== undefined || bindingsPrimary !== undefined) {
    for (const item of items) {
      if (bindingsField !== undefined) item.values[bindingsField] = []
      if (bindingsPrimary !== undefined) item.values[bindingsPrimary] = 0
    }
    if (parts.contactBindings !== false) {
      for (const chunk of chunks(ids, 500)) {
        const { rows: found } = await runPrepared(
          db,
          `item-contact-bindings:${chunk.length}`,
          () =>
            db
              .selectFrom('crm_contact_binding')
              .select(['item_id', 'contact_id', 'is_primary'])
              .where('portal_id', '=', param('portalId'))
              .where('entity_type_id', '=', param('entityTypeId'))
              .where('item_id', 'in', idParams(chunk))
              .orderBy('item_id')
              .orderBy('sort')
              .orderBy('contact_id'),
          { portalId, entityTypeId: etid, ...idValues(chunk) },
        )
        for (const r of found) {
          const item = byId.get(r.item_id)
          if (!item) continue
          if (bindingsField !== undefined) (item.values[bindingsField] as number[]).push(r.contact_id)
          if (bindingsPrimary !== undefined && Number(r.is_primary) === 1)
            item.values[bindingsPrimary] = r.contact_id
        }
      }
      // Rows written without a primary flag: the first binding is the primary one.
      if (bindingsPrimary !== undefined && bindingsField !== undefined) {
        for (const item of items) {
          const list = item.values[bindingsField] as number[]
          if (item.values[bindingsPrimary] === 0 && list.length > 0) item.values[bindingsPrimary] = list[0]
        }
      }
    }
  }

  const ccField = plan.relationField.get('contactCompanies')
  const ccPrimary = plan.primaryField.get('contactCompanies')
  if (ccField !== undefined || ccPrimary !== undefined) {
    for (const item of items) {
      if (ccField !== undefined) item.values[ccField] = []
      if (ccPrimary !== undefined) item.values[ccPrimary] = 0
    }
    if (parts.contactCompanies !== false) {
      // A contact lists its companies (sort order, primary = `companyId`); a company lists its contacts in
      // its own order (`company_sort`, binding-store.ts).
      const side = etid === COMPANY ? 'company' : 'contact'
      for (const chunk of chunks(ids, 500)) {
        const base = db
          .selectFrom('crm_contact_company')
          .select(['contact_id', 'company_id', 'is_primary'])
          .where('portal_id', '=', portalId)
        const found =
          side === 'contact'
            ? await base
                .where('contact_id', 'in', chunk)
                .orderBy('contact_id')
                .orderBy('sort')
                .orderBy('company_id')
                .execute()
            : await base
                .where('company_id', 'in', chunk)
                .orderBy('company_id')
                .orderBy('company_sort')
                .orderBy('contact_id')
                .execute()
        for (const r of found) {
          const own = side === 'contact' ? r.contact_id : r.company_id
          const other = side === 'contact' ? r.company_id : r.contact_id
          const item = byId.get(own)
          if (!item) continue
          if (ccField !== undefined) (item.values[ccField] as number[]).push(other)
          if (ccPrimary !== undefined && Number(r.is_primary) === 1) item.values[ccPrimary] = other
        }
      }
      if (ccPrimary !== undefined && ccField !== undefined) {
        for (const item of items) {
          const list = item.values[ccField] as number[]
          if (item.values[ccPrimary] === 0 && list.length > 0) item.values[ccPrimary] = list[0]
        }
      }
    }
  }

  const fmField = plan.relationField.get('multifields')
  if (fmField !== undefined) {
    for (const item of items) item.values[fmField] = []
    if (parts.multifields !== false) {
      for (const chunk of chunks(ids, 500)) {
        const { rows: found } = await runPrepared(
          db,
          `item-multifields:${chunk.length}`,
          () =>
            db
              .selectFrom('crm_multifield')
              .select(['id', 'item_id', 'type_id', 'value_type', 'value'])
              .where('portal_id', '=', param('portalId'))
              .where('entity_type_id', '=', param('entityTypeId'))
              .where('item_id', 'in', idParams(chunk))
              .orderBy('item_id')
              .orderBy('id'),
          { portalId, entityTypeId: etid, ...idValues(chunk) },
        )
        for (const r of found) {
          const fm = byId.get(r.item_id)?.values[fmField] as Multifield[] | undefined
          fm?.push({ id: r.id, typeId: r.type_id, valueType: r.value_type, value: r.value })
        }
      }
    }
  }

  if (parts.parents !== false) {
    for (const chunk of chunks(ids, 500)) {
      const { rows: found } = await runPrepared(
        db,
        `item-parents:${chunk.length}`,
        () =>
          db
            .selectFrom('crm_relation')
            .select(['child_id', 'parent_entity_type_id', 'parent_id'])
            .where('portal_id', '=', param('portalId'))
            .where('child_entity_type_id', '=', param('entityTypeId'))
            .where('child_id', 'in', idParams(chunk)),
        { portalId, entityTypeId: etid, ...idValues(chunk) },
      )
      for (const r of found) {
        const item = byId.get(r.child_id)
        if (item) item.parents[r.parent_entity_type_id] = r.parent_id
      }
    }
  }
  return items
}

/** `in (…)` slots of a prepared query for a list of ids (one query shape per list length). */
function idParams(ids: readonly number[]): number[] {
  return ids.map((_, i) => param(`id${i}`))
}

function idValues(ids: readonly number[]): Record<string, number> {
  const values: Record<string, number> = {}
  ids.forEach((id, i) => (values[`id${i}`] = id))
  return values
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const result: T[][] = []
  for (let i = 0; i < list.length; i += size) result.push(list.slice(i, i + size))
  return result
}

// ---------------------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------------------

/**
 * Inserts a new item: the row (every column field of the type; absent values are NULL), its custom-field
 * JSON, and its side-table rows. `item.id` must be allocated first ({@link nextItemId}). Multifield entries
 * get fresh ids. Returns what was written ({@link WrittenItem}); {@link storedItem} turns it into the stored form.
 */
export async function insertItem(
  db: Db,
  portalId: number,
  type: EntityTypeDescriptor,
  item: Item,
): Promise<WrittenItem> {
  const plan = planOf(type)
  const fm = fmOf(plan, item)
  const row: Record<string, unknown> = {
    portal_id: portalId,
    entity_type_id: type.entityTypeId,
    id: item.id,
    uf: JSON.stringify(item.uf),
  }
  for (const binding of plan.columns)
    row[binding.column] = toColumnValue(binding, item.values[binding.field.name])
  for (const { field, column } of plan.jsonColumns)
    row[column] = JSON.stringify(idList(item.values[field.name]))
  applyFlags(plan, fm, row)
  await db
    .insertInto('crm_item')
    .values(row as unknown as CrmItemTable)
    .execute()
  const empty: Item = { entityTypeId: type.entityTypeId, id: item.id, values: {}, uf: {}, parents: {} }
  await writeSideTables(db, portalId, type, empty, item, true)
  return writtenForm(plan, type, undefined, item)
}

/**
 * Saves the difference between `before` (as loaded) and `after`: changed row columns in one UPDATE, the
 * custom-field JSON if it changed, and each side-table set that changed (replaced as a whole). Nothing is
 * written when nothing changed. Returns what was written ({@link WrittenItem}); {@link storedItem} turns it
 * into the stored form.
 */
export async function saveItem(
  db: Db,
  portalId: number,
  type: EntityTypeDescriptor,
  before: Item,
  after: Item,
): Promise<WrittenItem> {
  const plan = planOf(type)
  const changes: Record<string, unknown> = {}
  for (const binding of plan.columns) {
    const next = toColumnValue(binding, after.values[binding.field.name])
    const prev = toColumnValue(binding, before.values[binding.field.name])
    if (next !== prev) changes[binding.column] = next
  }
  for (const { field, column } of plan.jsonColumns) {
    const next = JSON.stringify(idList(after.values[field.name]))
    if (next !== JSON.stringify(idList(before.values[field.name]))) changes[column] = next
  }
  if (!sameJson(before.uf, after.uf)) changes['uf'] = JSON.stringify(after.uf)
  const fmField = plan.relationField.get('multifields')
  if (fmField !== undefined) {
    const flags: Record<string, unknown> = {}
    applyFlags(plan, fmOf(plan, after), flags)
    const prevFlags: Record<string, unknown> = {}
    for (const binding of plan.columns)
      prevFlags[binding.column] = toColumnValue(binding, before.values[binding.field.name])
    for (const [column, value] of Object.entries(flags)) {
      if (prevFlags[column] !== value) changes[column] = value
      else delete changes[column]
    }
  }
  const changed = Object.keys(changes)
  if (changed.length > 0) {
    // One statement shape per set of changed columns (a call changes the same few columns again and again).
    const values: Record<string, unknown> = { portalId, entityTypeId: type.entityTypeId, id: before.id }
    for (const column of changed) values[`set_${column}`] = changes[column]
    await runPrepared(
      db,
      `item-update:${changed.join(',')}`,
      () =>
        db
          .updateTable('crm_item')
          .set(
            Object.fromEntries(
              changed.map((column) => [column, param(`set_${column}`)]),
            ) as unknown as Partial<CrmItemTable>,
          )
          .where('portal_id', '=', param('portalId'))
          .where('entity_type_id', '=', param('entityTypeId'))
          .where('id', '=', param('id')),
      values,
    )
  }
  await writeSideTables(db, portalId, type, before, after, false)
  return writtenForm(plan, type, before, after)
}

/**
 * An item just written, as {@link loadItem} would read it back — without reading it back (the write
 * operations answer with the stored item; reading it again cost six queries per write). `item` holds the
 * stored form of everything the store can derive exactly from what it wrote: row columns through their
 * column form (a number in a text column reads back as text, booleans as 0/1), `hasPhone` / `hasEmail` /
 * `hasImol` from `fm`, custom-field JSON, observers, parents, and every part left unchanged (as loaded
 * before). `reload` names the side tables whose stored form depends on more than this write — contact
 * bindings and contact ↔ company rows (their order and primary flags are settled by other writers, e.g.
 * after-save.ts normaliseCompanySide) and multifields (new entries get ids) — when they changed;
 * {@link storedItem} reads those, after the after-save step. Tests compare the result with a fresh load
 * (item-store.test.ts, crm-item-stored-form.test.ts).
 */
export interface WrittenItem {
  readonly item: Item
  readonly reload: Required<LoadParts>
}

function writtenForm(
  plan: StoragePlan,
  type: EntityTypeDescriptor,
  before: Item | undefined,
  after: Item,
): WrittenItem {
  const values: Record<string, unknown> = {}
  const kept = (name: string) => before !== undefined && Object.hasOwn(before.values, name)
  const fmField = plan.relationField.get('multifields')
  const flags = fmField === undefined ? undefined : multifieldFlags(fmOf(plan, after))
  for (const binding of plan.columns) {
    const name = binding.field.name
    const rule = binding.field.rule
    if (flags !== undefined && (rule === 'hasPhone' || rule === 'hasEmail' || rule === 'hasImol')) {
      values[name] = flags[rule]
      continue
    }
    const next = toColumnValue(binding, after.values[name])
    // A column the UPDATE left alone reads back as it was loaded.
    if (kept(name) && next === toColumnValue(binding, before?.values[name]))
      values[name] = before?.values[name]
    else values[name] = storedColumnValue(binding, next)
  }
  for (const { field } of plan.jsonColumns) {
    const next = idList(after.values[field.name])
    const unchanged =
      kept(field.name) && JSON.stringify(next) === JSON.stringify(idList(before?.values[field.name]))
    values[field.name] = unchanged ? copyList(before?.values[field.name]) : next
  }
  const reload: { -readonly [K in keyof LoadParts]-?: boolean } = {
    observers: false,
    contactBindings: false,
    contactCompanies: false,
    multifields: false,
    parents: false,
  }
  const observersField = plan.relationField.get('observers')
  if (observersField !== undefined) {
    const next = idList(after.values[observersField])
    const unchanged = kept(observersField) && sameJson(next, idList(before?.values[observersField]))
    values[observersField] = unchanged ? copyList(before?.values[observersField]) : next
  }
  for (const relation of ['contactBindings', 'contactCompanies'] as const) {
    const listField = plan.relationField.get(relation)
    const primaryField = plan.primaryField.get(relation)
    if (listField === undefined && primaryField === undefined) continue
    const next = bindingSet(plan, relation, after)
    const unchanged =
      before !== undefined &&
      (listField === undefined || kept(listField)) &&
      (primaryField === undefined || kept(primaryField)) &&
      sameJson(next, bindingSet(plan, relation, before))
    if (unchanged) {
      if (listField !== undefined) values[listField] = copyList(before.values[listField])
      if (primaryField !== undefined) values[primaryField] = before.values[primaryField]
    } else if (relation === 'contactBindings' && next !== undefined && next.ids.length === 0) {
      // Nothing bound: no rows, and an empty set reads back as [] and 0.
      if (listField !== undefined) values[listField] = []
      if (primaryField !== undefined) values[primaryField] = 0
    } else {
      if (listField !== undefined) values[listField] = []
      if (primaryField !== undefined) values[primaryField] = 0
      reload[relation] = true
    }
  }
  if (fmField !== undefined) {
    const next = fmOf(plan, after)
    const unchanged = kept(fmField) && sameJson(next, fmOf(plan, before as Item))
    if (unchanged) {
      values[fmField] = (before?.values[fmField] as Multifield[]).map((m) => ({ ...m }))
    } else {
      values[fmField] = []
      reload.multifields = next.length > 0
    }
  }
  const parents: Record<number, number> = before === undefined ? {} : { ...before.parents }
  for (const key of new Set([...Object.keys(before?.parents ?? {}), ...Object.keys(after.parents)])) {
    const parentType = Number(key)
    const next = positiveId(after.parents[parentType])
    if (next === (before === undefined ? 0 : positiveId(before.parents[parentType]))) continue
    if (next === 0) delete parents[parentType]
    else parents[parentType] = next
  }
  const uf = before !== undefined && sameJson(before.uf, after.uf) ? before.uf : after.uf
  return {
    item: {
      entityTypeId: type.entityTypeId,
      id: after.id,
      values,
      uf: parseUf(JSON.stringify(uf)),
      parents,
    },
    reload,
  }
}

/** What a column holding `stored` (toColumnValue's form) reads back as: text columns give numbers back as text. */
function storedColumnValue(binding: ColumnBinding, stored: string | number | null): unknown {
  if (typeof stored === 'number' && !binding.boolean && !isNumericType(binding.field.type)) {
    return fromColumnValue(binding, String(stored))
  }
  return fromColumnValue(binding, stored)
}

function copyList(value: unknown): unknown {
  return Array.isArray(value) ? [...(value as unknown[])] : value
}

/**
 * The stored form of a written item ({@link WrittenItem}): reads the side tables named in `reload` (none in
 * the common case). Call it after every step that writes the item's rows (after-save.ts) has run.
 */
export async function storedItem(
  db: Db,
  portalId: number,
  type: EntityTypeDescriptor,
  written: WrittenItem,
): Promise<Item> {
  const result = await storedItemX(db, portalId, type, written)
  if (process.env['B24_VERIFY_STORED_FORM'] === '1') {
    const fresh = await loadItem(db, portalId, type, result.id)
    const { isDeepStrictEqual } = await import('node:util')
    if (!isDeepStrictEqual(fresh, result)) {
      const { appendFileSync } = await import('node:fs')
      appendFileSync(
        '/tmp/storedform-mismatch.log',
        `${JSON.stringify(fresh)}\n${JSON.stringify(result)}\n\n`,
      )
      throw new Error(`STORED FORM MISMATCH ${JSON.stringify(fresh)} !== ${JSON.stringify(result)}`)
    }
  }
  return result
}

async function storedItemX(
  db: Db,
  portalId: number,
  type: EntityTypeDescriptor,
  written: WrittenItem,
): Promise<Item> {
  const { item, reload } = written
  if (!Object.values(reload).some(Boolean)) return item
  const [read] = await itemsFromRows(db, portalId, type, [{ id: item.id, uf: '{}' }], reload)
  if (read === undefined) return item
  const plan = planOf(type)
  const names: (string | undefined)[] = []
  if (reload.contactBindings) {
    names.push(plan.relationField.get('contactBindings'), plan.primaryField.get('contactBindings'))
  }
  if (reload.contactCompanies) {
    names.push(plan.relationField.get('contactCompanies'), plan.primaryField.get('contactCompanies'))
  }
  if (reload.multifields) names.push(plan.relationField.get('multifields'))
  for (const name of names) if (name !== undefined) item.values[name] = read.values[name]
  return item
}

function fmOf(plan: StoragePlan, item: Item): Multifield[] {
  const field = plan.relationField.get('multifields')
  return field === undefined ? [] : multifieldList(item.values[field])
}

function applyFlags(plan: StoragePlan, fm: readonly Multifield[], row: Record<string, unknown>): void {
  if (plan.relationField.get('multifields') === undefined) return
  const flags = multifieldFlags(fm)
  for (const { rule, column } of plan.flagColumns) row[column] = flags[rule] ? 1 : 0
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

async function writeSideTables(
  db: Db,
  portalId: number,
  type: EntityTypeDescriptor,
  before: Item,
  after: Item,
  isNew: boolean,
): Promise<void> {
  const plan = planOf(type)
  const etid = type.entityTypeId
  const id = after.id

  const observersField = plan.relationField.get('observers')
  if (observersField !== undefined) {
    const next = idList(after.values[observersField])
    if (isNew || !sameJson(next, idList(before.values[observersField]))) {
      const key = { portalId, entityTypeId: etid, itemId: id }
      if (!isNew) {
        await runPrepared(
          db,
          'item-observers-delete',
          () =>
            db
              .deleteFrom('crm_item_observer')
              .where('portal_id', '=', param('portalId'))
              .where('entity_type_id', '=', param('entityTypeId'))
              .where('item_id', '=', param('itemId')),
          key,
        )
      }
      if (next.length > 0) {
        const values: Record<string, number> = { ...key }
        next.forEach((userId, i) => (values[`user${i}`] = userId))
        await runPrepared(
          db,
          `item-observers-insert:${next.length}`,
          () =>
            db.insertInto('crm_item_observer').values(
              next.map((_, i) => ({
                portal_id: param('portalId'),
                entity_type_id: param('entityTypeId'),
                item_id: param('itemId'),
                user_id: param(`user${i}`),
                sort: (i + 1) * SORT_STEP,
              })),
            ),
          values,
        )
      }
    }
  }

  const bindings = bindingSet(plan, 'contactBindings', after)
  if (bindings && (isNew || !sameJson(bindings, bindingSet(plan, 'contactBindings', before)))) {
    if (!isNew) {
      await db
        .deleteFrom('crm_contact_binding')
        .where('portal_id', '=', portalId)
        .where('entity_type_id', '=', etid)
        .where('item_id', '=', id)
        .execute()
    }
    if (bindings.ids.length > 0) {
      await db
        .insertInto('crm_contact_binding')
        .values(
          bindings.ids.map((contactId, i) => ({
            portal_id: portalId,
            entity_type_id: etid,
            item_id: id,
            contact_id: contactId,
            sort: (i + 1) * SORT_STEP,
            is_primary: contactId === bindings.primary ? 1 : 0,
          })),
        )
        .execute()
    }
  }

  const cc = bindingSet(plan, 'contactCompanies', after)
  if (cc && (isNew || !sameJson(cc, bindingSet(plan, 'contactCompanies', before)))) {
    if (etid === COMPANY) await saveCompanyContacts(db, portalId, id, cc.ids, isNew)
    else await saveContactCompanies(db, portalId, id, cc, isNew)
  }

  const fmField = plan.relationField.get('multifields')
  if (fmField !== undefined) {
    const next = multifieldList(after.values[fmField])
    const prev = multifieldList(before.values[fmField])
    if (isNew || !sameJson(next, prev)) await saveMultifields(db, portalId, etid, id, prev, next, isNew)
  }

  const parentTypes = new Set([...Object.keys(before.parents), ...Object.keys(after.parents)].map(Number))
  for (const parentType of parentTypes) {
    const next = positiveId(after.parents[parentType])
    const prev = isNew ? 0 : positiveId(before.parents[parentType])
    if (next === prev) continue
    if (prev !== 0) {
      await db
        .deleteFrom('crm_relation')
        .where('portal_id', '=', portalId)
        .where('child_entity_type_id', '=', etid)
        .where('child_id', '=', id)
        .where('parent_entity_type_id', '=', parentType)
        .execute()
    }
    if (next !== 0) {
      await db
        .insertInto('crm_relation')
        .values({
          portal_id: portalId,
          child_entity_type_id: etid,
          child_id: id,
          parent_entity_type_id: parentType,
          parent_id: next,
        })
        .execute()
    }
  }
}

/**
 * The binding set of a relation as stored: the ids (zeros and duplicates dropped) and the primary one. A
 * primary id missing from the list is put first; without a valid primary the first id is primary
 * (server-behaviour.md §1.B item 17). Undefined when the type has neither field of the relation.
 */
function bindingSet(
  plan: StoragePlan,
  relation: 'contactBindings' | 'contactCompanies',
  item: Item,
): { ids: number[]; primary: number } | undefined {
  const listField = plan.relationField.get(relation)
  const primaryField = plan.primaryField.get(relation)
  if (listField === undefined && primaryField === undefined) return undefined
  const ids = listField === undefined ? [] : idList(item.values[listField])
  let primary = primaryField === undefined ? 0 : positiveId(item.values[primaryField])
  if (primary !== 0 && !ids.includes(primary)) ids.unshift(primary)
  if (primary === 0 || !ids.includes(primary)) primary = ids[0] ?? 0
  return { ids, primary }
}

/** A contact's companies: replaced in list order, the primary flagged (contact `companyIds` / `companyId`). */
async function saveContactCompanies(
  db: Db,
  portalId: number,
  contactId: number,
  set: { ids: number[]; primary: number },
  isNew: boolean,
): Promise<void> {
  if (!isNew) {
    await db
      .deleteFrom('crm_contact_company')
      .where('portal_id', '=', portalId)
      .where('contact_id', '=', contactId)
      .execute()
  }
  if (set.ids.length === 0) return
  await db
    .insertInto('crm_contact_company')
    .values(
      set.ids.map((companyId, i) => ({
        portal_id: portalId,
        contact_id: contactId,
        company_id: companyId,
        sort: (i + 1) * SORT_STEP,
        is_primary: companyId === set.primary ? 1 : 0,
      })),
    )
    .execute()
}

/**
 * A company's contacts (company `contactIds`): bindings to contacts no longer listed are removed, new ones are
 * appended to each contact's own company list (primary when the contact had no company). The contacts' own
 * order and primary company are otherwise kept.
 */
async function saveCompanyContacts(
  db: Db,
  portalId: number,
  companyId: number,
  contactIds: number[],
  isNew: boolean,
): Promise<void> {
  const current = await db
    .selectFrom('crm_contact_company')
    .select(['contact_id', 'is_primary'])
    .where('portal_id', '=', portalId)
    .where('company_id', '=', companyId)
    .execute()
  const currentIds = new Set(current.map((r) => r.contact_id))
  // A new company has no bindings of its own; rows already naming its id (set from the contact side) stay.
  const removed = isNew ? [] : current.filter((r) => !contactIds.includes(r.contact_id))
  if (removed.length > 0) {
    await db
      .deleteFrom('crm_contact_company')
      .where('portal_id', '=', portalId)
      .where('company_id', '=', companyId)
      .where(
        'contact_id',
        'in',
        removed.map((r) => r.contact_id),
      )
      .execute()
    await promoteContactCompanyPrimaries(
      db,
      portalId,
      removed.filter((r) => Number(r.is_primary) === 1).map((r) => r.contact_id),
    )
  }
  const added = contactIds.filter((id) => !currentIds.has(id))
  if (added.length === 0) return
  const existing = await db
    .selectFrom('crm_contact_company')
    .select(['contact_id', 'sort'])
    .where('portal_id', '=', portalId)
    .where('contact_id', 'in', added)
    .execute()
  const maxSort = new Map<number, number>()
  for (const r of existing) maxSort.set(r.contact_id, Math.max(maxSort.get(r.contact_id) ?? 0, r.sort))
  await db
    .insertInto('crm_contact_company')
    .values(
      added.map((contactId) => ({
        portal_id: portalId,
        contact_id: contactId,
        company_id: companyId,
        sort: (maxSort.get(contactId) ?? 0) + SORT_STEP,
        is_primary: maxSort.has(contactId) ? 0 : 1,
      })),
    )
    .execute()
}

/** Contacts that lost their primary company: the first remaining company (by sort) becomes primary. */
async function promoteContactCompanyPrimaries(
  db: Db,
  portalId: number,
  contactIds: readonly number[],
): Promise<void> {
  for (const contactId of contactIds) {
    const next = await db
      .selectFrom('crm_contact_company')
      .select('company_id')
      .where('portal_id', '=', portalId)
      .where('contact_id', '=', contactId)
      .orderBy('sort')
      .orderBy('company_id')
      .limit(1)
      .executeTakeFirst()
    if (next === undefined) continue
    await db
      .updateTable('crm_contact_company')
      .set({ is_primary: 1 })
      .where('portal_id', '=', portalId)
      .where('contact_id', '=', contactId)
      .where('company_id', '=', next.company_id)
      .execute()
  }
}

/** Items that lost their primary contact: the first remaining contact (by sort) becomes primary. */
async function promoteContactBindingPrimaries(
  db: Db,
  portalId: number,
  items: readonly { entity_type_id: number; item_id: number }[],
): Promise<void> {
  for (const { entity_type_id, item_id } of items) {
    const next = await db
      .selectFrom('crm_contact_binding')
      .select('contact_id')
      .where('portal_id', '=', portalId)
      .where('entity_type_id', '=', entity_type_id)
      .where('item_id', '=', item_id)
      .orderBy('sort')
      .orderBy('contact_id')
      .limit(1)
      .executeTakeFirst()
    if (next === undefined) continue
    await db
      .updateTable('crm_contact_binding')
      .set({ is_primary: 1 })
      .where('portal_id', '=', portalId)
      .where('entity_type_id', '=', entity_type_id)
      .where('item_id', '=', item_id)
      .where('contact_id', '=', next.contact_id)
      .execute()
  }
}

/**
 * Replaces an item's multifields. Entries whose id is one of the item's current entries keep it (and are
 * updated in place); every other entry gets a new id from the portal's multifield sequence.
 */
async function saveMultifields(
  db: Db,
  portalId: number,
  entityTypeId: number,
  itemId: number,
  prev: readonly Multifield[],
  next: readonly Multifield[],
  isNew: boolean,
): Promise<void> {
  const prevIds = new Set(isNew ? [] : prev.map((m) => m.id))
  const keep = new Set<number>()
  const fresh: Multifield[] = []
  const kept: Multifield[] = []
  for (const m of next) {
    if (prevIds.has(m.id) && !keep.has(m.id)) {
      keep.add(m.id)
      kept.push(m)
    } else {
      fresh.push(m)
    }
  }
  if (!isNew) {
    const gone = [...prevIds].filter((id) => !keep.has(id))
    if (gone.length > 0) {
      await db
        .deleteFrom('crm_multifield')
        .where('portal_id', '=', portalId)
        .where('id', 'in', gone)
        .execute()
    }
    const prevById = new Map(prev.map((m) => [m.id, m]))
    for (const m of kept) {
      const old = prevById.get(m.id)
      if (old && old.typeId === m.typeId && old.valueType === m.valueType && old.value === m.value) continue
      await db
        .updateTable('crm_multifield')
        .set({ type_id: m.typeId, value_type: m.valueType, value: m.value })
        .where('portal_id', '=', portalId)
        .where('id', '=', m.id)
        .execute()
    }
  }
  if (fresh.length === 0) return
  const first = await reserveIds(db, portalId, MULTIFIELD_SEQUENCE, fresh.length)
  await db
    .insertInto('crm_multifield')
    .values(
      fresh.map((m, i) => ({
        portal_id: portalId,
        id: first + i,
        entity_type_id: entityTypeId,
        item_id: itemId,
        type_id: m.typeId,
        value_type: m.valueType,
        value: m.value,
      })),
    )
    .execute()
}

/**
 * Deletes an item with everything stored about it: the row, observers, its contact bindings, multifields and
 * parent relations in both directions. Deleting a contact also removes every binding to it (items' contacts,
 * companies' contacts); deleting a company removes its contact bindings. Where a removed binding was the
 * primary one, the next binding becomes primary. Returns false when there was no such item.
 */
export async function deleteItem(
  db: Db,
  portalId: number,
  type: EntityTypeDescriptor,
  id: number,
): Promise<boolean> {
  const etid = type.entityTypeId
  const deleted = await db
    .deleteFrom('crm_item')
    .where('portal_id', '=', portalId)
    .where('entity_type_id', '=', etid)
    .where('id', '=', id)
    .executeTakeFirst()
  if (Number(deleted.numDeletedRows) === 0) return false
  // The files uploaded into its custom fields (and photo / logo) go with it (migrations/0007-userfields.ts).
  await deleteItemFiles(db, portalId, etid, id)
  await db
    .deleteFrom('crm_item_observer')
    .where('portal_id', '=', portalId)
    .where('entity_type_id', '=', etid)
    .where('item_id', '=', id)
    .execute()
  await db
    .deleteFrom('crm_contact_binding')
    .where('portal_id', '=', portalId)
    .where('entity_type_id', '=', etid)
    .where('item_id', '=', id)
    .execute()
  await db
    .deleteFrom('crm_multifield')
    .where('portal_id', '=', portalId)
    .where('entity_type_id', '=', etid)
    .where('item_id', '=', id)
    .execute()
  await db
    .deleteFrom('crm_relation')
    .where('portal_id', '=', portalId)
    .where((eb) =>
      eb.or([
        eb.and([eb('child_entity_type_id', '=', etid), eb('child_id', '=', id)]),
        eb.and([eb('parent_entity_type_id', '=', etid), eb('parent_id', '=', id)]),
      ]),
    )
    .execute()
  if (etid === CONTACT) {
    const primaries = await db
      .selectFrom('crm_contact_binding')
      .select(['entity_type_id', 'item_id'])
      .where('portal_id', '=', portalId)
      .where('contact_id', '=', id)
      .where('is_primary', '=', 1)
      .execute()
    await db
      .deleteFrom('crm_contact_binding')
      .where('portal_id', '=', portalId)
      .where('contact_id', '=', id)
      .execute()
    await promoteContactBindingPrimaries(db, portalId, primaries)
    await db
      .deleteFrom('crm_contact_company')
      .where('portal_id', '=', portalId)
      .where('contact_id', '=', id)
      .execute()
  }
  if (etid === COMPANY) {
    const primaries = await db
      .selectFrom('crm_contact_company')
      .select('contact_id')
      .where('portal_id', '=', portalId)
      .where('company_id', '=', id)
      .where('is_primary', '=', 1)
      .execute()
    await db
      .deleteFrom('crm_contact_company')
      .where('portal_id', '=', portalId)
      .where('company_id', '=', id)
      .execute()
    await promoteContactCompanyPrimaries(
      db,
      portalId,
      primaries.map((r) => r.contact_id),
    )
  }
  return true
}

// ---------------------------------------------------------------------------------------------------------
// Lists
// ---------------------------------------------------------------------------------------------------------

const ITEM_TABLE = 'crm_item'

function listTypeOf(field: FieldDescriptor): ListFieldType {
  switch (field.type) {
    case 'double':
      return 'double'
    case 'boolean':
      return 'boolean'
    case 'date':
      return 'date'
    case 'datetime':
      return 'datetime'
    default:
      return isNumericType(field.type) ? 'integer' : 'string'
  }
}

/**
 * A filter hook over a side table: `exists (select 1 from <table> where <link to the item> and <condition>)`.
 * An "empty" value (`''`, null, 0 for ids) also matches items with no row at all. Negated operators take the
 * complement of the whole condition, so `!@contactIds: [5]` keeps items without contacts.
 */
function sideTableFilter(
  table: string,
  link: (alias: string) => Expression<SqlBool>,
  column: string,
): (ctx: FieldFilterContext) => Expression<SqlBool> {
  return (ctx) => {
    const values = Array.isArray(ctx.value) ? ctx.value : [ctx.value]
    const emptyAllowed =
      (ctx.positiveOp === 'eq' || ctx.positiveOp === 'in') && values.some((v) => v === null || v === 0)
    const matching = sql<SqlBool>`exists (select 1 from ${sql.table(table)} as r where ${link('r')} and ${ctx.condition(`r.${column}`)})`
    const none = sql<SqlBool>`not exists (select 1 from ${sql.table(table)} as r where ${link('r')})`
    const positive = emptyAllowed ? sql<SqlBool>`(${matching} or ${none})` : matching
    return ctx.negated ? sql<SqlBool>`not ${positive}` : positive
  }
}

const itemRef = (column: string) => sql.ref(`${ITEM_TABLE}.${column}`)

/** The `crm_item` column holding a parent relation's value in list queries (a correlated sub-select). */
export function parentSortAlias(parentEntityTypeId: number): string {
  return `parent_id_${parentEntityTypeId}`
}

export interface ItemListOptions {
  /** Parent relations of the type: `parentId{N}` filters and sorts (universal/index.md "Parent Relationships"). */
  readonly parentEntityTypeIds?: readonly number[]
  /** The type's custom fields: filtered and sorted on their JSON values (user-fields/user-field-list.ts). */
  readonly userFields?: readonly UserFieldDefinition[]
  /** The store's dialect: the JSON functions differ. Default sqlite. */
  readonly dialect?: Dialect
}

/**
 * The list-query field map of a type, keyed by UPPER field name (crm.item.list converts camelCase keys to
 * UPPER_CASE: server-behaviour.md §3 item 71). What can be filtered and sorted:
 * - every field stored in a row column (not disabled ones, not the multifield aliases);
 * - `OBSERVERS`, `CONTACT_IDS` / `COMPANY_IDS` and the single bindings `CONTACT_ID` / contact `COMPANY_ID`
 *   through sub-queries on their side tables (filter only);
 * - `PARENT_ID_{N}` for the given parent relations (filter and order);
 * - custom fields (`UF_CRM_…`) on their JSON values when `options.userFields` is given (user-field-list.ts).
 * Not filterable: `fm` and the multifield aliases, `storageElementIds`.
 * Every filter hook binds the client's values; SQL text only ever comes from this declaration.
 */
export function itemListFieldMap(type: EntityTypeDescriptor, options: ItemListOptions = {}): ListFieldMap {
  const map = new Map<string, ListField>()
  const etid = type.entityTypeId
  map.set('ID', { column: `${ITEM_TABLE}.id`, type: 'integer', notNull: true })
  const sameItem = (alias: string, idColumn: string, withType: boolean) =>
    withType
      ? sql<SqlBool>`${sql.ref(`${alias}.portal_id`)} = ${itemRef('portal_id')} and ${sql.ref(`${alias}.entity_type_id`)} = ${itemRef('entity_type_id')} and ${sql.ref(`${alias}.${idColumn}`)} = ${itemRef('id')}`
      : sql<SqlBool>`${sql.ref(`${alias}.portal_id`)} = ${itemRef('portal_id')} and ${sql.ref(`${alias}.${idColumn}`)} = ${itemRef('id')}`
  for (const field of type.fields) {
    const storage = field.storage
    if (field.name === 'id') continue
    if (storage.kind === 'column') {
      map.set(field.upperName, { column: `${ITEM_TABLE}.${storage.column}`, type: listTypeOf(field) })
      continue
    }
    if (storage.kind === 'relation' && field.exposure !== 'fieldsOnly') {
      switch (storage.relation) {
        case 'observers':
          map.set(field.upperName, {
            column: `${ITEM_TABLE}.id`,
            type: 'integer',
            multiple: true,
            filter: sideTableFilter('crm_item_observer', (a) => sameItem(a, 'item_id', true), 'user_id'),
          })
          break
        case 'contactBindings':
          map.set(field.upperName, {
            column: `${ITEM_TABLE}.id`,
            type: 'integer',
            multiple: true,
            filter: sideTableFilter('crm_contact_binding', (a) => sameItem(a, 'item_id', true), 'contact_id'),
          })
          break
        case 'contactCompanies': {
          const own = etid === COMPANY ? 'company_id' : 'contact_id'
          const other = etid === COMPANY ? 'contact_id' : 'company_id'
          map.set(field.upperName, {
            column: `${ITEM_TABLE}.id`,
            type: 'integer',
            multiple: true,
            filter: sideTableFilter('crm_contact_company', (a) => sameItem(a, own, false), other),
          })
          break
        }
        case 'multifields':
          break
      }
      continue
    }
    if (storage.kind === 'primaryBinding') {
      const table = storage.relation === 'contactBindings' ? 'crm_contact_binding' : 'crm_contact_company'
      const link =
        storage.relation === 'contactBindings'
          ? (a: string) => sql<SqlBool>`${sameItem(a, 'item_id', true)} and ${sql.ref(`${a}.is_primary`)} = 1`
          : (a: string) =>
              sql<SqlBool>`${sameItem(a, 'contact_id', false)} and ${sql.ref(`${a}.is_primary`)} = 1`
      const column = storage.relation === 'contactBindings' ? 'contact_id' : 'company_id'
      map.set(field.upperName, {
        column: `${ITEM_TABLE}.id`,
        type: 'integer',
        sortable: false,
        filter: sideTableFilter(table, link, column),
      })
    }
  }
  for (const parentType of options.parentEntityTypeIds ?? []) {
    const link = (a: string) =>
      sql<SqlBool>`${sql.ref(`${a}.portal_id`)} = ${itemRef('portal_id')} and ${sql.ref(`${a}.child_entity_type_id`)} = ${itemRef('entity_type_id')} and ${sql.ref(`${a}.child_id`)} = ${itemRef('id')} and ${sql.ref(`${a}.parent_entity_type_id`)} = ${parentType}`
    map.set(parentFieldUpperName(parentType), {
      column: parentSortAlias(parentType),
      type: 'integer',
      filter: sideTableFilter('crm_relation', link, 'parent_id'),
    })
  }
  if (options.userFields !== undefined) {
    for (const [name, field] of userFieldListFields(options.dialect ?? 'sqlite', options.userFields)) {
      map.set(name, field)
    }
  }
  return map
}

/**
 * The base select of a crm.item.list page: the type's rows of the portal, every column, plus one sub-select
 * per parent relation (aliased {@link parentSortAlias}) so `order: {parentId1220: 'ASC'}` can sort on it.
 */
export function itemListBaseQuery(
  db: Db,
  portalId: number,
  type: EntityTypeDescriptor,
  options: ItemListOptions = {},
) {
  // The columns itemsFromRows reads, not `crm_item.*` (StoragePlan.selected).
  let query = db
    .selectFrom(ITEM_TABLE)
    .select(planOf(type).selected.map((column) => sql.ref(`${ITEM_TABLE}.${column}`).as(column)))
    .where(`${ITEM_TABLE}.portal_id`, '=', portalId)
    .where(`${ITEM_TABLE}.entity_type_id`, '=', type.entityTypeId)
  for (const parentType of options.parentEntityTypeIds ?? []) {
    query = query.select(
      sql<
        number | null
      >`(select r.parent_id from crm_relation as r where r.portal_id = ${itemRef('portal_id')} and r.child_entity_type_id = ${itemRef('entity_type_id')} and r.child_id = ${itemRef('id')} and r.parent_entity_type_id = ${parentType})`.as(
        parentSortAlias(parentType),
      ),
    )
  }
  for (const { alias, value } of userFieldSortSelections(
    options.dialect ?? 'sqlite',
    options.userFields ?? [],
  )) {
    query = query.select(value.as(alias))
  }
  return query
}
