import { defineMethod } from '../define-method.js'
import { wireRecord } from '../../protocol/params/scalars.js'
import { userTypeSpec, type UserTypeId } from '../../crm/user-fields/user-field-types.js'
import { requireCrmModule } from './userfieldconfig-wire.js'

/** The order of the page's answer (userfieldconfig-get-types.md). */
const ORDER: readonly UserTypeId[] = [
  'crm',
  'crm_status',
  'money',
  'employee',
  'string',
  'integer',
  'double',
  'datetime',
  'date',
  'boolean',
  'address',
  'url',
  'file',
  'enumeration',
  'iblock_section',
  'iblock_element',
]

/**
 * userfieldconfig.getTypes (api-reference/crm/universal/userfieldconfig/userfieldconfig-get-types.md): the
 * field types of the module, `{types: {id: {userTypeId, description}}}`.
 */
export default defineMethod({
  name: 'userfieldconfig.getTypes',
  scope: 'userfieldconfig',
  summary: 'The custom-field types of the CRM module with their descriptions.',
  reference: 'api-reference/crm/universal/userfieldconfig/userfieldconfig-get-types.md',
  parity: 'partial',
  limitations: ['Application field types (rest_*) do not exist, so none is listed.'],
  params: wireRecord,
  handler: (params, ctx) => {
    requireCrmModule(params, ctx)
    const types: Record<string, { userTypeId: string; description: string }> = {}
    for (const id of ORDER) {
      const spec = userTypeSpec(id)
      if (spec !== undefined) types[id] = { userTypeId: id, description: spec.description }
    }
    return Promise.resolve({ types })
  },
})
