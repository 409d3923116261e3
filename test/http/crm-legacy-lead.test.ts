import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import { setNextId, setPortal, userHook } from '../helpers/item-fixtures.js'
import {
  addWithId,
  callWithToken,
  captures,
  docsResponse,
  mintAccessToken,
  replay,
  resultOf,
  SUCCESS_TIME,
} from '../helpers/legacy-fixtures.js'

/**
 * crm.lead.* through the real HTTP edge: the examples of the crm.lead.update seed page (shared/spec/seeds/
 * 002_*.txt = api-reference/crm/leads/crm-lead-update.md) and of crm-lead-add.md, the lead-specific rules
 * (STATUS_ID stages, IS_RETURN_CUSTOMER, the address block, multifields), the error dialect, and the
 * crm.lead.update requests real clients sent (research/client-contract-harness/captures.jsonl).
 */

type Lead = Record<string, unknown>

const getLead = async (t: TestApp, id: number): Promise<Lead> =>
  resultOf<Lead>(await t.call('crm.lead.get', { id }))
const itemGet = async (t: TestApp, id: number): Promise<Record<string, unknown>> =>
  resultOf<{ item: Record<string, unknown> }>(await t.call('crm.item.get', { entityTypeId: 1, id })).item

/** The fields of the update page's cURL / JS / BX24 examples. */
const SEED_FIELDS = {
  TITLE: 'IP Titov',
  NAME: 'Gleb',
  SECOND_NAME: 'Yegorovich',
  LAST_NAME: 'Titov',
  STATUS_ID: 'NEW',
  OPENED: 'Y',
  ASSIGNED_BY_ID: 1,
  CURRENCY_ID: 'USD',
  OPPORTUNITY: 12500,
  PHONE: [{ VALUE: '555888', VALUE_TYPE: 'WORK' }],
  WEB: [{ VALUE: 'www.mysite.com', VALUE_TYPE: 'WORK' }],
}
const SEED_REQUEST = { id: 1608, fields: SEED_FIELDS, params: { REGISTER_SONET_EVENT: 'Y' } }

/** What crm.lead.get shows after the seed update. */
function expectSeedApplied(lead: Lead): void {
  expect(lead).toMatchObject({
    ID: '1608',
    TITLE: 'IP Titov',
    NAME: 'Gleb',
    SECOND_NAME: 'Yegorovich',
    LAST_NAME: 'Titov',
    STATUS_ID: 'NEW',
    STATUS_SEMANTIC_ID: 'P',
    OPENED: 'Y',
    ASSIGNED_BY_ID: '1',
    CURRENCY_ID: 'USD',
    OPPORTUNITY: '12500.00',
    HAS_PHONE: 'Y',
    PHONE: [
      {
        ID: expect.stringMatching(/^\d+$/) as unknown,
        VALUE_TYPE: 'WORK',
        VALUE: '555888',
        TYPE_ID: 'PHONE',
      },
    ],
    WEB: [
      {
        ID: expect.stringMatching(/^\d+$/) as unknown,
        VALUE_TYPE: 'WORK',
        VALUE: 'www.mysite.com',
        TYPE_ID: 'WEB',
      },
    ],
  })
}

describe.each(STORE_KINDS)('crm.lead.* (%s)', (kind) => {
  let t: TestApp
  beforeEach(async () => {
    t = await createTestApp({ store: kind })
  })
  afterEach(async () => {
    await t.close()
  })

  describe('the crm.lead.update page (seed 002)', () => {
    beforeEach(async () => {
      // Lead 1608 of the examples, on another stage and without the values the examples set.
      await addWithId(t, 'crm.lead', 1608, {
        TITLE: 'Lead #1608',
        STATUS_ID: 'IN_PROCESS',
        CURRENCY_ID: 'EUR',
      })
    })

    it('cURL (webhook): {"result": true} and the lead carries the values', async () => {
      const response = await t.call('crm.lead.update', SEED_REQUEST)
      expect(response).toEqual({ status: 200, body: { result: true, time: SUCCESS_TIME } })
      expectSeedApplied(await getLead(t, 1608))
    })

    it('cURL (OAuth): the same request with "auth" in the body', async () => {
      const token = await mintAccessToken(t)
      const response = await callWithToken(t, 'crm.lead.update', token, SEED_REQUEST)
      expect(response).toEqual({ status: 200, body: { result: true, time: SUCCESS_TIME } })
      expectSeedApplied(await getLead(t, 1608))
    })

    it('JS ($b24.callMethod): JSON with the SDK telemetry in the query', async () => {
      const response = await t.inject({
        method: 'POST',
        url: `${t.hookPath}crm.lead.update?bx24_request_id=abc&bx24_sdk_ver=2.2.0&bx24_sdk_type=b24-js-sdk`,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(SEED_REQUEST),
      })
      expect(response.statusCode).toBe(200)
      expect(response.json()).toEqual({ result: true, time: SUCCESS_TIME })
      expectSeedApplied(await getLead(t, 1608))
    })

    it('BX24.callMethod: the same parameters form-encoded', async () => {
      const response = await t.call('crm.lead.update', SEED_REQUEST, { via: 'form' })
      expect(response).toEqual({ status: 200, body: { result: true, time: SUCCESS_TIME } })
      expectSeedApplied(await getLead(t, 1608))
    })

    it('PHP SDK: ATOM birthdate; a scalar PHONE / EMAIL is ignored', async () => {
      await addWithId(t, 'crm.lead', 123, { TITLE: 'Lead #123' })
      const response = await t.call('crm.lead.update', {
        id: 123,
        fields: {
          TITLE: 'Updated Lead Title',
          NAME: 'John',
          LAST_NAME: 'Doe',
          BIRTHDATE: '1980-01-01T00:00:00+00:00',
          COMPANY_TITLE: 'Example Company',
          STATUS_ID: 'NEW',
          COMMENTS: 'Updated comments for the lead.',
          PHONE: '1234567890',
          EMAIL: 'john.doe@example.com',
        },
        params: { REGISTER_SONET_EVENT: 'Y' },
      })
      expect(response.body['result']).toBe(true)
      const lead = await getLead(t, 123)
      expect(lead).toMatchObject({
        TITLE: 'Updated Lead Title',
        NAME: 'John',
        LAST_NAME: 'Doe',
        BIRTHDATE: '1980-01-01T00:00:00+00:00',
        COMPANY_TITLE: 'Example Company',
        COMMENTS: 'Updated comments for the lead.',
        HAS_PHONE: 'N',
        HAS_EMAIL: 'N',
      })
      expect(lead).not.toHaveProperty('PHONE')
      expect(lead).not.toHaveProperty('EMAIL')
    })

    it('CRest (form-encoded): COMPANY_ID 123 binds the company and makes the lead a returning one', async () => {
      await addWithId(t, 'crm.company', 123, { TITLE: 'Company 123' })
      await t.call('crm.lead.update', {
        id: 1608,
        fields: { PHONE: [{ VALUE: '555888', VALUE_TYPE: 'WORK' }] },
      })
      const response = await t.call(
        'crm.lead.update',
        {
          id: 1608,
          fields: { TITLE: 'CRest title', COMPANY_ID: 123, PHONE: [{ VALUE: '555888', VALUE_TYPE: 'WORK' }] },
        },
        { via: 'form' },
      )
      expect(response).toEqual({ status: 200, body: { result: true, time: SUCCESS_TIME } })
      const lead = await getLead(t, 1608)
      expect(lead).toMatchObject({ TITLE: 'CRest title', COMPANY_ID: '123', IS_RETURN_CUSTOMER: 'Y' })
      // "It is appended even if the same number already exists" (server-behaviour.md §2 item 50).
      expect((lead['PHONE'] as unknown[]).length).toBe(2)
    })

    it('the error example: an id that is not a positive integer', async () => {
      for (const id of [0, -5, 'abc', '']) {
        const response = await t.call('crm.lead.update', { id, fields: { TITLE: 'x' } })
        expect(response).toEqual({
          status: 400,
          body: { error: '', error_description: 'ID is not defined or invalid.' },
        })
      }
      const missing = await t.call('crm.lead.update', { fields: { TITLE: 'x' } })
      expect(missing.body).toEqual({ error: '', error_description: 'ID is not defined or invalid.' })
    })
  })

  describe('crm.lead.add (crm-lead-add.md)', () => {
    it('the cURL example answers the new id as a number', async () => {
      await setNextId(t, 'item:1', 3465)
      const response = await t.call('crm.lead.add', {
        fields: { ...SEED_FIELDS, SECOND_NAME: 'Egorovich' },
        params: { REGISTER_SONET_EVENT: 'Y' },
      })
      expect(response).toEqual({ status: 200, body: { result: 3465, time: SUCCESS_TIME } })
      const lead = await getLead(t, 3465)
      expect(lead).toMatchObject({ TITLE: 'IP Titov', SECOND_NAME: 'Egorovich', OPPORTUNITY: '12500.00' })
    })

    it('fills the defaults crm.item.add fills: title, stage, source, responsible', async () => {
      const id = resultOf<number>(await t.call('crm.lead.add', { fields: {} }))
      expect(await getLead(t, id)).toMatchObject({
        TITLE: `Lead #${id}`,
        STATUS_ID: 'NEW',
        STATUS_SEMANTIC_ID: 'P',
        ASSIGNED_BY_ID: '1',
        CREATED_BY_ID: '1',
        OPENED: 'Y',
        IS_RETURN_CUSTOMER: 'N',
        OPPORTUNITY: '0.00',
        BIRTHDATE: '',
        DATE_CLOSED: '',
      })
    })

    it('a company or contact given on add makes a returning lead', async () => {
      const company = resultOf<number>(await t.call('crm.company.add', { fields: { TITLE: 'Acme' } }))
      const id = resultOf<number>(await t.call('crm.lead.add', { fields: { COMPANY_ID: company } }))
      expect(await getLead(t, id)).toMatchObject({ COMPANY_ID: String(company), IS_RETURN_CUSTOMER: 'Y' })
    })

    it('ignores IS_RETURN_CUSTOMER, DATE_CREATE and the other read-only fields', async () => {
      const id = resultOf<number>(
        await t.call('crm.lead.add', {
          fields: {
            IS_RETURN_CUSTOMER: 'Y',
            DATE_CREATE: '2001-01-01T00:00:00+00:00',
            ID: 99,
            HAS_PHONE: 'Y',
          },
        }),
      )
      expect(id).not.toBe(99)
      expect(await getLead(t, id)).toMatchObject({
        IS_RETURN_CUSTOMER: 'N',
        DATE_CREATE: '2026-01-15T10:00:00+00:00',
        HAS_PHONE: 'N',
      })
    })
  })

  describe('crm.lead.get (crm-lead-get.md)', () => {
    it('prints the sample\'s keys in the sample\'s order, numbers as strings, empty dates as ""', async () => {
      await setPortal(t, { timeZoneOffset: 120 })
      const id = resultOf<number>(
        await t.call('crm.lead.add', {
          fields: {
            STATUS_ID: 'IN_PROCESS',
            PHONE: [{ VALUE: '+15454777777', VALUE_TYPE: 'OTHER' }],
            IM: [{ VALUE: 'imol|livechat|1|67|21', VALUE_TYPE: 'OPENLINE' }],
          },
        }),
      )
      const sample = docsResponse('leads/crm-lead-get.md')['result'] as Lead
      const lead = await getLead(t, id)
      expect(Object.keys(lead)).toEqual(Object.keys(sample))
      expect(lead).toMatchObject({
        ID: String(id),
        HONORIFIC: null,
        COMPANY_ID: null,
        CONTACT_ID: null,
        IS_RETURN_CUSTOMER: 'N',
        BIRTHDATE: '',
        STATUS_ID: 'IN_PROCESS',
        OPPORTUNITY: '0.00',
        ASSIGNED_BY_ID: '1',
        DATE_CREATE: '2026-01-15T12:00:00+02:00',
        DATE_CLOSED: '',
        ADDRESS_LOC_ADDR_ID: null,
        LAST_ACTIVITY_BY: '1',
        PHONE: [
          { ID: expect.any(String) as unknown, VALUE_TYPE: 'OTHER', VALUE: '+15454777777', TYPE_ID: 'PHONE' },
        ],
        IM: [
          {
            ID: expect.any(String) as unknown,
            VALUE_TYPE: 'OPENLINE',
            VALUE: 'imol|livechat|1|67|21',
            TYPE_ID: 'IM',
          },
        ],
      })
    })

    it('errors: invalid id, missing lead', async () => {
      expect((await t.call('crm.lead.get', { id: 'x' })).body).toEqual({
        error: '',
        error_description: 'ID is not defined or invalid.',
      })
      expect(await t.call('crm.lead.get', { id: 77 })).toEqual({
        status: 400,
        body: { error: '', error_description: 'Not found' },
      })
    })
  })

  describe('lead rules', () => {
    it('STATUS_ID is the stage: semantics, moved-by/at, the closing date on a final stage', async () => {
      const id = resultOf<number>(await t.call('crm.lead.add', { fields: { TITLE: 'Stages' } }))
      t.clock.advance(60_000)
      await t.call('crm.lead.update', { id, fields: { STATUS_ID: 'IN_PROCESS' } })
      expect(await getLead(t, id)).toMatchObject({
        STATUS_ID: 'IN_PROCESS',
        STATUS_SEMANTIC_ID: 'P',
        MOVED_TIME: '2026-01-15T10:01:00+00:00',
        DATE_CLOSED: '',
      })
      t.clock.advance(60_000)
      await t.call('crm.lead.update', { id, fields: { STATUS_ID: 'JUNK' } })
      expect(await getLead(t, id)).toMatchObject({
        STATUS_ID: 'JUNK',
        STATUS_SEMANTIC_ID: 'F',
        DATE_CLOSED: '2026-01-15T10:02:00+00:00',
      })
      expect((await itemGet(t, id))['stageId']).toBe('JUNK')
      const bad = await t.call('crm.lead.update', { id, fields: { STATUS_ID: 'NO_SUCH_STAGE' } })
      expect(bad).toEqual({
        status: 400,
        body: { error: '', error_description: 'Invalid value for the "Stage" field' },
      })
    })

    it('IS_RETURN_CUSTOMER follows the company and contacts the lead ends up with', async () => {
      const company = resultOf<number>(await t.call('crm.company.add', { fields: { TITLE: 'Acme' } }))
      const contact = resultOf<number>(await t.call('crm.contact.add', { fields: { NAME: 'Ann' } }))
      const id = resultOf<number>(await t.call('crm.lead.add', { fields: { TITLE: 'Returning' } }))
      const flag = async () => (await getLead(t, id))['IS_RETURN_CUSTOMER']

      await t.call('crm.lead.update', { id, fields: { IS_RETURN_CUSTOMER: 'Y' } })
      expect(await flag()).toBe('N')
      await t.call('crm.lead.update', { id, fields: { COMPANY_ID: company } })
      expect(await flag()).toBe('Y')
      await t.call('crm.lead.update', { id, fields: { COMPANY_ID: 0 } })
      expect(await flag()).toBe('N')
      await t.call('crm.lead.update', { id, fields: { CONTACT_ID: contact } })
      expect(await getLead(t, id)).toMatchObject({ CONTACT_ID: String(contact), IS_RETURN_CUSTOMER: 'Y' })
      await t.call('crm.lead.update', { id, fields: { TITLE: 'Still returning' } })
      expect(await flag()).toBe('Y')
      await t.call('crm.lead.update', { id, fields: { CONTACT_IDS: [] } })
      expect(await getLead(t, id)).toMatchObject({ CONTACT_ID: null, IS_RETURN_CUSTOMER: 'N' })
      // A lead in a success stage keeps the flag it has.
      await t.call('crm.lead.update', { id, fields: { COMPANY_ID: company } })
      await t.call('crm.lead.update', { id, fields: { STATUS_ID: 'CONVERTED' } })
      await t.call('crm.lead.update', { id, fields: { COMPANY_ID: 0 } })
      expect(await getLead(t, id)).toMatchObject({ COMPANY_ID: null, IS_RETURN_CUSTOMER: 'Y' })
    })

    it('CONTACT_IDS replaces the contacts, the first primary; a bound CONTACT_ID changes nothing', async () => {
      const ids: number[] = []
      for (const name of ['A', 'B', 'C']) {
        ids.push(resultOf<number>(await t.call('crm.contact.add', { fields: { NAME: name } })))
      }
      const [a, b, c] = ids as [number, number, number]
      const id = resultOf<number>(await t.call('crm.lead.add', { fields: { CONTACT_IDS: [b, a] } }))
      const contacts = async () => {
        const item = await itemGet(t, id)
        return { contactId: item['contactId'], contactIds: item['contactIds'] }
      }
      expect(await contacts()).toEqual({ contactId: b, contactIds: [b, a] })
      await t.call('crm.lead.update', { id, fields: { CONTACT_ID: a } })
      expect(await contacts()).toEqual({ contactId: b, contactIds: [b, a] })
      await t.call('crm.lead.update', { id, fields: { CONTACT_ID: c } })
      expect(await contacts()).toEqual({ contactId: c, contactIds: [c] })
      await t.call('crm.lead.update', { id, fields: { CONTACT_IDS: [a, b, c] } })
      expect(await contacts()).toEqual({ contactId: a, contactIds: [a, b, c] })
      const listed = resultOf<Lead[]>(
        await t.call('crm.lead.list', { filter: { ID: id }, select: ['ID', 'CONTACT_ID', 'CONTACT_IDS'] }),
      )
      expect(listed).toEqual([{ ID: String(id), CONTACT_ID: String(a), CONTACT_IDS: [a, b, c] }])
      await t.call('crm.lead.update', { id, fields: { CONTACT_ID: 0 } })
      expect(await contacts()).toEqual({ contactId: 0, contactIds: [] })
    })

    it('the address block is written as a whole ("pass the complete set of address fields")', async () => {
      const id = resultOf<number>(
        await t.call('crm.lead.add', {
          fields: {
            ADDRESS: '7677 Hollow Ridge Alley',
            ADDRESS_2: 'Suite 3',
            ADDRESS_CITY: 'Jakarta',
            ADDRESS_POSTAL_CODE: '10110',
            ADDRESS_REGION: 'Central',
            ADDRESS_PROVINCE: 'DKI',
            ADDRESS_COUNTRY: 'Indonesia',
            ADDRESS_COUNTRY_CODE: 'ID',
            ADDRESS_LOC_ADDR_ID: 1,
          },
        }),
      )
      expect(await getLead(t, id)).toMatchObject({
        ADDRESS: '7677 Hollow Ridge Alley',
        ADDRESS_2: 'Suite 3',
        ADDRESS_CITY: 'Jakarta',
        ADDRESS_POSTAL_CODE: '10110',
        ADDRESS_REGION: 'Central',
        ADDRESS_PROVINCE: 'DKI',
        ADDRESS_COUNTRY: 'Indonesia',
        ADDRESS_COUNTRY_CODE: 'ID',
        ADDRESS_LOC_ADDR_ID: '1',
      })
      // crm.item.* does not show them: `address` is disabled there (object-fields.md).
      const item = await itemGet(t, id)
      expect(item['address']).toBeNull()
      expect(Object.keys(item).some((key) => key.startsWith('address') && key !== 'address')).toBe(false)

      await t.call('crm.lead.update', { id, fields: { ADDRESS_CITY: 'Bandung' } })
      expect(await getLead(t, id)).toMatchObject({
        ADDRESS: null,
        ADDRESS_2: null,
        ADDRESS_CITY: 'Bandung',
        ADDRESS_COUNTRY: null,
        ADDRESS_LOC_ADDR_ID: null,
      })
      // Other fields leave the address alone.
      await t.call('crm.lead.update', { id, fields: { TITLE: 'Moved' } })
      expect((await getLead(t, id))['ADDRESS_CITY']).toBe('Bandung')
    })

    it('multifields: update by ID, delete with DELETE=Y or an empty VALUE, ids of other items change nothing', async () => {
      const other = resultOf<number>(
        await t.call('crm.lead.add', { fields: { PHONE: [{ VALUE: '000', VALUE_TYPE: 'WORK' }] } }),
      )
      const otherPhoneId = Number(((await getLead(t, other))['PHONE'] as Lead[])[0]?.['ID'])
      const id = resultOf<number>(
        await t.call('crm.lead.add', {
          fields: {
            PHONE: [{ VALUE: '111' }, { VALUE: '222', VALUE_TYPE: 'MOBILE' }, { VALUE: ' ' }],
            EMAIL: [{ VALUE: 'a@example.com', VALUE_TYPE: 'HOME' }],
          },
        }),
      )
      const before = (await getLead(t, id))['PHONE'] as Lead[]
      expect(before.map((p) => [p['VALUE'], p['VALUE_TYPE']])).toEqual([
        ['111', 'WORK'],
        ['222', 'MOBILE'],
      ])
      const [p1, p2] = before.map((p) => String(p['ID']))
      await t.call('crm.lead.update', {
        id,
        fields: {
          PHONE: [
            { ID: p1, VALUE: '333' },
            { ID: p2, DELETE: 'y' },
            { ID: otherPhoneId, VALUE: 'stolen' },
          ],
          EMAIL: [{ ID: ((await getLead(t, id))['EMAIL'] as Lead[])[0]?.['ID'], VALUE: '' }],
        },
      })
      const after = await getLead(t, id)
      expect(after['PHONE']).toEqual([{ ID: p1, VALUE_TYPE: 'WORK', VALUE: '333', TYPE_ID: 'PHONE' }])
      expect(after).not.toHaveProperty('EMAIL')
      expect(after['HAS_EMAIL']).toBe('N')
      expect(((await getLead(t, other))['PHONE'] as Lead[])[0]?.['VALUE']).toBe('000')
    })

    it('an invalid e-mail is the core error ERROR_CORE', async () => {
      const response = await t.call('crm.lead.add', {
        fields: { EMAIL: [{ VALUE: 'not an address', VALUE_TYPE: 'WORK' }] },
      })
      expect(response).toEqual({
        status: 400,
        body: {
          error: 'ERROR_CORE',
          error_description: 'The field `Work e-mail` contains an invalid address',
        },
      })
    })

    it('dates: ISO or the portal format; "" clears; an unreadable value is dropped', async () => {
      const id = resultOf<number>(await t.call('crm.lead.add', { fields: { BIRTHDATE: '1999-11-11' } }))
      const birthdate = async () => (await getLead(t, id))['BIRTHDATE']
      expect(await birthdate()).toBe('1999-11-11T00:00:00+00:00')
      await t.call('crm.lead.update', { id, fields: { BIRTHDATE: 'next Tuesday' } })
      expect(await birthdate()).toBe('1999-11-11T00:00:00+00:00')
      await t.call('crm.lead.update', { id, fields: { BIRTHDATE: '01.02.2003' } })
      expect(await birthdate()).toBe('2003-02-01T00:00:00+00:00')
      await t.call('crm.lead.update', { id, fields: { BIRTHDATE: '' } })
      expect(await birthdate()).toBe('')
      expect((await itemGet(t, id))['birthdate']).toBeNull()
    })

    it('lower-case and unknown field names change nothing', async () => {
      const id = resultOf<number>(await t.call('crm.lead.add', { fields: { TITLE: 'Upper' } }))
      const response = await t.call('crm.lead.update', {
        id,
        fields: { title: 'lower', Title: 'cap', NOPE: 1 },
      })
      expect(response.body['result']).toBe(true)
      expect((await getLead(t, id))['TITLE']).toBe('Upper')
    })
  })

  describe('errors', () => {
    it('update of a missing lead: "Lead is not found"; delete and get: "Not found"', async () => {
      expect(await t.call('crm.lead.update', { id: 404, fields: { TITLE: 'x' } })).toEqual({
        status: 400,
        body: { error: '', error_description: 'Lead is not found' },
      })
      expect((await t.call('crm.lead.delete', { id: 404 })).body).toEqual({
        error: '',
        error_description: 'Not found',
      })
      expect((await t.call('crm.lead.delete', { id: 'x' })).body).toEqual({
        error: '',
        error_description: 'ID is not defined or invalid.',
      })
    })

    it('fields / params that are not arrays: "Parameter \'fields\' must be array."', async () => {
      const id = resultOf<number>(await t.call('crm.lead.add', { fields: {} }))
      expect((await t.call('crm.lead.update', { id, fields: 'TITLE' })).body).toEqual({
        error: '',
        error_description: "Parameter 'fields' must be array.",
      })
      expect((await t.call('crm.lead.update', { id, fields: {}, params: 'Y' })).body).toEqual({
        error: '',
        error_description: "Parameter 'params' must be array.",
      })
      expect((await t.call('crm.lead.add', { FIELDS: 5 })).body).toEqual({
        error: '',
        error_description: "Parameter 'fields' must be array.",
      })
    })

    it('a user without CRM access: "Access denied."', async () => {
      const { prefix } = await userHook(t, { userType: 'extranet' })
      for (const [method, params] of [
        ['crm.lead.add', { fields: {} }],
        ['crm.lead.get', { id: 1 }],
        ['crm.lead.list', {}],
        ['crm.lead.fields', {}],
      ] as const) {
        expect(await t.call(method, params, { prefix })).toEqual({
          status: 400,
          body: { error: '', error_description: 'Access denied.' },
        })
      }
    })
  })

  describe('crm.lead.delete', () => {
    it('deletes the lead with its multifields; answers true', async () => {
      const id = resultOf<number>(await t.call('crm.lead.add', { fields: { PHONE: [{ VALUE: '1' }] } }))
      expect(await t.call('crm.lead.delete', { ID: id })).toEqual({
        status: 200,
        body: { result: true, time: SUCCESS_TIME },
      })
      expect((await t.call('crm.lead.get', { id })).body['error_description']).toBe('Not found')
      expect((await t.call('crm.item.get', { entityTypeId: 1, id })).body['error']).toBe('NOT_FOUND')
      const rows = await t.app.store.db
        .selectFrom('crm_multifield')
        .select('id')
        .where('item_id', '=', id)
        .execute()
      expect(rows).toEqual([])
    })
  })

  describe('crm.lead.fields (crm-lead-fields.md)', () => {
    it("is the page's answer, field for field", async () => {
      const sample = docsResponse('leads/crm-lead-fields.md')['result']
      const fields = resultOf(await t.call('crm.lead.fields'))
      expect(fields).toEqual(sample)
      expect(Object.keys(fields as object)).toEqual(Object.keys(sample as object))
    })
  })

  describe('the crm.lead.update requests real clients sent (captures.jsonl)', () => {
    const recorded = captures((c) => c.url.includes('/crm.lead.update'))

    it('covers the five clients', () => {
      expect(recorded.map((c) => c.label.split(':')[0])).toEqual([
        'jssdk-hook',
        '2bad',
        'pysdk-hook',
        'phpsdk-hook',
        'crest-hook',
      ])
    })

    it.each(recorded.map((c) => [c.label, c] as const))('%s', async (_label, capture) => {
      // Lead 42 with the phone 17 the jssdk request deletes.
      await setNextId(t, 'multifield', 17)
      await addWithId(t, 'crm.lead', 42, {
        TITLE: 'Before',
        COMMENTS: 'old comment',
        OPENED: 'N',
        PHONE: [{ VALUE: '+1 555 0199', VALUE_TYPE: 'HOME' }],
      })
      const response = await replay(t, capture)
      expect(response).toEqual({ status: 200, body: { result: true, time: SUCCESS_TIME } })
      const lead = await getLead(t, 42)
      expect(lead['TITLE']).toBe('John & Martin')
      expect(lead['OPENED']).toBe('Y')
      // JSON null, the query's `COMMENTS=` and the form's missing key: cleared, cleared, kept.
      expect(lead['COMMENTS']).toBe(capture.label.startsWith('crest') ? 'old comment' : null)
      const phones = (lead['PHONE'] as Lead[]).map((p) => [p['VALUE'], p['VALUE_TYPE']])
      const added = ['+1 555 0100', 'WORK']
      expect(phones).toEqual(capture.label.startsWith('jssdk') ? [added] : [['+1 555 0199', 'HOME'], added])
      if (capture.label.startsWith('jssdk')) expect(lead['BIRTHDATE']).toBe('2024-01-02T00:00:00+00:00')
    })
  })
})
