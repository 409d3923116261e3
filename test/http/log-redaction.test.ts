import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { createApp, type App } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { fixedClock } from '../../src/lib/clock.js'
import { createLogger } from '../../src/lib/log.js'
import { redactParams, redactText, redactUrl } from '../../src/lib/redact.js'
import { buildHttpServer } from '../../src/http/server.js'
import { ensureBootstrap } from '../../src/portal/bootstrap.js'
import { openStore } from '../../src/store/store.js'
import { TEST_START_MS } from '../helpers/test-app.js'

/**
 * "No credential ever written to logs": the server's own logger (lib/log.ts) captured through a destination
 * stream while requests carry secrets in the path, the query, the body and the headers and fail in the ways
 * that log (errors at the HTTP edge, in the core, in the token endpoint and the admin API).
 */

const SECRETS = {
  webhook: 'hooksecretAAAA1111',
  token: 'accesstokenBBBB2222',
  clientSecret: 'clientsecretCCCC3333',
  refresh: 'refreshtokenDDDD4444',
  code: 'authcodeEEEE5555',
  admin: 'admintokenFFFF6666',
  password: 'passwordGGGG7777',
  appToken: 'apptokenHHHH8888',
}

describe('redactUrl', () => {
  it.each([
    ['/rest/1/abc123/crm.deal.add', '/rest/1/[redacted]/crm.deal.add'],
    ['/rest/1/abc123/crm.deal.add.json?id=5', '/rest/1/[redacted]/crm.deal.add.json?id=5'],
    ['//rest//7//abc123/x/', '//rest//7//[redacted]/x/'],
    ['/REST/1/abc123/', '/REST/1/[redacted]/'],
    ['/rest/api/1/abc123/tasks.task.get', '/rest/api/1/[redacted]/tasks.task.get'],
    [
      '/rest/1/abc123/crm.controller.item.getFile/?fileId=2',
      '/rest/1/[redacted]/crm.controller.item.getFile/?fileId=2',
    ],
    ['/rest/crm.deal.list?auth=abc&start=50', '/rest/crm.deal.list?auth=[redacted]&start=50'],
    [
      '/rest/oauth/token/?client_secret=s&code=c&client_id=app.1',
      '/rest/oauth/token/?client_secret=[redacted]&code=[redacted]&client_id=app.1',
    ],
    [
      '/oauth/token/?grant_type=refresh_token&refresh_token=r',
      '/oauth/token/?grant_type=refresh_token&refresh_token=[redacted]',
    ],
    [
      '/x?auth%5Baccess_token%5D=t&ACCESS_TOKEN=t&auth[application_token]=t',
      '/x?auth%5Baccess_token%5D=[redacted]&ACCESS_TOKEN=[redacted]&auth[application_token]=[redacted]',
    ],
    ['/rest/server.time', '/rest/server.time'],
    ['/_admin/portals?x=1', '/_admin/portals?x=1'],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected)
  })
})

describe('redactParams and redactText', () => {
  it('masks secret parameters at any depth and keeps the rest', () => {
    expect(
      redactParams({
        auth: 'a',
        fields: { TITLE: 'Deal', PASSWORD: 'p' },
        list: [{ refresh_token: 'r' }, 'plain'],
        'auth[access_token]': 't',
      }),
    ).toEqual({
      auth: '[redacted]',
      fields: { TITLE: 'Deal', PASSWORD: '[redacted]' },
      list: [{ refresh_token: '[redacted]' }, 'plain'],
      'auth[access_token]': '[redacted]',
    })
  })

  it('masks webhook paths, secret pairs and bearer tokens in free text', () => {
    expect(
      redactText(
        'GET http://h/rest/1/abc/crm.deal.add?auth=t1&id=2 failed; Authorization: Bearer t2; body client_secret=s',
      ),
    ).toBe(
      'GET http://h/rest/1/[redacted]/crm.deal.add?auth=[redacted]&id=2 failed; Authorization: Bearer [redacted]; body client_secret=[redacted]',
    )
  })
})

describe('the server log', () => {
  const lines: string[] = []
  let app: App
  let http: FastifyInstance
  let broken: App
  let brokenHttp: FastifyInstance

  const output = (): string => lines.join('')
  const expectNoSecret = (): void => {
    for (const [name, secret] of Object.entries(SECRETS)) {
      expect(output(), `the ${name} secret`).not.toContain(secret)
    }
  }

  beforeAll(async () => {
    const log = createLogger('info', { write: (line: string) => void lines.push(line) })
    const clock = fixedClock(TEST_START_MS)
    const config = { ...loadConfig({ B24_DATA_DIR: '/nonexistent-b24crm-test' }), adminToken: SECRETS.admin }
    app = await createApp(config, {
      clock,
      log,
      store: await openStore({ kind: 'sqlite', file: ':memory:' }),
    })
    await ensureBootstrap(app.store, SECRETS.webhook, clock.now())
    http = buildHttpServer(app, { adminToken: { token: SECRETS.admin, source: 'test' } })
    // A failure at the HTTP edge itself, whatever its cause: the edge logs the URL it could not serve.
    http.addHook('preHandler', async (request) => {
      if (request.url.includes('edge.boom')) throw new Error(`could not serve ${request.url}`)
    })
    await http.ready()

    // A server whose store is gone: every step that touches it fails with an unexpected error.
    broken = await createApp(config, {
      clock,
      log,
      store: await openStore({ kind: 'sqlite', file: ':memory:' }),
    })
    brokenHttp = buildHttpServer(broken, { adminToken: { token: SECRETS.admin, source: 'test' } })
    await brokenHttp.ready()
    await broken.store.close()
  })
  afterAll(async () => {
    await http.close()
    await brokenHttp.close()
    await app.close()
  })

  it('masks the webhook code and query secrets of a URL the HTTP edge fails on', async () => {
    const answer = await http.inject({
      method: 'POST',
      url: `/rest/1/${SECRETS.webhook}/edge.boom?auth=${SECRETS.token}&access_token=${SECRETS.token}&id=7`,
      headers: {
        authorization: `Bearer ${SECRETS.token}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: `client_secret=${SECRETS.clientSecret}&password=${SECRETS.password}`,
    })
    expect(answer.statusCode).toBe(500)
    expect(output()).toContain('request failed at the HTTP edge')
    expect(output()).toContain('/rest/1/[redacted]/edge.boom?auth=[redacted]&access_token=[redacted]&id=7')
    expectNoSecret()
  })

  it('logs the errors of a broken store without the credentials of the calls that met them', async () => {
    const before = lines.length
    const calls = [
      // the core: authentication fails on the store → INTERNAL_SERVER_ERROR, logged with the request id
      brokenHttp.inject({
        method: 'GET',
        url: `/rest/1/${SECRETS.webhook}/crm.deal.list?filter[PASSWORD]=${SECRETS.password}`,
      }),
      brokenHttp.inject({
        method: 'POST',
        url: '/rest/crm.deal.add',
        headers: { authorization: `Bearer ${SECRETS.token}`, 'content-type': 'application/json' },
        payload: { auth: SECRETS.token, fields: { TITLE: 'x' } },
      }),
      // the token endpoint: the client lookup fails → the HTTP edge logs the URL
      brokenHttp.inject({
        method: 'GET',
        url: `/oauth/token/?grant_type=authorization_code&client_id=app.x&client_secret=${SECRETS.clientSecret}&code=${SECRETS.code}`,
      }),
      brokenHttp.inject({
        method: 'POST',
        url: `/oauth/token/?client_secret=${SECRETS.clientSecret}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `grant_type=refresh_token&client_id=app.x&client_secret=${SECRETS.clientSecret}&refresh_token=${SECRETS.refresh}`,
      }),
      // the admin API: the operation fails → logged with the URL
      brokenHttp.inject({
        method: 'GET',
        url: `/_admin/portals?admin_token=${SECRETS.admin}&auth[application_token]=${SECRETS.appToken}`,
        headers: { authorization: `Bearer ${SECRETS.admin}` },
      }),
      brokenHttp.inject({
        method: 'POST',
        url: '/_admin/portals/1/webhooks',
        headers: { 'x-b24-admin-token': SECRETS.admin, 'content-type': 'application/json' },
        payload: { userId: 1, code: SECRETS.code },
      }),
    ]
    for (const answer of await Promise.all(calls)) expect(answer.statusCode).toBe(500)
    const logged = lines.slice(before).join('')
    expect(logged).toContain('unhandled error while handling a call')
    expect(logged).toContain('admin API request failed')
    expect(logged).toContain('client_secret=[redacted]&code=[redacted]')
    expect(logged).toContain('admin_token=[redacted]&auth[application_token]=[redacted]')
    expect(lines.length - before).toBeGreaterThanOrEqual(6)
    expectNoSecret()
  })

  it('logs a source refused by the brute-force throttle by its address only', async () => {
    for (let i = 0; i < 21; i++) {
      await http.inject({
        method: 'GET',
        url: `/rest/1/${SECRETS.webhook}x/server.time?auth=${SECRETS.token}`,
        remoteAddress: '203.0.113.50',
      })
    }
    expect(output()).toContain('too many failed authentications')
    expect(output()).toContain('"source":"203.0.113.50"')
    expectNoSecret()
  })

  it('masks secrets in whatever a future log call passes: objects, headers, params, error messages', () => {
    const error = Object.assign(
      new Error(`GET /rest/1/${SECRETS.webhook}/x?auth=${SECRETS.token} failed (Bearer ${SECRETS.token})`),
      { code: 'SQLITE_BUSY', client_secret: SECRETS.clientSecret },
    )
    app.log.error(
      {
        err: error,
        url: `/rest/1/${SECRETS.webhook}/crm.deal.add`,
        headers: { authorization: `Bearer ${SECRETS.token}`, 'x-b24-admin-token': SECRETS.admin },
        request: { headers: { authorization: SECRETS.token, cookie: SECRETS.password } },
        params: { auth: SECRETS.token, code: SECRETS.code, fields: { PASSWORD: SECRETS.password } },
        body: { refresh_token: SECRETS.refresh },
        query: { 'auth[access_token]': SECRETS.token },
        oauth: { client_secret: SECRETS.clientSecret, refresh_token: SECRETS.refresh },
        access_token: SECRETS.token,
        adminToken: SECRETS.admin,
      },
      'a future log call',
    )
    const line = lines.at(-1) ?? ''
    expect(line).toContain('a future log call')
    // An error's own code is not a secret and stays readable.
    expect(JSON.parse(line)).toMatchObject({ err: { code: 'SQLITE_BUSY', client_secret: '[redacted]' } })
    expectNoSecret()
  })
})
