import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { statusFieldDescriptions } from './status-wire.js'

/** crm.status.fields (api-reference/crm/status/crm-status-fields.md): any user, no parameters, no errors. */
export default defineMethod({
  name: 'crm.status.fields',
  scope: 'crm',
  summary: 'Descriptions of the fields of a CRM dictionary value.',
  reference: 'api-reference/crm/status/crm-status-fields.md',
  parity: 'full',
  params: wireRecord,
  handler: () => Promise.resolve(statusFieldDescriptions()),
})
