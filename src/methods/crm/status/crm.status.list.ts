import { defineMethod, ListPage } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { ListQueryError, runListPage, type OrderItem } from '../../../store/list-query.js'
import { statusFromRow } from '../../../crm/dictionaries/dictionary-store.js'
import { statusToWire } from '../../../crm/dictionaries/statuses.js'
import { legacyParam } from '../dictionary-common.js'
import { STATUS_LIST_FIELDS, requireStatusRead, statusError } from './status-wire.js'

/** Without `order`: by SORT, then ID (the order crm.status.entity.items uses; the pages sort by SORT). */
const DEFAULT_ORDER: readonly OrderItem[] = [{ field: 'SORT', direction: 'asc' }]

/**
 * crm.status.list (api-reference/crm/status/crm-status-list.md). `filter` and `order` take the fields of
 * crm.status.fields (upper-case, the legacy prefixes, no OR groups); pages of 50 with `start`, `total` and
 * `next` as every list (the tutorials page through it with `start`). Unknown filter keys are ignored, as
 * in the other legacy lists; a value that is not an object, or a bad sort direction, is
 * "Invalid parameters.".
 */
export default defineMethod({
  name: 'crm.status.list',
  scope: 'crm',
  summary: 'A filtered, sorted page of dictionary values and funnel stages.',
  reference: 'api-reference/crm/status/crm-status-list.md',
  parity: 'full',
  params: wireRecord,
  handler: async (params, ctx) => {
    await requireStatusRead(ctx.store.db, ctx.principal)
    const base = ctx.store.db
      .selectFrom('crm_status')
      .selectAll()
      .where('portal_id', '=', ctx.principal.portal.id)
    let page
    try {
      page = await runListPage(
        base,
        {
          filter: legacyParam(params, 'filter'),
          order: legacyParam(params, 'order'),
          start: legacyParam(params, 'start'),
        },
        STATUS_LIST_FIELDS,
        {
          keyCase: 'upper',
          onUnknownField: 'ignore',
          allowOr: false,
          onInvalidValue: 'no_match',
          defaultOrder: DEFAULT_ORDER,
          tieBreakerColumn: 'id',
        },
      )
    } catch (error) {
      if (error instanceof ListQueryError)
        throw statusError('Invalid parameters.', 'Incorrect parameters passed.')
      throw error
    }
    return new ListPage(
      page.rows.map((row) => statusToWire(statusFromRow(row))),
      page.total,
      page.next,
    )
  },
})
