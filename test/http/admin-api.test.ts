import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InjectOptions } from 'fastify'
import { ADMIN_TOKEN, TEST_START_MS, createTestApp, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import { isLoopback } from '../../src/http/admin-api.js'
import { KNOWN_SCOPES } from '../../src/auth/scopes.js'

/**
 * The admin HTTP API (/_admin/…) through the real Fastify edge: the guard (loopback + token), the JSON
 * contract, and — the point of it all — that what it creates works on the REST edge right away.
 */

interface Reply {
  status: number
  body: Record<string, unknown>
  headers: Record<string, unknown>
}

function adminClient(t: TestApp) {
  return async (
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
    options: { headers?: Record<string, string>; remoteAddress?: string; raw?: string } = {},
  ): Promise<Reply> => {
    const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body))
    const response = await t.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(payload === undefined ? {} : { payload }),
      ...(options.remoteAddress === undefined ? {} : { remoteAddress: options.remoteAddress }),
    })
    return {
      status: response.statusCode,
      body: response.json() as Record<string, unknown>,
      headers: response.headers,
    }
  }
}

describe('isLoopback', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.3.4', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.1', false],
    ['192.168.1.10', false],
    ['::ffff:10.0.0.1', false],
    ['fe80::1', false],
    ['', false],
    ['not an address', false],
  ])('%s → %s', (address, expected) => {
    expect(isLoopback(address)).toBe(expected)
  })
})

describe.each(STORE_KINDS)('admin API on %s', (storeKind) => {
  let t: TestApp
  let admin: ReturnType<typeof adminClient>
  beforeAll(async () => {
    t = await createTestApp({ store: storeKind })
    admin = adminClient(t)
  })
  afterAll(async () => {
    await t.close()
  })

  /** A portal of its own, with a webhook for its admin (user 1) and every scope. */
  async function portalWithWebhook(
    domain: string,
    webhook: Record<string, unknown> = {},
  ): Promise<{ portalId: number; prefix: string; code: string; webhookId: number }> {
    const portal = await admin('POST', '/_admin/portals', { domain, name: domain })
    expect(portal.status).toBe(201)
    const portalId = portal.body['id'] as number
    const created = await admin('POST', `/_admin/portals/${portalId}/webhooks`, { userId: 1, ...webhook })
    expect(created.status).toBe(201)
    return {
      portalId,
      prefix: created.body['path'] as string,
      code: created.body['code'] as string,
      webhookId: created.body['id'] as number,
    }
  }

  describe('guard', () => {
    it('refuses a request without a token with 401 ADMIN_UNAUTHORIZED', async () => {
      const response = await t.inject({ method: 'GET', url: '/_admin/portals' })
      expect(response.statusCode).toBe(401)
      expect(response.json()).toMatchObject({ error: 'ADMIN_UNAUTHORIZED' })
      expect(String(response.json<{ error_description: string }>().error_description)).toContain(
        'X-B24-Admin-Token',
      )
      expect(response.headers['www-authenticate']).toContain('Bearer')
      expect(response.headers['content-type']).toContain('application/json')
    })

    it.each([
      ['a wrong bearer token', { authorization: 'Bearer nope' }],
      ['a bearer token of another length', { authorization: `Bearer ${ADMIN_TOKEN}x` }],
      ['a prefix of the token', { authorization: `Bearer ${ADMIN_TOKEN.slice(0, 5)}` }],
      ['a wrong X-B24-Admin-Token', { 'x-b24-admin-token': 'nope' }],
    ])('refuses %s with 401', async (_label, headers) => {
      const response = await t.inject({ method: 'GET', url: '/_admin/portals', headers })
      expect(response.statusCode).toBe(401)
      expect(response.json()).toEqual({ error: 'ADMIN_UNAUTHORIZED', error_description: 'Wrong admin token' })
    })

    it('does not read the token from another auth scheme', async () => {
      const response = await t.inject({
        method: 'GET',
        url: '/_admin/portals',
        headers: { authorization: `Basic ${ADMIN_TOKEN}` },
      })
      expect(response.statusCode).toBe(401)
      expect(response.json()).toMatchObject({ error: 'ADMIN_UNAUTHORIZED' })
    })

    it('takes the token as a bearer token or in X-B24-Admin-Token', async () => {
      for (const headers of [
        { authorization: `Bearer ${ADMIN_TOKEN}` },
        { authorization: `bearer ${ADMIN_TOKEN}` },
        { 'x-b24-admin-token': ADMIN_TOKEN },
      ]) {
        const response = await t.inject({ method: 'GET', url: '/_admin/portals', headers })
        expect(response.statusCode).toBe(200)
      }
    })

    it('answers 403 to a client that is not on loopback, even with the right token', async () => {
      for (const remoteAddress of ['10.0.0.7', '192.168.1.20', '::ffff:10.0.0.7', '2001:db8::1']) {
        const reply = await admin('GET', '/_admin/portals', undefined, { remoteAddress })
        expect(reply.status).toBe(403)
        expect(reply.body['error']).toBe('ADMIN_FORBIDDEN')
        expect(reply.body['error_description']).toContain('B24_ADMIN_ALLOW_REMOTE')
      }
      // Nothing about the token leaks to a remote client: a wrong one gets the same 403.
      const wrong = await t.inject({ method: 'GET', url: '/_admin/portals', remoteAddress: '10.0.0.7' })
      expect(wrong.statusCode).toBe(403)
    })

    it('admits every loopback form', async () => {
      for (const remoteAddress of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) {
        expect((await admin('GET', '/_admin/portals', undefined, { remoteAddress })).status).toBe(200)
      }
    })

    it('guards unknown admin paths too, and answers them with a JSON 404', async () => {
      expect((await t.inject({ method: 'GET', url: '/_admin/nothing' })).statusCode).toBe(401)
      expect(
        (await t.inject({ method: 'GET', url: '/_admin/nothing', remoteAddress: '10.0.0.1' })).statusCode,
      ).toBe(403)
      for (const [method, url] of [
        ['GET', '/_admin/nothing'],
        ['GET', '/_admin'],
        ['PUT', '/_admin/portals'],
        ['DELETE', '/_admin/portals/1'],
      ] as const) {
        const reply = await admin(method, url)
        expect(reply.status).toBe(404)
        expect(reply.body['error']).toBe('ADMIN_NOT_FOUND')
      }
    })
  })

  describe('portals', () => {
    it('lists the default portal made at start-up', async () => {
      const reply = await admin('GET', '/_admin/portals')
      expect(reply.status).toBe(200)
      const portals = reply.body['portals'] as Record<string, unknown>[]
      expect(portals[0]).toMatchObject({ id: 1, domain: 'b24crm.local', adminUserId: 1, timeZoneOffset: 0 })
    })

    it('creates a portal with its administrator as user 1 and shows it', async () => {
      const reply = await admin('POST', '/_admin/portals', {
        domain: 'Acme.Example.Test',
        name: 'Acme',
        timeZoneOffset: 180,
        settings: { requireHttps: false },
      })
      expect(reply.status).toBe(201)
      expect(reply.body).toMatchObject({
        domain: 'acme.example.test',
        name: 'Acme',
        timeZoneOffset: 180,
        settings: { requireHttps: false },
        adminUserId: 1,
      })
      expect(reply.body['memberId']).toMatch(/^[0-9a-f]{32}$/)
      const id = reply.body['id'] as number

      const shown = await admin('GET', `/_admin/portals/${id}`)
      expect(shown.status).toBe(200)
      expect(shown.body).toEqual(reply.body)

      const users = await admin('GET', `/_admin/portals/${id}/users`)
      expect(users.body['users']).toEqual([
        expect.objectContaining({
          id: 1,
          portalId: id,
          isAdmin: true,
          active: true,
          email: 'admin@acme.example.test',
        }),
      ])
      const listed = (await admin('GET', '/_admin/portals')).body['portals'] as { id: number }[]
      expect(listed.map((p) => p.id)).toContain(id)
    })

    it('creates a portal from an empty body with a generated domain', async () => {
      const reply = await admin('POST', '/_admin/portals')
      expect(reply.status).toBe(201)
      expect(reply.body['domain']).toMatch(/^portal-[0-9a-f]{8}\.b24crm\.local$/)
    })

    it('refuses a domain that is taken with 409 PORTAL_EXISTS', async () => {
      expect((await admin('POST', '/_admin/portals', { domain: 'twice.test' })).status).toBe(201)
      const again = await admin('POST', '/_admin/portals', { domain: 'TWICE.test' })
      expect(again.status).toBe(409)
      expect(again.body['error']).toBe('PORTAL_EXISTS')
    })

    it.each([
      [{ timeZoneOffset: 'x' }, 'timeZoneOffset: must be a whole number of minutes east of UTC'],
      [{ timeZoneOffset: 2000 }, 'timeZoneOffset: must be between -720 and 840 minutes'],
      [{ domain: 'not a host!' }, 'domain: must be a host name'],
      [{ name: '' }, 'name: must not be empty'],
      [{ colour: 'red' }, 'Unrecognized key: "colour"'],
      [{ settings: { requireHttps: 'yes' } }, 'settings.requireHttps: must be true or false'],
      [{ settings: { nope: true } }, 'Unrecognized key: "nope"'],
    ])('answers 400 INVALID_INPUT to %j', async (body, message) => {
      const reply = await admin('POST', '/_admin/portals', body)
      expect(reply.status).toBe(400)
      expect(reply.body['error']).toBe('INVALID_INPUT')
      expect(reply.body['error_description']).toContain(message)
      expect(Array.isArray(reply.body['issues'])).toBe(true)
    })

    it.each([
      ['{not json', 'The body is not valid JSON'],
      ['[1,2]', 'The body must be a JSON object'],
      ['null', 'The body must be a JSON object'],
      ['"text"', 'The body must be a JSON object'],
      ['{"domain": {"$gt": ""}}', 'domain:'],
      ['['.repeat(50_000), 'not valid JSON'],
    ])('answers 400 (never 500) to the body %s', async (raw, message) => {
      const reply = await admin('POST', '/_admin/portals', undefined, { raw })
      expect(reply.status).toBe(400)
      expect(reply.body['error']).toBe('INVALID_INPUT')
      expect(reply.body['error_description']).toContain(message)
    })

    it('answers 404 PORTAL_NOT_FOUND for a portal that does not exist', async () => {
      for (const url of [
        '/_admin/portals/999',
        '/_admin/portals/abc',
        '/_admin/portals/0',
        '/_admin/portals/999/users',
        '/_admin/portals/999/webhooks',
      ]) {
        const reply = await admin('GET', url)
        expect(reply.status).toBe(404)
        expect(reply.body['error']).toBe('PORTAL_NOT_FOUND')
      }
      const post = await admin('POST', '/_admin/portals/999/webhooks', { userId: 1 })
      expect(post.status).toBe(404)
      expect((await admin('PATCH', '/_admin/portals/999/settings', { requireHttps: true })).status).toBe(404)
    })

    it('switches requireHttps per portal, which the REST edge enforces at once', async () => {
      const { portalId, prefix } = await portalWithWebhook('https-only.test')
      const patched = await admin('PATCH', `/_admin/portals/${portalId}/settings`, { requireHttps: true })
      expect(patched.status).toBe(200)
      expect(patched.body['settings']).toEqual({ requireHttps: true })
      const refused = await t.call('server.time', {}, { prefix })
      expect(refused.status).toBe(400)
      expect(refused.body['error']).toBe('INVALID_REQUEST')
      // Absent keys keep their value; an empty patch changes nothing.
      expect((await admin('PATCH', `/_admin/portals/${portalId}/settings`, {})).body['settings']).toEqual({
        requireHttps: true,
      })
      await admin('PATCH', `/_admin/portals/${portalId}/settings`, { requireHttps: false })
      expect((await t.call('server.time', {}, { prefix })).status).toBe(200)
      const bad = await admin('PATCH', `/_admin/portals/${portalId}/settings`, { requireHttps: 1 })
      expect(bad.status).toBe(400)
      expect(bad.body['error_description']).toBe('requireHttps: must be true or false')
    })
  })

  describe('users', () => {
    it('creates users and lists them in id order', async () => {
      const portal = await admin('POST', '/_admin/portals', { domain: 'people.test' })
      const portalId = portal.body['id'] as number
      const ivan = await admin('POST', `/_admin/portals/${portalId}/users`, {
        name: 'Ivan',
        lastName: 'Petrov',
        email: 'ivan@people.test',
        departments: [1, 3],
        workPosition: 'Sales',
      })
      expect(ivan.status).toBe(201)
      expect(ivan.body).toEqual({
        id: 2,
        portalId,
        active: true,
        isAdmin: false,
        userType: 'employee',
        name: 'Ivan',
        lastName: 'Petrov',
        secondName: '',
        email: 'ivan@people.test',
        departments: [1, 3],
        workPosition: 'Sales',
        xmlId: '',
      })
      const guest = await admin('POST', `/_admin/portals/${portalId}/users`, {
        name: 'Guest',
        userType: 'extranet',
        active: false,
      })
      expect(guest.body).toMatchObject({ id: 3, userType: 'extranet', active: false, departments: [] })
      const boss = await admin('POST', `/_admin/portals/${portalId}/users`, { name: 'Boss', isAdmin: true })
      expect(boss.body).toMatchObject({ id: 4, isAdmin: true, departments: [1] })

      const list = await admin('GET', `/_admin/portals/${portalId}/users`)
      const users = list.body['users'] as { id: number; departments: number[] }[]
      expect(users.map((u) => [u.id, u.departments])).toEqual([
        [1, [1]],
        [2, [1, 3]],
        [3, []],
        [4, [1]],
      ])
    })

    it.each([
      [{ email: 'not-an-email' }, 'email: must be an e-mail address'],
      [{ userType: 'robot' }, 'userType: must be "employee" or "extranet"'],
      [{ departments: [0] }, 'departments.0: must be a department id'],
      [{ departments: 'x' }, 'departments:'],
      [{ userType: 'extranet', departments: [1] }, 'departments: extranet users belong to no department'],
      [{ userType: 'extranet', isAdmin: true }, 'isAdmin: an extranet user cannot be an administrator'],
      [{ isAdmin: 'yes' }, 'isAdmin: must be true or false'],
      [{ password: 'x' }, 'Unrecognized key: "password"'],
    ])('answers 400 INVALID_INPUT to %j', async (body, message) => {
      const reply = await admin('POST', '/_admin/portals/1/users', body)
      expect(reply.status).toBe(400)
      expect(reply.body['error']).toBe('INVALID_INPUT')
      expect(reply.body['error_description']).toContain(message)
    })
  })

  describe('webhooks', () => {
    it('creates a webhook whose URL works on the REST edge at once', async () => {
      const portal = await admin('POST', '/_admin/portals', { domain: 'hooked.test', timeZoneOffset: 120 })
      const portalId = portal.body['id'] as number
      const created = await admin(
        'POST',
        `/_admin/portals/${portalId}/webhooks`,
        { userId: 1, title: 'CI', scopes: ['user', 'crm', 'crm'] },
        { headers: { host: 'crm.local:8080' } },
      )
      expect(created.status).toBe(201)
      const code = created.body['code'] as string
      expect(code).toMatch(/^[a-z0-9]{16}$/)
      expect(created.body).toMatchObject({
        portalId,
        userId: 1,
        title: 'CI',
        scopes: ['crm', 'user'],
        expiresAt: null,
        expired: false,
        active: true,
        path: `/rest/1/${code}/`,
        url: `http://crm.local:8080/rest/1/${code}/`,
      })
      expect(created.headers['cache-control']).toBe('no-store')

      const time = await t.call('server.time', {}, { prefix: created.body['path'] as string })
      expect(time.status).toBe(200)
      // The portal's own time zone: proof the call ran as this portal, not the default one.
      expect(time.body['result']).toBe('2026-01-15T12:00:00+02:00')

      // The code is never shown again.
      const listed = await admin('GET', `/_admin/portals/${portalId}/webhooks`)
      expect(listed.status).toBe(200)
      const webhooks = listed.body['webhooks'] as Record<string, unknown>[]
      expect(webhooks).toEqual([
        {
          id: created.body['id'],
          portalId,
          userId: 1,
          title: 'CI',
          scopes: ['crm', 'user'],
          expiresAt: null,
          expired: false,
          active: true,
        },
      ])
      expect(JSON.stringify(listed.body)).not.toContain(code)
    })

    it('gives every scope when none are named', async () => {
      const { prefix } = await portalWithWebhook('all-scopes.test')
      const scope = await t.call('scope', {}, { prefix })
      expect(scope.status).toBe(200)
      expect(scope.body['result']).toEqual(expect.arrayContaining(['crm', 'user']))
    })

    it("takes a code of the caller's choosing and refuses one already in use with 409", async () => {
      const portal = await admin('POST', '/_admin/portals', { domain: 'chosen.test' })
      const portalId = portal.body['id'] as number
      const created = await admin('POST', `/_admin/portals/${portalId}/webhooks`, {
        userId: 1,
        code: 'my-own_code1',
      })
      expect(created.status).toBe(201)
      expect(created.body['code']).toBe('my-own_code1')
      expect((await t.call('server.time', {}, { prefix: '/rest/1/my-own_code1/' })).status).toBe(200)

      const again = await admin('POST', '/_admin/portals/1/webhooks', { userId: 1, code: 'my-own_code1' })
      expect(again.status).toBe(409)
      expect(again.body['error']).toBe('WEBHOOK_CODE_TAKEN')
      // The bootstrap webhook's code is taken too, though it was never shown through this API.
      expect(
        (await admin('POST', '/_admin/portals/1/webhooks', { userId: 1, code: 'testhooksecret' })).status,
      ).toBe(409)
    })

    it.each([
      [{}, 'userId: must be the id of a user of the portal'],
      [{ userId: '1' }, 'userId: must be the id of a user of the portal'],
      [{ userId: 1, scopes: ['crm', 'telephony'] }, 'scopes.1: unknown scope "telephony"; known scopes: '],
      [{ userId: 1, scopes: 'crm' }, 'scopes:'],
      [{ userId: 1, expiresAt: 'tomorrow' }, 'expiresAt: must be an ISO 8601 date-time'],
      [{ userId: 1, code: 'has/slash' }, 'code: may contain only letters, digits'],
      [{ userId: 1, code: '' }, 'code: may contain only letters, digits'],
      [{ userId: 1, secret: 'x' }, 'Unrecognized key: "secret"'],
    ])('answers 400 INVALID_INPUT to %j', async (body, message) => {
      const reply = await admin('POST', '/_admin/portals/1/webhooks', body)
      expect(reply.status).toBe(400)
      expect(reply.body['error']).toBe('INVALID_INPUT')
      expect(reply.body['error_description']).toContain(message)
    })

    it('lists every known scope in the error for an unknown one', async () => {
      const reply = await admin('POST', '/_admin/portals/1/webhooks', { userId: 1, scopes: ['nope'] })
      for (const scope of KNOWN_SCOPES) expect(reply.body['error_description']).toContain(scope)
    })

    it('answers 404 USER_NOT_FOUND for a user the portal does not have', async () => {
      const reply = await admin('POST', '/_admin/portals/1/webhooks', { userId: 999 })
      expect(reply.status).toBe(404)
      expect(reply.body).toMatchObject({
        error: 'USER_NOT_FOUND',
        error_description: 'Portal 1 has no user 999',
      })
    })

    it('makes a webhook that expires: INVALID_CREDENTIALS from its expiry on', async () => {
      const expiresAt = new Date(TEST_START_MS + 60 * 60 * 1000).toISOString()
      const { prefix } = await portalWithWebhook('expiring.test', { expiresAt })
      try {
        expect((await t.call('server.time', {}, { prefix })).status).toBe(200)
        t.clock.advance(60 * 60 * 1000)
        const expired = await t.call('server.time', {}, { prefix })
        expect(expired.status).toBe(401)
        expect(expired.body['error']).toBe('INVALID_CREDENTIALS')
      } finally {
        t.clock.set(TEST_START_MS)
      }
    })

    it('accepts an expiry with an offset and one already past (useful to test expiry handling)', async () => {
      const offset = await admin('POST', '/_admin/portals/1/webhooks', {
        userId: 1,
        expiresAt: '2026-01-15T13:30:00+03:00',
      })
      expect(offset.status).toBe(201)
      expect(offset.body['expiresAt']).toBe('2026-01-15T10:30:00.000Z')
      expect(offset.body['expired']).toBe(false)

      const past = await admin('POST', '/_admin/portals/1/webhooks', {
        userId: 1,
        expiresAt: '2020-01-01T00:00:00Z',
      })
      expect(past.status).toBe(201)
      expect(past.body['expired']).toBe(true)
      const refused = await t.call('server.time', {}, { prefix: past.body['path'] as string })
      expect(refused.body['error']).toBe('INVALID_CREDENTIALS')
      const listed = (await admin('GET', '/_admin/portals/1/webhooks')).body['webhooks'] as {
        id: number
        expired: boolean
      }[]
      expect(listed.find((w) => w.id === past.body['id'])?.expired).toBe(true)
    })

    it("keeps portals apart: a second portal's webhook sees only that portal", async () => {
      // Portal 1 gets a user 2 that the new portal does not have.
      const colleague = await admin('POST', '/_admin/portals/1/users', { name: 'Only', lastName: 'InOne' })
      expect(colleague.status).toBe(201)
      const colleagueId = colleague.body['id'] as number
      const { prefix } = await portalWithWebhook('isolated.test')

      expect((await t.call('server.time', {}, { prefix })).status).toBe(200)
      const me = await t.call('user.current', {}, { prefix })
      expect(me.status).toBe(200)
      expect(me.body['result']).toMatchObject({ ID: '1', EMAIL: 'admin@isolated.test' })
      const other = await t.call('user.get', { ID: colleagueId }, { prefix })
      expect(other.status).toBe(200)
      expect(other.body['result']).toEqual([])
      // … while the default portal's webhook does see that user.
      const own = await t.call('user.get', { ID: colleagueId })
      expect((own.body['result'] as unknown[]).length).toBe(1)
    })

    it('acts as the user it belongs to', async () => {
      const portal = await admin('POST', '/_admin/portals', { domain: 'acting.test' })
      const portalId = portal.body['id'] as number
      const user = await admin('POST', `/_admin/portals/${portalId}/users`, {
        name: 'Anna',
        email: 'anna@acting.test',
      })
      const userId = user.body['id'] as number
      const created = await admin('POST', `/_admin/portals/${portalId}/webhooks`, { userId })
      expect(created.body['path']).toBe(`/rest/${userId}/${created.body['code'] as string}/`)
      const me = await t.call('user.current', {}, { prefix: created.body['path'] as string })
      expect(me.body['result']).toMatchObject({ ID: String(userId), NAME: 'Anna', EMAIL: 'anna@acting.test' })
      // Under another user's id in the URL, the code is worthless.
      const wrong = await t.call('user.current', {}, { prefix: `/rest/1/${created.body['code'] as string}/` })
      expect(wrong.body['error']).toBe('INVALID_CREDENTIALS')
    })

    it('enforces the scopes it was given: crm only → insufficient_scope on a user method', async () => {
      const { prefix } = await portalWithWebhook('crm-only.test', { scopes: ['crm'] })
      expect((await t.call('server.time', {}, { prefix })).status).toBe(200)
      const refused = await t.call('user.current', {}, { prefix })
      expect(refused.status).toBe(403)
      expect(refused.body['error']).toBe('insufficient_scope')
      const scope = await t.call('scope', {}, { prefix })
      expect(scope.body['result']).toEqual(['crm'])
    })

    it('deletes a webhook: its URL stops working at once', async () => {
      const { portalId, prefix, webhookId } = await portalWithWebhook('deleting.test')
      expect((await t.call('server.time', {}, { prefix })).status).toBe(200)
      // Another portal's id does not reach it.
      const elsewhere = await admin('DELETE', `/_admin/portals/1/webhooks/${webhookId}`)
      expect(elsewhere.status).toBe(404)
      expect(elsewhere.body['error']).toBe('WEBHOOK_NOT_FOUND')

      const deleted = await admin('DELETE', `/_admin/portals/${portalId}/webhooks/${webhookId}`)
      expect(deleted.status).toBe(200)
      expect(deleted.body).toEqual({ id: webhookId, deleted: true })
      const refused = await t.call('server.time', {}, { prefix })
      expect(refused.status).toBe(401)
      expect(refused.body['error']).toBe('INVALID_CREDENTIALS')
      expect((await admin('GET', `/_admin/portals/${portalId}/webhooks`)).body['webhooks']).toEqual([])

      expect((await admin('DELETE', `/_admin/portals/${portalId}/webhooks/${webhookId}`)).status).toBe(404)
      expect((await admin('DELETE', `/_admin/portals/${portalId}/webhooks/abc`)).body['error']).toBe(
        'WEBHOOK_NOT_FOUND',
      )
    })
  })
})

describe('admin API with B24_ADMIN_ALLOW_REMOTE=1', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ env: { B24_ADMIN_ALLOW_REMOTE: '1' } })
  })
  afterAll(async () => {
    await t.close()
  })

  it('answers remote clients that hold the token, and still refuses those that do not', async () => {
    const allowed = await t.inject({
      method: 'GET',
      url: '/_admin/portals',
      remoteAddress: '203.0.113.9',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    expect(allowed.statusCode).toBe(200)
    const refused = await t.inject({ method: 'GET', url: '/_admin/portals', remoteAddress: '203.0.113.9' })
    expect(refused.statusCode).toBe(401)
  })
})
