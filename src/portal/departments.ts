import type { Selectable } from 'kysely'
import type { Db, DepartmentTable } from '../store/schema.js'
import type { Store } from '../store/store.js'

/**
 * The company structure: a tree of departments with an optional head each (what `department.get` shows as
 * PARENT and UF_HEAD), and the users in them (`user_department`, what `user.get` shows as UF_DEPARTMENT).
 * Department 1 is the root, named after the portal, as on a fresh Bitrix24. CRM rights at the "department"
 * and "department and subdepartments" levels are computed from this tree (crm/permissions/).
 */
export interface Department {
  portalId: number
  id: number
  name: string
  sort: number
  /** null for the root */
  parentId: number | null
  headUserId: number | null
}

export const ROOT_DEPARTMENT_ID = 1
export const DEPARTMENT_SEQUENCE = 'department'

export function departmentFromRow(row: Selectable<DepartmentTable>): Department {
  return {
    portalId: row.portal_id,
    id: row.id,
    name: row.name,
    sort: row.sort,
    parentId: row.parent_id,
    headUserId: row.head_user_id,
  }
}

/** Every department of a portal in id order. */
export async function listDepartments(db: Db, portalId: number): Promise<Department[]> {
  const rows = await db
    .selectFrom('department')
    .selectAll()
    .where('portal_id', '=', portalId)
    .orderBy('id')
    .execute()
  return rows.map(departmentFromRow)
}

export async function getDepartment(db: Db, portalId: number, id: number): Promise<Department | undefined> {
  const row = await db
    .selectFrom('department')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('id', '=', id)
    .executeTakeFirst()
  return row === undefined ? undefined : departmentFromRow(row)
}

/** The root department of a new portal (its id counter starts after it). */
export async function seedRootDepartment(
  store: Store,
  db: Db,
  portalId: number,
  name: string,
): Promise<void> {
  const id = await store.nextId(db, portalId, DEPARTMENT_SEQUENCE)
  await db
    .insertInto('department')
    .values({ portal_id: portalId, id, name, sort: 500, parent_id: null, head_user_id: null })
    .execute()
}

export interface NewDepartment {
  name: string
  parentId: number
  sort?: number
  headUserId?: number | null
}

export async function createDepartment(
  store: Store,
  db: Db,
  portalId: number,
  input: NewDepartment,
): Promise<Department> {
  const id = await store.nextId(db, portalId, DEPARTMENT_SEQUENCE)
  await db
    .insertInto('department')
    .values({
      portal_id: portalId,
      id,
      name: input.name,
      sort: input.sort ?? 500,
      parent_id: input.parentId,
      head_user_id: input.headUserId ?? null,
    })
    .execute()
  const created = await getDepartment(db, portalId, id)
  if (created === undefined) throw new Error('department vanished inside its own transaction')
  return created
}

export interface DepartmentPatch {
  name?: string
  parentId?: number
  sort?: number
  headUserId?: number | null
}

export async function updateDepartment(
  db: Db,
  portalId: number,
  id: number,
  patch: DepartmentPatch,
): Promise<void> {
  const set: Partial<Selectable<DepartmentTable>> = {}
  if (patch.name !== undefined) set.name = patch.name
  if (patch.parentId !== undefined) set.parent_id = patch.parentId
  if (patch.sort !== undefined) set.sort = patch.sort
  if (patch.headUserId !== undefined) set.head_user_id = patch.headUserId
  if (Object.keys(set).length === 0) return
  await db.updateTable('department').set(set).where('portal_id', '=', portalId).where('id', '=', id).execute()
}

export async function deleteDepartment(db: Db, portalId: number, id: number): Promise<void> {
  await db.deleteFrom('department').where('portal_id', '=', portalId).where('id', '=', id).execute()
}

/** How many users are in the department (directly). */
export async function departmentMemberCount(db: Db, portalId: number, id: number): Promise<number> {
  const row = await db
    .selectFrom('user_department')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('portal_id', '=', portalId)
    .where('department_id', '=', id)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Replaces the departments a user is in. */
export async function setUserDepartments(
  db: Db,
  portalId: number,
  userId: number,
  departmentIds: readonly number[],
): Promise<void> {
  await db
    .deleteFrom('user_department')
    .where('portal_id', '=', portalId)
    .where('user_id', '=', userId)
    .execute()
  const ids = [...new Set(departmentIds)]
  if (ids.length === 0) return
  await db
    .insertInto('user_department')
    .values(ids.map((department_id) => ({ portal_id: portalId, user_id: userId, department_id })))
    .execute()
}

/** A department's place in the tree. */
export type DepartmentLink = Pick<Department, 'id' | 'parentId'>

/** Children by parent id, for walking the tree. */
export function childrenIndex(departments: readonly DepartmentLink[]): Map<number, number[]> {
  const index = new Map<number, number[]>()
  for (const d of departments) {
    if (d.parentId === null) continue
    const list = index.get(d.parentId)
    if (list === undefined) index.set(d.parentId, [d.id])
    else list.push(d.id)
  }
  return index
}

/** The given departments and all departments below them. */
export function withSubdepartments(
  departments: readonly DepartmentLink[],
  roots: readonly number[],
): number[] {
  const children = childrenIndex(departments)
  const seen = new Set<number>()
  const stack = [...roots]
  while (stack.length > 0) {
    const id = stack.pop() as number
    if (seen.has(id)) continue
    seen.add(id)
    stack.push(...(children.get(id) ?? []))
  }
  return [...seen].sort((a, b) => a - b)
}

/** The given departments and all departments above them (a cycle-safe walk up the parent links). */
export function withParents(departments: readonly DepartmentLink[], ids: readonly number[]): number[] {
  const parentOf = new Map(departments.map((d) => [d.id, d.parentId]))
  const seen = new Set<number>()
  for (const start of ids) {
    let current: number | null | undefined = start
    while (current !== null && current !== undefined && !seen.has(current)) {
      seen.add(current)
      current = parentOf.get(current)
    }
  }
  return [...seen].sort((a, b) => a - b)
}
