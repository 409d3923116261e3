import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { clearBindingsHandler, leadNotFound } from './relation-wire.js'

/**
 * crm.lead.contact.items.delete
 * (api-reference/crm/leads/management-communication/crm-lead-contact-items-delete.md): removes every contact
 * binding of a lead. Answers `true`.
 * Rules and errors: src/crm/items/bindings.ts, ./relation-wire.ts.
 */
export default defineMethod({
  name: 'crm.lead.contact.items.delete',
  scope: 'crm',
  summary: 'Removes every contact binding of a lead.',
  reference: 'api-reference/crm/leads/management-communication/crm-lead-contact-items-delete.md',
  parity: 'full',
  params: wireRecord,
  handler: (params, ctx) => clearBindingsHandler('leadContact', { notFound: leadNotFound }, params, ctx),
})
