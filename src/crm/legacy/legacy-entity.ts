/**
 * The legacy dialect of the CRM (`crm.lead|deal|contact|company.*`, the `CCrm*RestProxy` classes) as data:
 * for each type, the fields its `*.fields` method lists — UPPER names, legacy types (`char` for Y/N flags),
 * titles and flags — and the key order its `*.get` / `*.list` print. Every field names the universal item
 * field (descriptor) it reads and writes, so both dialects work on one item: the descriptors' `legacyName`
 * links them, a few fields name theirs explicitly (multifields, aliases).
 *
 * The flags are the legacy pages' own, and they differ from the universal ones in places
 * (research/server-behaviour.md §2 item 49): a deal's CATEGORY_ID is immutable (crm.deal.update ignores a
 * funnel change), its IS_RETURN_CUSTOMER / IS_REPEATED_APPROACH are writable, LEAD_ID / QUOTE_ID are
 * read-only, a company's ADDRESS_LEGAL is writable.
 */
import type { EntityTypeDescriptor } from '../entity-types/entity-type.js'
import type { FieldDescriptor } from '../entity-types/field.js'

/** The `type` strings the legacy `*.fields` methods report. */
export type LegacyFieldType =
  | 'integer'
  | 'double'
  | 'string'
  | 'char'
  | 'date'
  | 'datetime'
  | 'user'
  | 'file'
  | 'location'
  | 'crm_status'
  | 'crm_currency'
  | 'crm_category'
  | 'crm_company'
  | 'crm_contact'
  | 'crm_lead'
  | 'crm_quote'
  | 'crm_entity'
  | 'crm_multifield'

/** Multifield kinds (api-reference/crm/data-types.md#crm_multifield), in the order items print them. */
export const MULTIFIELD_TYPES = ['PHONE', 'EMAIL', 'WEB', 'IM', 'LINK'] as const
export type MultifieldType = (typeof MULTIFIELD_TYPES)[number]

/** The two address blocks whose parts are written as a whole ("pass the complete set", crm-lead-update.md). */
export type AddressGroup = 'address' | 'regAddress'

/**
 * When a field is in an item on the wire:
 * - `star`: in `select: ['*']` (and so in `*.get` and the default list select);
 * - `explicit`: only when a list's `select` names it (the binding lists CONTACT_IDS / COMPANY_IDS, the
 *   multifields — "There are no masks for selecting multiple fields", crm-lead-list.md);
 * - `never`: not even then (crm-deal-list.md: "The method does not support the field CONTACT_IDS").
 */
export type LegacyOutput = 'star' | 'explicit' | 'never'

export interface LegacyFieldSpec {
  readonly name: string
  readonly type: LegacyFieldType
  readonly title: string
  readonly isRequired: boolean
  readonly isReadOnly: boolean
  readonly isImmutable: boolean
  readonly isMultiple: boolean
  readonly isDeprecated: boolean
  readonly statusType?: string
  readonly settings?: Readonly<Record<string, unknown>>
  /** The universal field behind it (`stageId` for STATUS_ID); undefined only for multifields. */
  readonly item?: string
  /** Multifields: the TYPE_ID of the `fm` records this field holds. */
  readonly multifield?: MultifieldType
  readonly addressGroup?: AddressGroup
  /** Amounts printed with two decimals (`"OPPORTUNITY": "12500.00"`); null prints `"0.00"`. */
  readonly money: boolean
  /**
   * Listed as writable, but a write changes nothing, with the reason: values the server derives (deal
   * CLOSED from the stage) or keeps itself (company LAST_ACTIVITY_*).
   */
  readonly writeIgnored?: string
  readonly output: LegacyOutput
}

export interface LegacyFieldOptions {
  readonly required?: boolean
  readonly readOnly?: boolean
  readonly immutable?: boolean
  readonly multiple?: boolean
  readonly deprecated?: boolean
  readonly statusType?: string
  readonly settings?: Readonly<Record<string, unknown>>
  readonly item?: string
  readonly money?: boolean
  readonly writeIgnored?: string
  readonly output?: LegacyOutput
}

export function legacyField(
  name: string,
  type: LegacyFieldType,
  title: string,
  options: LegacyFieldOptions = {},
): LegacyFieldSpec {
  const multifield = (MULTIFIELD_TYPES as readonly string[]).includes(name)
    ? (name as MultifieldType)
    : undefined
  const addressGroup: AddressGroup | undefined = /^REG_ADDRESS|^ADDRESS_LEGAL$/.test(name)
    ? 'regAddress'
    : /^ADDRESS(_|$)/.test(name)
      ? 'address'
      : undefined
  return Object.freeze({
    name,
    type,
    title,
    isRequired: options.required ?? false,
    isReadOnly: options.readOnly ?? false,
    isImmutable: options.immutable ?? false,
    isMultiple: options.multiple ?? type === 'crm_multifield',
    isDeprecated: options.deprecated ?? false,
    money: options.money ?? false,
    output: options.output ?? (type === 'crm_multifield' ? 'explicit' : 'star'),
    ...(options.statusType === undefined ? {} : { statusType: options.statusType }),
    ...(options.settings === undefined ? {} : { settings: options.settings }),
    ...(options.item === undefined ? {} : { item: options.item }),
    ...(multifield === undefined ? {} : { multifield }),
    ...(addressGroup === undefined ? {} : { addressGroup }),
    ...(options.writeIgnored === undefined ? {} : { writeIgnored: options.writeIgnored }),
  })
}

/** Output placeholders: where the parent relations, the custom fields and the multifields go. */
export const PARENTS = '#PARENTS'
export const USER_FIELDS = '#UF'
export const MULTIFIELDS = '#MULTIFIELDS'

export interface LegacyEntitySpec {
  readonly type: EntityTypeDescriptor
  /** `*.fields` order (the parent relations follow UTM_TERM, custom fields come last). */
  readonly fields: readonly LegacyFieldSpec[]
  /**
   * `*.get` / `*.list` key order, the placeholders included. Names that are not fields print a constant null
   * (the contact's FACE_ID in crm-contact-get.md).
   */
  readonly output: readonly string[]
}

export interface LegacyEntity extends LegacyEntitySpec {
  /** Field by its exact legacy name (the legacy methods match names exactly: §2 item 49). */
  readonly byName: ReadonlyMap<string, LegacyFieldSpec>
  /** The universal descriptor of a (non-multifield) legacy field. */
  itemField(spec: LegacyFieldSpec): FieldDescriptor
  /** The legacy fields that read or write a universal field (several for aliases: REG_ADDRESS, ADDRESS_LEGAL). */
  readonly byItemField: ReadonlyMap<string, readonly LegacyFieldSpec[]>
}

/**
 * Freezes an entity's catalogue and links every field to its descriptor: `item` when given, else the
 * descriptor field whose `legacyName` is the field's name. A field without a counterpart is a programming
 * error and fails at start, as does an output name that is neither a field, a placeholder nor a constant.
 */
export function defineLegacyEntity(spec: LegacyEntitySpec, constants: readonly string[] = []): LegacyEntity {
  const byName = new Map<string, LegacyFieldSpec>()
  const linked: LegacyFieldSpec[] = []
  for (const raw of spec.fields) {
    if (byName.has(raw.name)) throw new Error(`${spec.type.name}: legacy field ${raw.name} declared twice`)
    let field = raw
    if (raw.multifield === undefined && raw.item === undefined) {
      const descriptor = spec.type.fields.find((f) => f.legacyName === raw.name)
      if (descriptor === undefined) throw new Error(`${spec.type.name}: no item field for legacy ${raw.name}`)
      field = Object.freeze({ ...raw, item: descriptor.name })
    }
    if (field.item !== undefined && spec.type.fieldIndex.byName(field.item) === undefined) {
      throw new Error(`${spec.type.name}: legacy ${raw.name} names unknown item field ${field.item}`)
    }
    byName.set(field.name, field)
    linked.push(field)
  }
  for (const name of spec.output) {
    if ([PARENTS, USER_FIELDS, MULTIFIELDS].includes(name) || byName.has(name) || constants.includes(name))
      continue
    throw new Error(`${spec.type.name}: legacy output names unknown field ${name}`)
  }
  const byItemField = new Map<string, LegacyFieldSpec[]>()
  for (const field of linked) {
    if (field.item === undefined) continue
    byItemField.set(field.item, [...(byItemField.get(field.item) ?? []), field])
  }
  return Object.freeze({
    ...spec,
    fields: Object.freeze(linked),
    byName,
    byItemField,
    itemField(field: LegacyFieldSpec): FieldDescriptor {
      const descriptor = field.item === undefined ? undefined : spec.type.fieldIndex.byName(field.item)
      if (descriptor === undefined) throw new Error(`${spec.type.name}: ${field.name} has no item field`)
      return descriptor
    },
  })
}

/** The universal `fm` field of a type with multifields. */
export const FM_FIELD = 'fm'
