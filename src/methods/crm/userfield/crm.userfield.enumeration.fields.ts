import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'

/**
 * crm.userfield.enumeration.fields (api-reference/crm/universal/user-defined-fields/crm-userfield-enumeration-fields.md):
 * the fields of one list value of an `enumeration` custom field.
 */
export default defineMethod({
  name: 'crm.userfield.enumeration.fields',
  scope: 'crm',
  summary: 'The fields of a list value of an enumeration custom field: ID, SORT, VALUE, DEF, DEL.',
  reference: 'api-reference/crm/universal/user-defined-fields/crm-userfield-enumeration-fields.md',
  parity: 'full',
  params: wireRecord,
  handler: () =>
    Promise.resolve({
      ID: { type: 'int', title: 'ID', isReadOnly: true },
      SORT: { type: 'int', title: 'Sorting' },
      VALUE: { type: 'string', title: 'Value' },
      DEF: { type: 'string', title: 'Default Value' },
      DEL: { type: 'string', title: 'Element Deletion Flag' },
    }),
})
