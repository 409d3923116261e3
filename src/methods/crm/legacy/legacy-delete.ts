/**
 * crm.{lead,deal,contact,company}.delete (api-reference/crm/leads/crm-lead-delete.md, deals/crm-deal-delete.md,
 * contacts/crm-contact-delete.md, companies/crm-company-delete.md): the one delete operation
 * (src/crm/items/operations/delete-item.ts) — the item with its bindings, multifields, relations and files,
 * recorded in the history and the outbox. Answers `true`.
 */
import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { deleteItemOperation } from '../../../crm/items/operations/delete-item.js'
import { isItemOperationError } from '../../../crm/items/operations/errors.js'
import {
  legacyError,
  legacyId,
  legacyWriteError,
  requireLegacyAccess,
  type LegacyMethodsConfig,
} from './legacy-wire.js'

export function legacyDeleteMethod(config: LegacyMethodsConfig) {
  return defineMethod({
    name: `${config.prefix}.delete`,
    scope: 'crm',
    summary: `Deletes a ${config.noun} with its bindings, multifields and relations; answers true.`,
    reference: `api-reference/crm/${config.docsFolder}/${config.docsStem}-delete.md`,
    parity: 'partial',
    limitations: ['There is no recycle bin: a deleted item is gone.'],
    params: wireRecord,
    handler: async (params, ctx) => {
      await requireLegacyAccess(ctx)
      const id = legacyId(params)
      const { portal, user } = ctx.principal
      try {
        await deleteItemOperation({
          store: ctx.store,
          portal,
          user,
          nowMs: ctx.clock.now(),
          type: config.entity.type,
          id,
        })
      } catch (error) {
        if (!isItemOperationError(error)) throw error
        if (error.detail.kind === 'itemNotFound') {
          throw legacyError(config.deleteNotFound.message, config.deleteNotFound.code)
        }
        throw legacyWriteError(config, error.detail)
      }
      return true
    },
  })
}
