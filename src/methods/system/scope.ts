import { defineMethod } from '../define-method.js'
import { ALL_SCOPES } from '../../auth/scopes.js'
import { phpTruthy, wireRecord } from '../../protocol/params/scalars.js'

/**
 * scope (api-reference/common/system/scope.md): without parameters, the scopes the calling webhook or
 * application holds; with `full`, every scope of the portal. `basic` is not a scope code of its own
 * (scopes/permissions.md does not list it; every caller has it) and is never listed.
 */
export default defineMethod({
  name: 'scope',
  scope: 'basic',
  summary: 'The scopes the caller holds, or with `full` every scope this server knows.',
  reference: 'api-reference/common/system/scope.md',
  parity: 'partial',
  limitations: ['`full` lists the scopes this server implements, not every scope of a Bitrix24 portal.'],
  params: wireRecord,
  handler: async (params, ctx) => {
    // Bitrix upper-cases the parameter names and tests `FULL == true`, a PHP truthiness test.
    const full = Object.entries(params).some(
      ([key, value]) => key.toUpperCase() === 'FULL' && phpTruthy(value),
    )
    if (full) return [...ALL_SCOPES]
    return [...new Set(ctx.principal.scopes)].filter((scope) => scope !== 'basic')
  },
})
