/**
 * Custom-field values: how a value sent to `crm.item.add/update` (or to the legacy `crm.*.add/update`) is read
 * into the stored form, and how a stored value is printed by the legacy methods (crm.item.* print them in
 * src/crm/items/item-output.ts). Pure: what needs the database (uploads, users, dictionaries, the portal's
 * currency) is finished by user-field-apply.ts.
 *
 * Stored forms in `Item.uf` (by UPPER name; JSON in `crm_item.uf`):
 * - string, url, address, money (`amount|CUR`), crm (`D_1` / `1`), crm_status → string;
 * - integer, enumeration (value id), employee, iblock_* , file (file id) → integer; double → number;
 * - boolean → 1 | 0; date → `YYYY-MM-DD`; datetime → UTC `YYYY-MM-DDTHH:MM:SSZ`;
 * - multiple fields → arrays of those; a cleared single field → null, a cleared multiple field → [].
 *
 * Reading rules (crm-item-update.md; research/server-behaviour.md §1.B items 12–16; spec-inventory.md U5–U11):
 * - a PHP-empty value (`''`, `0`, `'0'`, null, false, `[]`) clears a single field; for a multiple field it
 *   changes nothing — "after clearing all values of a multiple custom field of type list … the handler sends
 *   an empty array … crm.item.get returns the previous values" (how-to-generate-edit-form-for-deal.md). A list
 *   whose elements are all empty (`[false]`, `['']`) clears it, as the legacy forms do (`[false]`); the legacy
 *   methods also clear with `[]`;
 * - a scalar given to a multiple field is error 100 "Expected iterable value for multiple field";
 * - empty elements of a list are dropped; unreadable dates are dropped (a single date keeps its old value);
 * - booleans: `true`, `'true'`, `'y'`, `'Y'` are yes on crm.item.* (§1.B item 14); the legacy methods also
 *   take `1` / `'1'` (their forms send `"1"` for a ticked box);
 * - money: `1234.56` gets the portal's currency (`1234.56|EUR`); `''`, `'|EUR'`, `'EUR'` clear; the currency
 *   code is not checked (how-to-make-contact-edit-card.md);
 * - enumeration: a value id of the field, else CRM_FIELD_ERROR_VALUE_NOT_VALID;
 * - crm: `{PREFIX}_{ID}` (data-types.md#crm-binding-format); a field bound to one type takes and stores the
 *   bare id;
 * - files: see {@link readFileElements}.
 */
import type { IgnoredReason } from '../items/operations/read-fields.js'
import { ItemOperationError } from '../items/operations/errors.js'
import { toStoredDate, toStoredDateTime } from '../../store/list-query.js'
import { dateTimeToWire, dateToWire } from '../items/item-output.js'
import { decodeUpload, type Upload } from '../files/file-store.js'
import { userFieldDescription, type UserFieldDefinition } from './user-field.js'

export type UserFieldDialect = 'universal' | 'legacy'

/** One element of a file field's new value. */
export type FileElement =
  /** `{id}`: keep that file if the field holds it. */
  | { kind: 'keep'; id: number }
  /** `[name, base64]` / `{fileData: [name, base64]}`. */
  | { kind: 'upload'; upload: Upload }
  /** Legacy `{id, remove: 'Y'}`. */
  | { kind: 'remove'; id: number }

export type UserFieldWrite =
  /** The stored value (money without a currency ends in `|`: the portal's currency is added later). */
  | { kind: 'set'; value: unknown }
  /** A file field's new elements, resolved against the item's files when applied. */
  | { kind: 'files'; elements: FileElement[] }

export type UserFieldRead = { ok: true; write: UserFieldWrite } | { ok: false; reason: IgnoredReason }

export interface UserFieldReadOptions {
  readonly dialect: UserFieldDialect
  readonly timeZoneOffsetMinutes: number
  readonly dateFormat?: string
}

/** PHP's `empty()`. */
function isPhpEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '' || value === '0') return true
  if (typeof value === 'number') return value === 0
  if (Array.isArray(value)) return value.length === 0
  if (typeof value === 'object') return Object.keys(value).length === 0
  return false
}

function phpGetType(value: unknown): string {
  if (value === null || value === undefined) return 'NULL'
  if (typeof value === 'boolean') return 'boolean'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'double'
  if (typeof value === 'string') return 'string'
  return 'array'
}

const NUMERIC_PREFIX = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/

function phpFloat(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : 0
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value !== 'string') return 0
  const match = NUMERIC_PREFIX.exec(value)
  return match === null ? 0 : Number(match[0])
}

function phpInt(value: unknown): number {
  const n = Math.trunc(phpFloat(value))
  return Number.isSafeInteger(n) ? n : 0
}

function notValid(def: UserFieldDefinition): ItemOperationError {
  return new ItemOperationError({
    kind: 'valueNotValid',
    field: def.fieldName,
    title: userFieldDescription(def).title,
  })
}

/** Reads the value sent for one custom field. Throws the documented errors; returns a reason to skip it. */
export function readUserFieldValue(
  def: UserFieldDefinition,
  raw: unknown,
  options: UserFieldReadOptions,
): UserFieldRead {
  if (def.userTypeId === 'file') return readFileValue(def, raw, options)
  if (def.multiple) {
    if (isPhpEmpty(raw)) {
      // Legacy forms clear with [false] / []; crm.item.* keeps the values on [] (see the module comment).
      if (options.dialect === 'legacy' && (Array.isArray(raw) || raw === '')) return set([])
      return { ok: false, reason: 'emptyMultipleKept' }
    }
    if (typeof raw !== 'object' || raw === null) {
      throw new ItemOperationError({
        kind: 'multipleExpected',
        field: def.fieldName,
        gotType: phpGetType(raw),
      })
    }
    const values: unknown[] = []
    for (const element of Object.values(raw)) {
      if (isPhpEmpty(element) && !(def.userTypeId === 'boolean' && element === false)) continue
      if (typeof element === 'object' && element !== null) throw notValid(def)
      const value = readScalar(def, element, options)
      if (value === undefined || value === null) continue
      if (!values.some((v) => v === value)) values.push(value)
    }
    return set(values)
  }
  if (def.userTypeId === 'boolean') return set(isPhpEmpty(raw) ? 0 : readBooleanValue(raw, options.dialect))
  if (isPhpEmpty(raw)) return set(null)
  if (typeof raw === 'object') throw notValid(def)
  const value = readScalar(def, raw, options)
  if (value === undefined) return { ok: false, reason: 'invalidDate' }
  return set(value)
}

function set(value: unknown): UserFieldRead {
  return { ok: true, write: { kind: 'set', value } }
}

function readBooleanValue(raw: unknown, dialect: UserFieldDialect): 0 | 1 {
  if (raw === true || raw === 'true' || raw === 'y' || raw === 'Y') return 1
  if (dialect === 'legacy' && (raw === 1 || raw === '1')) return 1
  return 0
}

/**
 * One scalar in the stored form: null when it names nothing (an id of 0, an empty money amount), undefined
 * when it is an unreadable date (skipped).
 */
function readScalar(def: UserFieldDefinition, raw: unknown, options: UserFieldReadOptions): unknown {
  const settings = def.settings
  switch (def.userTypeId) {
    case 'integer': {
      const n = phpInt(raw)
      checkRange(def, n)
      return n
    }
    case 'double': {
      const precision = Number(settings['PRECISION'] ?? 2)
      const factor = 10 ** (Number.isInteger(precision) && precision >= 0 && precision <= 12 ? precision : 2)
      // The legacy methods take `,` as the decimal mark and spaces as grouping, as for their amounts.
      const text =
        options.dialect === 'legacy' && typeof raw === 'string'
          ? raw.replace(/\s+/g, '').replace(',', '.')
          : raw
      const n = Math.round(phpFloat(text) * factor) / factor
      checkRange(def, n)
      return n
    }
    case 'boolean':
      return readBooleanValue(raw, options.dialect)
    case 'date':
      return (
        toStoredDate(String(raw), {
          timeZoneOffsetMinutes: options.timeZoneOffsetMinutes,
          ...(options.dateFormat === undefined ? {} : { dateFormat: options.dateFormat }),
        }) ?? undefined
      )
    case 'datetime':
      return (
        toStoredDateTime(String(raw), {
          timeZoneOffsetMinutes: options.timeZoneOffsetMinutes,
          ...(options.dateFormat === undefined ? {} : { dateFormat: options.dateFormat }),
        }) ?? undefined
      )
    case 'enumeration': {
      const id = phpInt(raw)
      if (id <= 0) return null
      if (!def.enumItems.some((e) => e.id === id)) throw notValid(def)
      return id
    }
    case 'employee':
    case 'iblock_section':
    case 'iblock_element': {
      const id = phpInt(raw)
      return id > 0 ? id : null
    }
    case 'money':
      return readMoney(raw)
    case 'crm':
      return readCrmBinding(def, raw)
    case 'string': {
      const text = raw === true ? '1' : String(raw)
      checkString(def, text)
      return text
    }
    default:
      // url, address, crm_status and anything else: PHP's string cast.
      return raw === true ? '1' : String(raw)
  }
}

/** MIN_VALUE / MAX_VALUE, where set (0 means "no limit"). */
function checkRange(def: UserFieldDefinition, n: number): void {
  const min = Number(def.settings['MIN_VALUE'] ?? 0)
  const max = Number(def.settings['MAX_VALUE'] ?? 0)
  if (Number.isFinite(min) && min !== 0 && n < min) throw notValid(def)
  if (Number.isFinite(max) && max !== 0 && n > max) throw notValid(def)
}

/** MIN_LENGTH / MAX_LENGTH / REGEXP of string fields, where set. */
function checkString(def: UserFieldDefinition, text: string): void {
  const min = Number(def.settings['MIN_LENGTH'] ?? 0)
  const max = Number(def.settings['MAX_LENGTH'] ?? 0)
  if (min > 0 && text.length < min) throw notValid(def)
  if (max > 0 && text.length > max) throw notValid(def)
  const pattern = def.settings['REGEXP']
  if (typeof pattern === 'string' && pattern !== '') {
    const re = phpRegex(pattern)
    if (re !== undefined && !re.test(text)) throw notValid(def)
  }
}

/** A PHP PCRE literal (`/^\d+$/i`) as a JS RegExp; undefined when it cannot be read. */
function phpRegex(pattern: string): RegExp | undefined {
  const match = /^(.)(.*)\1([a-z]*)$/s.exec(pattern)
  try {
    if (match === null) return new RegExp(pattern)
    const flags = (match[3] ?? '').replace(/[^imsu]/g, '')
    return new RegExp(match[2] ?? '', flags)
  } catch {
    return undefined
  }
}

/**
 * `amount|CURRENCY`. A bare amount gets the portal's currency later (the stored value ends in `|` until
 * then); no amount (`''`, `'|EUR'`, `'EUR'`) clears.
 */
export function readMoney(raw: unknown): string | null {
  const text = typeof raw === 'number' ? String(raw) : String(raw).trim()
  const [amountPart = '', currencyPart = ''] = text.split('|', 2)
  const amount = amountPart.trim().replace(/\s+/g, '').replace(',', '.')
  if (amount === '' || !Number.isFinite(Number(amount))) return null
  return `${amount}|${currencyPart.trim().toUpperCase()}`
}

/** The symbol (`entityTypeAbbr`) of each binding key of a `crm` field's settings. */
function crmSymbolOfSetting(key: string): string | undefined {
  const fixed: Readonly<Record<string, string>> = {
    LEAD: 'L',
    DEAL: 'D',
    CONTACT: 'C',
    COMPANY: 'CO',
    QUOTE: 'Q',
    ORDER: 'O',
    SMART_INVOICE: 'SI',
  }
  if (fixed[key] !== undefined) return fixed[key]
  const dynamic = /^DYNAMIC_(\d+)$/.exec(key)
  return dynamic === null ? undefined : `T${Number(dynamic[1]).toString(16)}`
}

/** The symbols a `crm` field binds to, in settings order. */
export function crmBindingSymbols(def: UserFieldDefinition): string[] {
  const symbols: string[] = []
  for (const [key, value] of Object.entries(def.settings)) {
    if (value !== 'Y') continue
    const symbol = crmSymbolOfSetting(key)
    if (symbol !== undefined) symbols.push(symbol)
  }
  return symbols
}

function readCrmBinding(def: UserFieldDefinition, raw: unknown): string | null {
  const text = String(raw).trim()
  const symbols = crmBindingSymbols(def)
  const prefixed = /^([A-Za-z][A-Za-z0-9]*)_(\d+)$/.exec(text)
  if (prefixed !== null) {
    const given = prefixed[1] ?? ''
    const symbol = symbols.find((s) => s.toLowerCase() === given.toLowerCase())
    const id = Number(prefixed[2])
    if (symbol === undefined || !Number.isSafeInteger(id) || id <= 0) throw notValid(def)
    return symbols.length === 1 ? String(id) : `${symbol}_${id}`
  }
  if (/^\d+$/.test(text)) {
    const id = Number(text)
    if (id <= 0) return null
    // A bare id names an item only when the field binds to one type.
    if (symbols.length !== 1) throw notValid(def)
    return String(id)
  }
  throw notValid(def)
}

// ---------------------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------------------

/**
 * A file field's value (crm-item-update.md "How to Update a File Type Custom Field"; §1.B item 15):
 * - single: `[name, base64]` uploads (replacing the file), `''` clears, `{id}` keeps the file when it is the
 *   current one and clears the field otherwise;
 * - multiple: a list of such elements replaces the field: `{id}` of a file the field holds stays, uploads are
 *   added, anything not listed is deleted; `[]` changes nothing, `['']` clears;
 * - legacy methods: `{fileData: [name, base64]}` (also `{fileData: base64}`) uploads, `{id, remove: 'Y'}`
 *   deletes; a list given to a single field is ignored and one upload given to a multiple field becomes a
 *   list of one (how-to-add-lead-with-files.md);
 * - crm.item.* does not read `{fileData}`: "the fileData variant succeeds without an error, but the field
 *   remains empty" (how-to-make-contact-edit-card.md) — an unreadable upload is skipped.
 */
function readFileValue(def: UserFieldDefinition, raw: unknown, options: UserFieldReadOptions): UserFieldRead {
  const legacy = options.dialect === 'legacy'
  if (!def.multiple) {
    if (isPhpEmpty(raw)) return files([])
    if (legacy && Array.isArray(raw)) return { ok: false, reason: 'singleFieldGotList' }
    const element = readFileElement(raw, options.dialect)
    return element === undefined ? { ok: false, reason: 'invalidUpload' } : files([element])
  }
  if (isPhpEmpty(raw)) {
    if (legacy && (Array.isArray(raw) || raw === '')) return files([])
    return { ok: false, reason: 'emptyMultipleKept' }
  }
  if (typeof raw !== 'object' || raw === null) {
    throw new ItemOperationError({ kind: 'multipleExpected', field: def.fieldName, gotType: phpGetType(raw) })
  }
  let list: unknown[]
  if (!Array.isArray(raw)) {
    const record = raw as Record<string, unknown>
    // One element given where a list belongs: `{fileData}` (legacy) or `{id}`.
    list = 'fileData' in record || 'id' in record || 'ID' in record ? [record] : Object.values(record)
  } else if (isUploadPair(raw)) {
    // `[name, base64]` given to a multiple field: one upload, not two elements.
    list = [raw]
  } else {
    list = raw
  }
  const elements: FileElement[] = []
  for (const entry of list) {
    if (isPhpEmpty(entry)) continue
    const element = readFileElement(entry, options.dialect)
    if (element !== undefined) elements.push(element)
  }
  return files(elements)
}

/**
 * A system file field's value on the legacy methods (contact PHOTO, company LOGO: crm-contact-add.md
 * `"PHOTO": {"fileData": …}`; §2 item 49 "File fields: {fileData:[name, base64]} to upload, {id, remove:'Y'}
 * to delete"): one element, or none to clear. Passing a new file replaces the old one ("Passing PHOTO first
 * marks the old photo for deletion", §2 item 51).
 */
export function readSystemFileValue(
  raw: unknown,
  dialect: UserFieldDialect,
): { ok: true; elements: FileElement[] } | { ok: false; reason: IgnoredReason } {
  if (isPhpEmpty(raw)) return { ok: true, elements: [] }
  if (dialect === 'legacy' && Array.isArray(raw)) return { ok: false, reason: 'singleFieldGotList' }
  const element = readFileElement(raw, dialect)
  return element === undefined ? { ok: false, reason: 'invalidUpload' } : { ok: true, elements: [element] }
}

function files(elements: FileElement[]): UserFieldRead {
  return { ok: true, write: { kind: 'files', elements } }
}

function isUploadPair(value: readonly unknown[]): boolean {
  return (
    value.length === 2 &&
    typeof value[0] === 'string' &&
    typeof value[1] === 'string' &&
    decodeUpload(value[0], value[1]) !== undefined &&
    decodeUpload('', value[0]) === undefined
  )
}

function readFileElement(raw: unknown, dialect: UserFieldDialect): FileElement | undefined {
  if (Array.isArray(raw)) {
    if (dialect === 'legacy') return undefined
    const upload = decodeUpload(raw[0], raw[1])
    return upload === undefined ? undefined : { kind: 'upload', upload }
  }
  if (typeof raw === 'object' && raw !== null) {
    const record = raw as Record<string, unknown>
    if (dialect === 'legacy' && 'fileData' in record) {
      const data = record['fileData']
      const upload = Array.isArray(data) ? decodeUpload(data[0], data[1]) : decodeUpload('', data)
      return upload === undefined ? undefined : { kind: 'upload', upload }
    }
    const id = phpInt(record['id'] ?? record['ID'])
    if (id <= 0) return undefined
    const remove = record['remove'] ?? record['REMOVE'] ?? record['del'] ?? record['DEL']
    if (dialect === 'legacy' && typeof remove === 'string' && remove.toUpperCase() === 'Y') {
      return { kind: 'remove', id }
    }
    return { kind: 'keep', id }
  }
  // A bare file id (crm.item.get prints the system photo as one): keep it when it is the current file.
  if (typeof raw === 'number' || (typeof raw === 'string' && /^\d+$/.test(raw.trim()))) {
    const id = phpInt(raw)
    return id > 0 ? { kind: 'keep', id } : undefined
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------------------
// Legacy output
// ---------------------------------------------------------------------------------------------------------

export interface LegacyValueOptions {
  readonly timeZoneOffsetMinutes: number
  /** `{showUrl, downloadUrl}` of one file of the field. */
  readonly fileUrls: (fileId: number) => { showUrl: string; downloadUrl: string }
}

/**
 * A custom-field value as the legacy `crm.*.get` / `list` print it: numbers as strings (`"267"`,
 * crm-quote-get.md), booleans as JSON booleans (`"UF_CRM_1708952993785": false`, crm-lead-list.md), dates
 * like the system dates (ConvertDate), files as `{id, showUrl, downloadUrl}` (how-to-add-lead-with-files.md).
 * An unset single value is null — except a file field, which is left out (undefined: "the single field does
 * not appear in the response at all"); an unset multiple value is [].
 */
export function legacyUserFieldValue(
  def: UserFieldDefinition,
  value: unknown,
  options: LegacyValueOptions,
): unknown {
  const one = (v: unknown): unknown => {
    if (v === null || v === undefined) return null
    switch (def.userTypeId) {
      case 'boolean':
        return Number(v) !== 0
      case 'date':
        return dateToWire(v, options.timeZoneOffsetMinutes)
      case 'datetime':
        return dateTimeToWire(v, options.timeZoneOffsetMinutes)
      case 'file': {
        const id = Number(v)
        if (!Number.isSafeInteger(id) || id <= 0) return null
        return { id, ...options.fileUrls(id) }
      }
      default:
        return typeof v === 'number' ? String(v) : v
    }
  }
  if (def.multiple) {
    return Array.isArray(value) ? value.map(one).filter((v) => v !== null) : []
  }
  if (def.userTypeId === 'file' && (value === null || value === undefined)) return undefined
  if (Array.isArray(value)) return one(value[0])
  return one(value)
}
