import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { createTestApp, TEST_START_MS, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import { createUser, type NewUser } from '../../src/portal/users.js'
import { createWebhook } from '../../src/portal/webhooks.js'

/**
 * crm.category.* (api-reference/crm/universal/category/) through the HTTP edge, on every store this run
 * covers. The tests share one portal and run in order.
 */

type Row = Record<string, unknown>

const field = (type: string, upperName: string, flags: { required?: boolean; readOnly?: boolean } = {}) => ({
  type,
  isRequired: flags.required === true,
  isReadOnly: flags.readOnly === true,
  isImmutable: false,
  isMultiple: false,
  isDynamic: false,
  title: upperName,
  upperName,
})

/** crm-category-fields.md, the deal example. */
const DOC_DEAL_FIELDS = {
  id: field('integer', 'ID', { readOnly: true }),
  name: field('string', 'NAME'),
  sort: field('integer', 'SORT'),
  entityTypeId: field('integer', 'ENTITY_TYPE_ID', { required: true, readOnly: true }),
  isDefault: field('boolean', 'IS_DEFAULT', { readOnly: true }),
  originId: field('string', 'ORIGIN_ID'),
  originatorId: field('string', 'ORIGINATOR_ID'),
}

const GENERAL_DEAL = { id: 0, name: 'General', sort: 300, entityTypeId: 2, isDefault: 'Y' }

describe.each(STORE_KINDS)('crm.category.* on %s', (storeKind) => {
  let t: TestApp
  let employee: string
  let extranet: string

  async function hookFor(input: NewUser): Promise<string> {
    const store = t.app.store
    const user = await createUser(store, store.db, 1, input, TEST_START_MS)
    const { code } = await createWebhook(store.db, { portalId: 1, userId: user.id }, TEST_START_MS)
    return `/rest/${user.id}/${code}/`
  }

  async function ok(method: string, params: Row = {}, prefix?: string): Promise<Row> {
    const { status, body } = await t.call(method, params, prefix === undefined ? {} : { prefix })
    expect(status, `${method} ${JSON.stringify(params)} → ${JSON.stringify(body)}`).toBe(200)
    return body
  }

  async function fails(method: string, params: Row, status: number, error: Row, prefix?: string) {
    const res = await t.call(method, params, prefix === undefined ? {} : { prefix })
    expect(res.status, `${method} ${JSON.stringify(params)}`).toBe(status)
    expect(res.body, `${method} ${JSON.stringify(params)}`).toStrictEqual(error)
  }

  async function categories(entityTypeId: number, extra: Row = {}): Promise<Row[]> {
    return ((await ok('crm.category.list', { entityTypeId, ...extra }))['result'] as { categories: Row[] })
      .categories
  }

  async function add(entityTypeId: number, fields: Row): Promise<Row> {
    return ((await ok('crm.category.add', { entityTypeId, fields }))['result'] as { category: Row }).category
  }

  async function stageDictionaries(): Promise<string[]> {
    return ((await ok('crm.status.entity.types'))['result'] as Row[]).map((x) => x['ID'] as string)
  }

  beforeAll(async () => {
    t = await createTestApp({ store: storeKind })
    employee = await hookFor({ name: 'Eve' })
    extranet = await hookFor({ name: 'Ext', userType: 'extranet' })
    await ok('crm.type.add', {
      fields: { title: 'Procurement', entityTypeId: 1152, isCategoriesEnabled: 'Y', isStagesEnabled: 'Y' },
    })
  })

  afterAll(async () => {
    await t.close()
  })

  it('crm.category.fields answers the crm-category-fields.md example for deals', async () => {
    expect((await ok('crm.category.fields', { entityTypeId: 2 }, employee))['result']).toStrictEqual({
      fields: DOC_DEAL_FIELDS,
    })
    const contact = ((await ok('crm.category.fields', { entityTypeId: 3 }))['result'] as { fields: Row })
      .fields
    expect(Object.keys(contact)).toEqual([
      'id',
      'name',
      'sort',
      'entityTypeId',
      'isDefault',
      'isSystem',
      'code',
    ])
    const spa = ((await ok('crm.category.fields', { entityTypeId: 1152 }))['result'] as { fields: Row })
      .fields
    expect(Object.keys(spa)).toEqual(['id', 'name', 'sort', 'entityTypeId', 'isDefault'])
    expect(spa['isDefault']).toMatchObject({ isReadOnly: false })
  })

  it('a new portal has the general funnel of deals, contacts, companies and invoices', async () => {
    const deals = await ok('crm.category.list', { entityTypeId: 2 }, employee)
    expect(deals['result']).toStrictEqual({ categories: [GENERAL_DEAL] })
    expect(deals['total']).toBe(1)
    for (const entityTypeId of [3, 4]) {
      expect(await categories(entityTypeId)).toStrictEqual([
        { id: 0, name: 'General', sort: 100, entityTypeId, isDefault: 'Y', isSystem: 'N' },
      ])
    }
    expect(await categories(31)).toStrictEqual([
      { id: 1, name: 'General', sort: 500, entityTypeId: 31, isDefault: 'Y' },
    ])
    expect((await ok('crm.category.get', { entityTypeId: '2', id: '0' }, employee))['result']).toStrictEqual({
      category: GENERAL_DEAL,
    })
  })

  it('crm.category.list answers the crm-category-list.md example after its funnels are added', async () => {
    const added = []
    for (const name of ['Funnel with Original Name', 'Lead Route', 'Path to Success']) {
      added.push(await add(2, { name, sort: 200 }))
    }
    const body = await ok('crm.category.list', { entityTypeId: 2 })
    expect(body['result']).toStrictEqual({
      categories: [
        ...added.map((c) => ({
          id: c['id'],
          name: c['name'],
          sort: 200,
          entityTypeId: 2,
          isDefault: 'N',
          originId: '',
          originatorId: '',
        })),
        GENERAL_DEAL,
      ],
    })
    expect(body['total']).toBe(4)
    // each got the next funnel id and its own C{n}: stages
    const ids = added.map((c) => c['id'] as number)
    expect(ids).toEqual([ids[0], ids[0]! + 1, ids[0]! + 2])
    const dictionaries = await stageDictionaries()
    for (const id of ids) expect(dictionaries).toContain(`DEAL_STAGE_${id}`)
    const stages = await ok('crm.status.list', { filter: { ENTITY_ID: `DEAL_STAGE_${ids[0]}` } })
    expect((stages['result'] as Row[]).map((s) => s['STATUS_ID'])).toEqual(
      [
        'NEW',
        'PREPARATION',
        'PREPAYMENT_INVOICE',
        'EXECUTING',
        'FINAL_INVOICE',
        'WON',
        'LOSE',
        'APOLOGY',
      ].map((code) => `C${ids[0]}:${code}`.slice(0, 21)),
    )
  })

  it('crm.category.get answers the crm-category-get.md example', async () => {
    const created = await add(2, { name: 'New funnel #1', sort: 200 })
    const body = await ok('crm.category.get', { entityTypeId: 2, id: created['id'] }, employee)
    expect(body['result']).toStrictEqual({
      category: {
        id: created['id'],
        name: 'New funnel #1',
        sort: 200,
        entityTypeId: 2,
        isDefault: 'N',
        originId: '',
        originatorId: '',
      },
    })
  })

  it('crm.category.add answers the crm-category-add.md example: a new default smart-process funnel', async () => {
    const [old] = await categories(1152)
    expect(old).toMatchObject({ name: 'General', isDefault: 'Y' })
    const { status, body } = await t.call('crm.category.add', {
      entityTypeId: 1152,
      fields: { name: 'New Default Funnel', sort: 50, isDefault: 'Y' },
    })
    expect(status).toBe(200)
    const category = (body['result'] as { category: Row }).category
    expect(category).toStrictEqual({
      id: category['id'],
      name: 'New Default Funnel',
      sort: 50,
      entityTypeId: 1152,
      isDefault: 'Y',
    })
    expect(await categories(1152)).toStrictEqual([
      category,
      { id: old!['id'], name: 'General', sort: 500, entityTypeId: 1152, isDefault: 'N' },
    ])
    // its stages: DYNAMIC_1152_STAGE_{id}, prefix DT1152_{id}
    const items = await ok('crm.status.entity.items', {
      entityId: `DYNAMIC_1152_STAGE_${category['id'] as number}`,
    })
    expect((items['result'] as Row[]).map((s) => s['STATUS_ID'])).toEqual(
      ['NEW', 'PREPARATION', 'CLIENT', 'SUCCESS', 'FAIL'].map(
        (c) => `DT1152_${category['id'] as number}:${c}`,
      ),
    )
    const types = ((await ok('crm.status.entity.types'))['result'] as Row[]).filter(
      (x) => x['ENTITY_TYPE_ID'] === 1152,
    )
    expect(types.map((x) => [x['NAME'], x['IS_DEFAULT_CATEGORY'], x['CATEGORY_SORT']])).toEqual([
      ['Procurement (New Default Funnel)', true, 50],
      ['Procurement (General)', false, 500],
    ])
  })

  it('crm.category.update answers the crm-category-update.md example and moves the default flag', async () => {
    const second = await add(1152, { name: 'Second' })
    expect(second).toMatchObject({ sort: 500, isDefault: 'N' })
    const body = await ok('crm.category.update', {
      entityTypeId: 1152,
      id: second['id'],
      fields: { name: 'New Funnel Name', sort: 1000, isDefault: 'Y' },
    })
    expect(body['result']).toStrictEqual({
      category: { id: second['id'], name: 'New Funnel Name', sort: 1000, entityTypeId: 1152, isDefault: 'Y' },
    })
    const list = await categories(1152)
    expect(list.filter((c) => c['isDefault'] === 'Y').map((c) => c['id'])).toEqual([second['id']])
    // the default funnel cannot be made non-default; fields left out stay
    const again = await ok('crm.category.update', {
      entityTypeId: 1152,
      id: second['id'],
      fields: { isDefault: 'N' },
    })
    expect((again['result'] as { category: Row }).category).toMatchObject({
      name: 'New Funnel Name',
      isDefault: 'Y',
    })
    // a negative sort becomes 0 (crm-category-update.md)
    const negative = await ok('crm.category.update', {
      entityTypeId: 1152,
      id: second['id'],
      fields: { sort: '-5' },
    })
    expect((negative['result'] as { category: Row }).category['sort']).toBe(0)
  })

  it('deals keep their default funnel; contacts and companies refuse a new default', async () => {
    const deal = await add(2, { name: 'Wants default', isDefault: 'Y', sort: -1 })
    expect(deal).toMatchObject({ isDefault: 'N', sort: 0 })
    const updated = await ok('crm.category.update', {
      entityTypeId: 2,
      id: deal['id'],
      fields: { isDefault: 'Y' },
    })
    expect((updated['result'] as { category: Row }).category['isDefault']).toBe('N')
    expect((await categories(2)).filter((c) => c['isDefault'] === 'Y').map((c) => c['id'])).toEqual([0])
    // the general funnel may be renamed; the stage dictionary shows it
    await ok('crm.category.update', { entityTypeId: 2, id: 0, fields: { name: 'Main' } })
    const types = (await ok('crm.status.entity.types'))['result'] as Row[]
    expect(types.find((x) => x['ID'] === 'DEAL_STAGE')?.['NAME']).toBe('Main deal stages')

    const clientError = {
      error: 0,
      error_description: 'Default client category does not support updating default state',
    }
    await fails(
      'crm.category.add',
      { entityTypeId: 3, fields: { name: 'Vendors', isDefault: 'Y' } },
      400,
      clientError,
    )
    const before = await stageDictionaries()
    const vendors = await add(3, { name: 'Partners' })
    expect(vendors).toStrictEqual({
      id: vendors['id'],
      name: 'Partners',
      sort: 500,
      entityTypeId: 3,
      isDefault: 'N',
      isSystem: 'N',
    })
    // contact funnels have no stages
    expect(await stageDictionaries()).toEqual(before)
    await fails(
      'crm.category.update',
      { entityTypeId: 3, id: vendors['id'], fields: { isDefault: 'Y' } },
      400,
      clientError,
    )
    expect((await add(4, { name: 'Suppliers' }))['entityTypeId']).toBe(4)
  })

  it('filters and orders the list (how-to-add-contractor.md filters by code)', async () => {
    await sql`insert into crm_category (portal_id, id, entity_type_id, name, sort, is_default, is_system, code, created_time)
      values (1, 900, 3, 'Vendor Contacts', 500, 0, 1, 'CATALOG_CONTRACTOR_CONTACT', '2026-01-15T10:00:00Z')`.execute(
      t.app.store.db,
    )
    expect(await categories(3, { filter: { code: 'CATALOG_CONTRACTOR_CONTACT' } })).toStrictEqual([
      {
        id: 900,
        name: 'Vendor Contacts',
        sort: 500,
        entityTypeId: 3,
        isDefault: 'N',
        isSystem: 'Y',
        code: 'CATALOG_CONTRACTOR_CONTACT',
      },
    ])
    const { status, body } = await t.call(
      'crm.category.list',
      { entityTypeId: 3, filter: { IS_SYSTEM: 'N' }, order: { id: 'DESC' } },
      { via: 'form' },
    )
    expect(status).toBe(200)
    const ids = (body['result'] as { categories: Row[] }).categories.map((c) => c['id'] as number)
    expect(ids).toEqual([...ids].sort((a, b) => b - a))
    expect(ids).toContain(0)
    expect(ids).not.toContain(900)
    expect((await categories(2, { filter: { '>sort': 250 } })).map((c) => c['id'])).toEqual([0])
    await fails('crm.category.list', { entityTypeId: 2, filter: { nope: 1 } }, 400, {
      error: 'INVALID_ARG_VALUE',
      error_description: "Invalid filter: field 'nope' is not allowed in filter",
    })
    await fails('crm.category.list', { entityTypeId: 2, order: { sort: 'sideways' } }, 400, {
      error: 'INVALID_ARG_VALUE',
      error_description:
        "Invalid order: allowed sort directions are ASC, DESC. But got 'sideways' for field 'sort'",
    })
  })

  it('resolves entityTypeId as the pages list: NOT_FOUND with each page`s wording, ENTITY_TYPE_NOT_SUPPORTED', async () => {
    const notFound: Array<[string, Row, string]> = [
      ['crm.category.add', { fields: { name: 'x' } }, 'SPA not found'],
      ['crm.category.update', { id: 1, fields: { name: 'x' } }, 'Smart process not found'],
      ['crm.category.get', { id: 1 }, 'SPA not found'],
      ['crm.category.list', {}, 'Smart process not found'],
      ['crm.category.delete', { id: 1 }, 'SPA not found'],
      ['crm.category.fields', {}, 'SPA not found'],
    ]
    for (const [method, params, message] of notFound) {
      for (const entityTypeId of [1500, 999, 0]) {
        await fails(method, { entityTypeId, ...params }, 400, {
          error: 'NOT_FOUND',
          error_description: message,
        })
      }
    }
    for (const [entityTypeId, name] of [
      [1, 'LEAD'],
      [7, 'QUOTE'],
      [5, 'INVOICE'],
    ] as const) {
      await fails('crm.category.list', { entityTypeId }, 400, {
        error: 'ENTITY_TYPE_NOT_SUPPORTED',
        error_description: `Entity type ${name} is not supported`,
      })
    }
    await fails('crm.category.list', {}, 400, {
      error: '100',
      error_description: 'Could not find value for parameter {entityTypeId}',
    })
    await fails('crm.category.get', { entityTypeId: 2 }, 400, {
      error: '100',
      error_description: 'Could not find value for parameter {id}',
    })
    await fails('crm.category.get', { entityTypeId: 2, id: 777 }, 400, {
      error: 'NOT_FOUND',
      error_description: 'Element not found',
    })
    await fails('crm.category.update', { entityTypeId: 2, id: 777, fields: { name: 'x' } }, 400, {
      error: 'NOT_FOUND',
      error_description: 'Element not found',
    })
  })

  it('crm.category.add validates the fields as crm-category-add.md lists', async () => {
    const required = { error: 0, error_description: "Field 'NAME' is required" }
    await fails('crm.category.add', { entityTypeId: 2 }, 400, {
      error: '100',
      error_description: 'Could not find value for parameter {fields}',
    })
    await fails('crm.category.add', { entityTypeId: 2, fields: { sort: 10 } }, 400, required)
    await fails('crm.category.add', { entityTypeId: 2, fields: { name: ' \t ' } }, 400, required)
    await fails('crm.category.update', { entityTypeId: 2, id: 0, fields: { name: '' } }, 400, required)
    await fails('crm.category.add', { entityTypeId: 2, fields: { name: 'x'.repeat(256) } }, 400, {
      error: 0,
      error_description: "Field 'NAME' must be no longer than 255 characters",
    })
    expect((await add(2, { name: 'я'.repeat(255) }))['name']).toBe('я'.repeat(255))
    await fails('crm.category.add', { entityTypeId: 1152, fields: { name: 'Sys', isSystem: 'Y' } }, 400, {
      error: 'ADDING_DISABLED',
      error_description: 'Adding a system category is prohibited',
    })
  })

  it('writes need a CRM admin; extranet users are refused everything', async () => {
    const denied = { error: 'ACCESS_DENIED', error_description: 'Access denied' }
    await fails('crm.category.add', { entityTypeId: 2, fields: { name: 'x' } }, 400, denied, employee)
    await fails(
      'crm.category.update',
      { entityTypeId: 2, id: 0, fields: { name: 'x' } },
      400,
      denied,
      employee,
    )
    await fails('crm.category.delete', { entityTypeId: 2, id: 0 }, 400, denied, employee)
    const intranet = {
      error: 'allowed_only_intranet_user',
      error_description: 'Action is allowed only for intranet users',
    }
    for (const method of [
      'crm.category.list',
      'crm.category.get',
      'crm.category.fields',
      'crm.category.add',
    ]) {
      await fails(method, { entityTypeId: 2, id: 0, fields: { name: 'x' } }, 403, intranet, extranet)
    }
  })

  it('crm.category.delete refuses default, system and non-empty funnels, then deletes with the stages', async () => {
    await fails('crm.category.delete', { entityTypeId: 2, id: 0 }, 400, {
      error: 0,
      error_description: 'Default deal category cannot be deleted',
    })
    const spaDefault = (await categories(1152)).find((c) => c['isDefault'] === 'Y')!
    await fails('crm.category.delete', { entityTypeId: 1152, id: spaDefault['id'] }, 400, {
      error: 'BX_ERROR',
      error_description: 'This funnel is the default funnel',
    })
    await fails('crm.category.delete', { entityTypeId: 3, id: 900 }, 400, {
      error: 'REMOVING_DISABLED',
      error_description: 'Deletion of system category is prohibited',
    })
    await fails('crm.category.delete', { entityTypeId: 3, id: 0 }, 400, {
      error: 'BX_ERROR',
      error_description: 'This funnel is the default funnel',
    })

    const deal = await add(2, { name: 'Busy funnel' })
    const dealId = deal['id'] as number
    await sql`insert into crm_item (portal_id, entity_type_id, id, category_id, stage_id) values (1, 2, 1, ${dealId}, ${`C${dealId}:NEW`})`.execute(
      t.app.store.db,
    )
    await fails('crm.category.delete', { entityTypeId: 2, id: dealId }, 400, {
      error: 0,
      error_description: 'Deals related to the funnel Busy funnel found',
    })
    const spa = await add(1152, { name: 'Busy SPA funnel' })
    const spaId = spa['id'] as number
    await sql`insert into crm_item (portal_id, entity_type_id, id, category_id) values (1, 1152, 1, ${spaId})`.execute(
      t.app.store.db,
    )
    await fails('crm.category.delete', { entityTypeId: 1152, id: spaId }, 400, {
      error: 'BX_ERROR',
      error_description: 'Elements related to the funnel found',
    })
    await sql`delete from crm_item where portal_id = 1`.execute(t.app.store.db)

    const body = await ok('crm.category.delete', { entityTypeId: 2, id: dealId })
    expect(body['result']).toBeNull()
    expect(body).toHaveProperty('result', null)
    await fails('crm.category.get', { entityTypeId: 2, id: dealId }, 400, {
      error: 'NOT_FOUND',
      error_description: 'Element not found',
    })
    expect((await ok('crm.status.list', { filter: { ENTITY_ID: `DEAL_STAGE_${dealId}` } }))['total']).toBe(0)
    expect(await stageDictionaries()).not.toContain(`DEAL_STAGE_${dealId}`)
    await ok('crm.category.delete', { entityTypeId: 1152, id: spaId })
    expect(await stageDictionaries()).not.toContain(`DYNAMIC_1152_STAGE_${spaId}`)
    await fails('crm.category.delete', { entityTypeId: 1152, id: spaId }, 400, {
      error: 'NOT_FOUND',
      error_description: 'Element not found',
    })
  })
})
