import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { loadItem } from '../../../crm/items/item-store.js'
import { permissionItemOfValues, permissionsOf } from '../../../crm/permissions/index.js'
import {
  itemNotFound,
  loadItemTypeContext,
  readUseOriginalUfNames,
  renderItem,
  requiredIntParam,
  requireItemIntranetUser,
  resolveItemType,
  viewDenied,
} from './item-wire.js'

/**
 * crm.item.get (api-reference/crm/universal/crm-item-get.md): one item of any CRM type as `{item: {…}}`,
 * rendered by src/crm/items/item-output.ts. The item must exist (NOT_FOUND) and the caller's read right must
 * cover it (ACCESS_DENIED "You do not have permission to view this item"; src/crm/permissions/).
 */
export default defineMethod({
  name: 'crm.item.get',
  scope: 'crm',
  summary: 'One CRM item of any type (lead, deal, contact, company, estimate, invoice, smart process) by id.',
  reference: 'api-reference/crm/universal/crm-item-get.md',
  parity: 'partial',
  limitations: [
    "File links (`url`, `urlMachine`) are served by this server; `url` needs the caller's credentials (`auth` or a Bearer header) since there are no browser sessions.",
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
    const permissions = await permissionsOf(ctx.store.db, ctx.principal)
    if (!permissions.canItem('read', type, permissionItemOfValues(item.values))) throw viewDenied()
    const context = await loadItemTypeContext(ctx.store.db, portalId, type)
    return { item: renderItem(ctx, context, item, useOriginalUfNames) }
  },
})
