import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type CallResult, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import {
  addFunnel,
  addSmartProcess,
  ALL_FLAGS_ON,
  itemOf,
  PORTAL_ID,
  setNextId,
  setPortal,
  userHook,
} from '../helpers/item-fixtures.js'
import { updateItem } from '../../src/crm/items/operations/update-item.js'
import { DEAL } from '../../src/crm/entity-types/deal.js'
import { getPortal } from '../../src/portal/portal.js'
import { getUser } from '../../src/portal/users.js'

/**
 * crm.stagehistory.list through HTTP (api-reference/crm/crm-stage-history-list.md): the records the
 * after-save step writes for creations (TYPE_ID 1), moves to an intermediate stage (2) or a final one (3)
 * and funnel changes (5); both request examples and the response example; filter, order, select, paging;
 * the errors of the page.
 */

type Body = Record<string, unknown>

function errorOf(response: CallResult): { status: number; error: unknown; description: unknown } {
  return {
    status: response.status,
    error: response.body['error'],
    description: response.body['error_description'],
  }
}

describe.each(STORE_KINDS)('crm.stagehistory.list (%s)', (storeKind) => {
  let t: TestApp
  const add = async (entityTypeId: number, fields: Body = {}) =>
    itemOf(await t.call('crm.item.add', { entityTypeId, fields }))
  const update = async (entityTypeId: number, id: unknown, fields: Body) =>
    itemOf(await t.call('crm.item.update', { entityTypeId, id, fields }))
  const list = async (params: Body) => {
    const response = await t.call('crm.stagehistory.list', params)
    if (response.status !== 200) throw new Error(JSON.stringify(response.body))
    return response.body as { result: { items: Body[] }; total?: number; next?: number }
  }

  beforeEach(async () => {
    t = await createTestApp({ store: storeKind })
  })
  afterEach(async () => {
    await t.close()
  })

  it('the response example: {"ID":35,"TYPE_ID":1,"OWNER_ID":21,"CREATED_TIME":"2024-04-25T14:59:11+00:00","CATEGORY_ID":0,"STAGE_SEMANTIC_ID":"P","STAGE_ID":"NEW"}, total 1', async () => {
    await setNextId(t, 'crm_stage_history', 35)
    await setNextId(t, 'item:2', 21)
    t.clock.set(Date.UTC(2024, 3, 25, 14, 59, 11))
    await add(2)
    const body = await list({ entityTypeId: 2 })
    expect(body.result).toEqual({
      items: [
        {
          ID: 35,
          TYPE_ID: 1,
          OWNER_ID: 21,
          CREATED_TIME: '2024-04-25T14:59:11+00:00',
          CATEGORY_ID: 0,
          STAGE_SEMANTIC_ID: 'P',
          STAGE_ID: 'NEW',
        },
      ],
    })
    expect(body.total).toBe(1)
    expect(body.next).toBeUndefined()
  })

  it('example 1: deal ID=1 — {"entityTypeId":2,"order":{"ID":"ASC"},"filter":{"OWNER_ID":1},"select":["ID","STAGE_ID","CREATED_TIME"]}', async () => {
    const deal = await add(2)
    await add(2)
    t.clock.advance(60_000)
    await update(2, deal['id'], { stageId: 'PREPARATION' })
    t.clock.advance(60_000)
    await update(2, deal['id'], { stageId: 'WON' })
    const body = await list({
      entityTypeId: 2,
      order: { ID: 'ASC' },
      filter: { OWNER_ID: 1 },
      select: ['ID', 'STAGE_ID', 'CREATED_TIME'],
    })
    expect(body.result.items).toEqual([
      { ID: 1, STAGE_ID: 'NEW', CREATED_TIME: '2026-01-15T10:00:00+00:00' },
      { ID: 3, STAGE_ID: 'PREPARATION', CREATED_TIME: '2026-01-15T10:01:00+00:00' },
      { ID: 4, STAGE_ID: 'WON', CREATED_TIME: '2026-01-15T10:02:00+00:00' },
    ])
    for (const item of body.result.items)
      expect(Object.keys(item)).toEqual(['ID', 'STAGE_ID', 'CREATED_TIME'])
    expect(body.total).toBe(3)
  })

  it('example 2: smart process 130, element OWNER_ID=29', async () => {
    await addSmartProcess(t, 130, { flags: ALL_FLAGS_ON })
    await setNextId(t, 'item:130', 29)
    const item = await add(130)
    expect(item['id']).toBe(29)
    const stages = (
      await t.call('crm.status.list', {
        filter: { ENTITY_ID: `DYNAMIC_130_STAGE_${String(item['categoryId'])}` },
      })
    ).body['result'] as { STATUS_ID: string; SEMANTICS: string | null }[]
    const success = stages.find((s) => s.SEMANTICS === 'S')!.STATUS_ID
    await update(130, 29, { stageId: success })
    const body = await list({
      entityTypeId: 130,
      order: { ID: 'ASC' },
      filter: { OWNER_ID: 29 },
      select: ['ID', 'STAGE_ID', 'CREATED_TIME'],
    })
    expect(body.result.items.map((i) => i['STAGE_ID'])).toEqual([item['stageId'], success])
    const full = await list({ entityTypeId: 130 })
    expect(full.result.items.map((i) => [i['TYPE_ID'], i['CATEGORY_ID'], i['STAGE_SEMANTIC_ID']])).toEqual([
      [1, item['categoryId'], 'P'],
      [3, item['categoryId'], 'S'],
    ])
  })

  it('TYPE_ID: 1 creation, 2 intermediate stage, 3 final stage (success or failure), 5 funnel change', async () => {
    await addFunnel(t, 2, 7)
    const deal = await add(2)
    await update(2, deal['id'], { stageId: 'EXECUTING' })
    await update(2, deal['id'], { stageId: 'LOSE' })
    await update(2, deal['id'], { stageId: 'NEW' })
    await update(2, deal['id'], { stageId: 'WON' })
    await update(2, deal['id'], { categoryId: 7 })
    const body = await list({
      entityTypeId: 2,
      select: ['TYPE_ID', 'CATEGORY_ID', 'STAGE_SEMANTIC_ID', 'STAGE_ID'],
    })
    expect(body.result.items).toEqual([
      { TYPE_ID: 1, CATEGORY_ID: 0, STAGE_SEMANTIC_ID: 'P', STAGE_ID: 'NEW' },
      { TYPE_ID: 2, CATEGORY_ID: 0, STAGE_SEMANTIC_ID: 'P', STAGE_ID: 'EXECUTING' },
      { TYPE_ID: 3, CATEGORY_ID: 0, STAGE_SEMANTIC_ID: 'F', STAGE_ID: 'LOSE' },
      { TYPE_ID: 2, CATEGORY_ID: 0, STAGE_SEMANTIC_ID: 'P', STAGE_ID: 'NEW' },
      { TYPE_ID: 3, CATEGORY_ID: 0, STAGE_SEMANTIC_ID: 'S', STAGE_ID: 'WON' },
      { TYPE_ID: 5, CATEGORY_ID: 7, STAGE_SEMANTIC_ID: 'S', STAGE_ID: 'C7:WON' },
    ])
  })

  it('leads: STATUS_SEMANTIC_ID and STATUS_ID, no CATEGORY_ID ("for leads and old invoices")', async () => {
    const lead = await add(1, { title: 'L' })
    await update(1, lead['id'], { stageId: 'CONVERTED' })
    const body = await list({ entityTypeId: 1 })
    expect(body.result.items).toEqual([
      {
        ID: 1,
        TYPE_ID: 1,
        OWNER_ID: lead['id'],
        CREATED_TIME: '2026-01-15T10:00:00+00:00',
        STATUS_SEMANTIC_ID: 'P',
        STATUS_ID: 'NEW',
      },
      {
        ID: 2,
        TYPE_ID: 3,
        OWNER_ID: lead['id'],
        CREATED_TIME: '2026-01-15T10:00:00+00:00',
        STATUS_SEMANTIC_ID: 'S',
        STATUS_ID: 'CONVERTED',
      },
    ])
    expect(
      errorOf(await t.call('crm.stagehistory.list', { entityTypeId: 1, filter: { CATEGORY_ID: 0 } })),
    ).toEqual({
      status: 400,
      error: 'INVALID_ARG_VALUE',
      description: "Invalid filter: field 'CATEGORY_ID' is not allowed in filter",
    })
  })

  it('new invoices (31) have stage history; old invoices (5) exist nowhere here: an empty list', async () => {
    const invoice = await add(31, { title: 'I' })
    const body = await list({ entityTypeId: 31 })
    expect(body.result.items).toEqual([
      expect.objectContaining({ TYPE_ID: 1, OWNER_ID: invoice['id'], STAGE_ID: invoice['stageId'] }),
    ])
    expect(await list({ entityTypeId: 5 })).toMatchObject({ result: { items: [] }, total: 0 })
  })

  it('CREATED_TIME is printed in the portal time zone and filters in it', async () => {
    await setPortal(t, { timeZoneOffset: 180 })
    await add(2)
    t.clock.advance(3_600_000)
    await add(2)
    const body = await list({ entityTypeId: 2, select: ['OWNER_ID', 'CREATED_TIME'] })
    expect(body.result.items).toEqual([
      { OWNER_ID: 1, CREATED_TIME: '2026-01-15T13:00:00+03:00' },
      { OWNER_ID: 2, CREATED_TIME: '2026-01-15T14:00:00+03:00' },
    ])
    const later = await list({ entityTypeId: 2, filter: { '>=CREATED_TIME': '2026-01-15T13:30:00+03:00' } })
    expect(later.result.items.map((i) => i['OWNER_ID'])).toEqual([2])
  })

  it('filter operators, order and select', async () => {
    const a = await add(2)
    const b = await add(2)
    await update(2, a['id'], { stageId: 'WON' })
    await update(2, b['id'], { stageId: 'LOSE' })
    const ids = async (params: Body) =>
      (await list({ entityTypeId: 2, ...params, select: ['ID'] })).result.items.map((i) => i['ID'])
    expect(await ids({ filter: { '@TYPE_ID': [3] } })).toEqual([3, 4])
    expect(await ids({ filter: { STAGE_SEMANTIC_ID: 'S' } })).toEqual([3])
    expect(await ids({ filter: { '!STAGE_ID': 'NEW' } })).toEqual([3, 4])
    expect(await ids({ filter: { '%STAGE_ID': 'O' } })).toEqual([3, 4])
    expect(await ids({ filter: { '=%STAGE_ID': 'W%' } })).toEqual([3])
    expect(await ids({ filter: { '>ID': 1, '<=ID': 3 } })).toEqual([2, 3])
    expect(await ids({ filter: { '!@OWNER_ID': [a['id']] } })).toEqual([2, 4])
    expect(await ids({ order: { ID: 'DESC' } })).toEqual([4, 3, 2, 1])
    expect(await ids({ order: { OWNER_ID: 'asc', TYPE_ID: 'DESC' } })).toEqual([3, 1, 4, 2])
    const some = await list({ entityTypeId: 2, select: ['stage_id', 'UNKNOWN'], filter: { ID: 1 } })
    expect(some.result.items).toEqual([{ STAGE_ID: 'NEW' }])
  })

  it('errors of the page: unknown filter / order fields, invalid values, invalid directions', async () => {
    await add(2)
    const invalid = (description: string) => ({ status: 400, error: 'INVALID_ARG_VALUE', description })
    expect(
      errorOf(await t.call('crm.stagehistory.list', { entityTypeId: 2, filter: { TITLE: 'x' } })),
    ).toEqual(invalid("Invalid filter: field 'TITLE' is not allowed in filter"))
    expect(
      errorOf(await t.call('crm.stagehistory.list', { entityTypeId: 2, filter: { ID: 'abc' } })),
    ).toEqual(invalid("Invalid filter: field 'ID' has invalid value"))
    expect(
      errorOf(await t.call('crm.stagehistory.list', { entityTypeId: 2, order: { TITLE: 'ASC' } })),
    ).toEqual(invalid("Invalid order: field 'TITLE' is not allowed in order"))
    expect(errorOf(await t.call('crm.stagehistory.list', { entityTypeId: 2, order: { ID: 'UP' } }))).toEqual(
      invalid("Invalid order: allowed sort directions are ASC, DESC. But got 'UP' for field 'ID'"),
    )
  })

  it('unsupported types: {"error":0,"error_description":"<TYPE> entity is not supported"}', async () => {
    for (const [entityTypeId, name] of [
      [3, 'CONTACT'],
      [4, 'COMPANY'],
      [7, 'QUOTE'],
      [14, 'ORDER'],
      [999, ''],
    ] as const) {
      const response = await t.call('crm.stagehistory.list', { entityTypeId })
      expect(response.status).toBe(400)
      expect(response.body['error']).toBe(0)
      expect(response.body['error_description']).toBe(`${name} entity is not supported`)
    }
    // A smart process id that is not a smart process of the portal.
    const response = await t.call('crm.stagehistory.list', { entityTypeId: 150 })
    expect(response.body['error_description']).toBe('DYNAMIC_150 entity is not supported')
  })

  it("403 allowed_only_intranet_user for an extranet user; a missing entityTypeId is the binder's error 100", async () => {
    const { prefix } = await userHook(t, { userType: 'extranet', name: 'Guest' })
    expect(errorOf(await t.call('crm.stagehistory.list', { entityTypeId: 2 }, { prefix }))).toEqual({
      status: 403,
      error: 'allowed_only_intranet_user',
      description: 'Action is allowed only for intranet users',
    })
    const missing = await t.call('crm.stagehistory.list', {})
    expect(missing.status).toBe(400)
    expect(String(missing.body['error'])).toBe('100')
    expect(missing.body['error_description']).toBe('Could not find value for parameter {entityTypeId}')
  })

  it('pages of 50 with total and next; start=-1 skips the count', async () => {
    for (let i = 0; i < 60; i++) await add(2)
    const first = await list({ entityTypeId: 2, select: ['ID'] })
    expect(first.result.items).toHaveLength(50)
    expect(first.total).toBe(60)
    expect(first.next).toBe(50)
    const second = await list({ entityTypeId: 2, select: ['ID'], start: 50 })
    expect(second.result.items.map((i) => i['ID'])).toEqual([51, 52, 53, 54, 55, 56, 57, 58, 59, 60])
    expect(second.next).toBeUndefined()
    const noCount = await list({ entityTypeId: 2, select: ['ID'], start: -1 })
    expect(noCount.total).toBeUndefined()
  })

  it('no record for a no-op update or a change that leaves the stage alone; a deleted item takes its records along', async () => {
    const deal = await add(2)
    await update(2, deal['id'], { stageId: 'NEW' })
    await update(2, deal['id'], { title: 'Renamed' })
    expect((await list({ entityTypeId: 2 })).total).toBe(1)
    await t.call('crm.item.delete', { entityTypeId: 2, id: deal['id'] })
    expect((await list({ entityTypeId: 2 })).total).toBe(0)
  })

  it('stage history is kept when the event history is off (registerHistory: false, legacy REGISTER_HISTORY_EVENT=N)', async () => {
    const deal = await add(2)
    const store = t.app.store
    const portal = (await getPortal(store.db, PORTAL_ID))!
    const user = (await getUser(store.db, PORTAL_ID, 1))!
    await updateItem({
      store,
      portal,
      user,
      nowMs: t.clock.now(),
      type: DEAL,
      id: deal['id'] as number,
      fields: { stageId: 'WON' },
      useOriginalUfNames: false,
      parentTypes: [],
      registerHistory: false,
      registerSonet: false,
    })
    expect((await list({ entityTypeId: 2, select: ['TYPE_ID', 'STAGE_ID'] })).result.items).toEqual([
      { TYPE_ID: 1, STAGE_ID: 'NEW' },
      { TYPE_ID: 3, STAGE_ID: 'WON' },
    ])
  })
})
