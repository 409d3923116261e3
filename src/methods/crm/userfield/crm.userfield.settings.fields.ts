import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { legacyParam } from '../dictionary-common.js'
import { userTypeSpec } from '../../../crm/user-fields/user-field-types.js'
import { legacyUfError } from './userfield-wire.js'

/**
 * crm.userfield.settings.fields (api-reference/crm/universal/user-defined-fields/crm-userfield-settings-fields.md):
 * the settings of one type (`double` → DEFAULT_VALUE, PRECISION, as the page shows). A missing or empty
 * `type` is `""` "Parameter 'type' is not specified or empty."; a type without settings answers `[]`.
 */
export default defineMethod({
  name: 'crm.userfield.settings.fields',
  scope: 'crm',
  summary: 'The settings a custom-field type has, with their types and titles.',
  reference: 'api-reference/crm/universal/user-defined-fields/crm-userfield-settings-fields.md',
  parity: 'full',
  params: wireRecord,
  handler: (params) => {
    const raw = legacyParam(params, 'type')
    const type = typeof raw === 'string' ? raw.trim() : ''
    if (type === '') throw legacyUfError("Parameter 'type' is not specified or empty.")
    const fields = userTypeSpec(type)?.settingsFields ?? {}
    return Promise.resolve(Object.keys(fields).length === 0 ? [] : fields)
  },
})
