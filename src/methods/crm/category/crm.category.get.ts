import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { getCategory } from '../../../crm/dictionaries/dictionary-store.js'
import { categoryToWire } from '../../../crm/dictionaries/categories.js'
import { RestError } from '../../../protocol/errors.js'
import { permissionsOf } from '../../../crm/permissions/index.js'
import { controllerInt } from '../dictionary-common.js'
import { categoryTarget, elementNotFound } from './category-wire.js'

/**
 * crm.category.get (api-reference/crm/universal/category/crm-category-get.md): `{category}`, for "any user with
 * 'Read' access permission to the funnel" — else ACCESS_DENIED "Access denied" (src/crm/permissions/).
 */
export default defineMethod({
  name: 'crm.category.get',
  scope: 'crm',
  summary: 'One funnel of an object by its id.',
  reference: 'api-reference/crm/universal/category/crm-category-get.md',
  parity: 'full',
  params: wireRecord,
  handler: async (params, ctx) => {
    const target = await categoryTarget(params, ctx, { notFound: 'SPA not found', write: false })
    const id = controllerInt(params, 'id')
    const category = await getCategory(ctx.store.db, ctx.principal.portal.id, target.entityTypeId, id)
    if (category === undefined) throw elementNotFound()
    const permissions = await permissionsOf(ctx.store.db, ctx.principal)
    if (!permissions.canType('read', { entityTypeId: target.entityTypeId, hasCategories: true }, id)) {
      throw new RestError('ACCESS_DENIED', 'Access denied', 400)
    }
    return { category: categoryToWire(category) }
  },
})
