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
 * - Items are read as JSON arrays the database builds, their side rows in one statement for a whole page
 *   (no per-item queries; see {@link loadItems}).
 */
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely'
import type { EntityTypeDescriptor } from '../entity-types/entity-type.js'
import type { FieldDescriptor, FieldType, RelationStorage } from '../entity-types/field.js'
import { parentFieldUpperName } from '../entity-types/field-names.js'
import type { CrmItemTable, Db } from '../../store/schema.js'
import type { Store } from '../../store/store.js'
import type { FieldFilterContext, ListField, ListFieldMap, ListFieldType } from '../../store/list-query.js'
import type { Item, Multifield } from './item.js'
import { recordMaker, type RecordMaker } from './item-output.js'
import { dialectOf, type Dialect } from '../../store/store.js'
import type { UserFieldDefinition } from '../user-fields/user-field.js'
import { userFieldListFields, userFieldValueSql } from '../user-fields/user-field-list.js'
import { deleteItemFiles } from '../files/file-store.js'
import { param, runPrepared } from '../../store/prepared.js'

const CONTACT = 3
const COMPANY = 4

/** Binding rows are written with sort 10, 20, … (server-behaviour.md §1.B item 18: "a sort of 10, 20, …"). */
const SORT_STEP = 10

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
export function nextItemId(_store: Store, db: Db, portalId: number, entityTypeId: number): Promise<number> {
  return reserveIds(db, portalId, `item:${entityTypeId}`, 1)
}

/**
 * Reserves `count` consecutive values of a per-portal sequence and returns the first. The `id_counter` row
 * Store.nextId uses, bumped by `count` in one upsert (safe under concurrent writers on both stores), built
 * once per store (store/prepared.ts): item ids, multifield ids and stage-history ids come from here.
 */
export async function reserveIds(db: Db, portalId: number, sequence: string, count: number): Promise<number> {
  const { rows } = await runPrepared(
    db,
    'reserve-ids',
    () =>
      db
        .insertInto('id_counter')
        .values({ portal_id: param('portalId'), name: param<string>('name'), value: param('count') })
        .onConflict((oc) =>
          oc.columns(['portal_id', 'name']).doUpdateSet({ value: sql`id_counter.value + ${param('count')}` }),
        )
        .returning('value'),
    { portalId, name: sequence, count },
  )
  const row = rows[0]
  if (row === undefined) throw new Error(`sequence ${sequence} returned no value`)
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

/*
 * How items are read. The database hands every `crm_item` row over as one JSON array of the type's columns
 * (StoragePlan.selected order: `json_array` on SQLite, `json_build_array` on PostgreSQL) and every side row
 * of the items (observers, contact bindings, contact ↔ company links, multifields, parents) in one JSON array
 * for all of them. Making a JS object per row and column is most of what reading costs: a page of 50 leads
 * (52 columns) takes ~540 µs as better-sqlite3 row objects and ~110 µs as JSON text for `JSON.parse`; and one
 * statement for the side tables instead of one per table saves their round trips. Both engines print
 * doubles in their shortest exact form, so the numbers are the ones the columns hold.
 */

/** The alias of the row array in list queries ({@link itemListBaseQuery}). */
const ITEM_ROW = 'item_row'

/** Functions take at most 100 arguments on PostgreSQL: wider rows are arrays of arrays. */
const ROW_CHUNK = 90

interface ReadPlan {
  /** column fields and their position in the row array */
  readonly columns: readonly { readonly binding: ColumnBinding; readonly at: number }[]
  /** the positions of the JSON columns */
  readonly jsonColumnsAt: readonly number[]
  readonly ufAt: number
  /** the row array is split in chunks of {@link ROW_CHUNK} */
  readonly chunked: boolean
  /**
   * Makes an item's `values` (item-output.ts recordMaker) from the column values, then the JSON columns',
   * then nulls for the side-table fields ({@link applySideRows} sets them): the order they have always had.
   */
  readonly makeValues: RecordMaker
  /** the number of those keys */
  readonly valueCount: number
}

const readPlans = new WeakMap<EntityTypeDescriptor, ReadPlan>()

function readPlanOf(type: EntityTypeDescriptor): ReadPlan {
  const cached = readPlans.get(type)
  if (cached !== undefined) return cached
  const plan = planOf(type)
  const at = (column: string) => plan.selected.indexOf(column)
  const sideFields = [
    plan.relationField.get('observers'),
    plan.relationField.get('contactBindings'),
    plan.primaryField.get('contactBindings'),
    plan.relationField.get('contactCompanies'),
    plan.primaryField.get('contactCompanies'),
    plan.relationField.get('multifields'),
  ].filter((name): name is string => name !== undefined)
  const keys = [
    ...plan.columns.map((binding) => binding.field.name),
    ...plan.jsonColumns.map(({ field }) => field.name),
    ...sideFields,
  ]
  const read: ReadPlan = {
    columns: plan.columns.map((binding) => ({ binding, at: at(binding.column) })),
    jsonColumnsAt: plan.jsonColumns.map(({ column }) => at(column)),
    ufAt: at('uf'),
    chunked: plan.selected.length > ROW_CHUNK,
    makeValues: recordMaker(keys),
    valueCount: keys.length,
  }
  readPlans.set(type, read)
  return read
}

function jsonArraySql(dialect: Dialect, values: readonly RawBuilder<unknown>[]): RawBuilder<unknown> {
  return dialect === 'postgres'
    ? sql`json_build_array(${sql.join(values)})`
    : sql`json_array(${sql.join(values)})`
}

/** The JSON array of a `crm_item` row ({@link ReadPlan}). */
function itemRowSql(type: EntityTypeDescriptor, dialect: Dialect): RawBuilder<unknown> {
  const columns = planOf(type).selected.map((column) => sql.ref(`${ITEM_TABLE}.${column}`))
  if (columns.length <= ROW_CHUNK) return jsonArraySql(dialect, columns)
  const parts: RawBuilder<unknown>[] = []
  for (let i = 0; i < columns.length; i += ROW_CHUNK) {
    parts.push(jsonArraySql(dialect, columns.slice(i, i + ROW_CHUNK)))
  }
  return jsonArraySql(dialect, parts)
}

/** SQLite answers JSON as text, PostgreSQL (through pg) already parsed. */
function parsedJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value
}

function itemOfRow(type: EntityTypeDescriptor, read: ReadPlan, raw: unknown): Item {
  const parsed = parsedJson(raw) as unknown[]
  const row = read.chunked ? (parsed as unknown[][]).flat() : parsed
  const values = new Array<unknown>(read.valueCount).fill(null)
  let i = 0
  for (const { binding, at } of read.columns) values[i++] = fromColumnValue(binding, row[at])
  for (const at of read.jsonColumnsAt) values[i++] = parseJsonArray(row[at])
  return {
    entityTypeId: type.entityTypeId,
    id: Number(row[0]),
    values: read.makeValues(values),
    uf: parseUf(row[read.ufAt]),
    parents: {},
  }
}

/** The kinds of side rows, the first element of each ({@link sideRowsSql}). */
const SIDE = { observer: 1, contactBinding: 2, contactCompany: 3, multifield: 4, parent: 5 } as const

/** The columns of the side rows' union ({@link sideRowsSql}) after the kind `k`, and their types. */
const SIDE_COLUMNS = {
  i: 'bigint',
  s1: 'bigint',
  s2: 'bigint',
  a: 'bigint',
  b: 'bigint',
  c: 'text',
  d: 'text',
  e: 'text',
} as const
type SideColumn = keyof typeof SIDE_COLUMNS

/** The side tables one load reads: the type has them and the caller wants them. */
interface SidesWanted {
  readonly observers: boolean
  readonly contactBindings: boolean
  /** which side of the contact ↔ company links the items are on */
  readonly contactCompanies: 'contact' | 'company' | undefined
  readonly multifields: boolean
  readonly parents: boolean
  /** any of them */
  readonly any: boolean
  /** names the combination in prepared-query keys */
  readonly key: string
}

function sidesWanted(type: EntityTypeDescriptor, parts: LoadParts): SidesWanted {
  const plan = planOf(type)
  const bound = (relation: 'contactBindings' | 'contactCompanies') =>
    plan.relationField.has(relation) || plan.primaryField.has(relation)
  const observers = parts.observers !== false && plan.relationField.has('observers')
  const contactBindings = parts.contactBindings !== false && bound('contactBindings')
  const contactCompanies =
    parts.contactCompanies !== false && bound('contactCompanies')
      ? type.entityTypeId === COMPANY
        ? 'company'
        : 'contact'
      : undefined
  const multifields = parts.multifields !== false && plan.relationField.has('multifields')
  const parents = parts.parents !== false
  const any = observers || contactBindings || contactCompanies !== undefined || multifields || parents
  const key = [observers, contactBindings, contactCompanies ?? '', multifields, parents].join(':')
  return { observers, contactBindings, contactCompanies, multifields, parents, any, key }
}

/**
 * One JSON array of the side rows of the items whose ids are the parameter `ids`, or undefined when nothing
 * is wanted. Each row is `[kind, item id, a, b, c, d, e]` (below), in the order each list keeps: observers
 * and contact bindings by sort (server-behaviour.md §1.B item 18), a contact's companies by its sort and a
 * company's contacts by its own (binding-store.ts), multifields by id. The branches share one column layout
 * (the same type in each column, as PostgreSQL's `union` wants) and the array is built over the union, not
 * per branch (SQLite would parse every branch's JSON again):
 * - observer: a = user id;
 * - contact binding, contact ↔ company link: a = the other side's id, b = primary flag;
 * - multifield: a = id, c = type, d = value type, e = value;
 * - parent: a = parent type, b = parent id.
 */
function sideRowsSql(wanted: SidesWanted, dialect: Dialect): RawBuilder<unknown> | undefined {
  const ids = inIdsSql(dialect)
  const portal = param('portalId')
  const entityType = param('entityTypeId')
  const branches: RawBuilder<unknown>[] = []
  /**
   * `select kind, i, s1, s2, a, b, c, d, e from …`, a typed null for a column not given (PostgreSQL types a
   * union's columns branch by branch: an untyped null in two branches would make a text column).
   */
  const branch = (kind: number, columns: Partial<Record<SideColumn, string>>, from: RawBuilder<unknown>) => {
    const list = Object.entries(SIDE_COLUMNS).map(([column, type]) => {
      const value = columns[column as SideColumn] ?? `cast(null as ${type})`
      return sql`${sql.raw(value)} as ${sql.raw(column)}`
    })
    return sql`select ${sql.lit(kind)} as k, ${sql.join(list)} from ${from}`
  }
  if (wanted.observers) {
    branches.push(
      branch(
        SIDE.observer,
        { i: 'item_id', s1: 'sort', s2: 'user_id', a: 'user_id' },
        sql`crm_item_observer where portal_id = ${portal} and entity_type_id = ${entityType} and item_id ${ids}`,
      ),
    )
  }
  if (wanted.contactBindings) {
    branches.push(
      branch(
        SIDE.contactBinding,
        { i: 'item_id', s1: 'sort', s2: 'contact_id', a: 'contact_id', b: 'is_primary' },
        sql`crm_contact_binding where portal_id = ${portal} and entity_type_id = ${entityType} and item_id ${ids}`,
      ),
    )
  }
  if (wanted.contactCompanies !== undefined) {
    const [own, other, sort] =
      wanted.contactCompanies === 'contact'
        ? ['contact_id', 'company_id', 'sort']
        : ['company_id', 'contact_id', 'company_sort']
    branches.push(
      branch(
        SIDE.contactCompany,
        { i: own, s1: sort, s2: other, a: other, b: 'is_primary' },
        sql`crm_contact_company where portal_id = ${portal} and ${sql.raw(own)} ${ids}`,
      ),
    )
  }
  if (wanted.multifields) {
    branches.push(
      branch(
        SIDE.multifield,
        { i: 'item_id', s1: 'id', s2: '0', a: 'id', c: 'type_id', d: 'value_type', e: 'value' },
        sql`crm_multifield where portal_id = ${portal} and entity_type_id = ${entityType} and item_id ${ids}`,
      ),
    )
  }
  if (wanted.parents) {
    branches.push(
      branch(
        SIDE.parent,
        { i: 'child_id', s1: 'parent_entity_type_id', s2: '0', a: 'parent_entity_type_id', b: 'parent_id' },
        sql`crm_relation where portal_id = ${portal} and child_entity_type_id = ${entityType} and child_id ${ids}`,
      ),
    )
  }
  if (branches.length === 0) return undefined
  const row = jsonArraySql(
    dialect,
    ['k', 'i', 'a', 'b', 'c', 'd', 'e'].map((column) => sql.ref(`s.${column}`)),
  )
  return sql`(select ${jsonAggregateSql(dialect)}(${row} order by s.k, s.i, s.s1, s.s2) from (${sql.join(branches, sql` union all `)}) as s)`
}

function jsonAggregateSql(dialect: Dialect): RawBuilder<unknown> {
  return dialect === 'postgres' ? sql`json_agg` : sql`json_group_array`
}

/**
 * `in` the ids of the parameter `ids`, one parameter whatever their number (one statement for every page
 * size): a JSON array on SQLite, an array literal on PostgreSQL (`{1,2,3}`: pg converts a JS array element
 * by element, which cost more than the query) — {@link idsParameter}.
 */
function inIdsSql(dialect: Dialect): RawBuilder<unknown> {
  return dialect === 'postgres'
    ? sql`= any(cast(${param('ids')} as bigint[]))`
    : sql`in (select value from json_each(${param('ids')}))`
}

function idsParameter(dialect: Dialect, ids: readonly number[]): unknown {
  return dialect === 'postgres' ? `{${ids.join(',')}}` : JSON.stringify(ids)
}

/** A multifield's side row: kind, item id, id, -, type, value type, value ({@link sideRowsSql}). */
type MultifieldSideRow = [number, number, number, null, string, string, string]

/** What {@link loadItems} and {@link itemsFromRows} read: the rows' and the side rows' JSON arrays. */
interface LoadRow {
  readonly item_rows?: unknown
  readonly side_rows: unknown
}

/** Sets the side-table fields of `items` from their side rows (empty lists and 0 where there are none). */
function applySideRows(
  type: EntityTypeDescriptor,
  items: readonly Item[],
  sideRows: readonly (readonly unknown[])[],
): void {
  const plan = planOf(type)
  const observersField = plan.relationField.get('observers')
  const bindingsField = plan.relationField.get('contactBindings')
  const bindingsPrimary = plan.primaryField.get('contactBindings')
  const ccField = plan.relationField.get('contactCompanies')
  const ccPrimary = plan.primaryField.get('contactCompanies')
  const fmField = plan.relationField.get('multifields')
  const byId = new Map<number, Item>()
  for (const item of items) {
    byId.set(item.id, item)
    const values = item.values
    if (observersField !== undefined) values[observersField] = []
    if (bindingsField !== undefined) values[bindingsField] = []
    if (bindingsPrimary !== undefined) values[bindingsPrimary] = 0
    if (ccField !== undefined) values[ccField] = []
    if (ccPrimary !== undefined) values[ccPrimary] = 0
    if (fmField !== undefined) values[fmField] = []
  }
  for (const side of sideRows) {
    const item = byId.get(Number(side[1]))
    if (item === undefined) continue
    const values = item.values
    switch (side[0]) {
      case SIDE.observer:
        if (observersField !== undefined) (values[observersField] as number[]).push(side[2] as number)
        break
      case SIDE.contactBinding:
        if (bindingsField !== undefined) (values[bindingsField] as number[]).push(side[2] as number)
        if (bindingsPrimary !== undefined && Number(side[3]) === 1) values[bindingsPrimary] = side[2]
        break
      case SIDE.contactCompany:
        if (ccField !== undefined) (values[ccField] as number[]).push(side[2] as number)
        if (ccPrimary !== undefined && Number(side[3]) === 1) values[ccPrimary] = side[2]
        break
      case SIDE.multifield:
        if (fmField !== undefined) {
          const [, , id, , typeId, valueType, value] = side as MultifieldSideRow
          ;(values[fmField] as Multifield[]).push({ id, typeId, valueType, value })
        }
        break
      case SIDE.parent:
        item.parents[side[2] as number] = side[3] as number
        break
    }
  }
  // Rows written without a primary flag: the first binding is the primary one.
  for (const [list, primary] of [
    [bindingsField, bindingsPrimary],
    [ccField, ccPrimary],
  ] as const) {
    if (list === undefined || primary === undefined) continue
    for (const item of items) {
      const ids = item.values[list] as number[]
      if (item.values[primary] === 0 && ids.length > 0) item.values[primary] = ids[0]
    }
  }
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
 * Items by id, in the order of `ids` (missing ids skipped): one statement reads their rows and their side
 * rows, whatever the number of ids.
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
  const dialect = dialectOf(db)
  const sides = sidesWanted(type, parts)
  const { rows } = await runPrepared(
    db,
    `item-load:${planOf(type).selectedKey}:${sides.key}`,
    () => {
      const rowsSql = sql`(select ${jsonAggregateSql(dialect)}(${itemRowSql(type, dialect)}) from ${sql.table(ITEM_TABLE)} where portal_id = ${param('portalId')} and entity_type_id = ${param('entityTypeId')} and id ${inIdsSql(dialect)})`
      const query = sql<LoadRow>`select ${rowsSql} as item_rows, ${sideRowsSql(sides, dialect) ?? sql`null`} as side_rows`
      return { compile: () => query.compile(db) }
    },
    { portalId, entityTypeId: type.entityTypeId, ids: idsParameter(dialect, wanted) },
  )
  const read = readPlanOf(type)
  const found = (parsedJson(rows[0]?.item_rows) ?? []) as unknown[]
  const items = found.map((row) => itemOfRow(type, read, row))
  applySideRows(type, items, (parsedJson(rows[0]?.side_rows) ?? []) as unknown[][])
  const byId = new Map(items.map((item) => [item.id, item]))
  return wanted.map((id) => byId.get(id)).filter((item): item is Item => item !== undefined)
}

/**
 * Builds items from the rows of a list page ({@link itemListBaseQuery}), reading their side rows in one
 * statement. The result keeps the order of `rows`.
 */
export async function itemsFromRows(
  db: Db,
  portalId: number,
  type: EntityTypeDescriptor,
  rows: readonly Record<string, unknown>[],
  parts: LoadParts = ALL_PARTS,
): Promise<Item[]> {
  const read = readPlanOf(type)
  const items = rows.map((row) => itemOfRow(type, read, row[ITEM_ROW]))
  if (items.length === 0) return items
  const dialect = dialectOf(db)
  const sides = sidesWanted(type, parts)
  let sideRows: unknown[][] = []
  if (sides.any) {
    const { rows: found } = await runPrepared(
      db,
      `item-sides:${sides.key}`,
      () => {
        const query = sql<LoadRow>`select ${sideRowsSql(sides, dialect) ?? sql`null`} as side_rows`
        return { compile: () => query.compile(db) }
      },
      {
        portalId,
        entityTypeId: type.entityTypeId,
        ids: idsParameter(
          dialect,
          items.map((item) => item.id),
        ),
      },
    )
    sideRows = (parsedJson(found[0]?.side_rows) ?? []) as unknown[][]
  }
  applySideRows(type, items, sideRows)
  return items
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
  // Every item of the type writes the same columns: one statement per type, built once.
  await runPrepared(
    db,
    `item-insert:${plan.selectedKey}`,
    () =>
      db
        .insertInto('crm_item')
        .values(
          Object.fromEntries(
            Object.keys(row).map((column) => [column, param(column)]),
          ) as unknown as CrmItemTable,
        ),
    row,
  )
  const empty: Item = { entityTypeId: type.entityTypeId, id: item.id, values: {}, uf: {}, parents: {} }
  const sides = await writeSideTables(db, portalId, type, empty, item, true)
  return writtenForm(plan, type, undefined, item, sides)
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
  // A value the operation left alone is the very value loaded (item-pipeline.ts cloneItem copies the item
  // shallowly), so most columns are settled by one comparison, without their column form.
  for (const binding of plan.columns) {
    const name = binding.field.name
    if (after.values[name] === before.values[name]) continue
    const next = toColumnValue(binding, after.values[name])
    if (next !== toColumnValue(binding, before.values[name])) changes[binding.column] = next
  }
  for (const { field, column } of plan.jsonColumns) {
    if (after.values[field.name] === before.values[field.name]) continue
    const next = JSON.stringify(idList(after.values[field.name]))
    if (next !== JSON.stringify(idList(before.values[field.name]))) changes[column] = next
  }
  if (!sameUf(before.uf, after.uf)) changes['uf'] = JSON.stringify(after.uf)
  if (plan.relationField.get('multifields') !== undefined) {
    // The flags follow `fm`, whatever the values say; written when they differ from the stored ones.
    const flags = multifieldFlags(fmOf(plan, after))
    for (const { rule, column } of plan.flagColumns) {
      const stored = plan.columns.find((binding) => binding.column === column)
      const value = flags[rule] ? 1 : 0
      const prev = stored === undefined ? undefined : toColumnValue(stored, before.values[stored.field.name])
      if (prev !== value) changes[column] = value
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
  const sides = await writeSideTables(db, portalId, type, before, after, false)
  return writtenForm(plan, type, before, after, sides)
}

/**
 * An item just written, as {@link loadItem} would read it back — without reading it back (the write
 * operations answer with the stored item; reading it again cost six queries per write). `item` holds the
 * stored form of everything the store can derive exactly from what it wrote: row columns through their
 * column form (a number in a text column reads back as text, booleans as 0/1), `hasPhone` / `hasEmail` /
 * `hasImol` from `fm`, custom-field JSON, observers, parents, multifields (with the ids the new entries
 * got), and every part left unchanged (as loaded before). `reload` names the side tables whose stored form
 * depends on more than this write — contact bindings and contact ↔ company rows (their order and primary
 * flags are settled by other writers, e.g. after-save.ts normaliseCompanySide) — when they changed;
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
  sides: SidesWritten,
): WrittenItem {
  const values: Record<string, unknown> = {}
  const kept = (name: string) => before !== undefined && Object.hasOwn(before.values, name)
  // The very value loaded: left alone by the operation (item-pipeline.ts cloneItem), so stored as it was.
  const untouched = (name: string) => kept(name) && after.values[name] === before?.values[name]
  const fmField = plan.relationField.get('multifields')
  const flags = fmField === undefined ? undefined : multifieldFlags(fmOf(plan, after))
  for (const binding of plan.columns) {
    const name = binding.field.name
    const rule = binding.field.rule
    if (flags !== undefined && (rule === 'hasPhone' || rule === 'hasEmail' || rule === 'hasImol')) {
      values[name] = flags[rule]
      continue
    }
    if (untouched(name)) {
      values[name] = before?.values[name]
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
      untouched(field.name) ||
      (kept(field.name) && JSON.stringify(next) === JSON.stringify(idList(before?.values[field.name])))
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
    const unchanged =
      untouched(observersField) ||
      (kept(observersField) && sameJson(next, idList(before?.values[observersField])))
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
      (((listField === undefined || untouched(listField)) &&
        (primaryField === undefined || untouched(primaryField))) ||
        sameJson(next, bindingSet(plan, relation, before)))
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
    const unchanged = untouched(fmField) || (kept(fmField) && sameJson(next, fmOf(plan, before as Item)))
    if (unchanged) {
      values[fmField] = (before?.values[fmField] as Multifield[]).map((m) => ({ ...m }))
    } else if (sides.multifields !== undefined) {
      values[fmField] = sides.multifields
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
  // Unchanged custom values are the loaded ones, already in stored form; changed ones read back as JSON.
  const uf =
    before !== undefined && sameUf(before.uf, after.uf) ? { ...before.uf } : parseUf(JSON.stringify(after.uf))
  return {
    item: {
      entityTypeId: type.entityTypeId,
      id: after.id,
      values,
      uf,
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
  const { item, reload } = written
  if (!Object.values(reload).some(Boolean)) return item
  // One statement: the row comes along with the side rows asked for (loadItems).
  const [read] = await loadItems(db, portalId, type, [item.id], reload)
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

/**
 * Custom-field values equal as stored: the same keys holding the very same values (what an operation that
 * touched none of them leaves), else the same JSON.
 */
function sameUf(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  const keys = Object.keys(a)
  if (
    keys.length === Object.keys(b).length &&
    keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key])
  )
    return true
  return sameJson(a, b)
}

/** What {@link writeSideTables} knows of the stored form of the rows it wrote. */
interface SidesWritten {
  /** The item's multifields as stored, when they were written (new entries got their ids). */
  multifields?: Multifield[]
}

async function writeSideTables(
  db: Db,
  portalId: number,
  type: EntityTypeDescriptor,
  before: Item,
  after: Item,
  isNew: boolean,
): Promise<SidesWritten> {
  const sides: SidesWritten = {}
  const plan = planOf(type)
  const etid = type.entityTypeId
  const id = after.id
  const key = { portalId, entityTypeId: etid, itemId: id }
  // The very value loaded: the operation left it alone (item-pipeline.ts cloneItem copies shallowly).
  const untouched = (name: string | undefined) =>
    !isNew && (name === undefined || after.values[name] === before.values[name])

  const observersField = plan.relationField.get('observers')
  if (observersField !== undefined && !untouched(observersField)) {
    const next = idList(after.values[observersField])
    if (isNew || !sameJson(next, idList(before.values[observersField]))) {
      if (!isNew) await deleteItemRows(db, 'crm_item_observer', key)
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

  const bindingFields = [plan.relationField.get('contactBindings'), plan.primaryField.get('contactBindings')]
  const bindings = bindingSet(plan, 'contactBindings', after)
  if (
    bindings &&
    !bindingFields.every(untouched) &&
    (isNew || !sameJson(bindings, bindingSet(plan, 'contactBindings', before)))
  ) {
    if (!isNew) await deleteItemRows(db, 'crm_contact_binding', key)
    if (bindings.ids.length > 0) {
      const values: Record<string, number> = { ...key }
      bindings.ids.forEach((contactId, i) => {
        values[`contact${i}`] = contactId
        values[`primary${i}`] = contactId === bindings.primary ? 1 : 0
      })
      await runPrepared(
        db,
        `item-contact-bindings-insert:${bindings.ids.length}`,
        () =>
          db.insertInto('crm_contact_binding').values(
            bindings.ids.map((_, i) => ({
              portal_id: param('portalId'),
              entity_type_id: param('entityTypeId'),
              item_id: param('itemId'),
              contact_id: param(`contact${i}`),
              sort: (i + 1) * SORT_STEP,
              is_primary: param(`primary${i}`),
            })),
          ),
        values,
      )
    }
  }

  const ccFields = [plan.relationField.get('contactCompanies'), plan.primaryField.get('contactCompanies')]
  const cc = bindingSet(plan, 'contactCompanies', after)
  if (
    cc &&
    !ccFields.every(untouched) &&
    (isNew || !sameJson(cc, bindingSet(plan, 'contactCompanies', before)))
  ) {
    if (etid === COMPANY) await saveCompanyContacts(db, portalId, id, cc.ids, isNew)
    else await saveContactCompanies(db, portalId, id, cc, isNew)
  }

  const fmField = plan.relationField.get('multifields')
  if (fmField !== undefined && !untouched(fmField)) {
    const next = multifieldList(after.values[fmField])
    const prev = multifieldList(before.values[fmField])
    if (isNew || !sameJson(next, prev)) {
      sides.multifields = await saveMultifields(db, portalId, etid, id, prev, next, isNew)
    }
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
  return sides
}

/** Deletes an item's rows of a side table keyed by portal, type and item (observers, contact bindings, fm). */
async function deleteItemRows(
  db: Db,
  table: 'crm_item_observer' | 'crm_contact_binding' | 'crm_multifield',
  key: { portalId: number; entityTypeId: number; itemId: number },
): Promise<void> {
  await runPrepared(
    db,
    `item-rows-delete:${table}`,
    () =>
      db
        .deleteFrom(table)
        .where('portal_id', '=', param('portalId'))
        .where('entity_type_id', '=', param('entityTypeId'))
        .where('item_id', '=', param('itemId')),
    key,
  )
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
): Promise<Multifield[]> {
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
      await runPrepared(
        db,
        'multifield-update',
        () =>
          db
            .updateTable('crm_multifield')
            .set({
              type_id: param<string>('typeId'),
              value_type: param<string>('valueType'),
              value: param<string>('value'),
            })
            .where('portal_id', '=', param('portalId'))
            .where('id', '=', param('id')),
        { portalId, id: m.id, typeId: m.typeId, valueType: m.valueType, value: m.value },
      )
    }
  }
  // What loadItems reads back: the entries in id order.
  const stored = kept.map((m) => ({ id: m.id, typeId: m.typeId, valueType: m.valueType, value: m.value }))
  const byId = (a: Multifield, b: Multifield) => a.id - b.id
  if (fresh.length === 0) return stored.sort(byId)
  const first = await reserveIds(db, portalId, MULTIFIELD_SEQUENCE, fresh.length)
  const values: Record<string, unknown> = { portalId, entityTypeId, itemId }
  fresh.forEach((m, i) => {
    values[`id${i}`] = first + i
    values[`typeId${i}`] = m.typeId
    values[`valueType${i}`] = m.valueType
    values[`value${i}`] = m.value
  })
  await runPrepared(
    db,
    `multifields-insert:${fresh.length}`,
    () =>
      db.insertInto('crm_multifield').values(
        fresh.map((_, i) => ({
          portal_id: param('portalId'),
          id: param(`id${i}`),
          entity_type_id: param('entityTypeId'),
          item_id: param('itemId'),
          type_id: param<string>(`typeId${i}`),
          value_type: param<string>(`valueType${i}`),
          value: param<string>(`value${i}`),
        })),
      ),
    values,
  )
  fresh.forEach((m, i) =>
    stored.push({ id: first + i, typeId: m.typeId, valueType: m.valueType, value: m.value }),
  )
  return stored.sort(byId)
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
  const key = { portalId, entityTypeId: etid, itemId: id }
  for (const table of ['crm_item_observer', 'crm_contact_binding', 'crm_multifield'] as const) {
    await deleteItemRows(db, table, key)
  }
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

/**
 * The nominal `column` of a parent relation's list field: the field is filtered and sorted through its
 * `filter` and `order` sub-selects, never read as a column.
 */
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
  // Built once per type and configuration: the custom-field definitions come from the configuration cache
  // (config-reads.ts), the same frozen array until they change, so a new array means a new map. Keeping the
  // map keeps its fields, which list-query.ts names its prepared queries by.
  let byUserFields = fieldMaps.get(type)
  if (byUserFields === undefined) fieldMaps.set(type, (byUserFields = new WeakMap()))
  const userFields = options.userFields ?? NO_USER_FIELDS
  let byOptions = byUserFields.get(userFields)
  if (byOptions === undefined) byUserFields.set(userFields, (byOptions = new Map()))
  const key = `${options.dialect ?? 'sqlite'}:${(options.parentEntityTypeIds ?? []).join(',')}`
  let map = byOptions.get(key)
  if (map === undefined) byOptions.set(key, (map = buildItemListFieldMap(type, options)))
  return map
}

const fieldMaps = new WeakMap<EntityTypeDescriptor, WeakMap<object, Map<string, ListFieldMap>>>()
const NO_USER_FIELDS: readonly UserFieldDefinition[] = []

function buildItemListFieldMap(type: EntityTypeDescriptor, options: ItemListOptions): ListFieldMap {
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
      order: sql`(select r.parent_id from crm_relation as r where ${link('r')})`,
    })
  }
  if (options.userFields !== undefined) {
    const dialect = options.dialect ?? 'sqlite'
    const single = new Map(
      options.userFields.filter((def) => !def.multiple).map((def) => [def.fieldName, def]),
    )
    for (const [name, field] of userFieldListFields(dialect, options.userFields)) {
      const def = single.get(name)
      map.set(name, def === undefined ? field : { ...field, order: userFieldValueSql(dialect, def) })
    }
  }
  return map
}

/** Names the SQL of {@link itemListBaseQuery} for a type in prepared list keys (list-query.ts PreparedList). */
export function itemListBaseKey(type: EntityTypeDescriptor): string {
  return `item-list:${type.entityTypeId}:${planOf(type).selectedKey}`
}

/**
 * The base select of a crm.item.list page: the type's rows of the portal as JSON arrays, which
 * {@link itemsFromRows} reads. Parent relations and custom fields sort on the field map's `order`
 * expressions, computed only when a page is sorted by them.
 */
export function itemListBaseQuery(
  db: Db,
  portalId: number,
  type: EntityTypeDescriptor,
  options: ItemListOptions = {},
) {
  return db
    .selectFrom(ITEM_TABLE)
    .select(itemRowSql(type, options.dialect ?? dialectOf(db)).as(ITEM_ROW))
    .where(`${ITEM_TABLE}.portal_id`, '=', portalId)
    .where(`${ITEM_TABLE}.entity_type_id`, '=', type.entityTypeId)
}
