/**
 * Storage of CRM roles (migrations/0008-permissions.ts): a role is a name, the "allow to modify settings"
 * switch, rights per entity type and funnel, and the access codes it is assigned to. Also the CRM
 * administrators. The admin API and the CLI manage these (admin/operations.ts); user-permissions.ts reads them.
 */
import type { Db } from '../../store/schema.js'
import type { Store } from '../../store/store.js'
import {
  ACTIONS,
  EVERY_CATEGORY,
  EVERY_TYPE,
  PERM_TYPE,
  TRANSITION,
  actionOfPermType,
  isLevel,
  type Level,
  type PermissionAction,
} from './levels.js'

/** One line of a role's rights: a type (or every type) and a funnel (or every funnel of it). */
export interface RolePermission {
  /** null: every entity type */
  entityTypeId: number | null
  /** null: every funnel of the type */
  categoryId: number | null
  /** the levels this line sets; an action left out falls back to the broader line (see user-permissions.ts) */
  rights: Partial<Record<PermissionAction, Level>>
  /**
   * The stage-move right: the stages items may be moved to (within their funnel). Left out: whatever the
   * broader line says, and any stage when no line says anything; null: any stage.
   */
  stages?: readonly string[] | null
}

export interface Role {
  portalId: number
  id: number
  name: string
  /** "Allow to modify settings" */
  allowSettings: boolean
  permissions: RolePermission[]
  /** access codes: AU, U{id}, D{id}, DR{id} */
  assignedTo: string[]
}

export interface RoleInput {
  name: string
  allowSettings?: boolean
  permissions?: readonly RolePermission[]
  assignedTo?: readonly string[]
}

export const ROLE_SEQUENCE = 'crm_role'

/** The role every new portal gets: everything at the "all" level for every type, for all employees. */
export const DEFAULT_ROLE: RoleInput = {
  name: 'Full access',
  allowSettings: false,
  permissions: [
    {
      entityTypeId: null,
      categoryId: null,
      rights: Object.fromEntries(ACTIONS.map((action) => [action, 'X' as Level])),
    },
  ],
  assignedTo: ['AU'],
}

/** The permission rows of a portal's CRM at its creation (portal/portal.ts createPortal). */
export async function seedPermissions(store: Store, db: Db, portalId: number): Promise<void> {
  await createRole(store, db, portalId, DEFAULT_ROLE)
}

export async function listRoles(db: Db, portalId: number): Promise<Role[]> {
  const roles = await db
    .selectFrom('crm_role')
    .selectAll()
    .where('portal_id', '=', portalId)
    .orderBy('id')
    .execute()
  return assembleRoles(db, portalId, roles)
}

export async function getRole(db: Db, portalId: number, id: number): Promise<Role | undefined> {
  const roles = await db
    .selectFrom('crm_role')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('id', '=', id)
    .execute()
  return (await assembleRoles(db, portalId, roles))[0]
}

/** The ids of the roles assigned to any of the access codes. */
export async function roleIdsForCodes(db: Db, portalId: number, codes: readonly string[]): Promise<number[]> {
  if (codes.length === 0) return []
  const rows = await db
    .selectFrom('crm_role_relation')
    .select('role_id')
    .distinct()
    .where('portal_id', '=', portalId)
    .where('access_code', 'in', [...codes])
    .orderBy('role_id')
    .execute()
  return rows.map((r) => r.role_id)
}

export interface RoleRow {
  roleId: number
  allowSettings: boolean
  rows: PermissionRow[]
}

/** A stored right: `categoryId` -1 and `entityTypeId` 0 mean "every". */
export interface PermissionRow {
  entityTypeId: number
  categoryId: number
  permType: string
  attr: Level
  stages: string[] | null
}

/** The rights of the given roles, one entry per role. */
export async function loadRoleRows(db: Db, portalId: number, roleIds: readonly number[]): Promise<RoleRow[]> {
  if (roleIds.length === 0) return []
  const roles = await db
    .selectFrom('crm_role')
    .select(['id', 'allow_settings'])
    .where('portal_id', '=', portalId)
    .where('id', 'in', [...roleIds])
    .orderBy('id')
    .execute()
  const rows = await db
    .selectFrom('crm_role_permission')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('role_id', 'in', [...roleIds])
    .execute()
  return roles.map((role) => ({
    roleId: role.id,
    allowSettings: role.allow_settings === 1,
    rows: rows
      .filter((r) => r.role_id === role.id)
      .map((r) => ({
        entityTypeId: r.entity_type_id,
        categoryId: r.category_id,
        permType: r.perm_type,
        attr: isLevel(r.attr) ? r.attr : '',
        stages: r.stages === null ? null : (JSON.parse(r.stages) as string[]),
      })),
  }))
}

export async function createRole(store: Store, db: Db, portalId: number, input: RoleInput): Promise<Role> {
  const id = await store.nextId(db, portalId, ROLE_SEQUENCE)
  await db
    .insertInto('crm_role')
    .values({
      portal_id: portalId,
      id,
      name: input.name,
      allow_settings: input.allowSettings === true ? 1 : 0,
    })
    .execute()
  await writePermissions(db, portalId, id, input.permissions ?? [])
  await writeAssignments(db, portalId, id, input.assignedTo ?? [])
  const role = await getRole(db, portalId, id)
  if (role === undefined) throw new Error('role vanished inside its own transaction')
  return role
}

export interface RolePatch {
  name?: string
  allowSettings?: boolean
  /** replaces every right of the role */
  permissions?: readonly RolePermission[]
  /** replaces every assignment of the role */
  assignedTo?: readonly string[]
}

export async function updateRole(db: Db, portalId: number, id: number, patch: RolePatch): Promise<void> {
  const set: { name?: string; allow_settings?: number } = {}
  if (patch.name !== undefined) set.name = patch.name
  if (patch.allowSettings !== undefined) set.allow_settings = patch.allowSettings ? 1 : 0
  if (Object.keys(set).length > 0) {
    await db.updateTable('crm_role').set(set).where('portal_id', '=', portalId).where('id', '=', id).execute()
  }
  if (patch.permissions !== undefined) {
    await db
      .deleteFrom('crm_role_permission')
      .where('portal_id', '=', portalId)
      .where('role_id', '=', id)
      .execute()
    await writePermissions(db, portalId, id, patch.permissions)
  }
  if (patch.assignedTo !== undefined) {
    await db
      .deleteFrom('crm_role_relation')
      .where('portal_id', '=', portalId)
      .where('role_id', '=', id)
      .execute()
    await writeAssignments(db, portalId, id, patch.assignedTo)
  }
}

export async function deleteRole(db: Db, portalId: number, id: number): Promise<void> {
  for (const table of ['crm_role_permission', 'crm_role_relation'] as const) {
    await db.deleteFrom(table).where('portal_id', '=', portalId).where('role_id', '=', id).execute()
  }
  await db.deleteFrom('crm_role').where('portal_id', '=', portalId).where('id', '=', id).execute()
}

/** Access codes no longer valid once a user or department is gone: their assignments go with them. */
export async function dropAccessCodes(db: Db, portalId: number, codes: readonly string[]): Promise<void> {
  if (codes.length === 0) return
  await db
    .deleteFrom('crm_role_relation')
    .where('portal_id', '=', portalId)
    .where('access_code', 'in', [...codes])
    .execute()
  await db
    .deleteFrom('crm_admin')
    .where('portal_id', '=', portalId)
    .where('access_code', 'in', [...codes])
    .execute()
}

export async function listCrmAdmins(db: Db, portalId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('crm_admin')
    .select('access_code')
    .where('portal_id', '=', portalId)
    .orderBy('access_code')
    .execute()
  return rows.map((r) => r.access_code)
}

export async function setCrmAdmins(db: Db, portalId: number, codes: readonly string[]): Promise<void> {
  await db.deleteFrom('crm_admin').where('portal_id', '=', portalId).execute()
  const unique = [...new Set(codes)]
  if (unique.length === 0) return
  await db
    .insertInto('crm_admin')
    .values(unique.map((access_code) => ({ portal_id: portalId, access_code })))
    .execute()
}

async function writePermissions(
  db: Db,
  portalId: number,
  roleId: number,
  permissions: readonly RolePermission[],
): Promise<void> {
  // One row per (type, funnel, right); a later line for the same type and funnel overrides an earlier one.
  const rows = new Map<string, PermissionRow>()
  for (const p of permissions) {
    const entityTypeId = p.entityTypeId ?? EVERY_TYPE
    const categoryId = p.categoryId ?? EVERY_CATEGORY
    for (const action of ACTIONS) {
      const level = p.rights[action]
      if (level === undefined) continue
      const permType = PERM_TYPE[action]
      rows.set(`${entityTypeId}/${categoryId}/${permType}`, {
        entityTypeId,
        categoryId,
        permType,
        attr: level,
        stages: null,
      })
    }
    if (p.stages !== undefined) {
      rows.set(`${entityTypeId}/${categoryId}/${TRANSITION}`, {
        entityTypeId,
        categoryId,
        permType: TRANSITION,
        attr: p.stages === null ? 'X' : '',
        stages: p.stages === null ? null : [...new Set(p.stages)],
      })
    }
  }
  if (rows.size === 0) return
  await db
    .insertInto('crm_role_permission')
    .values(
      [...rows.values()].map((r) => ({
        portal_id: portalId,
        role_id: roleId,
        entity_type_id: r.entityTypeId,
        category_id: r.categoryId,
        perm_type: r.permType,
        attr: r.attr,
        stages: r.stages === null ? null : JSON.stringify(r.stages),
      })),
    )
    .execute()
}

async function writeAssignments(
  db: Db,
  portalId: number,
  roleId: number,
  codes: readonly string[],
): Promise<void> {
  const unique = [...new Set(codes)]
  if (unique.length === 0) return
  await db
    .insertInto('crm_role_relation')
    .values(unique.map((access_code) => ({ portal_id: portalId, role_id: roleId, access_code })))
    .execute()
}

async function assembleRoles(
  db: Db,
  portalId: number,
  roles: readonly { id: number; portal_id: number; name: string; allow_settings: number }[],
): Promise<Role[]> {
  if (roles.length === 0) return []
  const ids = roles.map((r) => r.id)
  const loaded = await loadRoleRows(db, portalId, ids)
  const relations = await db
    .selectFrom('crm_role_relation')
    .select(['role_id', 'access_code'])
    .where('portal_id', '=', portalId)
    .where('role_id', 'in', ids)
    .orderBy('access_code')
    .execute()
  return roles.map((role) => ({
    portalId: role.portal_id,
    id: role.id,
    name: role.name,
    allowSettings: role.allow_settings === 1,
    permissions: permissionLines(loaded.find((l) => l.roleId === role.id)?.rows ?? []),
    assignedTo: sortCodes(relations.filter((r) => r.role_id === role.id).map((r) => r.access_code)),
  }))
}

/** Stored rows back into lines: one per (type, funnel), every-type first, then by type and funnel. */
function permissionLines(rows: readonly PermissionRow[]): RolePermission[] {
  const lines = new Map<string, RolePermission>()
  const sorted = [...rows].sort((a, b) => a.entityTypeId - b.entityTypeId || a.categoryId - b.categoryId)
  for (const row of sorted) {
    const key = `${row.entityTypeId}/${row.categoryId}`
    let line = lines.get(key)
    if (line === undefined) {
      line = {
        entityTypeId: row.entityTypeId === EVERY_TYPE ? null : row.entityTypeId,
        categoryId: row.categoryId === EVERY_CATEGORY ? null : row.categoryId,
        rights: {},
      }
      lines.set(key, line)
    }
    if (row.permType === TRANSITION) {
      line.stages = row.attr === 'X' ? null : (row.stages ?? [])
      continue
    }
    const action = actionOfPermType(row.permType)
    if (action !== undefined) line.rights[action] = row.attr
  }
  // Rights in the role editor's column order.
  for (const line of lines.values()) {
    line.rights = Object.fromEntries(
      ACTIONS.filter((a) => line.rights[a] !== undefined).map((a) => [a, line.rights[a]]),
    )
  }
  return [...lines.values()]
}

/** AU first, then users, departments, departments with subdepartments, each by id. */
export function sortCodes(codes: readonly string[]): string[] {
  const rank = (code: string) =>
    code === 'AU' ? 0 : code.startsWith('U') ? 1 : code.startsWith('DR') ? 3 : 2
  const id = (code: string) => Number(code.replace(/^\D+/, '') || 0)
  return [...new Set(codes)].sort((a, b) => rank(a) - rank(b) || id(a) - id(b))
}
