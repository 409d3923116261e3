import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import pino from 'pino'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { createApp, type App } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { buildHttpServer } from '../../src/http/server.js'
import { fixedClock, type Clock } from '../../src/lib/clock.js'
import { ensureBootstrap } from '../../src/portal/bootstrap.js'
import { createUser } from '../../src/portal/users.js'
import { createWebhook, deleteWebhook, setWebhookScopes } from '../../src/portal/webhooks.js'
import { hashSecret } from '../../src/auth/secrets.js'
import { runCli } from '../../src/cli/run.js'
import { openStore, type Store, type StoreLocation } from '../../src/store/store.js'
import { POSTGRES_URL, STORE_KINDS } from '../helpers/test-store.js'
import { ADMIN_TOKEN, TEST_START_MS } from '../helpers/test-app.js'

/**
 * The per-process cache of credentials (src/auth/credential-cache.ts) must never let a call through that
 * the database would refuse: a webhook deleted, its scopes changed, its user deactivated, its portal
 * switched to HTTPS only, an OAuth application uninstalled — through this server's admin API or by another
 * process on the same database (here a second store handle, as the CLI or a second server would be) — is
 * refused on the very next request. Expiry is checked against the clock on every call.
 */
type Body = Record<string, unknown>

interface Instance {
  app: App
  http: FastifyInstance
  clock: Clock & { advance(ms: number): void }
  call(prefix: string, method: string, params?: Body): Promise<{ status: number; body: Body }>
  admin(method: InjectOptions['method'], url: string, body?: unknown): Promise<{ status: number; body: Body }>
}

const HOOK = 'authcachehook'
const HOOK_PREFIX = `/rest/1/${HOOK}/`

async function instance(store: Store): Promise<Instance> {
  const clock = fixedClock(TEST_START_MS)
  const config = { ...loadConfig({ B24_DATA_DIR: '/nonexistent-b24crm-test' }), adminToken: ADMIN_TOKEN }
  const app = await createApp(config, { clock, store, log: pino({ level: 'silent' }) })
  await ensureBootstrap(app.store, HOOK, clock.now())
  const http = buildHttpServer(app, { adminToken: { token: ADMIN_TOKEN, source: 'test' } })
  await http.ready()
  const json = async (options: InjectOptions) => {
    const response = await http.inject(options)
    return { status: response.statusCode, body: response.json() as Body }
  }
  return {
    app,
    http,
    clock,
    call: (prefix, method, params = {}) =>
      json({
        method: 'POST',
        url: `${prefix}${method}`,
        payload: params,
        headers: { 'content-type': 'application/json' },
      }),
    admin: (method, url, body) =>
      json({
        method,
        url: `/_admin${url}`,
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      }),
  }
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

describe.each(STORE_KINDS)('credential cache, two processes on one database (%s)', (kind) => {
  /** the server under test */
  let a: Instance
  /** "another process": a second store handle on the same database, with its own admin API */
  let b: Instance
  let sqliteFile: string | undefined
  /** what the CLI needs to open the same database */
  let cliEnv: Record<string, string>
  let dispose: () => Promise<void>

  // One database for the whole file (each test makes its own webhooks and applications).
  beforeAll(async () => {
    let location: StoreLocation
    let cleanup: () => Promise<void>
    if (kind === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'b24-auth-cache-'))
      sqliteFile = join(dir, 'b24crm.sqlite')
      location = { kind: 'sqlite', file: sqliteFile }
      cliEnv = { B24_DATA_DIR: dir }
      cleanup = () => Promise.resolve(rmSync(dir, { recursive: true, force: true }))
    } else {
      const name = `b24test_${randomBytes(6).toString('hex')}`
      await adminQuery(`create database ${name}`)
      const url = new URL(POSTGRES_URL ?? '')
      url.pathname = `/${name}`
      location = { kind: 'postgres', url: url.toString(), poolSize: 3 }
      cliEnv = { B24_DATA_DIR: '/nonexistent-b24crm-test', B24_DATABASE_URL: url.toString() }
      cleanup = () => adminQuery(`drop database if exists ${name} with (force)`)
    }
    a = await instance(await openStore(location))
    b = await instance(await openStore(location))
    dispose = async () => {
      for (const i of [a, b]) {
        await i.http.close()
        await i.app.close()
      }
      await cleanup()
    }
  })
  afterAll(async () => {
    await dispose()
  })

  /** Calls twice, so that the second call is served from the cache where there is one. */
  async function warm(prefix: string, method = 'server.time', params: Body = {}): Promise<void> {
    for (let i = 0; i < 2; i++) {
      const answer = await a.call(prefix, method, params)
      expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    }
  }

  async function newWebhook(scopes?: string[]): Promise<{ id: number; prefix: string }> {
    const created = await a.admin('POST', '/portals/1/webhooks', { userId: 1, ...(scopes ? { scopes } : {}) })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    return { id: created.body['id'] as number, prefix: created.body['path'] as string }
  }

  it('refuses a webhook deleted through the admin API on the next request', async () => {
    const { id, prefix } = await newWebhook()
    await warm(prefix)
    expect((await a.admin('DELETE', `/portals/1/webhooks/${id}`)).status).toBe(200)
    const refused = await a.call(prefix, 'server.time')
    expect(refused.status).toBe(401)
    expect(refused.body['error']).toBe('INVALID_CREDENTIALS')
  })

  it('refuses a webhook another process deleted on the next request', async () => {
    const { id, prefix } = await newWebhook()
    await warm(prefix)
    expect(await deleteWebhook(b.app.store.db, 1, id)).toBe(true)
    expect((await a.call(prefix, 'server.time')).body['error']).toBe('INVALID_CREDENTIALS')
  })

  it('refuses a webhook another process revoked through its admin API', async () => {
    const { id, prefix } = await newWebhook()
    await warm(prefix)
    expect((await b.admin('DELETE', `/portals/1/webhooks/${id}`)).status).toBe(200)
    expect((await a.call(prefix, 'server.time')).body['error']).toBe('INVALID_CREDENTIALS')
  })

  it('refuses a webhook the CLI deleted on the next request', async () => {
    const { id, prefix } = await newWebhook()
    await warm(prefix)
    let stderr = ''
    const code = await runCli(
      ['webhook', 'delete', '--id', String(id)],
      { ...cliEnv, B24_ADMIN_TOKEN: ADMIN_TOKEN },
      { stdout: () => undefined, stderr: (text) => void (stderr += text) },
    )
    expect(code, stderr).toBe(0)
    expect((await a.call(prefix, 'server.time')).body['error']).toBe('INVALID_CREDENTIALS')
  })

  it('applies scopes changed by another process and by this one', async () => {
    const { id, prefix } = await newWebhook(['crm'])
    await warm(prefix, 'crm.item.list', { entityTypeId: 1 })
    await setWebhookScopes(b.app.store.db, id, ['user'])
    expect((await a.call(prefix, 'crm.item.list', { entityTypeId: 1 })).body['error']).toBe(
      'insufficient_scope',
    )
    expect((await a.call(prefix, 'user.current')).status).toBe(200)
    await setWebhookScopes(a.app.store.db, id, ['crm'])
    expect((await a.call(prefix, 'crm.item.list', { entityTypeId: 1 })).status).toBe(200)
    expect((await a.call(prefix, 'user.current')).body['error']).toBe('insufficient_scope')
  })

  it('refuses the webhook of a user deactivated by another process, and serves it once reactivated', async () => {
    const user = await createUser(a.app.store, a.app.store.db, 1, { name: 'Emp' }, TEST_START_MS)
    const { code } = await createWebhook(a.app.store.db, { portalId: 1, userId: user.id }, TEST_START_MS)
    const prefix = `/rest/${user.id}/${code}/`
    await warm(prefix)
    const setActive = (via: Instance, active: number) =>
      via.app.store.db
        .updateTable('portal_user')
        .set({ active })
        .where('portal_id', '=', 1)
        .where('id', '=', user.id)
        .execute()
    await setActive(b, 0)
    expect((await a.call(prefix, 'server.time')).body['error']).toBe('INVALID_CREDENTIALS')
    await setActive(a, 1)
    expect((await a.call(prefix, 'server.time')).status).toBe(200)
    await setActive(a, 0)
    expect((await a.call(prefix, 'server.time')).body['error']).toBe('INVALID_CREDENTIALS')
  })

  it('checks the user id of the URL against the cached webhook on every call', async () => {
    await warm(HOOK_PREFIX)
    expect((await a.call(`/rest/2/${HOOK}/`, 'server.time')).body['error']).toBe('INVALID_CREDENTIALS')
    expect((await a.call(HOOK_PREFIX, 'server.time')).status).toBe(200)
  })

  it('expires a cached webhook when the clock passes its expiry', async () => {
    const expiresAt = new Date(TEST_START_MS + 3_600_000).toISOString()
    const created = await a.admin('POST', '/portals/1/webhooks', { userId: 1, expiresAt })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const prefix = created.body['path'] as string
    await warm(prefix)
    a.clock.advance(3_600_000)
    expect((await a.call(prefix, 'server.time')).body['error']).toBe('INVALID_CREDENTIALS')
  })

  it('applies portal changes of this process and of another one to the next request', async () => {
    await warm(HOOK_PREFIX)
    // HTTPS only, through this server's admin API: a plain-HTTP call is refused at once.
    expect((await a.admin('PATCH', '/portals/1/settings', { requireHttps: true })).status).toBe(200)
    expect((await a.call(HOOK_PREFIX, 'server.time')).body['error']).toBe('INVALID_REQUEST')
    expect((await b.admin('PATCH', '/portals/1/settings', { requireHttps: false })).status).toBe(200)
    expect((await a.call(HOOK_PREFIX, 'server.time')).status).toBe(200)
    // The time zone (printed by server.time), changed by another process.
    await b.app.store.db.updateTable('portal').set({ time_zone_offset: 180 }).where('id', '=', 1).execute()
    expect((await a.call(HOOK_PREFIX, 'server.time')).body['result']).toMatch(/\+03:00$/)
  })

  it('refuses an OAuth token whose application another process or this one uninstalled', async () => {
    const created = await a.admin('POST', '/portals/1/apps', { title: 'Cache', scopes: ['crm', 'user'] })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const appId = created.body['id'] as number
    const minted = await a.admin('POST', `/portals/1/apps/${appId}/tokens`, {})
    expect(minted.status, JSON.stringify(minted.body)).toBe(201)
    const token = minted.body['access_token'] as string
    await warm('/rest/', 'server.time', { auth: token })
    expect((await b.admin('POST', `/portals/1/apps/${appId}/uninstall`)).status).toBe(200)
    expect((await a.call('/rest/', 'server.time', { auth: token })).body['error']).toBe(
      'APPLICATION_NOT_FOUND',
    )
    // Installed again by this process: the application is back, the token stays revoked by the uninstall.
    expect((await a.admin('POST', `/portals/1/apps/${appId}/install`)).status).toBe(200)
    expect((await a.call('/rest/', 'server.time', { auth: token })).body['error']).toBe('invalid_token')
    const fresh = (await a.admin('POST', `/portals/1/apps/${appId}/tokens`, {})).body[
      'access_token'
    ] as string
    await warm('/rest/', 'server.time', { auth: fresh })
    expect((await a.admin('POST', `/portals/1/apps/${appId}/uninstall`)).status).toBe(200)
    expect((await a.call('/rest/', 'server.time', { auth: fresh })).body['error']).toBe(
      'APPLICATION_NOT_FOUND',
    )
  })

  it('refuses a cached OAuth token once its hour is over or another process revoked it', async () => {
    const created = await a.admin('POST', '/portals/1/apps', { title: 'Cache', scopes: ['crm', 'user'] })
    const appId = created.body['id'] as number
    const mint = async () =>
      (await a.admin('POST', `/portals/1/apps/${appId}/tokens`, {})).body['access_token'] as string
    const first = await mint()
    await warm('/rest/', 'server.time', { auth: first })
    a.clock.advance(3_600_000)
    expect((await a.call('/rest/', 'server.time', { auth: first })).body['error']).toBe('expired_token')
    const second = await mint()
    await warm('/rest/', 'server.time', { auth: second })
    await b.app.store.db
      .updateTable('oauth_token')
      .set({ revoked_at: '2026-01-15T10:00:00Z', revoked_reason: 'revoked' })
      .where('access_token_hash', '=', hashSecret(second))
      .execute()
    expect((await a.call('/rest/', 'server.time', { auth: second })).body['error']).toBe('invalid_token')
  })

  /** Runs `fn` and returns the SQL text of the statements the stores ran meanwhile (counted at the drivers). */
  async function statementsOf(fn: () => Promise<void>): Promise<string[]> {
    const seen: string[] = []
    const probe = new BetterSqlite3(':memory:')
    const statement = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, unknown>
    probe.close()
    const all = statement['all'] as (...args: unknown[]) => unknown
    statement['all'] = function (this: { source: string }, ...args: unknown[]) {
      seen.push(this.source)
      return all.apply(this, args)
    }
    const query = pg.Client.prototype.query as (...args: unknown[]) => unknown
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const first = args[0]
      seen.push(typeof first === 'string' ? first : String((first as { text?: string }).text))
      return query.apply(this, args)
    } as typeof pg.Client.prototype.query
    try {
      await fn()
    } finally {
      statement['all'] = all
      pg.Client.prototype.query = query as typeof pg.Client.prototype.query
    }
    return seen
  }
  const webhookReads = (seen: string[]) => seen.filter((text) => text.includes('"webhook"'))

  it('serves a repeated webhook call without reading the user again (SQLite: without any query)', async () => {
    await warm(HOOK_PREFIX)
    const warmCall = await statementsOf(async () => {
      expect((await a.call(HOOK_PREFIX, 'server.time')).status).toBe(200)
    })
    if (kind === 'sqlite') {
      expect(webhookReads(warmCall)).toEqual([])
      // A commit by another connection (here to an unrelated row) makes the webhook be read again, without
      // its user, whose configuration version has not moved.
      const other = new BetterSqlite3(sqliteFile ?? '')
      other.prepare("update portal set name = 'Renamed' where id = 1").run()
      other.close()
    }
    const afterForeignWrite = await statementsOf(async () => {
      expect((await a.call(HOOK_PREFIX, 'server.time')).status).toBe(200)
    })
    expect(webhookReads(afterForeignWrite)).toHaveLength(1)
    expect(webhookReads(afterForeignWrite)[0]).not.toContain('portal_user')
  })

  it('refuses a cached OAuth token of a user another process deactivated, and reads only the token after', async () => {
    const user = await createUser(a.app.store, a.app.store.db, 1, { name: 'OAuth' }, TEST_START_MS)
    const created = await a.admin('POST', '/portals/1/apps', { title: 'Users', scopes: ['crm', 'user'] })
    const appId = created.body['id'] as number
    const minted = await a.admin('POST', `/portals/1/apps/${appId}/tokens`, { userId: user.id })
    expect(minted.status, JSON.stringify(minted.body)).toBe(201)
    const token = minted.body['access_token'] as string
    await warm('/rest/', 'server.time', { auth: token })
    const warmCall = await statementsOf(async () => {
      expect((await a.call('/rest/', 'server.time', { auth: token })).status).toBe(200)
    })
    const tokenReads = warmCall.filter((text) => text.includes('"oauth_token"'))
    expect(tokenReads).toHaveLength(kind === 'sqlite' ? 0 : 1)
    expect(warmCall.filter((text) => text.includes('"portal_user"'))).toEqual([])
    await b.app.store.db
      .updateTable('portal_user')
      .set({ active: 0 })
      .where('portal_id', '=', 1)
      .where('id', '=', user.id)
      .execute()
    const refused = await a.call('/rest/', 'server.time', { auth: token })
    expect(refused.status).toBe(401)
    expect(refused.body['error']).toBe('authorization_error')
  })
})
