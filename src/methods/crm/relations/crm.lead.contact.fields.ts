import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { bindingFields } from './relation-wire.js'

/**
 * crm.lead.contact.fields (api-reference/crm/leads/management-communication/crm-lead-contact-fields.md): the
 * fields of a lead–contact binding, exactly as the page's example lists them. No parameters, no errors.
 */
export default defineMethod({
  name: 'crm.lead.contact.fields',
  scope: 'crm',
  summary: 'Describes the fields of a lead–contact binding: CONTACT_ID, SORT, IS_PRIMARY.',
  reference: 'api-reference/crm/leads/management-communication/crm-lead-contact-fields.md',
  parity: 'full',
  params: wireRecord,
  handler: () => Promise.resolve(bindingFields('leadContact')),
})
