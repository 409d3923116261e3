/**
 * The `crm.item.fields` answer, `{fields: {name: description}}` (api-reference/crm/universal/crm-item-fields.md),
 * and the key order of serialised items.
 *
 * Order of fields: the type's system fields (descriptor order), then custom fields, then `parentId{N}`
 * fields. Order of keys inside one description, as in the documented examples:
 * - system field: type, isRequired, isReadOnly, isImmutable, isMultiple, isDynamic, [isDeprecated],
 *   [statusType], title, [settings], upperName (crm-item-fields.md: `contactId`, `stageId`, `companyId`);
 * - custom field: type, isRequired, isReadOnly, isImmutable, isMultiple, isDynamic, [items], title,
 *   listLabel, formLabel, filterLabel, settings, upperName (crm-item-add.md "Custom fields used in the example";
 *   how-to-set-paid-date-to-deal.md).
 */
import { fieldsListed, type EntityTypeDescriptor } from './entity-type.js'
import type { FieldDescriptor } from './field.js'
import { parentFieldName, parentFieldUpperName, resolveUserFieldNames } from './field-names.js'

/** A custom (`UF_…`) field, as the user-field store describes it. */
export interface UserFieldDescription {
  /** Original UPPER name, e.g. `UF_CRM_44_1721812760630`. */
  readonly fieldName: string
  /** USER_TYPE_ID: string, enumeration, date, url, file, money, boolean, double, crm, … */
  readonly type: string
  readonly isRequired: boolean
  readonly isMultiple: boolean
  readonly title: string
  readonly listLabel: string
  readonly formLabel: string
  readonly filterLabel: string
  readonly settings: Readonly<Record<string, unknown>>
  /** Enumeration values (`enumeration` fields only). */
  readonly items?: readonly { readonly ID: string; readonly VALUE: string }[]
}

/** A parent relation of the type: `parentId{N}` (universal/index.md "Parent Relationships"). */
export interface ParentFieldDescription {
  readonly parentEntityTypeId: number
  /** The parent type's title: "Lead", "Deal", or the smart process's title. */
  readonly title: string
}

export interface FieldsOutputContext {
  /** The type's default category: picks the stage dictionary `statusType` reports (DYNAMIC_1268_STAGE_52). */
  readonly defaultCategoryId: number
  readonly userFields?: readonly UserFieldDescription[]
  readonly parentFields?: readonly ParentFieldDescription[]
  /** `useOriginalUfNames=Y`: custom fields keyed by their UPPER names. */
  readonly useOriginalUfNames?: boolean
}

/** One entry of `result.fields` (data-types.md#crm_rest_field_description and the examples). */
export interface FieldInfo {
  readonly type: string
  readonly isRequired: boolean
  readonly isReadOnly: boolean
  readonly isImmutable: boolean
  readonly isMultiple: boolean
  readonly isDynamic: boolean
  readonly isDeprecated?: true
  readonly statusType?: string
  readonly items?: readonly { readonly ID: string; readonly VALUE: string }[]
  readonly title: string
  readonly listLabel?: string
  readonly formLabel?: string
  readonly filterLabel?: string
  readonly settings?: Readonly<Record<string, unknown>>
  readonly upperName: string
}

export interface ItemFieldsResult {
  readonly fields: Record<string, FieldInfo>
}

/**
 * The `statusType` of a `crm_status` field: the fixed dictionary, or for stage fields the stage dictionary of
 * `categoryId` (crm.item.fields passes the default category — "DEAL_STAGE … does not change based on the
 * currently opened deal", how-to-generate-edit-form-for-deal.md).
 */
export function statusTypeOf(
  type: EntityTypeDescriptor,
  field: FieldDescriptor,
  categoryId: number,
): string | undefined {
  const dictionary = field.dictionary
  if (dictionary === undefined) return undefined
  if (dictionary.kind === 'fixed') return dictionary.entityId
  return type.stageEntityId(categoryId) ?? undefined
}

export function systemFieldInfo(
  type: EntityTypeDescriptor,
  field: FieldDescriptor,
  defaultCategoryId: number,
): FieldInfo {
  const statusType = statusTypeOf(type, field, defaultCategoryId)
  return {
    type: field.type,
    isRequired: field.isRequired,
    isReadOnly: field.isReadOnly,
    isImmutable: field.isImmutable,
    isMultiple: field.isMultiple,
    isDynamic: false,
    ...(field.isDeprecated ? { isDeprecated: true as const } : {}),
    ...(statusType === undefined ? {} : { statusType }),
    title: field.title,
    ...(field.settings === undefined ? {} : { settings: field.settings }),
    upperName: field.upperName,
  }
}

export function userFieldInfo(uf: UserFieldDescription): FieldInfo {
  return {
    type: uf.type,
    isRequired: uf.isRequired,
    isReadOnly: false,
    isImmutable: false,
    isMultiple: uf.isMultiple,
    isDynamic: true,
    ...(uf.items === undefined ? {} : { items: uf.items }),
    title: uf.title,
    listLabel: uf.listLabel,
    formLabel: uf.formLabel,
    filterLabel: uf.filterLabel,
    settings: uf.settings,
    upperName: uf.fieldName,
  }
}

export function parentFieldInfo(parent: ParentFieldDescription): FieldInfo {
  return {
    type: 'crm_entity',
    isRequired: false,
    isReadOnly: false,
    isImmutable: false,
    isMultiple: false,
    isDynamic: false,
    title: parent.title,
    settings: { parentEntityTypeId: parent.parentEntityTypeId },
    upperName: parentFieldUpperName(parent.parentEntityTypeId),
  }
}

/**
 * Wire keys of a type's custom fields: UPPER names with `useOriginalUfNames`, else camelCase with the
 * collision rule (a name already taken by a system field stays UPPER; universal/index.md).
 */
export function userFieldKeys(
  type: EntityTypeDescriptor,
  ufUpperNames: readonly string[],
  useOriginalUfNames: boolean,
): Map<string, string> {
  if (useOriginalUfNames) return new Map(ufUpperNames.map((n) => [n, n]))
  return resolveUserFieldNames(
    ufUpperNames,
    type.fields.map((f) => f.name),
  )
}

/** The `result` of `crm.item.fields` for a type. */
export function renderItemFields(type: EntityTypeDescriptor, context: FieldsOutputContext): ItemFieldsResult {
  const fields: Record<string, FieldInfo> = {}
  for (const field of fieldsListed(type)) {
    fields[field.name] = systemFieldInfo(type, field, context.defaultCategoryId)
  }
  const userFields = context.userFields ?? []
  const keys = userFieldKeys(
    type,
    userFields.map((uf) => uf.fieldName),
    context.useOriginalUfNames ?? false,
  )
  for (const uf of userFields) {
    fields[keys.get(uf.fieldName) ?? uf.fieldName] = userFieldInfo(uf)
  }
  for (const parent of context.parentFields ?? []) {
    fields[parentFieldName(parent.parentEntityTypeId)] = parentFieldInfo(parent)
  }
  return { fields }
}

/**
 * Key order of a serialised item (`crm.item.get/add/update/list`): head system fields, custom fields,
 * `parentId…` fields, tail system fields (utm…, observers, contactIds), `entityTypeId`
 * (crm-item-get.md lead sample; crm-item-add.md deal sample). Fields hidden from items and the
 * `crm.item.fields`-only service fields are left out; disabled fields are included (they print `null`).
 */
export function itemOutputKeys(
  type: EntityTypeDescriptor,
  extra: { readonly userFieldKeys?: readonly string[]; readonly parentFieldKeys?: readonly string[] } = {},
): string[] {
  const inItems = type.fields.filter((f) => f.exposure !== 'hidden' && f.exposure !== 'fieldsOnly')
  return [
    ...inItems.filter((f) => f.outputGroup === 'head').map((f) => f.name),
    ...(extra.userFieldKeys ?? []),
    ...(extra.parentFieldKeys ?? []),
    ...inItems.filter((f) => f.outputGroup === 'tail').map((f) => f.name),
    'entityTypeId',
  ]
}
