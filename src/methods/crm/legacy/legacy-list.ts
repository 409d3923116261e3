/**
 * crm.{lead,deal,contact,company}.list (api-reference/crm/leads/crm-lead-list.md, deals/crm-deal-list.md,
 * contacts/crm-contact-list.md, companies/crm-company-list.md): a page of 50 items in the legacy dialect with
 * `total` and `next`.
 *
 * - `select`: src/crm/legacy/legacy-output.ts resolveLegacySelect (default `*` + `UF_*`; multifields and
 *   binding lists only by name; ID always);
 * - `filter`: every prefix of the pages (`>=`, `>`, `<=`, `<`, `@`, `!@`, `%`, `=%`, `%=`, `!%`, `!=%`, `!%=`,
 *   `=`, `!=`, `!`), keys upper-cased, **no OR** ("There is no option to add a logical OR condition",
 *   crm-lead-list.md: nested groups and `logic` are ignored as unknown keys), unknown fields ignored, a value
 *   the field cannot take matches nothing; PHONE / EMAIL / … by value; what each field supports:
 *   src/crm/legacy/legacy-list.ts;
 * - `order`: `{FIELD: asc|desc}` in any case; unknown fields and directions other than DESC sort ascending by
 *   the field or are ignored; default by ID;
 * - `start`: offset in steps of 50; `-1` skips the count.
 * Items the caller may not read are not in the list (src/crm/permissions/).
 */
import { defineMethod, ListPage } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { ListQueryError, runListPage, type OrderItem } from '../../../store/list-query.js'
import { itemListBaseQuery, itemsFromRows } from '../../../crm/items/item-store.js'
import { legacyListFieldMap } from '../../../crm/legacy/legacy-list.js'
import { itemToLegacyWire, legacyLoadParts, resolveLegacySelect } from '../../../crm/legacy/legacy-output.js'
import {
  legacyArrayParam,
  legacyError,
  legacyParamValue,
  legacyRenderOptions,
  loadLegacyTypeContext,
  requireLegacyAccess,
  type LegacyMethodsConfig,
} from './legacy-wire.js'
import { LIST_LIMITATIONS } from './legacy-limitations.js'

const DEFAULT_ORDER: readonly OrderItem[] = [{ field: 'ID', direction: 'asc' }]

/** `order` with every direction other than DESC read as ASC (the legacy lists do not refuse a direction). */
function legacyOrder(order: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [field, direction] of Object.entries(order)) {
    out[field] = typeof direction === 'string' && direction.trim().toUpperCase() === 'DESC' ? 'DESC' : 'ASC'
  }
  return out
}

export function legacyListMethod(config: LegacyMethodsConfig) {
  const { entity } = config
  return defineMethod({
    name: `${config.prefix}.list`,
    scope: 'crm',
    summary: `A filtered, sorted page of ${config.plural} in the legacy dialect, with the selected fields.`,
    reference: `api-reference/crm/${config.docsFolder}/${config.docsStem}-list.md`,
    parity: 'partial',
    limitations: LIST_LIMITATIONS(config),
    params: wireRecord,
    handler: async (params, ctx) => {
      const permissions = await requireLegacyAccess(ctx)
      const filter = legacyArrayParam(params, 'filter')
      const order = legacyOrder(legacyArrayParam(params, 'order'))
      const portalId = ctx.principal.portal.id
      const context = await loadLegacyTypeContext(ctx, config)
      const listOptions = {
        parentEntityTypeIds: context.parentEntityTypeIds,
        userFields: context.userFieldDefinitions,
        dialect: ctx.store.dialect,
      }
      const fields = legacyListFieldMap(entity, listOptions)
      const readable = permissions.itemFilter('read', entity.type)
      const base = itemListBaseQuery(ctx.store.db, portalId, entity.type, listOptions)

      let page
      try {
        page = await runListPage(
          readable === undefined ? base : base.where(readable),
          { filter, order, start: params['start'] ?? params['START'] },
          fields,
          {
            keyCase: 'upper',
            onUnknownField: 'ignore',
            allowOr: false,
            onInvalidValue: 'no_match',
            timeZoneOffsetMinutes: ctx.principal.portal.timeZoneOffset,
            defaultOrder: DEFAULT_ORDER,
            tieBreakerColumn: 'crm_item.id',
          },
        )
      } catch (error) {
        if (!(error instanceof ListQueryError)) throw error
        if (error.kind === 'filter_not_array') throw legacyError("Parameter 'filter' must be array.")
        throw legacyError('Failed to get list. General error.')
      }

      const options = legacyRenderOptions(ctx, context)
      const selected = resolveLegacySelect(entity, legacyParamValue(params, 'select'), options)
      const items = await itemsFromRows(
        ctx.store.db,
        portalId,
        entity.type,
        page.rows,
        legacyLoadParts(entity, selected),
      )
      return new ListPage(
        items.map((item) => itemToLegacyWire(entity, item, selected, options)),
        page.total,
        page.next,
      )
    },
  })
}
