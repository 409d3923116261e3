import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { leadNotFound, setBindingsHandler } from './relation-wire.js'

/**
 * crm.lead.contact.items.set
 * (api-reference/crm/leads/management-communication/crm-lead-contact-items-set.md): replaces the contact
 * bindings of a lead with `items`; the first entry with `IS_PRIMARY: Y`, else the first entry, is primary.
 * Answers `true`.
 * Rules and errors: src/crm/items/bindings.ts, ./relation-wire.ts.
 */
export default defineMethod({
  name: 'crm.lead.contact.items.set',
  scope: 'crm',
  summary: 'Replaces every contact binding of a lead with the given list.',
  reference: 'api-reference/crm/leads/management-communication/crm-lead-contact-items-set.md',
  parity: 'partial',
  limitations: [
    'Entries whose CONTACT_ID names no existing contact are dropped (the page does not say what happens to them).',
  ],
  params: wireRecord,
  handler: (params, ctx) => setBindingsHandler('leadContact', { notFound: leadNotFound }, params, ctx),
})
