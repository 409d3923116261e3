import { defineMethod } from '../define-method.js'
import { wireRecord } from '../../protocol/params/scalars.js'
import { controllerInt, isIntranetUser } from '../crm/dictionary-common.js'
import { userFieldConfigRecord } from '../../crm/user-fields/user-field.js'
import { entityTypeOfUserFieldEntity, getUserField } from '../../crm/user-fields/user-field-store.js'
import { configError, mayRead, requireCrmModule } from './userfieldconfig-wire.js'

/**
 * userfieldconfig.get (api-reference/crm/universal/userfieldconfig/userfieldconfig-get.md): one custom field
 * as `{field: {…}}`, labels in the languages they are set in. A missing field and a field the caller may not
 * read answer alike: "You do not have permission to view user field settings".
 */
export default defineMethod({
  name: 'userfieldconfig.get',
  scope: 'userfieldconfig',
  summary: 'One custom field of a CRM object by id, with its settings, labels and list values.',
  reference: 'api-reference/crm/universal/userfieldconfig/userfieldconfig-get.md',
  parity: 'full',
  params: wireRecord,
  handler: async (params, ctx) => {
    requireCrmModule(params, ctx)
    const id = controllerInt(params, 'id')
    const denied = configError('You do not have permission to view user field settings')
    if (!isIntranetUser(ctx.principal)) throw denied
    const def = await getUserField(ctx.store.db, ctx.principal.portal.id, id)
    if (def === undefined) throw denied
    const type = await entityTypeOfUserFieldEntity(ctx.store.db, ctx.principal.portal.id, def.entityId)
    if (type === undefined || !(await mayRead(ctx, type))) throw denied
    return { field: userFieldConfigRecord(def) }
  },
})
