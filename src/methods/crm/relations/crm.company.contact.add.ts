import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { addBindingHandler, legacyError } from './relation-wire.js'

/**
 * crm.company.contact.add (api-reference/crm/companies/contacts/crm-company-contact-add.md): binds a contact
 * to a company. The binding becomes primary with `IS_PRIMARY: Y` or when the company has no primary contact
 * yet; an already bound contact changes nothing and answers `false`.
 * Rules and errors: src/crm/items/bindings.ts, ./relation-wire.ts.
 */
export default defineMethod({
  name: 'crm.company.contact.add',
  scope: 'crm',
  summary: 'Binds one contact to a company with its sort and primary flag; false when it is already bound.',
  reference: 'api-reference/crm/companies/contacts/crm-company-contact-add.md',
  parity: 'full',
  params: wireRecord,
  handler: (params, ctx) =>
    addBindingHandler('companyContact', { notFound: () => legacyError('Not found') }, params, ctx),
})
