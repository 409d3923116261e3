import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { legacyError, setBindingsHandler } from './relation-wire.js'

/**
 * crm.company.contact.items.set (api-reference/crm/companies/contacts/crm-company-contact-items-set.md):
 * replaces the contact bindings of a company with `items`; the first entry with `IS_PRIMARY: Y`, else the
 * first entry, is primary. Answers `true`.
 * Rules and errors: src/crm/items/bindings.ts, ./relation-wire.ts.
 */
export default defineMethod({
  name: 'crm.company.contact.items.set',
  scope: 'crm',
  summary: 'Replaces every contact binding of a company with the given list.',
  reference: 'api-reference/crm/companies/contacts/crm-company-contact-items-set.md',
  parity: 'partial',
  limitations: [
    'Entries whose CONTACT_ID names no existing contact are dropped (the page does not say what happens to them).',
  ],
  params: wireRecord,
  handler: (params, ctx) =>
    setBindingsHandler('companyContact', { notFound: () => legacyError('Not found') }, params, ctx),
})
