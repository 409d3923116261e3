import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { clearBindingsHandler, legacyError } from './relation-wire.js'

/**
 * crm.deal.contact.items.delete (api-reference/crm/deals/contacts/crm-deal-contact-items-delete.md): removes
 * every contact binding of a deal. Answers `true`.
 * Rules and errors: src/crm/items/bindings.ts, ./relation-wire.ts.
 */
export default defineMethod({
  name: 'crm.deal.contact.items.delete',
  scope: 'crm',
  summary: 'Removes every contact binding of a deal.',
  reference: 'api-reference/crm/deals/contacts/crm-deal-contact-items-delete.md',
  parity: 'full',
  params: wireRecord,
  handler: (params, ctx) =>
    clearBindingsHandler('dealContact', { notFound: () => legacyError('Not found') }, params, ctx),
})
