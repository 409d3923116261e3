import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { storedInstant } from '../../../lib/format-date.js'
import { deleteItem } from '../../../crm/items/item-store.js'
import { itemNotFound, requiredIntParam, requireItemIntranetUser, resolveItemType } from './item-wire.js'

/** The outbox row of a deleted item; event delivery sends `eventNames` (ONCRMDEALDELETE, ONCRMDYNAMICITEMDELETE…). */
export interface ItemDeletedPayload {
  entityTypeId: number
  id: number
  eventNames: string[]
  userId: number
}

/**
 * crm.item.delete (api-reference/crm/universal/crm-item-delete.md): deletes an item and everything stored
 * with it (src/crm/items/item-store.ts deleteItem), and writes the `crm.item.deleted` outbox row in the same
 * transaction. Success is `result: []`.
 */
export default defineMethod({
  name: 'crm.item.delete',
  scope: 'crm',
  summary: 'Deletes a CRM item of any type with its bindings, multifields and relations.',
  reference: 'api-reference/crm/universal/crm-item-delete.md',
  parity: 'partial',
  limitations: [
    'Delete permissions are not modelled: every intranet user may delete every item (no ACCESS_DENIED).',
    'There is no recycle bin: a deleted item is gone.',
  ],
  params: wireRecord,
  handler: async (params, ctx) => {
    requireItemIntranetUser(ctx)
    const entityTypeId = requiredIntParam(params, 'entityTypeId')
    const id = requiredIntParam(params, 'id')
    const type = await resolveItemType(ctx, entityTypeId)
    const portalId = ctx.principal.portal.id
    await ctx.store.transaction(async (tx) => {
      if (!(await deleteItem(tx, portalId, type, id))) throw itemNotFound()
      const payload: ItemDeletedPayload = {
        entityTypeId: type.entityTypeId,
        id,
        eventNames: [...type.events.delete],
        userId: ctx.principal.user.id,
      }
      await tx
        .insertInto('outbox')
        .values({
          portal_id: portalId,
          topic: 'crm.item.deleted',
          payload: JSON.stringify(payload),
          created_at: storedInstant(ctx.clock.now()),
          processed_at: null,
        })
        .execute()
    })
    return []
  },
})
