/**
 * crm.{lead,deal,contact,company}.update (api-reference/crm/leads/crm-lead-update.md, the seed page; deals/
 * crm-deal-update.md; contacts/crm-contact-update.md, the seed page; companies/crm-company-update.md): the
 * legacy `fields` read by the legacy dialect of the item reader (src/crm/items/operations/read-legacy-fields.ts)
 * and applied by the one update operation crm.item.update runs (update-item.ts). Answers `true`.
 */
import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { updateItem } from '../../../crm/items/operations/update-item.js'
import { legacyRegisterFlag } from '../../../crm/items/operations/after-save.js'
import {
  legacyArrayParam,
  legacyId,
  loadLegacyTypeContext,
  requireLegacyAccess,
  withLegacyErrors,
  type LegacyMethodsConfig,
} from './legacy-wire.js'
import { WRITE_LIMITATIONS } from './legacy-limitations.js'

export function legacyUpdateMethod(config: LegacyMethodsConfig) {
  return defineMethod({
    name: `${config.prefix}.update`,
    scope: 'crm',
    summary: `Changes the given fields of a ${config.noun} (legacy dialect: UPPER_CASE names, Y/N flags, PHONE/EMAIL lists); answers true.`,
    reference: `api-reference/crm/${config.docsFolder}/${config.docsStem}-update.md`,
    parity: 'partial',
    limitations: WRITE_LIMITATIONS(config),
    params: wireRecord,
    handler: async (params, ctx) => {
      await requireLegacyAccess(ctx)
      const id = legacyId(params)
      const fields = legacyArrayParam(params, 'fields')
      const options = legacyArrayParam(params, 'params')
      const context = await loadLegacyTypeContext(ctx, config)
      const { portal, user } = ctx.principal
      await withLegacyErrors(config, () =>
        updateItem({
          store: ctx.store,
          portal,
          user,
          nowMs: ctx.clock.now(),
          type: config.entity.type,
          id,
          fields,
          useOriginalUfNames: true,
          parentTypes: context.parentFields,
          userFields: context.userFieldDefinitions,
          dialect: 'legacy',
          registerHistory: legacyRegisterFlag(options['REGISTER_HISTORY_EVENT'], true),
          registerSonet: legacyRegisterFlag(options['REGISTER_SONET_EVENT'], config.sonetByDefault.update),
        }),
      )
      return true
    },
  })
}
