import { defineMethod } from '../../define-method.js'
import { parseWireBool, wireRecord } from '../../../protocol/params/scalars.js'
import { categoryToWire } from '../../../crm/dictionaries/categories.js'
import {
  getCategory,
  updateCategory,
  type CategoryPatch,
} from '../../../crm/dictionaries/dictionary-store.js'
import { controllerArray, controllerInt } from '../dictionary-common.js'
import {
  categoryError,
  categorySort,
  categoryTarget,
  elementNotFound,
  validCategoryName,
} from './category-wire.js'

/**
 * crm.category.update (api-reference/crm/universal/category/crm-category-update.md): "If any field is missing
 * in fields, its value will remain unchanged". `isDefault: Y` makes a smart-process or invoice funnel the
 * default one (the old one loses the flag); `N` never un-defaults a funnel; deals ignore the flag; contacts
 * and companies refuse to move it.
 */
export default defineMethod({
  name: 'crm.category.update',
  scope: 'crm',
  summary: 'Renames, re-sorts or makes default a funnel.',
  reference: 'api-reference/crm/universal/category/crm-category-update.md',
  parity: 'full',
  params: wireRecord,
  handler: async (params, ctx) => {
    const target = await categoryTarget(params, ctx, { notFound: 'Smart process not found', write: true })
    const id = controllerInt(params, 'id')
    const fields = controllerArray(params, 'fields')
    const portalId = ctx.principal.portal.id
    return ctx.store.transaction(async (tx) => {
      const current = await getCategory(tx, portalId, target.entityTypeId, id)
      if (current === undefined) throw elementNotFound()
      const patch: CategoryPatch = {}
      if (fields['name'] !== undefined) patch.name = validCategoryName(fields['name'])
      if (fields['sort'] !== undefined) patch.sort = categorySort(fields['sort'])
      if (parseWireBool(fields['isDefault']) === true && !current.isDefault) {
        if (target.owner === 'client') {
          throw categoryError('Default client category does not support updating default state')
        }
        if (target.owner === 'dynamic') patch.makeDefault = true
      }
      await updateCategory(tx, portalId, target.entityTypeId, id, patch)
      const updated = await getCategory(tx, portalId, target.entityTypeId, id)
      if (updated === undefined) throw elementNotFound()
      return { category: categoryToWire(updated) }
    })
  },
})
