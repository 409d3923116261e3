import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, TEST_START_MS, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import { createUser, type NewUser } from '../../src/portal/users.js'
import { createWebhook } from '../../src/portal/webhooks.js'
import { createPortal } from '../../src/portal/portal.js'

/**
 * user.get (api-reference/user/user-get.md) through the HTTP edge, on every store this run covers.
 *
 * The portal: admin user 1 (created by the bootstrap) and 120 users, ids 2…121, described by `MODEL` so each
 * expectation is computed from the same data the users were created from. Users 117…121 are e-mail users,
 * hidden from user.get, so 116 users are visible.
 */
interface ModelUser {
  id: number
  name: string
  lastName: string
  active: boolean
  type: 'employee' | 'extranet' | 'email'
  departments: number[]
  city: string
  position: string
  birthday: string | null
  registeredMs: number
  online: boolean
}

const pad = (n: number, width = 3): string => String(n).padStart(width, '0')

function modelUser(i: number): ModelUser {
  const type = i > 115 ? 'email' : i > 110 ? 'extranet' : 'employee'
  return {
    id: i + 1,
    name: ['Anna', 'Ivan', 'Petr'][i % 3] + pad(i),
    lastName: i % 7 === 0 ? 'Ivanov' : `Last${pad(120 - i)}`,
    active: i % 10 !== 0,
    type,
    departments: type !== 'employee' ? [] : i <= 40 ? [1] : i <= 80 ? [2] : i <= 100 ? [2, 3] : [],
    city: i % 4 === 0 ? 'Berlin' : i % 4 === 1 ? 'Munich' : '',
    position: i % 5 === 0 ? 'Sales manager' : 'Engineer',
    birthday: i % 6 === 0 ? null : `1990-01-${pad((i % 28) + 1, 2)}`,
    registeredMs: TEST_START_MS + i * 60_000,
    online: i % 9 === 0,
  }
}

const ADMIN: ModelUser = {
  id: 1,
  name: 'Admin',
  lastName: '',
  active: true,
  type: 'employee',
  departments: [1],
  city: '',
  position: '',
  birthday: null,
  registeredMs: TEST_START_MS,
  online: false,
}

const MODEL: ModelUser[] = [ADMIN, ...Array.from({ length: 120 }, (_, k) => modelUser(k + 1))]
const VISIBLE = MODEL.filter((u) => u.type !== 'email')

function idsWhere(predicate: (u: ModelUser) => boolean, users = VISIBLE): number[] {
  return users.filter(predicate).map((u) => u.id)
}

type UserWire = Record<string, unknown>

function ids(body: Record<string, unknown>): number[] {
  return (body['result'] as UserWire[]).map((u) => Number(u['ID']))
}

describe.each(STORE_KINDS)('user.get on %s', (storeKind) => {
  let t: TestApp
  const prefixes: Record<string, string> = {}

  beforeAll(async () => {
    t = await createTestApp({ store: storeKind })
    const { store } = t.app
    for (const u of MODEL.slice(1)) {
      const input: NewUser = {
        name: u.name,
        lastName: u.lastName,
        email: `user${u.id}@example.com`,
        active: u.active,
        userType: u.type,
        departments: u.departments,
        personalCity: u.city,
        workPosition: u.position,
        personalBirthday: u.birthday,
        personalGender: u.id % 2 === 0 ? 'F' : 'M',
      }
      const created = await createUser(store, store.db, 1, input, u.registeredMs)
      expect(created.id).toBe(u.id)
    }
    await store.db
      .updateTable('portal_user')
      .set({ is_online: 1 })
      .where(
        'id',
        'in',
        MODEL.filter((u) => u.online).map((u) => u.id),
      )
      .execute()
    for (const scope of ['user_brief', 'user_basic', 'crm']) {
      const { code } = await createWebhook(
        store.db,
        { portalId: 1, userId: 1, scopes: [scope] },
        TEST_START_MS,
      )
      prefixes[scope] = `/rest/1/${code}/`
    }
    // An extranet user (id 112) calling with the full user scope.
    const { code } = await createWebhook(
      store.db,
      { portalId: 1, userId: 112, scopes: ['user'] },
      TEST_START_MS,
    )
    prefixes['extranet'] = `/rest/112/${code}/`
  })

  afterAll(async () => {
    await t.close()
  })

  async function get(params: Record<string, unknown>, options: Parameters<TestApp['call']>[2] = {}) {
    const response = await t.call('user.get', params, options)
    expect(response.status, JSON.stringify(response.body)).toBe(200)
    return response.body
  }

  async function expectFilter(filter: Record<string, unknown>, predicate: (u: ModelUser) => boolean) {
    const body = await get({ filter })
    const expected = idsWhere(predicate)
    expect(ids(body), JSON.stringify(filter)).toEqual(expected.slice(0, 50))
    expect(body['total']).toBe(expected.length)
  }

  describe('paging', () => {
    it('answers pages of 50 with next and total (start 0, 50, 100)', async () => {
      const all = VISIBLE.map((u) => u.id)
      const first = await get({})
      expect(ids(first)).toEqual(all.slice(0, 50))
      expect(first['total']).toBe(116)
      expect(first['next']).toBe(50)

      const second = await get({ start: 50 })
      expect(ids(second)).toEqual(all.slice(50, 100))
      expect(second['next']).toBe(100)
      expect(second['total']).toBe(116)

      const third = await get({ start: 100 })
      expect(ids(third)).toEqual(all.slice(100))
      expect(third).not.toHaveProperty('next')
      expect(third['total']).toBe(116)
    })

    it('rounds start down to a multiple of 50 and answers an empty page past the end', async () => {
      expect(ids(await get({ start: 73 }))).toEqual(VISIBLE.slice(50, 100).map((u) => u.id))
      const past = await get({ start: 500 })
      expect(past['result']).toEqual([])
      expect(past['total']).toBe(116)
      expect(past).not.toHaveProperty('next')
    })

    it('start = -1 gives the first 50 without total and next', async () => {
      const body = await get({ start: -1 })
      expect(ids(body)).toEqual(VISIBLE.slice(0, 50).map((u) => u.id))
      expect(body).not.toHaveProperty('total')
      expect(body).not.toHaveProperty('next')
    })

    it('supports keyset paging with start = -1 and >ID', async () => {
      const body = await get({ start: -1, filter: { '>ID': 100 } })
      expect(ids(body)).toEqual(idsWhere((u) => u.id > 100))
    })
  })

  describe('the answer', () => {
    it('renders the admin with every field of the user scope, in the documented order and types', async () => {
      const body = await get({ ID: 1 })
      const [admin] = body['result'] as UserWire[]
      expect(admin).toEqual({
        ID: '1',
        XML_ID: '',
        ACTIVE: true,
        NAME: 'Admin',
        LAST_NAME: '',
        SECOND_NAME: '',
        EMAIL: 'admin@b24crm.local',
        LAST_LOGIN: '',
        DATE_REGISTER: '2026-01-15T10:00:00+00:00',
        TIME_ZONE: '',
        IS_ONLINE: 'N',
        TIMESTAMP_X: '2026-01-15T10:00:00+00:00',
        LAST_ACTIVITY_DATE: '',
        PERSONAL_GENDER: '',
        PERSONAL_WWW: '',
        PERSONAL_BIRTHDAY: '',
        PERSONAL_PHONE: '',
        PERSONAL_MOBILE: '',
        PERSONAL_CITY: '',
        WORK_PHONE: '',
        WORK_COMPANY: '',
        WORK_POSITION: '',
        UF_EMPLOYMENT_DATE: '',
        UF_DEPARTMENT: [1],
        UF_PHONE_INNER: '',
        USER_TYPE: 'employee',
      })
      expect(Object.keys(admin ?? {})).toEqual([
        'ID',
        'XML_ID',
        'ACTIVE',
        'NAME',
        'LAST_NAME',
        'SECOND_NAME',
        'EMAIL',
        'LAST_LOGIN',
        'DATE_REGISTER',
        'TIME_ZONE',
        'IS_ONLINE',
        'TIMESTAMP_X',
        'LAST_ACTIVITY_DATE',
        'PERSONAL_GENDER',
        'PERSONAL_WWW',
        'PERSONAL_BIRTHDAY',
        'PERSONAL_PHONE',
        'PERSONAL_MOBILE',
        'PERSONAL_CITY',
        'WORK_PHONE',
        'WORK_COMPANY',
        'WORK_POSITION',
        'UF_EMPLOYMENT_DATE',
        'UF_DEPARTMENT',
        'UF_PHONE_INNER',
        'USER_TYPE',
      ])
    })

    it('prints dates with the offset, a birthday as its midnight, inactive users as ACTIVE false', async () => {
      const [user] = (await get({ ID: 11 }))['result'] as UserWire[]
      expect(user).toMatchObject({
        ID: '11',
        ACTIVE: false,
        NAME: 'Ivan010',
        DATE_REGISTER: '2026-01-15T10:10:00+00:00',
        PERSONAL_BIRTHDAY: '1990-01-11T00:00:00+00:00',
        PERSONAL_GENDER: 'M',
        IS_ONLINE: 'N',
        UF_DEPARTMENT: [1],
        WORK_POSITION: 'Sales manager',
      })
      const [online] = (await get({ ID: 19 }))['result'] as UserWire[]
      expect(online).toMatchObject({ IS_ONLINE: 'Y', UF_DEPARTMENT: [1], PERSONAL_BIRTHDAY: '' })
      const [twoDepartments] = (await get({ ID: 82 }))['result'] as UserWire[]
      expect(twoDepartments?.['UF_DEPARTMENT']).toEqual([2, 3])
      const [none] = (await get({ ID: 102 }))['result'] as UserWire[]
      expect(none?.['UF_DEPARTMENT']).toEqual([])
    })

    it('prints dates in the portal offset and reads filter dates without offset in it', async () => {
      const { store } = t.app
      const portal = await createPortal(
        store,
        { timeZoneOffset: 180, domain: `tz-${storeKind}.local` },
        TEST_START_MS,
      )
      const { code } = await createWebhook(store.db, { portalId: portal.id, userId: 1 }, TEST_START_MS)
      const prefix = `/rest/1/${code}/`
      const body = await get({}, { prefix })
      expect(ids(body)).toEqual([1])
      expect((body['result'] as UserWire[])[0]?.['DATE_REGISTER']).toBe('2026-01-15T13:00:00+03:00')
      expect(ids(await get({ filter: { DATE_REGISTER: '2026-01-15T13:00:00' } }, { prefix }))).toEqual([1])
      expect(ids(await get({ filter: { DATE_REGISTER: '2026-01-15T13:00:00Z' } }, { prefix }))).toEqual([])
    })
  })

  describe('filter', () => {
    it('takes ID as a scalar or an array, in FILTER, filter or at the top level', async () => {
      expect(ids(await get({ filter: { ID: 6 } }))).toEqual([6])
      expect(ids(await get({ FILTER: { ID: [1, 2, 3] } }))).toEqual([1, 2, 3])
      expect(ids(await get({ ID: '7' }))).toEqual([7])
      expect(ids(await get({ id: [8, 9] }))).toEqual([8, 9])
    })

    it('ignores the top-level keys when FILTER is given, and FILTER when it is not an array', async () => {
      expect(ids(await get({ FILTER: { ID: 2 }, ID: 3 }))).toEqual([2])
      expect(ids(await get({ FILTER: 'ID', ID: 3 }))).toEqual([3])
    })

    it('reads filter keys in any case', async () => {
      await expectFilter({ name: 'Iv%', '>id': 50 }, (u) => u.name.startsWith('Iv') && u.id > 50)
    })

    it('filters UF_DEPARTMENT through department membership', async () => {
      const body = await get({ UF_DEPARTMENT: 1, SORT: 'ID', ORDER: 'asc', start: 0 })
      expect(ids(body)).toEqual(idsWhere((u) => u.departments.includes(1)).slice(0, 50))
      expect(body['total']).toBe(41)
      await expectFilter({ UF_DEPARTMENT: 3 }, (u) => u.departments.includes(3))
      await expectFilter(
        { UF_DEPARTMENT: [1, 3] },
        (u) => u.departments.includes(1) || u.departments.includes(3),
      )
      await expectFilter({ '!UF_DEPARTMENT': 2 }, (u) => !u.departments.includes(2))
      await expectFilter({ '!@UF_DEPARTMENT': [1, 2] }, (u) => !u.departments.some((d) => d === 1 || d === 2))
      await expectFilter({ UF_DEPARTMENT: '' }, (u) => u.departments.length === 0)
      await expectFilter({ '!UF_DEPARTMENT': '' }, (u) => u.departments.length > 0)
      await expectFilter({ '>UF_DEPARTMENT': 2 }, (u) => u.departments.some((d) => d > 2))
    })

    it('treats % in a plain value as a wildcard (NAME: "Iv%")', async () => {
      await expectFilter({ NAME: 'Iv%' }, (u) => u.name.startsWith('Iv'))
      await expectFilter({ NAME: '%01%' }, (u) => u.name.includes('01'))
      await expectFilter({ '!NAME': 'Iv%' }, (u) => !u.name.startsWith('Iv'))
    })

    it.each<[string, Record<string, unknown>, (u: ModelUser) => boolean]>([
      ['= exact', { '=NAME': 'Petr002' }, (u) => u.name === 'Petr002'],
      ['no prefix exact', { LAST_NAME: 'Ivanov' }, (u) => u.lastName === 'Ivanov'],
      ['!= not equal', { '!=LAST_NAME': 'Ivanov' }, (u) => u.lastName !== 'Ivanov'],
      ['! not equal', { '!LAST_NAME': 'Ivanov' }, (u) => u.lastName !== 'Ivanov'],
      ['> on ID', { '>ID': 60 }, (u) => u.id > 60],
      ['>= on ID', { '>=ID': 60 }, (u) => u.id >= 60],
      ['< on ID', { '<ID': 60 }, (u) => u.id < 60],
      ['<= on ID', { '<=ID': 60 }, (u) => u.id <= 60],
      ['>= and <= together', { '>=ID': 10, '<=ID': 20 }, (u) => u.id >= 10 && u.id <= 20],
      ['@ IN', { '@ID': [4, 5, 200] }, (u) => [4, 5].includes(u.id)],
      ['!@ NOT IN', { '!@ID': [1, 2, 3] }, (u) => u.id > 3],
      [
        '@ on text',
        { '@PERSONAL_CITY': ['Berlin', 'Munich'] },
        (u) => u.city === 'Berlin' || u.city === 'Munich',
      ],
      ['% substring', { '%NAME': 'van01' }, (u) => u.name.toLowerCase().includes('van01')],
      ['% is case-insensitive', { '%LAST_NAME': 'IVANOV' }, (u) => u.lastName === 'Ivanov'],
      ['=% with the % in the value', { '=%NAME': 'Pe%' }, (u) => u.name.startsWith('Pe')],
      ['%= like =%', { '%=NAME': '%9' }, (u) => u.name.endsWith('9')],
      ['!% NOT LIKE', { '!%LAST_NAME': 'ov' }, (u) => !u.lastName.includes('ov')],
      ['!=% NOT LIKE with %', { '!=%NAME': 'A%' }, (u) => !u.name.startsWith('A')],
      ['!%= like !=%', { '!%=NAME': '%0' }, (u) => !u.name.endsWith('0')],
      ['empty value = empty text', { PERSONAL_CITY: '' }, (u) => u.city === ''],
      ['!= empty = not empty', { '!=PERSONAL_CITY': '' }, (u) => u.city !== ''],
    ])('operator %s', async (_label, filter, predicate) => {
      await expectFilter(filter, predicate)
    })

    it('filters ACTIVE, IS_ONLINE and USER_TYPE', async () => {
      await expectFilter({ ACTIVE: true }, (u) => u.active)
      await expectFilter({ ACTIVE: 'Y' }, (u) => u.active)
      await expectFilter({ ACTIVE: 'false' }, (u) => !u.active)
      await expectFilter({ IS_ONLINE: 'Y' }, (u) => u.online)
      await expectFilter({ IS_ONLINE: 'N', ACTIVE: true }, (u) => !u.online && u.active)
      await expectFilter({ USER_TYPE: 'extranet' }, (u) => u.type === 'extranet')
      await expectFilter({ USER_TYPE: ['employee', 'extranet'] }, () => true)
      await expectFilter({ USER_TYPE: 'email' }, () => false)
    })

    it('shows e-mail users only to an administrator passing ADMIN_MODE', async () => {
      const body = await get({ FILTER: { USER_TYPE: 'email' }, ADMIN_MODE: 'True' })
      expect(ids(body)).toEqual(idsWhere((u) => u.type === 'email', MODEL))
      expect((await get({ ADMIN_MODE: true }))['total']).toBe(121)
    })

    it('NAME_SEARCH finds users by the start of any word of their personal data', async () => {
      await expectFilter({ NAME_SEARCH: 'ivan' }, (u) => u.name.startsWith('Ivan') || u.lastName === 'Ivanov')
      await expectFilter(
        { NAME_SEARCH: 'ivan manager' },
        (u) => (u.name.startsWith('Ivan') || u.lastName === 'Ivanov') && u.position === 'Sales manager',
      )
      await expectFilter({ NAME_SEARCH: 'anager' }, () => false)
      await expectFilter({ NAME_SEARCH: 'user5@' }, (u) => u.id === 5)
    })

    it('filters dates given in ISO 8601 with an offset or in the portal date format', async () => {
      const at = (u: ModelUser, minute: number) => u.registeredMs === TEST_START_MS + minute * 60_000
      await expectFilter({ DATE_REGISTER: '2026-01-15T10:05:00+00:00' }, (u) => at(u, 5))
      await expectFilter({ DATE_REGISTER: '2026-01-15T12:05:00+02:00' }, (u) => at(u, 5))
      await expectFilter(
        { '>=DATE_REGISTER': '2026-01-15T11:00:00+00:00', '<DATE_REGISTER': '2026-01-15T11:10:00+00:00' },
        (u) => u.registeredMs >= TEST_START_MS + 3_600_000 && u.registeredMs < TEST_START_MS + 4_200_000,
      )
      await expectFilter({ PERSONAL_BIRTHDAY: '1990-01-05' }, (u) => u.birthday === '1990-01-05')
      await expectFilter({ PERSONAL_BIRTHDAY: '05.01.1990' }, (u) => u.birthday === '1990-01-05')
      await expectFilter(
        { '>PERSONAL_BIRTHDAY': '1990-01-27' },
        (u) => u.birthday !== null && u.birthday > '1990-01-27',
      )
      await expectFilter({ PERSONAL_BIRTHDAY: '' }, (u) => u.birthday === null)
    })

    it('retrieves no records for a value that is not a date (user-get.md)', async () => {
      await expectFilter({ DATE_REGISTER: 'yesterday-ish' }, () => false)
      await expectFilter({ '>ID': 'abc' }, () => false)
    })

    it('evaluates a documented field without storage as unset on every user', async () => {
      await expectFilter({ TITLE: 'CEO' }, () => false)
      await expectFilter({ '!TITLE': 'CEO' }, () => true)
      await expectFilter({ WORK_CITY: '' }, () => true)
    })

    it('ignores unknown and SQL-looking keys and binds SQL-looking values (never a 500)', async () => {
      const body = await get({
        filter: {
          "NAME') OR 1=1 --": 'x',
          'ID; DROP TABLE portal_user': 1,
          UNKNOWN_FIELD: 5,
          '>=ID': '2',
        },
        SORT: 'ID; DROP TABLE portal_user',
        ORDER: 'DESC; --',
        select: ['ID', 'NAME FROM portal_user --'],
      })
      expect(ids(body)).toEqual(idsWhere((u) => u.id >= 2).slice(0, 50))
      expect(Object.keys((body['result'] as UserWire[])[0] ?? {})).toEqual(['ID'])
      await expectFilter({ NAME: "' OR '1'='1" }, () => false)
      await expectFilter({ '%NAME': "%' OR 1=1 --" }, () => false)
      expect((await get({}))['total']).toBe(116)
    })
  })

  describe('bad input', () => {
    it('matches nothing for a value with a NUL character (PostgreSQL text cannot hold one)', async () => {
      await expectFilter({ NAME: 'Iv\u0000%' }, () => false)
      await expectFilter({ '%NAME': 'a\u0000' }, () => false)
      await expectFilter({ NAME_SEARCH: 'ivan\u0000' }, () => false)
      await expectFilter({ '!NAME': 'a\u0000' }, () => true)
    })

    it('refuses a filter with more values than the store can bind, as INVALID_ARG_VALUE', async () => {
      const response = await t.call('user.get', {
        filter: { '@ID': Array.from({ length: 30_001 }, (_, i) => i) },
      })
      expect(response.status).toBe(400)
      expect(response.body).toEqual({
        error: 'INVALID_ARG_VALUE',
        error_description: "Invalid filter: field 'ID' has invalid value",
      })
    })

    it('answers 300 seeded random parameter sets with 200 or a Bitrix error, never a 500', async () => {
      let seed = 424242
      const random = (): number => {
        seed = (seed * 1103515245 + 12345) % 2147483648
        return seed / 2147483648
      }
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
      const keys = [
        'ID',
        'NAME',
        'UF_DEPARTMENT',
        'DATE_REGISTER',
        'ACTIVE',
        'NAME_SEARCH',
        'TITLE',
        'X; --',
        '__proto__',
      ]
      const prefixesOps = [
        '',
        '=',
        '!',
        '!=',
        '>',
        '>=',
        '<',
        '<=',
        '@',
        '!@',
        '%',
        '=%',
        '%=',
        '!%',
        '!=%',
        '!%=',
        '><',
      ]
      const scalars = [
        0,
        -1,
        1.5,
        1e308,
        '',
        'Y',
        'N',
        'abc',
        null,
        true,
        false,
        '1',
        '2026-01-01T00:00:00+03:00',
        '%',
        '\u0000',
        "'",
      ]
      const value = (depth: number): unknown =>
        depth > 1 || random() < 0.6
          ? pick(scalars)
          : random() < 0.5
            ? [value(depth + 1), value(depth + 1)]
            : { a: value(depth + 1) }
      for (let i = 0; i < 300; i += 1) {
        const filter: Record<string, unknown> = {}
        for (let k = 0; k < 3; k += 1) filter[`${pick(prefixesOps)}${pick(keys)}`] = value(0)
        const params: Record<string, unknown> = {
          [pick(['filter', 'FILTER', 'x'])]: filter,
          SORT: pick([...keys, 1, null, ['ID']]),
          ORDER: pick(['ASC', 'desc', 'sideways', 3, { ID: 'DESC' }]),
          select: pick([['*'], 'ID', ['UF_*', 'NO'], 5, { a: 'ID' }]),
          start: pick([0, 50, -1, 'abc', 1e20, -50, '73abc']),
          ADMIN_MODE: pick([true, 'false', 0]),
        }
        const response = await t.call('user.get', params, { via: pick(['json', 'form', 'get'] as const) })
        expect(response.status, JSON.stringify(params)).toBeLessThan(500)
        expect('result' in response.body || 'error' in response.body).toBe(true)
      }
    })
  })

  describe('order', () => {
    it('sorts by SORT in the ORDER direction, in any case, with ID as the tie-breaker', async () => {
      const byLastNameDesc = [...VISIBLE].sort((a, b) =>
        a.lastName === b.lastName ? a.id - b.id : a.lastName < b.lastName ? 1 : -1,
      )
      const body = await get({ sort: 'LAST_NAME', order: 'DESC' })
      expect(ids(body)).toEqual(byLastNameDesc.slice(0, 50).map((u) => u.id))
      const next = await get({ SORT: 'last_name', ORDER: 'desc', start: 50 })
      expect(ids(next)).toEqual(byLastNameDesc.slice(50, 100).map((u) => u.id))
    })

    it('sorts by ID descending and ascending by default', async () => {
      expect(ids(await get({ SORT: 'ID', ORDER: 'DESC' }))).toEqual(
        [...VISIBLE]
          .reverse()
          .slice(0, 50)
          .map((u) => u.id),
      )
      expect(ids(await get({ SORT: 'ID' }))).toEqual(VISIBLE.slice(0, 50).map((u) => u.id))
    })

    it('accepts an {FIELD: direction} map, and falls back to ID for an unknown field', async () => {
      const byDateDesc = [...VISIBLE].sort((a, b) => b.registeredMs - a.registeredMs || a.id - b.id)
      expect(ids(await get({ order: { DATE_REGISTER: 'DESC' } }))).toEqual(
        byDateDesc.slice(0, 50).map((u) => u.id),
      )
      expect(ids(await get({ SORT: 'NO_SUCH_FIELD', ORDER: 'DESC' }))).toEqual(
        VISIBLE.slice(0, 50).map((u) => u.id),
      )
    })

    it('combines sort with a filter and paging', async () => {
      const expected = idsWhere((u) => u.departments.includes(2)).reverse()
      const first = await get({ FILTER: { UF_DEPARTMENT: 2 }, SORT: 'ID', ORDER: 'DESC' })
      expect(ids(first)).toEqual(expected.slice(0, 50))
      expect(first['next']).toBe(50)
      const second = await get({ FILTER: { UF_DEPARTMENT: 2 }, SORT: 'ID', ORDER: 'DESC', start: 50 })
      expect(ids(second)).toEqual(expected.slice(50))
    })
  })

  describe('select', () => {
    it('returns only the selected fields, in the order asked', async () => {
      const [user] = (await get({ ID: 5, select: ['NAME', 'ID', 'UF_DEPARTMENT'] }))['result'] as UserWire[]
      expect(user).toEqual({ NAME: 'Ivan004', ID: '5', UF_DEPARTMENT: [1] })
      expect(Object.keys(user ?? {})).toEqual(['NAME', 'ID', 'UF_DEPARTMENT'])
    })

    it('expands * and UF_*, reads names in any case and skips unknown names silently', async () => {
      const [all] = (await get({ ID: 5, select: ['*'] }))['result'] as UserWire[]
      const [plain] = (await get({ ID: 5 }))['result'] as UserWire[]
      expect(all).toEqual(plain)
      const [uf] = (await get({ ID: 5, select: ['UF_*'] }))['result'] as UserWire[]
      expect(Object.keys(uf ?? {})).toEqual(['UF_EMPLOYMENT_DATE', 'UF_DEPARTMENT', 'UF_PHONE_INNER'])
      const [mixed] = (await get({ ID: 5, select: ['id', 'NO_SUCH', 'email'] }))['result'] as UserWire[]
      expect(mixed).toEqual({ ID: '5', EMAIL: 'user5@example.com' })
      const [nothing] = (await get({ ID: 5, select: ['NO_SUCH'] }))['result'] as UserWire[]
      expect(nothing).toEqual(plain)
    })

    it('omits fields this server keeps no value for, even when selected', async () => {
      const [user] = (await get({ ID: 5, select: ['ID', 'TITLE', 'PERSONAL_PHOTO', 'UF_SKILLS'] }))[
        'result'
      ] as UserWire[]
      expect(user).toEqual({ ID: '5' })
    })
  })

  describe('scopes', () => {
    it('user_brief: no contact details, no LAST_LOGIN or USER_TYPE; filters by hidden fields are ignored', async () => {
      const body = await get({ ID: 5 }, { prefix: prefixes['user_brief'] })
      const [user] = body['result'] as UserWire[]
      expect(Object.keys(user ?? {})).toEqual([
        'ID',
        'XML_ID',
        'ACTIVE',
        'NAME',
        'LAST_NAME',
        'SECOND_NAME',
        'DATE_REGISTER',
        'TIME_ZONE',
        'IS_ONLINE',
        'TIMESTAMP_X',
        'LAST_ACTIVITY_DATE',
        'PERSONAL_GENDER',
        'PERSONAL_BIRTHDAY',
        'PERSONAL_CITY',
        'WORK_POSITION',
        'UF_EMPLOYMENT_DATE',
        'UF_DEPARTMENT',
        'UF_PHONE_INNER',
      ])
      const selected = await get(
        { ID: 5, select: ['ID', 'EMAIL', 'USER_TYPE'] },
        { prefix: prefixes['user_brief'] },
      )
      expect(selected['result']).toEqual([{ ID: '5' }])
      const byEmail = await get(
        { filter: { EMAIL: 'user5@example.com' } },
        { prefix: prefixes['user_brief'] },
      )
      expect(byEmail['total']).toBe(116)
      // The documented extra filter keys work in every user scope.
      const extranet = await get({ filter: { USER_TYPE: 'extranet' } }, { prefix: prefixes['user_brief'] })
      expect(ids(extranet)).toEqual(idsWhere((u) => u.type === 'extranet'))
      const search = await get({ filter: { NAME_SEARCH: 'user5@' } }, { prefix: prefixes['user_brief'] })
      expect(search['total']).toBe(0)
    })

    it('user_basic: contact details but no LAST_LOGIN, PERSONAL_WWW or USER_TYPE', async () => {
      const [user] = (await get({ ID: 5 }, { prefix: prefixes['user_basic'] }))['result'] as UserWire[]
      expect(user).toMatchObject({
        ID: '5',
        EMAIL: 'user5@example.com',
        PERSONAL_PHONE: '',
        WORK_COMPANY: '',
      })
      for (const hidden of ['LAST_LOGIN', 'PERSONAL_WWW', 'USER_TYPE'])
        expect(user).not.toHaveProperty(hidden)
      const byEmail = await get(
        { filter: { EMAIL: 'user5@example.com' } },
        { prefix: prefixes['user_basic'] },
      )
      expect(ids(byEmail)).toEqual([5])
    })

    it('refuses a caller without a user scope', async () => {
      const response = await t.call('user.get', {}, { prefix: prefixes['crm'] })
      expect(response.status).toBe(403)
      expect(response.body).toEqual({
        error: 'insufficient_scope',
        error_description: 'The request requires higher privileges than provided by the webhook token',
      })
    })

    it('shows an extranet user only themselves', async () => {
      const body = await get({}, { prefix: prefixes['extranet'] })
      expect(ids(body)).toEqual([112])
      expect(body['total']).toBe(1)
    })
  })

  describe('encodings', () => {
    it.each(['form', 'get'] as const)('reads filter, sort, select and start sent as %s', async (via) => {
      const params = {
        FILTER: { '@ID': [3, 4, 5, 6], '!ID': 4 },
        SORT: 'ID',
        ORDER: 'DESC',
        select: ['ID', 'NAME'],
        start: 0,
      }
      const body = await get(params, { via })
      expect(body['result']).toEqual([
        { ID: '6', NAME: 'Petr005' },
        { ID: '5', NAME: 'Ivan004' },
        { ID: '3', NAME: 'Petr002' },
      ])
      expect(body['total']).toBe(3)
    })

    it('reads top-level filter keys from a query string (UF_DEPARTMENT=3&start=-1)', async () => {
      const body = await get({ UF_DEPARTMENT: 3, start: -1 }, { via: 'get' })
      expect(ids(body)).toEqual(idsWhere((u) => u.departments.includes(3)))
      expect(body).not.toHaveProperty('total')
    })

    it('takes the phpsdk empty filter (filter: [])', async () => {
      expect((await get({ filter: [] }))['total']).toBe(116)
    })
  })
})
