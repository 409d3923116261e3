import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { clearBindingsHandler, legacyError } from './relation-wire.js'

/**
 * crm.company.contact.items.delete
 * (api-reference/crm/companies/contacts/crm-company-contact-items-delete.md): removes every contact binding
 * of a company. Answers `true`.
 * Rules and errors: src/crm/items/bindings.ts, ./relation-wire.ts.
 */
export default defineMethod({
  name: 'crm.company.contact.items.delete',
  scope: 'crm',
  summary: 'Removes every contact binding of a company.',
  reference: 'api-reference/crm/companies/contacts/crm-company-contact-items-delete.md',
  parity: 'full',
  params: wireRecord,
  handler: (params, ctx) =>
    clearBindingsHandler('companyContact', { notFound: () => legacyError('Not found') }, params, ctx),
})
