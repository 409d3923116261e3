import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { legacyError, setBindingsHandler } from './relation-wire.js'

/**
 * crm.contact.company.items.set (api-reference/crm/contacts/company/crm-contact-company-items-set.md):
 * replaces the company bindings of a contact with `items`; the first entry with `IS_PRIMARY: Y`, else the
 * first entry, is primary. Answers `true`.
 * Rules and errors: src/crm/items/bindings.ts, ./relation-wire.ts.
 */
export default defineMethod({
  name: 'crm.contact.company.items.set',
  scope: 'crm',
  summary: 'Replaces every company binding of a contact with the given list.',
  reference: 'api-reference/crm/contacts/company/crm-contact-company-items-set.md',
  parity: 'partial',
  limitations: [
    'Entries whose COMPANY_ID names no existing company are dropped (the page does not say what happens to them).',
  ],
  params: wireRecord,
  handler: (params, ctx) =>
    setBindingsHandler('contactCompany', { notFound: () => legacyError('Not found') }, params, ctx),
})
