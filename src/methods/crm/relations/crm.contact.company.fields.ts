import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { bindingFields } from './relation-wire.js'

/**
 * crm.contact.company.fields (api-reference/crm/contacts/company/crm-contact-company-fields.md): the fields
 * of a contact–company binding, exactly as the page's example lists them. No parameters, no errors.
 */
export default defineMethod({
  name: 'crm.contact.company.fields',
  scope: 'crm',
  summary: 'Describes the fields of a contact–company binding: COMPANY_ID, SORT, IS_PRIMARY.',
  reference: 'api-reference/crm/contacts/company/crm-contact-company-fields.md',
  parity: 'full',
  params: wireRecord,
  handler: () => Promise.resolve(bindingFields('contactCompany')),
})
