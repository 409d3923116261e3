/**
 * The one after-save step of the item operations (DESIGN.md "After save is one named step"): it runs inside
 * the transaction that saved the item and writes the outbox row that event delivery, automation and history
 * consume. A no-op update never reaches it (research/server-behaviour.md §1.C item 24: "no save, no history
 * and no events").
 */
import type { EntityTypeDescriptor } from '../../entity-types/entity-type.js'
import type { Db } from '../../../store/schema.js'
import { storedInstant } from '../../../lib/format-date.js'

export type ItemOutboxTopic = 'crm.item.added' | 'crm.item.updated'

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
}

export async function afterSave(db: Db, input: AfterSaveInput): Promise<void> {
  const { type } = input
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
  const topic: ItemOutboxTopic = input.operation === 'add' ? 'crm.item.added' : 'crm.item.updated'
  await db
    .insertInto('outbox')
    .values({
      portal_id: input.portalId,
      topic,
      payload: JSON.stringify(payload),
      created_at: storedInstant(input.nowMs),
      processed_at: null,
    })
    .execute()
}
