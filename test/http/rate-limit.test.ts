import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { sql } from 'kysely'
import { z } from 'zod'
import {
  ADMIN_TOKEN,
  TEST_START_MS,
  TEST_WEBHOOK_CODE,
  createTestApp,
  type TestApp,
} from '../helpers/test-app.js'
import { POSTGRES_URL, STORE_KINDS, openTestStore } from '../helpers/test-store.js'
import { createApp, type App } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { fixedClock } from '../../src/lib/clock.js'
import { buildHttpServer } from '../../src/http/server.js'
import { ensureBootstrap } from '../../src/portal/bootstrap.js'
import { createPortal } from '../../src/portal/portal.js'
import { createWebhook } from '../../src/portal/webhooks.js'
import { openStore, type Store } from '../../src/store/store.js'
import { defineMethod, createRegistry } from '../../src/methods/define-method.js'
import batch from '../../src/methods/system/batch.js'
import { handleCall } from '../../src/protocol/handle-call.js'
import { RestError } from '../../src/protocol/errors.js'
import { takeSharedSlot } from '../../src/rate-limit/limiter.js'
import { takeSlot, type BucketState } from '../../src/rate-limit/leaky-bucket.js'
import type { PortalLimits } from '../../src/rate-limit/policy.js'
import { runCli } from '../../src/cli/run.js'

/**
 * The REST limits of limits.md, switched per portal: the request-rate leaky bucket (503 QUERY_LIMIT_EXCEEDED)
 * through the real HTTP edge, the operating-time limiter (429 OPERATION_TIME_LIMIT) through the core with
 * methods whose "work" is moving the fixed clock, and the bucket shared by two server instances on one
 * PostgreSQL database.
 */

const TOO_MANY = { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' }
const BLOCKED = {
  error: 'OPERATION_TIME_LIMIT',
  error_description: 'Method is blocked due to operation time limit.',
}

async function setLimits(
  t: TestApp,
  portalId: number,
  limits: PortalLimits,
): Promise<Record<string, unknown>> {
  const response = await t.inject({
    method: 'PATCH',
    url: `/_admin/portals/${portalId}/settings`,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ limits }),
  })
  expect(response.statusCode).toBe(200)
  return response.json() as Record<string, unknown>
}

/** Fires `count` calls at once; returns their HTTP statuses in order. */
async function fire(
  t: TestApp,
  count: number,
  prefix = t.hookPath,
  remoteAddress?: string,
): Promise<number[]> {
  const responses = await Promise.all(
    Array.from({ length: count }, () =>
      t.inject({
        method: 'POST',
        url: `${prefix}server.time`,
        payload: '{}',
        headers: { 'content-type': 'application/json' },
        ...(remoteAddress === undefined ? {} : { remoteAddress }),
      }),
    ),
  )
  return responses.map((response) => response.statusCode)
}

const passed = (statuses: number[]): number => statuses.filter((status) => status === 200).length

describe.each(STORE_KINDS)('the request-rate limit (%s)', (kind) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ store: kind })
  })
  afterAll(async () => t.close())
  afterEach(async () => {
    await setLimits(t, 1, { queryLimit: 'off', operatingLimit: 'off' })
    await t.app.store.db.deleteFrom('rate_bucket').execute()
    t.clock.set(TEST_START_MS)
  })

  it('is off by default: a thousand requests in the same instant all pass, and nothing is stored', async () => {
    const statuses: number[] = []
    for (let round = 0; round < 10; round += 1) statuses.push(...(await fire(t, 100)))
    expect(passed(statuses)).toBe(1000)
    expect(await t.app.store.db.selectFrom('rate_bucket').selectAll().execute()).toEqual([])
  })

  it('standard (50, then 2/s): request 51 in the same instant is refused, 500 ms later one more passes', async () => {
    const portal = await setLimits(t, 1, { queryLimit: 'standard' })
    expect(portal['settings']).toEqual({ limits: { queryLimit: 'standard', operatingLimit: 'off' } })
    for (let i = 1; i <= 50; i += 1) expect((await t.call('server.time')).status).toBe(200)
    const refused = await t.call('server.time')
    expect(refused).toEqual({ status: 503, body: TOO_MANY })

    t.clock.advance(499)
    expect((await t.call('server.time')).status).toBe(503)
    t.clock.advance(1)
    expect((await t.call('server.time')).status).toBe(200)
    expect((await t.call('server.time')).status).toBe(503)

    t.clock.advance(1000) // two more
    expect(passed(await fire(t, 3))).toBe(2)
    t.clock.advance(60_000) // drained empty: a full burst again
    expect(passed(await fire(t, 60))).toBe(50)
  })

  it('enterprise: 250, then 5/s', async () => {
    await setLimits(t, 1, { queryLimit: 'enterprise' })
    expect(passed(await fire(t, 260))).toBe(250)
    t.clock.advance(1000)
    expect(passed(await fire(t, 10))).toBe(5)
  })

  it('does not count refused requests: a client that hammers gets in as soon as the bucket has drained', async () => {
    await setLimits(t, 1, { queryLimit: { burst: 5, perSecond: 2 } })
    expect(passed(await fire(t, 5))).toBe(5)
    for (let i = 0; i < 10; i += 1) {
      t.clock.advance(40)
      expect(passed(await fire(t, 10))).toBe(0)
    }
    t.clock.advance(100) // 500 ms since the bucket filled
    expect(passed(await fire(t, 2))).toBe(1)
  })

  it('counts a batch once, however many commands it carries', async () => {
    await setLimits(t, 1, { queryLimit: { burst: 3, perSecond: 1 } })
    const cmd = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`c${i}`, 'server.time']))
    const first = await t.call('batch', { halt: 0, cmd })
    expect(first.status).toBe(200)
    expect(Object.keys((first.body['result'] as Record<string, unknown>)['result'] as object)).toHaveLength(
      20,
    )
    expect((await t.call('batch', { halt: 0, cmd })).status).toBe(200)
    expect((await t.call('server.time')).status).toBe(200)
    // The fourth HTTP request is refused, batch or not; its commands never run.
    expect(await t.call('batch', { halt: 0, cmd })).toEqual({ status: 503, body: TOO_MANY })
  })

  it('keeps portals apart, and source addresses apart within a portal', async () => {
    const other = await createPortal(t.app.store, { domain: `other-${kind}.b24crm.local` }, t.clock.now())
    const { code } = await createWebhook(t.app.store.db, { portalId: other.id, userId: 1 }, t.clock.now())
    const otherHook = `/rest/1/${code}/`
    await setLimits(t, 1, { queryLimit: { burst: 3, perSecond: 1 } })
    await setLimits(t, other.id, { queryLimit: { burst: 3, perSecond: 1 } })

    expect(passed(await fire(t, 10))).toBe(3)
    // Another portal's bucket is untouched …
    expect(passed(await fire(t, 10, otherHook))).toBe(3)
    // … and so is the bucket of the same portal seen from another machine.
    expect(passed(await fire(t, 10, t.hookPath, '10.1.2.3'))).toBe(3)
    // An IPv4 client of a dual-stack listener is the same source as its plain IPv4 address.
    expect(passed(await fire(t, 2, t.hookPath, '::ffff:10.1.2.3'))).toBe(0)
    await setLimits(t, other.id, { queryLimit: 'off' })
  })

  it('refuses before the method runs, and only after authentication (bad credentials are not counted)', async () => {
    await setLimits(t, 1, { queryLimit: { burst: 1, perSecond: 1 } })
    for (let i = 0; i < 5; i += 1) {
      const wrong = await t.call('server.time', {}, { prefix: '/rest/1/wrongsecret/' })
      expect(wrong.body['error']).toBe('INVALID_CREDENTIALS')
    }
    expect((await t.call('user.current')).status).toBe(200)
    expect(await t.call('user.current')).toEqual({ status: 503, body: TOO_MANY })
  })

  it('applies the same arithmetic in SQL as the pure leaky bucket, step for step', async () => {
    const policy = { burst: 7, perSecond: 3 }
    let model: BucketState | undefined
    let now = TEST_START_MS
    // A fixed pseudo-random walk: bursts of 0–9 requests, 0–1999 ms apart.
    let seed = 12345
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    for (let step = 0; step < 60; step += 1) {
      now += next(2000)
      for (let i = next(10); i > 0; i -= 1) {
        const expected = takeSlot(model, now, policy)
        model = expected.state
        expect(await takeSharedSlot(t.app.store, 1, 'model-check', now, policy)).toBe(expected.allowed)
      }
    }
    await t.app.store.db.deleteFrom('rate_bucket').execute()
  })

  it('validates the settings and merges them one level deep', async () => {
    const patch = (body: unknown) =>
      t.inject({
        method: 'PATCH',
        url: '/_admin/portals/1/settings',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      })
    const bad = await patch({ limits: { queryLimit: { burst: 0, perSecond: 2 }, operatingLimit: 'on' } })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({
      error: 'INVALID_INPUT',
      issues: [
        { path: 'limits.queryLimit.burst', message: 'must be at least 1' },
        { path: 'limits.operatingLimit', message: 'must be "off" or {"seconds": N}' },
      ],
    })
    expect((await patch({ limits: { queryLimit: 'fast' } })).statusCode).toBe(400)
    await setLimits(t, 1, { operatingLimit: { seconds: 420 } })
    const merged = await setLimits(t, 1, { queryLimit: { burst: 9, perSecond: 0.5 } })
    expect(merged['settings']).toEqual({
      limits: { queryLimit: { burst: 9, perSecond: 0.5 }, operatingLimit: { seconds: 420 } },
    })
  })
})

describe.each(STORE_KINDS)('the operating-time limit (the core, called directly; %s)', (kind) => {
  let t: TestApp
  /** "work" is moving the fixed clock: the method takes as long as it is told to */
  const slow = defineMethod({
    name: 'test.slow',
    scope: 'basic',
    summary: 'takes `seconds` of the fixed clock',
    reference: '-',
    parity: 'full',
    params: z.object({ seconds: z.coerce.number(), fail: z.boolean().optional() }),
    handler: (params) => {
      t.clock.advance(params.seconds * 1000)
      if (params.fail === true) return Promise.reject(new RestError('TEST_FAILED', 'failed on purpose', 400))
      return Promise.resolve(params.seconds)
    },
  })
  const other = defineMethod({ ...slow, name: 'test.other' })
  let services: App
  let secondHook: string

  const call = async (
    method: string,
    params: Record<string, unknown>,
    code = TEST_WEBHOOK_CODE,
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await handleCall(services, {
      methodName: method,
      params,
      credentials: { kind: 'webhook', userId: '1', code },
      transport: { secure: false, host: 'x', remoteAddress: '127.0.0.1' },
      requestId: 'r',
      receivedAtMs: t.clock.now(),
    })
    return { status: response.status, body: response.body as Record<string, unknown> }
  }
  const time = (body: Record<string, unknown>): Record<string, number> =>
    body['time'] as Record<string, number>

  beforeAll(async () => {
    t = await createTestApp({ store: kind })
    services = { ...t.app, registry: createRegistry([batch, slow, other]) }
    secondHook = (await createWebhook(t.app.store.db, { portalId: 1, userId: 1 }, t.clock.now())).code
  })
  afterAll(async () => t.close())
  afterEach(async () => {
    await setLimits(t, 1, { operatingLimit: 'off' })
    await t.app.store.db.deleteFrom('operating_bucket').execute()
    t.clock.set(TEST_START_MS)
  })

  it('is off by default: nothing is counted and `operating` stays 0', async () => {
    for (let i = 0; i < 30; i += 1) {
      const { status, body } = await call('test.slow', { seconds: 60 })
      expect(status).toBe(200)
      expect(time(body)['operating']).toBe(0)
    }
    expect(await t.app.store.db.selectFrom('operating_bucket').selectAll().execute()).toEqual([])
  })

  it('completes the call that crosses the limit, refuses the next with 429, and reopens when baskets expire', async () => {
    await setLimits(t, 1, { operatingLimit: { seconds: 60 } })
    const firstStartS = TEST_START_MS / 1000
    const first = await call('test.slow', { seconds: 25 })
    expect(first.status).toBe(200)
    expect(time(first.body)).toMatchObject({
      processing: 25,
      operating: 25,
      operating_reset_at: firstStartS + 600,
    })

    t.clock.advance(60_000) // at 0:01:25, the next minute's basket
    const second = await call('test.slow', { seconds: 25 })
    expect(time(second.body)).toMatchObject({ operating: 50, operating_reset_at: firstStartS + 600 })
    const crossing = await call('test.slow', { seconds: 25 }) // same basket; 75 > 60, but it was checked at 50
    expect(crossing.status).toBe(200)
    expect(time(crossing.body)['operating']).toBe(75)

    expect(await call('test.slow', { seconds: 1 })).toEqual({ status: 429, body: BLOCKED })
    // Other methods and other webhooks of the same portal go on (limits.md).
    expect((await call('test.other', { seconds: 1 })).status).toBe(200)
    expect((await call('test.slow', { seconds: 1 }, secondHook)).status).toBe(200)

    // Ten minutes after the first basket's first call it expires: 75 − 25 = 50 ≤ 60, open again.
    t.clock.set(TEST_START_MS + 600_000 - 1)
    expect((await call('test.slow', { seconds: 0 })).status).toBe(429)
    t.clock.set(TEST_START_MS + 600_000)
    const reopened = await call('test.slow', { seconds: 0.5 })
    expect(reopened.status).toBe(200)
    expect(time(reopened.body)).toMatchObject({ operating: 50.5, operating_reset_at: firstStartS + 85 + 600 })
    // The expired basket is gone from the store, not just ignored.
    const rows = await t.app.store.db
      .selectFrom('operating_bucket')
      .select('seconds')
      .where('method', '=', 'test.slow')
      .where('credential', '=', 'webhook:1')
      .orderBy('minute')
      .execute()
    expect(rows.map((row) => row.seconds)).toEqual([50, 0.5])
  })

  it('counts only calls slower than 0.1 s, and counts calls that fail', async () => {
    await setLimits(t, 1, { operatingLimit: { seconds: 10 } })
    for (let i = 0; i < 50; i += 1) {
      const { body } = await call('test.slow', { seconds: 0.1 })
      expect(time(body)['operating']).toBe(0)
    }
    const failed = await call('test.slow', { seconds: 11, fail: true })
    expect(failed).toEqual({
      status: 400,
      body: { error: 'TEST_FAILED', error_description: 'failed on purpose' },
    })
    expect((await call('test.slow', { seconds: 0 })).status).toBe(429)
  })

  it('meters each batch command on its own and never the outer batch', async () => {
    await setLimits(t, 1, { operatingLimit: { seconds: 30 } })
    const response = await call('batch', {
      halt: 0,
      cmd: {
        a: 'test.slow?seconds=20',
        b: 'test.slow?seconds=20', // checked at 20: runs, reaching 40
        c: 'test.slow?seconds=1', // checked at 40: refused
        d: 'test.other?seconds=20', // its own budget
      },
    })
    expect(response.status).toBe(200)
    const result = response.body['result'] as Record<string, Record<string, unknown>>
    expect(result['result']).toEqual({ a: 20, b: 20, d: 20 })
    expect(result['result_error']).toEqual({ c: BLOCKED })
    expect((result['result_time'] as Record<string, Record<string, number>>)['b']?.['operating']).toBe(40)
    // The outer batch took 60 s of the clock, yet `batch` has no basket.
    const methods = await t.app.store.db.selectFrom('operating_bucket').select('method').execute()
    expect(methods.map((row) => row.method).sort()).toEqual(['test.other', 'test.slow'])
    expect((await call('test.slow', { seconds: 0 })).status).toBe(429)
  })
})

describe('the CLI', () => {
  let dataDir: string
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'b24crm-limits-cli-'))
  })
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

  const run = async (...argv: string[]): Promise<{ code: number; out: string; err: string }> => {
    let out = ''
    let err = ''
    const io = { stdout: (text: string) => (out += text), stderr: (text: string) => (err += text) }
    const code = await runCli(argv, { B24_DATA_DIR: dataDir, B24_HTTPS_PORT: 'off' }, io)
    return { code, out, err }
  }

  it('switches the limits of a portal', async () => {
    const on = await run('portal', 'settings', '--query-limit', '2,5', '--operating-limit', 'on', '--json')
    expect(on.code).toBe(0)
    expect((JSON.parse(on.out) as { settings: unknown }).settings).toEqual({
      limits: { queryLimit: { burst: 2, perSecond: 5 }, operatingLimit: { seconds: 420 } },
    })
    const standard = await run('portal', 'settings', '--query-limit', 'standard')
    expect(standard.out).toContain('limits={"queryLimit":"standard","operatingLimit":{"seconds":420}}')
    expect((await run('portal', 'settings', '--operating-limit', 'off')).code).toBe(0)
    const usage = await run('portal', 'settings', '--query-limit', 'lots')
    expect(usage.code).toBe(2)
    expect(usage.err).toContain('--query-limit takes off, standard, enterprise or BURST,PER_SECOND')
    const range = await run('portal', 'settings', '--query-limit', '0,5')
    expect(range.code).toBe(2)
    expect(range.err).toContain('--query-limit: must be at least 1')
  })
})

/**
 * Two server instances on one PostgreSQL database share every bucket: their requests, interleaved and
 * concurrent, together pass exactly as many as one bucket admits.
 */
describe.skipIf(POSTGRES_URL === undefined)('two server instances on one PostgreSQL database', () => {
  const clock = fixedClock(TEST_START_MS)
  let first: Store
  let second: Store
  const apps: App[] = []
  const servers: ReturnType<typeof buildHttpServer>[] = []

  beforeAll(async () => {
    first = await openTestStore('postgres')
    const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(first.db)
    const url = new URL(POSTGRES_URL ?? '')
    url.pathname = `/${rows[0]?.name ?? ''}`
    second = await openStore({ kind: 'postgres', url: url.toString(), poolSize: 5 })
    const config = { ...loadConfig({ B24_DATA_DIR: '/nonexistent-b24crm-test' }), adminToken: ADMIN_TOKEN }
    for (const store of [first, second]) {
      const app = await createApp(config, { clock, store, log: pino({ level: 'silent' }) })
      await ensureBootstrap(app.store, TEST_WEBHOOK_CODE, clock.now())
      const http = buildHttpServer(app, { adminToken: { token: ADMIN_TOKEN, source: 'test' } })
      await http.ready()
      apps.push(app)
      servers.push(http)
    }
    await first.db
      .updateTable('portal')
      .set({ settings: JSON.stringify({ limits: { queryLimit: 'standard' } }) })
      .where('id', '=', 1)
      .execute()
  })
  afterAll(async () => {
    for (const http of servers) await http.close()
    await second.close()
    await first.close()
  })

  const hammer = async (perInstance: number): Promise<number> => {
    const calls = servers.flatMap((http) =>
      Array.from({ length: perInstance }, () =>
        http.inject({ method: 'POST', url: `/rest/1/${TEST_WEBHOOK_CODE}/server.time`, payload: {} }),
      ),
    )
    const responses = await Promise.all(calls)
    for (const response of responses) expect([200, 503]).toContain(response.statusCode)
    return responses.filter((response) => response.statusCode === 200).length
  }

  it('pass exactly the burst, then exactly what has drained', async () => {
    expect(await hammer(40)).toBe(50)
    clock.advance(1000)
    expect(await hammer(10)).toBe(2)
    clock.advance(2500)
    expect(await hammer(10)).toBe(5)
  })
})
