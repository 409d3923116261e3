/**
 * Reads the `fields` parameter of crm.item.add / crm.item.update into a patch of domain values — the
 * controller's key conversion and `processFields` (research/server-behaviour.md §1.A item 6, §1.B items
 * 11–20). Pure: no storage, no clock. What needs the database (dictionaries, users, bound items, parent
 * types) is checked later by the operation.
 *
 * Every key that does not reach the patch is kept with its reason, so a future strict mode can report it;
 * the documented behaviour is to ignore such keys silently ("An incorrect field in fields will be ignored",
 * crm-item-update.md).
 */
import type { EntityTypeDescriptor } from '../../entity-types/entity-type.js'
import type { FieldDescriptor, FieldType } from '../../entity-types/field.js'
import { camelToUpper, parseParentFieldName, regularCamelToUpper } from '../../entity-types/field-names.js'
import { userFieldKeys } from '../../entity-types/fields-output.js'
import type { UserFieldDefinition } from '../../user-fields/user-field.js'
import {
  readUserFieldValue,
  type FileElement,
  type UserFieldDialect,
  type UserFieldWrite,
} from '../../user-fields/user-field-values.js'
import { toStoredDate, toStoredDateTime } from '../../../store/list-query.js'
import { ItemOperationError } from './errors.js'
import type { Item } from '../item.js'
import { readLegacyFields } from './read-legacy-fields.js'

export type IgnoredReason =
  /** Not a field of the type, nor one of its custom fields. */
  | 'unknown'
  /** Read-only / auto-generated: id, createdTime, stageSemanticId, … (§1.E item 36). */
  | 'readOnly'
  /** Settable on add only; an update keeps the old value (how-to-make-contact-edit-card.md: webformId). */
  | 'immutable'
  /** A disabled field: always null in items (object-fields.md "Field is disabled"). */
  | 'disabled'
  /** A field no wire shows (contact fullName, birthdaySort). */
  | 'hidden'
  /** A date the server cannot read: the old value stays (§1.B item 13). */
  | 'invalidDate'
  /** A `UF_…` key while useOriginalUfNames is N (how-to-set-paid-date-to-deal.md). */
  | 'ufWithoutOriginalNames'
  /**
   * An empty value (`[]`, `''`) for a multiple custom field: the values stay (how-to-generate-edit-form-for-deal.md:
   * "the handler sends an empty array … crm.item.get returns the previous values").
   */
  | 'emptyMultipleKept'
  /** An upload that cannot be read (empty or not Base64, or `{fileData}` on crm.item.*): skipped. */
  | 'invalidUpload'
  /** Legacy methods: a list given to a single file field is not kept (how-to-add-lead-with-files.md). */
  | 'singleFieldGotList'
  /** Legacy methods: a field their `*.fields` list as writable that takes no value here (files, derived flags). */
  | 'notSupported'
  /** The same field was given twice (`title` and `TITLE`); the later key won. */
  | 'duplicate'
  /** `fm` given as a scalar: the item keeps its multifields (how-to-change-email-or-phone.md). */
  | 'multifieldNotIterable'
  /** An `fm` entry without `typeId`: skipped (how-to-change-email-or-phone.md). */
  | 'multifieldWithoutType'
  /** An `fm` entry that adds nothing: no value under an `n…` key, or not an object. */
  | 'multifieldEmpty'
  /** A `parentId{N}` whose N names no CRM type of the portal (§1.B item 19). Set by the operation. */
  | 'unknownParentType'
  /** Emptied on update but "CanNotBeEmptied": the old value stays (§1.E item 35). Set by the operation. */
  | 'cannotBeEmptied'

export interface IgnoredKey {
  /** The key as the client sent it (`fm.n0` for an fm entry). */
  key: string
  reason: IgnoredReason
}

/** One fm operation (crm-item-update.md "fm": add with `n0`…, change or delete by record id). */
export interface MultifieldOperation {
  /** `add` for `n…` keys and list elements; `set` for a numeric key (an unknown id adds a new record). */
  kind: 'add' | 'set'
  /** The record id of a `set`. */
  id?: number
  typeId: string
  /** Absent: an added record gets the default, a changed record keeps its own. */
  valueType?: string
  /** `''` on a `set` deletes the record. */
  value: string
}

/** One element of the service binding fields `contacts` / `companies` (crm-item-fields.md). */
export interface BindingInput {
  id: number
  isPrimary: boolean
}

export interface FieldPatch {
  /**
   * System field values by descriptor name, in the domain forms of item.ts; null clears. Binding service
   * fields (`contacts`, `companies`) carry BindingInput[] | null.
   */
  values: Record<string, unknown>
  /** parentId{N}: N → parent item id, or null to unbind (§1.B item 19). */
  parents: Record<number, number | null>
  /** Custom-field values by UPPER name (user-fields/user-field-values.ts). */
  uf: Record<string, UserFieldWrite>
  /**
   * New values of system file fields (contact `photo`, company `logo`) by field name: uploads and removals
   * resolved against the stored file when applied (user-fields/user-field-apply.ts). Only the legacy
   * methods set them (`PHOTO: {fileData: […]}`); crm.item.* refuses these fields.
   */
  files?: Record<string, FileElement[]>
  /** `fm` operations in the order given, when `fm` was given as an object or a list. */
  multifields?: MultifieldOperation[]
}

export interface ReadFieldsOptions {
  operation: 'add' | 'update'
  useOriginalUfNames: boolean
  /** Date-times written without an offset are read in this offset (minutes east of UTC). */
  timeZoneOffsetMinutes: number
  /** The portal's short date format (`MM/DD/YYYY`, `DD.MM.YYYY`); ISO is always read. */
  dateFormat?: string
  /** The type's custom fields; without them every `uf…` key is unknown. */
  userFields?: readonly UserFieldDefinition[]
  /**
   * Whose value forms custom fields take: `universal` (crm.item.*: files as `[name, base64]`) or `legacy`
   * (crm.lead|deal|contact|company.*: files as `{fileData: […]}`, booleans `1`/`Y`). Default universal.
   */
  dialect?: UserFieldDialect
  /**
   * The item as stored before an update. The legacy dialect's rules read it: a CONTACT_ID that is already
   * bound changes nothing, multifield IDs must be the item's own, a lead's IS_RETURN_CUSTOMER follows its
   * company and contacts (read-legacy-fields.ts).
   */
  current?: Item
}

export interface ReadFieldsResult {
  patch: FieldPatch
  ignored: IgnoredKey[]
}

export function readFields(
  type: EntityTypeDescriptor,
  rawFields: Record<string, unknown>,
  options: ReadFieldsOptions,
): ReadFieldsResult {
  // crm.lead|deal|contact|company.*: UPPER legacy names, Y/N flags, PHONE/EMAIL lists (read-legacy-fields.ts).
  if (options.dialect === 'legacy') return readLegacyFields(type, rawFields, options)
  const patch: FieldPatch = { values: {}, parents: {}, uf: {} }
  const ignored: IgnoredKey[] = []
  const seen = new Map<string, string>()
  const noteDuplicate = (target: string, key: string) => {
    const earlier = seen.get(target)
    if (earlier !== undefined) ignored.push({ key: earlier, reason: 'duplicate' })
    seen.set(target, key)
  }
  const findUserField = userFieldFinder(type, options)

  for (const [key, raw] of Object.entries(rawFields)) {
    const field = findField(type, key)
    if (field !== undefined) {
      const reason = unwritableReason(field, options.operation)
      if (reason !== undefined) {
        ignored.push({ key, reason })
        continue
      }
      noteDuplicate(field.name, key)
      if (field.type === 'crm_multifield') {
        readMultifields(key, raw, patch, ignored)
        continue
      }
      const read = readValue(field, raw, options)
      if (read.ok) patch.values[field.name] = read.value
      else ignored.push({ key, reason: read.reason })
      continue
    }

    const parentTypeId = parseParentFieldName(key) ?? parseParentFieldName(regularCamelToUpper(key))
    if (parentTypeId !== null) {
      noteDuplicate(`parent:${parentTypeId}`, key)
      patch.parents[parentTypeId] = readParentId(raw)
      continue
    }

    // Custom fields: `ufCrm…` with useOriginalUfNames=N, `UF_CRM_…` with Y (crm-item-update.md); with N an
    // UPPER key is ignored ("the field remains unchanged", how-to-set-paid-date-to-deal.md).
    const userField = findUserField(key)
    if (userField !== undefined) {
      noteDuplicate(`uf:${userField.fieldName}`, key)
      const read = readUserFieldValue(userField, raw, {
        dialect: options.dialect ?? 'universal',
        timeZoneOffsetMinutes: options.timeZoneOffsetMinutes,
        ...(options.dateFormat === undefined ? {} : { dateFormat: options.dateFormat }),
      })
      if (read.ok) patch.uf[userField.fieldName] = read.write
      else ignored.push({ key, reason: read.reason })
      continue
    }
    if (key.startsWith('UF_') && !options.useOriginalUfNames) {
      ignored.push({ key, reason: 'ufWithoutOriginalNames' })
      continue
    }
    ignored.push({ key, reason: 'unknown' })
  }
  return { patch, ignored }
}

/**
 * The custom field a key names. With useOriginalUfNames the UPPER name (and, leniently, its camel form); without,
 * the camel wire key — or the UPPER name of a field whose camel name collides with a system field, since that
 * is its wire key (universal/index.md "Field Naming Conventions").
 */
function userFieldFinder(
  type: EntityTypeDescriptor,
  options: ReadFieldsOptions,
): (key: string) => UserFieldDefinition | undefined {
  const defs = options.userFields ?? []
  if (defs.length === 0) return () => undefined
  const byUpper = new Map(defs.map((d) => [d.fieldName, d]))
  if (options.useOriginalUfNames) {
    return (key) => byUpper.get(key) ?? (key.startsWith('uf') ? byUpper.get(camelToUpper(key)) : undefined)
  }
  const byWireKey = new Map<string, UserFieldDefinition>()
  for (const [upper, wireKey] of userFieldKeys(type, [...byUpper.keys()], false)) {
    const def = byUpper.get(upper)
    if (def !== undefined) byWireKey.set(wireKey, def)
  }
  return (key) => {
    const exact = byWireKey.get(key)
    if (exact !== undefined) return exact
    if (!key.startsWith('uf')) return undefined
    const def = byUpper.get(camelToUpper(key))
    return def !== undefined && byWireKey.get(def.fieldName) === undefined ? def : undefined
  }
}

/**
 * The field a key names. Keys are converted camelCase → UPPER before matching and a known UPPER name is kept
 * (§1.A item 6, §1.D item 29), so `title`, `TITLE`, `Title` and `assigned_by_id` all reach their field.
 */
export function findField(type: EntityTypeDescriptor, key: string): FieldDescriptor | undefined {
  return type.fieldIndex.find(key) ?? type.fieldIndex.byUpperName(regularCamelToUpper(key))
}

function unwritableReason(field: FieldDescriptor, operation: 'add' | 'update'): IgnoredReason | undefined {
  if (field.exposure === 'disabled') return 'disabled'
  if (field.exposure === 'hidden') return 'hidden'
  if (field.isReadOnly) return 'readOnly'
  if (field.isImmutable && operation === 'update') return 'immutable'
  return undefined
}

/**
 * PHP's `empty()`: `''`, `0`, `'0'`, `null`, `false` and an empty array (a JSON `[]` or `{}`) — such a value
 * sets the field to null (§1.B item 12).
 */
export function isPhpEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '' || value === '0') return true
  if (typeof value === 'number') return value === 0
  if (Array.isArray(value)) return value.length === 0
  if (typeof value === 'object') return Object.keys(value).length === 0
  return false
}

/** PHP's gettype(), as the code-100 message names it ("… but got string instead"). */
export function phpGetType(value: unknown): string {
  if (value === null || value === undefined) return 'NULL'
  if (typeof value === 'boolean') return 'boolean'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'double'
  if (typeof value === 'string') return 'string'
  if (Array.isArray(value) || typeof value === 'object') return 'array'
  return 'unknown type'
}

const NUMERIC_PREFIX = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/

/** PHP's `(float)` cast: the leading number of a string, 0 when there is none; true is 1. */
export function phpFloat(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : 0
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value !== 'string') return 0
  const match = NUMERIC_PREFIX.exec(value)
  return match === null ? 0 : Number(match[0])
}

/** PHP's `(int)` cast: `"12abc"` → 12, `"abc"` → 0, `"1e3"` → 1000, `12.9` → 12. */
export function phpInt(value: unknown): number {
  const n = Math.trunc(phpFloat(value))
  return Number.isSafeInteger(n) ? n : 0
}

/**
 * Booleans read as `prepareBooleanFieldValue` does (§1.B item 14): true, `'true'`, `'y'` and `'Y'` are true;
 * everything else is false — `'N'`, `1` and `'1'` included.
 */
export function readBoolean(value: unknown): boolean {
  if (value === true) return true
  return value === 'true' || value === 'y' || value === 'Y'
}

type Read = { ok: true; value: unknown } | { ok: false; reason: IgnoredReason }

const REFERENCE_TYPES: ReadonlySet<FieldType> = new Set<FieldType>([
  'user',
  'crm_company',
  'crm_contact',
  'crm_lead',
  'crm_deal',
  'crm_quote',
  'crm_entity',
  'location',
])

function readValue(field: FieldDescriptor, raw: unknown, options: ReadFieldsOptions): Read {
  if (field.exposure === 'fieldsOnly') return { ok: true, value: readBindings(field, raw) }
  if (field.isMultiple) return { ok: true, value: readMultiple(field, raw) }
  // Booleans: PHP-empty becomes null, which the boolean column stores as N; keep false directly.
  if (field.type === 'boolean') return { ok: true, value: isPhpEmpty(raw) ? false : readBoolean(raw) }
  if (isPhpEmpty(raw)) return { ok: true, value: null }
  if (field.type === 'file') {
    // how-to-make-contact-edit-card.md: crm.item.update takes no photo, neither `[name, base64]` nor
    // `{fileData}`; the contact `photo` and company `logo` are set through the legacy methods.
    throw new ItemOperationError({ kind: 'fileNotAccepted', field: field.name, title: field.title })
  }
  if (typeof raw === 'object') {
    // A list or an object given to a single-valued field cannot be read as one value.
    throw new ItemOperationError({ kind: 'valueNotValid', field: field.name, title: field.title })
  }
  return readScalar(field.type, raw, options)
}

function readScalar(type: FieldType, raw: unknown, options: ReadFieldsOptions): Read {
  switch (type) {
    case 'double':
      return { ok: true, value: phpFloat(raw) }
    case 'integer':
    case 'crm_category':
      return { ok: true, value: phpInt(raw) }
    case 'date': {
      const date = toStoredDate(String(raw), {
        timeZoneOffsetMinutes: options.timeZoneOffsetMinutes,
        ...(options.dateFormat === undefined ? {} : { dateFormat: options.dateFormat }),
      })
      return date === null ? { ok: false, reason: 'invalidDate' } : { ok: true, value: date }
    }
    case 'datetime': {
      const instant = toStoredDateTime(String(raw), {
        timeZoneOffsetMinutes: options.timeZoneOffsetMinutes,
        ...(options.dateFormat === undefined ? {} : { dateFormat: options.dateFormat }),
      })
      return instant === null ? { ok: false, reason: 'invalidDate' } : { ok: true, value: instant }
    }
    case 'boolean':
      return { ok: true, value: readBoolean(raw) }
    default:
      if (REFERENCE_TYPES.has(type)) {
        // An id that casts to 0 binds nothing.
        const id = phpInt(raw)
        return { ok: true, value: id === 0 ? null : id }
      }
      // string, text, crm_status, crm_currency: PHP's string cast (true → "1").
      return { ok: true, value: raw === true ? '1' : String(raw) }
  }
}

/**
 * Multiple fields take a list (or an object, read by its values). PHP-empty clears the field; a non-empty
 * scalar is error `100` "Expected iterable value for multiple field, but got string instead"
 * (crm-item-update.md error table). Empty elements are dropped (§1.B item 16); ids are cast to int, zeros
 * and duplicates removed, order kept (§1.B items 17–18).
 */
function readMultiple(field: FieldDescriptor, raw: unknown): number[] | null {
  if (isPhpEmpty(raw)) return null
  if (typeof raw !== 'object' || raw === null) {
    throw new ItemOperationError({ kind: 'multipleExpected', field: field.name, gotType: phpGetType(raw) })
  }
  const ids: number[] = []
  for (const element of Object.values(raw)) {
    if (isPhpEmpty(element) || typeof element === 'object') continue
    const id = phpInt(element)
    if (id > 0 && !ids.includes(id)) ids.push(id)
  }
  return ids
}

/**
 * The service binding fields `contacts` (items → contacts, company → contacts) and `companies` (contact →
 * companies): a list of `{contactId|companyId, isPrimary}` (crm-item-fields.md lists them; §1.B item 17:
 * "an explicitly marked primary wins"). A bare id is read as a binding without a primary mark.
 */
function readBindings(field: FieldDescriptor, raw: unknown): BindingInput[] | null {
  if (isPhpEmpty(raw)) return null
  if (typeof raw !== 'object' || raw === null) {
    throw new ItemOperationError({ kind: 'multipleExpected', field: field.name, gotType: phpGetType(raw) })
  }
  const idKey = field.name === 'companies' ? 'companyId' : 'contactId'
  const list: BindingInput[] = []
  for (const element of Object.values(raw)) {
    let id: number
    let isPrimary = false
    if (typeof element === 'object' && element !== null) {
      const entry = element as Record<string, unknown>
      id = phpInt(entry[idKey] ?? entry[regularCamelToUpper(idKey)])
      isPrimary = readBoolean(entry['isPrimary'] ?? entry['IS_PRIMARY'])
    } else {
      id = phpInt(element)
    }
    if (id <= 0) continue
    const existing = list.find((b) => b.id === id)
    if (existing === undefined) list.push({ id, isPrimary })
    else existing.isPrimary ||= isPrimary
  }
  return list
}

/** `parentId{N}`: an id > 0 binds that parent, anything else unbinds (§1.B item 19). */
function readParentId(raw: unknown): number | null {
  if (isPhpEmpty(raw) || typeof raw === 'object') return null
  const id = phpInt(raw)
  return id > 0 ? id : null
}

/**
 * `fm` (crm-item-update.md, how-to-change-email-or-phone.md): an object keyed by operation — `n0`, `n1`…
 * add, a numeric record id changes that record (an empty value deletes it; an unknown id adds a new one);
 * a list is read as `n0`, `n1`… (it appends). Entries without `typeId` are skipped silently; a scalar `fm` is
 * ignored. Inner keys may be camelCase or UPPER (the controller converts keys recursively, §1.A item 6).
 */
function readMultifields(key: string, raw: unknown, patch: FieldPatch, ignored: IgnoredKey[]): void {
  if (isPhpEmpty(raw)) return
  if (typeof raw !== 'object' || raw === null) {
    ignored.push({ key, reason: 'multifieldNotIterable' })
    return
  }
  const operations: MultifieldOperation[] = patch.multifields ?? []
  const entries: [string, unknown][] = Array.isArray(raw)
    ? raw.map((entry, index) => [`n${index}`, entry])
    : Object.entries(raw)
  for (const [entryKey, entry] of entries) {
    const where = `${key}.${entryKey}`
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      ignored.push({ key: where, reason: 'multifieldEmpty' })
      continue
    }
    const record = entry as Record<string, unknown>
    const pick = (name: string): unknown => record[name] ?? record[regularCamelToUpper(name)]
    const typeId = pick('typeId')
    if (isPhpEmpty(typeId) || typeof typeId === 'object') {
      ignored.push({ key: where, reason: 'multifieldWithoutType' })
      continue
    }
    const rawValue = pick('value')
    const value =
      rawValue === undefined || rawValue === null || typeof rawValue === 'object' ? '' : String(rawValue)
    const rawValueType = pick('valueType')
    const valueType =
      isPhpEmpty(rawValueType) || typeof rawValueType === 'object' ? undefined : String(rawValueType)
    const base = { typeId: String(typeId), value, ...(valueType === undefined ? {} : { valueType }) }
    if (/^\d+$/.test(entryKey) && !Array.isArray(raw)) {
      operations.push({ kind: 'set', id: Number(entryKey), ...base })
    } else if (value === '') {
      ignored.push({ key: where, reason: 'multifieldEmpty' })
    } else {
      operations.push({ kind: 'add', ...base })
    }
  }
  patch.multifields = operations
}
