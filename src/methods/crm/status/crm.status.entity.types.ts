import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { loadStatusEntityTypes } from '../../../crm/dictionaries/dictionary-store.js'

/**
 * crm.status.entity.types (api-reference/crm/status/crm-status-entity-types.md): any user, no errors. The
 * list is computed from the portal's funnels and smart processes on every call (status-entity-types.ts).
 */
export default defineMethod({
  name: 'crm.status.entity.types',
  scope: 'crm',
  summary: 'The dictionaries of the portal: fixed ones and one stage dictionary per funnel.',
  reference: 'api-reference/crm/status/crm-status-entity-types.md',
  parity: 'full',
  params: wireRecord,
  handler: (_params, ctx) => loadStatusEntityTypes(ctx.store.db, ctx.principal.portal.id),
})
