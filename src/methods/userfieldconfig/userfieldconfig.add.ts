import { defineMethod } from '../define-method.js'
import { wireRecord } from '../../protocol/params/scalars.js'
import { canChangeCrmSettings, isIntranetUser } from '../crm/dictionary-common.js'
import { emptyLabels, userFieldConfigRecord } from '../../crm/user-fields/user-field.js'
import {
  createUserField,
  entityTypeOfUserFieldEntity,
  normaliseShowFilter,
  requireUserType,
  UserFieldError,
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
 * userfieldconfig.add (api-reference/crm/universal/userfieldconfig/userfieldconfig-add.md): creates a custom
 * field of any CRM object — `entityId` CRM_LEAD … CRM_SMART_INVOICE, or `CRM_{id}` of a smart process — and
 * returns it as `{field: {…}}`. `fieldName` must start with `UF_{entityId}_` ("You cannot create custom
 * fields" otherwise). Keys other than the documented ones are ignored; `showInList`, `listColumnLabel`,
 * `listFilterLabel`, `errorMessage`, `label` are not processed.
 */
export default defineMethod({
  name: 'userfieldconfig.add',
  scope: 'userfieldconfig',
  summary: 'Creates a custom field of a CRM object (smart processes, invoices, leads …) and returns it.',
  reference: 'api-reference/crm/universal/userfieldconfig/userfieldconfig-add.md',
  parity: 'partial',
  limitations: [
    'Only moduleId "crm" has custom fields; rpa and catalog answer "No settings for UserFieldAccess".',
    'Application field types (rest_*) do not exist; no onCrmTypeUserField* event is sent.',
  ],
  params: wireRecord,
  handler: async (params, ctx) => {
    requireCrmModule(params, ctx)
    const field = fieldParam(params)
    if (!isIntranetUser(ctx.principal) || !(await canChangeCrmSettings(ctx.store.db, ctx.principal))) {
      throw configError('Access denied')
    }
    const portalId = ctx.principal.portal.id
    try {
      const entityId = textValue(field['entityId']) ?? ''
      const fieldName = (textValue(field['fieldName']) ?? '').trim()
      const userType = requireUserType(field['userTypeId'])
      if (fieldName === '') throw new UserFieldError('fieldNameMissing')
      const type = await entityTypeOfUserFieldEntity(ctx.store.db, portalId, entityId)
      if (type === undefined || !fieldName.startsWith(`UF_${entityId}_`)) {
        throw configError('You cannot create custom fields')
      }
      const labels = emptyLabels()
      const formLabel = labelOnConfig(field['editFormLabel'])
      if (formLabel !== undefined) labels.EDIT_FORM_LABEL = formLabel
      const help = labelOnConfig(field['helpMessage'])
      if (help !== undefined) labels.HELP_MESSAGE = help
      const sort = intValue(field['sort'])
      const xmlId = textValue(field['xmlId'])
      const enumItems = enumItemsInput(field['enum'])
      const created = await ctx.store.transaction((tx) =>
        createUserField(
          ctx.store,
          tx,
          portalId,
          {
            entityId,
            fieldName,
            userTypeId: userType.id,
            multiple: flag(field['multiple']) ?? false,
            mandatory: flag(field['mandatory']) ?? false,
            showFilter: normaliseShowFilter(field['showFilter']),
            showInList: true,
            editInList: flag(field['editInList']) ?? true,
            isSearchable: flag(field['isSearchable']) ?? false,
            settings: phpArray(field['settings']) ?? {},
            labels,
            ...(sort === undefined ? {} : { sort }),
            ...(xmlId === undefined ? {} : { xmlId }),
            ...(enumItems === undefined ? {} : { enumItems }),
          },
          ctx.clock.now(),
        ),
      )
      return { field: userFieldConfigRecord(created) }
    } catch (error) {
      if (error instanceof UserFieldError) throw configUserFieldError(error)
      throw error
    }
  },
})
