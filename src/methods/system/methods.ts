import { defineMethod, type MethodDefinition } from '../define-method.js'
import { scopeGranted } from '../../auth/scopes.js'
import { phpTruthy, wireRecord } from '../../protocol/params/scalars.js'

/**
 * methods (api-reference/common/system/methods.md, deprecated in favour of method.get):
 * - `scope=<code>`: the methods of that scope, whatever the caller holds;
 * - `scope=` (present, empty): "all common methods", the ones every caller may call (scope `basic`);
 * - `full=true`: every method;
 * - no parameters: every method the caller may call (its scopes plus the common methods).
 * Parameter names are read case-insensitively, as Bitrix upper-cases them; `scope` wins over `full`.
 */
export default defineMethod({
  name: 'methods',
  scope: 'basic',
  summary: 'The names of the methods the caller may call, of one scope, or of all.',
  reference: 'api-reference/common/system/methods.md',
  parity: 'full',
  params: wireRecord,
  handler: async (params, ctx) => {
    const query: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(params)) query[key.toUpperCase()] = value
    const all = ctx.registry.list()
    let chosen: readonly MethodDefinition[]
    if ('SCOPE' in query) {
      const scope = query['SCOPE']
      const code = typeof scope === 'number' ? String(scope) : scope
      if (code === '' || code === null) chosen = all.filter((m) => m.scope === 'basic')
      else if (typeof code !== 'string') chosen = []
      else chosen = all.filter((m) => inScope(m, code))
    } else if (phpTruthy(query['FULL'])) {
      chosen = all
    } else {
      chosen = all.filter((m) => scopeGranted(m.scope, ctx.principal.scopes))
    }
    return chosen.map((m) => m.name)
  },
})

/** Is a method part of scope `code`? The user methods belong to `user`, `user_basic` and `user_brief` alike. */
function inScope(method: MethodDefinition, code: string): boolean {
  if (method.scope === code) return true
  return method.scope === 'user' && (code === 'user_basic' || code === 'user_brief')
}
