import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, createTestApp, type CallResult, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'

/**
 * The admin API for the company structure and CRM roles (src/admin/operations.ts): departments, a user's
 * departments, roles with their rights and assignments, CRM administrators — and the input checks.
 */

type Body = Record<string, unknown>

describe.each(STORE_KINDS)('admin API: departments and CRM roles (%s)', (storeKind) => {
  let t: TestApp
  const admin = async (method: string, url: string, body?: unknown): Promise<CallResult> => {
    const response = await t.inject({
      method: method as 'GET',
      url: `/_admin${url}`,
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    })
    return { status: response.statusCode, body: response.json() as Body }
  }

  beforeEach(async () => {
    t = await createTestApp({ store: storeKind })
  })
  afterEach(async () => {
    await t.close()
  })

  it('a fresh portal: the root department and the "Full access" role for all employees', async () => {
    const departments = await admin('GET', '/portals/1/departments')
    expect(departments).toEqual({
      status: 200,
      body: {
        departments: [
          { id: 1, portalId: 1, name: 'b24crm', sort: 500, parentId: null, headUserId: null, members: [1] },
        ],
      },
    })
    const roles = await admin('GET', '/portals/1/roles')
    expect(roles.body).toEqual({
      roles: [
        {
          id: 1,
          portalId: 1,
          name: 'Full access',
          allowSettings: false,
          permissions: [
            {
              entityTypeId: null,
              categoryId: null,
              read: 'X',
              add: 'X',
              write: 'X',
              delete: 'X',
              export: 'X',
              import: 'X',
            },
          ],
          assignedTo: ['AU'],
        },
      ],
    })
    expect(await admin('GET', '/portals/1/crm-admins')).toEqual({
      status: 200,
      body: { portalId: 1, crmAdmins: [] },
    })
  })

  it('creates, moves, re-heads and deletes departments; puts users into them', async () => {
    const sales = await admin('POST', '/portals/1/departments', { name: 'Sales', headUserId: 1 })
    expect(sales).toEqual({
      status: 201,
      body: { id: 2, portalId: 1, name: 'Sales', sort: 500, parentId: 1, headUserId: 1, members: [] },
    })
    const east = await admin('POST', '/portals/1/departments', { name: 'East', parentId: 2, sort: 100 })
    expect(east.body).toMatchObject({ id: 3, parentId: 2, sort: 100, headUserId: null })

    const user = await admin('POST', '/portals/1/users', { name: 'Ann' })
    const userId = user.body['id'] as number
    const moved = await admin('PUT', `/portals/1/users/${userId}/departments`, { departments: [3, 2] })
    expect(moved.status).toBe(200)
    expect(moved.body['departments']).toEqual([2, 3])
    expect((await admin('GET', '/portals/1/departments')).body['departments']).toEqual([
      expect.objectContaining({ id: 1, members: [1] }),
      expect.objectContaining({ id: 2, members: [userId] }),
      expect.objectContaining({ id: 3, members: [userId] }),
    ])

    // A department cannot move under itself or below itself; the root has no parent.
    expect(await admin('PATCH', '/portals/1/departments/2', { parentId: 3 })).toMatchObject({
      status: 400,
      body: {
        error: 'INVALID_INPUT',
        error_description: 'parentId: a department cannot be moved under itself',
      },
    })
    expect((await admin('PATCH', '/portals/1/departments/1', { parentId: 2 })).body['error']).toBe(
      'INVALID_INPUT',
    )
    expect(
      (await admin('PATCH', '/portals/1/departments/3', { parentId: 1, name: 'East 2' })).body,
    ).toMatchObject({ id: 3, parentId: 1, name: 'East 2' })
    expect((await admin('PATCH', '/portals/1/departments/2', { headUserId: null })).body).toMatchObject({
      headUserId: null,
    })

    // Deleting: not the root, not with members or subdepartments; a deleted department's assignments go.
    expect((await admin('DELETE', '/portals/1/departments/1')).body['error']).toBe('DEPARTMENT_IN_USE')
    expect((await admin('DELETE', '/portals/1/departments/3')).body).toMatchObject({
      error: 'DEPARTMENT_IN_USE',
      error_description: 'Department 3 has members; move them first',
    })
    await admin('PUT', `/portals/1/users/${userId}/departments`, { departments: [2] })
    await admin('PATCH', '/portals/1/roles/1', { assignedTo: ['AU', 'DR3'] })
    expect(await admin('DELETE', '/portals/1/departments/3')).toEqual({
      status: 200,
      body: { id: 3, deleted: true },
    })
    expect((await admin('GET', '/portals/1/roles/1')).body['assignedTo']).toEqual(['AU'])
    expect((await admin('DELETE', '/portals/1/departments/3')).status).toBe(404)
  })

  it('creates, changes and deletes roles with rights per type, funnel and stage', async () => {
    const created = await admin('POST', '/portals/1/roles', {
      name: 'Sales',
      allowSettings: true,
      permissions: [
        { all: 'own' },
        { entityTypeId: 2, read: 'department', write: 'A', stages: ['NEW', 'WON'] },
        { entityTypeId: 2, categoryId: 0, all: 'X', delete: 'none', stages: null },
      ],
      assignedTo: ['u1', 'DR1', 'AU'],
    })
    expect(created).toEqual({
      status: 201,
      body: {
        id: 2,
        portalId: 1,
        name: 'Sales',
        allowSettings: true,
        permissions: [
          {
            entityTypeId: null,
            categoryId: null,
            read: 'A',
            add: 'A',
            write: 'A',
            delete: 'A',
            export: 'A',
            import: 'A',
          },
          { entityTypeId: 2, categoryId: null, read: 'D', write: 'A', stages: ['NEW', 'WON'] },
          {
            entityTypeId: 2,
            categoryId: 0,
            read: 'X',
            add: 'X',
            write: 'X',
            delete: '',
            export: 'X',
            import: 'X',
            stages: null,
          },
        ],
        assignedTo: ['AU', 'U1', 'DR1'],
      },
    })
    const renamed = await admin('PATCH', '/portals/1/roles/2', { name: 'Sales team', permissions: [] })
    expect(renamed.body).toMatchObject({ name: 'Sales team', allowSettings: true, permissions: [] })
    expect(renamed.body['assignedTo']).toEqual(['AU', 'U1', 'DR1'])
    expect((await admin('GET', '/portals/1/roles')).body['roles']).toHaveLength(2)
    expect(await admin('DELETE', '/portals/1/roles/2')).toEqual({
      status: 200,
      body: { id: 2, deleted: true },
    })
    expect(await admin('GET', '/portals/1/roles/2')).toMatchObject({
      status: 404,
      body: { error: 'ROLE_NOT_FOUND', error_description: 'Portal 1 has no CRM role 2' },
    })
  })

  it('refuses what names nothing: bad levels, codes, types, users and departments', async () => {
    const refused = async (body: unknown, path: string) => {
      const response = await admin('POST', '/portals/1/roles', body)
      expect(response.status).toBe(400)
      expect(response.body['error']).toBe('INVALID_INPUT')
      expect((response.body['issues'] as { path: string }[]).map((i) => i.path)).toContain(path)
    }
    await refused({ name: 'x', permissions: [{ read: 'Z' }] }, 'permissions.0.read')
    await refused({ name: 'x', permissions: [{ categoryId: 3, read: 'X' }] }, 'permissions.0.categoryId')
    await refused({ name: 'x', assignedTo: ['G5'] }, 'assignedTo.0')
    await refused({ name: '' }, 'name')
    await refused(
      { name: 'x', permissions: [{ entityTypeId: 999, read: 'X' }] },
      'permissions.0.entityTypeId',
    )
    expect((await admin('POST', '/portals/1/roles', { name: 'x', assignedTo: ['U99'] })).body).toMatchObject({
      error: 'USER_NOT_FOUND',
    })
    expect((await admin('POST', '/portals/1/roles', { name: 'x', assignedTo: ['D9'] })).body).toMatchObject({
      error: 'DEPARTMENT_NOT_FOUND',
    })
    expect((await admin('PUT', '/portals/1/crm-admins', { codes: ['DR9'] })).body['error']).toBe(
      'DEPARTMENT_NOT_FOUND',
    )
    expect((await admin('PUT', '/portals/1/users/1/departments', { departments: [5] })).status).toBe(404)
    expect((await admin('PUT', '/portals/1/users/77/departments', { departments: [] })).body['error']).toBe(
      'USER_NOT_FOUND',
    )
    expect((await admin('POST', '/portals/1/departments', { name: 'x', parentId: 9 })).status).toBe(404)
    expect((await admin('PATCH', '/portals/1/roles/abc', {})).body['error']).toBe('ROLE_NOT_FOUND')
    // Nothing was written by the refused calls.
    expect((await admin('GET', '/portals/1/roles')).body['roles']).toHaveLength(1)
  })

  it('sets the CRM administrators', async () => {
    await admin('POST', '/portals/1/departments', { name: 'Board' })
    expect(await admin('PUT', '/portals/1/crm-admins', { codes: ['DR2', 'u1', 'U1'] })).toEqual({
      status: 200,
      body: { portalId: 1, crmAdmins: ['U1', 'DR2'] },
    })
    expect((await admin('PUT', '/portals/1/crm-admins', { codes: [] })).body['crmAdmins']).toEqual([])
  })
})
