/**
 * Permission scopes (api-reference/scopes/permissions.md). `basic` is granted to every caller: the system
 * methods (batch, scope, methods, profile, server.time) answer whatever the webhook or token carries.
 * `user` is also satisfied by `user_brief` / `user_basic` (server-behaviour.md §3 item 62).
 */
export const KNOWN_SCOPES = [
  'basic',
  'crm',
  'user',
  'user_brief',
  'user_basic',
  'department',
  'userfieldconfig',
  'placement',
  'entity',
] as const

export type Scope = (typeof KNOWN_SCOPES)[number]

/** Scopes a new webhook gets when none are named: everything this server implements. */
export const ALL_SCOPES: readonly string[] = KNOWN_SCOPES.filter((s) => s !== 'basic')

export function isKnownScope(value: string): value is Scope {
  return (KNOWN_SCOPES as readonly string[]).includes(value)
}

/** Does a caller holding `granted` pass a method declared with `required`? */
export function scopeGranted(required: Scope, granted: ReadonlySet<string>): boolean {
  if (required === 'basic') return true
  if (granted.has(required)) return true
  if (required === 'user') return granted.has('user_brief') || granted.has('user_basic')
  return false
}
