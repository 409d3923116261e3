import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { loadItem } from '../../../crm/items/item-store.js'
import {
  itemNotFound,
  loadItemTypeContext,
  readUseOriginalUfNames,
  renderItem,
  requiredIntParam,
  requireItemIntranetUser,
  resolveItemType,
} from './item-wire.js'

/**
 * crm.item.get (api-reference/crm/universal/crm-item-get.md): one item of any CRM type as `{item: {…}}`,
 * rendered by src/crm/items/item-output.ts.
 */
export default defineMethod({
  name: 'crm.item.get',
  scope: 'crm',
  summary: 'One CRM item of any type (lead, deal, contact, company, estimate, invoice, smart process) by id.',
  reference: 'api-reference/crm/universal/crm-item-get.md',
  parity: 'partial',
  limitations: [
    'Read permissions are not modelled: every intranet user may read every item (no ACCESS_DENIED).',
    'Custom fields do not exist yet, so items carry none; files print `{id}` without download URLs.',
  ],
  params: wireRecord,
  handler: async (params, ctx) => {
    requireItemIntranetUser(ctx)
    const entityTypeId = requiredIntParam(params, 'entityTypeId')
    const id = requiredIntParam(params, 'id')
    const useOriginalUfNames = readUseOriginalUfNames(params)
    const type = await resolveItemType(ctx, entityTypeId)
    const portalId = ctx.principal.portal.id
    const item = await loadItem(ctx.store.db, portalId, type, id)
    if (item === undefined) throw itemNotFound()
    const context = await loadItemTypeContext(ctx.store.db, portalId, type)
    return { item: renderItem(ctx, context, item, useOriginalUfNames) }
  },
})
