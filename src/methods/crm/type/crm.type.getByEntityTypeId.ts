import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { getTypeByEntityTypeId } from '../../../crm/dictionaries/dictionary-store.js'
import { controllerInt } from '../dictionary-common.js'
import { requireTypeCaller, requireTypeRead, typeError, typeToWire } from './type-wire.js'

/** crm.type.getByEntityTypeId (…/user-defined-object-types/crm-type-get-by-entity-type-id.md). */
export default defineMethod({
  name: 'crm.type.getByEntityTypeId',
  scope: 'crm',
  summary: 'One smart process by its entityTypeId.',
  reference: 'api-reference/crm/universal/user-defined-object-types/crm-type-get-by-entity-type-id.md',
  parity: 'full',
  params: wireRecord,
  handler: async (params, ctx) => {
    await requireTypeCaller(ctx, 'not required')
    const entityTypeId = controllerInt(params, 'entityTypeId')
    const record = await getTypeByEntityTypeId(ctx.store.db, ctx.principal.portal.id, entityTypeId)
    if (record === undefined) throw typeError('Smart process not found')
    await requireTypeRead(ctx, record.settings.entityTypeId)
    return { type: typeToWire(record, ctx.principal.portal.timeZoneOffset, 'get') }
  },
})
