import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { getTypeById } from '../../../crm/dictionaries/dictionary-store.js'
import { controllerInt } from '../dictionary-common.js'
import { requireTypeCaller, requireTypeRead, typeError, typeToWire } from './type-wire.js'

/**
 * crm.type.get (api-reference/crm/universal/user-defined-object-types/crm-type-get.md): a type by its `id`
 * (not its entityTypeId). "Administrative access to the SPA, or read access" (requireTypeRead).
 */
export default defineMethod({
  name: 'crm.type.get',
  scope: 'crm',
  summary: 'One smart process by its id.',
  reference: 'api-reference/crm/universal/user-defined-object-types/crm-type-get.md',
  parity: 'full',
  params: wireRecord,
  handler: async (params, ctx) => {
    await requireTypeCaller(ctx, 'not required')
    const id = controllerInt(params, 'id')
    const record = await getTypeById(ctx.store.db, ctx.principal.portal.id, id)
    if (record === undefined) throw typeError('SPA not found')
    await requireTypeRead(ctx, record.settings.entityTypeId)
    return { type: typeToWire(record, ctx.principal.portal.timeZoneOffset, 'get') }
  },
})
