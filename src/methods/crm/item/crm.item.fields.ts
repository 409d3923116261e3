import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { renderItemFields } from '../../../crm/entity-types/fields-output.js'
import { permissionsOf } from '../../../crm/permissions/index.js'
import {
  loadItemTypeContext,
  readUseOriginalUfNames,
  requiredIntParam,
  requireItemIntranetUser,
  resolveItemType,
  viewDenied,
} from './item-wire.js'

/**
 * crm.item.fields (api-reference/crm/universal/crm-item-fields.md): the field descriptions of a type,
 * `{fields: {name: description}}` — system fields, custom fields, then the `parentId{N}` fields of its
 * relations (src/crm/entity-types/fields-output.ts). A stage field reports the default funnel's dictionary.
 */
export default defineMethod({
  name: 'crm.item.fields',
  scope: 'crm',
  summary: 'Descriptions of the fields of a CRM type: system fields, custom fields, parent relations.',
  reference: 'api-reference/crm/universal/crm-item-fields.md',
  parity: 'partial',
  limitations: ['Application custom-field types (rest_*) do not exist, so no field has one.'],
  params: wireRecord,
  handler: async (params, ctx) => {
    requireItemIntranetUser(ctx)
    const entityTypeId = requiredIntParam(params, 'entityTypeId')
    const useOriginalUfNames = readUseOriginalUfNames(params)
    const type = await resolveItemType(ctx, entityTypeId)
    // "Who can execute the method: any user with read access permission for CRM object elements".
    if (!(await permissionsOf(ctx.store.db, ctx.principal)).canType('read', type)) throw viewDenied()
    const portalId = ctx.principal.portal.id
    const context = await loadItemTypeContext(ctx.store.db, portalId, type)
    return renderItemFields(type, {
      defaultCategoryId: context.defaultCategoryId,
      userFields: context.userFields,
      parentFields: context.parentFields,
      useOriginalUfNames,
    })
  },
})
