import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { listStatuses, loadStatusEntityTypes } from '../../../crm/dictionaries/dictionary-store.js'
import { statusToEntityItem } from '../../../crm/dictionaries/statuses.js'
import { legacyParam } from '../dictionary-common.js'
import { statusError } from './status-wire.js'

/**
 * crm.status.entity.items (api-reference/crm/status/crm-status-entity-items.md): the values of one dictionary
 * sorted by SORT, as `{NAME, SORT (a number), STATUS_ID}`. Any user. A missing, non-text or unknown
 * `entityId` is "The parameter entityId is not defined or invalid."
 */
export default defineMethod({
  name: 'crm.status.entity.items',
  scope: 'crm',
  summary: 'The values of one dictionary, sorted by SORT.',
  reference: 'api-reference/crm/status/crm-status-entity-items.md',
  parity: 'full',
  params: wireRecord,
  handler: async (params, ctx) => {
    const entityId = legacyParam(params, 'entityId')
    const db = ctx.store.db
    const portalId = ctx.principal.portal.id
    const known =
      typeof entityId === 'string' &&
      entityId !== '' &&
      (await loadStatusEntityTypes(db, portalId)).some((t) => t.ID === entityId)
    if (!known) {
      throw statusError(
        'The parameter entityId is not defined or invalid.',
        'The directory ID is not specified or is incorrect.',
      )
    }
    return (await listStatuses(db, portalId, entityId)).map(statusToEntityItem)
  },
})
