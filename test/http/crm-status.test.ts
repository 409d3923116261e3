import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { createTestApp, TEST_START_MS, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import { createUser, type NewUser } from '../../src/portal/users.js'
import { createWebhook } from '../../src/portal/webhooks.js'
import { freshPortalStatusRows } from '../../src/crm/dictionaries/statuses.js'
import { freshPortalStatusEntityTypes } from '../../src/crm/dictionaries/status-entity-types.js'

/**
 * crm.status.* (api-reference/crm/status/) through the HTTP edge on every store this run covers. The read
 * tests run first against the dictionaries of a new portal; the write tests after them compute their
 * expectations from what the portal holds at that point.
 */

type Row = Record<string, unknown>

/** The default deal funnel as crm-status-list.md:63-180 shows it (IDs are the portal's own). */
const DOC_DEAL_STAGES: Row[] = [
  ['NEW', 'New', 'New', '10', 'Y', '#39A8EF', null, 'process'],
  ['PREPARATION', 'Document preparation', '', '20', 'N', '#2FC6F6', null, 'process'],
  ['PREPAYMENT_INVOICE', 'Prepayment invoice', '', '30', 'N', '#55D0E0', null, 'process'],
  ['EXECUTING', 'In progress', '', '40', 'N', '#47E4C2', null, 'process'],
  ['FINAL_INVOICE', 'Final invoice', '', '50', 'N', '#FFA900', null, 'process'],
  ['WON', 'Deal successful', 'Deal successful', '60', 'Y', '#7BD500', 'S', 'success'],
  ['LOSE', 'Deal failed', 'Deal failed', '70', 'Y', '#FF5752', 'F', 'failure'],
  ['APOLOGY', 'Failure reason analysis', '', '80', 'N', '#FF5752', 'F', 'apology'],
].map(([statusId, name, nameInit, sort, system, color, semantics, extra]) => ({
  ENTITY_ID: 'DEAL_STAGE',
  STATUS_ID: statusId,
  NAME: name,
  NAME_INIT: nameInit,
  SORT: sort,
  SYSTEM: system,
  CATEGORY_ID: null,
  COLOR: color,
  SEMANTICS: semantics,
  EXTRA: { SEMANTICS: extra, COLOR: color },
}))

function withoutId(rows: unknown): Row[] {
  return (rows as Row[]).map(({ ID: _id, ...rest }) => rest)
}

function statusIds(body: Row): string[] {
  return (body['result'] as Row[]).map((r) => r['STATUS_ID'] as string)
}

describe.each(STORE_KINDS)('crm.status.* on %s', (storeKind) => {
  let t: TestApp
  let employee: string
  let extranet: string
  const seeded = freshPortalStatusRows()

  async function hookFor(input: NewUser): Promise<string> {
    const store = t.app.store
    const user = await createUser(store, store.db, 1, input, TEST_START_MS)
    const { code } = await createWebhook(store.db, { portalId: 1, userId: user.id }, TEST_START_MS)
    return `/rest/${user.id}/${code}/`
  }

  async function list(params: Row, prefix?: string): Promise<Row> {
    const { status, body } = await t.call('crm.status.list', params, prefix === undefined ? {} : { prefix })
    expect(status, JSON.stringify(body)).toBe(200)
    return body
  }

  async function idOf(entityId: string, statusId: string): Promise<number> {
    const body = await list({ filter: { ENTITY_ID: entityId, STATUS_ID: statusId } })
    const [row] = body['result'] as Row[]
    if (row === undefined) throw new Error(`no ${entityId} ${statusId}`)
    return Number(row['ID'])
  }

  async function insertItem(entityTypeId: number, id: number, stageId: string, categoryId: number | null) {
    await sql`insert into crm_item (portal_id, entity_type_id, id, stage_id, category_id) values (1, ${entityTypeId}, ${id}, ${stageId}, ${categoryId})`.execute(
      t.app.store.db,
    )
  }

  beforeAll(async () => {
    t = await createTestApp({ store: storeKind })
    employee = await hookFor({ name: 'Eve' })
    extranet = await hookFor({ name: 'Ext', userType: 'extranet' })
  })

  afterAll(async () => {
    await t.close()
  })

  describe('reading', () => {
    it('crm.status.fields answers the descriptions of crm-status-fields.md', async () => {
      const { status, body } = await t.call('crm.status.fields', {}, { prefix: extranet })
      expect(status).toBe(200)
      const f = (type: string, title: string, required = false, readOnly = false, immutable = false) => ({
        type,
        isRequired: required,
        isReadOnly: readOnly,
        isImmutable: immutable,
        isMultiple: false,
        isDynamic: false,
        title,
      })
      expect(body['result']).toStrictEqual({
        ID: f('integer', 'ID', false, true),
        ENTITY_ID: f('string', 'Entity ID', true, false, true),
        STATUS_ID: f('string', 'Status', true, false, true),
        SORT: f('integer', 'Sorting'),
        NAME: f('string', 'Name', true),
        NAME_INIT: f('string', 'Default Name', false, true),
        SYSTEM: f('char', 'System', false, true),
        CATEGORY_ID: f('integer', 'CATEGORY_ID', false, false, true),
        COLOR: f('string', 'COLOR'),
        SEMANTICS: f('char', 'SEMANTICS', false, false, true),
        EXTRA: f('crm_status_extra', 'Additional Fields'),
      })
    })

    it('crm.status.list gives the deal stages of crm-status-list.md for its example request', async () => {
      const body = await list({ order: { SORT: 'ASC' }, filter: { ENTITY_ID: 'DEAL_STAGE' } })
      expect(withoutId(body['result'])).toStrictEqual(DOC_DEAL_STAGES)
      expect(body['total']).toBe(8)
      expect(body).not.toHaveProperty('next')
      const ids = (body['result'] as Row[]).map((r) => r['ID'])
      for (const id of ids) expect(id).toMatch(/^\d+$/)
      // key order as on the page
      expect(Object.keys((body['result'] as Row[])[0]!)).toEqual([
        'ID',
        'ENTITY_ID',
        'STATUS_ID',
        'NAME',
        'NAME_INIT',
        'SORT',
        'SYSTEM',
        'CATEGORY_ID',
        'COLOR',
        'SEMANTICS',
        'EXTRA',
      ])
    })

    it('answers the same through a form body and a query string, for a non-admin employee too', async () => {
      const params = { order: { SORT: 'ASC' }, filter: { ENTITY_ID: 'DEAL_STAGE' } }
      for (const via of ['form', 'get'] as const) {
        const { status, body } = await t.call('crm.status.list', params, { via, prefix: employee })
        expect(status).toBe(200)
        expect(withoutId(body['result'])).toStrictEqual(DOC_DEAL_STAGES)
      }
    })

    it('pages the whole portal by 50 with total and next', async () => {
      const first = await list({})
      expect(first['total']).toBe(seeded.length)
      expect(first['next']).toBe(50)
      expect((first['result'] as Row[]).length).toBe(50)
      const second = await list({ start: 50 })
      expect((second['result'] as Row[]).length).toBe(seeded.length - 50)
      expect(second).not.toHaveProperty('next')
      const all = [...(first['result'] as Row[]), ...(second['result'] as Row[])]
      // default order: SORT, then ID
      const keys = all.map((r) => [Number(r['SORT']), Number(r['ID'])] as const)
      expect(keys).toEqual([...keys].sort((a, b) => a[0] - b[0] || a[1] - b[1]))
      expect(new Set(all.map((r) => r['ID'])).size).toBe(seeded.length)
      const noCount = await list({ start: -1 })
      expect(noCount).not.toHaveProperty('total')
      expect((noCount['result'] as Row[]).length).toBe(50)
    })

    it('filters and orders through the legacy prefixes', async () => {
      expect(statusIds(await list({ filter: { ENTITY_ID: 'DEAL_STAGE', '%NAME': 'INVOICE' } }))).toEqual([
        'PREPAYMENT_INVOICE',
        'FINAL_INVOICE',
      ])
      expect(statusIds(await list({ filter: { SEMANTICS: 'S' }, order: { ENTITY_ID: 'asc' } }))).toEqual([
        'WON',
        'APPROVED',
        'DT31_1:P',
        'CONVERTED',
      ])
      expect(statusIds(await list({ filter: { ENTITY_ID: 'DEAL_STAGE' }, order: { SORT: 'desc' } }))).toEqual(
        DOC_DEAL_STAGES.map((s) => s['STATUS_ID']).reverse(),
      )
      expect(
        statusIds(await list({ filter: { '@STATUS_ID': ['WON', 'LOSE'], entity_id: 'DEAL_STAGE' } })),
      ).toEqual(['WON', 'LOSE'])
      expect(statusIds(await list({ filter: { ENTITY_ID: 'DEAL_STAGE', SYSTEM: 'Y' } }))).toEqual([
        'NEW',
        'WON',
        'LOSE',
      ])
      expect(
        statusIds(await list({ filter: { ENTITY_ID: 'DEAL_STAGE', '>SORT': 60, '!SEMANTICS': 'F' } })),
      ).toEqual([])
      // in-progress stages show SEMANTICS null and are found with an empty value
      expect(
        statusIds(await list({ filter: { ENTITY_ID: 'SMART_INVOICE_STAGE_1', SEMANTICS: '' } })),
      ).toEqual(['DT31_1:N', 'DT31_1:S'])
      // an unknown key is ignored, an unreadable value matches nothing
      expect((await list({ filter: { ENTITY_ID: 'SOURCE', NOPE: 1 } }))['total']).toBe(
        seeded.filter((s) => s.entityId === 'SOURCE').length,
      )
      expect((await list({ filter: { ID: 'abc' } }))['total']).toBe(0)
      const sources = await list({ filter: { ENTITY_ID: 'SOURCE' }, order: { sort: 'desc', ID: 'asc' } })
      const sorts = (sources['result'] as Row[]).map((r) => Number(r['SORT']))
      expect(sorts).toEqual([...sorts].sort((a, b) => b - a))
    })

    it('answers "Invalid parameters." for a filter that is no object or a bad direction', async () => {
      for (const params of [{ filter: 'ENTITY_ID' }, { order: { SORT: 'UP' } }]) {
        const { status, body } = await t.call('crm.status.list', params)
        expect(status).toBe(400)
        expect(body).toStrictEqual({
          error: 'Invalid parameters.',
          error_description: 'Incorrect parameters passed.',
        })
      }
    })

    it('refuses extranet users the list and get, but not the descriptions', async () => {
      for (const method of ['crm.status.list', 'crm.status.get']) {
        const { status, body } = await t.call(method, { id: 1 }, { prefix: extranet })
        expect(status).toBe(400)
        expect(body['error']).toBe('Access denied.')
      }
      const types = await t.call('crm.status.entity.types', {}, { prefix: extranet })
      expect(types.status).toBe(200)
      const items = await t.call('crm.status.entity.items', { entityId: 'SOURCE' }, { prefix: extranet })
      expect(items.status).toBe(200)
    })

    it('crm.status.get returns one value as the list does', async () => {
      const won = (await list({ filter: { ENTITY_ID: 'DEAL_STAGE', STATUS_ID: 'WON' } }))['result'] as Row[]
      const { status, body } = await t.call('crm.status.get', { id: won[0]!['ID'] })
      expect(status).toBe(200)
      expect(body['result']).toStrictEqual(won[0])
      // smart-invoice stages: no EXTRA, the funnel in CATEGORY_ID (as crm-status-get.md's DT1038_37:SUCCESS)
      const paid = await t.call('crm.status.get', {
        ID: String(await idOf('SMART_INVOICE_STAGE_1', 'DT31_1:P')),
      })
      expect(paid.body['result']).toMatchObject({
        ENTITY_ID: 'SMART_INVOICE_STAGE_1',
        STATUS_ID: 'DT31_1:P',
        CATEGORY_ID: '1',
        SEMANTICS: 'S',
        SYSTEM: 'Y',
      })
      expect(paid.body['result']).not.toHaveProperty('EXTRA')
    })

    it('crm.status.get errors as crm-status-get.md shows', async () => {
      const missing = await t.call('crm.status.get', { id: 999999 })
      expect(missing.status).toBe(400)
      expect(missing.body).toStrictEqual({
        error: 'Status is not found.',
        error_description: 'Directory item not found.',
      })
      const invalid = await t.call('crm.status.get', { id: 'abc' })
      expect(invalid.body['error']).toBe('Invalid identifier.')
    })

    it('crm.status.entity.items answers the crm-status-entity-items.md example', async () => {
      const { status, body } = await t.call('crm.status.entity.items', { entityId: 'DEAL_STAGE' })
      expect(status).toBe(200)
      expect(body['result']).toStrictEqual(
        DOC_DEAL_STAGES.map((s) => ({ NAME: s['NAME'], SORT: Number(s['SORT']), STATUS_ID: s['STATUS_ID'] })),
      )
      const upper = await t.call('crm.status.entity.items', { ENTITYID: 'SOURCE' }, { via: 'form' })
      expect((upper.body['result'] as Row[]).map((r) => r['STATUS_ID'])).toEqual(
        seeded.filter((s) => s.entityId === 'SOURCE').map((s) => s.statusId),
      )
      for (const params of [{}, { entityId: 'NOPE' }, { entityId: ['DEAL_STAGE'] }]) {
        const bad = await t.call('crm.status.entity.items', params)
        expect(bad.status).toBe(400)
        expect(bad.body).toStrictEqual({
          error: 'The parameter entityId is not defined or invalid.',
          error_description: 'The directory ID is not specified or is incorrect.',
        })
      }
    })

    it('crm.status.entity.types lists the dictionaries of a new portal', async () => {
      const { status, body } = await t.call('crm.status.entity.types')
      expect(status).toBe(200)
      expect(body['result']).toStrictEqual(freshPortalStatusEntityTypes())
    })
  })

  describe('writing', () => {
    let funnel: number

    beforeAll(async () => {
      const { body } = await t.call('crm.category.add', { entityTypeId: 2, fields: { name: 'Second' } })
      funnel = (body['result'] as { category: { id: number } }).category.id
    })

    it('a new deal funnel has its C{n}: stages in the list, entity.items and entity.types', async () => {
      const body = await list({ filter: { ENTITY_ID: `DEAL_STAGE_${funnel}` } })
      expect(body['result']).toHaveLength(8)
      expect(withoutId(body['result'])).toStrictEqual(
        DOC_DEAL_STAGES.map((s) => ({
          ...s,
          ENTITY_ID: `DEAL_STAGE_${funnel}`,
          STATUS_ID: `C${funnel}:${s['STATUS_ID'] as string}`,
          CATEGORY_ID: String(funnel),
        })),
      )
      const items = await t.call('crm.status.entity.items', { entityId: `DEAL_STAGE_${funnel}` })
      expect((items.body['result'] as Row[])[0]).toStrictEqual({
        NAME: 'New',
        SORT: 10,
        STATUS_ID: `C${funnel}:NEW`,
      })
      const types = (await t.call('crm.status.entity.types')).body['result'] as Row[]
      expect(types.find((x) => x['ID'] === `DEAL_STAGE_${funnel}`)).toStrictEqual({
        ID: `DEAL_STAGE_${funnel}`,
        NAME: 'Second deal stages',
        PARENT_ID: 'DEAL_STAGE',
        SEMANTIC_INFO: {
          START_FIELD: `C${funnel}:NEW`,
          FINAL_SUCCESS_FIELD: `C${funnel}:WON`,
          FINAL_UNSUCCESS_FIELD: `C${funnel}:LOSE`,
          FINAL_SORT: 0,
        },
        PREFIX: `C${funnel}`,
        FIELD_ATTRIBUTE_SCOPE: `category_${funnel}`,
        ENTITY_TYPE_ID: 2,
        CATEGORY_ID: String(funnel),
      })
    })

    it('crm.status.add runs the page example: DECISION gets the funnel prefix', async () => {
      const { status, body } = await t.call('crm.status.add', {
        fields: {
          ENTITY_ID: `DEAL_STAGE_${funnel}`,
          STATUS_ID: 'DECISION',
          NAME: 'Decision making',
          SORT: 70,
          COLOR: '#FFA900',
        },
      })
      expect(status, JSON.stringify(body)).toBe(200)
      expect(typeof body['result']).toBe('number')
      const added = await t.call('crm.status.get', { id: body['result'] })
      expect(added.body['result']).toStrictEqual({
        ID: String(body['result']),
        ENTITY_ID: `DEAL_STAGE_${funnel}`,
        STATUS_ID: `C${funnel}:DECISION`,
        NAME: 'Decision making',
        NAME_INIT: '',
        SORT: '70',
        SYSTEM: 'N',
        CATEGORY_ID: String(funnel),
        COLOR: '#FFA900',
        SEMANTICS: null,
        EXTRA: { SEMANTICS: 'process', COLOR: '#FFA900' },
      })
      // ids continue after the seeded ones
      expect(body['result'] as number).toBeGreaterThan(Math.max(...seeded.map((s) => s.id)))
      // a code that already carries the prefix is kept
      const prefixed = await t.call('crm.status.add', {
        fields: {
          ENTITY_ID: `DEAL_STAGE_${funnel}`,
          STATUS_ID: `C${funnel}:REVIEW`,
          NAME: 'Review',
          SEMANTICS: 'F',
          SORT: 90,
        },
      })
      const review = await t.call('crm.status.get', { id: prefixed.body['result'] })
      expect(review.body['result']).toMatchObject({
        STATUS_ID: `C${funnel}:REVIEW`,
        SEMANTICS: 'F',
        EXTRA: { SEMANTICS: 'failure', COLOR: null },
        COLOR: null,
      })
      // plain dictionaries: SORT defaults to 10, no semantics, any characters up to 50
      const source = await t.call(
        'crm.status.add',
        { fields: { ENTITY_ID: 'SOURCE', STATUS_ID: 'Fair 2026/Berlin', NAME: 'Fair' } },
        { via: 'form' },
      )
      expect(source.status).toBe(200)
      const fair = await t.call('crm.status.get', { id: source.body['result'] })
      expect(fair.body['result']).toStrictEqual({
        ID: String(source.body['result']),
        ENTITY_ID: 'SOURCE',
        STATUS_ID: 'Fair 2026/Berlin',
        NAME: 'Fair',
        NAME_INIT: '',
        SORT: '10',
        SYSTEM: 'N',
        CATEGORY_ID: null,
        COLOR: null,
        SEMANTICS: null,
      })
    })

    it('crm.status.add errors as crm-status-add.md lists them', async () => {
      const cases: Array<[Row, Row]> = [
        [{}, { error: '', error_description: "Parameter 'fields' must be array." }],
        [{ fields: 'x' }, { error: '', error_description: "Parameter 'fields' must be array." }],
        [
          { fields: { NAME: 'x' } },
          {
            error: '',
            error_description: 'The field ENTITY_ID is required.\nThe field STATUS_ID is required.',
          },
        ],
        [
          { fields: { ENTITY_ID: 'SOURCE', NAME: 'x' } },
          { error: '', error_description: 'The field STATUS_ID is required.' },
        ],
        [
          { fields: { ENTITY_ID: 'NOPE', STATUS_ID: 'X', NAME: 'x' } },
          { error: '', error_description: 'Specified entity type is not supported.' },
        ],
        [
          { fields: { ENTITY_ID: 'DEAL_STAGE_999', STATUS_ID: 'X', NAME: 'x' } },
          { error: '', error_description: 'Specified entity type is not supported.' },
        ],
        [
          { fields: { ENTITY_ID: 'SOURCE', STATUS_ID: 'X' } },
          { error: '', error_description: 'The field Title is required.' },
        ],
        [
          { fields: { ENTITY_ID: 'DEAL_STAGE', STATUS_ID: 'LATE', NAME: 'Late', SORT: 65 } },
          {
            error: '',
            error_description:
              'Cannot create more stages after the final stage because the final successful stage already exists. Try using sort order values less than that of the final stage.',
          },
        ],
        [
          { fields: { ENTITY_ID: 'DEAL_STAGE', STATUS_ID: 'WON', NAME: 'Again', SORT: 5 } },
          { error: 'ERROR_CORE', error_description: 'The specified status ID already exists.' },
        ],
        [
          { fields: { ENTITY_ID: 'STATUS', STATUS_ID: 'A_VERY_LONG_STAGE_CODE', NAME: 'Long' } },
          { error: '', error_description: 'Error on creating status.' },
        ],
        [
          { fields: { ENTITY_ID: 'STATUS', STATUS_ID: 'WITH SPACE', NAME: 'Space' } },
          { error: '', error_description: 'Error on creating status.' },
        ],
      ]
      for (const [params, error] of cases) {
        const { status, body } = await t.call('crm.status.add', params)
        expect(status, JSON.stringify(params)).toBe(400)
        expect(body, JSON.stringify(params)).toStrictEqual(error)
      }
      const denied = await t.call(
        'crm.status.add',
        { fields: { ENTITY_ID: 'SOURCE', STATUS_ID: 'X', NAME: 'x' } },
        { prefix: employee },
      )
      expect(denied.status).toBe(400)
      expect(denied.body).toStrictEqual({ error: '', error_description: 'Access denied.' })
      // in the general funnel a failure stage after WON is fine
      const failure = await t.call('crm.status.add', {
        fields: {
          ENTITY_ID: 'DEAL_STAGE',
          STATUS_ID: 'NO_BUDGET',
          NAME: 'No budget',
          SORT: 90,
          SEMANTICS: 'F',
        },
      })
      expect(failure.status).toBe(200)
    })

    it('crm.status.update renames, re-sorts and recolours, system values included', async () => {
      const id = await idOf('DEAL_STAGE', 'NEW')
      const { status, body } = await t.call('crm.status.update', {
        id,
        fields: { NAME: 'New name', COLOR: '#00A9F4' },
      })
      expect(status).toBe(200)
      expect(body['result']).toBe(true)
      const after = await t.call('crm.status.get', { id })
      expect(after.body['result']).toMatchObject({
        NAME: 'New name',
        NAME_INIT: 'New',
        COLOR: '#00A9F4',
        SORT: '10',
        SYSTEM: 'Y',
        EXTRA: { SEMANTICS: 'process', COLOR: '#00A9F4' },
      })
      await t.call(
        'crm.status.update',
        { ID: id, FIELDS: { SORT: '15', STATUS_ID: 'CHANGED' } },
        { via: 'form' },
      )
      expect((await t.call('crm.status.get', { id })).body['result']).toMatchObject({
        SORT: '15',
        STATUS_ID: 'NEW',
      })
    })

    it('crm.status.update errors as crm-status-update.md shows', async () => {
      const id = await idOf('SOURCE', 'CALL')
      const cases: Array<[Row, Row, string?]> = [
        [
          { fields: { NAME: 'x' } },
          { error: 'Invalid identifier.', error_description: 'An incorrect identifier was passed.' },
        ],
        [
          { id: 0, fields: { NAME: 'x' } },
          { error: 'Invalid identifier.', error_description: 'An incorrect identifier was passed.' },
        ],
        [
          { id: 999999, fields: { NAME: 'x' } },
          { error: 'Status is not found.', error_description: 'Element not found.' },
        ],
        [
          { id, fields: { NAME: '' } },
          { error: 'Error on updating status.', error_description: 'Error while updating the element.' },
        ],
        [
          { id, fields: { NAME: 'x' } },
          { error: 'Access denied.', error_description: 'No permission to perform the operation.' },
          employee,
        ],
      ]
      for (const [params, error, prefix] of cases) {
        const { status, body } = await t.call(
          'crm.status.update',
          params,
          prefix === undefined ? {} : { prefix },
        )
        expect(status).toBe(400)
        expect(body).toStrictEqual(error)
      }
      expect((await t.call('crm.status.get', { id })).body['result']).toMatchObject({ NAME: 'Call' })
    })

    it('crm.status.delete deletes system values only when FORCED is Y', async () => {
      const id = await idOf('SOURCE', 'WEBFORM')
      const refused = await t.call('crm.status.delete', { id })
      expect(refused.status).toBe(400)
      expect(refused.body).toStrictEqual({
        error: 'CRM System Status can be deleted only if parameter FORCED is specified and equal to "Y".',
        error_description: 'A system element can only be deleted with the FORCED = "Y" parameter.',
      })
      const n = await t.call('crm.status.delete', { id, params: { FORCED: 'N' } })
      expect(n.status).toBe(400)
      const forced = await t.call('crm.status.delete', { id, params: { FORCED: 'Y' } }, { via: 'form' })
      expect(forced.status).toBe(200)
      expect(forced.body['result']).toBe(true)
      expect((await t.call('crm.status.get', { id })).body['error']).toBe('Status is not found.')
      // an ordinary value needs no flag
      const web = await idOf('SOURCE', 'WEB')
      expect((await t.call('crm.status.delete', { id: web })).body['result']).toBe(true)
    })

    it('crm.status.delete keeps a stage that items are in', async () => {
      const id = await idOf(`DEAL_STAGE_${funnel}`, `C${funnel}:PREPARATION`)
      await insertItem(2, 1, `C${funnel}:PREPARATION`, funnel)
      const refused = await t.call('crm.status.delete', { id })
      expect(refused.status).toBe(400)
      expect(refused.body).toStrictEqual({
        error: 'There are active items in this status.',
        error_description: 'There are related items, deletion is not possible.',
      })
      // the same code in another object does not count
      await sql`update crm_item set entity_type_id = 1 where portal_id = 1 and id = 1`.execute(t.app.store.db)
      expect((await t.call('crm.status.delete', { id })).body['result']).toBe(true)
      await sql`delete from crm_item where portal_id = 1`.execute(t.app.store.db)
    })

    it('crm.status.delete errors as crm-status-delete.md shows', async () => {
      const cases: Array<[Row, Row, string?]> = [
        [{}, { error: 'Invalid identifier.', error_description: 'An invalid identifier was passed.' }],
        [{ id: 999999 }, { error: 'Status is not found.', error_description: 'Element not found.' }],
        [
          { id: await idOf('SOURCE', 'CALL') },
          { error: 'Access denied.', error_description: 'No permission to perform the operation.' },
          employee,
        ],
      ]
      for (const [params, error, prefix] of cases) {
        const { status, body } = await t.call(
          'crm.status.delete',
          params,
          prefix === undefined ? {} : { prefix },
        )
        expect(status).toBe(400)
        expect(body).toStrictEqual(error)
      }
    })

    it('deleting a funnel deletes its stages', async () => {
      const { status, body } = await t.call('crm.category.delete', { entityTypeId: 2, id: funnel })
      expect(status, JSON.stringify(body)).toBe(200)
      expect((await list({ filter: { ENTITY_ID: `DEAL_STAGE_${funnel}` } }))['total']).toBe(0)
      const types = (await t.call('crm.status.entity.types')).body['result'] as Row[]
      expect(types.map((x) => x['ID'])).not.toContain(`DEAL_STAGE_${funnel}`)
      const items = await t.call('crm.status.entity.items', { entityId: `DEAL_STAGE_${funnel}` })
      expect(items.body['error']).toBe('The parameter entityId is not defined or invalid.')
    })
  })
})
