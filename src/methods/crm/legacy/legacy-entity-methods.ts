/**
 * The legacy CRM methods — crm.lead.*, crm.deal.*, crm.contact.*, crm.company.* (add, get, list, update,
 * delete, fields) — as thin adapters over the item operations crm.item.* runs: one domain, two wire dialects
 * (research/server-behaviour.md §2). A change made through one is seen identically through the other.
 *
 * Per type only wire facts differ: the field catalogue (src/crm/legacy/), the "not found" messages of
 * update and delete (§2 item 51 and the pages' error tables) and the REGISTER_SONET_EVENT defaults (spec
 * inventory §9.1: crm.deal.add Y, the others N).
 */
import type { MethodDefinition } from '../../define-method.js'
import { LEGACY_COMPANY } from '../../../crm/legacy/company.js'
import { LEGACY_CONTACT } from '../../../crm/legacy/contact.js'
import { LEGACY_DEAL } from '../../../crm/legacy/deal.js'
import { LEGACY_LEAD } from '../../../crm/legacy/lead.js'
import { legacyAddMethod } from './legacy-add.js'
import { legacyDeleteMethod } from './legacy-delete.js'
import { legacyFieldsMethod } from './legacy-fields.js'
import { legacyGetMethod } from './legacy-get.js'
import { legacyListMethod } from './legacy-list.js'
import { legacyUpdateMethod } from './legacy-update.js'
import type { LegacyMethodsConfig } from './legacy-wire.js'

const NOT_FOUND = { code: '', message: 'Not found' }

export const LEAD_METHODS: LegacyMethodsConfig = {
  entity: LEGACY_LEAD,
  prefix: 'crm.lead',
  docsFolder: 'leads',
  docsStem: 'crm-lead',
  noun: 'lead',
  plural: 'leads',
  // The server's text (§2 item 51); the page says "Not found".
  updateNotFound: 'Lead is not found',
  deleteNotFound: NOT_FOUND,
  sonetByDefault: { add: false, update: false },
}

export const DEAL_METHODS: LegacyMethodsConfig = {
  entity: LEGACY_DEAL,
  prefix: 'crm.deal',
  docsFolder: 'deals',
  docsStem: 'crm-deal',
  noun: 'deal',
  plural: 'deals',
  updateNotFound: 'Not found',
  deleteNotFound: NOT_FOUND,
  sonetByDefault: { add: true, update: false },
}

export const CONTACT_METHODS: LegacyMethodsConfig = {
  entity: LEGACY_CONTACT,
  prefix: 'crm.contact',
  docsFolder: 'contacts',
  docsStem: 'crm-contact',
  noun: 'contact',
  plural: 'contacts',
  updateNotFound: 'Contact is not found',
  // crm-contact-delete.md: ERROR_CORE "Element not found".
  deleteNotFound: { code: 'ERROR_CORE', message: 'Element not found' },
  sonetByDefault: { add: false, update: false },
}

export const COMPANY_METHODS: LegacyMethodsConfig = {
  entity: LEGACY_COMPANY,
  prefix: 'crm.company',
  docsFolder: 'companies',
  docsStem: 'crm-company',
  noun: 'company',
  plural: 'companies',
  updateNotFound: 'Company is not found',
  deleteNotFound: { code: '', message: 'Company is not found' },
  sonetByDefault: { add: false, update: false },
}

/** The six methods of one type: add, get, list, update, delete, fields. */
export function legacyEntityMethods(config: LegacyMethodsConfig): MethodDefinition[] {
  return [
    legacyAddMethod(config),
    legacyDeleteMethod(config),
    legacyFieldsMethod(config),
    legacyGetMethod(config),
    legacyListMethod(config),
    legacyUpdateMethod(config),
  ]
}

/** Every legacy entity method, for the registry (src/methods/index.ts). */
export const LEGACY_ENTITY_METHODS: readonly MethodDefinition[] = [
  LEAD_METHODS,
  DEAL_METHODS,
  CONTACT_METHODS,
  COMPANY_METHODS,
].flatMap(legacyEntityMethods)
