import { defineMethod, ListPage } from '../../define-method.js'
import { RestError } from '../../../protocol/errors.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { ListQueryError, parseSelect, runListPage, type OrderItem } from '../../../store/list-query.js'
import { formatIsoWithOffset } from '../../../lib/format-date.js'
import { storedDateTimeToEpochMs } from '../../../store/list-query.js'
import { entityTypeName, resolveEntityType } from '../../../crm/entity-type-resolver.js'
import { classifyEntityTypeId } from '../../../crm/entity-types/registry.js'
import { ENTITY_TYPE_ID } from '../../../crm/entity-types/entity-type.js'
import {
  hasStageHistory,
  stageHistoryBaseQuery,
  stageHistoryListFieldMap,
  stageHistoryToWire,
} from '../../../crm/items/stage-history.js'
import { requiredIntParam, requireItemIntranetUser } from '../item/item-wire.js'

const DEFAULT_ORDER: readonly OrderItem[] = [{ field: 'ID', direction: 'asc' }]

/**
 * crm.stagehistory.list (api-reference/crm/crm-stage-history-list.md): the stage moves of leads, deals,
 * invoices and smart processes, as the after-save step records them (src/crm/items/stage-history.ts).
 *
 * - `entityTypeId`: 1 lead, 2 deal, 5 old invoice, 31 invoice, a smart process; anything else answers the
 *   page's example error `{"error":0,"error_description":"SHIPMENT_DOCUMENT entity is not supported"}` with
 *   the type's name. Old invoices have no items here, so their history is empty.
 * - `filter`, `order` over the record fields with every documented operator; a field that is not one of them
 *   or a value of the wrong type is 400 INVALID_ARG_VALUE with the page's texts.
 * - `select`: the fields to return, in the order given; all of them by default.
 * - `start`: pages of 50 with `total` and `next` (list-methods-pecularities.md).
 * The answer is `{items: [{ID, TYPE_ID, OWNER_ID, CREATED_TIME, CATEGORY_ID, STAGE_SEMANTIC_ID, STAGE_ID}]}`;
 * leads (and old invoices) have `STATUS_SEMANTIC_ID`, `STATUS_ID` and no `CATEGORY_ID`.
 */
export default defineMethod({
  name: 'crm.stagehistory.list',
  scope: 'crm',
  summary:
    'Stage history records (creation, moves, funnel changes) of leads, deals, invoices and smart processes.',
  reference: 'api-reference/crm/crm-stage-history-list.md',
  parity: 'partial',
  limitations: [
    'Old invoices (entityTypeId 5) do not exist here: their history is always empty.',
    'Read permissions are not applied to the records: every intranet user sees the history of every item.',
  ],
  params: wireRecord,
  handler: async (params, ctx) => {
    requireItemIntranetUser(ctx)
    const entityTypeId = requiredIntParam(params, 'entityTypeId')
    const portal = ctx.principal.portal
    const resolved = await resolveEntityType(ctx.store.db, portal.id, entityTypeId)
    const supported =
      entityTypeId === ENTITY_TYPE_ID.INVOICE ||
      (resolved.kind === 'found' && hasStageHistory(entityTypeId, resolved.type.isDynamic))
    if (!supported) {
      // CCrmOwnerType::ResolveName gives '' for ids that name no type.
      const name = classifyEntityTypeId(entityTypeId) === 'unknown' ? '' : entityTypeName(entityTypeId)
      throw new RestError(0, `${name} entity is not supported`, 400)
    }

    const fields = stageHistoryListFieldMap(entityTypeId)
    let page
    try {
      page = await runListPage(
        stageHistoryBaseQuery(ctx.store.db, portal.id, entityTypeId),
        { filter: params['filter'], order: params['order'], start: params['start'] },
        fields,
        {
          keyCase: 'upper',
          onUnknownField: 'error',
          allowOr: false,
          onInvalidValue: 'error',
          timeZoneOffsetMinutes: portal.timeZoneOffset,
          defaultOrder: DEFAULT_ORDER,
          tieBreakerColumn: 'crm_stage_history.id',
        },
      )
    } catch (error) {
      if (error instanceof ListQueryError) throw new RestError('INVALID_ARG_VALUE', error.message, 400)
      throw error
    }
    const select = parseSelect(params['select'], fields, { keyCase: 'upper' })
    const formatTime = (stored: string) =>
      formatIsoWithOffset(storedDateTimeToEpochMs(stored), portal.timeZoneOffset)
    const items = page.rows.map((row) =>
      stageHistoryToWire(entityTypeId, row as Record<string, unknown>, select, formatTime),
    )
    return new ListPage({ items }, page.total, page.next)
  },
})
