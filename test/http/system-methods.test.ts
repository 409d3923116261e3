import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, TEST_START_MS, type TestApp } from '../helpers/test-app.js'
import { createUser } from '../../src/portal/users.js'
import { createWebhook } from '../../src/portal/webhooks.js'
import { createPortal } from '../../src/portal/portal.js'
import { ALL_SCOPES, scopeGranted } from '../../src/auth/scopes.js'

/**
 * The system methods through the HTTP edge: server.time, profile, scope, methods (common/system/*.md,
 * common/users/profile.md) and user.current (user/user-current.md).
 */
let t: TestApp
/** webhook URL prefixes by name */
const hooks: Record<string, string> = {}
let employeeId = 0

beforeAll(async () => {
  t = await createTestApp()
  const { store } = t.app
  const hook = async (name: string, userId: number, scopes: string[], portalId = 1): Promise<void> => {
    const { code } = await createWebhook(store.db, { portalId, userId, scopes }, TEST_START_MS)
    hooks[name] = `/rest/${userId}/${code}/`
  }
  const employee = await createUser(
    store,
    store.db,
    1,
    {
      name: 'Greta',
      lastName: 'Berg',
      secondName: 'M.',
      email: 'greta@example.com',
      personalGender: 'F',
      timeZone: 'Europe/Berlin',
      workPosition: 'Accountant',
      personalMobile: '+49 170 000',
      departments: [2, 5],
    },
    TEST_START_MS + 60_000,
  )
  employeeId = employee.id
  await hook('none', 1, [])
  await hook('crm', 1, ['crm'])
  await hook('employee', employeeId, ['user'])
  await hook('brief', employeeId, ['user_brief'])
  await hook('basic', employeeId, ['user_basic'])
  await hook('briefAndCrm', employeeId, ['user_brief', 'crm'])
  const eastern = await createPortal(store, { timeZoneOffset: 180, domain: 'east.local' }, TEST_START_MS)
  await hook('eastern', 1, ['user'], eastern.id)
})

afterAll(async () => {
  await t.close()
})

async function ok(
  method: string,
  params: Record<string, unknown> = {},
  prefix?: string,
  via?: 'json' | 'form' | 'get',
) {
  const response = await t.call(method, params, { prefix, via })
  expect(response.status, JSON.stringify(response.body)).toBe(200)
  return response.body['result']
}

describe('server.time', () => {
  it('answers the current time as YYYY-MM-DDThh:mm:ss±hh:mm in the portal offset, to any caller', async () => {
    expect(await ok('server.time')).toBe('2026-01-15T10:00:00+00:00')
    expect(await ok('server.time', {}, hooks['none'])).toBe('2026-01-15T10:00:00+00:00')
    expect(await ok('server.time', {}, hooks['eastern'])).toBe('2026-01-15T13:00:00+03:00')
  })

  it('ignores parameters ("No parameters")', async () => {
    expect(await ok('server.time', { anything: 1 }, undefined, 'get')).toBe('2026-01-15T10:00:00+00:00')
  })
})

describe('profile', () => {
  it('answers the documented fields of the admin, with no scope at all', async () => {
    expect(await ok('profile', {}, hooks['none'])).toEqual({
      ID: '1',
      ADMIN: true,
      NAME: 'Admin',
      LAST_NAME: '',
      PERSONAL_GENDER: '',
      TIME_ZONE: '',
      TIME_ZONE_OFFSET: 0,
    })
  })

  it("answers an employee's gender, time zone and its offset in seconds", async () => {
    expect(await ok('profile', {}, hooks['employee'])).toEqual({
      ID: String(employeeId),
      ADMIN: false,
      NAME: 'Greta',
      LAST_NAME: 'Berg',
      PERSONAL_GENDER: 'F',
      TIME_ZONE: 'Europe/Berlin',
      // January in Berlin: CET, UTC+1.
      TIME_ZONE_OFFSET: 3600,
    })
  })

  it("uses the portal's offset for a user without a time zone", async () => {
    expect(await ok('profile', {}, hooks['eastern'])).toMatchObject({
      ID: '1',
      TIME_ZONE: '',
      TIME_ZONE_OFFSET: 10_800,
    })
  })
})

describe('scope', () => {
  it('lists the scopes of the calling webhook, without the implicit basic', async () => {
    expect(await ok('scope', {}, hooks['crm'])).toEqual(['crm'])
    expect(await ok('scope', {}, hooks['briefAndCrm'])).toEqual(['user_brief', 'crm'])
    expect(await ok('scope', {}, hooks['none'])).toEqual([])
    expect(await ok('scope')).toEqual([...ALL_SCOPES])
  })

  it('lists every known scope with full, whatever the caller holds, in every encoding and case', async () => {
    expect(await ok('scope', { full: true }, hooks['crm'])).toEqual([...ALL_SCOPES])
    expect(await ok('scope', { full: true }, hooks['crm'], 'form')).toEqual([...ALL_SCOPES])
    expect(await ok('scope', { full: 'true' }, hooks['crm'], 'get')).toEqual([...ALL_SCOPES])
    expect(await ok('scope', { FULL: 1 }, hooks['crm'])).toEqual([...ALL_SCOPES])
  })

  it('treats a falsy full as absent', async () => {
    expect(await ok('scope', { full: false }, hooks['crm'])).toEqual(['crm'])
    expect(await ok('scope', { full: 0 }, hooks['crm'], 'get')).toEqual(['crm'])
    expect(await ok('scope', { full: '' }, hooks['crm'], 'form')).toEqual(['crm'])
  })
})

describe('methods', () => {
  const registered = () => t.app.registry.list()

  it('without parameters lists what the caller may call: its scopes plus the common methods', async () => {
    const crmOnly = (await ok('methods', {}, hooks['crm'])) as string[]
    expect(crmOnly).toEqual(
      registered()
        .filter((m) => m.scope === 'basic' || m.scope === 'crm')
        .map((m) => m.name),
    )
    expect(crmOnly).toEqual(expect.arrayContaining(['batch', 'methods', 'profile', 'scope', 'server.time']))
    expect(crmOnly).not.toContain('user.get')

    const brief = (await ok('methods', {}, hooks['brief'])) as string[]
    expect(brief).toEqual(expect.arrayContaining(['user.get', 'user.current', 'profile']))
    const everything = (await ok('methods')) as string[]
    expect(everything).toEqual(
      registered()
        .filter((m) => scopeGranted(m.scope, new Set(ALL_SCOPES)))
        .map((m) => m.name),
    )
  })

  it('with scope lists the methods of that scope, whatever the caller holds', async () => {
    const user = (await ok('methods', { scope: 'user' }, hooks['crm'])) as string[]
    expect(user).toEqual(
      registered()
        .filter((m) => m.scope === 'user')
        .map((m) => m.name),
    )
    expect(user).toEqual(expect.arrayContaining(['user.get', 'user.current']))
    // The user methods belong to the reduced user scopes too (user/index.md).
    expect(await ok('methods', { scope: 'user_brief' }, hooks['crm'])).toEqual(user)
    expect(await ok('methods', { scope: 'user_basic' }, hooks['crm'], 'get')).toEqual(user)
    expect(await ok('methods', { scope: 'no_such_scope' })).toEqual([])
  })

  it('with an empty scope lists the common methods ("methods?scope=&auth=xxxxx")', async () => {
    const common = registered()
      .filter((m) => m.scope === 'basic')
      .map((m) => m.name)
    expect(await ok('methods', { scope: '' }, hooks['employee'], 'get')).toEqual(common)
    expect(await ok('methods', { SCOPE: '' }, hooks['employee'])).toEqual(common)
    expect(common).toEqual(expect.arrayContaining(['batch', 'methods', 'profile', 'scope', 'server.time']))
  })

  it('with full lists every method; scope wins over full', async () => {
    const all = registered().map((m) => m.name)
    expect(await ok('methods', { full: true }, hooks['none'])).toEqual(all)
    expect(await ok('methods', { FULL: 'Y' }, hooks['none'], 'form')).toEqual(all)
    expect(await ok('methods', { full: true, scope: 'user' }, hooks['none'])).toEqual(
      registered()
        .filter((m) => m.scope === 'user')
        .map((m) => m.name),
    )
  })
})

describe('user.current', () => {
  it('answers the calling user with every field of the user scope', async () => {
    expect(await ok('user.current', {}, hooks['employee'])).toEqual({
      ID: String(employeeId),
      XML_ID: '',
      ACTIVE: true,
      NAME: 'Greta',
      LAST_NAME: 'Berg',
      SECOND_NAME: 'M.',
      EMAIL: 'greta@example.com',
      LAST_LOGIN: '',
      DATE_REGISTER: '2026-01-15T10:01:00+00:00',
      TIME_ZONE: 'Europe/Berlin',
      IS_ONLINE: 'N',
      TIMESTAMP_X: '2026-01-15T10:01:00+00:00',
      LAST_ACTIVITY_DATE: '',
      PERSONAL_GENDER: 'F',
      PERSONAL_WWW: '',
      PERSONAL_BIRTHDAY: '',
      PERSONAL_PHONE: '',
      PERSONAL_MOBILE: '+49 170 000',
      PERSONAL_CITY: '',
      WORK_PHONE: '',
      WORK_COMPANY: '',
      WORK_POSITION: 'Accountant',
      UF_EMPLOYMENT_DATE: '',
      UF_DEPARTMENT: [2, 5],
      UF_PHONE_INNER: '',
      USER_TYPE: 'employee',
    })
  })

  it('is the same object user.get answers for that user', async () => {
    const current = await ok('user.current', {}, hooks['employee'])
    const list = (await ok('user.get', { ID: employeeId }, hooks['employee'])) as unknown[]
    expect(list).toEqual([current])
  })

  it('answers only the fields the reduced scopes open', async () => {
    const brief = (await ok('user.current', {}, hooks['brief'])) as Record<string, unknown>
    expect(brief).toMatchObject({
      ID: String(employeeId),
      NAME: 'Greta',
      WORK_POSITION: 'Accountant',
      UF_DEPARTMENT: [2, 5],
    })
    for (const hidden of ['EMAIL', 'PERSONAL_MOBILE', 'LAST_LOGIN', 'USER_TYPE'])
      expect(brief).not.toHaveProperty(hidden)

    const basic = (await ok('user.current', {}, hooks['basic'])) as Record<string, unknown>
    expect(basic).toMatchObject({ EMAIL: 'greta@example.com', PERSONAL_MOBILE: '+49 170 000' })
    for (const hidden of ['LAST_LOGIN', 'PERSONAL_WWW', 'USER_TYPE']) expect(basic).not.toHaveProperty(hidden)
  })

  it('prints dates in the portal offset', async () => {
    const user = (await ok('user.current', {}, hooks['eastern'])) as Record<string, unknown>
    expect(user['DATE_REGISTER']).toBe('2026-01-15T13:00:00+03:00')
  })

  it('needs a user scope', async () => {
    const response = await t.call('user.current', {}, { prefix: hooks['crm'] })
    expect(response.status).toBe(403)
    expect(response.body['error']).toBe('insufficient_scope')
  })

  it('is reached the way the SDKs call it without parameters (GET …/user.current.json)', async () => {
    const response = await t.inject({ method: 'GET', url: `${hooks['employee']}user.current.json` })
    expect(response.statusCode).toBe(200)
    expect((response.json() as { result: { ID: string } }).result.ID).toBe(String(employeeId))
  })
})

describe('inside batch', () => {
  it('runs profile, scope, methods and user.current as sub-commands', async () => {
    const result = (await ok(
      'batch',
      {
        halt: 0,
        cmd: { p: 'profile', s: 'scope', m: 'methods?scope=user', u: 'user.current', g: 'user.get?ID=1' },
      },
      hooks['brief'],
    )) as Record<string, Record<string, unknown>>
    expect(result['result']?.['p']).toMatchObject({ ID: String(employeeId), NAME: 'Greta' })
    expect(result['result']?.['s']).toEqual(['user_brief'])
    expect(result['result']?.['m']).toEqual(expect.arrayContaining(['user.get', 'user.current']))
    expect(result['result']?.['u']).toMatchObject({ ID: String(employeeId) })
    expect(result['result']?.['u']).not.toHaveProperty('EMAIL')
    expect(result['result']?.['g']).toEqual([expect.objectContaining({ ID: '1', NAME: 'Admin' })])
    expect(result['result_total']).toEqual({ g: 1 })
  })
})
