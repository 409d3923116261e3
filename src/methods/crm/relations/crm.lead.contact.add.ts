import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { addBindingHandler, leadNotFound } from './relation-wire.js'

/**
 * crm.lead.contact.add (api-reference/crm/leads/management-communication/crm-lead-contact-add.md): binds a
 * contact to a lead. The binding becomes primary with `IS_PRIMARY: Y` or when the lead has no primary contact
 * yet; an already bound contact changes nothing and answers `false`.
 * Rules and errors: src/crm/items/bindings.ts, ./relation-wire.ts.
 */
export default defineMethod({
  name: 'crm.lead.contact.add',
  scope: 'crm',
  summary: 'Binds one contact to a lead with its sort and primary flag; false when it is already bound.',
  reference: 'api-reference/crm/leads/management-communication/crm-lead-contact-add.md',
  parity: 'full',
  params: wireRecord,
  handler: (params, ctx) => addBindingHandler('leadContact', { notFound: leadNotFound }, params, ctx),
})
