/**
 * crm.{lead,deal,contact,company}.fields (api-reference/crm/leads/crm-lead-fields.md, deals/crm-deal-fields.md,
 * contacts/crm-contact-fields.md, companies/crm-company-fields.md): the legacy field descriptions — the page's
 * fields with their legacy types (`char` for Y/N) and titles, the parent relations, the custom fields
 * (src/crm/legacy/legacy-output.ts renderLegacyFields). "Does not return errors" beyond the access check.
 */
import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { renderLegacyFields } from '../../../crm/legacy/legacy-output.js'
import { loadLegacyTypeContext, requireLegacyAccess, type LegacyMethodsConfig } from './legacy-wire.js'

export function legacyFieldsMethod(config: LegacyMethodsConfig) {
  return defineMethod({
    name: `${config.prefix}.fields`,
    scope: 'crm',
    summary: `Descriptions of the ${config.noun} fields in the legacy dialect (UPPER_CASE names, legacy types and titles).`,
    reference: `api-reference/crm/${config.docsFolder}/${config.docsStem}-fields.md`,
    parity: 'full',
    params: wireRecord,
    handler: async (_params, ctx) => {
      await requireLegacyAccess(ctx)
      const context = await loadLegacyTypeContext(ctx, config)
      return renderLegacyFields(config.entity, {
        userFields: context.userFieldDefinitions,
        parentFields: context.parentFields,
      })
    },
  })
}
