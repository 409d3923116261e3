import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { bindingFields } from './relation-wire.js'

/**
 * crm.deal.contact.fields (api-reference/crm/deals/contacts/crm-deal-contact-fields.md): the fields of a
 * deal–contact binding, exactly as the page's example lists them. No parameters, no errors.
 */
export default defineMethod({
  name: 'crm.deal.contact.fields',
  scope: 'crm',
  summary: 'Describes the fields of a deal–contact binding: CONTACT_ID, SORT, IS_PRIMARY.',
  reference: 'api-reference/crm/deals/contacts/crm-deal-contact-fields.md',
  parity: 'full',
  params: wireRecord,
  handler: () => Promise.resolve(bindingFields('dealContact')),
})
