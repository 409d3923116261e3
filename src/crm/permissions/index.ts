/**
 * CRM roles and rights: the one place that answers "may this user do that" (DESIGN.md: who may do what).
 *
 * - `permissionsOf(db, principal)` → {@link UserPermissions}: `canType`, `canItem`, `itemFilter` (a
 *   condition on `crm_item` for list queries), `mayMoveToStage`, `canChangeSettings`, `hasCrmAccess`,
 *   `isAdmin`;
 * - the item write pipeline calls it through its hooks (items/operations/item-pipeline.ts);
 * - the methods map a refusal to their family's documented error: `crm.item.*` ACCESS_DENIED, the legacy
 *   `crm.lead|deal|contact|company.*` an empty code with "Access denied.", crm.status.* "Access denied." …
 *
 * The model (roles, levels, assignments, departments): levels.ts, role-store.ts, user-permissions.ts.
 */
import type { Db } from '../../store/schema.js'
import type { Principal } from '../../protocol/principal.js'
import { permissionsFor, type UserPermissions } from './user-permissions.js'

export { UserPermissions, permissionsFor, loadUserPermissions } from './user-permissions.js'
export type { PermissionEntityType, PermissionItem } from './user-permissions.js'
export { ACTIONS, LEVELS, parseLevel, type Level, type PermissionAction } from './levels.js'

/** The caller's rights (loaded once per request). */
export function permissionsOf(db: Db, principal: Principal): Promise<UserPermissions> {
  return permissionsFor(db, principal.portal, principal.user)
}

/** The item columns the checks read, from a stored row (`crm_item`). */
export function permissionItemOfRow(row: {
  category_id: number | null
  assigned_by_id: number | null
  opened: number | null
}): { categoryId: number | null; assignedById: number | null; opened: boolean } {
  return { categoryId: row.category_id, assignedById: row.assigned_by_id, opened: row.opened === 1 }
}

/** The same from an item's values (`categoryId`, `assignedById`, `opened`). */
export function permissionItemOfValues(values: Readonly<Record<string, unknown>>): {
  categoryId: number | null
  assignedById: number | null
  opened: boolean
} {
  const num = (v: unknown) => (typeof v === 'number' ? v : v === null || v === undefined ? null : Number(v))
  return {
    categoryId: num(values['categoryId']),
    assignedById: num(values['assignedById']),
    opened: values['opened'] === true || values['opened'] === 1 || values['opened'] === 'Y',
  }
}
