import { defineMethod } from '../define-method.js'
import { wireRecord } from '../../protocol/params/scalars.js'
import { canChangeCrmSettings, controllerInt, isIntranetUser } from '../crm/dictionary-common.js'
import {
  deleteUserField,
  entityTypeOfUserFieldEntity,
  getUserField,
} from '../../crm/user-fields/user-field-store.js'
import { configError, requireCrmModule } from './userfieldconfig-wire.js'

/**
 * userfieldconfig.delete (api-reference/crm/universal/userfieldconfig/userfieldconfig-delete.md): deletes a
 * custom field with the values items hold in it; `result: null`. "You cannot delete the user field" also
 * "when already deleted".
 */
export default defineMethod({
  name: 'userfieldconfig.delete',
  scope: 'userfieldconfig',
  summary: 'Deletes a custom field of a CRM object with its values.',
  reference: 'api-reference/crm/universal/userfieldconfig/userfieldconfig-delete.md',
  parity: 'partial',
  limitations: ['No onCrmTypeUserFieldDelete event is sent.'],
  params: wireRecord,
  handler: async (params, ctx) => {
    requireCrmModule(params, ctx)
    const id = controllerInt(params, 'id')
    const denied = configError('You cannot delete the user field')
    if (!isIntranetUser(ctx.principal) || !(await canChangeCrmSettings(ctx.store.db, ctx.principal)))
      throw denied
    const portalId = ctx.principal.portal.id
    const def = await getUserField(ctx.store.db, portalId, id)
    if (
      def === undefined ||
      (await entityTypeOfUserFieldEntity(ctx.store.db, portalId, def.entityId)) === undefined
    ) {
      throw denied
    }
    await ctx.store.transaction((tx) => deleteUserField(tx, ctx.store.dialect, portalId, def))
    return null
  },
})
