import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { clearBindingsHandler, legacyError } from './relation-wire.js'

/**
 * crm.contact.company.items.delete (api-reference/crm/contacts/company/crm-contact-company-items-delete.md):
 * removes every company binding of a contact. Answers `true`.
 * Rules and errors: src/crm/items/bindings.ts, ./relation-wire.ts.
 */
export default defineMethod({
  name: 'crm.contact.company.items.delete',
  scope: 'crm',
  summary: 'Removes every company binding of a contact.',
  reference: 'api-reference/crm/contacts/company/crm-contact-company-items-delete.md',
  parity: 'full',
  params: wireRecord,
  handler: (params, ctx) =>
    clearBindingsHandler('contactCompany', { notFound: () => legacyError('Not found') }, params, ctx),
})
