import type { Selectable } from 'kysely'
import type { Db, PortalUserTable } from '../store/schema.js'
import type { Store } from '../store/store.js'
import { storedInstant } from '../lib/format-date.js'

export type UserType = 'employee' | 'extranet' | 'email'

export interface User {
  portalId: number
  id: number
  active: boolean
  isAdmin: boolean
  /** intranet users are `employee`; extranet users have no CRM (crm-item-update.md: allowed_only_intranet_user) */
  userType: UserType
  name: string
  lastName: string
  secondName: string
  email: string
  departments: number[]
  row: Selectable<PortalUserTable>
}

export interface NewUser {
  isAdmin?: boolean
  active?: boolean
  userType?: UserType
  name?: string
  lastName?: string
  secondName?: string
  email?: string
  xmlId?: string
  workPosition?: string
  personalGender?: '' | 'M' | 'F'
  personalBirthday?: string | null
  personalMobile?: string
  personalCity?: string
  workPhone?: string
  departments?: number[]
  timeZone?: string
}

export async function createUser(
  store: Store,
  db: Db,
  portalId: number,
  input: NewUser,
  nowMs: number,
): Promise<User> {
  const id = await store.nextId(db, portalId, 'user')
  const now = storedInstant(nowMs)
  await db
    .insertInto('portal_user')
    .values({
      portal_id: portalId,
      id,
      active: input.active === false ? 0 : 1,
      is_admin: input.isAdmin === true ? 1 : 0,
      user_type: input.userType ?? 'employee',
      name: input.name ?? '',
      last_name: input.lastName ?? '',
      second_name: input.secondName ?? '',
      email: input.email ?? '',
      xml_id: input.xmlId ?? '',
      personal_gender: input.personalGender ?? '',
      personal_birthday: input.personalBirthday ?? null,
      personal_www: '',
      personal_mobile: input.personalMobile ?? '',
      personal_phone: '',
      personal_city: input.personalCity ?? '',
      work_company: '',
      work_position: input.workPosition ?? '',
      work_phone: input.workPhone ?? '',
      uf_phone_inner: '',
      uf_employment_date: null,
      time_zone: input.timeZone ?? '',
      is_online: 0,
      date_register: now,
      last_login: null,
      last_activity_date: null,
      timestamp_x: now,
    })
    .execute()
  // Extranet users belong to no department of the company structure.
  const departments = input.userType === 'extranet' ? [] : (input.departments ?? [1])
  if (departments.length > 0) {
    await db
      .insertInto('user_department')
      .values(departments.map((department_id) => ({ portal_id: portalId, user_id: id, department_id })))
      .execute()
  }
  const user = await getUser(db, portalId, id)
  if (user === undefined) throw new Error('user vanished inside its own transaction')
  return user
}

export async function getUser(db: Db, portalId: number, id: number): Promise<User | undefined> {
  const row = await db
    .selectFrom('portal_user')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('id', '=', id)
    .executeTakeFirst()
  if (row === undefined) return undefined
  const departments = await db
    .selectFrom('user_department')
    .select('department_id')
    .where('portal_id', '=', portalId)
    .where('user_id', '=', id)
    .orderBy('department_id')
    .execute()
  return userFromRow(
    row,
    departments.map((d) => d.department_id),
  )
}

export function userFromRow(row: Selectable<PortalUserTable>, departments: number[]): User {
  return {
    portalId: row.portal_id,
    id: row.id,
    active: row.active === 1,
    isAdmin: row.is_admin === 1,
    userType: row.user_type as UserType,
    name: row.name,
    lastName: row.last_name,
    secondName: row.second_name,
    email: row.email,
    departments,
    row,
  }
}

/** Every user of a portal in id order, departments included (two queries, not one per user). */
export async function listUsers(db: Db, portalId: number): Promise<User[]> {
  const rows = await db
    .selectFrom('portal_user')
    .selectAll()
    .where('portal_id', '=', portalId)
    .orderBy('id')
    .execute()
  const links = await db
    .selectFrom('user_department')
    .select(['user_id', 'department_id'])
    .where('portal_id', '=', portalId)
    .orderBy('department_id')
    .execute()
  const departments = new Map<number, number[]>()
  for (const link of links) {
    const list = departments.get(link.user_id)
    if (list === undefined) departments.set(link.user_id, [link.department_id])
    else list.push(link.department_id)
  }
  return rows.map((row) => userFromRow(row, departments.get(row.id) ?? []))
}

/** Department ids of the given users of a portal (one query), keyed by user id; users without any are absent. */
export async function departmentsOfUsers(
  db: Db,
  portalId: number,
  userIds: readonly number[],
): Promise<Map<number, number[]>> {
  const result = new Map<number, number[]>()
  if (userIds.length === 0) return result
  const links = await db
    .selectFrom('user_department')
    .select(['user_id', 'department_id'])
    .where('portal_id', '=', portalId)
    .where('user_id', 'in', [...new Set(userIds)])
    .orderBy('department_id')
    .execute()
  for (const link of links) {
    const list = result.get(link.user_id)
    if (list === undefined) result.set(link.user_id, [link.department_id])
    else list.push(link.department_id)
  }
  return result
}
