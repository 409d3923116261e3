import { defineMethod } from '../../define-method.js'
import { RestError } from '../../../protocol/errors.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { deleteFunnel, getCategory, hasItems } from '../../../crm/dictionaries/dictionary-store.js'
import { controllerInt } from '../dictionary-common.js'
import { categoryError, categoryTarget, elementNotFound } from './category-wire.js'

/**
 * crm.category.delete (api-reference/crm/universal/category/crm-category-delete.md): `result: null`. Refuses
 * system funnels (REMOVING_DISABLED), default funnels and funnels with items, with the deal wording (code
 * `0`) for deals and the ORM wording (`BX_ERROR`) for the other objects. The funnel's stages go with it.
 */
export default defineMethod({
  name: 'crm.category.delete',
  scope: 'crm',
  summary: 'Deletes an empty, non-default funnel and its stages.',
  reference: 'api-reference/crm/universal/category/crm-category-delete.md',
  parity: 'full',
  params: wireRecord,
  handler: async (params, ctx) => {
    const target = await categoryTarget(params, ctx, { notFound: 'SPA not found', write: true })
    const id = controllerInt(params, 'id')
    const portalId = ctx.principal.portal.id
    return ctx.store.transaction(async (tx) => {
      const category = await getCategory(tx, portalId, target.entityTypeId, id)
      if (category === undefined) throw elementNotFound()
      if (category.isSystem) {
        throw new RestError('REMOVING_DISABLED', 'Deletion of system category is prohibited', 400)
      }
      const isDeal = target.owner === 'deal'
      if (category.isDefault) {
        throw isDeal
          ? categoryError('Default deal category cannot be deleted')
          : new RestError('BX_ERROR', 'This funnel is the default funnel', 400)
      }
      if (await hasItems(tx, portalId, target.entityTypeId, id)) {
        throw isDeal
          ? categoryError(`Deals related to the funnel ${category.name} found`)
          : new RestError('BX_ERROR', 'Elements related to the funnel found', 400)
      }
      await deleteFunnel(tx, portalId, target.entityTypeId, id)
      return null
    })
  },
})
