import { defineMethod, ListPage } from '../../define-method.js'
import { RestError } from '../../../protocol/errors.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { ListQueryError, runListPage, type OrderItem } from '../../../store/list-query.js'
import { categoryToWire } from '../../../crm/dictionaries/categories.js'
import { categoryFromRow } from '../../../crm/dictionaries/dictionary-store.js'
import { camelKey } from '../dictionary-common.js'
import { CATEGORY_LIST_FIELDS, categoryTarget } from './category-wire.js'

/** By sort, then id: the order of the crm-category-list.md example (9, 10, 11 at sort 200, then 0 at 300). */
const DEFAULT_ORDER: readonly OrderItem[] = [{ field: 'sort', direction: 'asc' }]

/**
 * crm.category.list (api-reference/crm/universal/category/crm-category-list.md): `{categories}` and `total`.
 * The page documents only `entityTypeId`; the tutorials also filter (`filter: {code: …}`,
 * how-to-add-contractor.md), so `filter`, `order` and `start` work as in the other controller lists
 * (field names in camelCase or UPPER_CASE, OR groups, INVALID_ARG_VALUE for unknown fields).
 */
export default defineMethod({
  name: 'crm.category.list',
  scope: 'crm',
  summary: 'The funnels of an object, filtered and sorted.',
  reference: 'api-reference/crm/universal/category/crm-category-list.md',
  parity: 'full',
  params: wireRecord,
  handler: async (params, ctx) => {
    const target = await categoryTarget(params, ctx, { notFound: 'Smart process not found', write: false })
    const base = ctx.store.db
      .selectFrom('crm_category')
      .selectAll()
      .where('portal_id', '=', ctx.principal.portal.id)
      .where('entity_type_id', '=', target.entityTypeId)
    let page
    try {
      page = await runListPage(
        base,
        { filter: params['filter'], order: params['order'], start: params['start'] },
        CATEGORY_LIST_FIELDS,
        {
          keyCase: camelKey,
          onUnknownField: 'error',
          allowOr: true,
          defaultOrder: DEFAULT_ORDER,
          tieBreakerColumn: 'id',
          timeZoneOffsetMinutes: ctx.principal.portal.timeZoneOffset,
        },
      )
    } catch (error) {
      if (error instanceof ListQueryError) throw new RestError('INVALID_ARG_VALUE', error.message, 400)
      throw error
    }
    const categories = page.rows.map((row) => categoryToWire(categoryFromRow(row)))
    return new ListPage({ categories }, page.total, page.next)
  },
})
