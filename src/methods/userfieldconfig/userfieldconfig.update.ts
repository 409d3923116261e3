import { defineMethod } from '../define-method.js'
import { wireRecord } from '../../protocol/params/scalars.js'
import { canChangeCrmSettings, controllerInt, isIntranetUser } from '../crm/dictionary-common.js'
import { userFieldConfigRecord } from '../../crm/user-fields/user-field.js'
import {
  entityTypeOfUserFieldEntity,
  getUserField,
  normaliseShowFilter,
  updateUserField,
  UserFieldError,
  type UserFieldPatch,
} from '../../crm/user-fields/user-field-store.js'
import {
  enumItemsInput,
  flag,
  intValue,
  labelOnConfig,
  phpArray,
  textValue,
} from '../crm/userfield/userfield-wire.js'
import { configError, configUserFieldError, fieldParam, requireCrmModule } from './userfieldconfig-wire.js'

/**
 * userfieldconfig.update (api-reference/crm/universal/userfieldconfig/userfieldconfig-update.md): changes
 * xmlId, sort, mandatory, showFilter, isSearchable, the edit-form label and help (by language), settings (the
 * keys given) and — when `userTypeId: "enumeration"` is passed along — the list values. Answers `{field}`.
 */
export default defineMethod({
  name: 'userfieldconfig.update',
  scope: 'userfieldconfig',
  summary: 'Changes the settings, labels and list values of a custom field of a CRM object.',
  reference: 'api-reference/crm/universal/userfieldconfig/userfieldconfig-update.md',
  parity: 'partial',
  limitations: ['No onCrmTypeUserFieldUpdate event is sent.'],
  params: wireRecord,
  handler: async (params, ctx) => {
    requireCrmModule(params, ctx)
    const id = controllerInt(params, 'id')
    const field = params['field'] === undefined ? {} : fieldParam(params)
    const denied = configError('You cannot change the settings of the user field')
    if (!isIntranetUser(ctx.principal) || !(await canChangeCrmSettings(ctx.store.db, ctx.principal)))
      throw denied
    const portalId = ctx.principal.portal.id
    const def = await getUserField(ctx.store.db, portalId, id)
    if (
      def === undefined ||
      (await entityTypeOfUserFieldEntity(ctx.store.db, portalId, def.entityId)) === undefined
    ) {
      throw denied
    }
    const patch: UserFieldPatch = {}
    const xmlId = textValue(field['xmlId'])
    if (xmlId !== undefined) patch.xmlId = xmlId
    const sort = intValue(field['sort'])
    if (sort !== undefined) patch.sort = sort
    const mandatory = flag(field['mandatory'])
    if (mandatory !== undefined) patch.mandatory = mandatory
    if (field['showFilter'] !== undefined) patch.showFilter = normaliseShowFilter(field['showFilter'])
    const isSearchable = flag(field['isSearchable'])
    if (isSearchable !== undefined) patch.isSearchable = isSearchable
    const settings = phpArray(field['settings'])
    if (settings !== undefined) patch.settings = settings
    const formLabel = labelOnConfig(field['editFormLabel'])
    const help = labelOnConfig(field['helpMessage'])
    if (formLabel !== undefined || help !== undefined) {
      patch.labels = {
        ...(formLabel === undefined
          ? {}
          : { EDIT_FORM_LABEL: { ...def.labels.EDIT_FORM_LABEL, ...formLabel } }),
        ...(help === undefined ? {} : { HELP_MESSAGE: { ...def.labels.HELP_MESSAGE, ...help } }),
      }
    }
    // "To apply changes to enum, field.userTypeId must be set to enumeration".
    if (field['userTypeId'] === 'enumeration') {
      const enumItems = enumItemsInput(field['enum'])
      if (enumItems !== undefined) patch.enumItems = enumItems
    }
    try {
      const updated = await ctx.store.transaction((tx) =>
        updateUserField(ctx.store, tx, portalId, def, patch),
      )
      return { field: userFieldConfigRecord(updated) }
    } catch (error) {
      if (error instanceof UserFieldError) throw configUserFieldError(error)
      throw error
    }
  },
})
