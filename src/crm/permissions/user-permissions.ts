/**
 * What one user may do in the CRM: "REST can access exactly what that user can in UI"
 * (settings/how-to-call-rest-api/index.md). Built from the roles assigned to the user — directly (U{id}),
 * through a department (D{id}, or DR{id} for a department with its subdepartments) or to all employees
 * (AU) — and the CRM administrator list.
 *
 * Rules (Bitrix24 role model, CCrmPerms):
 * - portal administrators and CRM administrators pass every check;
 * - extranet users have no CRM rights at all;
 * - per role, the right for (type, funnel) is the line for that type and funnel, else the line for the
 *   type's every funnel, else the line for every type; across roles the highest level wins;
 * - a level grants an item when: X always; otherwise the user is its responsible, or (D) the responsible is
 *   in one of the user's departments, (F) in those or a department below, (O) … or the item is open;
 * - the stage-move right: a role that may change the item lists the stages items may be moved to (or any);
 *   one role allowing the move is enough;
 * - "allow to modify settings" is a role switch; one role having it is enough.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { Db } from '../../store/schema.js'
import { configCached } from '../../store/config-cache.js'
import type { Portal } from '../../portal/portal.js'
import type { User } from '../../portal/users.js'
import {
  listDepartments,
  withParents,
  withSubdepartments,
  type DepartmentLink,
} from '../../portal/departments.js'
import {
  EVERY_CATEGORY,
  EVERY_TYPE,
  PERM_TYPE,
  TRANSITION,
  levelRank,
  maxLevel,
  type Level,
  type PermissionAction,
} from './levels.js'
import {
  listCrmAdmins,
  loadRoleRows,
  roleIdsForCodes,
  type PermissionRow,
  type RoleRow,
} from './role-store.js'

/** What the checks need to know about an entity type. */
export interface PermissionEntityType {
  readonly entityTypeId: number
  /** false for leads and estimates: their rights do not depend on a funnel */
  readonly hasCategories: boolean
}

/** What the checks need to know about an item. */
export interface PermissionItem {
  /** the item's funnel (ignored for types without funnels) */
  readonly categoryId: number | null | undefined
  readonly assignedById: number | null | undefined
  readonly opened: boolean | null | undefined
}

/** A funnel id no permission line names: resolving it falls back to the type's and every type's line. */
const UNLISTED_CATEGORY = -2

export class UserPermissions {
  constructor(
    readonly userId: number,
    /** portal administrator or CRM administrator: every check passes */
    readonly isAdmin: boolean,
    private readonly roles: readonly RoleRow[],
    /** the departments the user is in */
    private readonly departments: readonly number[],
    /** … and the departments below them */
    private readonly subdepartments: readonly number[],
    /** users of `departments` */
    private readonly departmentUsers: ReadonlySet<number>,
    /** users of `subdepartments` */
    private readonly subdepartmentUsers: ReadonlySet<number>,
    private readonly portalId: number,
  ) {}

  /**
   * "Allow to modify settings" (dictionaries, funnels, smart processes, custom fields): administrators and
   * the users one of whose roles allows it.
   */
  get canChangeSettings(): boolean {
    return this.isAdmin || this.roles.some((r) => r.allowSettings)
  }

  /**
   * CCrmPerms::IsAccessEnabled: the user may read some CRM object at all ("any user with permission to read
   * at least one CRM object", status/crm-status-list.md). The legacy methods refuse everyone else.
   */
  get hasCrmAccess(): boolean {
    if (this.isAdmin) return true
    return this.roles.some((role) =>
      role.rows.some((row) => row.permType === PERM_TYPE.read && levelRank(row.attr) > 0),
    )
  }

  /** The level of a right for a type's funnel (categoryId is ignored for types without funnels). */
  level(action: PermissionAction, type: PermissionEntityType, categoryId?: number | null): Level {
    if (this.isAdmin) return 'X'
    const category = type.hasCategories ? (categoryId ?? UNLISTED_CATEGORY) : 0
    let level: Level = ''
    for (const role of this.roles) {
      const row = resolveRow(role, PERM_TYPE[action], type.entityTypeId, category)
      if (row !== undefined) level = maxLevel(level, row.attr)
    }
    return level
  }

  /**
   * Whether the user has the right in some funnel of the type (`categoryId` undefined) or in the given
   * funnel, at any level: the type-level checks (crm.item.fields, add, the category lists).
   */
  canType(action: PermissionAction, type: PermissionEntityType, categoryId?: number): boolean {
    if (this.isAdmin) return true
    if (categoryId !== undefined || !type.hasCategories) return this.level(action, type, categoryId) !== ''
    return [UNLISTED_CATEGORY, ...this.listedCategories(action, type.entityTypeId)].some(
      (category) => this.level(action, type, category) !== '',
    )
  }

  /** Whether the right covers this item (its funnel, responsible and `opened` flag). */
  canItem(action: PermissionAction, type: PermissionEntityType, item: PermissionItem): boolean {
    if (this.isAdmin) return true
    return this.grants(this.level(action, type, item.categoryId ?? 0), item)
  }

  /**
   * The items of the type the right covers, as a condition on `crm_item` (ANDed into list queries): per
   * funnel that a role names, its level; for every other funnel, the type's level. undefined when nothing
   * is filtered out (administrators, level X everywhere).
   */
  itemFilter(action: PermissionAction, type: PermissionEntityType): RawBuilder<SqlBool> | undefined {
    if (this.isAdmin) return undefined
    const column = (name: string) => sql.ref(`crm_item.${name}`)
    if (!type.hasCategories) return this.levelCondition(this.level(action, type, 0))
    const listed = this.listedCategories(action, type.entityTypeId)
    const otherLevel = this.level(action, type, UNLISTED_CATEGORY)
    const levels = listed.map((category) => ({ category, level: this.level(action, type, category) }))
    if (levels.every((l) => l.level === otherLevel)) return this.levelCondition(otherLevel)
    const parts: RawBuilder<SqlBool>[] = []
    for (const { category, level } of levels) {
      if (level === '') continue
      const inCategory = sql<SqlBool>`${column('category_id')} = ${category}`
      const condition = this.levelCondition(level)
      parts.push(condition === undefined ? inCategory : sql<SqlBool>`(${inCategory} and ${condition})`)
    }
    if (otherLevel !== '') {
      const elsewhere = sql<SqlBool>`(${column('category_id')} is null or ${column('category_id')} not in (${sql.join(listed)}))`
      const condition = this.levelCondition(otherLevel)
      parts.push(condition === undefined ? elsewhere : sql<SqlBool>`(${elsewhere} and ${condition})`)
    }
    if (parts.length === 0) return sql<SqlBool>`1 = 0`
    return sql<SqlBool>`(${sql.join(parts, sql` or `)})`
  }

  /**
   * The stage-move right (crm-item-update.md "Insufficient permissions to change the stage"): whether an
   * item of the funnel may be moved to `stageId`.
   */
  mayMoveToStage(
    type: PermissionEntityType,
    categoryId: number | null | undefined,
    stageId: string,
  ): boolean {
    if (this.isAdmin) return true
    const category = type.hasCategories ? (categoryId ?? 0) : 0
    for (const role of this.roles) {
      const write = resolveRow(role, PERM_TYPE.write, type.entityTypeId, category)
      if (write === undefined || write.attr === '') continue
      const transition = resolveRow(role, TRANSITION, type.entityTypeId, category)
      if (transition === undefined || transition.attr === 'X') return true
      if ((transition.stages ?? []).includes(stageId)) return true
    }
    return false
  }

  private grants(level: Level, item: PermissionItem): boolean {
    if (level === 'X') return true
    if (level === '') return false
    const assigned = item.assignedById ?? 0
    if (assigned === this.userId) return true
    switch (level) {
      case 'A':
        return false
      case 'D':
        return this.departmentUsers.has(assigned)
      case 'F':
        return this.subdepartmentUsers.has(assigned)
      case 'O':
        return this.subdepartmentUsers.has(assigned) || item.opened === true
    }
  }

  /** The SQL form of {@link grants}; undefined for "everything", `1 = 0` for nothing. */
  private levelCondition(level: Level): RawBuilder<SqlBool> | undefined {
    if (level === 'X') return undefined
    if (level === '') return sql<SqlBool>`1 = 0`
    const assigned = sql.ref('crm_item.assigned_by_id')
    const own = sql<SqlBool>`${assigned} = ${this.userId}`
    if (level === 'A') return own
    const departments = level === 'D' ? this.departments : this.subdepartments
    const inDepartments =
      departments.length === 0
        ? own
        : sql<SqlBool>`(${own} or ${assigned} in (select ud.user_id from user_department as ud where ud.portal_id = ${this.portalId} and ud.department_id in (${sql.join([...departments])})))`
    if (level !== 'O') return inDepartments
    return sql<SqlBool>`(${inDepartments} or ${sql.ref('crm_item.opened')} = 1)`
  }

  /** Funnels of the type some role names explicitly for the right. */
  private listedCategories(action: PermissionAction, entityTypeId: number): number[] {
    const ids = new Set<number>()
    for (const role of this.roles) {
      for (const row of role.rows) {
        if (row.permType === PERM_TYPE[action] && row.entityTypeId === entityTypeId && row.categoryId >= 0) {
          ids.add(row.categoryId)
        }
      }
    }
    return [...ids].sort((a, b) => a - b)
  }
}

/** A role's line for (type, funnel): the exact one, else the type's every-funnel line, else every type's. */
function resolveRow(
  role: RoleRow,
  permType: string,
  entityTypeId: number,
  categoryId: number,
): PermissionRow | undefined {
  const find = (type: number, category: number) =>
    role.rows.find((r) => r.permType === permType && r.entityTypeId === type && r.categoryId === category)
  return (
    find(entityTypeId, categoryId) ?? find(entityTypeId, EVERY_CATEGORY) ?? find(EVERY_TYPE, EVERY_CATEGORY)
  )
}

/** The access codes a user holds: U{id}, and for employees AU, D{id} of their departments, DR{id} upwards. */
export function accessCodesOf(user: User, tree: readonly DepartmentLink[]): string[] {
  const codes = [`U${user.id}`]
  if (user.userType !== 'employee') return codes
  codes.push('AU', ...user.departments.map((d) => `D${d}`))
  codes.push(...withParents(tree, user.departments).map((d) => `DR${d}`))
  return codes
}

/** Loads the user's rights (a handful of queries). */
export async function loadUserPermissions(db: Db, portal: Portal, user: User): Promise<UserPermissions> {
  // A portal administrator passes every check whatever the roles say: nothing to read.
  if (user.isAdmin) return new UserPermissions(user.id, true, [], [], [], new Set(), new Set(), portal.id)
  const tree = await listDepartments(db, portal.id)
  const codes = accessCodesOf(user, tree)
  const admins = user.isAdmin ? [] : await listCrmAdmins(db, portal.id)
  const isAdmin = user.isAdmin || codes.some((code) => admins.includes(code))
  // Extranet users have no CRM (crm-item-*.md: allowed_only_intranet_user); administrators need no roles.
  const intranet = user.userType === 'employee'
  const roles =
    isAdmin || !intranet ? [] : await loadRoleRows(db, portal.id, await roleIdsForCodes(db, portal.id, codes))
  const departments = intranet ? [...user.departments] : []
  const subdepartments = withSubdepartments(tree, departments)
  const departmentUsers = new Set<number>()
  const subdepartmentUsers = new Set<number>()
  // Only the department levels need the members of the user's departments.
  const departmentLevels = roles.some((role) => role.rows.some((row) => ['D', 'F', 'O'].includes(row.attr)))
  if (subdepartments.length > 0 && departmentLevels) {
    const members = await db
      .selectFrom('user_department')
      .select(['user_id', 'department_id'])
      .where('portal_id', '=', portal.id)
      .where('department_id', 'in', subdepartments)
      .execute()
    for (const m of members) {
      subdepartmentUsers.add(m.user_id)
      if (departments.includes(m.department_id)) departmentUsers.add(m.user_id)
    }
  }
  return new UserPermissions(
    user.id,
    isAdmin,
    roles,
    departments,
    subdepartments,
    departmentUsers,
    subdepartmentUsers,
    portal.id,
  )
}

const cache = new WeakMap<User, Promise<UserPermissions>>()

/**
 * The user's rights, looked up once per authenticated call: a principal's User object lives for one request
 * (batch commands share it), so role changes apply from the next request on. Between requests they come from
 * the configuration cache (roles, CRM administrators, departments and users are configuration tables:
 * store/config-cache.ts), so they are read again only after one of those changed.
 */
export function permissionsFor(db: Db, portal: Portal, user: User): Promise<UserPermissions> {
  const cached = cache.get(user)
  if (cached !== undefined) return cached
  const key = `permissions:${user.id}:${user.isAdmin ? 1 : 0}:${user.userType}:${user.departments.join('.')}`
  const loading = user.isAdmin
    ? loadUserPermissions(db, portal, user)
    : configCached(db, portal.id, key, () => loadUserPermissions(db, portal, user))
  cache.set(user, loading)
  loading.catch(() => cache.delete(user))
  return loading
}
