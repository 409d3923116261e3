import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { deleteBindingHandler, legacyError } from './relation-wire.js'

/**
 * crm.company.contact.delete (api-reference/crm/companies/contacts/crm-company-contact-delete.md): unbinds a
 * contact from a company. "If the primary binding is removed, the first available binding will become the new
 * primary"; a contact that is not bound answers `false`.
 * Rules and errors: src/crm/items/bindings.ts, ./relation-wire.ts.
 */
export default defineMethod({
  name: 'crm.company.contact.delete',
  scope: 'crm',
  summary: 'Unbinds one contact from a company; the first remaining binding becomes primary.',
  reference: 'api-reference/crm/companies/contacts/crm-company-contact-delete.md',
  parity: 'full',
  params: wireRecord,
  handler: (params, ctx) =>
    deleteBindingHandler('companyContact', { notFound: () => legacyError('Not found.') }, params, ctx),
})
