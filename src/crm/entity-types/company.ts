/**
 * Company (entityTypeId 4).
 *
 * Field set and order: universal/object-fields.md#company plus the common fields; writable fields: the
 * company table of the crm.item.update seed, plus `categoryId` (companies have pipelines:
 * universal/category/index.md). The verified crm.item.fields excerpt of how-to-generate-edit-form-for-company.md
 * fixes `title` required and `opened` not required for companies; the same tutorial skips the service field
 * `contacts`. Titles: crm-item-fields.md example for shared fields, crm.company.fields
 * (companies/crm-company-fields.md) for the rest. Legacy names: companies/crm-company-fields.md — note
 * `typeId ↔ COMPANY_TYPE` and `contactIds ↔ CONTACT_ID` (multiple).
 */
import { defineEntityType, legacyEvents, type EntityTypeDescriptor } from './entity-type.js'
import {
  common,
  disabledField,
  field,
  fixedDictionary,
  multifieldAliases,
  readOnlyField,
  utmFields,
  type FieldDescriptor,
} from './field.js'
import { ADDRESS_COLUMN, legacyAddressFields } from './legacy-address.js'

const firstStatus = { kind: 'firstStatus' } as const

const fields: FieldDescriptor[] = [
  common.id({ legacy: true }),
  common.createdTime({ legacy: 'DATE_CREATE' }),
  common.updatedTime({ legacy: 'DATE_MODIFY' }),
  common.createdBy({ legacy: 'CREATED_BY_ID' }),
  common.updatedBy({ legacy: 'MODIFY_BY_ID' }),
  common.assignedById({ legacy: true }),
  common.opened({ legacy: true, required: false }),
  common.title({ legacy: true, required: true }),
  field('logo', 'file', 'Logo', { legacy: true }),
  // Deprecated and disabled in crm.item.*; stored for the legacy methods' address fields (legacy-address.ts).
  disabledField('address', 'text', 'Address', { legacy: true, storage: ADDRESS_COLUMN }),
  ...legacyAddressFields(),
  // Deprecated and absent from the seed's writable company table.
  readOnlyField('addressLegal', 'text', 'Legal Address', { legacy: true }),
  ...legacyAddressFields('regAddress'),
  field('bankingDetails', 'string', 'Banking Details', { legacy: true }),
  common.comments({ legacy: true }),
  field('typeId', 'crm_status', 'Company Type', {
    legacy: 'COMPANY_TYPE',
    dictionary: fixedDictionary('COMPANY_TYPE'),
    defaultOnAdd: firstStatus,
  }),
  field('industry', 'crm_status', 'Industry', {
    legacy: true,
    dictionary: fixedDictionary('INDUSTRY'),
    defaultOnAdd: firstStatus,
  }),
  field('revenue', 'double', 'Annual Revenue', { legacy: true, defaultOnAdd: { kind: 'literal', value: 0 } }),
  common.currencyId({ legacy: true }),
  field('employees', 'crm_status', 'Number of Employees', {
    legacy: true,
    dictionary: fixedDictionary('EMPLOYEES'),
    defaultOnAdd: firstStatus,
  }),
  common.leadId({ legacy: true }),
  common.webformId({ immutable: true }),
  common.originatorId({ legacy: true }),
  common.originId({ legacy: true }),
  common.originVersion({ legacy: true }),
  common.hasPhone({ legacy: true }),
  common.hasEmail({ legacy: true }),
  common.hasImol({ legacy: true }),
  field('isMyCompany', 'boolean', 'My Company', {
    legacy: true,
    defaultOnAdd: { kind: 'literal', value: 'N' },
  }),
  common.searchContent(),
  common.categoryId(),
  common.lastActivityBy({ legacy: true }),
  common.lastActivityTime({ legacy: true }),
  readOnlyField('lastCommunicationTime', 'datetime', 'Last Communication Date', { legacy: true }),
  ...multifieldAliases({ withSkypeIcq: false, emailsFirst: true }),
  // Document-generator images of "my company" details; absent from the seed's writable company table.
  readOnlyField('ufLogo', 'file', 'Logo (document generator)'),
  readOnlyField('ufStamp', 'file', 'Company seal (document generator)'),
  readOnlyField('ufDirectorSign', 'file', "Director's signature (document generator)"),
  readOnlyField('ufAccountantSign', 'file', "Chief accountant's signature (document generator)"),
  common.fm(),
  ...utmFields({ term: 'Campaign Search Term' }),
  common.observers(),
  common.contactIds({ legacy: 'CONTACT_ID', storage: { kind: 'relation', relation: 'contactCompanies' } }),
  common.contacts({ storage: { kind: 'relation', relation: 'contactCompanies' } }),
]

export const COMPANY: EntityTypeDescriptor = defineEntityType({
  entityTypeId: 4,
  name: 'COMPANY',
  title: 'Company',
  symbolCode: 'CO',
  userFieldEntityId: 'CRM_COMPANY',
  isDynamic: false,
  hasCategories: true,
  hasStages: false,
  hasMultifields: true,
  hasProductRows: false,
  stageEntityId: () => null,
  stagePrefix: () => '',
  events: legacyEvents('COMPANY'),
  fields,
})
