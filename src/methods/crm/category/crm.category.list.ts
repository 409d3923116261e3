import { defineMethod, ListPage } from '../../define-method.js'
import { RestError } from '../../../protocol/errors.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { ListQueryError, runListPage, type OrderItem } from '../../../store/list-query.js'
import { categoryToWire } from '../../../crm/dictionaries/categories.js'
import { categoryFromRow, listCategories } from '../../../crm/dictionaries/dictionary-store.js'
import { permissionsOf } from '../../../crm/permissions/index.js'
import { camelKey } from '../dictionary-common.js'
import { CATEGORY_LIST_FIELDS, categoryTarget } from './category-wire.js'

/** By sort, then id: the order of the crm-category-list.md example (9, 10, 11 at sort 200, then 0 at 300). */
const DEFAULT_ORDER: readonly OrderItem[] = [{ field: 'sort', direction: 'asc' }]

/**
 * crm.category.list (api-reference/crm/universal/category/crm-category-list.md): `{categories}` and `total`.
 * The page documents only `entityTypeId`; the tutorials also filter (`filter: {code: …}`,
 * how-to-add-contractor.md), so `filter`, `order` and `start` work as in the other controller lists
 * (field names in camelCase or UPPER_CASE, OR groups, INVALID_ARG_VALUE for unknown fields).
 * "The list of returned funnels is filtered by access permissions": only funnels whose items the caller may
 * read are listed (src/crm/permissions/).
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
    const portalId = ctx.principal.portal.id
    const permissions = await permissionsOf(ctx.store.db, ctx.principal)
    let base = ctx.store.db
      .selectFrom('crm_category')
      .selectAll()
      .where('portal_id', '=', portalId)
      .where('entity_type_id', '=', target.entityTypeId)
    if (!permissions.isAdmin) {
      const type = { entityTypeId: target.entityTypeId, hasCategories: true }
      const readable = (await listCategories(ctx.store.db, portalId, target.entityTypeId))
        .filter((category) => permissions.canType('read', type, category.id))
        .map((category) => category.id)
      base = base.where('id', 'in', readable.length === 0 ? [-1] : readable)
    }
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
