/**
 * Helpers the CRM dictionary methods share (crm.status.*, crm.category.*, crm.type.*, crm.currency.*):
 * who may call them and how their parameters are read.
 *
 * Two calling conventions exist side by side (spec-inventory.md §2.3):
 * - the old CRM REST classes (crm.status.*, crm.currency.*) read a parameter by its name in either case
 *   (`id` / `ID`, `fields` / `FIELDS`) and answer with messages;
 * - the new controllers (crm.category.*, crm.type.*) bind action arguments by their exact name and answer a
 *   missing one with `{"error":100,"error_description":"Could not find value for parameter {name}"}`
 *   (crm-type-add.md error table).
 */
import type { Principal } from '../../protocol/principal.js'
import { RestError } from '../../protocol/errors.js'
import type { Db } from '../../store/schema.js'
import { permissionsOf } from '../../crm/permissions/index.js'

/**
 * Intranet users are employees; extranet and e-mail users have no CRM. Bitrix checks this only for
 * non-administrators (server-behaviour.md §1.A item 2).
 */
export function isIntranetUser(principal: Principal): boolean {
  return principal.user.isAdmin || principal.user.userType === 'employee'
}

/**
 * Writing CRM settings — "administrative access to the CRM section" (funnels, smart processes), "Allow to
 * modify settings" (statuses, custom fields): portal administrators, CRM administrators and users one of
 * whose roles allows modifying settings (src/crm/permissions/). Bitrix24 checks both with the same
 * permission (CONFIG WRITE).
 */
export async function canChangeCrmSettings(db: Db, principal: Principal): Promise<boolean> {
  return (await permissionsOf(db, principal)).canChangeSettings
}

/** The controllers' intranet prefilter: 403 `allowed_only_intranet_user` with the wording of the family's pages. */
export function requireIntranet(principal: Principal, description: string): void {
  if (!isIntranetUser(principal)) throw new RestError('allowed_only_intranet_user', description, 403)
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A PHP array given as an object, or `[]` for an empty one (phpsdk sends `[]`); undefined otherwise. */
export function asPhpArray(value: unknown): Record<string, unknown> | undefined {
  if (isPlainObject(value)) return value
  if (Array.isArray(value)) return Object.fromEntries(value.map((v, i) => [String(i), v]))
  return undefined
}

// ---------------------------------------------------------------------------------------------------------
// Old CRM REST classes
// ---------------------------------------------------------------------------------------------------------

/** A parameter by name, in the case given or any other (`id`, `ID`, `entityId`, `ENTITYID`). */
export function legacyParam(params: Record<string, unknown>, name: string): unknown {
  if (name in params) return params[name]
  const lower = name.toLowerCase()
  for (const [key, value] of Object.entries(params)) if (key.toLowerCase() === lower) return value
  return undefined
}

/** A positive integer id given as a number or a string of digits, else undefined. */
export function positiveId(value: unknown): number | undefined {
  let n: number
  if (typeof value === 'number') n = value
  else if (typeof value === 'string' && /^\s*\+?\d+\s*$/.test(value)) n = Number(value.trim())
  else return undefined
  return Number.isSafeInteger(n) && n > 0 ? n : undefined
}

/** PHP `intval` of a scalar: leading digits count, anything else is 0. */
export function phpIntval(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : 0
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'string') {
    const m = /^\s*([+-]?\d+)/.exec(value)
    return m ? Math.max(Math.min(Number(m[1]), Number.MAX_SAFE_INTEGER), Number.MIN_SAFE_INTEGER) : 0
  }
  return 0
}

/** A scalar as PHP's (string) cast gives it; undefined for arrays, objects and null. */
export function scalarString(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (typeof value === 'boolean') return value ? '1' : ''
  return undefined
}

// ---------------------------------------------------------------------------------------------------------
// Controllers (crm.category.*, crm.type.*)
// ---------------------------------------------------------------------------------------------------------

/** `{"error":100,"error_description":"Could not find value for parameter {name}"}` (crm-type-add.md). */
export function missingParameter(name: string): RestError {
  return new RestError('100', `Could not find value for parameter {${name}}`, 400)
}

/**
 * An `int` action argument: a number or a numeric string. A missing argument, or one that is not an integer
 * (PHP cannot bind "abc" to an `int` parameter), is the binder's code-100 error.
 */
export function controllerInt(params: Record<string, unknown>, name: string): number {
  const value = params[name]
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) {
    const n = Number(value.trim())
    if (Number.isSafeInteger(n)) return n
  }
  throw missingParameter(name)
}

/** An `array` action argument (`fields`): an object, or `[]`; anything else is the binder's code-100 error. */
export function controllerArray(params: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = asPhpArray(params[name])
  if (value === undefined) throw missingParameter(name)
  return value
}

/**
 * Field names of the controller lists (`filter`, `order`): `IS_DEFAULT` → `isDefault`; camelCase names pass
 * unchanged (the controllers convert between both spellings).
 */
export function camelKey(name: string): string {
  if (!/^[A-Z0-9_]+$/.test(name) || !/[A-Z]/.test(name)) return name
  return name.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}
