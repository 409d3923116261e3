/**
 * The one after-save step of the item operations (DESIGN.md "After save is one named step"): it runs inside
 * the transaction that saved the item and writes what hangs off a save —
 *
 *  1. the stage history (src/crm/items/stage-history.ts; crm.stagehistory.list reads it);
 *  2. the event history and the live feed (src/crm/items/history-log.ts), as `registerHistory` /
 *     `registerSonet` say (legacy `params.REGISTER_HISTORY_EVENT` / `REGISTER_SONET_EVENT`);
 *  3. the company side of contact ↔ company rows the item store wrote (order and primary contact,
 *     src/crm/items/binding-store.ts);
 *  4. the outbox row that event delivery and automation consume.
 *
 * All of it commits together, so the order of the statements is free: the company side is settled first,
 * then the rows of 1, 2 and 4 are written — on PostgreSQL in one statement ({@link writeRows}).
 *
 * A no-op update never reaches it (research/server-behaviour.md §1.C item 24: "no save, no history and no
 * events"). The post-save pipeline of Bitrix24 has the same order: history and timeline, then the after-save
 * actions that raise the REST events (§1.C item 26).
 */
import { sql, type RawBuilder } from 'kysely'
import type { EntityTypeDescriptor } from '../../entity-types/entity-type.js'
import type { Db } from '../../../store/schema.js'
import { dialectOf } from '../../../store/store.js'
import { storedInstant } from '../../../lib/format-date.js'
import type { Item } from '../item.js'
import {
  addEntries,
  historyRows,
  historyRowsInsert,
  insertHistoryRows,
  recordDelete,
  updateEntries,
  type HistoryContext,
  type HistoryRows,
} from '../history-log.js'
import {
  deleteStageHistory,
  insertStageRow,
  RESERVED_STAGE_ID,
  stageEventRow,
  stageIdReservation,
  stageRowInsert,
} from '../stage-history.js'
import { normaliseCompanySide, settleCompany } from '../binding-store.js'
import type { Semantics } from './stage-rules.js'
import { param, runPrepared } from '../../../store/prepared.js'

export type ItemOutboxTopic = 'crm.item.added' | 'crm.item.updated' | 'crm.item.deleted'

export interface ItemOutboxPayload {
  entityTypeId: number
  id: number
  /** Universal names of the fields the operation changed (`parentId{N}` for parent relations). */
  changedFields: string[]
  /**
   * The REST events the change fires, upper-cased as stored and sent (§4 item 75): ONCRMDEALUPDATE for a
   * deal (the compatible event, §1.G item 45), ONCRMDYNAMICITEMUPDATE and its `_{entityTypeId}` twin for
   * smart processes and smart invoices (§4 item 77), plus ONCRMDEALMOVETOCATEGORY on a funnel change (§4
   * item 82).
   */
  eventNames: string[]
  /** Who made the change (event auth is sent only for a known user, §4 item 78). */
  userId: number
}

/** The outbox row of a deleted item; event delivery sends `eventNames` (ONCRMDEALDELETE, ONCRMDYNAMICITEMDELETE…). */
export interface ItemDeletedPayload {
  entityTypeId: number
  id: number
  eventNames: string[]
  userId: number
}

export interface AfterSaveInput {
  portalId: number
  type: EntityTypeDescriptor
  operation: 'add' | 'update'
  id: number
  changedFields: readonly string[]
  /** The funnel changed (deals fire their move-to-category event). */
  categoryChanged: boolean
  userId: number
  nowMs: number
  /** The item as loaded before the update; undefined on add. */
  before: Item | undefined
  /** The item as saved. */
  after: Item
  /** The semantics of the saved stage, when the operation looked it up (stage history needs it). */
  stageSemantics: Semantics | undefined
  /** Write the event history (legacy `REGISTER_HISTORY_EVENT`). */
  registerHistory: boolean
  /** Write live-feed entries (legacy `REGISTER_SONET_EVENT`). */
  registerSonet: boolean
  /**
   * The caller wrote both sides of its contact ↔ company rows itself (the relation methods, bindings.ts);
   * otherwise the company side of rows the item store wrote is settled here.
   */
  companySideWritten?: boolean
}

export async function afterSave(db: Db, input: AfterSaveInput): Promise<void> {
  const { type } = input

  const stageRow = await stageEventRow(db, {
    portalId: input.portalId,
    type,
    operation: input.operation,
    before: input.before,
    after: input.after,
    stageSemantics: input.stageSemantics,
    nowMs: input.nowMs,
  })

  const history: HistoryContext = {
    portalId: input.portalId,
    type,
    itemId: input.id,
    userId: input.userId,
    nowMs: input.nowMs,
  }
  const channels = { history: input.registerHistory, livefeed: input.registerSonet }
  const entries =
    input.operation === 'add' || input.before === undefined
      ? addEntries(input.after, channels)
      : updateEntries(type, input.before, input.after, input.changedFields, channels)

  if (input.companySideWritten !== true) {
    await normaliseCompanySide(db, input.portalId, type, input.before, input.after)
  }

  const eventNames =
    input.operation === 'add'
      ? [...type.events.add]
      : [...type.events.update, ...(input.categoryChanged ? type.events.moveToCategory : [])]
  const payload: ItemOutboxPayload = {
    entityTypeId: type.entityTypeId,
    id: input.id,
    changedFields: [...input.changedFields],
    eventNames,
    userId: input.userId,
  }
  const outbox = outboxRow(
    input.portalId,
    input.operation === 'add' ? 'crm.item.added' : 'crm.item.updated',
    payload,
    input.nowMs,
  )
  await writeRows(db, stageRow, historyRows(history, entries), outbox)
}

/**
 * Writes the rows of the step: the stage-history row (if any), the history rows (if any) and the outbox row.
 * PostgreSQL takes them in one statement — every round trip to the server counts there — as common table
 * expressions of the outbox INSERT (they all run, whether the main statement reads them or not); SQLite, in
 * process, in one statement each.
 */
async function writeRows(
  db: Db,
  stageRow: Readonly<Record<string, unknown>> | undefined,
  history: HistoryRows,
  outbox: Readonly<Record<string, unknown>>,
): Promise<void> {
  if (dialectOf(db) !== 'postgres') {
    if (stageRow !== undefined) await insertStageRow(db, stageRow)
    await insertHistoryRows(db, history)
    await runPrepared(db, 'item-outbox-row', () => outboxInsert(db), outbox)
    return
  }
  await runPrepared(
    db,
    `after-save-rows:${stageRow === undefined ? 0 : 1}:${history.count}`,
    () => {
      const parts: RawBuilder<unknown>[] = []
      if (stageRow !== undefined) {
        parts.push(sql`reserved as (${stageIdReservation(db)})`)
        parts.push(sql`stage_row as (${stageRowInsert(db, RESERVED_STAGE_ID)})`)
      }
      if (history.count > 0) parts.push(sql`history_rows as (${historyRowsInsert(db, history.count, true)})`)
      const query =
        parts.length === 0 ? sql`${outboxInsert(db)}` : sql`with ${sql.join(parts)} ${outboxInsert(db)}`
      return { compile: () => query.compile(db) }
    },
    { ...stageRow, ...history.values, ...outbox },
  )
}

export interface AfterDeleteInput {
  portalId: number
  type: EntityTypeDescriptor
  /** The item as it was before it was deleted. */
  item: Item
  userId: number
  nowMs: number
  /** Write the `delete` history row (legacy delete methods have no params: true). */
  registerHistory: boolean
}

/**
 * After a delete, in its transaction: the item's stage history goes with it (crm.stagehistory.list no longer
 * lists a deleted item), the event history keeps a `delete` row with its last values, and the
 * `crm.item.deleted` outbox row is written.
 */
export async function afterDelete(db: Db, input: AfterDeleteInput): Promise<void> {
  const { type, item } = input
  await deleteStageHistory(db, input.portalId, type.entityTypeId, item.id)
  // A deleted contact leaves its companies: one that lost its primary contact gets its first remaining one.
  if (type.entityTypeId === 3) {
    const companyIds = Array.isArray(item.values['companyIds']) ? (item.values['companyIds'] as number[]) : []
    for (const companyId of companyIds) await settleCompany(db, input.portalId, companyId)
  }
  if (input.registerHistory) {
    await recordDelete(
      db,
      { portalId: input.portalId, type, itemId: item.id, userId: input.userId, nowMs: input.nowMs },
      item,
    )
  }
  const payload: ItemDeletedPayload = {
    entityTypeId: type.entityTypeId,
    id: item.id,
    eventNames: [...type.events.delete],
    userId: input.userId,
  }
  await runPrepared(
    db,
    'item-outbox-row',
    () => outboxInsert(db),
    outboxRow(input.portalId, 'crm.item.deleted', payload, input.nowMs),
  )
}

/** The parameters of {@link outboxInsert}: one outbox row. */
function outboxRow(
  portalId: number,
  topic: ItemOutboxTopic,
  payload: ItemOutboxPayload | ItemDeletedPayload,
  nowMs: number,
): Readonly<Record<string, unknown>> {
  return { portalId, topic, payload: JSON.stringify(payload), createdAt: storedInstant(nowMs) }
}

function outboxInsert(db: Db) {
  return db.insertInto('outbox').values({
    portal_id: param('portalId'),
    topic: param<string>('topic'),
    payload: param<string>('payload'),
    created_at: param<string>('createdAt'),
    processed_at: null,
  })
}

/**
 * `params.REGISTER_HISTORY_EVENT` / `REGISTER_SONET_EVENT` of the legacy `crm.{lead,deal,contact,company}.*`
 * methods as ItemWriteInput flags. "Absent → the default; present → on only if it equals 'Y' (any case), so
 * any other value turns it off" (research/server-behaviour.md §2 item 52). A JSON `true` also counts as Y
 * (b24pysdk sends Python True as "Y"; a literal true is the same intent).
 *
 * Defaults the method pages give: history Y (crm-contact-update.md "default Y"; absent → recorded, §2 item
 * 52); live feed Y for crm.deal.add (crm-deal-add.md "default Y"), N for crm.contact.add/update
 * (crm-contact-add.md, crm-contact-update.md "default N") and for lead updates (§2 item 52: "registers
 * live-feed events only when the option is strictly true").
 */
export function legacyRegisterFlag(value: unknown, whenAbsent: boolean): boolean {
  if (value === undefined || value === null) return whenAbsent
  if (value === true) return true
  return typeof value === 'string' && value.toUpperCase() === 'Y'
}
