import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { bindingFields } from './relation-wire.js'

/**
 * crm.company.contact.fields (api-reference/crm/companies/contacts/crm-company-contact-fields.md): the fields
 * of a company–contact binding, exactly as the page's example lists them. No parameters, no errors.
 */
export default defineMethod({
  name: 'crm.company.contact.fields',
  scope: 'crm',
  summary: 'Describes the fields of a company–contact binding: CONTACT_ID, SORT, IS_PRIMARY.',
  reference: 'api-reference/crm/companies/contacts/crm-company-contact-fields.md',
  parity: 'full',
  params: wireRecord,
  handler: () => Promise.resolve(bindingFields('companyContact')),
})
