import { defineMethod, ListPage } from '../../define-method.js'
import { RestError } from '../../../protocol/errors.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { ListQueryError, runListPage, type OrderItem } from '../../../store/list-query.js'
import { typeListSource, typesFromRows } from '../../../crm/dictionaries/dictionary-store.js'
import { camelKey } from '../dictionary-common.js'
import { TYPE_LIST_FIELDS, requireTypeCaller, typeToWire } from './type-wire.js'

const DEFAULT_ORDER: readonly OrderItem[] = [{ field: 'id', direction: 'asc' }]

/**
 * crm.type.list (api-reference/crm/universal/user-defined-object-types/crm-type-list.md): `{types}` without
 * relations, linkedUserFields and customSections, `total`, pages of 50. `filter` takes the prefixes and the
 * nested `logic: OR` groups of crm.item.list, fields in camelCase (or UPPER_CASE); unknown fields and bad
 * values or directions are INVALID_ARG_VALUE with the page's texts. CRM administrators only.
 */
export default defineMethod({
  name: 'crm.type.list',
  scope: 'crm',
  summary: 'A filtered, sorted page of the smart processes.',
  reference: 'api-reference/crm/universal/user-defined-object-types/crm-type-list.md',
  parity: 'full',
  params: wireRecord,
  handler: async (params, ctx) => {
    await requireTypeCaller(ctx, 'required')
    const portal = ctx.principal.portal
    let page
    try {
      page = await runListPage(
        typeListSource(ctx.store.db, ctx.store.dialect, portal.id),
        { filter: params['filter'], order: params['order'], start: params['start'] },
        TYPE_LIST_FIELDS,
        {
          keyCase: camelKey,
          onUnknownField: 'error',
          allowOr: true,
          defaultOrder: DEFAULT_ORDER,
          tieBreakerColumn: 'id',
          timeZoneOffsetMinutes: portal.timeZoneOffset,
        },
      )
    } catch (error) {
      if (error instanceof ListQueryError) throw new RestError('INVALID_ARG_VALUE', error.message, 400)
      throw error
    }
    const types = typesFromRows(page.rows).map((r) => typeToWire(r, portal.timeZoneOffset, 'list'))
    return new ListPage({ types }, page.total, page.next)
  },
})
