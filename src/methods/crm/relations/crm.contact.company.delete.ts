import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { FIELDS_NOT_ARRAY, deleteBindingHandler, legacyError } from './relation-wire.js'

/**
 * crm.contact.company.delete (api-reference/crm/contacts/company/crm-contact-company-delete.md): unbinds a
 * company from a contact. "If the primary binding is removed, the first available binding will become the new
 * primary"; a company that is not bound answers `false`.
 * Rules and errors: src/crm/items/bindings.ts, ./relation-wire.ts.
 */
export default defineMethod({
  name: 'crm.contact.company.delete',
  scope: 'crm',
  summary: 'Unbinds one company from a contact; the first remaining binding becomes primary.',
  reference: 'api-reference/crm/contacts/company/crm-contact-company-delete.md',
  parity: 'full',
  params: wireRecord,
  handler: (params, ctx) =>
    deleteBindingHandler(
      'contactCompany',
      { notFound: () => legacyError('Not found'), fieldsNotArray: FIELDS_NOT_ARRAY },
      params,
      ctx,
    ),
})
