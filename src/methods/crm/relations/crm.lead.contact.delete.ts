import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { deleteBindingHandler, leadNotFound } from './relation-wire.js'

/**
 * crm.lead.contact.delete (api-reference/crm/leads/management-communication/crm-lead-contact-delete.md):
 * unbinds a contact from a lead. "If the primary binding is removed, the first available binding will become
 * the new primary"; a contact that is not bound answers `false`.
 * Rules and errors: src/crm/items/bindings.ts, ./relation-wire.ts.
 */
export default defineMethod({
  name: 'crm.lead.contact.delete',
  scope: 'crm',
  summary: 'Unbinds one contact from a lead; the first remaining binding becomes primary.',
  reference: 'api-reference/crm/leads/management-communication/crm-lead-contact-delete.md',
  parity: 'full',
  params: wireRecord,
  handler: (params, ctx) => deleteBindingHandler('leadContact', { notFound: leadNotFound }, params, ctx),
})
