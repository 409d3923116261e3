import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { deleteBindingHandler, legacyError } from './relation-wire.js'

/**
 * crm.deal.contact.delete (api-reference/crm/deals/contacts/crm-deal-contact-delete.md): unbinds a contact
 * from a deal. "If the primary binding is removed, the first available binding will become the new primary";
 * a contact that is not bound answers `false`.
 * Rules and errors: src/crm/items/bindings.ts, ./relation-wire.ts.
 */
export default defineMethod({
  name: 'crm.deal.contact.delete',
  scope: 'crm',
  summary: 'Unbinds one contact from a deal; the first remaining binding becomes primary.',
  reference: 'api-reference/crm/deals/contacts/crm-deal-contact-delete.md',
  parity: 'full',
  params: wireRecord,
  handler: (params, ctx) =>
    deleteBindingHandler('dealContact', { notFound: () => legacyError('Not found.') }, params, ctx),
})
