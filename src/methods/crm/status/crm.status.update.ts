import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { getStatusById, updateStatus, type StatusPatch } from '../../../crm/dictionaries/dictionary-store.js'
import { asPhpArray, legacyParam, phpIntval, positiveId, scalarString } from '../dictionary-common.js'
import {
  ACCESS_DENIED,
  ACCESS_DENIED_DESCRIPTION,
  canWriteStatuses,
  statusAddError,
  statusError,
} from './status-wire.js'

/**
 * crm.status.update (api-reference/crm/status/crm-status-update.md): changes NAME, SORT and COLOR of a value
 * by its ID; other keys are ignored (STATUS_ID, ENTITY_ID, CATEGORY_ID and SEMANTICS are immutable,
 * crm-status-fields.md). System values may be renamed ("the limitation applies only to deletion",
 * how-to-add-category-to-spa.md). An empty NAME is refused as "Error on updating status.".
 */
export default defineMethod({
  name: 'crm.status.update',
  scope: 'crm',
  summary: 'Renames, re-sorts or recolours a dictionary value or funnel stage.',
  reference: 'api-reference/crm/status/crm-status-update.md',
  parity: 'full',
  params: wireRecord,
  handler: async (params, ctx) => {
    const id = positiveId(legacyParam(params, 'id'))
    if (id === undefined) throw statusError('Invalid identifier.', 'An incorrect identifier was passed.')
    const fields = asPhpArray(legacyParam(params, 'fields'))
    if (fields === undefined) throw statusAddError("Parameter 'fields' must be array.")
    if (!(await canWriteStatuses(ctx.store.db, ctx.principal)))
      throw statusError(ACCESS_DENIED, ACCESS_DENIED_DESCRIPTION)
    const db = ctx.store.db
    const portalId = ctx.principal.portal.id
    if ((await getStatusById(db, portalId, id)) === undefined) {
      throw statusError('Status is not found.', 'Element not found.')
    }
    const patch: StatusPatch = {}
    const name = legacyParam(fields, 'NAME')
    if (name !== undefined) {
      const text = scalarString(name) ?? ''
      if (text === '') throw statusError('Error on updating status.', 'Error while updating the element.')
      patch.name = text
    }
    const sort = legacyParam(fields, 'SORT')
    if (sort !== undefined) patch.sort = phpIntval(sort)
    const color = legacyParam(fields, 'COLOR')
    if (color !== undefined) patch.color = scalarString(color) || null
    await updateStatus(db, portalId, id, patch)
    return true
  },
})
