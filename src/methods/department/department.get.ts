import { defineMethod, ListPage } from '../define-method.js'
import { RestError } from '../../protocol/errors.js'
import { wireRecord } from '../../protocol/params/scalars.js'
import { ListQueryError, runListPage, type ListField, type OrderItem } from '../../store/list-query.js'
import type { DepartmentTable } from '../../store/schema.js'
import type { Selectable } from 'kysely'

const DEFAULT_ORDER: readonly OrderItem[] = [{ field: 'ID', direction: 'asc' }]

/** The filter and sort fields: the department's own fields, by their wire names. */
const DEPARTMENT_FIELDS = new Map<string, ListField>([
  ['ID', { column: 'id', type: 'integer' }],
  ['NAME', { column: 'name', type: 'string' }],
  ['SORT', { column: 'sort', type: 'integer' }],
  ['PARENT', { column: 'parent_id', type: 'integer' }],
  ['UF_HEAD', { column: 'head_user_id', type: 'integer' }],
])

/**
 * department.get — the company structure. The reference pages of the `department` scope
 * (api-reference/departments/, scopes/permissions.md) are not in the docs mirror; the method is called by the
 * docs' own examples (settings/how-to-call-rest-api/batch.md: `department.get` with no parameters and with
 * `ID=$result[get_user][UF_DEPARTMENT][0]`; local-integrations/local-webhooks.md `department.get.json?ID=42`),
 * and batch.md shows its answer: a list of `{"ID":"1","NAME":"DEMO","SORT":500}` with `total`.
 *
 * Parameters: the upper-case field names filter (`ID`, `NAME`, `SORT`, `PARENT`, `UF_HEAD`, with the usual
 * operator prefixes); lower-case `sort` + `order` choose one sort field; `start` pages (50 a page).
 * ID, PARENT and UF_HEAD print as strings, SORT as a number; PARENT is absent for the root and UF_HEAD for a
 * department without a head. Every user of the portal may read the structure.
 */
export default defineMethod({
  name: 'department.get',
  scope: 'department',
  summary: 'The departments of the company structure, filtered by their fields.',
  reference: 'settings/how-to-call-rest-api/batch.md',
  parity: 'partial',
  limitations: [
    'The department.* reference pages are not in the docs mirror: the answer follows the batch.md example; `NAME` filters by exact value unless `%` is used.',
    'The structure is managed through the admin API and the CLI (b24crm department …); department.add/update/delete are not served.',
  ],
  params: wireRecord,
  handler: async (params, ctx) => {
    // `sort` / `order` (lower case) choose the order; the upper-case field names filter.
    const { sort, order, start, ...filter } = params
    const base = ctx.store.db
      .selectFrom('department')
      .selectAll()
      .where('portal_id', '=', ctx.principal.portal.id)
    let page
    try {
      page = await runListPage(base, { filter, order: readOrder(sort, order), start }, DEPARTMENT_FIELDS, {
        keyCase: 'exact',
        onUnknownField: 'ignore',
        allowOr: false,
        onInvalidValue: 'no_match',
        timeZoneOffsetMinutes: ctx.principal.portal.timeZoneOffset,
        defaultOrder: DEFAULT_ORDER,
        tieBreakerColumn: 'id',
      })
    } catch (error) {
      if (error instanceof ListQueryError) throw new RestError('INVALID_ARG_VALUE', error.message, 400)
      throw error
    }
    return new ListPage(page.rows.map(departmentToWire), page.total, page.next)
  },
})

function departmentToWire(row: Selectable<DepartmentTable>): Record<string, unknown> {
  return {
    ID: String(row.id),
    NAME: row.name,
    SORT: row.sort,
    ...(row.parent_id === null ? {} : { PARENT: String(row.parent_id) }),
    ...(row.head_user_id === null ? {} : { UF_HEAD: String(row.head_user_id) }),
  }
}

/** `sort` names the field (any case), `order` its direction (ASC unless DESC); an unknown field is ignored. */
function readOrder(sort: unknown, order: unknown): Record<string, string> {
  if (typeof sort !== 'string' || !DEPARTMENT_FIELDS.has(sort.trim().toUpperCase())) return {}
  const direction = typeof order === 'string' && order.trim().toUpperCase() === 'DESC' ? 'DESC' : 'ASC'
  return { [sort.trim().toUpperCase()]: direction }
}
