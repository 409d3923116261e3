/**
 * Quote / estimate (entityTypeId 7).
 *
 * Field set and order: universal/object-fields.md#quote plus the common fields; writable fields: the quote
 * table of the crm.item.update seed (fields the seed leaves out — quote number, client details, payer type,
 * text-type markers — are read-only). Stages: the QUOTE_STATUS dictionary, no pipelines. Titles:
 * crm-item-fields.md example for shared fields, crm.quote.fields (quote/crm-quote-fields.md) for the rest.
 * Legacy names: quote/crm-quote-fields.md (`stageId ↔ STATUS_ID`).
 */
import { defineEntityType, legacyEvents, type EntityTypeDescriptor } from './entity-type.js'
import { common, disabledField, field, readOnlyField, utmFields, type FieldDescriptor } from './field.js'

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
  common.leadId({ legacy: true }),
  field('dealId', 'crm_deal', 'Deal', { legacy: true, settings: { parentEntityTypeId: 2 } }),
  common.companyId({ legacy: true }),
  common.contactId({ legacy: true }),
  readOnlyField('personTypeId', 'integer', 'Client Type', { legacy: true }),
  common.mycompanyId({ legacy: true }),
  common.title({ legacy: true }),
  common.stageId({ legacy: 'STATUS_ID' }),
  common.closed({ legacy: true }),
  common.opportunity({ legacy: true }),
  common.isManualOpportunity(),
  common.taxValue({ legacy: true }),
  common.currencyId({ legacy: true }),
  common.comments({ legacy: true }),
  readOnlyField('commentsType', 'integer', 'Comment type'),
  common.begindate({ legacy: true }),
  disabledField('begindateShort', 'datetime', 'Start date (short format)'),
  common.closedate({ legacy: true }),
  disabledField('closedateShort', 'datetime', 'End date (short format)'),
  readOnlyField('quoteNumber', 'string', 'Estimate Number', { legacy: true }),
  field('content', 'text', 'Content', { legacy: true }),
  readOnlyField('contentType', 'integer', 'Content type'),
  field('terms', 'text', 'Terms', { legacy: true }),
  readOnlyField('termsType', 'integer', 'Terms type'),
  // 1 file, 2 WebDAV, 3 disk.
  field('storageTypeId', 'integer', 'Storage type', { defaultOnAdd: { kind: 'storageType' } }),
  field('storageElementIds', 'integer', 'Files', {
    multiple: true,
    storage: { kind: 'jsonColumn', column: 'storage_element_ids' },
  }),
  common.locationId({ legacy: true }),
  common.webformId(),
  readOnlyField('clientTitle', 'string', 'Client', { legacy: true }),
  readOnlyField('clientAddr', 'string', 'Address', { legacy: true }),
  readOnlyField('clientContact', 'string', 'Contact Person', { legacy: true }),
  readOnlyField('clientEmail', 'string', 'E-mail', { legacy: true }),
  readOnlyField('clientPhone', 'string', 'Phone', { legacy: true }),
  readOnlyField('clientTpId', 'string', 'Tax ID', { legacy: true }),
  readOnlyField('clientTpaId', 'string', 'KPP', { legacy: true }),
  common.searchContent(),
  disabledField('hasProducts', 'boolean', 'Has products'),
  field('actualDate', 'date', 'Valid until', {
    legacy: true,
    defaultOnAdd: { kind: 'creationDate', plusDays: 7 },
  }),
  common.lastActivityBy({ legacy: true }),
  common.lastActivityTime({ legacy: true }),
  ...utmFields({ term: 'Campaign Search Condition' }),
  common.contactIds({ legacy: true }),
  common.contacts(),
]

export const QUOTE: EntityTypeDescriptor = defineEntityType({
  entityTypeId: 7,
  name: 'QUOTE',
  title: 'Estimate',
  symbolCode: 'Q',
  userFieldEntityId: 'CRM_QUOTE',
  isDynamic: false,
  hasCategories: false,
  hasStages: true,
  hasMultifields: false,
  hasProductRows: true,
  stageEntityId: () => 'QUOTE_STATUS',
  stagePrefix: () => '',
  events: legacyEvents('QUOTE'),
  fields,
})
