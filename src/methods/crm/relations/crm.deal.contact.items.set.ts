import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { legacyError, setBindingsHandler } from './relation-wire.js'

/**
 * crm.deal.contact.items.set (api-reference/crm/deals/contacts/crm-deal-contact-items-set.md): replaces the
 * contact bindings of a deal with `items`; the first entry with `IS_PRIMARY: Y`, else the first entry, is
 * primary. Answers `true`.
 * Rules and errors: src/crm/items/bindings.ts, ./relation-wire.ts.
 */
export default defineMethod({
  name: 'crm.deal.contact.items.set',
  scope: 'crm',
  summary: 'Replaces every contact binding of a deal with the given list.',
  reference: 'api-reference/crm/deals/contacts/crm-deal-contact-items-set.md',
  parity: 'partial',
  limitations: [
    'Entries whose CONTACT_ID names no existing contact are dropped (the page does not say what happens to them).',
  ],
  params: wireRecord,
  handler: (params, ctx) =>
    setBindingsHandler('dealContact', { notFound: () => legacyError('Not found.') }, params, ctx),
})
