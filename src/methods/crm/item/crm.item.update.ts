import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { updateItem } from '../../../crm/items/operations/update-item.js'
import { controllerArray } from '../dictionary-common.js'
import {
  loadItemTypeContext,
  readUseOriginalUfNames,
  renderItem,
  requiredIntParam,
  requireItemIntranetUser,
  resolveItemType,
} from './item-wire.js'
import { withItemWriteErrors } from './item-write-errors.js'

/**
 * crm.item.update (api-reference/crm/universal/crm-item-update.md; the seed page). The pipeline is
 * src/crm/items/operations/update-item.ts; the answer is the whole item after the save, `{item: {…}}`
 * ("Response = full item", research/server-behaviour.md §1.A item 10), also when nothing changed.
 */
export default defineMethod({
  name: 'crm.item.update',
  scope: 'crm',
  summary: 'Changes the given fields of a CRM item of any type and returns the whole item.',
  reference: 'api-reference/crm/universal/crm-item-update.md',
  parity: 'partial',
  limitations: [
    'Custom fields: stage-dependent required custom fields (set in the portal UI) do not exist; MANDATORY fields are checked as system required fields are. Application field types (rest_*) do not exist.',
    'Product rows do not exist: opportunity is kept as given whatever isManualOpportunity says.',
    'Automation rules and business processes do not run; the change is recorded in the outbox for event delivery.',
    'The contact photo and company logo take no value here (as documented: how-to-make-contact-edit-card.md); the legacy crm.contact/company methods set them.',
  ],
  params: wireRecord,
  handler: async (params, ctx) => {
    requireItemIntranetUser(ctx)
    const entityTypeId = requiredIntParam(params, 'entityTypeId')
    const id = requiredIntParam(params, 'id')
    const fields = controllerArray(params, 'fields')
    const useOriginalUfNames = readUseOriginalUfNames(params)
    const type = await resolveItemType(ctx, entityTypeId)
    const { portal, user } = ctx.principal
    const context = await loadItemTypeContext(ctx.store.db, portal.id, type)
    const result = await withItemWriteErrors(() =>
      updateItem({
        store: ctx.store,
        portal,
        user,
        nowMs: ctx.clock.now(),
        type,
        id,
        fields,
        useOriginalUfNames,
        parentTypes: context.parentFields,
        userFields: context.userFieldDefinitions,
      }),
    )
    return { item: renderItem(ctx, context, result.item, useOriginalUfNames) }
  },
})
