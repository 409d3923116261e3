import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type CallResult, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import { createUser } from '../../src/portal/users.js'
import { createWebhook } from '../../src/portal/webhooks.js'
import { listPortals } from '../../src/portal/portal.js'

/**
 * `batch` through the real HTTP edge, in the encodings the clients use (research/client-contract.md §6, the
 * captures in research/client-contract-harness/captures.jsonl) and with the server's rules
 * (settings/how-to-call-rest-api/batch.md; research/server-behaviour.md §3 item 73).
 *
 * The portal has 60 users (the admin, id 1, and 59 more), so `user.get` has a full first page of 50 with
 * `next` 50 and `total` 60, and a second page of 10.
 */
const TIME_KEYS = [
  'start',
  'finish',
  'duration',
  'processing',
  'date_start',
  'date_finish',
  'operating_reset_at',
  'operating',
]
const USERS = 60

interface BatchBody {
  result: Record<string, unknown> | unknown[]
  result_error: Record<string, unknown> | unknown[]
  result_total: Record<string, unknown> | unknown[]
  result_next: Record<string, unknown> | unknown[]
  result_time: Record<string, unknown> | unknown[]
}

type Row = Record<string, unknown>

describe.each(STORE_KINDS)('batch (%s store)', (storeKind) => {
  let t: TestApp
  let crmOnlyHook: string
  beforeAll(async () => {
    t = await createTestApp({ store: storeKind })
    const [portal] = await listPortals(t.app.store.db)
    if (portal === undefined) throw new Error('no default portal')
    for (let i = 2; i <= USERS; i++) {
      await createUser(
        t.app.store,
        t.app.store.db,
        portal.id,
        { name: `User${i}`, lastName: 'Test' },
        t.clock.now(),
      )
    }
    const { code } = await createWebhook(
      t.app.store.db,
      { portalId: portal.id, userId: 1, scopes: ['crm'], title: 'crm only' },
      t.clock.now(),
    )
    crmOnlyHook = `/rest/1/${code}/`
  })
  afterAll(async () => {
    await t.close()
  })

  async function batch(
    params: Record<string, unknown>,
    via: 'json' | 'form' | 'get' = 'json',
  ): Promise<BatchBody> {
    const response = await t.call('batch', params, { via })
    return envelope(response)
  }

  function envelope(response: CallResult): BatchBody {
    expect(response.status).toBe(200)
    expect(Object.keys(response.body)).toEqual(['result', 'time'])
    expectTime(response.body['time'])
    const inner = response.body['result'] as BatchBody
    expect(Object.keys(inner)).toEqual([
      'result',
      'result_error',
      'result_total',
      'result_next',
      'result_time',
    ])
    return inner
  }

  function expectTime(time: unknown): void {
    expect(time).toBeTypeOf('object')
    expect(Object.keys(time as object)).toEqual(TIME_KEYS)
    const block = time as Record<string, unknown>
    expect(block['date_start']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/)
    expect(block['start']).toBeTypeOf('number')
  }

  /** every key of `result` has a full time block, and nothing else does (phpsdk requires the former) */
  function expectTimesFor(body: BatchBody): void {
    expect(Object.keys(body.result_time)).toEqual(Object.keys(body.result))
    for (const time of Object.values(body.result_time)) expectTime(time)
  }

  const at = (value: unknown, key: string | number): unknown =>
    (value as Record<string, unknown>)[String(key)]
  const rows = (value: unknown): Row[] => value as Row[]

  describe('the command list', () => {
    it('runs a JSON object cmd and answers each key (jssdk, phpsdk, pysdk)', async () => {
      const body = await batch({
        halt: 0,
        cmd: { now: 'server.time', me: 'user.current', bare: 'server.time?' },
      })
      expect(body.result).toEqual({
        now: '2026-01-15T10:00:00+00:00',
        me: expect.objectContaining({ ID: '1' }) as unknown,
        bare: '2026-01-15T10:00:00+00:00',
      })
      expect(Array.isArray(body.result)).toBe(false)
      // PHP writes empty arrays as [] (and @2bad throws on any non-empty result_error)
      expect(body.result_error).toEqual([])
      expect(body.result_total).toEqual([])
      expect(body.result_next).toEqual([])
      expectTimesFor(body)
    })

    it('answers a JSON array cmd with JSON arrays (keys 0..n-1)', async () => {
      const body = await batch({ halt: 1, cmd: ['server.time', 'user.current', 'server.time'] })
      expect(Array.isArray(body.result)).toBe(true)
      expect(Array.isArray(body.result_time)).toBe(true)
      expect(rows(body.result)).toHaveLength(3)
      expect(at(body.result, 1)).toMatchObject({ ID: '1' })
      expectTimesFor(body)
    })

    it('treats a numeric-keyed JSON object like a list (pysdk call_list)', async () => {
      const body = await batch({ cmd: { '0': 'server.time', '1': 'server.time' }, halt: true })
      expect(body.result).toEqual(['2026-01-15T10:00:00+00:00', '2026-01-15T10:00:00+00:00'])
    })

    it('answers an object, never null holes, when a middle command fails (the jssdk crash)', async () => {
      const body = await batch({ halt: 0, cmd: ['server.time', 'crm.bad.method?', 'server.time'] })
      expect(body.result).toEqual({ '0': '2026-01-15T10:00:00+00:00', '2': '2026-01-15T10:00:00+00:00' })
      expect(body.result_error).toEqual({
        '1': { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' },
      })
      expect(Array.isArray(body.result_time)).toBe(false)
      expectTimesFor(body)
    })

    it('skips entries that are not strings, as PHP does', async () => {
      const body = await batch({
        cmd: { a: 'server.time', b: 5, c: { method: 'server.time' }, d: null, e: ['x'] },
      })
      expect(Object.keys(body.result)).toEqual(['a'])
      expect(body.result_error).toEqual([])
    })

    it('reads the parameter names in any case (CMD, HALT)', async () => {
      const body = await batch({ CMD: ['server.time', 'no.such.method', 'server.time'], HALT: 1 })
      expect(body.result).toEqual(['2026-01-15T10:00:00+00:00'])
      expect(Object.keys(body.result_error)).toEqual(['1'])
    })

    it('answers empty maps when cmd is missing or not an array', async () => {
      for (const params of [{}, { cmd: 'server.time' }, { cmd: [] }, { halt: 1 }]) {
        const body = await batch(params)
        expect(body).toEqual({
          result: [],
          result_error: [],
          result_total: [],
          result_next: [],
          result_time: [],
        })
      }
    })

    it('looks methods up case-insensitively and does not strip a .json suffix inside cmd', async () => {
      const body = await batch({ cmd: { upper: 'SERVER.TIME', suffixed: 'server.time.json' } })
      expect(Object.keys(body.result)).toEqual(['upper'])
      expect(at(body.result_error, 'suffixed')).toEqual({
        error: 'ERROR_METHOD_NOT_FOUND',
        error_description: 'Method not found!',
      })
    })
  })

  describe('encodings', () => {
    it('accepts the CRest form body (sub-queries encoded twice)', async () => {
      const payload =
        'cmd%5Bget%5D=user.get%3FID%3D1' +
        '&cmd%5Bref%5D=user.get%3FID%3D%2524result%255Bget%255D%255B0%255D%255BID%255D' +
        '&cmd%5Bnoparams%5D=user.current&halt=1'
      const response = await t.inject({
        method: 'POST',
        url: `${t.hookPath}batch.json`,
        payload,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      })
      const body = envelope({ status: response.statusCode, body: response.json() as Record<string, unknown> })
      expect(Object.keys(body.result)).toEqual(['get', 'ref', 'noparams'])
      expect(rows(at(body.result, 'get')).map((row) => row['ID'])).toEqual(['1'])
      expect(rows(at(body.result, 'ref')).map((row) => row['ID'])).toEqual(['1'])
      expect(at(body.result, 'noparams')).toMatchObject({ ID: '1' })
      expect(body.result_error).toEqual([])
      expectTimesFor(body)
    })

    it('accepts a form body built by the test helper (http_build_query of cmd)', async () => {
      const body = await batch({ cmd: { a: 'user.get?ID=2', b: 'server.time' }, halt: 0 }, 'form')
      expect(rows(at(body.result, 'a')).map((row) => row['ID'])).toEqual(['2'])
      expect(at(body.result, 'b')).toBe('2026-01-15T10:00:00+00:00')
    })

    it('accepts a whole batch in the GET query, without halt (@2bad)', async () => {
      const url =
        `${t.hookPath}batch?cmd%5Bone%5D=user.current` +
        '&cmd%5Btwo%5D=user.get%3FID%3D%2524result%255Bone%255D%255BID%255D'
      const response = await t.inject({ method: 'GET', url })
      const body = envelope({ status: response.statusCode, body: response.json() as Record<string, unknown> })
      expect(at(body.result, 'one')).toMatchObject({ ID: '1' })
      expect(rows(at(body.result, 'two')).map((row) => row['ID'])).toEqual(['1'])
    })

    it('answers a GET list batch of pages with a JSON array (@2bad list)', async () => {
      const url = `${t.hookPath}batch?cmd%5B0%5D=user.get%3Fstart%3D0` + '&cmd%5B1%5D=user.get%3Fstart%3D50'
      const response = await t.inject({ method: 'GET', url })
      const body = envelope({ status: response.statusCode, body: response.json() as Record<string, unknown> })
      expect(Array.isArray(body.result)).toBe(true)
      expect(rows(at(body.result, 0))).toHaveLength(50)
      expect(rows(at(body.result, 1))).toHaveLength(USERS - 50)
      expect(body.result_total).toEqual([USERS, USERS])
      expect(body.result_next).toEqual([50]) // only the first page has a next page: key 0 alone is a list
    })

    it('accepts the test helper GET encoding as well', async () => {
      const body = await batch({ cmd: ['server.time', 'user.current'] }, 'get')
      expect(Array.isArray(body.result)).toBe(true)
      expect(at(body.result, 1)).toMatchObject({ ID: '1' })
    })
  })

  describe('halt', () => {
    const failing = ['server.time', 'no.such.method', 'server.time']

    it.each([
      ['absent', undefined, 3],
      ['0', 0, 3],
      ['"0"', '0', 3],
      ['false', false, 3],
      ['""', '', 3],
      ['1', 1, 1],
      ['true', true, 1],
      ['"1"', '1', 1],
      ['"false" (PHP reads a non-empty string as true)', 'false', 1],
      ['"N"', 'N', 1],
    ])('halt %s', async (_label, halt, ran) => {
      const params: Record<string, unknown> = { cmd: failing }
      if (halt !== undefined) params['halt'] = halt
      const body = await batch(params)
      expect(Object.keys(body.result_error)).toEqual(['1'])
      expect(Object.keys(body.result)).toEqual(ran === 3 ? ['0', '2'] : ['0'])
    })

    it('reads halt=false from a form body as true too', async () => {
      const body = await batch({ cmd: failing, halt: 'false' }, 'form')
      expect(Object.keys(body.result)).toEqual(['0'])
      // stopped after the failure: what is left is keys 0 — a JSON array again
      expect(body.result).toEqual(['2026-01-15T10:00:00+00:00'])
    })

    it('with halt, runs nothing after the first failure and still answers 200', async () => {
      const body = await batch({
        halt: 1,
        cmd: { a: 'server.time', b: 'batch', c: 'no.such.method', d: 'server.time' },
      })
      expect(Object.keys(body.result)).toEqual(['a'])
      expect(Object.keys(body.result_error)).toEqual(['b'])
      expectTimesFor(body)
    })
  })

  describe('limits and refused commands', () => {
    it('runs the first 50 commands and refuses each one past them with ERROR_BATCH_LENGTH_EXCEEDED', async () => {
      const cmd = Array.from({ length: 52 }, () => 'server.time')
      const body = await batch({ cmd })
      expect(rows(body.result)).toHaveLength(50)
      expect(Array.isArray(body.result)).toBe(true)
      const exceeded = {
        error: 'ERROR_BATCH_LENGTH_EXCEEDED',
        error_description: 'Max batch length exceeded',
      }
      expect(body.result_error).toEqual({ '50': exceeded, '51': exceeded })
      expect(rows(body.result_time)).toHaveLength(50)
    })

    it('stops at command 51 when halt is set', async () => {
      const cmd = Array.from({ length: 52 }, () => 'server.time')
      const body = await batch({ cmd, halt: 1 })
      expect(rows(body.result)).toHaveLength(50)
      expect(Object.keys(body.result_error)).toEqual(['50'])
    })

    it('counts 51 named commands the same way', async () => {
      const cmd = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`c${i}`, 'server.time']))
      const body = await batch({ cmd })
      expect(Object.keys(body.result)).toHaveLength(50)
      expect(Object.keys(body.result_error)).toEqual(['c50'])
    })

    it('refuses a nested batch for that command only', async () => {
      const body = await batch({
        cmd: {
          before: 'server.time',
          nested: 'batch?cmd[x]=server.time',
          upper: 'BATCH',
          after: 'server.time',
        },
      })
      expect(Object.keys(body.result)).toEqual(['before', 'after'])
      const refused = {
        error: 'ERROR_BATCH_METHOD_NOT_ALLOWED',
        error_description: 'Method is not allowed for batch usage',
      }
      expect(body.result_error).toEqual({ nested: refused, upper: refused })
    })

    it('reports an unknown method for that command only', async () => {
      const body = await batch({ cmd: { a: 'crm.nothing.here?x=1', b: 'server.time' } })
      expect(body.result_error).toEqual({
        a: { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' },
      })
      expect(Object.keys(body.result)).toEqual(['b'])
    })

    it('checks each command against the webhook scopes, with an empty description inside batch', async () => {
      const response = await t.call(
        'batch',
        { cmd: { users: 'user.get', now: 'server.time' } },
        { prefix: crmOnlyHook },
      )
      const body = envelope(response)
      expect(body.result_error).toEqual({ users: { error: 'insufficient_scope', error_description: '' } })
      expect(Object.keys(body.result)).toEqual(['now'])
    })

    it('authenticates the batch once: bad credentials fail the whole request', async () => {
      const prefix = '/rest/1/wrong-secret/'
      const response = await t.call('batch', { cmd: ['server.time'] }, { prefix })
      expect(response.status).toBe(401)
      expect(response.body['result']).toBeUndefined()
      // exactly the answer a single call with those credentials gets
      expect(response).toEqual(await t.call('server.time', {}, { prefix }))
    })

    it('does not let a command carry its own auth parameter', async () => {
      const body = await batch({ cmd: { me: 'user.current?auth=someone-else' } })
      expect(at(body.result, 'me')).toMatchObject({ ID: '1' })
    })
  })

  describe('list pages: result_total and result_next per key', () => {
    it('files total and next only for the commands that returned them', async () => {
      const body = await batch({
        cmd: { p1: 'user.get?start=0', p2: 'user.get?start=50', now: 'server.time' },
      })
      expect(rows(at(body.result, 'p1'))).toHaveLength(50)
      expect(rows(at(body.result, 'p2'))).toHaveLength(USERS - 50)
      expect(body.result_total).toEqual({ p1: USERS, p2: USERS })
      expect(body.result_next).toEqual({ p1: 50 })
      expectTimesFor(body)
    })
  })

  describe('references to earlier results', () => {
    it('indexes into a list result: $result[a][0][ID] and [49]', async () => {
      const body = await batch({
        halt: 0,
        cmd: {
          a: 'user.get?start=0',
          first: 'user.get?ID=$result[a][0][ID]',
          last: 'user.get?ID=$result[a][49][ID]',
        },
      })
      expect(rows(at(body.result, 'first')).map((row) => row['ID'])).toEqual(['1'])
      expect(rows(at(body.result, 'last')).map((row) => row['ID'])).toEqual(['50'])
    })

    it('reads a field of an object result: $result[x][ID] into user.current (jssdk encodes the reference)', async () => {
      const body = await batch({
        halt: 0,
        cmd: { x: 'user.current', y: 'user.get?ID=%24result%5Bx%5D%5BID%5D' },
      })
      expect(rows(at(body.result, 'y')).map((row) => row['ID'])).toEqual(['1'])
    })

    it('references list commands by index when cmd is a list', async () => {
      const body = await batch({ cmd: ['user.current', 'user.get?ID=$result[0][ID]'] })
      expect(rows(at(body.result, 1)).map((row) => row['ID'])).toEqual(['1'])
    })

    it('resolves $next[key] (pages chained by start)', async () => {
      const body = await batch({ cmd: { p1: 'user.get?start=0', p2: 'user.get?start=$next[p1]' } })
      expect(rows(at(body.result, 'p2')).map((row) => row['ID'])).toEqual(
        Array.from({ length: USERS - 50 }, (_, i) => String(51 + i)),
      )
    })

    it('chains keyset pages like phpsdk/pysdk, and survives a reference to a missing index', async () => {
      const body = await batch({
        halt: 0,
        cmd: {
          req_0: 'user.get?sort=ID&order=ASC&FILTER[>ID]=0&start=-1',
          req_1: 'user.get?sort=ID&order=ASC&FILTER%5B%3EID%5D=%24result%5Breq_0%5D%5B49%5D%5BID%5D&start=-1',
          // req_1 has only 10 rows: [49] does not exist and the reference stays literal text
          req_2: 'user.get?sort=ID&order=ASC&FILTER[>ID]=$result[req_1][49][ID]&start=-1',
          after: 'server.time',
        },
      })
      expect(rows(at(body.result, 'req_0'))).toHaveLength(50)
      expect(rows(at(body.result, 'req_1')).map((row) => row['ID'])).toEqual(
        Array.from({ length: USERS - 50 }, (_, i) => String(51 + i)),
      )
      // the literal text as a `>ID` bound matches nothing: the keyset loop of pysdk's call_list_fast ends there
      expect(at(body.result, 'req_2')).toEqual([])
      expect(body.result_error).toEqual([])
      expect(at(body.result, 'after')).toBe('2026-01-15T10:00:00+00:00')
    })

    it('leaves a reference to an unknown or later command in place', async () => {
      const body = await batch({ cmd: { a: 'user.get?ID=$result[b][ID]', b: 'user.current' } })
      // `a` ran with the literal text as its ID filter, which no user has
      expect(at(body.result, 'a')).toEqual([])
      expect(at(body.result, 'b')).toMatchObject({ ID: '1' })
    })
  })
})
