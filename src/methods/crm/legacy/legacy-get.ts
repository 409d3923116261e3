/**
 * crm.{lead,deal,contact,company}.get (api-reference/crm/leads/crm-lead-get.md, deals/crm-deal-get.md,
 * contacts/crm-contact-get.md, companies/crm-company-get.md): one item in the legacy dialect — every standard
 * field, the custom fields and the multifields it has (src/crm/legacy/legacy-output.ts).
 */
import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { loadItem } from '../../../crm/items/item-store.js'
import { permissionItemOfValues } from '../../../crm/permissions/index.js'
import { itemToLegacyWire, legacyGetSelection } from '../../../crm/legacy/legacy-output.js'
import {
  ACCESS_DENIED,
  legacyError,
  legacyId,
  legacyRenderOptions,
  loadLegacyTypeContext,
  requireLegacyAccess,
  type LegacyMethodsConfig,
} from './legacy-wire.js'
import { GET_LIMITATIONS } from './legacy-limitations.js'

export function legacyGetMethod(config: LegacyMethodsConfig) {
  const { entity } = config
  return defineMethod({
    name: `${config.prefix}.get`,
    scope: 'crm',
    summary: `One ${config.noun} by id, in the legacy dialect (UPPER_CASE keys, numbers as strings, Y/N).`,
    reference: `api-reference/crm/${config.docsFolder}/${config.docsStem}-get.md`,
    parity: 'partial',
    limitations: GET_LIMITATIONS(config),
    params: wireRecord,
    handler: async (params, ctx) => {
      const permissions = await requireLegacyAccess(ctx)
      const id = legacyId(params)
      const portalId = ctx.principal.portal.id
      const item = await loadItem(ctx.store.db, portalId, entity.type, id)
      if (item === undefined) throw legacyError('Not found')
      if (!permissions.canItem('read', entity.type, permissionItemOfValues(item.values))) {
        throw legacyError(ACCESS_DENIED)
      }
      const context = await loadLegacyTypeContext(ctx, config)
      const options = legacyRenderOptions(ctx, context)
      return itemToLegacyWire(entity, item, legacyGetSelection(entity, options), options)
    },
  })
}
