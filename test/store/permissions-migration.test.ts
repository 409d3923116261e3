import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import type { Store } from '../../src/store/store.js'
import * as m0008 from '../../src/store/migrations/0008-permissions.js'
import { createPortal } from '../../src/portal/portal.js'
import { createUser } from '../../src/portal/users.js'
import { listDepartments } from '../../src/portal/departments.js'
import { DEFAULT_ROLE, listRoles } from '../../src/crm/permissions/role-store.js'
import { loadUserPermissions } from '../../src/crm/permissions/user-permissions.js'
import { getUser } from '../../src/portal/users.js'
import { STORE_KINDS, openTestStore } from '../helpers/test-store.js'

const NOW = Date.UTC(2026, 0, 15, 10, 0, 0)

/**
 * Migration 0008 on a store that already has portals: every portal gets what a new portal gets (the root
 * department, the "Full access" role for all employees), plus a department row for every department id its
 * users already name — so nothing that worked before the upgrade stops working.
 */
describe.each(STORE_KINDS)('migration 0008-permissions on %s', (kind) => {
  let store: Store
  beforeEach(async () => {
    store = await openTestStore(kind)
  })
  afterEach(async () => {
    await store.close()
  })

  /** Back to the state before 0008: its tables gone, its counters unset. */
  async function before0008(): Promise<void> {
    for (const table of ['department', 'crm_role', 'crm_role_relation', 'crm_role_permission', 'crm_admin']) {
      await sql`drop table ${sql.table(table)}`.execute(store.db)
    }
    await store.db.deleteFrom('id_counter').where('name', 'in', ['department', 'crm_role']).execute()
  }

  it('seeds existing portals like new ones, and keeps their users working', async () => {
    const first = await createPortal(store, { domain: 'one.example', name: 'One' }, NOW)
    const second = await createPortal(store, { domain: 'two.example', name: 'Two' }, NOW)
    const employee = await createUser(store, store.db, first.id, { departments: [1, 7] }, NOW)
    await before0008()

    await m0008.up(store.db as never, store.dialect)

    const departments = await listDepartments(store.db, first.id)
    expect(departments).toEqual([
      { portalId: first.id, id: 1, name: 'One', sort: 500, parentId: null, headUserId: null },
      { portalId: first.id, id: 7, name: 'Department 7', sort: 500, parentId: 1, headUserId: null },
    ])
    expect((await listDepartments(store.db, second.id)).map((d) => d.id)).toEqual([1])
    // The next department gets the next free id.
    expect(await store.nextId(store.db, first.id, 'department')).toBe(8)
    expect(await store.nextId(store.db, first.id, 'crm_role')).toBe(2)

    for (const portal of [first, second]) {
      const roles = await listRoles(store.db, portal.id)
      expect(roles).toEqual([
        {
          portalId: portal.id,
          id: 1,
          name: DEFAULT_ROLE.name,
          allowSettings: false,
          permissions: DEFAULT_ROLE.permissions,
          assignedTo: ['AU'],
        },
      ])
    }
    const user = await getUser(store.db, first.id, employee.id)
    if (user === undefined) throw new Error('user lost')
    const permissions = await loadUserPermissions(store.db, first, user)
    const deal = { entityTypeId: 2, hasCategories: true }
    expect(permissions.isAdmin).toBe(false)
    expect(permissions.canItem('write', deal, { categoryId: 0, assignedById: 99, opened: false })).toBe(true)
    expect(permissions.itemFilter('read', deal)).toBeUndefined()
    expect(permissions.mayMoveToStage(deal, 0, 'WON')).toBe(true)
    expect(permissions.canChangeSettings).toBe(false)
    expect(permissions.hasCrmAccess).toBe(true)
  })

  it('a new portal gets the same seed from createPortal', async () => {
    const portal = await createPortal(store, { domain: 'new.example', name: 'New' }, NOW)
    expect(await listDepartments(store.db, portal.id)).toEqual([
      { portalId: portal.id, id: 1, name: 'New', sort: 500, parentId: null, headUserId: null },
    ])
    expect((await listRoles(store.db, portal.id)).map((r) => [r.id, r.name, r.assignedTo])).toEqual([
      [1, 'Full access', ['AU']],
    ])
  })
})
