import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { ADMIN_TOKEN, createTestApp, type CallResult, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import { userHook } from '../helpers/item-fixtures.js'
import { createRegistry } from '../../src/methods/define-method.js'
import { ALL_METHODS } from '../../src/methods/index.js'
import { createWebhook } from '../../src/portal/webhooks.js'

/**
 * Who may call what, over EVERY registered method: each of the callers below gets its documented error and
 * changes nothing.
 *
 * 1. no credentials — 401 NO_AUTH_FOUND (system-errors.md);
 * 2. a wrong webhook code — 401 INVALID_CREDENTIALS;
 * 3. an expired OAuth token — 401 expired_token (minted with `expiresIn: 0`, as test/http/oauth.test.ts);
 * 4. an OAuth token and a webhook without the method's scope — 403 insufficient_scope (methods of scope
 *    `basic` are open to every credential and skip this case);
 * 5. an employee whose only CRM role has no rights — the error of the method's family for a refused right
 *    (crm.item.*: ACCESS_DENIED; crm.status.*: "Access denied."; legacy crm.lead|deal|contact|company.*:
 *    "Access denied." with an empty code …), or the method's normal answer where it needs no CRM right.
 *
 * Parameters are valid for each method (a table keyed by method name, `{}` otherwise), so that the refusal
 * comes from the layer under test and not from parameter checks. "Changes nothing" compares the rows of the
 * tables a call could write before and after.
 */

type Body = Record<string, unknown>

const METHODS = createRegistry(ALL_METHODS).list()

/** Tables a refused call must not touch. */
const WATCHED_TABLES = [
  'crm_item',
  'crm_status',
  'crm_category',
  'crm_type',
  'crm_multifield',
  'crm_relation',
  'webhook',
  'outbox',
  'crm_role',
  'crm_role_permission',
  'department',
  'user_department',
  'portal_user',
  'oauth_token',
] as const

type Expectation =
  | { kind: 'error'; status: number; error: string | number; description: string }
  /** the method's normal answer: it needs no CRM right */
  | { kind: 'ok'; check?: (body: Body) => void }
  /** not classified here: no server error, nothing changed */
  | { kind: 'any' }

const ITEM_DENIED: Expectation = {
  kind: 'error',
  status: 400,
  error: 'ACCESS_DENIED',
  description: 'Access denied',
}
const VIEW_DENIED: Expectation = {
  kind: 'error',
  status: 400,
  error: 'ACCESS_DENIED',
  description: 'You do not have permission to view this item',
}
const LEGACY_DENIED: Expectation = { kind: 'error', status: 400, error: '', description: 'Access denied.' }
const STATUS_DENIED: Expectation = {
  kind: 'error',
  status: 400,
  error: 'Access denied.',
  description: 'No permission to perform the operation.',
}

/** What a user without any CRM right gets from each method. */
function noRightExpectation(method: string): Expectation {
  const table: Record<string, Expectation> = {
    'crm.item.add': ITEM_DENIED,
    'crm.item.update': ITEM_DENIED,
    'crm.item.delete': ITEM_DENIED,
    'crm.item.get': VIEW_DENIED,
    'crm.item.fields': VIEW_DENIED,
    // "CRM object items will not be included in the final selection" — an empty list, not an error.
    'crm.item.list': {
      kind: 'ok',
      check: (body) => {
        expect(body['result']).toEqual({ items: [] })
        expect(body['total']).toBe(0)
      },
    },
    'crm.category.add': ITEM_DENIED,
    'crm.category.update': ITEM_DENIED,
    'crm.category.delete': ITEM_DENIED,
    'crm.category.get': ITEM_DENIED,
    'crm.category.list': { kind: 'ok', check: (body) => expect(body['result']).toEqual({ categories: [] }) },
    'crm.category.fields': { kind: 'ok' },
    'crm.type.add': ITEM_DENIED,
    'crm.type.update': ITEM_DENIED,
    'crm.type.delete': ITEM_DENIED,
    'crm.type.list': ITEM_DENIED,
    'crm.type.get': ITEM_DENIED,
    'crm.type.getByEntityTypeId': ITEM_DENIED,
    'crm.type.fields': { kind: 'error', status: 400, error: 'ACCESS_DENIED', description: 'Access Denied' },
    'crm.status.add': LEGACY_DENIED,
    'crm.status.update': STATUS_DENIED,
    'crm.status.delete': STATUS_DENIED,
    'crm.status.get': STATUS_DENIED,
    'crm.status.list': STATUS_DENIED,
    'crm.status.entity.items': { kind: 'ok' },
    'crm.status.entity.types': { kind: 'ok' },
    'crm.status.fields': { kind: 'ok' },
    'crm.stagehistory.list': { kind: 'ok' },
    'userfieldconfig.add': { kind: 'error', status: 400, error: '', description: 'Access denied' },
    'userfieldconfig.update': {
      kind: 'error',
      status: 400,
      error: '',
      description: 'You cannot change the settings of the user field',
    },
    'userfieldconfig.delete': {
      kind: 'error',
      status: 400,
      error: '',
      description: 'You cannot delete the user field',
    },
    'userfieldconfig.get': {
      kind: 'error',
      status: 400,
      error: '',
      description: 'You do not have permission to view user field settings',
    },
    // Lists only the fields of objects the caller may read.
    'userfieldconfig.list': { kind: 'ok', check: (body) => expect(body['result']).toEqual({ fields: [] }) },
    'userfieldconfig.getTypes': { kind: 'ok' },
    'crm.currency.base.get': { kind: 'ok' },
    'crm.currency.fields': { kind: 'ok' },
    'crm.currency.get': { kind: 'ok' },
    'crm.currency.list': { kind: 'ok' },
    'user.current': { kind: 'ok' },
    'user.get': { kind: 'ok' },
    'department.get': { kind: 'ok' },
    'server.time': { kind: 'ok' },
    methods: { kind: 'ok' },
    profile: { kind: 'ok' },
    scope: { kind: 'ok' },
    // batch itself needs no right; its command carries the refusal.
    batch: {
      kind: 'ok',
      check: (body) => {
        const result = body['result'] as { result_error: Record<string, Body> }
        expect(result.result_error['a']).toEqual({
          error: 'ACCESS_DENIED',
          error_description: 'Access denied',
        })
      },
    },
  }
  const known = table[method]
  if (known !== undefined) return known
  // Custom fields of the legacy families: "Access denied." with the pages' 403 (crm-lead-userfield-*.md).
  if (/^crm\.(lead|deal|contact|company)\.userfield\./.test(method)) {
    return { kind: 'error', status: 403, error: '', description: 'Access denied.' }
  }
  // The relation field descriptions: "Who can execute the method: any user" (crm-deal-contact-fields.md …).
  if (/^crm\.(lead|deal|contact|company)\.[a-z]+\.fields$/.test(method)) return { kind: 'ok' }
  // The legacy REST classes check CCrmPerms::IsAccessEnabled before anything else (server-behaviour.md §2
  // item 46), crm.deal.fields included: no read right anywhere is "Access denied." with an empty code.
  if (/^crm\.(lead|deal|contact|company)\./.test(method)) return LEGACY_DENIED
  // Custom-field type and settings descriptions need no right.
  if (/^crm\.userfield\./.test(method)) return { kind: 'ok' }
  return { kind: 'any' }
}

describe.each(STORE_KINDS)('the access matrix over every method (%s)', (storeKind) => {
  let t: TestApp
  let params: (method: string) => Body
  let noRightPrefix: string
  let noScopeHookPrefix: string
  let expiredToken: string
  /** tokens whose scopes miss `crm` and `user`+`department` respectively */
  let userOnlyToken: string
  let crmOnlyToken: string

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
  const ok = (response: CallResult): Body => {
    if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${JSON.stringify(response.body)}`)
    return response.body['result'] as Body
  }
  const tokenFor = async (scopes: string[], expiresIn?: number): Promise<string> => {
    const app = await admin('POST', '/apps', { title: `matrix ${scopes.join(',')}`, scopes })
    expect(app.status).toBe(201)
    const pair = await admin('POST', `/apps/${app.body['id'] as number}/tokens`, {
      ...(expiresIn === undefined ? {} : { expiresIn }),
    })
    expect(pair.status).toBe(201)
    return pair.body['access_token'] as string
  }
  const snapshot = async (): Promise<string> => {
    const parts: Record<string, unknown> = {}
    for (const table of WATCHED_TABLES) {
      parts[table] = (await sql<Body>`select * from ${sql.table(table)}`.execute(t.app.store.db)).rows
        .map((row) => JSON.stringify(row))
        .sort()
    }
    return JSON.stringify(parts)
  }

  beforeAll(async () => {
    // Every method is called with wrong credentials too, far more failures than the brute-force throttle allows.
    t = await createTestApp({ store: storeKind, env: { B24_AUTH_THROTTLE: 'off' } })
    // Fixtures the parameters point at, made by the administrator (the bootstrap webhook).
    const deal = ok(await t.call('crm.item.add', { entityTypeId: 2, fields: { title: 'Matrix deal' } }))
    const dealId = (deal['item'] as { id: number }).id
    const funnel = ok(
      await t.call('crm.category.add', { entityTypeId: 2, fields: { name: 'Matrix funnel' } }),
    )
    const funnelId = (funnel['category'] as { id: number }).id
    const type = ok(await t.call('crm.type.add', { fields: { title: 'Matrix process' } }))
    const { id: typeId, entityTypeId: spEntityTypeId } = type['type'] as { id: number; entityTypeId: number }
    const status = ok(
      await t.call('crm.status.add', {
        fields: { ENTITY_ID: 'SOURCE', STATUS_ID: 'MATRIX', NAME: 'Matrix' },
      }),
    )
    const statusId = status as unknown as number

    const table: Record<string, Body> = {
      batch: { halt: 0, cmd: { a: 'crm.item.add?entityTypeId=2&fields[title]=from+batch' } },
      'crm.item.add': { entityTypeId: 2, fields: { title: 'Matrix add' } },
      'crm.item.update': { entityTypeId: 2, id: dealId, fields: { title: 'Matrix changed' } },
      'crm.item.delete': { entityTypeId: 2, id: dealId },
      'crm.item.get': { entityTypeId: 2, id: dealId },
      'crm.item.list': { entityTypeId: 2 },
      'crm.item.fields': { entityTypeId: 2 },
      'crm.category.add': { entityTypeId: 2, fields: { name: 'Matrix add' } },
      'crm.category.update': { entityTypeId: 2, id: funnelId, fields: { name: 'Matrix changed' } },
      'crm.category.delete': { entityTypeId: 2, id: funnelId },
      'crm.category.get': { entityTypeId: 2, id: funnelId },
      'crm.category.list': { entityTypeId: 2 },
      'crm.category.fields': { entityTypeId: 2 },
      'crm.type.add': { fields: { title: 'Matrix add' } },
      'crm.type.update': { id: typeId, fields: { title: 'Matrix changed' } },
      'crm.type.delete': { id: typeId },
      'crm.type.get': { id: typeId },
      'crm.type.getByEntityTypeId': { entityTypeId: spEntityTypeId },
      'crm.status.add': { fields: { ENTITY_ID: 'SOURCE', STATUS_ID: 'MATRIX2', NAME: 'Matrix 2' } },
      'crm.status.update': { id: statusId, fields: { NAME: 'Matrix changed' } },
      'crm.status.delete': { id: statusId },
      'crm.status.get': { id: statusId },
      'crm.status.entity.items': { entityId: 'SOURCE' },
      'crm.currency.get': { id: 'USD' },
      'department.get': { ID: 1 },
    }
    // The other item types, and a custom field of each legacy family, where those methods exist.
    const registered = new Set(METHODS.map((m) => m.name))
    const ids: Record<string, number> = { deal: dealId }
    for (const [entity, entityTypeId] of [
      ['lead', 1],
      ['contact', 3],
      ['company', 4],
    ] as const) {
      const added = ok(
        await t.call('crm.item.add', { entityTypeId, fields: { title: 'Matrix', name: 'Matrix' } }),
      )
      ids[entity] = (added['item'] as { id: number }).id
    }
    for (const entity of ['lead', 'deal', 'contact', 'company']) {
      const id = ids[entity]
      table[`crm.${entity}.get`] = { id }
      table[`crm.${entity}.update`] = { id, fields: { TITLE: 'Matrix changed', NAME: 'Changed' } }
      table[`crm.${entity}.delete`] = { id }
      table[`crm.${entity}.add`] = { fields: { TITLE: 'Matrix add', NAME: 'Matrix' } }
      if (!registered.has(`crm.${entity}.userfield.add`)) continue
      const field = await t.call(`crm.${entity}.userfield.add`, {
        fields: { FIELD_NAME: 'MATRIX', USER_TYPE_ID: 'string' },
      })
      const fieldId = ok(field) as unknown as number
      table[`crm.${entity}.userfield.add`] = { fields: { FIELD_NAME: 'MATRIX_TWO', USER_TYPE_ID: 'string' } }
      table[`crm.${entity}.userfield.get`] = { id: fieldId }
      table[`crm.${entity}.userfield.update`] = { id: fieldId, fields: { EDIT_FORM_LABEL: 'Changed' } }
      table[`crm.${entity}.userfield.delete`] = { id: fieldId }
      if (entity === 'deal') {
        table['userfieldconfig.get'] = { moduleId: 'crm', id: fieldId }
        table['userfieldconfig.update'] = { moduleId: 'crm', id: fieldId, field: { mandatory: 'Y' } }
        table['userfieldconfig.delete'] = { moduleId: 'crm', id: fieldId }
      }
    }
    table['userfieldconfig.list'] = { moduleId: 'crm', filter: { entityId: 'CRM_DEAL' } }
    table['userfieldconfig.getTypes'] = { moduleId: 'crm' }
    table['userfieldconfig.add'] = {
      moduleId: 'crm',
      field: { entityId: 'CRM_DEAL', fieldName: 'UF_CRM_DEAL_MATRIX3', userTypeId: 'string' },
    }
    table['crm.stagehistory.list'] = { entityTypeId: 2 }
    table['crm.userfield.settings.fields'] = { type: 'string' }
    table['crm.userfield.enumeration.fields'] = {}
    params = (method) => table[method] ?? {}

    // Every employee keeps no CRM right from the fresh portal's role; the refused user holds one role
    // without rights.
    expect((await admin('PATCH', '/roles/1', { assignedTo: [] })).status).toBe(200)
    const noRight = await userHook(t, { name: 'No', lastName: 'Rights', departments: [1] })
    noRightPrefix = noRight.prefix
    expect(
      (await admin('POST', '/roles', { name: 'Nothing', assignedTo: [`U${noRight.userId}`] })).status,
    ).toBe(201)

    const { code } = await createWebhook(
      t.app.store.db,
      { portalId: 1, userId: 1, scopes: ['placement'] },
      t.clock.now(),
    )
    noScopeHookPrefix = `/rest/1/${code}/`
    expiredToken = await tokenFor(['crm', 'user', 'department'], 0)
    userOnlyToken = await tokenFor(['user'])
    crmOnlyToken = await tokenFor(['crm'])
  })
  afterAll(async () => {
    await t.close()
  })

  it('covers every registered method', () => {
    expect(METHODS.length).toBe(ALL_METHODS.length)
    expect(METHODS.length).toBeGreaterThan(30)
  })

  it.each(METHODS.map((m) => [m.name, m.scope] as const))('%s (scope %s)', async (name, scope) => {
    const before = await snapshot()
    const body = params(name)
    const expectError = async (
      response: CallResult,
      status: number,
      error: string | number,
      description: string,
      label: string,
    ) => {
      expect({ label, status: response.status, error: response.body['error'] }).toEqual({
        label,
        status,
        error,
      })
      expect(response.body['error_description']).toBe(description)
      expect(response.body['result']).toBeUndefined()
    }

    // 1. No credentials at all.
    await expectError(
      await t.call(name, body, { prefix: '/rest/' }),
      401,
      'NO_AUTH_FOUND',
      'Wrong authorization data',
      'no credentials',
    )
    // 2. A webhook code that does not exist (and one of another user).
    await expectError(
      await t.call(name, body, { prefix: '/rest/1/no-such-webhook-code/' }),
      401,
      'INVALID_CREDENTIALS',
      'Invalid request credentials',
      'wrong webhook',
    )
    await expectError(
      await t.call(name, body, { prefix: noRightPrefix.replace(/^\/rest\/\d+\//, '/rest/1/') }),
      401,
      'INVALID_CREDENTIALS',
      'Invalid request credentials',
      'webhook of another user',
    )
    // 3. An expired OAuth token.
    await expectError(
      await t.call(name, { ...body, auth: expiredToken }, { prefix: '/rest/' }),
      401,
      'expired_token',
      'The access token provided has expired',
      'expired token',
    )
    // 4. Credentials without the method's scope.
    if (scope !== 'basic') {
      const token = scope === 'crm' ? userOnlyToken : crmOnlyToken
      await expectError(
        await t.call(name, { ...body, auth: token }, { prefix: '/rest/' }),
        403,
        'insufficient_scope',
        'The request requires higher privileges than provided by the access token',
        'token without the scope',
      )
      await expectError(
        await t.call(name, body, { prefix: noScopeHookPrefix }),
        403,
        'insufficient_scope',
        'The request requires higher privileges than provided by the webhook token',
        'webhook without the scope',
      )
    }
    expect(await snapshot()).toBe(before)

    // 5. An employee whose role grants nothing.
    const response = await t.call(name, body, { prefix: noRightPrefix })
    const expected = noRightExpectation(name)
    switch (expected.kind) {
      case 'error':
        await expectError(response, expected.status, expected.error, expected.description, 'no right')
        break
      case 'ok':
        expect({ status: response.status, body: response.body['error'] }).toEqual({
          status: 200,
          body: undefined,
        })
        expected.check?.(response.body)
        break
      case 'any':
        expect(response.status).toBeLessThan(500)
        expect(response.body['error']).not.toBe('INTERNAL_SERVER_ERROR')
        break
    }
    expect(await snapshot()).toBe(before)
  })
})
