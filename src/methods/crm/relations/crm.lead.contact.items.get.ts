import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { getBindingsHandler, leadNotFound } from './relation-wire.js'

/**
 * crm.lead.contact.items.get
 * (api-reference/crm/leads/management-communication/crm-lead-contact-items-get.md): the contact bindings of a
 * lead: `[{CONTACT_ID, SORT, ROLE_ID, IS_PRIMARY}]` in sort order, `ROLE_ID` always 0 ("reserved").
 * Rules and errors: src/crm/items/bindings.ts, ./relation-wire.ts.
 */
export default defineMethod({
  name: 'crm.lead.contact.items.get',
  scope: 'crm',
  summary: 'The contact bindings of a lead in sort order, with SORT, ROLE_ID and IS_PRIMARY.',
  reference: 'api-reference/crm/leads/management-communication/crm-lead-contact-items-get.md',
  parity: 'full',
  params: wireRecord,
  handler: (params, ctx) => getBindingsHandler('leadContact', { notFound: leadNotFound }, params, ctx),
})
