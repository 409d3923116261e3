/**
 * Smart processes (dynamic types: entityTypeId 128–192 or even ≥ 1030, created with crm.type.add).
 *
 * A smart process's field list depends on its feature toggles (universal/object-fields.md#spa: "Available
 * only when the `is…Enabled` setting is enabled"; crm-item-add.md SPA tab). The field order, flags and
 * titles follow the crm-item-fields.md example (entityTypeId 1268, every toggle on), the writable set the
 * SPA table of the crm.item.update seed. Smart invoices (smart-invoice.ts) share this layout.
 */
import { defineEntityType, dynamicItemEvents, type EntityTypeDescriptor } from './entity-type.js'
import { common, disabledField, type FieldDescriptor } from './field.js'

/**
 * The settings of a smart process, as crm.type.add / crm.type.get carry them (api-reference/crm/data-types.md#type;
 * universal/user-defined-object-types/crm-type-add.md). Booleans here; `Y`/`N` on the wire.
 */
export interface SmartProcessSettings {
  /** crm.type `id` (not the entityTypeId): user fields live under `CRM_{id}` and are named `UF_CRM_{id}_…`. */
  readonly id: number
  readonly entityTypeId: number
  readonly title: string
  readonly isCategoriesEnabled: boolean
  readonly isStagesEnabled: boolean
  readonly isBeginCloseDatesEnabled: boolean
  readonly isClientEnabled: boolean
  readonly isUseInUserfieldEnabled: boolean
  readonly isLinkWithProductsEnabled: boolean
  readonly isMycompanyEnabled: boolean
  readonly isDocumentsEnabled: boolean
  readonly isSourceEnabled: boolean
  readonly isObserversEnabled: boolean
  readonly isRecyclebinEnabled: boolean
  readonly isAutomationEnabled: boolean
  readonly isBizProcEnabled: boolean
  readonly isSetOpenPermissions: boolean
  readonly isPaymentsEnabled: boolean
  readonly isCountersEnabled: boolean
}

export type SmartProcessFlags = Omit<SmartProcessSettings, 'id' | 'entityTypeId' | 'title'>

/** crm.type.add defaults: everything off except `isSetOpenPermissions` (crm-type-add.md "Default" column). */
export const SMART_PROCESS_DEFAULT_FLAGS: SmartProcessFlags = Object.freeze({
  isCategoriesEnabled: false,
  isStagesEnabled: false,
  isBeginCloseDatesEnabled: false,
  isClientEnabled: false,
  isUseInUserfieldEnabled: false,
  isLinkWithProductsEnabled: false,
  isMycompanyEnabled: false,
  isDocumentsEnabled: false,
  isSourceEnabled: false,
  isObserversEnabled: false,
  isRecyclebinEnabled: false,
  isAutomationEnabled: false,
  isBizProcEnabled: false,
  isSetOpenPermissions: true,
  isPaymentsEnabled: false,
  isCountersEnabled: false,
})

/**
 * Is this id one crm.type.add accepts for a new smart process? "an even integer that is greater than or
 * equal to 1030" or "in the range from 128 to 192" (crm-type-add.md).
 */
export function isSmartProcessEntityTypeId(entityTypeId: number): boolean {
  if (!Number.isInteger(entityTypeId)) return false
  return (entityTypeId >= 128 && entityTypeId <= 192) || (entityTypeId >= 1030 && entityTypeId % 2 === 0)
}

/** The field-shaping toggles of the smart-process layout. */
export interface ItemLayoutFeatures {
  readonly stages: boolean
  readonly beginCloseDates: boolean
  readonly client: boolean
  readonly observers: boolean
  readonly source: boolean
  readonly products: boolean
  readonly mycompany: boolean
}

export interface ItemLayoutExtras {
  /** Inserted after `xmlId` (smart invoice `accountNumber`). */
  readonly afterXmlId?: readonly FieldDescriptor[]
  /** Inserted after `mycompanyId` (smart invoice `comments`, `locationId`). */
  readonly afterMycompany?: readonly FieldDescriptor[]
}

/** The smart-process field list, in the order of the crm-item-fields.md example. */
export function smartItemFields(
  features: ItemLayoutFeatures,
  extras: ItemLayoutExtras = {},
): FieldDescriptor[] {
  const when = (on: boolean, list: FieldDescriptor[]) => (on ? list : [])
  return [
    common.id(),
    common.title(),
    common.xmlId(),
    ...(extras.afterXmlId ?? []),
    common.createdTime(),
    common.updatedTime(),
    common.createdBy(),
    common.updatedBy(),
    common.assignedById(),
    common.opened(),
    common.webformId(),
    ...when(features.beginCloseDates, [common.begindate(), common.closedate()]),
    ...when(features.client, [
      common.companyId(),
      common.contactId(),
      common.contactIds(),
      common.contacts(),
    ]),
    ...when(features.observers, [common.observers()]),
    // Always present: every smart process has at least its default pipeline (crm.type.add side effects).
    common.categoryId(),
    ...when(features.stages, [
      common.movedTime(),
      common.movedBy(),
      common.stageId(),
      common.previousStageId(),
    ]),
    ...when(features.source, [common.sourceId(), common.sourceDescription()]),
    ...when(features.products, [
      common.currencyId(),
      common.isManualOpportunity(),
      common.opportunity(),
      common.taxValue(),
      // "Deprecated. Field is disabled" (object-fields.md#spa); absent from the crm-item-fields.md example.
      disabledField('opportunityAccount', 'double', 'Amount in accounting currency'),
      disabledField('taxValueAccount', 'double', 'Tax amount in accounting currency'),
      disabledField('accountCurrencyId', 'crm_currency', 'Accounting currency'),
    ]),
    ...when(features.mycompany, [common.mycompanyId()]),
    ...(extras.afterMycompany ?? []),
    common.lastActivityBy(),
    common.lastActivityTime(),
  ]
}

/** The descriptor of one smart process, shaped by its toggles. */
export function dynamicTypeDescriptor(settings: SmartProcessSettings): EntityTypeDescriptor {
  const { entityTypeId } = settings
  const fields = smartItemFields({
    stages: settings.isStagesEnabled,
    beginCloseDates: settings.isBeginCloseDatesEnabled,
    client: settings.isClientEnabled,
    observers: settings.isObserversEnabled,
    source: settings.isSourceEnabled,
    products: settings.isLinkWithProductsEnabled,
    mycompany: settings.isMycompanyEnabled,
  })
  return defineEntityType({
    entityTypeId,
    name: `DYNAMIC_${entityTypeId}`,
    title: settings.title,
    // data-types.md#object_type: "the value is converted to hexadecimal representation in lowercase, then
    // the prefix T is added" (128 → T80).
    symbolCode: `T${entityTypeId.toString(16)}`,
    userFieldEntityId: `CRM_${settings.id}`,
    isDynamic: true,
    hasCategories: settings.isCategoriesEnabled,
    hasStages: settings.isStagesEnabled,
    hasMultifields: false,
    hasProductRows: settings.isLinkWithProductsEnabled,
    stageEntityId: (categoryId) =>
      settings.isStagesEnabled ? `DYNAMIC_${entityTypeId}_STAGE_${categoryId}` : null,
    stagePrefix: (categoryId) => `DT${entityTypeId}_${categoryId}`,
    events: dynamicItemEvents(entityTypeId),
    fields,
  })
}
