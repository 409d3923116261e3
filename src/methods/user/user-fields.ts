/**
 * The wire shape of a user, shared by `user.get` and `user.current`.
 *
 * Which fields a caller sees depends on its scope (api-reference/user/user-scope.md, user/index.md "User
 * Data Access Levels"): `user` sees every field, `user_basic` the basic data and contact details, `user_brief`
 * the data without contact details. A caller holding several of them sees the widest set.
 *
 * Values follow the response examples of user-get.md and user-current.md: `ID` is a string, `ACTIVE` a
 * boolean, `IS_ONLINE` `"Y"`/`"N"`, dates ISO 8601 with the portal's offset (an unset date is `""`),
 * `UF_DEPARTMENT` an array of integers. A field this server has no storage for is never set, and Bitrix24
 * leaves unset (NULL) fields out of the answer (user-get.md: the second user of the example has no
 * `SECOND_NAME`; profile.md: `PERSONAL_PHOTO` "is returned only if a photo has been uploaded"), so such
 * fields are omitted (docs/compatibility.md).
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { Selectable } from 'kysely'
import type { PortalUserTable } from '../../store/schema.js'
import {
  escapeLike,
  type FieldFilterContext,
  type ListField,
  type ListFieldMap,
} from '../../store/list-query.js'
import { formatIsoWithOffset } from '../../lib/format-date.js'

/** How much of a user a caller may see, widest first. */
export type UserFieldLevel = 'user' | 'user_basic' | 'user_brief'

type UserRow = Selectable<PortalUserTable>

type Storage =
  | { kind: 'id' }
  | { kind: 'active' }
  | { kind: 'online' }
  | { kind: 'departments' }
  | { kind: 'string'; column: StringColumn }
  | { kind: 'datetime'; column: DateColumn }
  | { kind: 'date'; column: DateColumn }
  /** documented, but this server keeps no value for it: always unset */
  | { kind: 'none' }

type StringColumn = {
  [K in keyof PortalUserTable]: PortalUserTable[K] extends string ? K : never
}[keyof PortalUserTable]
type DateColumn =
  | 'last_login'
  | 'date_register'
  | 'timestamp_x'
  | 'last_activity_date'
  | 'personal_birthday'
  | 'uf_employment_date'

interface UserWireField {
  name: string
  storage: Storage
  /** in the `user_basic` field list of user-scope.md */
  basic: boolean
  /** in the `user_brief` field list of user-scope.md */
  brief: boolean
}

const NONE: Storage = { kind: 'none' }
const str = (column: StringColumn): Storage => ({ kind: 'string', column })

/**
 * Every user field, in the order `user.fields` lists them (user-fields.md) — the order user.get answers in
 * (its response example follows it). `UF_FACEBOOK` is missing from user.fields but listed by user-scope.md.
 * `USER_TYPE` is in no scope table of user-scope.md but in the user.get answer and filter: full scope only.
 */
const FIELDS: readonly UserWireField[] = [
  { name: 'ID', storage: { kind: 'id' }, basic: true, brief: true },
  { name: 'XML_ID', storage: str('xml_id'), basic: true, brief: true },
  { name: 'ACTIVE', storage: { kind: 'active' }, basic: true, brief: true },
  { name: 'NAME', storage: str('name'), basic: true, brief: true },
  { name: 'LAST_NAME', storage: str('last_name'), basic: true, brief: true },
  { name: 'SECOND_NAME', storage: str('second_name'), basic: true, brief: true },
  { name: 'TITLE', storage: NONE, basic: true, brief: true },
  { name: 'EMAIL', storage: str('email'), basic: true, brief: false },
  { name: 'LAST_LOGIN', storage: { kind: 'datetime', column: 'last_login' }, basic: false, brief: false },
  { name: 'DATE_REGISTER', storage: { kind: 'datetime', column: 'date_register' }, basic: true, brief: true },
  { name: 'TIME_ZONE', storage: str('time_zone'), basic: true, brief: true },
  { name: 'IS_ONLINE', storage: { kind: 'online' }, basic: true, brief: true },
  { name: 'TIMESTAMP_X', storage: { kind: 'datetime', column: 'timestamp_x' }, basic: true, brief: true },
  {
    name: 'LAST_ACTIVITY_DATE',
    storage: { kind: 'datetime', column: 'last_activity_date' },
    basic: true,
    brief: true,
  },
  { name: 'PERSONAL_GENDER', storage: str('personal_gender'), basic: true, brief: true },
  { name: 'PERSONAL_PROFESSION', storage: NONE, basic: true, brief: true },
  { name: 'PERSONAL_WWW', storage: str('personal_www'), basic: false, brief: false },
  {
    name: 'PERSONAL_BIRTHDAY',
    storage: { kind: 'date', column: 'personal_birthday' },
    basic: true,
    brief: true,
  },
  { name: 'PERSONAL_PHOTO', storage: NONE, basic: true, brief: true },
  { name: 'PERSONAL_ICQ', storage: NONE, basic: false, brief: false },
  { name: 'PERSONAL_PHONE', storage: str('personal_phone'), basic: true, brief: false },
  { name: 'PERSONAL_FAX', storage: NONE, basic: true, brief: false },
  { name: 'PERSONAL_MOBILE', storage: str('personal_mobile'), basic: true, brief: false },
  { name: 'PERSONAL_PAGER', storage: NONE, basic: true, brief: false },
  { name: 'PERSONAL_STREET', storage: NONE, basic: true, brief: false },
  { name: 'PERSONAL_CITY', storage: str('personal_city'), basic: true, brief: true },
  { name: 'PERSONAL_STATE', storage: NONE, basic: true, brief: true },
  { name: 'PERSONAL_ZIP', storage: NONE, basic: true, brief: false },
  { name: 'PERSONAL_COUNTRY', storage: NONE, basic: true, brief: true },
  { name: 'PERSONAL_MAILBOX', storage: NONE, basic: true, brief: false },
  { name: 'PERSONAL_NOTES', storage: NONE, basic: true, brief: false },
  { name: 'WORK_PHONE', storage: str('work_phone'), basic: true, brief: false },
  { name: 'WORK_COMPANY', storage: str('work_company'), basic: true, brief: false },
  { name: 'WORK_POSITION', storage: str('work_position'), basic: true, brief: true },
  { name: 'WORK_DEPARTMENT', storage: NONE, basic: true, brief: false },
  { name: 'WORK_WWW', storage: NONE, basic: true, brief: false },
  { name: 'WORK_FAX', storage: NONE, basic: true, brief: false },
  { name: 'WORK_PAGER', storage: NONE, basic: true, brief: false },
  { name: 'WORK_STREET', storage: NONE, basic: true, brief: false },
  { name: 'WORK_MAILBOX', storage: NONE, basic: true, brief: false },
  { name: 'WORK_CITY', storage: NONE, basic: true, brief: true },
  { name: 'WORK_STATE', storage: NONE, basic: true, brief: true },
  { name: 'WORK_ZIP', storage: NONE, basic: true, brief: false },
  { name: 'WORK_COUNTRY', storage: NONE, basic: true, brief: true },
  { name: 'WORK_PROFILE', storage: NONE, basic: true, brief: false },
  { name: 'WORK_LOGO', storage: NONE, basic: true, brief: false },
  { name: 'WORK_NOTES', storage: NONE, basic: true, brief: false },
  { name: 'UF_SKYPE_LINK', storage: NONE, basic: true, brief: false },
  { name: 'UF_ZOOM', storage: NONE, basic: true, brief: false },
  {
    name: 'UF_EMPLOYMENT_DATE',
    storage: { kind: 'date', column: 'uf_employment_date' },
    basic: true,
    brief: true,
  },
  { name: 'UF_TIMEMAN', storage: NONE, basic: true, brief: true },
  { name: 'UF_DEPARTMENT', storage: { kind: 'departments' }, basic: true, brief: true },
  { name: 'UF_INTERESTS', storage: NONE, basic: true, brief: true },
  { name: 'UF_SKILLS', storage: NONE, basic: true, brief: true },
  { name: 'UF_WEB_SITES', storage: NONE, basic: true, brief: false },
  { name: 'UF_XING', storage: NONE, basic: true, brief: false },
  { name: 'UF_LINKEDIN', storage: NONE, basic: true, brief: false },
  { name: 'UF_TWITTER', storage: NONE, basic: true, brief: false },
  { name: 'UF_FACEBOOK', storage: NONE, basic: true, brief: false },
  { name: 'UF_SKYPE', storage: NONE, basic: true, brief: false },
  { name: 'UF_DISTRICT', storage: NONE, basic: true, brief: false },
  { name: 'UF_PHONE_INNER', storage: str('uf_phone_inner'), basic: true, brief: true },
  { name: 'USER_TYPE', storage: str('user_type'), basic: false, brief: false },
]

const FIELD_BY_NAME = new Map(FIELDS.map((field) => [field.name, field]))

/** Documented user fields this server keeps no value for (listed as a limitation of user.get/user.current). */
export const UNSTORED_USER_FIELDS: readonly string[] = FIELDS.filter((f) => f.storage.kind === 'none').map(
  (f) => f.name,
)

/** The widest field level the granted scopes open, or undefined when none of the user scopes is granted. */
export function userFieldLevel(scopes: ReadonlySet<string>): UserFieldLevel | undefined {
  if (scopes.has('user')) return 'user'
  if (scopes.has('user_basic')) return 'user_basic'
  if (scopes.has('user_brief')) return 'user_brief'
  return undefined
}

function visibleAt(field: UserWireField, level: UserFieldLevel): boolean {
  return level === 'user' || (level === 'user_basic' ? field.basic : field.brief)
}

/** The fields a level sees, in answer order: the default `select` of user.get and the shape of user.current. */
export function visibleUserFields(level: UserFieldLevel): readonly string[] {
  return VISIBLE[level]
}

const VISIBLE: Record<UserFieldLevel, readonly string[]> = {
  user: FIELDS.filter((f) => visibleAt(f, 'user')).map((f) => f.name),
  user_basic: FIELDS.filter((f) => visibleAt(f, 'user_basic')).map((f) => f.name),
  user_brief: FIELDS.filter((f) => visibleAt(f, 'user_brief')).map((f) => f.name),
}

/**
 * Renders one user. `fields` are wire names (unknown ones are skipped); `offsetMinutes` is the portal's
 * offset, in which every date is printed.
 */
export function userToWire(
  row: UserRow,
  departments: readonly number[],
  fields: readonly string[],
  offsetMinutes: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const name of fields) {
    const field = FIELD_BY_NAME.get(name)
    if (field === undefined) continue
    const storage = field.storage
    switch (storage.kind) {
      case 'id':
        out[name] = String(row.id)
        break
      case 'active':
        out[name] = row.active === 1
        break
      case 'online':
        out[name] = row.is_online === 1 ? 'Y' : 'N'
        break
      case 'departments':
        out[name] = [...departments]
        break
      case 'string':
        out[name] = row[storage.column]
        break
      case 'datetime':
        out[name] = renderDateTime(row[storage.column], offsetMinutes)
        break
      case 'date':
        out[name] = renderDate(row[storage.column], offsetMinutes)
        break
      case 'none':
        break
    }
  }
  return out
}

/** `2024-07-25T13:06:54+00:00` (user-get.md); an unset date is `""`, as `PERSONAL_BIRTHDAY` in the example. */
function renderDateTime(stored: string | null, offsetMinutes: number): string {
  if (stored === null || stored === '') return ''
  const ms = Date.parse(stored)
  return Number.isNaN(ms) ? '' : formatIsoWithOffset(ms, offsetMinutes)
}

/** A date is printed as its midnight: `"PERSONAL_BIRTHDAY": "2018-07-14T00:00:00+00:00"` (user-get.md). */
function renderDate(stored: string | null, offsetMinutes: number): string {
  if (stored === null || !/^\d{4}-\d{2}-\d{2}/.test(stored)) return ''
  const offset = formatIsoWithOffset(0, offsetMinutes).slice(19)
  return `${stored.slice(0, 10)}T00:00:00${offset}`
}

// ---------------------------------------------------------------------------------------------------------
// Filter and sort fields (store/list-query.ts)
// ---------------------------------------------------------------------------------------------------------

const TRUE_SQL = sql<SqlBool>`1 = 1`
const FALSE_SQL = sql<SqlBool>`1 = 0`

function negate(ctx: FieldFilterContext, positive: RawBuilder<SqlBool>): RawBuilder<SqlBool> {
  return ctx.negated ? sql<SqlBool>`(${positive}) is not true` : positive
}

/**
 * Dates are compared on their first `length` characters (`YYYY-MM-DDTHH:MM:SS` or `YYYY-MM-DD`): the stored
 * text may carry milliseconds (`…00.000Z`) that the filter value, normalised to whole seconds, has not, and a
 * plain text comparison would put the two on different sides of `=` and `>=`.
 */
function truncatedFilter(column: string, length: number): NonNullable<ListField['filter']> {
  return (ctx) => {
    const ref = sql.ref(column)
    const expr = sql`substr(${ref}, 1, ${sql.lit(length)})`
    const cut = (value: unknown): string => String(value).slice(0, length)
    let positive: RawBuilder<SqlBool>
    switch (ctx.positiveOp) {
      case 'eq':
        positive =
          ctx.value === null ? sql<SqlBool>`${ref} is null` : sql<SqlBool>`${expr} = ${cut(ctx.value)}`
        break
      case 'gt':
        positive = sql<SqlBool>`${expr} > ${cut(ctx.value)}`
        break
      case 'gte':
        positive = sql<SqlBool>`${expr} >= ${cut(ctx.value)}`
        break
      case 'lt':
        positive = sql<SqlBool>`${expr} < ${cut(ctx.value)}`
        break
      case 'lte':
        positive = sql<SqlBool>`${expr} <= ${cut(ctx.value)}`
        break
      case 'in': {
        const values = ctx.value as ReadonlyArray<string | null>
        const parts: Array<RawBuilder<SqlBool>> = values
          .filter((v): v is string => v !== null)
          .map((v) => sql<SqlBool>`${expr} = ${cut(v)}`)
        if (values.includes(null)) parts.push(sql<SqlBool>`${ref} is null`)
        positive = parts.length === 0 ? FALSE_SQL : sql<SqlBool>`(${sql.join(parts, sql` or `)})`
        break
      }
      case 'between': {
        const [from, to] = ctx.value as readonly [string, string]
        positive = sql<SqlBool>`${expr} between ${cut(from)} and ${cut(to)}`
        break
      }
      case 'like':
      case 'likeRaw':
        // A text search inside a date: the stored text is what is searched.
        positive = ctx.condition(column)
        break
    }
    return negate(ctx, positive)
  }
}

/**
 * `UF_DEPARTMENT` — "belonging to the company structure" (user-get.md): a user matches when one of their
 * departments matches; an empty value means "in no department".
 */
const departmentFilter: NonNullable<ListField['filter']> = (ctx) => {
  const exists = (condition?: RawBuilder<SqlBool>): RawBuilder<SqlBool> =>
    sql<SqlBool>`exists (select 1 from user_department ud where ud.portal_id = portal_user.portal_id and ud.user_id = portal_user.id${
      condition === undefined ? sql`` : sql` and ${condition}`
    })`
  let positive: RawBuilder<SqlBool>
  if (ctx.positiveOp === 'eq' && ctx.value === null) {
    positive = sql<SqlBool>`not ${exists()}`
  } else if (ctx.positiveOp === 'in' && (ctx.value as readonly unknown[]).includes(null)) {
    positive = sql<SqlBool>`(${exists(ctx.condition('ud.department_id'))} or not ${exists()})`
  } else {
    positive = exists(ctx.condition('ud.department_id'))
  }
  return negate(ctx, positive)
}

/**
 * A documented field without storage is unset on every user, so a condition on it is the same for every row:
 * evaluated here against the empty value instead of being dropped (a dropped condition would match everyone).
 */
const unsetFieldFilter: NonNullable<ListField['filter']> = (ctx) => {
  return emptyMatches(ctx) !== ctx.negated ? TRUE_SQL : FALSE_SQL
}

function emptyMatches(ctx: FieldFilterContext): boolean {
  const isEmpty = (v: unknown): boolean => v === null || v === ''
  switch (ctx.positiveOp) {
    case 'eq':
      return isEmpty(ctx.value)
    case 'in':
      return (ctx.value as readonly unknown[]).some(isEmpty)
    case 'gt':
      return false
    case 'gte':
      return isEmpty(ctx.value)
    case 'lt':
      return !isEmpty(ctx.value)
    case 'lte':
      return true
    case 'like':
      return (ctx.value as readonly string[]).some((p) => p === '')
    case 'likeRaw':
      return (ctx.value as readonly string[]).some((p) => /^%*$/.test(p))
    case 'between':
      return isEmpty((ctx.value as readonly unknown[])[0])
  }
}

/**
 * `NAME_SEARCH` — "quick search by personal data" (user-get.md). Bitrix24 searches a word index; here every
 * word of the value must begin a word of the first, last or second name, the position or (for callers that
 * see it) the e-mail. Case-insensitive.
 */
function nameSearchFilter(withEmail: boolean): NonNullable<ListField['filter']> {
  const columns = [
    'portal_user.name',
    'portal_user.last_name',
    'portal_user.second_name',
    'portal_user.work_position',
  ]
  if (withEmail) columns.push('portal_user.email')
  return (ctx) => {
    const values = Array.isArray(ctx.value) ? ctx.value : [ctx.value]
    const words = values
      .filter((v): v is string | number => typeof v === 'string' || typeof v === 'number')
      .join(' ')
      .split(/\s+/)
      .filter((w) => w !== '')
    if (words.length === 0) return negate(ctx, TRUE_SQL)
    const perWord = words.map((word) => {
      const start = `${escapeLike(word)}%`
      const inside = `% ${escapeLike(word)}%`
      const hits = columns.map((column) => {
        const ref = sql.ref(column)
        return sql<SqlBool>`(lower(${ref}) like lower(cast(${start} as text)) escape '!' or lower(${ref}) like lower(cast(${inside} as text)) escape '!')`
      })
      return sql<SqlBool>`(${sql.join(hits, sql` or `)})`
    })
    return negate(ctx, sql<SqlBool>`(${sql.join(perWord, sql` and `)})`)
  }
}

function listField(field: UserWireField): ListField {
  const storage = field.storage
  switch (storage.kind) {
    case 'id':
      return { column: 'portal_user.id', type: 'integer' }
    case 'active':
      return { column: 'portal_user.active', type: 'boolean' }
    case 'online':
      return { column: 'portal_user.is_online', type: 'boolean' }
    case 'departments':
      return { column: 'portal_user.id', type: 'integer', multiple: true, filter: departmentFilter }
    case 'string':
      // user-get.md: `{"filter":{"NAME":"Iv%"}}` finds names starting with "Iv".
      return { column: `portal_user.${storage.column}`, type: 'string', eqLike: true }
    case 'datetime':
      return {
        column: `portal_user.${storage.column}`,
        type: 'datetime',
        filter: truncatedFilter(`portal_user.${storage.column}`, 19),
      }
    case 'date':
      return {
        column: `portal_user.${storage.column}`,
        type: 'date',
        filter: truncatedFilter(`portal_user.${storage.column}`, 10),
      }
    case 'none':
      // The column is never read: the filter hook answers for it and the field cannot be sorted.
      return { column: 'portal_user.id', type: 'string', sortable: false, filter: unsetFieldFilter }
  }
}

/**
 * Filter keys user.get documents in addition to the visible fields ("In addition to the main fields, the
 * following additional ones are available", user-get.md); they reveal no contact details, so every user scope
 * may filter by them.
 */
const EXTRA_FILTER_KEYS = ['ACTIVE', 'IS_ONLINE', 'UF_DEPARTMENT', 'UF_PHONE_INNER', 'USER_TYPE'] as const

function buildListFields(level: UserFieldLevel): ListFieldMap {
  const map = new Map<string, ListField>()
  for (const field of FIELDS) {
    if (visibleAt(field, level) || (EXTRA_FILTER_KEYS as readonly string[]).includes(field.name)) {
      map.set(field.name, listField(field))
    }
  }
  map.set('NAME_SEARCH', {
    column: 'portal_user.name',
    type: 'string',
    sortable: false,
    filter: nameSearchFilter(level !== 'user_brief'),
  })
  return map
}

const LIST_FIELDS: Record<UserFieldLevel, ListFieldMap> = {
  user: buildListFields('user'),
  user_basic: buildListFields('user_basic'),
  user_brief: buildListFields('user_brief'),
}

/** Filter and sort fields of user.get for a level: the visible fields plus the documented extra filter keys. */
export function userListFields(level: UserFieldLevel): ListFieldMap {
  return LIST_FIELDS[level]
}

const SELECT_FIELDS: Record<UserFieldLevel, ListFieldMap> = {
  user: selectMap('user'),
  user_basic: selectMap('user_basic'),
  user_brief: selectMap('user_brief'),
}

function selectMap(level: UserFieldLevel): ListFieldMap {
  const fields = LIST_FIELDS[level]
  const map = new Map<string, ListField>()
  for (const name of VISIBLE[level]) {
    const field = fields.get(name)
    if (field !== undefined) map.set(name, field)
  }
  return map
}

/** The fields `select` may name for a level: exactly the visible ones (user-get.md skips the others). */
export function userSelectFields(level: UserFieldLevel): ListFieldMap {
  return SELECT_FIELDS[level]
}
