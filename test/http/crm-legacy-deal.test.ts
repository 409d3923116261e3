import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import { addFunnel, addSmartProcess, setNextId, setPortal } from '../helpers/item-fixtures.js'
import { docsResponse, resultOf, SUCCESS_TIME } from '../helpers/legacy-fixtures.js'

/**
 * crm.deal.* through the real HTTP edge (api-reference/crm/deals/): the funnel is immutable for the legacy
 * update, CONTACT_IDS is never listed, IS_RETURN_CUSTOMER / IS_REPEATED_APPROACH are writable here (read-only in
 * crm.item.*), CLOSED follows the stage, the pages' samples and error texts.
 */

type Deal = Record<string, unknown>

const getDeal = async (t: TestApp, id: number): Promise<Deal> =>
  resultOf<Deal>(await t.call('crm.deal.get', { id }))
const itemGet = async (t: TestApp, id: number): Promise<Record<string, unknown>> =>
  resultOf<{ item: Record<string, unknown> }>(await t.call('crm.item.get', { entityTypeId: 2, id })).item

describe.each(STORE_KINDS)('crm.deal.* (%s)', (kind) => {
  let t: TestApp
  beforeEach(async () => {
    t = await createTestApp({ store: kind })
  })
  afterEach(async () => {
    await t.close()
  })

  it('crm.deal.add: the id as a number; a funnel and its stage on add', async () => {
    await addFunnel(t, 2, 1)
    const response = await t.call('crm.deal.add', {
      fields: { TITLE: 'New Deal #1', CATEGORY_ID: 1, STAGE_ID: 'C1:PREPARATION', OPPORTUNITY: 1000000 },
      params: { REGISTER_SONET_EVENT: 'Y' },
    })
    expect(response).toEqual({
      status: 200,
      body: { result: expect.any(Number) as unknown, time: SUCCESS_TIME },
    })
    const id = response.body['result'] as number
    expect(await getDeal(t, id)).toMatchObject({
      TITLE: 'New Deal #1',
      CATEGORY_ID: '1',
      STAGE_ID: 'C1:PREPARATION',
      OPPORTUNITY: '1000000.00',
    })
  })

  it('CATEGORY_ID on update is ignored (crm-deal-update.md: use crm.item.update to change the funnel)', async () => {
    await addFunnel(t, 2, 1)
    const id = resultOf<number>(await t.call('crm.deal.add', { fields: { TITLE: 'Stay' } }))
    const response = await t.call('crm.deal.update', { id, fields: { CATEGORY_ID: 1, TITLE: 'Stayed' } })
    expect(response.body['result']).toBe(true)
    expect(await getDeal(t, id)).toMatchObject({ TITLE: 'Stayed', CATEGORY_ID: '0', STAGE_ID: 'NEW' })
    resultOf(await t.call('crm.item.update', { entityTypeId: 2, id, fields: { categoryId: 1 } }))
    expect(await getDeal(t, id)).toMatchObject({ CATEGORY_ID: '1', STAGE_ID: 'C1:NEW' })
  })

  it('STAGE_ID: a final stage closes the deal; CLOSED and IS_NEW cannot be written', async () => {
    const id = resultOf<number>(await t.call('crm.deal.add', { fields: { TITLE: 'Win' } }))
    expect(await getDeal(t, id)).toMatchObject({ IS_NEW: 'Y', CLOSED: 'N', STAGE_SEMANTIC_ID: 'P' })
    await t.call('crm.deal.update', { id, fields: { CLOSED: 'Y', IS_NEW: 'N' } })
    expect(await getDeal(t, id)).toMatchObject({ IS_NEW: 'Y', CLOSED: 'N' })
    await t.call('crm.deal.update', { id, fields: { STAGE_ID: 'WON' } })
    expect(await getDeal(t, id)).toMatchObject({
      STAGE_ID: 'WON',
      STAGE_SEMANTIC_ID: 'S',
      CLOSED: 'Y',
      IS_NEW: 'N',
    })
  })

  it('IS_RETURN_CUSTOMER and IS_REPEATED_APPROACH are writable chars (server-behaviour.md §2 item 49)', async () => {
    const id = resultOf<number>(
      await t.call('crm.deal.add', { fields: { IS_RETURN_CUSTOMER: 'Y', IS_REPEATED_APPROACH: 'Y' } }),
    )
    expect(await itemGet(t, id)).toMatchObject({ isReturnCustomer: 'Y', isRepeatedApproach: 'Y' })
    // crm.item.* keeps them read-only.
    resultOf(await t.call('crm.item.update', { entityTypeId: 2, id, fields: { isReturnCustomer: 'N' } }))
    expect((await getDeal(t, id))['IS_RETURN_CUSTOMER']).toBe('Y')
  })

  it('CONTACT_IDS replaces the contacts; crm.deal.list neither prints nor filters it', async () => {
    const contacts: number[] = []
    for (const name of ['A', 'B']) {
      contacts.push(resultOf<number>(await t.call('crm.contact.add', { fields: { NAME: name } })))
    }
    const [a, b] = contacts as [number, number]
    const id = resultOf<number>(await t.call('crm.deal.add', { fields: { CONTACT_IDS: [b, a] } }))
    const other = resultOf<number>(await t.call('crm.deal.add', { fields: {} }))
    expect(await itemGet(t, id)).toMatchObject({ contactId: b, contactIds: [b, a] })
    expect((await getDeal(t, id))['CONTACT_ID']).toBe(String(b))
    const listed = resultOf<Deal[]>(
      await t.call('crm.deal.list', { select: ['ID', 'CONTACT_IDS'], filter: { CONTACT_IDS: [a] } }),
    )
    expect(listed).toEqual([{ ID: String(id) }, { ID: String(other) }])
    const byContact = resultOf<Deal[]>(
      await t.call('crm.deal.list', { select: ['ID'], filter: { CONTACT_ID: b } }),
    )
    expect(byContact).toEqual([{ ID: String(id) }])
  })

  it('errors: "Not found" for update and delete, the invalid-currency text of the page', async () => {
    expect(await t.call('crm.deal.update', { id: 410, fields: { TITLE: 'x' } })).toEqual({
      status: 400,
      body: { error: '', error_description: 'Not found' },
    })
    expect((await t.call('crm.deal.delete', { id: 410 })).body).toEqual({
      error: '',
      error_description: 'Not found',
    })
    const id = resultOf<number>(await t.call('crm.deal.add', { fields: {} }))
    expect(await t.call('crm.deal.update', { id, fields: { CURRENCY_ID: 'XYZ' } })).toEqual({
      status: 400,
      body: { error: '', error_description: 'Invalid value for the "Currency" field' },
    })
    expect((await t.call('crm.deal.add', { fields: { CURRENCY_ID: 'XYZ' } })).body).toEqual({
      error: '',
      error_description: 'Invalid value for the "Currency" field',
    })
  })

  it('REGISTER_SONET_EVENT: Y by default on add (crm-deal-add.md), N when sent as N', async () => {
    const livefeed = async (id: number) =>
      (
        await t.app.store.db
          .selectFrom('crm_history')
          .select('id')
          .where('entity_type_id', '=', 2)
          .where('item_id', '=', id)
          .where('channel', '=', 'livefeed')
          .execute()
      ).length
    const byDefault = resultOf<number>(await t.call('crm.deal.add', { fields: {} }))
    const off = resultOf<number>(
      await t.call('crm.deal.add', { fields: {}, params: { REGISTER_SONET_EVENT: 'N' } }),
    )
    expect(await livefeed(byDefault)).toBeGreaterThan(0)
    expect(await livefeed(off)).toBe(0)
  })

  it('crm.deal.delete deletes and records; the outbox names ONCRMDEALDELETE', async () => {
    const id = resultOf<number>(await t.call('crm.deal.add', { fields: {} }))
    expect(await t.call('crm.deal.delete', { id })).toEqual({
      status: 200,
      body: { result: true, time: SUCCESS_TIME },
    })
    const rows = await t.app.store.db
      .selectFrom('outbox')
      .select(['topic', 'payload'])
      .orderBy('id')
      .execute()
    const last = rows.at(-1)
    expect(last?.topic).toBe('crm.item.deleted')
    expect(JSON.parse(String(last?.payload))).toMatchObject({
      entityTypeId: 2,
      id,
      eventNames: ['ONCRMDEALDELETE'],
    })
  })

  it("crm.deal.get: the sample's keys in its order and its value forms", async () => {
    await setPortal(t, { timeZoneOffset: 120 })
    await addSmartProcess(t, 1220, { parentOf: [2] })
    resultOf(
      await t.call('crm.deal.userfield.add', {
        fields: { FIELD_NAME: 'UF_CRM_1721244482250', USER_TYPE_ID: 'string', LABEL: 'Greeting' },
      }),
    )
    await setNextId(t, 'item:1220', 22)
    resultOf(await t.call('crm.item.add', { entityTypeId: 1220, fields: { title: 'Parent 22' } }))
    const company = resultOf<number>(await t.call('crm.company.add', { fields: { TITLE: 'Nine' } }))
    const contact = resultOf<number>(await t.call('crm.contact.add', { fields: { NAME: 'Eighty-four' } }))
    await setNextId(t, 'item:2', 410)
    const id = resultOf<number>(
      await t.call('crm.deal.add', {
        fields: {
          TITLE: 'New Deal #1',
          TYPE_ID: 'COMPLEX',
          STAGE_ID: 'PREPARATION',
          PROBABILITY: 99,
          CURRENCY_ID: 'EUR',
          OPPORTUNITY: 1000000,
          IS_MANUAL_OPPORTUNITY: 'Y',
          COMPANY_ID: company,
          CONTACT_ID: contact,
          BEGINDATE: '2024-08-30',
          CLOSEDATE: '2024-09-09',
          COMMENTS: '[B]Example comment[/B]',
          ADDITIONAL_INFO: 'Additional information',
          SOURCE_ID: 'CALLBACK',
          SOURCE_DESCRIPTION: 'Additional source information',
          UTM_SOURCE: 'google',
          UTM_MEDIUM: 'CPC',
          PARENT_ID_1220: 22,
          UF_CRM_1721244482250: 'Hello world!',
        },
      }),
    )
    const sample = docsResponse('deals/crm-deal-get.md')['result'] as Deal
    const deal = await getDeal(t, id)
    expect(Object.keys(deal)).toEqual(Object.keys(sample))
    expect(deal).toMatchObject({
      ID: '410',
      TITLE: 'New Deal #1',
      TYPE_ID: 'COMPLEX',
      STAGE_ID: 'PREPARATION',
      PROBABILITY: '99',
      CURRENCY_ID: 'EUR',
      OPPORTUNITY: '1000000.00',
      IS_MANUAL_OPPORTUNITY: 'Y',
      TAX_VALUE: '0.00',
      LEAD_ID: null,
      COMPANY_ID: String(company),
      CONTACT_ID: String(contact),
      QUOTE_ID: null,
      BEGINDATE: '2024-08-30T02:00:00+02:00',
      CLOSEDATE: '2024-09-09T02:00:00+02:00',
      OPENED: 'Y',
      CLOSED: 'N',
      COMMENTS: '[B]Example comment[/B]',
      LOCATION_ID: null,
      CATEGORY_ID: '0',
      STAGE_SEMANTIC_ID: 'P',
      IS_RECURRING: 'N',
      IS_RETURN_CUSTOMER: 'N',
      IS_REPEATED_APPROACH: 'N',
      ORIGINATOR_ID: null,
      UTM_CAMPAIGN: null,
      PARENT_ID_1220: '22',
      UF_CRM_1721244482250: 'Hello world!',
    })
  })

  it("crm.deal.fields is the page's answer, field for field", async () => {
    const sample = docsResponse('deals/crm-deal-fields.md')['result'] as Record<string, unknown>
    const fields = resultOf<Record<string, unknown>>(await t.call('crm.deal.fields'))
    expect(fields).toEqual(sample)
    expect(Object.keys(fields)).toEqual(Object.keys(sample))
  })
})
