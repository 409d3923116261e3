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

/** How a system field prints, worked out once per field ({@link fieldRender}). */
type FieldRender =
  /** disabled fields and fields with nothing stored print null */
  | { readonly kind: 'null' }
  /** a multifield alias: the first `fm` value of its kind, `""` when there is none */
  | { readonly kind: 'alias'; readonly typeId: string; readonly valueType: string | undefined }
  /** `fm` itself */
  | { readonly kind: 'fm'; readonly name: string }
  /** a multiple field: each value as a scalar */
  | { readonly kind: 'list'; readonly name: string; readonly type: string }
  /** `companyId` / `contactId`: 0 when unset */
  | { readonly kind: 'binding'; readonly name: string }
  | { readonly kind: 'scalar'; readonly name: string; readonly type: string }

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
  | { readonly key: string; readonly kind: 'field'; readonly render: FieldRender }

/** The first rule that applies, in this order: disabled, alias, `fm`, multiple, single binding, scalar. */
function fieldRender(field: FieldDescriptor): FieldRender {
  const storage = field.storage
  if (field.exposure === 'disabled' || storage.kind === 'none') return { kind: 'null' }
  if (storage.kind === 'multifieldAlias') {
    return { kind: 'alias', typeId: storage.typeId, valueType: storage.valueType }
  }
  if (field.type === 'crm_multifield') return { kind: 'fm', name: field.name }
  if (field.isMultiple) return { kind: 'list', name: field.name, type: field.type }
  if (field.name === 'companyId' || field.name === 'contactId') return { kind: 'binding', name: field.name }
  return { kind: 'scalar', name: field.name, type: field.type }
}

/**
 * The keys of an item and what each prints. When the options name the custom fields and parent relations
 * (the methods always do) they do not depend on the item: worked out once per type and configuration for
 * whole items (the methods' custom-field list is the configuration cache's, the same array until it
 * changes), once per call for a `select`, so a page of 50 items does it once, not 50 times.
 */
const wholeItemPlans = new WeakMap<readonly UserFieldDescription[], Map<string, WholeItemPlan>>()

interface WholeItemPlan {
  readonly type: EntityTypeDescriptor
  readonly parentEntityTypeIds: readonly number[]
  readonly plan: RenderPlan
}

interface RenderPlan {
  readonly sources: readonly KeySource[]
  /** makes the item's object from the values of `sources` ({@link recordMaker}) */
  readonly make: RecordMaker
}

const selectPlans = new WeakMap<ItemWireOptions, { type: EntityTypeDescriptor; plan: RenderPlan }>()

function keySources(type: EntityTypeDescriptor, item: Item, options: ItemWireOptions): RenderPlan {
  const { userFields, parentEntityTypeIds } = options
  if (userFields === undefined || parentEntityTypeIds === undefined)
    return buildKeySources(type, item, options)
  if (options.select !== undefined) {
    const cached = selectPlans.get(options)
    if (cached !== undefined && cached.type === type) return cached.plan
    const plan = buildKeySources(type, item, options)
    selectPlans.set(options, { type, plan })
    return plan
  }
  let byType = wholeItemPlans.get(userFields)
  if (byType === undefined) wholeItemPlans.set(userFields, (byType = new Map()))
  const key = `${type.entityTypeId}:${options.useOriginalUfNames ? 'Y' : 'N'}`
  const cached = byType.get(key)
  if (
    cached !== undefined &&
    cached.type === type &&
    sameIds(cached.parentEntityTypeIds, parentEntityTypeIds)
  ) {
    return cached.plan
  }
  const plan = buildKeySources(type, item, options)
  byType.set(key, { type, parentEntityTypeIds: [...parentEntityTypeIds], plan })
  return plan
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i])
}

function buildKeySources(type: EntityTypeDescriptor, item: Item, options: ItemWireOptions): RenderPlan {
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
    plan.push({ key, kind: 'field', render: fieldRender(field) })
  }
  return { sources: plan, make: recordMaker(plan.map((source) => source.key)) }
}

/** The JSON object of one item. */
export function itemToWire(
  type: EntityTypeDescriptor,
  item: Item,
  options: ItemWireOptions,
): Record<string, unknown> {
  const { sources, make } = keySources(type, item, options)
  const values = new Array<unknown>(sources.length)
  for (let i = 0; i < sources.length; i++) values[i] = wireValue(sources[i] as KeySource, item, options)
  return make(values)
}

function wireValue(source: KeySource, item: Item, options: ItemWireOptions): unknown {
  switch (source.kind) {
    case 'entityTypeId':
      return item.entityTypeId
    case 'id':
      return item.id
    case 'uf':
      return userFieldToWire(item.uf[source.upper], source.uf, source.upper, item, options)
    case 'parent': {
      const parent = item.parents[source.parentType]
      return parent === undefined || parent === 0 ? null : parent
    }
    case 'field': {
      const render = source.render
      switch (render.kind) {
        case 'null':
          return null
        case 'alias': {
          const first = multifieldsOf(item).find(
            (m) =>
              m.typeId === render.typeId &&
              (render.valueType === undefined || m.valueType === render.valueType),
          )
          return first?.value ?? ''
        }
        case 'fm':
          return multifieldsOf(item).map((m) => ({
            id: m.id,
            valueType: m.valueType,
            value: m.value,
            typeId: m.typeId,
          }))
        case 'list': {
          const value = item.values[render.name]
          return Array.isArray(value)
            ? value.map((v) => scalarToWire(render.type, v, options.timeZoneOffsetMinutes))
            : []
        }
        case 'binding': {
          const value = item.values[render.name]
          return value === null || value === undefined ? 0 : value
        }
        case 'scalar':
          return scalarToWire(render.type, item.values[render.name], options.timeZoneOffsetMinutes)
      }
    }
  }
}

/**
 * A function that makes objects with `keys`, in that order, from an array of their values. Giving an object
 * its keys one by one through computed names costs a lookup per key (~25 ns: 2–3 µs for an item's 70 keys,
 * a tenth of the instructions of a list page), and past a dozen keys turns it into a slow dictionary; an
 * object literal with the keys written out is made in one step (~70 ns) and keeps a fast layout. The
 * literal is compiled once per list of keys (the last {@link MAKERS_LIMIT} lists are kept: a `select` makes
 * lists of its own): keys are quoted by JSON.stringify (a JSON string is a valid JavaScript string literal)
 * and values read by position, so nothing else of the key text reaches the code.
 */
export function recordMaker(keys: readonly string[]): RecordMaker {
  const name = keys.join('\n')
  let maker = makers.get(name)
  if (maker === undefined) {
    if (makers.size >= MAKERS_LIMIT) makers.delete(makers.keys().next().value as string)
    makers.set(name, (maker = compileRecordMaker(keys)))
  }
  return maker
}

export type RecordMaker = (values: readonly unknown[]) => Record<string, unknown>

const MAKERS_LIMIT = 500
const makers = new Map<string, RecordMaker>()

function compileRecordMaker(keys: readonly string[]): RecordMaker {
  const keyByKey: RecordMaker = (values) => {
    const record: Record<string, unknown> = {}
    keys.forEach((key, i) =>
      Object.defineProperty(record, key, {
        value: values[i],
        enumerable: true,
        writable: true,
        configurable: true,
      }),
    )
    return record
  }
  // A quoted "__proto__" in a literal would set the prototype: such a list (none of ours) is filled key by
  // key, and so is every list where code generation is turned off (--disallow-code-generation-from-strings).
  if (keys.includes('__proto__')) return keyByKey
  const literal = keys.map((key, i) => `${JSON.stringify(key)}: values[${i}]`).join(', ')
  try {
    return new Function('values', `return { ${literal} }`) as RecordMaker
  } catch {
    return keyByKey
  }
}

function multifieldsOf(item: Item): Multifield[] {
  const fm = item.values['fm']
  return Array.isArray(fm) ? (fm as Multifield[]) : []
}

function scalarToWire(type: string, value: unknown, offsetMinutes: number): unknown {
  if (value === undefined || value === null) return null
  switch (type) {
    case 'boolean':
      return booleanToWire(value)
    case 'date':
      return dateToWire(value, offsetMinutes)
    case 'datetime':
      return dateTimeToWire(value, offsetMinutes)
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

// ---------------------------------------------------------------------------------------------------------
// dates
// ---------------------------------------------------------------------------------------------------------

/**
 * A stored date (`YYYY-MM-DD`) as `CRestUtil::ConvertDate` prints it: midnight UTC of that date, in the
 * portal's offset (server-behaviour.md §1.D item 31).
 */
export function dateToWire(value: unknown, offsetMinutes: number): string | null {
  if (typeof value !== 'string') return null
  // `YYYY-MM-DD` and anything after it
  const year = digitsAt(value, 0, 4)
  const month = value.charCodeAt(4) === DASH ? digitsAt(value, 5, 2) : -1
  const day = value.charCodeAt(7) === DASH ? digitsAt(value, 8, 2) : -1
  if (year < 0 || month < 0 || day < 0) return null
  const fast = shiftedIso(year, month, day, 0, 0, 0, offsetMinutes)
  if (fast !== undefined) return fast
  const date = new Date(Date.UTC(2000, month - 1, day))
  date.setUTCFullYear(year)
  const ms = date.getTime()
  return Number.isFinite(ms) ? formatIsoWithOffset(ms, offsetMinutes) : null
}

/** A stored datetime (`YYYY-MM-DDTHH:MM:SSZ`) in the portal's offset. */
export function dateTimeToWire(value: unknown, offsetMinutes: number): string | null {
  if (typeof value !== 'string' || value.length !== 20) return null
  const separators =
    value.charCodeAt(4) === DASH &&
    value.charCodeAt(7) === DASH &&
    value.charCodeAt(10) === 84 /* T */ &&
    value.charCodeAt(13) === COLON &&
    value.charCodeAt(16) === COLON &&
    value.charCodeAt(19) === 90 /* Z */
  const year = digitsAt(value, 0, 4)
  const month = digitsAt(value, 5, 2)
  const day = digitsAt(value, 8, 2)
  const hour = digitsAt(value, 11, 2)
  const minute = digitsAt(value, 14, 2)
  const second = digitsAt(value, 17, 2)
  if (!separators || year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return null
  const fast = shiftedIso(year, month, day, hour, minute, second, offsetMinutes)
  if (fast !== undefined) return fast
  const ms = storedDateTimeToEpochMs(value)
  return Number.isNaN(ms) ? null : formatIsoWithOffset(ms, offsetMinutes)
}

const DASH = 45
const COLON = 58

/** The number written with `count` ASCII digits at `from`, or -1 when they are not all digits. */
function digitsAt(text: string, from: number, count: number): number {
  let n = 0
  for (let i = from; i < from + count; i++) {
    const digit = text.charCodeAt(i) - 48
    if (!(digit >= 0 && digit <= 9)) return -1
    n = n * 10 + digit
  }
  return n
}

/**
 * What formatIsoWithOffset prints for a UTC wall time, worked out on the calendar fields: a page of items
 * prints hundreds of dates, and two `Date` objects per date cost more than the rest of the item. Undefined
 * for what the calendar arithmetic here does not cover (an invalid date, a year that leaves 1–9999, an odd
 * offset): the caller then goes through `Date` as before.
 */
function shiftedIso(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  offsetMinutes: number,
): string | undefined {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined
  if (hour > 23 || minute > 59 || second > 59) return undefined
  if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) >= 1440) return undefined
  let minutes = hour * 60 + minute + offsetMinutes
  if (minutes < 0) {
    minutes += 1440
    if (--day < 1) {
      if (--month < 1) {
        month = 12
        year--
      }
      day = daysInMonth(year, month)
    }
  } else if (minutes >= 1440) {
    minutes -= 1440
    if (++day > daysInMonth(year, month)) {
      day = 1
      if (++month > 12) {
        month = 1
        year++
      }
    }
  }
  if (year < 1 || year > 9999) return undefined
  const hours = Math.floor(minutes / 60)
  const date = `${year >= 1000 ? String(year) : String(year).padStart(4, '0')}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}`
  return `${date}T${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes - hours * 60]}:${TWO_DIGITS[second]}${offsetSuffix(offsetMinutes)}`
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/** `00` … `59` */
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'))

const offsetSuffixes = new Map<number, string>()

/** `+03:00`, `-05:30`: the tail formatIsoWithOffset prints for an offset. */
function offsetSuffix(offsetMinutes: number): string {
  let suffix = offsetSuffixes.get(offsetMinutes)
  if (suffix === undefined) {
    suffix = formatIsoWithOffset(0, offsetMinutes).slice(19)
    offsetSuffixes.set(offsetMinutes, suffix)
  }
  return suffix
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
  if (!Array.isArray(value)) return userFieldValueToWire(value, type, upperName, item, options)
  return value.map((v) => userFieldValueToWire(v, type, upperName, item, options))
}

function userFieldValueToWire(
  value: unknown,
  type: string | undefined,
  upperName: string,
  item: Item,
  options: ItemWireOptions,
): unknown {
  if (value === null || value === undefined) return null
  switch (type) {
    case 'boolean':
      return booleanToWire(value)
    case 'date':
      return dateToWire(value, options.timeZoneOffsetMinutes)
    case 'datetime':
      return dateTimeToWire(value, options.timeZoneOffsetMinutes)
    case 'file':
      return fileToWire(value, upperName, item, options)
    default:
      return value
  }
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
