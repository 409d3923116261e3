/**
 * Contact (entityTypeId 3).
 *
 * Field set and order: universal/object-fields.md#contact plus the common fields; writable fields: the
 * contact table of the crm.item.update seed, plus `categoryId` (contacts have pipelines but no stages;
 * how-to-make-contact-edit-card.md: "accepted by crm.item.add and crm.item.update"). The same tutorial's
 * verified crm.item.fields excerpt fixes: `name` not required, `companyIds` multiple, `fm` multiple,
 * `webformId` immutable, `lastCommunicationTime` read-only, `fullName` and `birthdaySort` hidden, and the
 * service field `companies`. Titles: crm-item-fields.md example for shared fields, crm.contact.fields
 * (contacts/crm-contact-fields.md) for the rest. Legacy names: contacts/crm-contact-fields.md.
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

const fields: FieldDescriptor[] = [
  common.id({ legacy: true }),
  common.createdTime({ legacy: 'DATE_CREATE' }),
  common.updatedTime({ legacy: 'DATE_MODIFY' }),
  common.createdBy({ legacy: 'CREATED_BY_ID' }),
  common.updatedBy({ legacy: 'MODIFY_BY_ID' }),
  common.assignedById({ legacy: true }),
  common.opened({ legacy: true }),
  // Deprecated single binding: mirrors the primary company of `companyIds`.
  common.companyId({
    legacy: true,
    deprecated: true,
    storage: { kind: 'primaryBinding', relation: 'contactCompanies' },
  }),
  common.sourceId({ legacy: true }),
  common.sourceDescription({ legacy: true }),
  field('name', 'string', 'First Name', { legacy: true }),
  field('lastName', 'string', 'Last Name', { legacy: true }),
  field('secondName', 'string', 'Middle Name', { legacy: true }),
  disabledField('shortName', 'string', 'Short name'),
  // crm.item.update does not accept photo uploads (how-to-make-contact-edit-card.md); crm.contact.update does.
  field('photo', 'file', 'Photo', { legacy: true }),
  field('post', 'string', 'Position', { legacy: true }),
  // Deprecated and disabled in crm.item.*; stored for the legacy methods' address fields (legacy-address.ts).
  disabledField('address', 'text', 'Address', { legacy: true, storage: ADDRESS_COLUMN }),
  ...legacyAddressFields(),
  common.comments({ legacy: true }),
  common.leadId({ legacy: true }),
  field('export', 'boolean', 'Participates in Contact Export', {
    legacy: true,
    defaultOnAdd: { kind: 'literal', value: 'Y' },
  }),
  field('typeId', 'crm_status', 'Contact Type', {
    legacy: true,
    dictionary: fixedDictionary('CONTACT_TYPE'),
    defaultOnAdd: { kind: 'firstStatus' },
  }),
  common.originatorId({ legacy: true }),
  common.originId({ legacy: true }),
  common.originVersion({ legacy: true }),
  field('birthdate', 'date', 'Birthdate', { legacy: true }),
  field('birthdaySort', 'integer', 'Birthday sort', { readOnly: true, exposure: 'hidden' }),
  common.honorific({ legacy: true }),
  common.hasPhone({ legacy: true }),
  common.hasEmail({ legacy: true }),
  common.hasImol({ legacy: true }),
  common.searchContent(),
  common.categoryId(),
  common.webformId({ immutable: true }),
  common.lastActivityBy({ legacy: true }),
  common.lastActivityTime({ legacy: true }),
  readOnlyField('lastCommunicationTime', 'datetime', 'Last Communication Date'),
  disabledField('login', 'string', 'Login'),
  field('fullName', 'string', 'Full name', { readOnly: true, exposure: 'hidden' }),
  ...multifieldAliases({ withSkypeIcq: false, emailsFirst: true }),
  common.fm(),
  ...utmFields({ term: 'Campaign Search Condition' }),
  common.observers(),
  field('companyIds', 'crm_company', 'COMPANY_IDS', {
    legacy: true,
    multiple: true,
    output: 'tail',
    storage: { kind: 'relation', relation: 'contactCompanies' },
  }),
  field('companies', 'crm_company', 'COMPANIES', {
    multiple: true,
    exposure: 'fieldsOnly',
    storage: { kind: 'relation', relation: 'contactCompanies' },
  }),
]

export const CONTACT: EntityTypeDescriptor = defineEntityType({
  entityTypeId: 3,
  name: 'CONTACT',
  title: 'Contact',
  symbolCode: 'C',
  userFieldEntityId: 'CRM_CONTACT',
  isDynamic: false,
  hasCategories: true,
  hasStages: false,
  hasMultifields: true,
  hasProductRows: false,
  stageEntityId: () => null,
  stagePrefix: () => '',
  events: legacyEvents('CONTACT'),
  // Clearing both names of an existing contact fails with CRM_FIELD_ERROR_REQUIRED; a new contact with
  // neither gets a default name (how-to-make-contact-edit-card.md).
  requireOneOf: [['name', 'lastName']],
  fields,
})
