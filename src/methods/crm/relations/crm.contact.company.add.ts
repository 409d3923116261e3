import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { addBindingHandler, legacyError } from './relation-wire.js'

/**
 * crm.contact.company.add (api-reference/crm/contacts/company/crm-contact-company-add.md): binds a company to
 * a contact. The binding becomes primary with `IS_PRIMARY: Y` or when the contact has no primary company yet;
 * an already bound company changes nothing and answers `false`.
 * Rules and errors: src/crm/items/bindings.ts, ./relation-wire.ts.
 */
export default defineMethod({
  name: 'crm.contact.company.add',
  scope: 'crm',
  summary: 'Binds one company to a contact with its sort and primary flag; false when it is already bound.',
  reference: 'api-reference/crm/contacts/company/crm-contact-company-add.md',
  parity: 'full',
  params: wireRecord,
  handler: (params, ctx) =>
    addBindingHandler('contactCompany', { notFound: () => legacyError('Not found') }, params, ctx),
})
