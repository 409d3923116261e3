import { defineMethod, ListPage } from '../define-method.js'
import { RestError } from '../../protocol/errors.js'
import { phpTruthy, wireRecord } from '../../protocol/params/scalars.js'
import { ListQueryError, parseSelect, runListPage, type OrderItem } from '../../store/list-query.js'
import { departmentsOfUsers } from '../../portal/users.js'
import {
  UNSTORED_USER_FIELDS,
  userFieldLevel,
  userListFields,
  userSelectFields,
  userToWire,
  visibleUserFields,
  type UserFieldLevel,
} from './user-fields.js'

const DEFAULT_ORDER: readonly OrderItem[] = [{ field: 'ID', direction: 'asc' }]

/**
 * user.get (api-reference/user/user-get.md). Bitrix24 upper-cases the parameter names; `FILTER` (any case),
 * when it is an array, is the filter, otherwise the top-level parameters are (`{"UF_DEPARTMENT": 1}` in the
 * doc's examples). `SORT` names one field and `ORDER` its direction. Pages of 50, `start = -1` skips `total`.
 */
export default defineMethod({
  name: 'user.get',
  scope: 'user',
  summary: 'A filtered, sorted page of the portal users, with the fields the caller scope opens.',
  reference: 'api-reference/user/user-get.md',
  parity: 'partial',
  limitations: [
    `Fields without storage here are never returned (unset): ${UNSTORED_USER_FIELDS.join(', ')}.`,
    'Custom user fields (UF_USR_*) do not exist; `UF_*` selects the system UF fields only.',
    'IMAGE_RESIZE is accepted and ignored: users have no photos.',
    'NAME_SEARCH matches word starts in the first, last and second name, position and e-mail, not the full search index.',
    'IS_ONLINE is the stored flag, not derived from the last activity.',
    'Bots, open-channel, replica users and integrators do not exist here; e-mail users are hidden unless an administrator passes ADMIN_MODE.',
  ],
  params: wireRecord,
  handler: async (params, ctx) => {
    const query = upperKeys(params)
    const level: UserFieldLevel = userFieldLevel(ctx.principal.scopes) ?? 'user_brief'
    const caller = ctx.principal.user
    // user-get.md: ADMIN_MODE lets an administrator "obtain data about any users" (`'ADMIN_MODE': 'True'`);
    // PHP reads it as a truthy value and ignores it for everyone else.
    const adminMode = phpTruthy(query['ADMIN_MODE']) && caller.isAdmin
    const filterParam = query['FILTER']
    const filter = withoutNul(typeof filterParam === 'object' && filterParam !== null ? filterParam : params)
    const fields = userListFields(level)

    let base = ctx.store.db
      .selectFrom('portal_user')
      .selectAll('portal_user')
      .where('portal_user.portal_id', '=', ctx.principal.portal.id)
    // "The method returns all users except for: bots, e-mail users, …" (user-get.md).
    if (!adminMode) base = base.where('portal_user.user_type', '!=', 'email')
    // An extranet user sees the members of their workgroups and themselves; there are no workgroups here.
    if (!caller.isAdmin && caller.userType === 'extranet') {
      base = base.where('portal_user.id', '=', caller.id)
    }

    let page
    try {
      page = await runListPage(base, { filter, order: readOrder(query), start: params['start'] }, fields, {
        keyCase: 'upper',
        onUnknownField: 'ignore',
        allowOr: false,
        // "If the value is not recognized as a date, the condition retrieves no records" (user-get.md).
        onInvalidValue: 'no_match',
        timeZoneOffsetMinutes: ctx.principal.portal.timeZoneOffset,
        defaultOrder: DEFAULT_ORDER,
        tieBreakerColumn: 'portal_user.id',
      })
    } catch (error) {
      if (error instanceof ListQueryError) throw new RestError('INVALID_ARG_VALUE', error.message, 400)
      throw error
    }

    const select = readSelect(query['SELECT'], level)
    const departments = await departmentsOfUsers(
      ctx.store.db,
      ctx.principal.portal.id,
      page.rows.map((row) => row.id),
    )
    const offset = ctx.principal.portal.timeZoneOffset
    const result = page.rows.map((row) => userToWire(row, departments.get(row.id) ?? [], select, offset))
    return new ListPage(result, page.total, page.next)
  },
})

/**
 * PostgreSQL text cannot hold NUL, and a bound value containing one fails the whole query. No stored text
 * holds one, so a NUL becomes U+FFFD: the value still matches nothing, on both stores.
 */
function withoutNul(value: unknown, depth = 0): unknown {
  if (typeof value === 'string')
    return value.includes('\u0000') ? value.split('\u0000').join('\uFFFD') : value
  // A filter holds values at most two levels down (`{"@ID": [1, 2]}`); anything deeper is no valid value.
  if (depth > 3 || typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map((inner) => withoutNul(inner, depth + 1))
  // fromEntries defines own properties, so a `__proto__` key stays a (meaningless) key.
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withoutNul(inner, depth + 1)]))
}

/** PHP `array_change_key_case($query, CASE_UPPER)`: a later key overwrites an earlier one of another case. */
function upperKeys(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(params)) out[key.toUpperCase()] = value
  return out
}

/**
 * `SORT` (a field name) and `ORDER` (`ASC`/`DESC`). Also accepted: a `{FIELD: direction}` map in `ORDER` or
 * `SORT`, as the CRM lists take it. A direction other than DESC sorts ascending; an unknown field leaves the
 * default order by ID.
 */
function readOrder(query: Record<string, unknown>): Record<string, string> {
  const sort = query['SORT']
  const order = query['ORDER']
  const direction = (value: unknown): string =>
    typeof value === 'string' && value.trim().toUpperCase() === 'DESC' ? 'DESC' : 'ASC'
  if (typeof sort === 'string' && sort.trim() !== '') return { [sort.trim()]: direction(order) }
  const map = isMap(order) ? order : isMap(sort) ? sort : undefined
  if (map === undefined) return {}
  const result: Record<string, string> = {}
  for (const [field, dir] of Object.entries(map)) result[field] = direction(dir)
  return result
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * `select`: names (any case), `*` for every visible field, `UF_*` for the visible UF fields. Names the scope
 * does not open, or that do not exist, are skipped "without returning an error"; nothing left means every
 * visible field, as without `select` (user-get.md).
 */
function readSelect(raw: unknown, level: UserFieldLevel): readonly string[] {
  const visible = visibleUserFields(level)
  const selected = parseSelect(raw, userSelectFields(level), {
    keyCase: 'upper',
    expand: (entry) => {
      if (entry === '*') return visible
      if (entry.toUpperCase() === 'UF_*') return visible.filter((name) => name.startsWith('UF_'))
      return undefined
    },
  })
  return selected.length === 0 ? visible : selected
}
