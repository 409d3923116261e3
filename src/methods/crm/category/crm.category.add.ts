import { defineMethod } from '../../define-method.js'
import { RestError } from '../../../protocol/errors.js'
import { parseWireBool, wireRecord } from '../../../protocol/params/scalars.js'
import { NEW_CATEGORY_DEFAULTS, categoryToWire } from '../../../crm/dictionaries/categories.js'
import { createFunnel } from '../../../crm/dictionaries/dictionary-store.js'
import { controllerArray } from '../dictionary-common.js'
import { categoryError, categorySort, categoryTarget, validCategoryName } from './category-wire.js'

/**
 * crm.category.add (api-reference/crm/universal/category/crm-category-add.md). Creates the funnel with the
 * next funnel id and its default stages (deals `C{id}:…`, invoices `DT31_{id}:…`, smart processes
 * `DT{type}_{id}:…`; contacts and companies have no stages). `isDefault` is ignored for deals; for smart
 * processes and invoices `Y` moves the default flag to the new funnel; contacts and companies refuse it.
 * A funnel cannot be created as a system one (`isSystem: Y` → ADDING_DISABLED).
 */
export default defineMethod({
  name: 'crm.category.add',
  scope: 'crm',
  summary: 'Creates a funnel with its default stages.',
  reference: 'api-reference/crm/universal/category/crm-category-add.md',
  parity: 'full',
  params: wireRecord,
  handler: async (params, ctx) => {
    const target = await categoryTarget(params, ctx, { notFound: 'SPA not found', write: true })
    const fields = controllerArray(params, 'fields')
    if (parseWireBool(fields['isSystem']) === true) {
      throw new RestError('ADDING_DISABLED', 'Adding a system category is prohibited', 400)
    }
    const name = validCategoryName(fields['name'])
    const sort = fields['sort'] === undefined ? NEW_CATEGORY_DEFAULTS.sort : categorySort(fields['sort'])
    const wantsDefault = parseWireBool(fields['isDefault']) === true
    if (wantsDefault && target.owner === 'client') {
      throw categoryError('Default client category does not support updating default state')
    }
    const { category } = await ctx.store.transaction((tx) =>
      createFunnel(
        ctx.store,
        tx,
        ctx.principal.portal.id,
        {
          entityTypeId: target.entityTypeId,
          name,
          sort,
          isDefault: wantsDefault && target.owner === 'dynamic',
        },
        ctx.clock.now(),
      ),
    )
    return { category: categoryToWire(category) }
  },
})
