import { defineMethod } from '../../define-method.js'
import { RestError } from '../../../protocol/errors.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { deleteType, getTypeById, hasItems } from '../../../crm/dictionaries/dictionary-store.js'
import { positiveId } from '../dictionary-common.js'
import { requireTypeCaller, typeError } from './type-wire.js'

/**
 * crm.type.delete (api-reference/crm/universal/user-defined-object-types/crm-type-delete.md): `result: []`.
 * "You can only delete a smart process if there are no associated elements" (BX_ERROR). Without `id` the
 * page documents `result: null` and nothing deleted. Funnels and stages go with the type.
 */
export default defineMethod({
  name: 'crm.type.delete',
  scope: 'crm',
  summary: 'Deletes a smart process without items, with its funnels and stages.',
  reference: 'api-reference/crm/universal/user-defined-object-types/crm-type-delete.md',
  parity: 'full',
  params: wireRecord,
  handler: async (params, ctx) => {
    await requireTypeCaller(ctx, 'required')
    const id = positiveId(params['id'])
    if (id === undefined) return null
    const portalId = ctx.principal.portal.id
    return ctx.store.transaction(async (tx) => {
      const record = await getTypeById(tx, portalId, id)
      if (record === undefined) throw typeError('Smart process not found')
      if (await hasItems(tx, portalId, record.settings.entityTypeId)) {
        throw new RestError('BX_ERROR', 'You cannot delete an entity type that has elements', 400)
      }
      await deleteType(tx, portalId, record)
      return []
    })
  },
})
