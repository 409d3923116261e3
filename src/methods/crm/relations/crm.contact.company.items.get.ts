import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { getBindingsHandler, legacyError } from './relation-wire.js'

/**
 * crm.contact.company.items.get (api-reference/crm/contacts/company/crm-contact-company-items-get.md): the
 * company bindings of a contact: `[{COMPANY_ID, SORT, ROLE_ID, IS_PRIMARY}]` in sort order, `ROLE_ID` always
 * 0 ("reserved").
 * Rules and errors: src/crm/items/bindings.ts, ./relation-wire.ts.
 */
export default defineMethod({
  name: 'crm.contact.company.items.get',
  scope: 'crm',
  summary: 'The company bindings of a contact in sort order, with SORT, ROLE_ID and IS_PRIMARY.',
  reference: 'api-reference/crm/contacts/company/crm-contact-company-items-get.md',
  parity: 'full',
  params: wireRecord,
  handler: (params, ctx) =>
    getBindingsHandler('contactCompany', { notFound: () => legacyError('Not found') }, params, ctx),
})
