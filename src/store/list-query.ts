/**
 * The machinery shared by every `*.list` method: paging (`start`, `next`, `total`), `filter` with every
 * documented operator prefix (including the nested `logic: 'OR'` groups of `crm.item.list`), `order` and
 * `select`, compiled to parameterised SQL through Kysely.
 *
 * Sources (all under /work/shared/spec/b24restdocs):
 * - settings/how-to-call-rest-api/list-methods-pecularities.md — pages of 50, `start`, `next`, `total`;
 * - api-reference/crm/universal/crm-item-list.md — operator prefixes, OR groups, error texts;
 * - api-reference/crm/leads/crm-lead-list.md — the same prefixes, "no option to add a logical OR";
 * - api-reference/user/user-get.md — the same prefixes, `start = -1`, `NAME: "Iv%"` wildcard,
 *   "if the value is not recognized as a date, the condition retrieves no records".
 *
 * Safety rule: a filter, order or select key coming from a client is only ever used to look up a
 * declared {@link ListField}; SQL text is built from the field's `column` (declared by our code) and every
 * client value is a bound parameter. A key that does not resolve to a declared field never reaches SQL.
 */
import {
  sql,
  type Compilable,
  type Kysely,
  type CompiledQuery,
  type Expression,
  type RawBuilder,
  type SelectQueryBuilder,
  type SqlBool,
} from 'kysely'
import { Param, param } from './prepared.js'

/** Page size of every list method (list-methods-pecularities.md: "no more than 50 at a time"). */
export const LIST_PAGE_SIZE = 50

/**
 * Storage types a list field can have:
 * - `integer`, `double`: numeric columns;
 * - `string`: text;
 * - `boolean`: integer column holding 0/1;
 * - `char`: text column holding `'Y'`/`'N'` (Bitrix "char" booleans, api-reference/data-types.md);
 * - `date`: text `YYYY-MM-DD` (see {@link toStoredDate});
 * - `datetime`: text `YYYY-MM-DDTHH:MM:SSZ` in UTC (see {@link toStoredDateTime}).
 */
export type ListFieldType = 'integer' | 'double' | 'string' | 'boolean' | 'date' | 'datetime' | 'char'

/** What a per-field filter hook receives (see {@link ListField.filter}). */
export interface FieldFilterContext {
  /** The canonical (map key) field name. */
  field: string
  /** The operator as written by the client. */
  op: FilterOp
  /** The operator without its negation (`neq` → `eq`, `notIn` → `in`, `notLike` → `like`, …). */
  positiveOp: PositiveFilterOp
  /** True for `neq`, `notIn`, `notLike`, `notLikeRaw`, `notBetween`: the hook must return the complement. */
  negated: boolean
  /** The coerced value (see {@link FilterCompare.value}). */
  value: unknown
  /**
   * Builds the positive condition against any column reference, e.g. `"fm"."value"`, or against an SQL
   * expression built by our code (a custom field's JSON value: crm/user-fields/user-field-list.ts).
   */
  condition(column: string | RawBuilder<unknown>): RawBuilder<SqlBool>
}

export interface ListField {
  /** SQL column in the queried table, or an alias-qualified name like `"u.name"`. Declared by our code only. */
  column: string
  type: ListFieldType
  /** Default true (false for `multiple` fields without a `filter` hook). */
  filterable?: boolean
  /** Default true (false for `multiple` fields). */
  sortable?: boolean
  /** The field holds several values; it can only be filtered through a `filter` hook. */
  multiple?: boolean
  /**
   * `=` / no prefix behaves as `=%` (and `!`/`!=` as `!=%`) when the value contains `%`. user.get documents
   * `{"filter":{"NAME":"Iv%"}}` as "a name starting with …" (api-reference/user/user-get.md).
   */
  eqLike?: boolean
  /**
   * Custom SQL for this field, e.g. an `exists (…)` sub-query over a multifield table. Must return the
   * complement when `ctx.negated` is true. The expression must bind every client value.
   */
  filter?: (ctx: FieldFilterContext) => Expression<SqlBool>
  /**
   * The column is never NULL (a primary key): its order needs no NULLS FIRST / LAST, which PostgreSQL can
   * only read from an index built with the same NULL order (keyset paging by `id` on the primary key).
   */
  notNull?: boolean
  /**
   * What `order` sorts by when it is not `column`: an expression built by our code (a sub-select, a custom
   * field's JSON value), so that the base query need not select it for every row.
   */
  order?: Expression<unknown>
}

/** Declared fields keyed by their wire name in canonical form. */
export type ListFieldMap = ReadonlyMap<string, ListField>

/**
 * How a client key is matched against the map:
 * - `upper`: the client name is upper-cased, then looked up (legacy `crm.*.list`: "Keys are upper-cased");
 * - `exact`: looked up as written;
 * - `insensitive`: matched case-insensitively against the map keys;
 * - a function: maps the client name to the map key form (e.g. camelCase → UPPER_SNAKE for crm.item.list).
 */
export type KeyCase = 'upper' | 'exact' | 'insensitive' | ((name: string) => string)

// ---------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------

export type ListQueryErrorKind =
  | 'field_not_allowed'
  | 'invalid_value'
  | 'invalid_order_direction'
  | 'order_field_not_allowed'
  | 'filter_not_array'

/**
 * A client error in `filter` / `order`. Messages are the texts crm-item-list.md documents for
 * `INVALID_ARG_VALUE`; each method family maps the kind to its own wire error.
 */
export class ListQueryError extends Error {
  override readonly name = 'ListQueryError'
  constructor(
    readonly kind: ListQueryErrorKind,
    /** The field name as normalised by `keyCase` (as written for `exact`/`insensitive`); '' if none. */
    readonly field: string,
    /** For `invalid_order_direction`: the direction as sent. */
    readonly value?: string,
  ) {
    super(ListQueryError.messageFor(kind, field, value))
  }

  static messageFor(kind: ListQueryErrorKind, field: string, value?: string): string {
    switch (kind) {
      case 'field_not_allowed':
        return `Invalid filter: field '${field}' is not allowed in filter`
      case 'invalid_value':
        return `Invalid filter: field '${field}' has invalid value`
      case 'invalid_order_direction':
        return `Invalid order: allowed sort directions are ASC, DESC. But got '${value ?? ''}' for field '${field}'`
      case 'order_field_not_allowed':
        return `Invalid order: field '${field}' is not allowed in order`
      case 'filter_not_array':
        // Legacy lists (spec-inventory §2.5): error "" with this text.
        return "Parameter 'filter' must be array."
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Filter AST and operator prefixes
// ---------------------------------------------------------------------------------------------------------

/**
 * Operators. Every prefix below is listed in crm-item-list.md ("Possible prefix values"), crm-lead-list.md
 * and user-get.md:
 * - `eq`: `=` or no prefix — "equal, exact match (used by default)". An array value means IN, and an empty
 *   value (`''` or null) means "empty": NULL, or `''` for text fields (tutorial usage `{"!=name":""}`).
 * - `neq`: `!=` and `!` — "not equal". Array → NOT IN; empty value → "not empty".
 * - `gt` `>`, `gte` `>=`, `lt` `<`, `lte` `<=` — comparisons.
 * - `in`: `@` — "IN, an array is passed as the value" (a scalar is treated as a one-element array).
 * - `notIn`: `!@` — "NOT IN, an array is passed as the value".
 * - `like`: `%` — "LIKE, substring search. The symbol % does not need to be passed"; `%` and `_` in the value
 *   are literal.
 * - `likeRaw`: `=%` and `%=` — "LIKE … The symbol % must be passed in the value" (`"mol%"` = starts with).
 * - `notLike`: `!%` — "NOT LIKE, substring search".
 * - `notLikeRaw`: `!=%` and `!%=` — "NOT LIKE … The symbol % must be passed in the value".
 * - `between`: `><` — value is an array of two bounds, inclusive (server-behaviour.md item 72 lists `><`).
 * - `notBetween`: `!><`.
 * Negative operators are the exact complement of their positive twin: rows where the column is NULL match
 * `!=5`, `!@[…]`, `!%x`, … . LIKE operators are case-insensitive (MySQL's default collation is).
 */
export type FilterOp =
  | 'eq'
  | 'neq'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'in'
  | 'notIn'
  | 'like'
  | 'likeRaw'
  | 'notLike'
  | 'notLikeRaw'
  | 'between'
  | 'notBetween'

export type PositiveFilterOp = Exclude<FilterOp, 'neq' | 'notIn' | 'notLike' | 'notLikeRaw' | 'notBetween'>

/**
 * A compare node. `value` is already coerced to the field's storage form:
 * - `eq`, `gt`, `gte`, `lt`, `lte`: a scalar, or null for "empty" (`eq` only);
 * - `in`, `notIn`: an array of scalars, null entries meaning "empty";
 * - `like`, `notLike`, `likeRaw`, `notLikeRaw`: an array of strings (any one matching matches);
 * - `between`, `notBetween`: a two-element array.
 */
export interface FilterCompare {
  kind: 'compare'
  /** Canonical field name (a key of the field map). */
  field: string
  op: FilterOp
  value: unknown
}

/** `and` with no children is true; `or` with no children is false (used for "retrieves no records"). */
export type FilterNode = { kind: 'and' | 'or'; children: FilterNode[] } | FilterCompare

const NEGATIONS: Readonly<Record<FilterOp, PositiveFilterOp | undefined>> = {
  eq: undefined,
  neq: 'eq',
  gt: undefined,
  gte: undefined,
  lt: undefined,
  lte: undefined,
  in: undefined,
  notIn: 'in',
  like: undefined,
  likeRaw: undefined,
  notLike: 'like',
  notLikeRaw: 'likeRaw',
  between: undefined,
  notBetween: 'between',
}

/** Key prefixes, longest first so that `!=%` wins over `!=` and `!`. */
const PREFIXES: ReadonlyArray<readonly [string, FilterOp]> = [
  ['!><', 'notBetween'],
  ['!=%', 'notLikeRaw'],
  ['!%=', 'notLikeRaw'],
  ['><', 'between'],
  ['>=', 'gte'],
  ['<=', 'lte'],
  ['!@', 'notIn'],
  ['!%', 'notLike'],
  ['!=', 'neq'],
  ['=%', 'likeRaw'],
  ['%=', 'likeRaw'],
  ['>', 'gt'],
  ['<', 'lt'],
  ['@', 'in'],
  ['%', 'like'],
  ['!', 'neq'],
  ['=', 'eq'],
]

/** Splits a filter key into its operator and field name: `">=DATE_CREATE"` → `gte`, `DATE_CREATE`. */
export function splitFilterKey(key: string): { op: FilterOp; name: string } {
  for (const [prefix, op] of PREFIXES) {
    if (key.startsWith(prefix)) return { op, name: key.slice(prefix.length) }
  }
  return { op: 'eq', name: key }
}

// ---------------------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------------------

export interface DateParseOptions {
  /**
   * The portal's short date format, Bitrix style (`DD.MM.YYYY`, `MM/DD/YYYY`, `DD/MM/YYYY`, …). ISO
   * `YYYY-MM-DD` is always accepted. Without it, `.`-separated dates are read as DD.MM.YYYY and
   * `/`-separated ones as MM/DD/YYYY (data-types.md examples `11.11.1999`, `04/29/2025`).
   */
  dateFormat?: string
  /** Offset (minutes east of UTC) used for date-times written without an offset. Default 0. */
  timeZoneOffsetMinutes?: number
}

export interface ListKeyOptions {
  keyCase: KeyCase
  /** What to do with a key that is not a declared (filterable/sortable) field. */
  onUnknownField: 'ignore' | 'error'
}

export interface ParseFilterOptions extends ListKeyOptions, DateParseOptions {
  /** Accept nested groups under numeric keys and the `logic` key (crm.item.list only). */
  allowOr: boolean
  /**
   * A value that cannot be coerced to the field type: `error` (ListQueryError invalid_value, crm.item.list)
   * or `no_match` (the condition retrieves no records, as user-get.md says for dates). Default `error`.
   */
  onInvalidValue?: 'error' | 'no_match'
  /** Maximum nesting of OR/AND groups. Default 16. Deeper → invalid_value. */
  maxDepth?: number
  /** Maximum number of bound values the filter may produce. Default 30 000 (SQLite allows 32 766). */
  maxValues?: number
}

// ---------------------------------------------------------------------------------------------------------
// Field resolution
// ---------------------------------------------------------------------------------------------------------

const insensitiveIndexes = new WeakMap<ListFieldMap, Map<string, string>>()

function normaliseName(name: string, keyCase: KeyCase): string {
  if (typeof keyCase === 'function') return keyCase(name)
  return keyCase === 'upper' ? name.toUpperCase() : name
}

/** Resolves a client field name to its canonical key, or undefined when it is not declared. */
export function resolveFieldName(name: string, fields: ListFieldMap, keyCase: KeyCase): string | undefined {
  if (keyCase === 'insensitive') {
    let index = insensitiveIndexes.get(fields)
    if (!index) {
      index = new Map()
      for (const key of fields.keys()) if (!index.has(key.toLowerCase())) index.set(key.toLowerCase(), key)
      insensitiveIndexes.set(fields, index)
    }
    return index.get(name.toLowerCase())
  }
  const key = normaliseName(name, keyCase)
  return fields.has(key) ? key : undefined
}

function isFilterable(field: ListField): boolean {
  return field.filterable ?? !(field.multiple === true && field.filter === undefined)
}

function isSortable(field: ListField): boolean {
  return field.sortable ?? field.multiple !== true
}

// ---------------------------------------------------------------------------------------------------------
// Value helpers
// ---------------------------------------------------------------------------------------------------------

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * PHP arrays arrive either as JSON arrays or (from form bodies) as objects with numeric keys. Returns the
 * list for both, undefined for anything else.
 */
function asList(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value
  if (isPlainObject(value)) {
    const keys = Object.keys(value)
    if (keys.every((k) => /^\d+$/.test(k))) return keys.map((k) => value[k])
  }
  return undefined
}

function isEmptyValue(value: unknown): boolean {
  return value === null || value === undefined || value === ''
}

const INVALID = Symbol('invalid')
type Coerced = string | number | typeof INVALID

const INTEGER_RE = /^[+-]?\d+(?:\.\d*)?$/
const DOUBLE_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/
const TRUE_WORDS = new Set(['y', '1', 'true'])
const FALSE_WORDS = new Set(['n', '0', 'false'])

function coerceBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase()
    if (TRUE_WORDS.has(v)) return true
    if (FALSE_WORDS.has(v)) return false
  }
  return undefined
}

/** Coerces a non-empty scalar to the storage form of `type`. */
function coerceScalar(value: unknown, type: ListFieldType, dates: DateParseOptions): Coerced {
  switch (type) {
    case 'integer': {
      // PHP intval semantics for numeric input: a fraction is truncated.
      let n: number
      if (typeof value === 'number') n = value
      else if (typeof value === 'boolean') n = value ? 1 : 0
      else if (typeof value === 'string' && INTEGER_RE.test(value.trim())) n = Number(value.trim())
      else return INVALID
      n = Math.trunc(n)
      return Number.isSafeInteger(n) ? n : INVALID
    }
    case 'double': {
      let n: number
      if (typeof value === 'number') n = value
      else if (typeof value === 'string' && DOUBLE_RE.test(value.trim())) n = Number(value.trim())
      else return INVALID
      return Number.isFinite(n) ? n : INVALID
    }
    case 'string':
      if (typeof value === 'string') return value
      if (typeof value === 'number' && Number.isFinite(value)) return String(value)
      if (typeof value === 'boolean') return value ? '1' : '' // PHP (string) cast
      return INVALID
    case 'boolean': {
      const b = coerceBool(value)
      return b === undefined ? INVALID : b ? 1 : 0
    }
    case 'char': {
      const b = coerceBool(value)
      return b === undefined ? INVALID : b ? 'Y' : 'N'
    }
    case 'date':
      return toStoredDate(value, dates) ?? INVALID
    case 'datetime':
      return toStoredDateTime(value, dates) ?? INVALID
  }
}

function likeText(value: unknown): string | typeof INVALID {
  if (typeof value === 'string') return value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return INVALID
}

// ---------------------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------------------

interface DateParts {
  y: number
  m: number
  d: number
  time?: { h: number; mi: number; s: number; offset?: number }
}

const ISO_RE =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/
const TIME_SUFFIX_RE = /^\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([aApP])\.?[mM]\.?)?$/

const formatCache = new Map<string, { re: RegExp; order: Array<'y' | 'm' | 'd'> } | null>()

function compileDateFormat(format: string): { re: RegExp; order: Array<'y' | 'm' | 'd'> } | null {
  const cached = formatCache.get(format)
  if (cached !== undefined) return cached
  const order: Array<'y' | 'm' | 'd'> = []
  let source = ''
  let rest = format.trim().toUpperCase()
  while (rest.length > 0) {
    if (rest.startsWith('YYYY')) {
      order.push('y')
      source += '(\\d{4})'
      rest = rest.slice(4)
    } else if (rest.startsWith('MM')) {
      order.push('m')
      source += '(\\d{1,2})'
      rest = rest.slice(2)
    } else if (rest.startsWith('DD')) {
      order.push('d')
      source += '(\\d{1,2})'
      rest = rest.slice(2)
    } else if (/^[./\- ]/.test(rest)) {
      source += `\\${rest[0]}`
      rest = rest.slice(1)
    } else {
      formatCache.set(format, null)
      return null
    }
  }
  const result =
    order.length === 3 && new Set(order).size === 3 ? { re: new RegExp(`^${source}`), order } : null
  formatCache.set(format, result)
  return result
}

function parseOffset(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (text === 'Z' || text === 'z') return 0
  const sign = text.startsWith('-') ? -1 : 1
  const digits = text.slice(1).replace(':', '')
  const h = Number(digits.slice(0, 2))
  const m = digits.length > 2 ? Number(digits.slice(2, 4)) : 0
  if (h > 14 || m > 59) return Number.NaN
  return sign * (h * 60 + m)
}

function parseDateParts(input: string, options: DateParseOptions): DateParts | undefined {
  const text = input.trim()
  const iso = ISO_RE.exec(text)
  if (iso) {
    const parts: DateParts = { y: Number(iso[1]), m: Number(iso[2]), d: Number(iso[3]) }
    if (iso[4] !== undefined) {
      parts.time = {
        h: Number(iso[4]),
        mi: Number(iso[5]),
        s: iso[6] === undefined ? 0 : Number(iso[6]),
        offset: parseOffset(iso[7]),
      }
    }
    return validParts(parts)
  }
  const formats: string[] = []
  if (options.dateFormat) formats.push(options.dateFormat)
  formats.push('DD.MM.YYYY', 'MM/DD/YYYY')
  for (const format of formats) {
    const compiled = compileDateFormat(format)
    if (!compiled) continue
    const match = compiled.re.exec(text)
    if (!match) continue
    const values = { y: 0, m: 0, d: 0 }
    compiled.order.forEach((key, i) => {
      values[key] = Number(match[i + 1])
    })
    const parts: DateParts = { ...values }
    const tail = text.slice(match[0].length)
    if (tail !== '') {
      const t = TIME_SUFFIX_RE.exec(tail)
      if (!t) return undefined
      let h = Number(t[1])
      if (t[4] !== undefined) {
        if (h < 1 || h > 12) return undefined
        const pm = t[4].toLowerCase() === 'p'
        h = (h % 12) + (pm ? 12 : 0)
      }
      parts.time = { h, mi: Number(t[2]), s: t[3] === undefined ? 0 : Number(t[3]) }
    }
    return validParts(parts)
  }
  return undefined
}

function validParts(p: DateParts): DateParts | undefined {
  if (p.y < 1 || p.m < 1 || p.m > 12 || p.d < 1) return undefined
  const daysInMonth = new Date(Date.UTC(2000, p.m, 0)).getUTCDate() // leap-year February below
  const leap = (p.y % 4 === 0 && p.y % 100 !== 0) || p.y % 400 === 0
  if (p.d > (p.m === 2 ? (leap ? 29 : 28) : daysInMonth)) return undefined
  if (p.time) {
    const { h, mi, s, offset } = p.time
    if (h > 23 || mi > 59 || s > 59 || Number.isNaN(offset)) return undefined
  }
  return p
}

function utcMs(y: number, m: number, d: number, h = 0, mi = 0, s = 0): number {
  const date = new Date(Date.UTC(2000, m - 1, d, h, mi, s))
  date.setUTCFullYear(y) // Date.UTC maps years 0–99 to 1900–1999
  return date.getTime()
}

const pad2 = (n: number): string => String(n).padStart(2, '0')
const pad4 = (n: number): string => String(n).padStart(4, '0')

/**
 * Canonical storage form of a `date` value: `YYYY-MM-DD`. Accepts `YYYY-MM-DD`, ISO-8601 date-times (the
 * time and offset are discarded, as data-types.md says for dates: `2025-04-29T13:03:20+03:00` → 2025-04-29),
 * the portal short formats (`DD.MM.YYYY`, `MM/DD/YYYY` or `options.dateFormat`) and JS `Date`s (read in
 * `timeZoneOffsetMinutes`). Returns null when the value is not a date.
 */
export function toStoredDate(value: unknown, options: DateParseOptions = {}): string | null {
  if (value instanceof Date) {
    const ms = value.getTime()
    if (Number.isNaN(ms)) return null
    const local = new Date(ms + (options.timeZoneOffsetMinutes ?? 0) * 60_000)
    const y = local.getUTCFullYear()
    if (y < 1 || y > 9999) return null
    return `${pad4(y)}-${pad2(local.getUTCMonth() + 1)}-${pad2(local.getUTCDate())}`
  }
  if (typeof value !== 'string') return null
  const p = parseDateParts(value, options)
  if (!p) return null
  return `${pad4(p.y)}-${pad2(p.m)}-${pad2(p.d)}`
}

/**
 * Canonical storage form of a `datetime` value: UTC, second precision, `YYYY-MM-DDTHH:MM:SSZ`
 * (fixed width, so text order is time order, identical on SQLite and PostgreSQL). Accepts ISO-8601 with or
 * without offset (without: read in `timeZoneOffsetMinutes`), `YYYY-MM-DD` (midnight), the portal short
 * formats with an optional `HH:MI[:SS] [am|pm]` time, and JS `Date`s. Fractions of a second are dropped.
 * Returns null when the value is not a date-time.
 */
export function toStoredDateTime(value: unknown, options: DateParseOptions = {}): string | null {
  let ms: number
  if (value instanceof Date) {
    ms = value.getTime()
  } else if (typeof value === 'string') {
    const p = parseDateParts(value, options)
    if (!p) return null
    const t = p.time ?? { h: 0, mi: 0, s: 0 }
    const offset = t.offset ?? options.timeZoneOffsetMinutes ?? 0
    ms = utcMs(p.y, p.m, p.d, t.h, t.mi, t.s) - offset * 60_000
  } else {
    return null
  }
  if (!Number.isFinite(ms)) return null
  const date = new Date(Math.floor(ms / 1000) * 1000)
  const y = date.getUTCFullYear()
  if (y < 1 || y > 9999) return null
  return `${pad4(y)}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}T${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}Z`
}

/** Epoch milliseconds of a stored datetime (`YYYY-MM-DDTHH:MM:SSZ`), NaN if it is not one. */
export function storedDateTimeToEpochMs(stored: string): number {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(stored) ? Date.parse(stored) : Number.NaN
}

// ---------------------------------------------------------------------------------------------------------
// parseFilter
// ---------------------------------------------------------------------------------------------------------

const NO_MATCH: FilterNode = { kind: 'or', children: [] }

/**
 * Parses the decoded `filter` parameter. `undefined`, null, `''`, `[]` and `{}` mean "no filter" (phpsdk
 * sends `"filter":[]`). Keys are `<prefix><field>`; a key whose field is not declared (or not filterable)
 * is dropped or raises `field_not_allowed`, per `onUnknownField`.
 *
 * OR groups (crm-item-list.md: "The filter can have unlimited nesting … you can pass a special key `logic`
 * with the value `OR`"): with `allowOr`, a numeric key whose value is an object/array is a sub-filter, and
 * a `logic` key (any case, value `AND`/`OR`, any case) sets the join of its level. Without `allowOr`
 * (legacy lists: "There is no option to add a logical OR condition", crm-lead-list.md) such keys are
 * ordinary unknown field names.
 */
export function parseFilter(raw: unknown, fields: ListFieldMap, options: ParseFilterOptions): FilterNode {
  if (raw === undefined || raw === null || raw === '') return { kind: 'and', children: [] }
  if (typeof raw !== 'object') throw new ListQueryError('filter_not_array', '')
  const state = { values: 0 }
  const node = parseGroup(raw as object, fields, options, 0, state)
  return node ?? { kind: 'and', children: [] }
}

function parseGroup(
  group: object,
  fields: ListFieldMap,
  options: ParseFilterOptions,
  depth: number,
  state: { values: number },
): FilterNode | undefined {
  if (depth > (options.maxDepth ?? 16)) throw new ListQueryError('invalid_value', 'LOGIC')
  let logic: 'and' | 'or' = 'and'
  const children: FilterNode[] = []
  for (const [key, value] of Object.entries(group)) {
    if (options.allowOr && key.toLowerCase() === 'logic') {
      const l = typeof value === 'string' ? value.trim().toUpperCase() : ''
      if (l !== 'AND' && l !== 'OR') throw new ListQueryError('invalid_value', 'LOGIC')
      logic = l === 'OR' ? 'or' : 'and'
      continue
    }
    if (options.allowOr && /^\d+$/.test(key) && typeof value === 'object' && value !== null) {
      const child = parseGroup(value, fields, options, depth + 1, state)
      if (child) children.push(child)
      continue
    }
    const { op, name } = splitFilterKey(key)
    const canonical = resolveFieldName(name, fields, options.keyCase)
    const field = canonical === undefined ? undefined : fields.get(canonical)
    if (canonical === undefined || field === undefined || !isFilterable(field)) {
      if (options.onUnknownField === 'error') {
        throw new ListQueryError('field_not_allowed', normaliseName(name, options.keyCase))
      }
      continue
    }
    const node = parseCompare(canonical, field, op, value, options)
    if (node === INVALID) {
      if ((options.onInvalidValue ?? 'error') === 'error') {
        throw new ListQueryError('invalid_value', normaliseName(name, options.keyCase))
      }
      children.push(NO_MATCH)
      continue
    }
    state.values += countValues(node)
    if (state.values > (options.maxValues ?? 30_000)) {
      throw new ListQueryError('invalid_value', normaliseName(name, options.keyCase))
    }
    children.push(node)
  }
  if (children.length === 0) return undefined
  if (children.length === 1) return children[0]
  return { kind: logic, children }
}

function countValues(node: FilterCompare): number {
  return Array.isArray(node.value) ? node.value.length : 1
}

function parseCompare(
  key: string,
  field: ListField,
  opIn: FilterOp,
  raw: unknown,
  options: DateParseOptions,
): FilterCompare | typeof INVALID {
  let op = opIn
  const list = asList(raw)
  const coerce = (v: unknown): Coerced => coerceScalar(v, field.type, options)

  // user.get: `NAME: "Iv%"` is a wildcard search (eqLike fields only).
  if (field.eqLike && (op === 'eq' || op === 'neq') && typeof raw === 'string' && raw.includes('%')) {
    op = op === 'eq' ? 'likeRaw' : 'notLikeRaw'
  }

  switch (op) {
    case 'eq':
    case 'neq':
    case 'in':
    case 'notIn': {
      const isList = op === 'in' || op === 'notIn' || list !== undefined
      if (!isList) {
        if (isEmptyValue(raw)) return { kind: 'compare', field: key, op, value: null }
        if (typeof raw === 'object') return INVALID
        const v = coerce(raw)
        return v === INVALID ? INVALID : { kind: 'compare', field: key, op, value: v }
      }
      const items = list ?? [raw]
      const values: Array<string | number | null> = []
      for (const item of items) {
        if (isEmptyValue(item)) {
          values.push(null)
          continue
        }
        if (typeof item === 'object') return INVALID
        const v = coerce(item)
        if (v === INVALID) return INVALID
        values.push(v)
      }
      return { kind: 'compare', field: key, op: op === 'eq' || op === 'in' ? 'in' : 'notIn', value: values }
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (isEmptyValue(raw) || typeof raw === 'object') return INVALID
      const v = coerce(raw)
      return v === INVALID ? INVALID : { kind: 'compare', field: key, op, value: v }
    }
    case 'like':
    case 'likeRaw':
    case 'notLike':
    case 'notLikeRaw': {
      const items = list ?? [raw]
      const patterns: string[] = []
      for (const item of items) {
        const text = item === null || item === undefined ? '' : likeText(item)
        if (text === INVALID) return INVALID
        patterns.push(text)
      }
      return { kind: 'compare', field: key, op, value: patterns }
    }
    case 'between':
    case 'notBetween': {
      if (!list || list.length !== 2) return INVALID
      const bounds: Array<string | number> = []
      for (const item of list) {
        if (isEmptyValue(item) || typeof item === 'object') return INVALID
        const v = coerce(item)
        if (v === INVALID) return INVALID
        bounds.push(v)
      }
      return { kind: 'compare', field: key, op, value: bounds }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Order, start, select
// ---------------------------------------------------------------------------------------------------------

export interface OrderItem {
  /** Canonical field name. */
  field: string
  direction: 'asc' | 'desc'
}

/**
 * Parses `order`: an object `{FIELD: 'ASC'|'DESC'}` (direction case-insensitive: crm-item-list.md uses
 * `ASC`, crm-lead-list.md `asc`). `[]`, `{}`, null, `''` and non-objects mean no order. A field that is not
 * declared/sortable is dropped or raises `order_field_not_allowed`; a bad direction always raises
 * `invalid_order_direction` (legacy: "Order direction should be one of {ASC|DESC}").
 */
export function parseOrder(raw: unknown, fields: ListFieldMap, options: ListKeyOptions): OrderItem[] {
  if (typeof raw !== 'object' || raw === null) return []
  const result: OrderItem[] = []
  const seen = new Set<string>()
  for (const [name, dir] of Object.entries(raw)) {
    const canonical = resolveFieldName(name, fields, options.keyCase)
    const field = canonical === undefined ? undefined : fields.get(canonical)
    const shown = normaliseName(name, options.keyCase)
    if (canonical === undefined || field === undefined || !isSortable(field)) {
      if (options.onUnknownField === 'error') throw new ListQueryError('order_field_not_allowed', shown)
      continue
    }
    const text = typeof dir === 'string' ? dir.trim().toUpperCase() : ''
    if (text !== 'ASC' && text !== 'DESC') {
      const sent = typeof dir === 'string' ? dir : (JSON.stringify(dir) ?? String(dir))
      throw new ListQueryError('invalid_order_direction', shown, sent)
    }
    if (seen.has(canonical)) continue
    seen.add(canonical)
    result.push({ field: canonical, direction: text === 'ASC' ? 'asc' : 'desc' })
  }
  return result
}

/**
 * `start` → offset. Rounded down to a multiple of 50 (server-behaviour.md item 70: page = ⌊start/50⌋ + 1);
 * any negative value → -1 ("top 50, no count"); missing or non-numeric → 0. Strings follow PHP intval:
 * leading digits count (`"73abc"` → 50).
 */
export function parseStart(raw: unknown): number {
  let n: number
  if (typeof raw === 'number') n = raw
  else if (typeof raw === 'string') {
    const m = /^\s*([+-]?\d+)/.exec(raw)
    n = m ? Number(m[1]) : 0
  } else if (typeof raw === 'boolean') n = raw ? 1 : 0
  else n = 0
  if (!Number.isFinite(n)) return 0
  n = Math.trunc(n)
  if (n < 0) return -1
  return Math.floor(Math.min(n, Number.MAX_SAFE_INTEGER) / LIST_PAGE_SIZE) * LIST_PAGE_SIZE
}

export interface ParseSelectOptions {
  keyCase: KeyCase
  /**
   * Called for every select entry before map lookup; return the canonical names it stands for (e.g.
   * `'*'` → standard fields, `'UF_*'` → user fields) or undefined to treat the entry as a field name.
   * Without a hook, `'*'` means every field of the map.
   */
  expand?: (entry: string) => readonly string[] | undefined
  /** Entries used when `select` is missing or empty (legacy lists: `['*', 'UF_*']`). Default `['*']`. */
  defaultSelect?: readonly string[]
}

/**
 * Parses `select` into canonical field names, in request order without duplicates. Entries that are not
 * declared fields are dropped silently (server-behaviour.md item 71: "unknown select entries are dropped";
 * user-get.md: "skips fields that … do not exist, without returning an error").
 */
export function parseSelect(raw: unknown, fields: ListFieldMap, options: ParseSelectOptions): string[] {
  let entries = (typeof raw === 'string' ? [raw] : (asList(raw) ?? [])).filter(
    (e): e is string => typeof e === 'string' && e.trim() !== '',
  )
  if (entries.length === 0) entries = [...(options.defaultSelect ?? ['*'])]
  const result = new Set<string>()
  for (const entry of entries) {
    const trimmed = entry.trim()
    const expanded = options.expand?.(trimmed)
    if (expanded !== undefined) {
      for (const name of expanded) result.add(name)
      continue
    }
    if (trimmed === '*') {
      for (const name of fields.keys()) result.add(name)
      continue
    }
    const canonical = resolveFieldName(trimmed, fields, options.keyCase)
    if (canonical !== undefined) result.add(canonical)
  }
  return [...result]
}

// ---------------------------------------------------------------------------------------------------------
// SQL compilation
// ---------------------------------------------------------------------------------------------------------

const TRUE_SQL = sql<SqlBool>`1 = 1`
const FALSE_SQL = sql<SqlBool>`1 = 0`
/** Escape character for LIKE patterns; a fixed literal, valid on SQLite and PostgreSQL alike. */
const LIKE_ESCAPE = '!'

/** Escapes `%`, `_` and the escape character so the text matches literally. */
export function escapeLike(text: string): string {
  return text.replace(/[!%_]/g, (c) => LIKE_ESCAPE + c)
}

/**
 * Rewrites a client pattern that carries its own `%` (operators `=%`, `!=%`) into our escape convention
 * with MySQL semantics: `%` and `_` are wildcards, `\x` is a literal `x`, a trailing lone `\` is literal.
 * (Without this, PostgreSQL's default `\` escape and SQLite's absence of one would disagree.)
 */
export function normaliseRawLike(pattern: string): string {
  let out = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i)
    if (c === '\\' && i + 1 < pattern.length) {
      i++
      out += escapeLike(pattern.charAt(i))
    } else if (c === '%' || c === '_') {
      out += c
    } else {
      out += escapeLike(c)
    }
  }
  return out
}

function isTextType(type: ListFieldType): boolean {
  return type === 'string' || type === 'char' || type === 'date' || type === 'datetime'
}

function isEmptySql(ref: RawBuilder<unknown>, type: ListFieldType): RawBuilder<SqlBool> {
  return type === 'string' || type === 'char'
    ? sql<SqlBool>`(${ref} is null or ${ref} = '')`
    : sql<SqlBool>`${ref} is null`
}

function orSql(parts: ReadonlyArray<RawBuilder<SqlBool>>): RawBuilder<SqlBool> {
  if (parts.length === 0) return FALSE_SQL
  if (parts.length === 1) return parts[0] as RawBuilder<SqlBool>
  return sql<SqlBool>`(${sql.join(parts, sql` or `)})`
}

function andSql(parts: ReadonlyArray<RawBuilder<SqlBool>>): RawBuilder<SqlBool> {
  if (parts.length === 0) return TRUE_SQL
  if (parts.length === 1) return parts[0] as RawBuilder<SqlBool>
  return sql<SqlBool>`(${sql.join(parts, sql` and `)})`
}

function positiveSql(
  column: string | RawBuilder<unknown>,
  type: ListFieldType,
  op: PositiveFilterOp,
  value: unknown,
): RawBuilder<SqlBool> {
  const ref = typeof column === 'string' ? sql.ref(column) : column
  switch (op) {
    case 'eq':
      return value === null ? isEmptySql(ref, type) : sql<SqlBool>`${ref} = ${value}`
    case 'gt':
      return sql<SqlBool>`${ref} > ${value}`
    case 'gte':
      return sql<SqlBool>`${ref} >= ${value}`
    case 'lt':
      return sql<SqlBool>`${ref} < ${value}`
    case 'lte':
      return sql<SqlBool>`${ref} <= ${value}`
    case 'in': {
      const all = value as ReadonlyArray<string | number | null>
      const values = [...new Set(all.filter((v): v is string | number => v !== null))]
      const parts: Array<RawBuilder<SqlBool>> = []
      if (values.length === 1) parts.push(sql<SqlBool>`${ref} = ${values[0]}`)
      else if (values.length > 1) parts.push(sql<SqlBool>`${ref} in (${sql.join(values)})`)
      if (all.includes(null)) parts.push(isEmptySql(ref, type))
      return orSql(parts)
    }
    case 'like':
    case 'likeRaw': {
      const text = isTextType(type) ? ref : sql`cast(${ref} as text)`
      const patterns = (value as readonly string[]).map((p) =>
        op === 'like' ? `%${escapeLike(p)}%` : normaliseRawLike(p),
      )
      return orSql(
        patterns.map(
          (p) => sql<SqlBool>`lower(${text}) like lower(cast(${p} as text)) escape ${sql.lit(LIKE_ESCAPE)}`,
        ),
      )
    }
    case 'between': {
      const [a, b] = value as readonly [unknown, unknown]
      return sql<SqlBool>`${ref} between ${a} and ${b}`
    }
  }
}

function compareSql(node: FilterCompare, fields: ListFieldMap): RawBuilder<SqlBool> {
  const field = fields.get(node.field)
  // Only nodes built by parseFilter against the same map should get here; anything else matches nothing.
  if (!field) return FALSE_SQL
  const negatedOf = NEGATIONS[node.op]
  const positiveOp: PositiveFilterOp = negatedOf ?? (node.op as PositiveFilterOp)
  const condition = (column: string | RawBuilder<unknown>): RawBuilder<SqlBool> =>
    positiveSql(column, field.type, positiveOp, node.value)
  if (field.filter) {
    const custom = field.filter({
      field: node.field,
      op: node.op,
      positiveOp,
      negated: negatedOf !== undefined,
      value: node.value,
      condition,
    })
    return sql<SqlBool>`(${custom})`
  }
  const positive = condition(field.column)
  // Complement of the positive condition, NULL counting as "not matching" (so NULL rows are included).
  return negatedOf === undefined ? positive : sql<SqlBool>`(${positive}) is not true`
}

/** Compiles a filter tree to a boolean SQL expression; every client value is a bound parameter. */
export function filterToSql(node: FilterNode, fields: ListFieldMap): RawBuilder<SqlBool> {
  if (node.kind === 'compare') return compareSql(node, fields)
  const parts = node.children.map((child) => filterToSql(child, fields))
  return node.kind === 'and' ? andSql(parts) : orSql(parts)
}

function isTrivial(node: FilterNode): boolean {
  return node.kind === 'and' && node.children.length === 0
}

/** Adds the filter as a `where` clause (nothing for an empty filter). */
export function applyFilter<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  node: FilterNode,
  fields: ListFieldMap,
): SelectQueryBuilder<DB, TB, O> {
  if (isTrivial(node)) return qb
  return qb.where(filterToSql(node, fields))
}

/**
 * Adds `order by` items. NULLs sort first in ascending and last in descending order, as in MySQL (and
 * SQLite), on both dialects. Text order is the column's collation: byte order on SQLite and on PostgreSQL
 * databases/columns with the C collation.
 */
export function applyOrder<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  order: readonly OrderItem[],
  fields: ListFieldMap,
): SelectQueryBuilder<DB, TB, O> {
  let result = qb
  for (const item of order) {
    const field = fields.get(item.field)
    if (!field) continue
    result = result.orderBy(field.order ?? sql.ref(field.column), (ob) =>
      field.notNull === true
        ? item.direction === 'asc'
          ? ob.asc()
          : ob.desc()
        : item.direction === 'asc'
          ? ob.asc().nullsFirst()
          : ob.desc().nullsLast(),
    )
  }
  return result
}

// ---------------------------------------------------------------------------------------------------------
// runListPage
// ---------------------------------------------------------------------------------------------------------

export interface ListPageParams {
  filter?: unknown
  order?: unknown
  start?: unknown
}

export interface RunListPageOptions extends ParseFilterOptions {
  /** Used when the client sends no (valid) order, e.g. `[{field: 'ID', direction: 'asc'}]`. */
  defaultOrder?: readonly OrderItem[]
  /**
   * A unique column appended as the last order item (ascending) unless the order already uses it, so that
   * pages never overlap or skip rows. Declared by our code, e.g. `'id'`.
   */
  tieBreakerColumn?: string
  /** Run the page and the count as prepared queries (see {@link PreparedList}). */
  prepared?: PreparedList
}

/** What runs a prepared list: the store's Kysely, whatever its schema. */
export type ListDb = Pick<Kysely<unknown>, 'getExecutor' | 'executeQuery'>

/**
 * A list whose page and count queries are compiled once per shape and then run with new values, as
 * store/prepared.ts does for fixed statements: building and compiling a list query with Kysely costs more
 * than SQLite takes to run it on an index. The base query is built with {@link param} slots for `values`;
 * `key` names it (the same key must always build the same base query). The shape of the filter (fields,
 * operators, number of values) and the order complete the key; filters through a field's own hook and LIKE
 * patterns (their SQL depends on the values) are compiled for their call only.
 */
export interface PreparedList {
  readonly db: ListDb
  readonly key: string
  readonly values: Readonly<Record<string, unknown>>
}

export interface ListPage<O> {
  rows: O[]
  /** Number of matching rows; absent when `start = -1`. */
  total?: number
  /** Offset of the next page; present only when more rows remain. */
  next?: number
}

/**
 * Runs one page of a list query. `qb` is the base select (table, joins for output, selected columns; no
 * where on client input, no order, no limit, no group by), or a function that builds it when needed.
 * Parsing errors are thrown before any SQL runs.
 *
 * - `start >= 0`: 50 rows from `start`, plus `total`; `next = start + 50` when `start + 50 < total`
 *   (crm-item-list.md: `next` "appears … if the number of items … exceeds 50"). The count query
 *   (`count(*)` over the same filtered base, without order) runs only when the page is full or empty at
 *   a non-zero offset; otherwise `total = start + rows`.
 * - `start = -1`: the first 50 rows, no count, no `total`, no `next` (user-get.md, huge-data.md).
 */
export async function runListPage<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O> | (() => SelectQueryBuilder<DB, TB, O>),
  params: ListPageParams,
  fields: ListFieldMap,
  options: RunListPageOptions,
): Promise<ListPage<O>> {
  const filter = parseFilter(params.filter, fields, options)
  let order = parseOrder(params.order, fields, options)
  if (order.length === 0 && options.defaultOrder) order = [...options.defaultOrder]
  const start = parseStart(params.start)

  const base = typeof qb === 'function' ? qb : () => qb
  const tie = options.tieBreakerColumn
  const pageOf = (filtered: SelectQueryBuilder<DB, TB, O>, offset: number) => {
    let ordered = applyOrder(filtered, order, fields)
    if (tie !== undefined && !order.some((o) => fields.get(o.field)?.column === tie)) {
      ordered = ordered.orderBy(sql.ref(tie), 'asc')
    }
    return start < 0 ? ordered.limit(LIST_PAGE_SIZE) : ordered.limit(LIST_PAGE_SIZE).offset(offset)
  }

  let rows: O[]
  let count: () => Promise<number>
  if (options.prepared !== undefined) {
    const { db, key, values } = options.prepared
    const slots = filterSlots(filter, fields)
    const node = slots?.node ?? filter
    const filtered = slots === undefined ? undefined : `${key}|${slots.key}`
    const orderKey = order.map((o) => `${fieldIdOf(fields.get(o.field))}${o.direction}`).join(',')
    const bound = { ...values, ...slots?.values, offset: start }
    rows = await runCached<O>(
      db,
      filtered && `${filtered}|${orderKey}|${tie ?? ''}|${start < 0 ? 'top' : 'page'}`,
      () => pageOf(applyFilter(base(), node, fields), param('offset')),
      bound,
    )
    count = async () => {
      const build = () => countQuery(applyFilter(base(), node, fields))
      const [row] = await runCached(db, filtered && `${filtered}|count`, build, bound)
      return totalOf(row)
    }
  } else {
    const filtered = applyFilter(base(), filter, fields)
    rows = await pageOf(filtered, start).execute()
    count = () => countRows(filtered)
  }

  if (start < 0) return { rows }
  let total: number
  if ((rows.length > 0 && rows.length < LIST_PAGE_SIZE) || (rows.length === 0 && start === 0)) {
    total = start + rows.length
  } else {
    total = await count()
  }
  const page: ListPage<O> = { rows, total }
  if (start + LIST_PAGE_SIZE < total) page.next = start + LIST_PAGE_SIZE
  return page
}

/** `select count(*)` over the filtered base query (select list and order removed). */
export async function countRows<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
): Promise<number> {
  return totalOf(await countQuery(qb).executeTakeFirstOrThrow())
}

function countQuery<DB, TB extends keyof DB, O>(qb: SelectQueryBuilder<DB, TB, O>) {
  return qb
    .clearSelect()
    .clearOrderBy()
    .select(sql<number | string | bigint>`count(*)`.as('total'))
}

function totalOf(row: unknown): number {
  // PostgreSQL returns count(*) as a bigint string, SQLite as a number.
  return Number((row as { total: number | string | bigint } | undefined)?.total ?? 0)
}

// ---------------------------------------------------------------------------------------------------------
// Prepared lists
// ---------------------------------------------------------------------------------------------------------

/** The most distinct values an IN list of a prepared page may have; longer lists are compiled per call. */
const PREPARED_IN_LIMIT = 50

/** Compiled queries kept per store adapter; bounded, since the shapes of clients' filters are not. */
const PREPARED_LIMIT = 500

const preparedQueries = new WeakMap<object, Map<string, CompiledQuery>>()

const fieldIds = new WeakMap<ListField, number>()
let nextFieldId = 0

/**
 * A number naming a declared field in prepared-query keys: the SQL of a condition or an order is the field
 * object's, whatever map or name it is reached through.
 */
function fieldIdOf(field: ListField | undefined): string {
  if (field === undefined) return '-'
  let id = fieldIds.get(field)
  if (id === undefined) fieldIds.set(field, (id = nextFieldId++))
  return String(id)
}

/**
 * The filter with its values replaced by {@link param} slots (`f0`, `f1`, …), the key of its SQL shape and
 * the values; undefined when its SQL depends on the values (LIKE patterns, a field's own filter hook, long
 * IN lists). The slots follow what {@link positiveSql} makes of each value: `eq` null is "empty", IN lists
 * are deduplicated and keep their "empty" entry.
 */
function filterSlots(
  node: FilterNode,
  fields: ListFieldMap,
): { node: FilterNode; key: string; values: Record<string, unknown> } | undefined {
  const values: Record<string, unknown> = {}
  let slots = 0
  const slot = (value: unknown): unknown => {
    const name = `f${slots++}`
    values[name] = value
    return param<unknown>(name)
  }
  const walk = (current: FilterNode): { node: FilterNode; key: string } | undefined => {
    if (current.kind !== 'compare') {
      const children: FilterNode[] = []
      const keys: string[] = []
      for (const child of current.children) {
        const walked = walk(child)
        if (walked === undefined) return undefined
        children.push(walked.node)
        keys.push(walked.key)
      }
      return { node: { kind: current.kind, children }, key: `${current.kind}(${keys.join(',')})` }
    }
    const field = fields.get(current.field)
    if (field === undefined || field.filter !== undefined) return undefined
    const name = `${fieldIdOf(field)}${current.op}`
    switch (current.op) {
      case 'eq':
      case 'neq':
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        return current.value === null
          ? { node: current, key: `${name}:null` }
          : { node: { ...current, value: slot(current.value) }, key: name }
      case 'in':
      case 'notIn': {
        const all = current.value as readonly (string | number | null)[]
        const distinct = [...new Set(all.filter((v) => v !== null))]
        if (distinct.length > PREPARED_IN_LIMIT) return undefined
        const empty = all.includes(null)
        const value = [...distinct.map(slot), ...(empty ? [null] : [])]
        return { node: { ...current, value }, key: `${name}:${distinct.length}${empty ? ':null' : ''}` }
      }
      case 'between':
      case 'notBetween': {
        const [low, high] = current.value as readonly unknown[]
        return { node: { ...current, value: [slot(low), slot(high)] }, key: name }
      }
      default:
        return undefined
    }
  }
  const walked = walk(node)
  return walked === undefined ? undefined : { ...walked, values }
}

/**
 * Runs a query compiled once per adapter and `key` ({@link PREPARED_LIMIT} kept), or for this call only
 * without a key, with `values` in its slots.
 */
async function runCached<R>(
  db: ListDb,
  key: string | undefined,
  build: () => Compilable<R>,
  values: Readonly<Record<string, unknown>>,
): Promise<R[]> {
  let compiled: CompiledQuery<R> | undefined
  if (key === undefined) {
    compiled = build().compile()
  } else {
    const adapter = db.getExecutor().adapter
    let queries = preparedQueries.get(adapter)
    if (queries === undefined) preparedQueries.set(adapter, (queries = new Map()))
    compiled = queries.get(key) as CompiledQuery<R> | undefined
    if (compiled === undefined) {
      compiled = build().compile()
      if (queries.size >= PREPARED_LIMIT) queries.delete(queries.keys().next().value as string)
      queries.set(key, compiled)
    }
  }
  const parameters = compiled.parameters.map((p) => {
    if (!(p instanceof Param)) return p
    if (!(p.name in values)) throw new Error(`prepared list ${key}: no value for ${p.name}`)
    return values[p.name]
  })
  return (await db.executeQuery<R>({ ...compiled, parameters })).rows
}
