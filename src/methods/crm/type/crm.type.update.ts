import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import {
  getTypeById,
  saveType,
  type SmartProcessTypeRecord,
} from '../../../crm/dictionaries/dictionary-store.js'
import { asPhpArray, controllerInt } from '../dictionary-common.js'
import {
  checkTitle,
  checkWorkplace,
  readTypeInput,
  requireTypeCaller,
  typeError,
  typeToWire,
} from './type-wire.js'

/**
 * crm.type.update (api-reference/crm/universal/user-defined-object-types/crm-type-update.md): "Changes to the
 * SPA settings fields occur only when the modifiable field values are passed". `relations` "must be passed
 * in full; they are completely overwritten", predefined relations stay; `linkedUserFields` is replaced as a
 * whole; `entityTypeId` cannot change.
 */
export default defineMethod({
  name: 'crm.type.update',
  scope: 'crm',
  summary: 'Changes the title, code, feature flags and relations of a smart process.',
  reference: 'api-reference/crm/universal/user-defined-object-types/crm-type-update.md',
  parity: 'partial',
  limitations: [
    'Digital workplaces do not exist: customSectionId is stored as given and customSections is always [].',
    'No plan limits: UPDATE_DYNAMIC_TYPE_RESTRICTED never occurs.',
  ],
  params: wireRecord,
  handler: async (params, ctx) => {
    await requireTypeCaller(ctx, 'not required')
    const id = controllerInt(params, 'id')
    await requireTypeCaller(ctx, 'required')
    const fields = asPhpArray(params['fields']) ?? {}
    const portalId = ctx.principal.portal.id
    const record = await ctx.store.transaction(async (tx) => {
      const current = await getTypeById(tx, portalId, id)
      if (current === undefined) throw typeError('SPA not found')
      const input = await readTypeInput(tx, portalId, fields)
      checkWorkplace(input, current.customSectionId)
      checkTitle(input.title)
      const next: SmartProcessTypeRecord = {
        ...current,
        settings: { ...current.settings, ...input.flags, title: input.title ?? current.settings.title },
        code: input.code ?? current.code,
        relations: input.relations ?? current.relations,
        linkedUserFields: input.linkedUserFields ?? current.linkedUserFields,
        customSectionId:
          input.customSectionId === undefined ? current.customSectionId : input.customSectionId,
      }
      return saveType(tx, portalId, next, ctx.principal.user.id, ctx.clock.now())
    })
    return { type: typeToWire(record, ctx.principal.portal.timeZoneOffset, 'get') }
  },
})
