import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import pino from 'pino'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { ADMIN_TOKEN, TEST_START_MS, createTestApp, type TestApp } from '../helpers/test-app.js'
import { POSTGRES_URL, STORE_KINDS } from '../helpers/test-store.js'
import { AUTH_THROTTLE_POLICY, sourceKey } from '../../src/auth/auth-throttle.js'
import { createApp, type App } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { fixedClock } from '../../src/lib/clock.js'
import { buildHttpServer } from '../../src/http/server.js'
import { ensureBootstrap } from '../../src/portal/bootstrap.js'
import { openStore } from '../../src/store/store.js'

/**
 * Brute-force protection (auth/auth-throttle.ts): more than 20 failed authentications from one address in 60 s
 * refuse that address for 60 s with 503 QUERY_LIMIT_EXCEEDED and Retry-After, valid credentials included.
 * Addresses come from light-my-request's `remoteAddress`; the clock is fixed and moved by hand.
 */

const ATTACKER = '203.0.113.7'
const BYSTANDER = '198.51.100.9'
const { maxFailures, windowMs, cooldownMs } = AUTH_THROTTLE_POLICY

/** A test app or a bare Fastify instance: anything that injects a request. */
interface Injector {
  inject(options: InjectOptions): Promise<LightMyRequestResponse>
}

function get(
  target: Injector,
  url: string,
  remoteAddress: string,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return target.inject({ method: 'GET', url, remoteAddress, headers })
}

const WRONG_HOOK = '/rest/1/not-the-code/server.time'

async function failTimes(t: Injector, n: number, address: string): Promise<void> {
  for (let i = 0; i < n; i++) {
    const answer = await get(t, WRONG_HOOK, address)
    expect(answer.statusCode, `failure ${i + 1}`).toBe(401)
    expect(answer.json()).toMatchObject({ error: 'INVALID_CREDENTIALS' })
  }
}

function expectRefused(answer: LightMyRequestResponse, retryAfter = cooldownMs / 1000): void {
  expect(answer.statusCode).toBe(503)
  expect(answer.headers['retry-after']).toBe(String(retryAfter))
  expect(answer.json()).toEqual({
    error: 'QUERY_LIMIT_EXCEEDED',
    error_description: `Too many requests: too many failed authentications from this address; try again in ${retryAfter} s`,
  })
}

describe('the policy', () => {
  it('is 20 failures in 60 s, then 60 s of refusal', () => {
    expect(AUTH_THROTTLE_POLICY).toEqual({ maxFailures: 20, windowMs: 60_000, cooldownMs: 60_000 })
  })

  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::1', '0:0:0:0::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:DB8:0:0:ffff::2', '2001:db8:0:0::/64'],
    ['2001:db8:0:1::1', '2001:db8:0:1::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    ['', ''],
  ])('counts %s as the source %s', (address, key) => {
    expect(sourceKey(address)).toBe(key)
  })
})

describe.each(STORE_KINDS)('the brute-force throttle (%s)', (store) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ store })
  })
  afterAll(async () => {
    await t.close()
  })
  afterEach(async () => {
    // Each test starts with no failures on record: a fresh window, and this process watching nobody.
    t.clock.advance(windowMs + cooldownMs + 1)
    await t.app.store.db.deleteFrom('auth_failure').execute()
  })

  it('answers 20 failures as failures, counts the 21st, then refuses the address, valid webhook included', async () => {
    await failTimes(t, maxFailures + 1, ATTACKER)
    expectRefused(await get(t, WRONG_HOOK, ATTACKER))
    expectRefused(await get(t, `${t.hookPath}server.time`, ATTACKER))
    // Every URL form and credential kind of that address.
    expectRefused(await get(t, '/rest/server.time?auth=whatever', ATTACKER))
    // Another address is not concerned, neither its valid calls nor its failures.
    expect((await get(t, `${t.hookPath}server.time`, BYSTANDER)).statusCode).toBe(200)
    expect((await get(t, WRONG_HOOK, BYSTANDER)).statusCode).toBe(401)
    // Calls without credentials are neither counted nor refused before the refusal: NO_AUTH_FOUND as ever.
    expect((await get(t, '/rest/server.time', BYSTANDER)).json()).toMatchObject({ error: 'NO_AUTH_FOUND' })
  })

  it('counts down the Retry-After, and serves the address again when the cool-down is over', async () => {
    await failTimes(t, maxFailures + 1, ATTACKER)
    t.clock.advance(45_500)
    expectRefused(await get(t, `${t.hookPath}server.time`, ATTACKER), 15)
    t.clock.advance(cooldownMs - 45_500)
    expect((await get(t, `${t.hookPath}server.time`, ATTACKER)).statusCode).toBe(200)
    // A fresh window: another 20 failures are answered as such.
    await failTimes(t, maxFailures, ATTACKER)
    expect((await get(t, `${t.hookPath}server.time`, ATTACKER)).statusCode).toBe(200)
  })

  it('does not extend the cool-down for refused requests, and keeps no more than the window', async () => {
    await failTimes(t, maxFailures + 1, ATTACKER)
    for (let i = 0; i < 50; i++) {
      t.clock.advance(1000)
      expect((await get(t, WRONG_HOOK, ATTACKER)).statusCode).toBe(503)
    }
    t.clock.advance(cooldownMs - 50_000)
    expect((await get(t, WRONG_HOOK, ATTACKER)).statusCode).toBe(401)
  })

  it('forgets failures older than the window', async () => {
    await failTimes(t, maxFailures, ATTACKER)
    t.clock.advance(windowMs)
    await failTimes(t, maxFailures, ATTACKER)
    expect((await get(t, `${t.hookPath}server.time`, ATTACKER)).statusCode).toBe(200)
  })

  it('counts an IPv6 client by its /64 and an IPv4-mapped client as its IPv4 address', async () => {
    await failTimes(t, 10, '2001:db8::1')
    await failTimes(t, maxFailures + 1 - 10, '2001:db8::ffff:2')
    expectRefused(await get(t, `${t.hookPath}server.time`, '2001:db8::3'))
    expect((await get(t, `${t.hookPath}server.time`, '2001:db8:0:1::1')).statusCode).toBe(200)

    await failTimes(t, maxFailures + 1, `::ffff:${BYSTANDER}`)
    expectRefused(await get(t, `${t.hookPath}server.time`, BYSTANDER))
  })

  it('counts unknown OAuth tokens, but not expired ones an SDK refreshes', async () => {
    for (let i = 0; i < maxFailures + 1; i++) {
      const answer = await get(t, '/rest/server.time', ATTACKER, { authorization: `Bearer guess${i}` })
      expect(answer.json()).toMatchObject({ error: 'invalid_token' })
    }
    expectRefused(await get(t, '/rest/server.time?auth=guess', ATTACKER))

    const app = await t.inject({
      method: 'POST',
      url: '/_admin/portals/1/apps',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      payload: { scopes: ['crm'] },
    })
    const appId = (app.json() as { id: number }).id
    const minted = await t.inject({
      method: 'POST',
      url: `/_admin/portals/1/apps/${appId}/tokens`,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      payload: {},
    })
    const { access_token: accessToken } = minted.json() as { access_token: string }
    t.clock.advance(3_600_000)
    for (let i = 0; i < maxFailures + 5; i++) {
      const answer = await get(t, `/rest/server.time?auth=${accessToken}`, BYSTANDER)
      expect(answer.json()).toMatchObject({ error: 'expired_token' })
    }
  })

  it('counts wrong client secrets at the token endpoint and refuses there with the same 503', async () => {
    const created = await t.inject({
      method: 'POST',
      url: '/_admin/portals/1/apps',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      payload: { scopes: ['crm'] },
    })
    const { clientId, clientSecret } = created.json() as { clientId: string; clientSecret: string }
    const token = (secret: string): Promise<LightMyRequestResponse> =>
      t.inject({
        method: 'POST',
        url: '/oauth/token/',
        remoteAddress: ATTACKER,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `grant_type=refresh_token&client_id=${clientId}&client_secret=${secret}&refresh_token=r`,
      })
    for (let i = 0; i < maxFailures + 1; i++) {
      const answer = await token(`wrong${i}`)
      expect(answer.statusCode).toBe(401)
      expect(answer.json()).toMatchObject({ error: 'invalid_client' })
    }
    // The right secret is refused too; the refresh token is never looked at.
    const refused = await token(clientSecret)
    expect(refused.statusCode).toBe(503)
    expect(refused.headers['retry-after']).toBe('60')
    expect(refused.headers['cache-control']).toBe('no-store')
    expect(refused.json()).toMatchObject({ error: 'QUERY_LIMIT_EXCEEDED' })
    // A wrong refresh token behind a right secret is invalid_grant, which is not counted.
    for (let i = 0; i < maxFailures + 5; i++) {
      const answer = await t.inject({
        method: 'POST',
        url: '/oauth/token/',
        remoteAddress: BYSTANDER,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `grant_type=refresh_token&client_id=${clientId}&client_secret=${clientSecret}&refresh_token=r${i}`,
      })
      expect(answer.json()).toMatchObject({ error: 'invalid_grant' })
    }
  })

  it('counts wrong admin tokens (not missing ones) and refuses the admin API with 429, right token included', async () => {
    const admin = (headers: Record<string, string>): Promise<LightMyRequestResponse> =>
      t.inject({ method: 'GET', url: '/_admin/portals', remoteAddress: '127.0.0.2', headers })
    for (let i = 0; i < maxFailures + 5; i++) {
      expect((await admin({})).json()).toMatchObject({ error: 'ADMIN_UNAUTHORIZED' })
    }
    expect((await admin({ authorization: `Bearer ${ADMIN_TOKEN}` })).statusCode).toBe(200)
    for (let i = 0; i < maxFailures + 1; i++) {
      const answer = await admin({ 'x-b24-admin-token': `guess${i}` })
      expect(answer.statusCode).toBe(401)
      expect(answer.json()).toMatchObject({ error_description: 'Wrong admin token' })
    }
    const refused = await admin({ authorization: `Bearer ${ADMIN_TOKEN}` })
    expect(refused.statusCode).toBe(429)
    expect(refused.headers['retry-after']).toBe('60')
    expect(refused.json()).toEqual({
      error: 'ADMIN_THROTTLED',
      error_description: 'Too many failed authentications from this address; try again in 60 s',
    })
    // One count per address across every surface: the REST edge refuses that address too.
    expectRefused(await get(t, `${t.hookPath}server.time`, '127.0.0.2'))
  })

  it('counts failures on the file download links, which check the same credentials', async () => {
    for (let i = 0; i < maxFailures + 1; i++) {
      const answer = await get(
        t,
        `/rest/1/guess${i}/crm.controller.item.getFile/?entityTypeId=2&id=1&fieldName=UF_X&fileId=1`,
        ATTACKER,
      )
      expect(answer.json()).toMatchObject({ error: 'INVALID_CREDENTIALS' })
    }
    const refused = await get(t, `${t.hookPath}crm.controller.item.getFile/?entityTypeId=2&id=1`, ATTACKER)
    expect(refused.statusCode).toBe(503)
    expect(refused.json()).toMatchObject({ error: 'QUERY_LIMIT_EXCEEDED' })
  })

  it('keeps no rows past the window and the cool-down', async () => {
    const startMs = t.clock.now()
    await failTimes(t, 3, ATTACKER)
    expect(await t.app.store.db.selectFrom('auth_failure').selectAll().execute()).toEqual([
      { source: ATTACKER, window_start_ms: startMs, failures: 3, blocked_until_ms: 0 },
    ])
    t.clock.advance(windowMs + 1)
    await failTimes(t, 1, BYSTANDER)
    const rows = await t.app.store.db.selectFrom('auth_failure').select('source').execute()
    expect(rows).toEqual([{ source: BYSTANDER }])
  })
})

describe('B24_AUTH_THROTTLE=off', () => {
  it('answers every failure as a failure', async () => {
    const t = await createTestApp({ env: { B24_AUTH_THROTTLE: 'off' } })
    try {
      await failTimes(t, maxFailures * 3, ATTACKER)
      expect((await get(t, `${t.hookPath}server.time`, ATTACKER)).statusCode).toBe(200)
      expect(await t.app.store.db.selectFrom('auth_failure').selectAll().execute()).toEqual([])
    } finally {
      await t.close()
    }
  })
})

describe.runIf(POSTGRES_URL !== undefined)('two servers on one PostgreSQL database', () => {
  const name = `b24throttle_${randomBytes(6).toString('hex')}`
  const apps: App[] = []
  const servers: FastifyInstance[] = []
  const clock = fixedClock(TEST_START_MS)

  async function adminQuery(text: string): Promise<void> {
    const client = new pg.Client({ connectionString: POSTGRES_URL })
    await client.connect()
    try {
      await client.query(text)
    } finally {
      await client.end()
    }
  }

  beforeAll(async () => {
    await adminQuery(`create database ${name}`)
    const url = new URL(POSTGRES_URL ?? '')
    url.pathname = `/${name}`
    for (let i = 0; i < 2; i++) {
      // Two stores (two pools) and two apps: each with its own in-process state, as two processes would.
      const store = await openStore({ kind: 'postgres', url: url.toString(), poolSize: 2 })
      const app = await createApp(loadConfig({ B24_DATA_DIR: '/nonexistent-b24crm-test' }), {
        clock,
        store,
        log: pino({ level: 'silent' }),
      })
      await ensureBootstrap(app.store, 'testhooksecret', clock.now())
      apps.push(app)
      servers.push(buildHttpServer(app))
    }
  })
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()))
    await Promise.all(apps.map((app) => app.close()))
    await adminQuery(`drop database if exists ${name}`)
  })

  it('share the count: failures spread over both add up, and both refuse the address', async () => {
    const [one, two] = servers as [FastifyInstance, FastifyInstance]
    await failTimes(one, 10, ATTACKER)
    await failTimes(two, maxFailures + 1 - 10, ATTACKER)
    expectRefused(await get(two, '/rest/1/testhooksecret/server.time', ATTACKER))
    // The first server saw this address fail, so it reads the shared row before admitting it.
    expectRefused(await get(one, '/rest/1/testhooksecret/server.time', ATTACKER))
    expect((await get(one, '/rest/1/testhooksecret/server.time', BYSTANDER)).statusCode).toBe(200)
  })

  it('a server that never saw the address fail learns of the block from its first failure there', async () => {
    clock.advance(windowMs + cooldownMs + 1)
    const [one, two] = servers as [FastifyInstance, FastifyInstance]
    const address = '192.0.2.44'
    await failTimes(one, maxFailures + 1, address)
    expectRefused(await get(one, '/rest/1/testhooksecret/server.time', address))
    // The documented gap: the second server's successful path does not read the store …
    expect((await get(two, '/rest/1/testhooksecret/server.time', address)).statusCode).toBe(200)
    // … but one more wrong guess there is counted against the shared row, and from then on it refuses too.
    expect((await get(two, WRONG_HOOK, address)).statusCode).toBe(401)
    expectRefused(await get(two, '/rest/1/testhooksecret/server.time', address))
  })
})
