/**
 * The event history and the live feed of CRM items (table `crm_history`, migrations/0006-history.ts).
 *
 * Bitrix24 records, after a save and in its post-save pipeline, an event history of the item (research/
 * server-behaviour.md §1.C item 26: "history (event history, relation registrar …)") — unless the legacy
 * method was called with `params.REGISTER_HISTORY_EVENT` other than Y (§2 item 52; crm-deal-update.md
 * "Should a record be created in the history?") — and, with `params.REGISTER_SONET_EVENT = Y`, entries in
 * the activity stream (crm-deal-update.md "Should the event of the deal change be registered in the live
 * feed?"). Both are written here, by the after-save step, in the transaction of the change.
 *
 * What is recorded (docs/compatibility.md "History"):
 * - history: one `add` row with the new item's non-empty values, one `update` row per changed field with
 *   its old and new value, one `delete` row with the deleted item's values. Server-maintained bookkeeping
 *   fields (read-only: updatedTime, movedBy, stageSemanticId …) are not rows of their own: they follow from
 *   the changes that are recorded.
 * - live feed: `add` for a new item; on update `progress` (the stage), `responsible` (assignedById) and
 *   `client` (the contact / company bindings) — the changes the CRM posts to the activity stream.
 * Every row carries the author (the calling user) and the time. Values are JSON of the domain form.
 */
import { sql, type RawBuilder } from 'kysely'
import type { EntityTypeDescriptor } from '../entity-types/entity-type.js'
import { parseParentFieldName } from '../entity-types/field-names.js'
import type { Db } from '../../store/schema.js'
import { dialectOf } from '../../store/store.js'
import { storedInstant } from '../../lib/format-date.js'
import type { Item } from './item.js'
import { param, runPrepared } from '../../store/prepared.js'

export type HistoryChannel = 'history' | 'livefeed'
export type HistoryEvent = 'add' | 'update' | 'delete' | 'progress' | 'responsible' | 'client'

/** One row of the log in domain form. */
export interface HistoryEntry {
  id: number
  entityTypeId: number
  itemId: number
  channel: HistoryChannel
  event: HistoryEvent
  field: string | null
  oldValue: unknown
  newValue: unknown
  userId: number
  /** Stored instant, `YYYY-MM-DDTHH:MM:SSZ`. */
  createdAt: string
}

/** An entry before it is written: the operation's context gives the rest. */
export type NewEntry = Omit<HistoryEntry, 'id' | 'createdAt' | 'entityTypeId' | 'itemId' | 'userId'>

/** Who, when, what item: shared by the rows of one operation. */
export interface HistoryContext {
  portalId: number
  type: EntityTypeDescriptor
  itemId: number
  userId: number
  nowMs: number
}

/** Client binding fields: changes to them are the live feed's `client` entries. */
const CLIENT_FIELDS: ReadonlySet<string> = new Set(['companyId', 'contactId', 'contactIds', 'companyIds'])

/**
 * The id of a new `crm_history` row, assigned by the database in the statement that inserts it
 * (migrations/0013-write-path.ts): rows need unique ids that grow in the order they are written
 * (listHistory reads an item's log in id order), and no client sees them. Taking them from the `id_counter`
 * row, as the other sequences do, cost a statement per write and, on PostgreSQL, held that row's lock until
 * commit, which queued every concurrent writer of the portal behind it.
 * - SQLite: NULL, which a rowid table's `integer primary key` turns into one past the largest id, under the
 *   database's single write lock, so two writers, of this process or another, never get the same id.
 * - PostgreSQL: the `crm_history_id_seq` sequence, which hands out unique values to concurrent transactions
 *   without a lock. An item's changes are serialised by its row lock (update-item.ts), so its own rows still
 *   get growing ids in the order they are committed.
 */
function historyId(postgres: boolean): RawBuilder<number> {
  return postgres ? sql<number>`nextval('crm_history_id_seq')` : sql<number>`null`
}

/**
 * Rows of one operation for `crm_history`, as the parameters of {@link historyRowsInsert}: written by
 * {@link insertHistoryRows}, or on PostgreSQL together with the other rows of the after-save step in one
 * statement (after-save.ts).
 */
export interface HistoryRows {
  readonly count: number
  readonly values: Readonly<Record<string, unknown>>
}

export function historyRows(ctx: HistoryContext, entries: readonly NewEntry[]): HistoryRows {
  const values: Record<string, unknown> = {
    portalId: ctx.portalId,
    entityTypeId: ctx.type.entityTypeId,
    itemId: ctx.itemId,
    userId: ctx.userId,
    createdAt: storedInstant(ctx.nowMs),
  }
  entries.forEach((entry, i) => {
    values[`channel${i}`] = entry.channel
    values[`event${i}`] = entry.event
    values[`field${i}`] = entry.field
    values[`old${i}`] = toJson(entry.oldValue)
    values[`new${i}`] = toJson(entry.newValue)
  })
  return { count: entries.length, values }
}

/** The INSERT of `count` history rows, with {@link historyRows} parameters (one shape per count: a handful). */
export function historyRowsInsert(db: Db, count: number, postgres: boolean) {
  return db.insertInto('crm_history').values(
    Array.from({ length: count }, (_, i) => ({
      portal_id: param('portalId'),
      id: historyId(postgres),
      entity_type_id: param('entityTypeId'),
      item_id: param('itemId'),
      channel: param<string>(`channel${i}`),
      event: param<string>(`event${i}`),
      field: param<string | null>(`field${i}`),
      old_value: param<string | null>(`old${i}`),
      new_value: param<string | null>(`new${i}`),
      user_id: param('userId'),
      created_at: param<string>('createdAt'),
    })),
  )
}

export async function insertHistoryRows(db: Db, rows: HistoryRows): Promise<void> {
  if (rows.count === 0) return
  const postgres = dialectOf(db) === 'postgres'
  await runPrepared(
    db,
    `history-rows:${rows.count}`,
    () => historyRowsInsert(db, rows.count, postgres),
    rows.values,
  )
}

function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value)
}

function fromJson(text: string | null): unknown {
  if (text === null) return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/** The value of a changed-field name on an item: a system field, `parentId{N}` or a custom field. */
export function fieldValue(item: Item | undefined, name: string): unknown {
  if (item === undefined) return null
  const parentType = parseParentFieldName(name)
  if (parentType !== null) return item.parents[parentType] ?? null
  if (name in item.values) return item.values[name] ?? null
  return item.uf[name] ?? null
}

/**
 * Fields a history row is written for: what a client can change (system fields that are not read-only,
 * `parentId{N}`, custom fields). Bookkeeping the server maintains is left out.
 */
function isRecordedField(type: EntityTypeDescriptor, name: string): boolean {
  const field = type.fieldIndex.byName(name)
  if (field === undefined) return true
  return !field.isReadOnly
}

/** Non-empty values of an item: the snapshot of an `add` / `delete` row. */
export function itemSnapshot(item: Item): Record<string, unknown> {
  const snapshot: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(item.values)) {
    if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0))
      continue
    snapshot[name] = value
  }
  for (const [name, value] of Object.entries(item.uf)) if (value !== null) snapshot[name] = value
  for (const [parentType, id] of Object.entries(item.parents)) snapshot[`parentId${parentType}`] = id
  return snapshot
}

/** The history and live-feed entries of an added item. */
export function addEntries(item: Item, options: { history: boolean; livefeed: boolean }): NewEntry[] {
  const entries: NewEntry[] = []
  if (options.history) {
    entries.push({
      channel: 'history',
      event: 'add',
      field: null,
      oldValue: undefined,
      newValue: itemSnapshot(item),
    })
  }
  if (options.livefeed) {
    entries.push({
      channel: 'livefeed',
      event: 'add',
      field: null,
      oldValue: undefined,
      newValue: { title: item.values['title'] ?? null },
    })
  }
  return entries
}

/** One history entry per changed field, plus the live-feed entries of the changes the activity stream shows. */
export function updateEntries(
  type: EntityTypeDescriptor,
  before: Item,
  after: Item,
  changedFields: readonly string[],
  options: { history: boolean; livefeed: boolean },
): NewEntry[] {
  const entries: NewEntry[] = []
  const change = (channel: HistoryChannel, event: HistoryEvent, name: string): NewEntry => ({
    channel,
    event,
    field: name,
    oldValue: fieldValue(before, name),
    newValue: fieldValue(after, name),
  })
  if (options.history) {
    for (const name of changedFields) {
      if (isRecordedField(type, name)) entries.push(change('history', 'update', name))
    }
  }
  if (options.livefeed) {
    for (const name of changedFields) {
      if (name === 'stageId') entries.push(change('livefeed', 'progress', name))
      else if (name === 'assignedById') entries.push(change('livefeed', 'responsible', name))
      else if (CLIENT_FIELDS.has(name)) entries.push(change('livefeed', 'client', name))
    }
  }
  return entries
}

/** The history row of a deleted item, with its last values. */
export async function recordDelete(db: Db, ctx: HistoryContext, item: Item): Promise<void> {
  const entry: NewEntry = {
    channel: 'history',
    event: 'delete',
    field: null,
    oldValue: itemSnapshot(item),
    newValue: undefined,
  }
  await insertHistoryRows(db, historyRows(ctx, [entry]))
}

/** The log of one item, oldest first (tests; later the timeline and automation read it). */
export async function listHistory(
  db: Db,
  portalId: number,
  entityTypeId: number,
  itemId: number,
  channel?: HistoryChannel,
): Promise<HistoryEntry[]> {
  let query = db
    .selectFrom('crm_history')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('entity_type_id', '=', entityTypeId)
    .where('item_id', '=', itemId)
  if (channel !== undefined) query = query.where('channel', '=', channel)
  const rows = await query.orderBy('id').execute()
  return rows.map((r) => ({
    id: Number(r.id),
    entityTypeId: Number(r.entity_type_id),
    itemId: Number(r.item_id),
    channel: r.channel as HistoryChannel,
    event: r.event as HistoryEvent,
    field: r.field,
    oldValue: fromJson(r.old_value),
    newValue: fromJson(r.new_value),
    userId: Number(r.user_id),
    createdAt: r.created_at,
  }))
}
