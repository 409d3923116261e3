/**
 * Items on the wire (`crm.item.get/add/update/list`): the JSON object of api-reference/crm/universal/crm-item-get.md
 * and crm-item-add.md, built from a domain {@link Item}.
 *
 * Rules (research/server-behaviour.md §1.D items 27–34):
 * - keys are camelCase, in the order of {@link itemOutputKeys}: head system fields, custom fields,
 *   `parentId{N}`, tail system fields (utm…, observers, contactIds), `entityTypeId` last;
 * - datetimes are ISO-8601 with the portal's offset (`2024-07-22T18:00:08+02:00`);
 * - date-only fields print midnight UTC of the date, shown in the portal's offset — the `CRestUtil::ConvertDate`
 *   quirk: `"birthdate": "2000-01-01T02:00:00+02:00"` at +02:00, the previous evening at negative offsets;
 * - booleans are `"Y"`/`"N"`; numbers are JSON numbers (`"opportunity": 999.9`);
 * - disabled fields are always null ("Disabled fields always return null", crm-item-add.md);
 * - unset `companyId` / `contactId` print 0 (`"companyId": 0, "contactId": 0` in the lead and deal samples),
 *   other unset values print as stored (null);
 * - `fm` is an array of `{id, valueType, value, typeId}`; the flat aliases (`phoneWork`, `email`, …) are the
 *   first value of their kind, `""` when there is none (crm-item-get.md sample);
 * - custom file fields print `{id, url, urlMachine}` (object-fields.md); the system photo / logo the bare id
 *   (how-to-make-contact-edit-card.md).
 */
import type { EntityTypeDescriptor } from '../entity-types/entity-type.js'
import type { FieldDescriptor } from '../entity-types/field.js'
import { camelToUpper, parentFieldName, parseParentFieldName } from '../entity-types/field-names.js'
import { itemOutputKeys, userFieldKeys, type UserFieldDescription } from '../entity-types/fields-output.js'
import { formatIsoWithOffset } from '../../lib/format-date.js'
import { storedDateTimeToEpochMs } from '../../store/list-query.js'
import type { Item, Multifield } from './item.js'

/** What the file-URL builder gets for one file value. */
export interface ItemFileRef {
  readonly entityTypeId: number
  readonly itemId: number
  /** The field's universal name (`photo`, `logo`) or the custom field's UPPER name. */
  readonly fieldName: string
  readonly fileId: number
}

export interface ItemWireOptions {
  /** The portal's offset, minutes east of UTC. */
  readonly timeZoneOffsetMinutes: number
  /** `useOriginalUfNames=Y`: custom fields keyed by their UPPER names. */
  readonly useOriginalUfNames: boolean
  /** Wire keys to output (see {@link resolveItemSelect}); absent: the whole item. `id` is always output. */
  readonly select?: readonly string[]
  /** The type's custom fields, in field order; absent: the keys of `item.uf`. */
  readonly userFields?: readonly UserFieldDescription[]
  /** The type's parent relations (`parentId{N}`, null when unbound); absent: the keys of `item.parents`. */
  readonly parentEntityTypeIds?: readonly number[]
  /** Download URLs of a file value; without it files print `{id}` only. */
  readonly fileUrl?: (file: ItemFileRef) => { url: string; urlMachine: string }
}

/** The wire keys of a type's custom fields: UPPER name → key. */
export function itemUserFieldKeys(
  type: EntityTypeDescriptor,
  upperNames: readonly string[],
  useOriginalUfNames: boolean,
): Map<string, string> {
  return userFieldKeys(type, upperNames, useOriginalUfNames)
}

function parentTypesOf(item: Item, options: Pick<ItemWireOptions, 'parentEntityTypeIds'>): number[] {
  if (options.parentEntityTypeIds !== undefined) return [...options.parentEntityTypeIds]
  return Object.keys(item.parents)
    .map(Number)
    .sort((a, b) => a - b)
}

/** Every wire key of an item of the type, in output order. */
export function itemWireKeys(
  type: EntityTypeDescriptor,
  ufKeys: ReadonlyMap<string, string>,
  parentEntityTypeIds: readonly number[],
): string[] {
  return itemOutputKeys(type, {
    userFieldKeys: [...ufKeys.values()],
    parentFieldKeys: parentEntityTypeIds.map(parentFieldName),
  })
}

/** What one wire key of an item prints (the same for every item of a call). */
type KeySource =
  | { readonly key: string; readonly kind: 'entityTypeId' | 'id' }
  | {
      readonly key: string
      readonly kind: 'uf'
      readonly upper: string
      readonly uf: UserFieldDescription | undefined
    }
  | { readonly key: string; readonly kind: 'parent'; readonly parentType: number }
  | { readonly key: string; readonly kind: 'field'; readonly field: FieldDescriptor }

/**
 * The keys of an item and what each prints. When the options name the custom fields and parent relations
 * (the methods always do) they do not depend on the item: worked out once per options object and type, so a
 * page of 50 items does it once, not 50 times.
 */
const keyPlans = new WeakMap<ItemWireOptions, { type: EntityTypeDescriptor; plan: readonly KeySource[] }>()

function keySources(type: EntityTypeDescriptor, item: Item, options: ItemWireOptions): readonly KeySource[] {
  const reusable = options.userFields !== undefined && options.parentEntityTypeIds !== undefined
  if (reusable) {
    const cached = keyPlans.get(options)
    if (cached !== undefined && cached.type === type) return cached.plan
  }
  const ufUpper = options.userFields?.map((uf) => uf.fieldName) ?? Object.keys(item.uf)
  const ufKeys = itemUserFieldKeys(type, ufUpper, options.useOriginalUfNames)
  const ufByKey = new Map([...ufKeys].map(([upper, key]) => [key, upper]))
  const ufTypes = new Map((options.userFields ?? []).map((uf) => [uf.fieldName, uf]))
  const parentTypes = parentTypesOf(item, options)
  const parentKeys = new Map(parentTypes.map((t) => [parentFieldName(t), t]))
  const selected = options.select === undefined ? undefined : new Set(options.select)
  const plan: KeySource[] = []
  for (const key of itemWireKeys(type, ufKeys, parentTypes)) {
    if (selected !== undefined && key !== 'id' && !selected.has(key)) continue
    if (key === 'entityTypeId') {
      plan.push({ key, kind: 'entityTypeId' })
      continue
    }
    const upper = ufByKey.get(key)
    if (upper !== undefined) {
      plan.push({ key, kind: 'uf', upper, uf: ufTypes.get(upper) })
      continue
    }
    const parentType = parentKeys.get(key)
    if (parentType !== undefined) {
      plan.push({ key, kind: 'parent', parentType })
      continue
    }
    if (key === 'id') {
      plan.push({ key, kind: 'id' })
      continue
    }
    const field = type.fieldIndex.byName(key)
    if (field === undefined) continue
    plan.push({ key, kind: 'field', field })
  }
  if (reusable) keyPlans.set(options, { type, plan })
  return plan
}

/** The JSON object of one item. */
export function itemToWire(
  type: EntityTypeDescriptor,
  item: Item,
  options: ItemWireOptions,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const source of keySources(type, item, options)) {
    switch (source.kind) {
      case 'entityTypeId':
        out[source.key] = item.entityTypeId
        break
      case 'id':
        out[source.key] = item.id
        break
      case 'uf':
        out[source.key] = userFieldToWire(item.uf[source.upper], source.uf, source.upper, item, options)
        break
      case 'parent': {
        const parent = item.parents[source.parentType]
        out[source.key] = parent === undefined || parent === 0 ? null : parent
        break
      }
      case 'field':
        out[source.key] = systemFieldToWire(source.field, item, options)
        break
    }
  }
  return out
}

function systemFieldToWire(field: FieldDescriptor, item: Item, options: ItemWireOptions): unknown {
  if (field.exposure === 'disabled' || field.storage.kind === 'none') return null
  const storage = field.storage
  if (storage.kind === 'multifieldAlias') {
    const fm = multifieldsOf(item)
    const first = fm.find(
      (m) =>
        m.typeId === storage.typeId && (storage.valueType === undefined || m.valueType === storage.valueType),
    )
    return first?.value ?? ''
  }
  const value = item.values[field.name]
  if (field.type === 'crm_multifield') {
    return multifieldsOf(item).map((m) => ({
      id: m.id,
      valueType: m.valueType,
      value: m.value,
      typeId: m.typeId,
    }))
  }
  if (field.isMultiple) {
    return Array.isArray(value)
      ? value.map((v) => scalarToWire(field.type, v, field.name, item, options))
      : []
  }
  if ((field.name === 'companyId' || field.name === 'contactId') && (value === null || value === undefined))
    return 0
  return scalarToWire(field.type, value, field.name, item, options)
}

function multifieldsOf(item: Item): Multifield[] {
  const fm = item.values['fm']
  return Array.isArray(fm) ? (fm as Multifield[]) : []
}

function scalarToWire(
  type: string,
  value: unknown,
  fieldName: string,
  item: Item,
  options: ItemWireOptions,
): unknown {
  if (value === undefined || value === null) return null
  switch (type) {
    case 'boolean':
      return booleanToWire(value)
    case 'date':
      return dateToWire(value, options.timeZoneOffsetMinutes)
    case 'datetime':
      return dateTimeToWire(value, options.timeZoneOffsetMinutes)
    case 'file': {
      // The system file fields (contact photo, company logo) print the bare file id: "crm.item.get then
      // returns the photo as a number, such as 36933" (how-to-make-contact-edit-card.md). Custom file fields
      // print `{id, url, urlMachine}` (userFieldToWire).
      const id = Number(value)
      return Number.isSafeInteger(id) && id > 0 ? id : null
    }
    default:
      return value
  }
}

function booleanToWire(value: unknown): 'Y' | 'N' | null {
  if (typeof value === 'boolean') return value ? 'Y' : 'N'
  if (typeof value === 'number') return value === 0 ? 'N' : 'Y'
  if (typeof value === 'string') return value === 'Y' || value === '1' || value === 'true' ? 'Y' : 'N'
  return null
}

/**
 * A stored date (`YYYY-MM-DD`) as `CRestUtil::ConvertDate` prints it: midnight UTC of that date, in the
 * portal's offset (server-behaviour.md §1.D item 31).
 */
export function dateToWire(value: unknown, offsetMinutes: number): string | null {
  if (typeof value !== 'string') return null
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value)
  if (!match) return null
  const date = new Date(Date.UTC(2000, Number(match[2]) - 1, Number(match[3])))
  date.setUTCFullYear(Number(match[1]))
  const ms = date.getTime()
  return Number.isFinite(ms) ? formatIsoWithOffset(ms, offsetMinutes) : null
}

/** A stored datetime (`YYYY-MM-DDTHH:MM:SSZ`) in the portal's offset. */
export function dateTimeToWire(value: unknown, offsetMinutes: number): string | null {
  if (typeof value !== 'string') return null
  const ms = storedDateTimeToEpochMs(value)
  return Number.isNaN(ms) ? null : formatIsoWithOffset(ms, offsetMinutes)
}

function fileToWire(value: unknown, fieldName: string, item: Item, options: ItemWireOptions): unknown {
  const fileId = Number(typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : value)
  if (!Number.isSafeInteger(fileId) || fileId <= 0) return null
  if (options.fileUrl === undefined) return { id: fileId }
  const urls = options.fileUrl({ entityTypeId: item.entityTypeId, itemId: item.id, fieldName, fileId })
  return { id: fileId, url: urls.url, urlMachine: urls.urlMachine }
}

/**
 * A custom-field value. Stored forms: JSON scalars, arrays for multiple fields; dates `YYYY-MM-DD`, datetimes
 * UTC `YYYY-MM-DDTHH:MM:SSZ`, booleans 0/1 or true/false, files by id. Printed like system fields: booleans
 * `Y`/`N` (crm-item-list.md: "when receiving … the value of such a field is passed in the format Y or N"),
 * dates with the ConvertDate quirk (how-to-set-paid-date-to-deal.md: `"2025-04-29T03:00:00+03:00"`).
 */
function userFieldToWire(
  value: unknown,
  description: UserFieldDescription | undefined,
  upperName: string,
  item: Item,
  options: ItemWireOptions,
): unknown {
  if (value === undefined) return description?.isMultiple === true ? [] : null
  const type = description?.type
  const one = (v: unknown): unknown => {
    if (v === null || v === undefined) return null
    switch (type) {
      case 'boolean':
        return booleanToWire(v)
      case 'date':
        return dateToWire(v, options.timeZoneOffsetMinutes)
      case 'datetime':
        return dateTimeToWire(v, options.timeZoneOffsetMinutes)
      case 'file':
        return fileToWire(v, upperName, item, options)
      default:
        return v
    }
  }
  return Array.isArray(value) ? value.map(one) : one(value)
}

// ---------------------------------------------------------------------------------------------------------
// select
// ---------------------------------------------------------------------------------------------------------

export interface SelectContext {
  /** The type's custom fields: UPPER name → wire key (see {@link itemUserFieldKeys}). */
  readonly userFieldKeys: ReadonlyMap<string, string>
  readonly parentEntityTypeIds: readonly number[]
}

/**
 * The wire keys a crm.item.list `select` asks for, or undefined for the whole item (crm-item-list.md;
 * server-behaviour.md §3 item 71):
 * - missing or empty `select`, or one containing `*`: the whole item, `fm` and `entityTypeId` included;
 * - `UF_*`: every custom field;
 * - a field name, camelCase or UPPER_CASE (`stageId`, `STAGE_ID`), custom fields by either spelling,
 *   `parentId{N}` / `PARENT_ID_{N}`;
 * - `fm` cannot be selected by name ("not a CRM object field … To receive fm in the response, pass
 *   select: ['*']"), nor can `entityTypeId`; unknown entries are dropped without an error;
 * - `id` is always output.
 */
export function resolveItemSelect(
  type: EntityTypeDescriptor,
  raw: unknown,
  context: SelectContext,
): string[] | undefined {
  const entries = selectEntries(raw)
  if (entries.length === 0 || entries.includes('*')) return undefined
  const ufByUpper = context.userFieldKeys
  const ufKeys = new Set(ufByUpper.values())
  const parents = new Set(context.parentEntityTypeIds)
  const result = new Set<string>(['id'])
  for (const entry of entries) {
    if (entry.toUpperCase() === 'UF_*') {
      for (const key of ufKeys) result.add(key)
      continue
    }
    const parentType = parseParentFieldName(entry)
    if (parentType !== null) {
      if (parents.has(parentType)) result.add(parentFieldName(parentType))
      continue
    }
    const field = type.fieldIndex.find(entry)
    if (field !== undefined) {
      if (field.exposure === 'hidden' || field.exposure === 'fieldsOnly' || field.type === 'crm_multifield')
        continue
      result.add(field.name)
      continue
    }
    const ufKey =
      ufByUpper.get(entry) ?? ufByUpper.get(camelToUpper(entry)) ?? (ufKeys.has(entry) ? entry : undefined)
    if (ufKey !== undefined) result.add(ufKey)
  }
  return [...result]
}

function selectEntries(raw: unknown): string[] {
  let list: unknown[]
  if (typeof raw === 'string') list = [raw]
  else if (Array.isArray(raw)) list = raw
  else if (typeof raw === 'object' && raw !== null) list = Object.values(raw)
  else list = []
  return list
    .filter((e): e is string => typeof e === 'string')
    .map((e) => e.trim())
    .filter((e) => e !== '')
}
