import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { requireTypeCaller, typeFieldDescriptions } from './type-wire.js'

/** crm.type.fields (api-reference/crm/universal/user-defined-object-types/crm-type-fields.md): CRM admins. */
export default defineMethod({
  name: 'crm.type.fields',
  scope: 'crm',
  summary: 'Descriptions of the settings fields of a smart process.',
  reference: 'api-reference/crm/universal/user-defined-object-types/crm-type-fields.md',
  parity: 'full',
  params: wireRecord,
  handler: async (_params, ctx) => {
    await requireTypeCaller(ctx, 'required', 'Access Denied')
    return { fields: typeFieldDescriptions() }
  },
})
