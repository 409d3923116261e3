import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { deleteStatus, getStatusById, stageHasItems } from '../../../crm/dictionaries/dictionary-store.js'
import { parseStatusEntityId } from '../../../crm/dictionaries/statuses.js'
import { asPhpArray, legacyParam, positiveId, scalarString } from '../dictionary-common.js'
import { ACCESS_DENIED, ACCESS_DENIED_DESCRIPTION, canWriteStatuses, statusError } from './status-wire.js'

/**
 * crm.status.delete (api-reference/crm/status/crm-status-delete.md). A system value (SYSTEM = Y) goes only
 * with `params: {FORCED: "Y"}`; a stage that items of its object are in is kept ("There are active items in
 * this status."). Errors carry the message as the code, as the page shows.
 */
export default defineMethod({
  name: 'crm.status.delete',
  scope: 'crm',
  summary: 'Deletes a dictionary value or funnel stage; system values only when forced.',
  reference: 'api-reference/crm/status/crm-status-delete.md',
  parity: 'full',
  params: wireRecord,
  handler: async (params, ctx) => {
    const id = positiveId(legacyParam(params, 'id'))
    if (id === undefined) throw statusError('Invalid identifier.', 'An invalid identifier was passed.')
    if (!(await canWriteStatuses(ctx.store.db, ctx.principal)))
      throw statusError(ACCESS_DENIED, ACCESS_DENIED_DESCRIPTION)
    const portalId = ctx.principal.portal.id
    return ctx.store.transaction(async (tx) => {
      const status = await getStatusById(tx, portalId, id)
      if (status === undefined) throw statusError('Status is not found.', 'Element not found.')
      const options = asPhpArray(legacyParam(params, 'params')) ?? {}
      const forced = (scalarString(legacyParam(options, 'FORCED')) ?? '').toUpperCase() === 'Y'
      if (status.system && !forced) {
        throw statusError(
          'CRM System Status can be deleted only if parameter FORCED is specified and equal to "Y".',
          'A system element can only be deleted with the FORCED = "Y" parameter.',
        )
      }
      const kind = parseStatusEntityId(status.entityId)
      if ('entityTypeId' in kind && (await stageHasItems(tx, portalId, kind.entityTypeId, status.statusId))) {
        throw statusError(
          'There are active items in this status.',
          'There are related items, deletion is not possible.',
        )
      }
      await deleteStatus(tx, portalId, id)
      return true
    })
  },
})
