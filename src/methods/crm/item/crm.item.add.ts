import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { addItem } from '../../../crm/items/operations/add-item.js'
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
 * crm.item.add (api-reference/crm/universal/crm-item-add.md). The pipeline is
 * src/crm/items/operations/add-item.ts: defaults for every field left out ("Deal #351", the first stage of
 * the funnel, the caller as responsible, the base currency …); the answer is the created item, `{item: {…}}`.
 */
export default defineMethod({
  name: 'crm.item.add',
  scope: 'crm',
  summary: 'Creates a CRM item of any type with defaults for the fields left out and returns it.',
  reference: 'api-reference/crm/universal/crm-item-add.md',
  parity: 'partial',
  limitations: [
    'Custom fields: stage-dependent required custom fields (set in the portal UI) do not exist; MANDATORY fields are required at every stage. Application field types (rest_*) do not exist.',
    'The contact photo and company logo take no value here (as documented: how-to-make-contact-edit-card.md); the legacy crm.contact/company methods set them.',
    'Product rows do not exist: opportunity and taxValue are kept as given.',
    'Automation rules and business processes do not run; the creation is recorded in the outbox for event delivery.',
    'No duplicate check, as on Bitrix24; `opened` defaults to Y (the CRM setting that changes it does not exist).',
  ],
  params: wireRecord,
  handler: async (params, ctx) => {
    requireItemIntranetUser(ctx)
    const entityTypeId = requiredIntParam(params, 'entityTypeId')
    const fields = controllerArray(params, 'fields')
    const useOriginalUfNames = readUseOriginalUfNames(params)
    const type = await resolveItemType(ctx, entityTypeId)
    const { portal, user } = ctx.principal
    const context = await loadItemTypeContext(ctx.store.db, portal.id, type)
    const result = await withItemWriteErrors(() =>
      addItem({
        store: ctx.store,
        portal,
        user,
        nowMs: ctx.clock.now(),
        type,
        fields,
        useOriginalUfNames,
        parentTypes: context.parentFields,
        userFields: context.userFieldDefinitions,
      }),
    )
    return { item: renderItem(ctx, context, result.item, useOriginalUfNames) }
  },
})
