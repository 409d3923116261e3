/**
 * Deal (entityTypeId 2).
 *
 * Field order and set: the deal item of the crm.item.add / crm.item.update samples
 * (universal/crm-item-add.md, crm-item-update.md), checked against universal/object-fields.md#deal.
 * Writable fields: the deal table of the crm.item.update seed. `categoryId` is `crm_category` and `stageId`
 * reports `statusType: DEAL_STAGE` whatever the pipeline (how-to-generate-edit-form-for-deal.md).
 * Titles: crm-item-fields.md example for shared fields, crm.deal.fields (deals/crm-deal-fields.md) for the
 * rest. Legacy names: deals/crm-deal-fields.md.
 */
import { defineEntityType, legacyEvents, type EntityTypeDescriptor } from './entity-type.js'
import {
  common,
  disabledField,
  field,
  fixedDictionary,
  readOnlyField,
  utmFields,
  type FieldDescriptor,
} from './field.js'

// Deals keep title, currency, responsible and both dates when emptied (server-behaviour.md §1.E item 35).
const keep = { canNotBeEmptied: true } as const

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
  common.companyId({ legacy: true }),
  common.contactId({ legacy: true }),
  field('quoteId', 'crm_quote', 'Estimate', { legacy: true, settings: { parentEntityTypeId: 7 } }),
  common.title({ legacy: true }),
  disabledField('productId', 'string', 'Product'),
  // Changeable through crm.item.update (not through crm.deal.update): crm-deal-update.md, deal form tutorial.
  common.categoryId({ legacy: true }),
  common.stageId({ legacy: true }),
  common.stageSemanticId({ legacy: true, title: 'Stage Group' }),
  readOnlyField('isNew', 'boolean', 'New Deal', { legacy: true }),
  field('isRecurring', 'boolean', 'Recurring Deal', {
    legacy: true,
    defaultOnAdd: { kind: 'literal', value: 'N' },
  }),
  readOnlyField('isReturnCustomer', 'boolean', 'Repeat Deal', { legacy: true }),
  readOnlyField('isRepeatedApproach', 'boolean', 'Repeated Approach', { legacy: true }),
  common.closed({ legacy: true }),
  field('typeId', 'crm_status', 'Type', {
    legacy: true,
    dictionary: fixedDictionary('DEAL_TYPE'),
    defaultOnAdd: { kind: 'firstStatus' },
  }),
  common.opportunity({ legacy: true }),
  common.isManualOpportunity({ legacy: true }),
  common.taxValue({ legacy: true }),
  common.currencyId({ legacy: true, ...keep }),
  field('probability', 'integer', 'Probability', { legacy: true }),
  common.comments({ legacy: true }),
  common.begindate({ legacy: true, ...keep }),
  disabledField('begindateShort', 'datetime', 'Start date (short format)'),
  common.closedate({ legacy: true, ...keep }),
  disabledField('closedateShort', 'datetime', 'End date (short format)'),
  // Event fields and orderStage are absent from the seed's writable deal table: read-only.
  readOnlyField('eventDate', 'datetime', 'Event date'),
  disabledField('eventDateShort', 'datetime', 'Event date (short format)'),
  readOnlyField('eventId', 'crm_status', 'Event type', { dictionary: fixedDictionary('EVENT_TYPE') }),
  readOnlyField('eventDescription', 'text', 'Event description'),
  common.locationId({ legacy: true }),
  // Not in the seed's deal table; settable on create only like the contact's (how-to-make-contact-edit-card.md).
  common.webformId({ immutable: true }),
  common.sourceId({ legacy: true }),
  common.sourceDescription({ legacy: true }),
  common.originatorId({ legacy: true }),
  common.originId({ legacy: true }),
  field('additionalInfo', 'string', 'Additional Information', { legacy: true }),
  common.searchContent(),
  readOnlyField('orderStage', 'string', 'Payment status'),
  common.movedBy({ legacy: 'MOVED_BY_ID' }),
  common.movedTime({ legacy: true }),
  common.lastActivityBy({ legacy: true }),
  common.lastActivityTime({ legacy: true }),
  disabledField('isWork', 'boolean', 'In progress'),
  disabledField('isWon', 'boolean', 'Won'),
  disabledField('isLose', 'boolean', 'Lost'),
  disabledField('receivedAmount', 'string', 'Amount received'),
  disabledField('lostAmount', 'string', 'Amount lost'),
  disabledField('hasProducts', 'boolean', 'Has products'),
  ...utmFields({ term: 'Campaign Search Condition' }),
  common.observers(),
  common.contactIds({ legacy: true }),
  common.contacts(),
]

export const DEAL: EntityTypeDescriptor = defineEntityType({
  entityTypeId: 2,
  name: 'DEAL',
  title: 'Deal',
  symbolCode: 'D',
  userFieldEntityId: 'CRM_DEAL',
  isDynamic: false,
  hasCategories: true,
  hasStages: true,
  hasMultifields: false,
  hasProductRows: true,
  // The general pipeline (0) uses DEAL_STAGE and bare ids; pipeline N uses DEAL_STAGE_N and `CN:` ids.
  stageEntityId: (categoryId) => (categoryId === 0 ? 'DEAL_STAGE' : `DEAL_STAGE_${categoryId}`),
  stagePrefix: (categoryId) => (categoryId === 0 ? '' : `C${categoryId}`),
  events: { ...legacyEvents('DEAL'), moveToCategory: ['ONCRMDEALMOVETOCATEGORY'] },
  fields,
})
