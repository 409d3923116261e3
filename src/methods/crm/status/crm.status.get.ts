import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { getStatusById } from '../../../crm/dictionaries/dictionary-store.js'
import { statusToWire } from '../../../crm/dictionaries/statuses.js'
import { legacyParam, positiveId } from '../dictionary-common.js'
import { requireStatusRead, statusError } from './status-wire.js'

/**
 * crm.status.get (api-reference/crm/status/crm-status-get.md): one value by its ID, with the keys of
 * crm.status.list (EXTRA included for leads, deals and quotes). An id that is not a positive integer is
 * "Invalid identifier." as on the update and delete pages.
 */
export default defineMethod({
  name: 'crm.status.get',
  scope: 'crm',
  summary: 'One dictionary value or funnel stage by its ID.',
  reference: 'api-reference/crm/status/crm-status-get.md',
  parity: 'full',
  params: wireRecord,
  handler: async (params, ctx) => {
    await requireStatusRead(ctx.store.db, ctx.principal)
    const id = positiveId(legacyParam(params, 'id'))
    if (id === undefined) throw statusError('Invalid identifier.', 'An incorrect identifier was passed.')
    const status = await getStatusById(ctx.store.db, ctx.principal.portal.id, id)
    if (status === undefined) throw statusError('Status is not found.', 'Directory item not found.')
    return statusToWire(status)
  },
})
