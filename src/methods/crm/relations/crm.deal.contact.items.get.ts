import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { getBindingsHandler, legacyError } from './relation-wire.js'

/**
 * crm.deal.contact.items.get (api-reference/crm/deals/contacts/crm-deal-contact-items-get.md): the contact
 * bindings of a deal: `[{CONTACT_ID, SORT, ROLE_ID, IS_PRIMARY}]` in sort order, `ROLE_ID` always 0
 * ("reserved").
 * Rules and errors: src/crm/items/bindings.ts, ./relation-wire.ts.
 */
export default defineMethod({
  name: 'crm.deal.contact.items.get',
  scope: 'crm',
  summary: 'The contact bindings of a deal in sort order, with SORT, ROLE_ID and IS_PRIMARY.',
  reference: 'api-reference/crm/deals/contacts/crm-deal-contact-items-get.md',
  parity: 'full',
  params: wireRecord,
  handler: (params, ctx) =>
    getBindingsHandler('dealContact', { notFound: () => legacyError('Not found.') }, params, ctx),
})
