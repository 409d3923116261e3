import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { USER_TYPES } from '../../../crm/user-fields/user-field-types.js'

/**
 * crm.userfield.types (api-reference/crm/universal/user-defined-fields/crm-userfield-types.md): the custom-field
 * types, `[{ID, title}]`, in the documented order.
 */
export default defineMethod({
  name: 'crm.userfield.types',
  scope: 'crm',
  summary: 'The custom-field types: ID and title.',
  reference: 'api-reference/crm/universal/user-defined-fields/crm-userfield-types.md',
  parity: 'partial',
  limitations: [
    'Application field types (registered with userfieldtype.add) do not exist, so none is listed.',
  ],
  params: wireRecord,
  handler: () => Promise.resolve(USER_TYPES.map((t) => ({ ID: t.id, title: t.title }))),
})
