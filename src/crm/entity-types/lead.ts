/**
 * Lead (entityTypeId 1).
 *
 * Field order and set: the crm.item.get lead sample (universal/crm-item-get.md) — the only full lead item
 * in the docs — checked against universal/object-fields.md#lead. Writable fields: the lead table of the
 * crm.item.update seed. Titles: the crm-item-fields.md example for shared fields, "Lead Name" for `title`
 * (how-to-generate-edit-form-for-lead.md), crm.lead.fields (leads/crm-lead-fields.md) for the rest.
 * Legacy names: leads/crm-lead-fields.md.
 */
import { defineEntityType, legacyEvents, type EntityTypeDescriptor } from './entity-type.js'
import {
  common,
  disabledField,
  field,
  multifieldAliases,
  readOnlyField,
  utmFields,
  type FieldDescriptor,
} from './field.js'
import { ADDRESS_COLUMN, legacyAddressFields } from './legacy-address.js'

const fields: FieldDescriptor[] = [
  common.id({ legacy: true }),
  common.createdTime({ legacy: 'DATE_CREATE' }),
  disabledField('dateCreateShort', 'datetime', 'Created at (short format)'),
  common.updatedTime({ legacy: 'DATE_MODIFY' }),
  disabledField('dateModifyShort', 'datetime', 'Updated at (short format)'),
  common.createdBy({ legacy: 'CREATED_BY_ID' }),
  common.updatedBy({ legacy: 'MODIFY_BY_ID' }),
  common.assignedById({ legacy: true }),
  common.opened({ legacy: true }),
  common.companyId({ legacy: true }),
  common.contactId({ legacy: true }),
  // Lead stages are the STATUS dictionary, without category prefix (crm-item-add.md lead tab).
  common.stageId({ legacy: 'STATUS_ID' }),
  disabledField('isConvert', 'boolean', 'Converted'),
  field('statusDescription', 'text', 'Stage Description', { legacy: true }),
  common.stageSemanticId({ legacy: 'STATUS_SEMANTIC_ID', title: 'Status Semantic' }),
  disabledField('productId', 'string', 'Product'),
  common.opportunity({ legacy: true }),
  common.currencyId({ legacy: true }),
  common.sourceId({ legacy: true }),
  common.sourceDescription({ legacy: true }),
  common.title({ legacy: true, title: 'Lead Name' }),
  field('name', 'string', 'First Name', { legacy: true }),
  field('lastName', 'string', 'Last Name', { legacy: true }),
  field('secondName', 'string', 'Middle Name', { legacy: true }),
  disabledField('shortName', 'string', 'Short name'),
  field('companyTitle', 'string', 'Company Name', { legacy: true }),
  field('post', 'string', 'Position', { legacy: true }),
  // Deprecated and disabled in crm.item.*; stored for the legacy methods' address fields (legacy-address.ts).
  disabledField('address', 'text', 'Address', { legacy: true, storage: ADDRESS_COLUMN }),
  ...legacyAddressFields(),
  common.comments({ legacy: true, title: 'Comments' }),
  common.webformId(),
  common.originatorId({ legacy: true }),
  common.originId({ legacy: true }),
  readOnlyField('dateClosed', 'datetime', 'Closing Date', { legacy: true }),
  field('birthdate', 'date', 'Birthdate', { legacy: true }),
  common.honorific({ legacy: true }),
  common.hasPhone({ legacy: true, title: 'Phone Provided' }),
  common.hasEmail({ legacy: true, title: 'Email Provided' }),
  common.hasImol({ legacy: true, title: 'Open Line Assigned' }),
  disabledField('login', 'string', 'Login'),
  // Read-only, but set to Y when a company or contact is bound (crm-lead-update.md).
  readOnlyField('isReturnCustomer', 'boolean', 'Returning Lead', { legacy: true, rule: 'returnCustomer' }),
  common.searchContent(),
  common.isManualOpportunity({ legacy: true }),
  common.movedBy({ legacy: 'MOVED_BY_ID' }),
  common.movedTime({ legacy: true }),
  common.lastActivityBy({ legacy: true }),
  common.lastActivityTime({ legacy: true }),
  ...multifieldAliases({ withSkypeIcq: true, emailsFirst: false }),
  common.fm(),
  ...utmFields({ term: 'Campaign Search Term' }),
  common.observers(),
  common.contactIds({ legacy: true }),
  common.contacts(),
]

export const LEAD: EntityTypeDescriptor = defineEntityType({
  entityTypeId: 1,
  name: 'LEAD',
  title: 'Lead',
  symbolCode: 'L',
  userFieldEntityId: 'CRM_LEAD',
  isDynamic: false,
  hasCategories: false,
  hasStages: true,
  hasMultifields: true,
  hasProductRows: true,
  stageEntityId: () => 'STATUS',
  stagePrefix: () => '',
  events: legacyEvents('LEAD'),
  fields,
})
