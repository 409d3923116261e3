/**
 * crm.{lead,deal,contact,company}.add (api-reference/crm/leads/crm-lead-add.md, deals/crm-deal-add.md,
 * contacts/crm-contact-add.md, companies/crm-company-add.md): the legacy `fields` read by the legacy dialect of
 * the item reader and created by the one add operation crm.item.add runs (add-item.ts: defaults such as
 * "Lead #3465", the first stage, the caller as responsible). Answers the new id as a number (`"result": 3465`).
 */
import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { addItem } from '../../../crm/items/operations/add-item.js'
import { legacyRegisterFlag } from '../../../crm/items/operations/after-save.js'
import {
  legacyArrayParam,
  loadLegacyTypeContext,
  requireLegacyAccess,
  withLegacyErrors,
  type LegacyMethodsConfig,
} from './legacy-wire.js'
import { ADD_LIMITATIONS } from './legacy-limitations.js'

export function legacyAddMethod(config: LegacyMethodsConfig) {
  return defineMethod({
    name: `${config.prefix}.add`,
    scope: 'crm',
    summary: `Creates a ${config.noun} from legacy UPPER_CASE fields and answers its id.`,
    reference: `api-reference/crm/${config.docsFolder}/${config.docsStem}-add.md`,
    parity: 'partial',
    limitations: ADD_LIMITATIONS(config),
    params: wireRecord,
    handler: async (params, ctx) => {
      await requireLegacyAccess(ctx)
      const fields = legacyArrayParam(params, 'fields')
      const options = legacyArrayParam(params, 'params')
      const context = await loadLegacyTypeContext(ctx, config)
      const { portal, user } = ctx.principal
      const result = await withLegacyErrors(config, () =>
        addItem({
          store: ctx.store,
          portal,
          user,
          nowMs: ctx.clock.now(),
          type: config.entity.type,
          fields,
          useOriginalUfNames: true,
          parentTypes: context.parentFields,
          userFields: context.userFieldDefinitions,
          dialect: 'legacy',
          registerHistory: true,
          registerSonet: legacyRegisterFlag(options['REGISTER_SONET_EVENT'], config.sonetByDefault.add),
        }),
      )
      return result.item.id
    },
  })
}
