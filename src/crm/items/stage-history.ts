/**
 * Stage history of leads, deals, invoices and smart processes (table `crm_stage_history`,
 * migrations/0006-history.ts): what `crm.stagehistory.list` reads (api-reference/crm/crm-stage-history-list.md).
 *
 * The after-save step records one row per stage event, with the record types of the page: "`1` — creation
 * of an element, `2` — transfer to an intermediate stage, `3` — transfer to the final stage, `5` — change
 * of funnel". A row keeps the funnel, the stage and its semantics the item had after the event, and the
 * time ("equal to the time of transferring the element to the stage"). Deleting an item deletes its rows.
 */
import { sql, type Expression } from 'kysely'
import { ENTITY_TYPE_ID, type EntityTypeDescriptor } from '../entity-types/entity-type.js'
import { findStatus } from '../dictionaries/dictionary-store.js'
import type { Db } from '../../store/schema.js'
import { dialectOf } from '../../store/store.js'
import type { ListFieldMap } from '../../store/list-query.js'
import { storedInstant } from '../../lib/format-date.js'
import type { Item } from './item.js'
import type { Semantics } from './operations/stage-rules.js'
import { param, runPrepared } from '../../store/prepared.js'

/** Sequence of `crm_stage_history` ids (per portal). */
export const STAGE_HISTORY_SEQUENCE = 'crm_stage_history'

/** Record types (crm-stage-history-list.md "TYPE_ID"). */
export const STAGE_HISTORY_TYPE = {
  CREATION: 1,
  INTERMEDIATE: 2,
  FINAL: 3,
  CATEGORY_CHANGE: 5,
} as const

/**
 * The types the method answers for: "leads, deals, old invoices, new invoices, SPAs". Quotes have stages
 * but no stage history.
 */
export function hasStageHistory(entityTypeId: number, isDynamic: boolean): boolean {
  return (
    entityTypeId === ENTITY_TYPE_ID.LEAD ||
    entityTypeId === ENTITY_TYPE_ID.DEAL ||
    entityTypeId === ENTITY_TYPE_ID.INVOICE ||
    entityTypeId === ENTITY_TYPE_ID.SMART_INVOICE ||
    isDynamic
  )
}

/**
 * Leads and old invoices name their stage a status: their rows have `STATUS_SEMANTIC_ID` and `STATUS_ID` and
 * no funnel ("for leads and old invoices"); the others `CATEGORY_ID`, `STAGE_SEMANTIC_ID`, `STAGE_ID`.
 */
export function usesStatusNames(entityTypeId: number): boolean {
  return entityTypeId === ENTITY_TYPE_ID.LEAD || entityTypeId === ENTITY_TYPE_ID.INVOICE
}

export interface StageEvent {
  portalId: number
  type: EntityTypeDescriptor
  operation: 'add' | 'update'
  before: Item | undefined
  after: Item
  /** The semantics of the saved stage, when the operation knows it. */
  stageSemantics: Semantics | undefined
  nowMs: number
}

/**
 * The row of the stage event of a saved item, if any: creation (add), funnel change, or a move to another
 * stage (final or intermediate by the semantics of the new stage). None for types without stage history,
 * types whose stages are switched off, or an update that left funnel and stage alone. The row is the
 * parameters of {@link stageRowInsert}; {@link insertStageRow} writes it (or after-save.ts, together with the
 * other rows of the step).
 */
export async function stageEventRow(
  db: Db,
  event: StageEvent,
): Promise<Readonly<Record<string, unknown>> | undefined> {
  const { type, after } = event
  if (!type.hasStages || !hasStageHistory(type.entityTypeId, type.isDynamic)) return undefined
  const stageId = after.values['stageId']
  if (typeof stageId !== 'string' || stageId === '') return undefined
  const statusNames = usesStatusNames(type.entityTypeId)
  const categoryId = statusNames ? null : Number(after.values['categoryId'] ?? 0)
  let typeId: number
  if (event.operation === 'add' || event.before === undefined) {
    typeId = STAGE_HISTORY_TYPE.CREATION
  } else {
    const categoryChanged =
      !statusNames && Number(event.before.values['categoryId'] ?? 0) !== Number(categoryId ?? 0)
    const stageChanged = event.before.values['stageId'] !== stageId
    if (!categoryChanged && !stageChanged) return undefined
    typeId = categoryChanged ? STAGE_HISTORY_TYPE.CATEGORY_CHANGE : 0
  }
  const semantics = event.stageSemantics ?? (await semanticsOf(db, event.portalId, type, after, stageId))
  if (typeId === 0) typeId = semantics === 'P' ? STAGE_HISTORY_TYPE.INTERMEDIATE : STAGE_HISTORY_TYPE.FINAL
  return {
    stage_portal_id: event.portalId,
    stage_sequence: STAGE_HISTORY_SEQUENCE,
    stage_entity_type_id: type.entityTypeId,
    stage_owner_id: after.id,
    stage_type_id: typeId,
    stage_category_id: categoryId,
    stage_semantic_id: semantics,
    stage_id: stageId,
    stage_created_time: storedInstant(event.nowMs),
  }
}

/** The INSERT of a {@link stageEventRow} row whose id is `id`. */
export function stageRowInsert(db: Db, id: Expression<number>) {
  return db.insertInto('crm_stage_history').values({
    portal_id: param('stage_portal_id'),
    id,
    entity_type_id: param('stage_entity_type_id'),
    owner_id: param('stage_owner_id'),
    type_id: param('stage_type_id'),
    category_id: param<number | null>('stage_category_id'),
    stage_semantic_id: param<string>('stage_semantic_id'),
    stage_id: param<string>('stage_id'),
    created_time: param<string>('stage_created_time'),
  })
}

/**
 * PostgreSQL: the next stage-history id of the portal, reserved in the statement that writes the row (a
 * common table expression `reserved`; item-store.ts reserveIds spelled for a CTE).
 */
export function stageIdReservation(db: Db) {
  return db
    .insertInto('id_counter')
    .values({ portal_id: param('stage_portal_id'), name: param<string>('stage_sequence'), value: 1 })
    .onConflict((oc) => oc.columns(['portal_id', 'name']).doUpdateSet({ value: sql`id_counter.value + 1` }))
    .returning('value')
}

/** The id the `reserved` CTE of {@link stageIdReservation} handed out. */
export const RESERVED_STAGE_ID = sql<number>`(select value from reserved)`

/**
 * Writes a {@link stageEventRow} row in one statement. PostgreSQL reserves the id in a common table
 * expression; SQLite reads the counter in the INSERT and a trigger moves it (migrations/0013-write-path.ts),
 * under the database's single write lock.
 */
export async function insertStageRow(db: Db, row: Readonly<Record<string, unknown>>): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await runPrepared(
      db,
      'stage-history-row-pg',
      () => {
        const query = sql`with reserved as (${stageIdReservation(db)}) ${stageRowInsert(db, RESERVED_STAGE_ID)}`
        return { compile: () => query.compile(db) }
      },
      row,
    )
    return
  }
  const nextId = sql<number>`coalesce((select c.value from id_counter as c where c.portal_id = ${param('stage_portal_id')} and c.name = ${param('stage_sequence')}), 0) + 1`
  await runPrepared(db, 'stage-history-row', () => stageRowInsert(db, nextId), row)
}

/** The semantics of the item's stage: its own `stageSemanticId` if the type has one, else the dictionary's. */
async function semanticsOf(
  db: Db,
  portalId: number,
  type: EntityTypeDescriptor,
  item: Item,
  stageId: string,
): Promise<Semantics> {
  const own = item.values['stageSemanticId']
  if (own === 'P' || own === 'S' || own === 'F') return own
  const entityId = type.stageEntityId(Number(item.values['categoryId'] ?? 0))
  const status = entityId === null ? undefined : await findStatus(db, portalId, entityId, stageId)
  const semantics = status?.semantics
  return semantics === 'S' || semantics === 'F' ? semantics : 'P'
}

/** Deletes the stage history of a deleted item. */
export async function deleteStageHistory(
  db: Db,
  portalId: number,
  entityTypeId: number,
  ownerId: number,
): Promise<void> {
  await db
    .deleteFrom('crm_stage_history')
    .where('portal_id', '=', portalId)
    .where('entity_type_id', '=', entityTypeId)
    .where('owner_id', '=', ownerId)
    .execute()
}

// ---------------------------------------------------------------------------------------------------------
// Listing
// ---------------------------------------------------------------------------------------------------------

/** The fields of a record, in the order of the page's sample response, with the column and wire type. */
function stageHistoryFields(
  entityTypeId: number,
): { name: string; column: string; kind: 'int' | 'text' | 'time' }[] {
  const head = [
    { name: 'ID', column: 'id', kind: 'int' as const },
    { name: 'TYPE_ID', column: 'type_id', kind: 'int' as const },
    { name: 'OWNER_ID', column: 'owner_id', kind: 'int' as const },
    { name: 'CREATED_TIME', column: 'created_time', kind: 'time' as const },
  ]
  if (usesStatusNames(entityTypeId)) {
    return [
      ...head,
      { name: 'STATUS_SEMANTIC_ID', column: 'stage_semantic_id', kind: 'text' },
      { name: 'STATUS_ID', column: 'stage_id', kind: 'text' },
    ]
  }
  return [
    ...head,
    { name: 'CATEGORY_ID', column: 'category_id', kind: 'int' },
    { name: 'STAGE_SEMANTIC_ID', column: 'stage_semantic_id', kind: 'text' },
    { name: 'STAGE_ID', column: 'stage_id', kind: 'text' },
  ]
}

/** Filter / order / select fields of `crm.stagehistory.list` for a type (list-query.ts). */
export function stageHistoryListFieldMap(entityTypeId: number): ListFieldMap {
  return new Map(
    stageHistoryFields(entityTypeId).map((f) => [
      f.name,
      {
        column: `crm_stage_history.${f.column}`,
        type:
          f.kind === 'int'
            ? ('integer' as const)
            : f.kind === 'time'
              ? ('datetime' as const)
              : ('string' as const),
      },
    ]),
  )
}

/** The base select of a page: the portal's records of the type. */
export function stageHistoryBaseQuery(db: Db, portalId: number, entityTypeId: number) {
  return db
    .selectFrom('crm_stage_history')
    .selectAll('crm_stage_history')
    .where('crm_stage_history.portal_id', '=', portalId)
    .where('crm_stage_history.entity_type_id', '=', entityTypeId)
}

/**
 * One record on the wire: the selected fields (all by default) in select order, integers as numbers, the
 * time in the portal's offset (`"2024-04-25T14:59:11+00:00"`).
 */
export function stageHistoryToWire(
  entityTypeId: number,
  row: Record<string, unknown>,
  select: readonly string[],
  formatTime: (stored: string) => string,
): Record<string, unknown> {
  const byName = new Map(stageHistoryFields(entityTypeId).map((f) => [f.name, f]))
  const out: Record<string, unknown> = {}
  for (const name of select) {
    const field = byName.get(name)
    if (field === undefined) continue
    const value = row[field.column]
    if (value === null || value === undefined) out[name] = null
    else if (field.kind === 'int') out[name] = Number(value)
    else if (field.kind === 'time') out[name] = formatTime(String(value))
    else out[name] = String(value)
  }
  return out
}
