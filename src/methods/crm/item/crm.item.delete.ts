import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { deleteItemOperation } from '../../../crm/items/operations/delete-item.js'
import { isItemOperationError } from '../../../crm/items/operations/errors.js'
import {
  accessDenied,
  itemNotFound,
  requiredIntParam,
  requireItemIntranetUser,
  resolveItemType,
} from './item-wire.js'

/**
 * crm.item.delete (api-reference/crm/universal/crm-item-delete.md): deletes an item and everything stored
 * with it (src/crm/items/operations/delete-item.ts), and records it — stage history removed, a `delete`
 * history row, the `crm.item.deleted` outbox row (ItemDeletedPayload, after-save.ts) — in the same
 * transaction. Success is `result: []`. The caller's delete right must cover the item (ACCESS_DENIED "Access
 * denied", crm-item-delete.md; src/crm/permissions/).
 */
export default defineMethod({
  name: 'crm.item.delete',
  scope: 'crm',
  summary: 'Deletes a CRM item of any type with its bindings, multifields and relations.',
  reference: 'api-reference/crm/universal/crm-item-delete.md',
  parity: 'partial',
  limitations: ['There is no recycle bin: a deleted item is gone.'],
  params: wireRecord,
  handler: async (params, ctx) => {
    requireItemIntranetUser(ctx)
    const entityTypeId = requiredIntParam(params, 'entityTypeId')
    const id = requiredIntParam(params, 'id')
    const type = await resolveItemType(ctx, entityTypeId)
    try {
      await deleteItemOperation({
        store: ctx.store,
        portal: ctx.principal.portal,
        user: ctx.principal.user,
        nowMs: ctx.clock.now(),
        type,
        id,
      })
    } catch (error) {
      if (isItemOperationError(error)) {
        if (error.detail.kind === 'itemNotFound') throw itemNotFound()
        if (error.detail.kind === 'accessDenied') throw accessDenied()
      }
      throw error
    }
    return []
  },
})
