/**
 * Smart invoice, "Invoice (new)" (entityTypeId 31, SMART_INVOICE, abbreviation SI).
 *
 * Built like a smart process with every field-shaping feature on (universal/object-fields.md#invoice;
 * universal/invoice.md), plus `accountNumber`, `comments` and `locationId`. Writable fields: the invoice
 * table of the crm.item.update seed, plus `categoryId` (invoices have pipelines: universal/category/index.md).
 * It has no UTM fields (neither the seed nor object-fields.md lists them) and no legacy methods. It fires
 * the smart-process events (universal/invoice.md "Events"). Stage ids look like `DT31_{categoryId}:N`.
 */
import { defineEntityType, dynamicItemEvents, type EntityTypeDescriptor } from './entity-type.js'
import { smartItemFields } from './dynamic.js'
import { common, readOnlyField } from './field.js'

const fields = smartItemFields(
  {
    stages: true,
    beginCloseDates: true,
    client: true,
    observers: true,
    source: true,
    products: true,
    mycompany: true,
  },
  {
    // Absent from the seed's writable invoice table.
    afterXmlId: [readOnlyField('accountNumber', 'string', 'Invoice number')],
    afterMycompany: [common.comments(), common.locationId()],
  },
)

export const SMART_INVOICE: EntityTypeDescriptor = defineEntityType({
  entityTypeId: 31,
  name: 'SMART_INVOICE',
  title: 'Invoice',
  symbolCode: 'SI',
  userFieldEntityId: 'CRM_SMART_INVOICE',
  isDynamic: false,
  hasCategories: true,
  hasStages: true,
  hasMultifields: false,
  hasProductRows: true,
  stageEntityId: (categoryId) => `SMART_INVOICE_STAGE_${categoryId}`,
  stagePrefix: (categoryId) => `DT31_${categoryId}`,
  events: dynamicItemEvents(31),
  fields,
})
