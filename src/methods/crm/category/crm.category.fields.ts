import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { categoryFieldDescriptions, categoryTarget } from './category-wire.js'

/** crm.category.fields (api-reference/crm/universal/category/crm-category-fields.md): any user. */
export default defineMethod({
  name: 'crm.category.fields',
  scope: 'crm',
  summary: 'Descriptions of the fields of the funnels of an object.',
  reference: 'api-reference/crm/universal/category/crm-category-fields.md',
  parity: 'full',
  params: wireRecord,
  handler: async (params, ctx) => {
    const target = await categoryTarget(params, ctx, { notFound: 'SPA not found', write: false })
    return { fields: categoryFieldDescriptions(target.owner) }
  },
})
