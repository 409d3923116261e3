import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pino from 'pino'
import { z } from 'zod'
import { createTestApp, TEST_WEBHOOK_CODE, type TestApp } from '../helpers/test-app.js'
import { createWebhook } from '../../src/portal/webhooks.js'
import { createUser } from '../../src/portal/users.js'
import { updatePortalSettings } from '../../src/portal/portal.js'
import { handleCall } from '../../src/protocol/handle-call.js'
import { createRegistry, defineMethod } from '../../src/methods/define-method.js'

/**
 * The protocol core through the real HTTP edge: the URL forms, encodings, envelope and auth errors of
 * research/client-contract.md §11 (the checklist every client relies on).
 */
let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(async () => {
  await t.close()
})

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

async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await t.inject({ method: 'GET', url })
  return { status: response.statusCode, body: response.json() as Record<string, unknown> }
}

describe('URL forms', () => {
  it.each([
    ['plain', `/rest/1/${TEST_WEBHOOK_CODE}/server.time`],
    ['.json suffix (pysdk, CRest)', `/rest/1/${TEST_WEBHOOK_CODE}/server.time.json`],
    ['trailing slash (phpsdk)', `/rest/1/${TEST_WEBHOOK_CODE}/server.time/`],
    ['duplicate slashes (jssdk OAuth)', `//rest//1/${TEST_WEBHOOK_CODE}//server.time`],
    ['any case (phpsdk lower-cases)', `/rest/1/${TEST_WEBHOOK_CODE}/SERVER.Time.JSON`],
    [
      'telemetry params',
      `/rest/1/${TEST_WEBHOOK_CODE}/server.time?bx24_request_id=x&bx24_sdk_ver=2.2.0&bx24_sdk_type=b24-js-sdk`,
    ],
  ])('%s reaches the method', async (_label, url) => {
    const { status, body } = await get(url)
    expect(status).toBe(200)
    expect(body['result']).toBe('2026-01-15T10:00:00+00:00')
  })

  it('answers ERROR_METHOD_NOT_FOUND (404) for an unknown method, before checking credentials', async () => {
    for (const url of [
      `/rest/1/${TEST_WEBHOOK_CODE}/crm.nothing.here`,
      '/rest/crm.nothing.here',
      '/rest/9/wrong/no.such',
    ]) {
      const { status, body } = await get(url)
      expect(status).toBe(404)
      expect(body).toEqual({ error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' })
    }
  })

  it('refuses the XML transport with a clear error', async () => {
    const { status, body } = await get(`/rest/1/${TEST_WEBHOOK_CODE}/server.time.xml`)
    expect(status).toBe(400)
    expect(body['error']).toBe('INVALID_REQUEST')
  })

  it('answers REST v3 calls with the v3 not-found error (no CRM method exists in v3)', async () => {
    const response = await t.inject({
      method: 'POST',
      url: `/rest/api/1/${TEST_WEBHOOK_CODE}/crm.item.get`,
      payload: {},
    })
    expect(response.statusCode).toBe(404)
    expect(response.json()).toMatchObject({
      error: { code: 'BITRIX_REST_V3_EXCEPTION_METHODNOTFOUNDEXCEPTION' },
    })
  })

  it('accepts a request line of several hundred kilobytes (@2bad sends whole batches in the URL)', async () => {
    const { status } = await get(`/rest/1/${TEST_WEBHOOK_CODE}/server.time?padding=${'x'.repeat(600_000)}`)
    expect(status).toBe(200)
  })

  it('tolerates the h2c upgrade headers phpsdk sends over plain HTTP', async () => {
    const response = await t.inject({
      method: 'POST',
      url: `/rest/1/${TEST_WEBHOOK_CODE}/server.time/`,
      headers: {
        upgrade: 'h2c',
        'http2-settings': 'AAMAAABkAAQCAAAAAAIAAAAB',
        'content-type': 'application/json',
      },
      payload: '{}',
    })
    expect(response.statusCode).toBe(200)
  })
})

describe('the envelope', () => {
  it('carries the full time object on every success, with dates in the portal offset', async () => {
    const { body } = await t.call('server.time')
    const time = body['time'] as Record<string, unknown>
    expect(Object.keys(time).sort()).toEqual([...TIME_KEYS].sort())
    expect(time['date_start']).toBe('2026-01-15T10:00:00+00:00')
    expect(time['start']).toBe(Date.UTC(2026, 0, 15, 10) / 1000)
    expect(typeof time['duration']).toBe('number')
    expect(time['operating']).toBe(0)
  })

  it('sends JSON with the headers the cloud sends', async () => {
    const response = await t.inject({ method: 'GET', url: `/rest/1/${TEST_WEBHOOK_CODE}/server.time` })
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(response.headers['access-control-allow-origin']).toBe('*')
  })

  it('puts no result and no time on errors', async () => {
    const { body } = await get('/rest/server.time')
    expect(Object.keys(body).sort()).toEqual(['error', 'error_description'])
  })

  it('prints the portal time zone offset', async () => {
    const other = await createTestApp()
    await updatePortalSettings(other.app.store.db, 1, {})
    await other.app.store.db.updateTable('portal').set({ time_zone_offset: 180 }).execute()
    const { body } = await other.call('server.time')
    expect(body['result']).toBe('2026-01-15T13:00:00+03:00')
    expect((body['time'] as Record<string, unknown>)['date_finish']).toBe('2026-01-15T13:00:00+03:00')
    await other.close()
  })
})

describe('authentication', () => {
  it('answers NO_AUTH_FOUND (401) without credentials', async () => {
    const { status, body } = await get('/rest/server.time')
    expect(status).toBe(401)
    expect(body).toEqual({ error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' })
  })

  // A token nobody issued is the authorization server's invalid_token (docs/compatibility.md; test/http/oauth.test.ts).
  it('answers invalid_token for a token nobody issued, from query, form body or JSON body', async () => {
    expect((await get('/rest/server.time?auth=nope')).body['error']).toBe('invalid_token')
    const form = await t.inject({
      method: 'POST',
      url: '/rest/server.time',
      payload: 'auth=nope',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(form.json()).toMatchObject({ error: 'invalid_token' })
    const json = await t.call('server.time', { auth: 'nope' }, { prefix: '/rest/' })
    expect(json.status).toBe(401)
  })

  it('answers INVALID_CREDENTIALS for a wrong code or a user id that is not the webhook owner', async () => {
    for (const prefix of [
      '/rest/1/wrongcode/',
      `/rest/2/${TEST_WEBHOOK_CODE}/`,
      `/rest/01x/${TEST_WEBHOOK_CODE}/`,
    ]) {
      const { status, body } = await t.call('server.time', {}, { prefix })
      expect(status).toBe(401)
      expect(body).toEqual({ error: 'INVALID_CREDENTIALS', error_description: 'Invalid request credentials' })
    }
  })

  it('refuses an expired webhook and accepts it before expiry', async () => {
    const { code } = await createWebhook(
      t.app.store.db,
      { portalId: 1, userId: 1, expiresAtMs: t.clock.now() + 60_000 },
      t.clock.now(),
    )
    expect((await t.call('server.time', {}, { prefix: `/rest/1/${code}/` })).status).toBe(200)
    t.clock.advance(60_000)
    const late = await t.call('server.time', {}, { prefix: `/rest/1/${code}/` })
    t.clock.advance(-60_000)
    expect(late.body['error']).toBe('INVALID_CREDENTIALS')
  })

  it('refuses a webhook whose user was deactivated', async () => {
    const user = await createUser(
      t.app.store,
      t.app.store.db,
      1,
      { name: 'Leaver', active: false },
      t.clock.now(),
    )
    const { code } = await createWebhook(t.app.store.db, { portalId: 1, userId: user.id }, t.clock.now())
    expect((await t.call('server.time', {}, { prefix: `/rest/${user.id}/${code}/` })).body['error']).toBe(
      'INVALID_CREDENTIALS',
    )
  })

  it('answers INVALID_REQUEST "Https required." on plain HTTP when the portal requires HTTPS', async () => {
    const strict = await createTestApp({ env: { B24_REQUIRE_HTTPS: '1' } })
    const { status, body } = await strict.call('server.time')
    expect(status).toBe(400)
    expect(body).toEqual({ error: 'INVALID_REQUEST', error_description: 'Https required.' })
    await strict.close()
  })
})

describe('bodies', () => {
  it('treats invalid JSON as an empty parameter set, as the real server does', async () => {
    const response = await t.inject({
      method: 'POST',
      url: `${t.hookPath}server.time`,
      payload: '{"broken": ',
      headers: { 'content-type': 'application/json' },
    })
    expect(response.statusCode).toBe(200)
  })

  it('answers an oversized body with 413 and a clear message', async () => {
    const small = await createTestApp({ env: { B24_BODY_LIMIT: '1024' } })
    const response = await small.inject({
      method: 'POST',
      url: `${small.hookPath}server.time`,
      payload: JSON.stringify({ x: 'y'.repeat(4096) }),
      headers: { 'content-type': 'application/json' },
    })
    expect(response.statusCode).toBe(413)
    expect(response.json()).toMatchObject({ error: 'REQUEST_ENTITY_TOO_LARGE' })
    expect((response.json() as { error_description: string }).error_description).toContain('1024 bytes')
    await small.close()
  })

  it('answers unknown paths with a JSON 404', async () => {
    const response = await t.inject({ method: 'GET', url: '/favicon.ico' })
    expect(response.statusCode).toBe(404)
    expect(response.json()).toMatchObject({ error: 'NOT_FOUND' })
  })
})

describe('the core, called directly', () => {
  const boom = defineMethod({
    name: 'test.boom',
    scope: 'basic',
    summary: 'throws a programming error',
    reference: '-',
    parity: 'full',
    params: z.object({}),
    handler: () => Promise.reject(new TypeError('x is undefined')),
  })
  const needsInt = defineMethod({
    name: 'test.int',
    scope: 'crm',
    summary: 'needs an integer',
    reference: '-',
    parity: 'full',
    params: z.object({ id: z.number().int() }),
    handler: (params) => Promise.resolve(params.id),
  })

  it('turns a genuine bug into INTERNAL_SERVER_ERROR with the request id, and logs it', async () => {
    const lines: string[] = []
    const log = pino({ level: 'error' }, { write: (line: string) => lines.push(line) })
    const services = { ...t.app, log, registry: createRegistry([boom, needsInt]) }
    const response = await handleCall(services, {
      methodName: 'test.boom',
      params: {},
      credentials: { kind: 'webhook', userId: '1', code: TEST_WEBHOOK_CODE },
      transport: { secure: false, host: 'x', remoteAddress: '127.0.0.1' },
      requestId: 'req-42',
      receivedAtMs: t.clock.now(),
    })
    expect(response.status).toBe(500)
    expect(response.body).toEqual({
      error: 'INTERNAL_SERVER_ERROR',
      error_description: 'Internal server error (request req-42)',
    })
    expect(lines.join('')).toContain('req-42')
    expect(lines.join('')).toContain('x is undefined')
  })

  it('answers INVALID_ARG_VALUE for parameters that do not fit the schema', async () => {
    const services = { ...t.app, registry: createRegistry([boom, needsInt]) }
    const response = await handleCall(services, {
      methodName: 'TEST.INT',
      params: { id: 'abc' },
      credentials: { kind: 'webhook', userId: '1', code: TEST_WEBHOOK_CODE },
      transport: { secure: false, host: 'x', remoteAddress: '127.0.0.1' },
      requestId: 'r',
      receivedAtMs: t.clock.now(),
    })
    expect(response.status).toBe(400)
    expect(response.body).toMatchObject({ error: 'INVALID_ARG_VALUE' })
  })

  it('refuses a registry with a method declared twice', () => {
    expect(() => createRegistry([boom, { ...boom, name: 'TEST.BOOM' }])).toThrow('declared twice')
  })
})
