import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, createTestApp, type CallResult, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import { userHook } from '../helpers/item-fixtures.js'

/**
 * CRM roles and rights through HTTP (src/crm/permissions/): "REST can access exactly what that user can in
 * UI" (settings/how-to-call-rest-api/index.md). Roles, departments and assignments are set up through the
 * admin API; the calls go through each user's own webhook.
 *
 * The structure: root 1 → Sales (2) → Sales East (3); root 1 → Support (4). The caller is in Sales; a
 * colleague in Sales, one in Sales East, one in Support. One deal is assigned to each (not open), and one
 * open deal to the Support colleague.
 */

type Body = Record<string, unknown>

const STAGE_DENIED = 'Insufficient permission to change stage.'

function errorOf(response: CallResult): { status: number; error: unknown; description: unknown } {
  return {
    status: response.status,
    error: response.body['error'],
    description: response.body['error_description'],
  }
}

function ok(response: CallResult): Body {
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${JSON.stringify(response.body)}`)
  return response.body
}

describe.each(STORE_KINDS)('CRM permissions (%s)', (storeKind) => {
  let t: TestApp
  let callerId: number
  let caller: string
  let colleague: number
  let subordinate: number
  let stranger: number
  const deals: Record<'own' | 'department' | 'subdepartment' | 'other' | 'open', number> = {
    own: 0,
    department: 0,
    subdepartment: 0,
    other: 0,
    open: 0,
  }
  let callerRole: number

  const admin = async (method: string, url: string, body?: unknown): Promise<CallResult> => {
    const response = await t.inject({
      method: method as 'GET',
      url: `/_admin/portals/1${url}`,
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    })
    return { status: response.statusCode, body: response.json() as Body }
  }
  const setRights = async (permissions: unknown[], extra: Body = {}) => {
    const response = await admin('PATCH', `/roles/${callerRole}`, { permissions, ...extra })
    expect(response.status).toBe(200)
  }
  const as = (method: string, params: Body = {}) => t.call(method, params, { prefix: caller })
  const addDeal = async (fields: Body): Promise<number> => {
    const body = ok(await t.call('crm.item.add', { entityTypeId: 2, fields: { opened: 'N', ...fields } }))
    return (body['result'] as { item: { id: number } }).item.id
  }
  const listIds = async (entityTypeId: number, filter: Body = {}): Promise<number[]> => {
    const body = ok(await as('crm.item.list', { entityTypeId, select: ['id'], filter, order: { id: 'ASC' } }))
    return (body['result'] as { items: { id: number }[] }).items.map((i) => i.id)
  }
  const dealTitle = async (id: number): Promise<string> => {
    const body = ok(await t.call('crm.item.get', { entityTypeId: 2, id }))
    return (body['result'] as { item: { title: string } }).item.title
  }

  beforeAll(async () => {
    t = await createTestApp({ store: storeKind })
    for (const [name, parentId] of [
      ['Sales', 1],
      ['Sales East', 2],
      ['Support', 1],
    ] as const) {
      expect((await admin('POST', '/departments', { name, parentId })).status).toBe(201)
    }
    const me = await userHook(t, { name: 'Caller', departments: [2] })
    callerId = me.userId
    caller = me.prefix
    colleague = (await userHook(t, { name: 'Colleague', departments: [2] })).userId
    subordinate = (await userHook(t, { name: 'East', departments: [3] })).userId
    stranger = (await userHook(t, { name: 'Support', departments: [4] })).userId

    deals.own = await addDeal({ title: 'own', assignedById: callerId })
    deals.department = await addDeal({ title: 'department', assignedById: colleague })
    deals.subdepartment = await addDeal({ title: 'subdepartment', assignedById: subordinate })
    deals.other = await addDeal({ title: 'other', assignedById: stranger })
    deals.open = await addDeal({ title: 'open', assignedById: stranger, opened: 'Y' })

    // Nobody but the administrators keeps the fresh portal's "Full access" role; the caller gets a role of
    // their own whose rights each test sets.
    expect((await admin('PATCH', '/roles/1', { assignedTo: [] })).status).toBe(200)
    const role = await admin('POST', '/roles', { name: 'Caller', assignedTo: [`U${callerId}`] })
    expect(role.status).toBe(201)
    callerRole = role.body['id'] as number
  })
  afterAll(async () => {
    await t.close()
  })

  const VISIBLE: Record<string, (keyof typeof deals)[]> = {
    '': [],
    A: ['own'],
    D: ['own', 'department'],
    F: ['own', 'department', 'subdepartment'],
    O: ['own', 'department', 'subdepartment', 'open'],
    X: ['own', 'department', 'subdepartment', 'other', 'open'],
  }
  const ALL_DEALS = ['own', 'department', 'subdepartment', 'other', 'open'] as const

  describe('read', () => {
    it.each(Object.keys(VISIBLE))(
      'level "%s": crm.item.list omits what the caller may not read',
      async (level) => {
        await setRights([{ entityTypeId: 2, read: level, write: level }])
        const expected = (VISIBLE[level] ?? []).map((k) => deals[k]).sort((a, b) => a - b)
        expect(await listIds(2)).toEqual(expected)
        // `total` counts only readable items, and a filter cannot reach past the right.
        const body = ok(await as('crm.item.list', { entityTypeId: 2, select: ['id'] }))
        expect(body['total']).toBe(expected.length)
        expect(await listIds(2, { '@id': Object.values(deals) })).toEqual(expected)
      },
    )

    it.each(Object.keys(VISIBLE))(
      'level "%s": crm.item.get refuses what the caller may not read',
      async (level) => {
        await setRights([{ entityTypeId: 2, read: level }])
        for (const key of ALL_DEALS) {
          const response = await as('crm.item.get', { entityTypeId: 2, id: deals[key] })
          if ((VISIBLE[level] ?? []).includes(key)) {
            expect(response.status).toBe(200)
          } else {
            expect(errorOf(response)).toEqual({
              status: 400,
              error: 'ACCESS_DENIED',
              description: 'You do not have permission to view this item',
            })
          }
        }
        // An id that does not exist is NOT_FOUND whatever the rights.
        expect(errorOf(await as('crm.item.get', { entityTypeId: 2, id: 999999 })).error).toBe('NOT_FOUND')
      },
    )

    it('crm.item.fields needs the read right for the type', async () => {
      await setRights([{ entityTypeId: 2, read: 'A' }])
      expect((await as('crm.item.fields', { entityTypeId: 2 })).status).toBe(200)
      expect(errorOf(await as('crm.item.fields', { entityTypeId: 1 }))).toEqual({
        status: 400,
        error: 'ACCESS_DENIED',
        description: 'You do not have permission to view this item',
      })
    })

    it('rights of other types do not leak: leads stay hidden with deal rights only', async () => {
      ok(await t.call('crm.item.add', { entityTypeId: 1, fields: { title: 'lead', assignedById: callerId } }))
      await setRights([{ entityTypeId: 2, all: 'X' }])
      expect(await listIds(1)).toEqual([])
      await setRights([{ all: 'A' }])
      expect((await listIds(1)).length).toBe(1)
    })
  })

  describe('write', () => {
    it.each(Object.keys(VISIBLE))(
      'level "%s": crm.item.update changes only what the right covers',
      async (level) => {
        await setRights([{ entityTypeId: 2, read: 'X', write: level }])
        for (const key of ALL_DEALS) {
          const response = await as('crm.item.update', {
            entityTypeId: 2,
            id: deals[key],
            fields: { comments: `by ${level || 'none'}` },
          })
          if ((VISIBLE[level] ?? []).includes(key)) {
            expect(response.status).toBe(200)
          } else {
            expect(errorOf(response)).toEqual({
              status: 400,
              error: 'ACCESS_DENIED',
              description: 'Access denied',
            })
          }
        }
        expect(await dealTitle(deals.other)).toBe('other')
      },
    )

    it('a refused update changes nothing and writes no outbox row', async () => {
      await setRights([{ entityTypeId: 2, read: 'X', write: 'A' }])
      const before = await t.app.store.db.selectFrom('outbox').select('id').execute()
      const response = await as('crm.item.update', {
        entityTypeId: 2,
        id: deals.other,
        fields: { title: 'hacked' },
      })
      expect(errorOf(response).error).toBe('ACCESS_DENIED')
      expect(await dealTitle(deals.other)).toBe('other')
      expect(await t.app.store.db.selectFrom('outbox').select('id').execute()).toEqual(before)
    })
  })

  describe('delete', () => {
    it.each(['', 'A', 'D', 'X'])(
      'level "%s": crm.item.delete removes only what the right covers',
      async (level) => {
        await setRights([{ entityTypeId: 2, read: 'X', delete: level }])
        const victims: Record<string, number> = {}
        for (const [key, assignee] of [
          ['own', callerId],
          ['department', colleague],
          ['other', stranger],
        ] as const) {
          victims[key] = await addDeal({ title: `victim ${key}`, assignedById: assignee })
        }
        const allowed = (VISIBLE[level] ?? []) as string[]
        for (const [key, id] of Object.entries(victims)) {
          const response = await as('crm.item.delete', { entityTypeId: 2, id })
          if (allowed.includes(key)) {
            expect(response.body).toMatchObject({ result: [] })
            expect(errorOf(await t.call('crm.item.get', { entityTypeId: 2, id })).error).toBe('NOT_FOUND')
          } else {
            expect(errorOf(response)).toEqual({
              status: 400,
              error: 'ACCESS_DENIED',
              description: 'Access denied',
            })
            expect((await t.call('crm.item.get', { entityTypeId: 2, id })).status).toBe(200)
          }
        }
      },
    )
  })

  describe('add', () => {
    it('no add right: ACCESS_DENIED and nothing created; any level allows adding', async () => {
      await setRights([{ entityTypeId: 2, read: 'X', write: 'X', add: '' }])
      const count = async () => (await t.app.store.db.selectFrom('crm_item').select('id').execute()).length
      const before = await count()
      expect(errorOf(await as('crm.item.add', { entityTypeId: 2, fields: { title: 'x' } }))).toEqual({
        status: 400,
        error: 'ACCESS_DENIED',
        description: 'Access denied',
      })
      expect(await count()).toBe(before)
      await setRights([{ entityTypeId: 2, add: 'A' }])
      const added = ok(await as('crm.item.add', { entityTypeId: 2, fields: { title: 'mine' } }))
      expect((added['result'] as { item: Body }).item).toMatchObject({
        title: 'mine',
        assignedById: callerId,
      })
    })
  })

  describe('the stage-move right', () => {
    it('moves only to the stages the role lists; others fail with the empty-code error', async () => {
      await setRights([{ entityTypeId: 2, all: 'X', stages: ['PREPARATION', 'EXECUTING'] }])
      const id = await addDeal({ title: 'stages', assignedById: callerId })
      const moved = await as('crm.item.update', { entityTypeId: 2, id, fields: { stageId: 'PREPARATION' } })
      expect(moved.status).toBe(200)
      const refused = await as('crm.item.update', { entityTypeId: 2, id, fields: { stageId: 'WON' } })
      expect(errorOf(refused)).toEqual({ status: 400, error: '', description: STAGE_DENIED })
      const item = ok(await t.call('crm.item.get', { entityTypeId: 2, id }))
      expect((item['result'] as { item: Body }).item['stageId']).toBe('PREPARATION')
      // Other fields without a stage change are unaffected by the stage right.
      expect(
        (await as('crm.item.update', { entityTypeId: 2, id, fields: { title: 'renamed' } })).status,
      ).toBe(200)
      // `stages: null` is any stage again; an empty list is none.
      await setRights([{ entityTypeId: 2, all: 'X', stages: null }])
      expect((await as('crm.item.update', { entityTypeId: 2, id, fields: { stageId: 'WON' } })).status).toBe(
        200,
      )
      await setRights([{ entityTypeId: 2, all: 'X', stages: [] }])
      expect(
        errorOf(await as('crm.item.update', { entityTypeId: 2, id, fields: { stageId: 'NEW' } })).error,
      ).toBe('')
    })

    it('administrators move to any stage', async () => {
      await setRights([{ entityTypeId: 2, all: 'X', stages: [] }])
      const id = await addDeal({ title: 'admin stages', assignedById: callerId })
      expect(
        (await t.call('crm.item.update', { entityTypeId: 2, id, fields: { stageId: 'WON' } })).status,
      ).toBe(200)
    })
  })

  describe('per funnel', () => {
    it('deals: a funnel without rights is missing from lists, funnel reads, adds and moves', async () => {
      const funnel = ok(await t.call('crm.category.add', { entityTypeId: 2, fields: { name: 'Secret' } }))
      const secret = (funnel['result'] as { category: { id: number } }).category.id
      const hidden = await addDeal({ title: 'secret', assignedById: callerId, categoryId: secret })
      await setRights([
        { entityTypeId: 2, all: 'X' },
        { entityTypeId: 2, categoryId: secret, all: 'none' },
      ])
      const ids = await listIds(2)
      expect(ids).not.toContain(hidden)
      expect(ids).toContain(deals.other)
      expect(errorOf(await as('crm.item.get', { entityTypeId: 2, id: hidden })).error).toBe('ACCESS_DENIED')

      // crm.category.list "returns only the funnels the user is allowed to read"; get refuses the others.
      const categories = ok(await as('crm.category.list', { entityTypeId: 2 }))
      const listed = (categories['result'] as { categories: { id: number }[] }).categories.map((c) => c.id)
      expect(listed).toContain(0)
      expect(listed).not.toContain(secret)
      expect(categories['total']).toBe(listed.length)
      expect(errorOf(await as('crm.category.get', { entityTypeId: 2, id: secret }))).toEqual({
        status: 400,
        error: 'ACCESS_DENIED',
        description: 'Access denied',
      })
      expect((await as('crm.category.get', { entityTypeId: 2, id: 0 })).status).toBe(200)

      // Adding into the funnel, or moving a deal there (permission check 2), is refused.
      const add = await as('crm.item.add', { entityTypeId: 2, fields: { title: 'x', categoryId: secret } })
      expect(errorOf(add)).toEqual({ status: 400, error: 'ACCESS_DENIED', description: 'Access denied' })
      const move = await as('crm.item.update', {
        entityTypeId: 2,
        id: deals.own,
        fields: { categoryId: secret },
      })
      expect(errorOf(move)).toEqual({ status: 400, error: 'ACCESS_DENIED', description: 'Access denied' })

      // A funnel line with the own level: own deals there become visible.
      await setRights([
        { entityTypeId: 2, all: 'X' },
        { entityTypeId: 2, categoryId: secret, read: 'A' },
      ])
      expect(await listIds(2, { categoryId: secret })).toEqual([hidden])
    })

    it('smart processes: rights per funnel', async () => {
      const type = ok(
        await t.call('crm.type.add', {
          fields: { title: 'Projects', entityTypeId: 1040, isCategoriesEnabled: 'Y', isStagesEnabled: 'Y' },
        }),
      )
      expect((type['result'] as { type: Body }).type['entityTypeId']).toBe(1040)
      const first = ok(await t.call('crm.category.list', { entityTypeId: 1040 }))
      const general = (first['result'] as { categories: { id: number }[] }).categories[0]?.id as number
      const second = ok(await t.call('crm.category.add', { entityTypeId: 1040, fields: { name: 'Second' } }))
      const other = (second['result'] as { category: { id: number } }).category.id
      const inGeneral = ok(
        await t.call('crm.item.add', { entityTypeId: 1040, fields: { title: 'a', categoryId: general } }),
      )
      const inOther = ok(
        await t.call('crm.item.add', { entityTypeId: 1040, fields: { title: 'b', categoryId: other } }),
      )
      const idOf = (body: Body) => (body['result'] as { item: { id: number } }).item.id

      await setRights([{ entityTypeId: 1040, categoryId: other, read: 'X' }])
      expect(await listIds(1040)).toEqual([idOf(inOther)])
      await setRights([
        { entityTypeId: 1040, read: 'X' },
        { entityTypeId: 1040, categoryId: other, read: '' },
      ])
      expect(await listIds(1040)).toEqual([idOf(inGeneral)])
      // crm.type.get: "administrative access to the SPA, or read access"
      const typeId = (type['result'] as { type: { id: number } }).type.id
      expect((await as('crm.type.get', { id: typeId })).status).toBe(200)
      await setRights([{ entityTypeId: 2, all: 'X' }])
      expect(errorOf(await as('crm.type.get', { id: typeId }))).toEqual({
        status: 400,
        error: 'ACCESS_DENIED',
        description: 'Access denied',
      })
    })
  })

  describe('assignments through departments', () => {
    it('D<id> reaches the department members, DR<id> also the subdepartments', async () => {
      await setRights([])
      const byDepartment = await admin('POST', '/roles', {
        name: 'Sales readers',
        permissions: [{ entityTypeId: 2, read: 'X' }],
        assignedTo: ['D3'],
      })
      expect(byDepartment.status).toBe(201)
      // The caller is in Sales (2), not in Sales East (3): nothing.
      expect(await listIds(2)).toEqual([])
      await admin('PATCH', `/roles/${byDepartment.body['id'] as number}`, { assignedTo: ['DR1'] })
      expect((await listIds(2)).length).toBeGreaterThanOrEqual(5)
      await admin('PATCH', `/roles/${byDepartment.body['id'] as number}`, { assignedTo: ['D2'] })
      expect((await listIds(2)).length).toBeGreaterThanOrEqual(5)
      await admin('DELETE', `/roles/${byDepartment.body['id'] as number}`)
      expect(await listIds(2)).toEqual([])
    })

    it('the department levels follow the structure: moving a colleague out changes what the caller sees', async () => {
      await setRights([{ entityTypeId: 2, read: 'D' }])
      expect(await listIds(2, { '@id': [deals.department] })).toEqual([deals.department])
      expect((await admin('PUT', `/users/${colleague}/departments`, { departments: [4] })).status).toBe(200)
      expect(await listIds(2, { '@id': [deals.department] })).toEqual([])
      await admin('PUT', `/users/${colleague}/departments`, { departments: [2] })
    })
  })

  describe('the settings right and CRM administrators', () => {
    it('dictionary writes need "allow to modify settings"', async () => {
      await setRights([{ all: 'X' }], { allowSettings: false })
      const status = { fields: { ENTITY_ID: 'SOURCE', STATUS_ID: 'PERM_TEST', NAME: 'Permissions' } }
      expect(errorOf(await as('crm.status.add', status))).toEqual({
        status: 400,
        error: '',
        description: 'Access denied.',
      })
      expect(errorOf(await as('crm.category.add', { entityTypeId: 2, fields: { name: 'No' } }))).toEqual({
        status: 400,
        error: 'ACCESS_DENIED',
        description: 'Access denied',
      })
      expect(errorOf(await as('crm.type.add', { fields: { title: 'No' } })).error).toBe('ACCESS_DENIED')
      expect(errorOf(await as('crm.type.list', {})).error).toBe('ACCESS_DENIED')

      await setRights([{ all: 'X' }], { allowSettings: true })
      expect((await as('crm.status.add', status)).status).toBe(200)
      expect((await as('crm.category.add', { entityTypeId: 2, fields: { name: 'Yes' } })).status).toBe(200)
      expect((await as('crm.type.list', {})).status).toBe(200)
      await setRights([{ all: 'X' }], { allowSettings: false })
    })

    it('reading dictionaries needs a read right somewhere; a user without any gets "Access denied."', async () => {
      await setRights([])
      expect(errorOf(await as('crm.status.list', {}))).toEqual({
        status: 400,
        error: 'Access denied.',
        description: 'No permission to perform the operation.',
      })
      await setRights([{ entityTypeId: 7, read: 'A' }])
      expect((await as('crm.status.list', {})).status).toBe(200)
    })

    it('a CRM administrator passes every check without any role', async () => {
      await setRights([])
      expect((await admin('PUT', '/crm-admins', { codes: [`U${callerId}`] })).status).toBe(200)
      expect((await listIds(2)).length).toBeGreaterThanOrEqual(5)
      const id = await addDeal({ title: 'crm admin', assignedById: stranger })
      expect((await as('crm.item.update', { entityTypeId: 2, id, fields: { stageId: 'WON' } })).status).toBe(
        200,
      )
      expect((await as('crm.item.delete', { entityTypeId: 2, id })).status).toBe(200)
      expect((await as('crm.type.list', {})).status).toBe(200)
      expect((await admin('PUT', '/crm-admins', { codes: [] })).status).toBe(200)
      expect(await listIds(2)).toEqual([])
    })
  })

  describe('department.get', () => {
    it('lists the structure as batch.md shows it; PARENT and UF_HEAD only where set', async () => {
      expect((await admin('PATCH', '/departments/4', { headUserId: stranger })).status).toBe(200)
      const body = ok(await as('department.get'))
      expect(body['total']).toBe(4)
      expect(body['result']).toEqual([
        { ID: '1', NAME: 'b24crm', SORT: 500 },
        { ID: '2', NAME: 'Sales', SORT: 500, PARENT: '1' },
        { ID: '3', NAME: 'Sales East', SORT: 500, PARENT: '2' },
        { ID: '4', NAME: 'Support', SORT: 500, PARENT: '1', UF_HEAD: String(stranger) },
      ])
      expect(ok(await as('department.get', { PARENT: 1, sort: 'ID', order: 'DESC' }))['result']).toEqual([
        expect.objectContaining({ ID: '4' }),
        expect.objectContaining({ ID: '2' }),
      ])
      expect(ok(await as('department.get', { ID: 3 }))['result']).toEqual([
        { ID: '3', NAME: 'Sales East', SORT: 500, PARENT: '2' },
      ])
    })

    it("runs the docs' linked batch: the caller's first department", async () => {
      const body = ok(
        await as('batch', {
          halt: 0,
          cmd: {
            get_user: 'user.current',
            get_department: 'department.get?ID=$result[get_user][UF_DEPARTMENT][0]',
          },
        }),
      )
      const result = body['result'] as {
        result: Record<string, unknown>
        result_total: Record<string, number>
      }
      expect(result.result['get_department']).toEqual([{ ID: '2', NAME: 'Sales', SORT: 500, PARENT: '1' }])
      expect(result.result_total['get_department']).toBe(1)
    })
  })
})
