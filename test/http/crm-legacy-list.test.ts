import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, toPhpQuery, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import { resultOf } from '../helpers/legacy-fixtures.js'

/**
 * crm.lead.list / crm.deal.list / crm.contact.list / crm.company.list (api-reference/crm/*\/crm-*-list.md):
 * select masks, every filter prefix without OR, order, pages of 50 with `next` / `total`, the encodings the
 * clients use (JSON, form, GET, batch sub-commands) and the list errors. 120 leads are made once (through
 * batch, 50 commands a request) and only read afterwards.
 */

type Row = Record<string, unknown>

const LEADS = 120
const STAGES = ['NEW', 'IN_PROCESS', 'PROCESSED'] as const

/** Lead i (1-based): title "Lead 007", amount i*10, stage by i mod 3, OPENED N for even i, a phone for i ≤ 5. */
function leadFields(i: number): Record<string, unknown> {
  return {
    TITLE: `Lead ${String(i).padStart(3, '0')}`,
    NAME: i % 10 === 0 ? 'Molly' : `Name${i}`,
    OPPORTUNITY: i * 10,
    STATUS_ID: STAGES[i % 3],
    OPENED: i % 2 === 0 ? 'N' : 'Y',
    BIRTHDATE: `2000-01-${String((i % 28) + 1).padStart(2, '0')}`,
    ...(i <= 5 ? { PHONE: [{ VALUE: `555-000${i}`, VALUE_TYPE: 'WORK' }] } : {}),
  }
}

describe.each(STORE_KINDS)('legacy lists (%s)', (kind) => {
  let t: TestApp
  const ids: number[] = []

  beforeAll(async () => {
    t = await createTestApp({ store: kind })
    for (let first = 1; first <= LEADS; first += 50) {
      const cmd: Record<string, string> = {}
      for (let i = first; i < Math.min(first + 50, LEADS + 1); i++) {
        cmd[`l${i}`] = `crm.lead.add?${toPhpQuery({ fields: leadFields(i) })}`
      }
      const batch = resultOf<{ result: Record<string, number>; result_error: unknown }>(
        await t.call('batch', { halt: 1, cmd }),
      )
      expect(batch.result_error).toEqual([])
      ids.push(...Object.values(batch.result))
    }
    expect(ids).toHaveLength(LEADS)
  })
  afterAll(async () => {
    await t.close()
  })

  const list = async (params: Record<string, unknown>, via: 'json' | 'form' | 'get' = 'json') => {
    const response = await t.call('crm.lead.list', params, { via })
    expect(response.status).toBe(200)
    return response.body as { result: Row[]; total?: number; next?: number }
  }
  const titles = (rows: Row[]) => rows.map((r) => r['TITLE'])

  describe('paging', () => {
    it('50 a page, ascending by ID by default; next and total', async () => {
      const page = await list({ select: ['ID'] })
      expect(page.result).toHaveLength(50)
      expect(page.result[0]).toEqual({ ID: String(ids[0]) })
      expect(page.next).toBe(50)
      expect(page.total).toBe(LEADS)
      const last = await list({ select: ['ID'], start: 100 })
      expect(last.result.map((r) => r['ID'])).toEqual(ids.slice(100).map(String))
      expect(last).not.toHaveProperty('next')
      expect(last.total).toBe(LEADS)
    })

    it('start is rounded down to a page; -1 skips the count (keyset paging)', async () => {
      expect((await list({ select: ['ID'], start: 73 })).result[0]).toEqual({ ID: String(ids[50]) })
      const keyset = await list({
        select: ['ID'],
        order: { ID: 'ASC' },
        filter: { '>ID': ids[49] },
        start: -1,
      })
      expect(keyset.result[0]).toEqual({ ID: String(ids[50]) })
      expect(keyset).not.toHaveProperty('total')
      expect(keyset).not.toHaveProperty('next')
    })

    it('the b24phpsdk batch list: $result[cmd_0][49][ID] chains the pages', async () => {
      const cmd = {
        cmd_0: `crm.lead.list?${toPhpQuery({ order: { ID: 'ASC' }, filter: { '>ID': 0 }, select: ['ID', 'TITLE'], start: -1 })}`,
        cmd_1: `crm.lead.list?${toPhpQuery({ order: { ID: 'ASC' }, select: ['ID', 'TITLE'], start: -1 })}&filter%5B%3EID%5D=%24result%5Bcmd_0%5D%5B49%5D%5BID%5D`,
      }
      const batch = resultOf<{ result: Record<string, Row[]> }>(await t.call('batch', { halt: 1, cmd }))
      expect(batch.result['cmd_0']?.[49]?.['ID']).toBe(String(ids[49]))
      expect(batch.result['cmd_1']?.[0]?.['ID']).toBe(String(ids[50]))
    })
  })

  describe('select', () => {
    it('default and "*": every standard field, no custom fields, no multifields, no CONTACT_IDS', async () => {
      const [byDefault] = (await list({ filter: { ID: ids[0] } })).result
      const [star] = (await list({ filter: { ID: ids[0] }, select: ['*'] })).result
      const got = resultOf<Row>(await t.call('crm.lead.get', { id: ids[0] }))
      expect(byDefault).toEqual(star)
      expect(Object.keys(star as Row)).toEqual(Object.keys(got).filter((key) => key !== 'PHONE'))
      expect(star).not.toHaveProperty('PHONE')
      expect(star).not.toHaveProperty('CONTACT_IDS')
    })

    it('names in any case, multifields only by name, ID always, unknown names dropped', async () => {
      const { result } = await list({
        filter: { '@ID': ids.slice(0, 2) },
        select: ['title', 'Phone', 'NOPE', 'UF_*'],
      })
      expect(result).toEqual([
        {
          ID: String(ids[0]),
          TITLE: 'Lead 001',
          PHONE: [
            { ID: expect.any(String) as unknown, VALUE_TYPE: 'WORK', VALUE: '555-0001', TYPE_ID: 'PHONE' },
          ],
        },
        {
          ID: String(ids[1]),
          TITLE: 'Lead 002',
          PHONE: [
            { ID: expect.any(String) as unknown, VALUE_TYPE: 'WORK', VALUE: '555-0002', TYPE_ID: 'PHONE' },
          ],
        },
      ])
      const [withoutPhone] = (await list({ filter: { ID: ids[9] }, select: ['ID', 'PHONE'] })).result
      expect(withoutPhone).toEqual({ ID: String(ids[9]) })
    })
  })

  describe('filter', () => {
    const count = async (filter: Record<string, unknown>) => (await list({ select: ['ID'], filter })).total

    it('every prefix of the page', async () => {
      expect(await count({ OPPORTUNITY: 100 })).toBe(1)
      expect(await count({ '=OPPORTUNITY': 100 })).toBe(1)
      expect(await count({ '>OPPORTUNITY': 1000 })).toBe(20)
      expect(await count({ '>=OPPORTUNITY': 1000 })).toBe(21)
      expect(await count({ '<OPPORTUNITY': 100 })).toBe(9)
      expect(await count({ '<=OPPORTUNITY': 100 })).toBe(10)
      expect(await count({ '@STATUS_ID': ['NEW', 'PROCESSED'] })).toBe(80)
      expect(await count({ '!@STATUS_ID': ['NEW', 'PROCESSED'] })).toBe(40)
      expect(await count({ '!=STATUS_ID': 'NEW' })).toBe(80)
      expect(await count({ '!STATUS_ID': 'NEW' })).toBe(80)
      expect(await count({ '%TITLE': 'ad 01' })).toBe(10)
      expect(await count({ '=%TITLE': 'Lead 11%' })).toBe(10)
      expect(await count({ '%=TITLE': '%0' })).toBe(12)
      expect(await count({ '!%TITLE': 'ad 0' })).toBe(21)
      expect(await count({ '!=%TITLE': 'Lead 0%' })).toBe(21)
      expect(await count({ '!%=TITLE': 'Lead 0%' })).toBe(21)
    })

    it('flags as Y/N, dates, the legacy field names, multifields by value', async () => {
      expect(await count({ OPENED: 'N' })).toBe(60)
      expect(await count({ OPENED: 'Y', STATUS_ID: 'NEW' })).toBe(20)
      expect(await count({ '>=BIRTHDATE': '2000-01-27' })).toBe(8)
      expect(await count({ '>=DATE_CREATE': '2026-01-15T00:00:00+00:00' })).toBe(LEADS)
      expect(await count({ '<DATE_CREATE': '15.01.2026' })).toBe(0)
      expect(await count({ PHONE: '555-0003' })).toBe(1)
      expect(await count({ '!PHONE': '555-0003' })).toBe(LEADS - 1)
    })

    it('no OR: nested groups and `logic` are ignored; unknown fields are ignored; bad values match nothing', async () => {
      expect(await count({ logic: 'OR', 0: { OPPORTUNITY: 10 }, 1: { OPPORTUNITY: 20 } })).toBe(LEADS)
      expect(await count({ NO_SUCH_FIELD: 1, NAME: 'Molly' })).toBe(12)
      expect(await count({ OPPORTUNITY: 'a lot' })).toBe(0)
      expect(await count({ '>BIRTHDATE': 'not a date' })).toBe(0)
    })
  })

  describe('order', () => {
    it('asc / desc in any case; ties broken by ID; unknown fields ignored', async () => {
      const desc = await list({ select: ['TITLE'], order: { OPPORTUNITY: 'desc' } })
      expect(titles(desc.result.slice(0, 2))).toEqual(['Lead 120', 'Lead 119'])
      const byStage = await list({ select: ['ID', 'STATUS_ID'], order: { status_id: 'Asc', NOPE: 'DESC' } })
      expect(byStage.result[0]).toEqual({ ID: String(ids[0]), STATUS_ID: 'IN_PROCESS' })
      expect(byStage.result[1]).toEqual({ ID: String(ids[3]), STATUS_ID: 'IN_PROCESS' })
      const sideways = await list({ select: ['ID'], order: { ID: 'sideways' } })
      expect(sideways.result[0]).toEqual({ ID: String(ids[0]) })
    })
  })

  describe('encodings', () => {
    it('form (CRest) and GET (@2bad) read the same as JSON', async () => {
      const params = { select: ['ID', 'TITLE'], filter: { '>OPPORTUNITY': 1150 }, order: { ID: 'DESC' } }
      const json = await list(params)
      expect(titles(json.result)).toEqual(['Lead 120', 'Lead 119', 'Lead 118', 'Lead 117', 'Lead 116'])
      expect(await list(params, 'form')).toEqual(json)
      expect(await list(params, 'get')).toEqual(json)
      // b24phpsdk sends an empty filter as [] and upper-case keys work as well.
      expect((await list({ FILTER: [], SELECT: ['ID'], ORDER: { ID: 'DESC' } })).result[0]).toEqual({
        ID: String(ids[LEADS - 1]),
      })
    })
  })

  describe('errors', () => {
    it('a filter / order that is not an array: "Parameter \'filter\' must be array."', async () => {
      expect(await t.call('crm.lead.list', { filter: 'TITLE' })).toEqual({
        status: 400,
        body: { error: '', error_description: "Parameter 'filter' must be array." },
      })
      expect(await t.call('crm.deal.list', { order: 'ID' })).toEqual({
        status: 400,
        body: { error: '', error_description: "Parameter 'order' must be array." },
      })
    })
  })

  describe('the other types', () => {
    it('contacts, companies and deals list with their own names', async () => {
      const contact = resultOf<number>(
        await t.call('crm.contact.add', {
          fields: { NAME: 'Listed', LAST_NAME: 'Contact', EMAIL: [{ VALUE: 'listed@example.com' }] },
        }),
      )
      const company = resultOf<number>(
        await t.call('crm.company.add', { fields: { TITLE: 'Listed Co', COMPANY_TYPE: 'PARTNER' } }),
      )
      const deal = resultOf<number>(
        await t.call('crm.deal.add', { fields: { TITLE: 'Listed deal', STAGE_ID: 'EXECUTING' } }),
      )
      expect(
        resultOf(
          await t.call('crm.contact.list', {
            filter: { EMAIL: 'listed@example.com' },
            select: ['NAME', 'EMAIL'],
          }),
        ),
      ).toEqual([
        {
          ID: String(contact),
          NAME: 'Listed',
          EMAIL: [
            {
              ID: expect.any(String) as unknown,
              VALUE_TYPE: 'WORK',
              VALUE: 'listed@example.com',
              TYPE_ID: 'EMAIL',
            },
          ],
        },
      ])
      expect(
        resultOf(
          await t.call('crm.company.list', { filter: { COMPANY_TYPE: 'PARTNER' }, select: ['TITLE'] }),
        ),
      ).toEqual([{ ID: String(company), TITLE: 'Listed Co' }])
      const deals = await t.call('crm.deal.list', {
        filter: { STAGE_ID: 'EXECUTING' },
        select: ['TITLE', 'STAGE_ID'],
      })
      expect(deals.body).toMatchObject({
        result: [{ ID: String(deal), TITLE: 'Listed deal', STAGE_ID: 'EXECUTING' }],
        total: 1,
      })
    })
  })
})
