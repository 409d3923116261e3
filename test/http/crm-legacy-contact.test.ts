import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import { addSmartProcess, setNextId, setPortal } from '../helpers/item-fixtures.js'
import {
  addWithId,
  callWithToken,
  docsResponse,
  mintAccessToken,
  resultOf,
  SUCCESS_TIME,
} from '../helpers/legacy-fixtures.js'

/**
 * crm.contact.* through the real HTTP edge: every example of the crm.contact.update seed page (shared/spec/
 * seeds/004_*.txt = api-reference/crm/contacts/crm-contact-update.md) — including its "Working with Multiple
 * Fields" walkthrough, step by step — and the contact rules of the other contact pages.
 *
 * Preconditions the examples assume, recreated: contact 43; companies 12, 13 and 15; a smart process 1224
 * whose items are parents of contacts, with an item 14 (`PARENT_ID_1224: 14`); the custom field
 * UF_CRM_1720697698689 (string); and the contact type RECOMMENDATION the example sets (a fresh portal's
 * CONTACT_TYPE list has CLIENT, SUPPLIER, PARTNER, OTHER — the docs' portal has it added).
 */

type Contact = Record<string, unknown>

const getContact = async (t: TestApp, id: number): Promise<Contact> =>
  resultOf<Contact>(await t.call('crm.contact.get', { id }))
const itemGet = async (t: TestApp, id: number): Promise<Record<string, unknown>> =>
  resultOf<{ item: Record<string, unknown> }>(await t.call('crm.item.get', { entityTypeId: 3, id })).item

/** The fields of the page's cURL / CRest examples (UPPER `ID` / `FIELDS` / `PARAMS`). */
const SEED_FIELDS = {
  NAME: 'John',
  BIRTHDATE: '11.11.1999',
  TYPE_ID: 'RECOMMENDATION',
  SOURCE_ID: 'WEB',
  POST: 'Network Administrator',
  COMMENTS: 'New comment',
  OPENED: 'N',
  EXPORT: 'Y',
  ASSIGNED_BY_ID: 1,
  COMPANY_ID: 12,
  COMPANY_IDS: [13, 15],
  UF_CRM_1720697698689: 'Example of a new value for a custom field of type "String"',
  PARENT_ID_1224: 14,
}
const SEED_PARAMS = { REGISTER_SONET_EVENT: 'N', REGISTER_HISTORY_EVENT: 'N' }

async function seedPortal(t: TestApp): Promise<void> {
  for (const id of [12, 13, 15]) await addWithId(t, 'crm.company', id, { TITLE: `Company ${id}` })
  await addSmartProcess(t, 1224, { title: 'Partners', parentOf: [3] })
  await setNextId(t, 'item:1224', 14)
  resultOf(await t.call('crm.item.add', { entityTypeId: 1224, fields: { title: 'Partner 14' } }))
  resultOf(
    await t.call('crm.status.add', {
      fields: { ENTITY_ID: 'CONTACT_TYPE', STATUS_ID: 'RECOMMENDATION', NAME: 'Recommendation', SORT: 50 },
    }),
  )
  resultOf(
    await t.call('crm.contact.userfield.add', {
      fields: { FIELD_NAME: 'UF_CRM_1720697698689', USER_TYPE_ID: 'string', LABEL: 'Note' },
    }),
  )
  await addWithId(t, 'crm.contact', 43, { NAME: 'Jon', LAST_NAME: 'Smith', TYPE_ID: 'CLIENT', OPENED: 'Y' })
}

/** What crm.contact.get shows after the seed update. */
async function expectSeedApplied(t: TestApp): Promise<void> {
  expect(await getContact(t, 43)).toMatchObject({
    ID: '43',
    NAME: 'John',
    LAST_NAME: 'Smith',
    BIRTHDATE: '1999-11-11T00:00:00+00:00',
    TYPE_ID: 'RECOMMENDATION',
    SOURCE_ID: 'WEB',
    POST: 'Network Administrator',
    COMMENTS: 'New comment',
    OPENED: 'N',
    EXPORT: 'Y',
    ASSIGNED_BY_ID: '1',
    // COMPANY_IDS replaces the bindings and its first entry becomes primary: the deprecated COMPANY_ID
    // follows it (server-behaviour.md §2 item 54).
    COMPANY_ID: '13',
    PARENT_ID_1224: '14',
    UF_CRM_1720697698689: 'Example of a new value for a custom field of type "String"',
  })
  const item = await itemGet(t, 43)
  expect(item).toMatchObject({ companyId: 13, companyIds: [13, 15], parentId1224: 14, opened: 'N' })
}

describe.each(STORE_KINDS)('crm.contact.* (%s)', (kind) => {
  let t: TestApp
  beforeEach(async () => {
    t = await createTestApp({ store: kind })
  })
  afterEach(async () => {
    await t.close()
  })

  describe('the crm.contact.update page (seed 004)', () => {
    beforeEach(async () => {
      await seedPortal(t)
    })

    it('cURL (webhook): ID / FIELDS / PARAMS in upper case', async () => {
      const response = await t.call('crm.contact.update', {
        ID: 43,
        FIELDS: SEED_FIELDS,
        PARAMS: SEED_PARAMS,
      })
      expect(response).toEqual({ status: 200, body: { result: true, time: SUCCESS_TIME } })
      await expectSeedApplied(t)
    })

    it('cURL (OAuth): the same with "auth"', async () => {
      const token = await mintAccessToken(t)
      const response = await callWithToken(t, 'crm.contact.update', token, {
        ID: 43,
        FIELDS: SEED_FIELDS,
        PARAMS: SEED_PARAMS,
      })
      expect(response).toEqual({ status: 200, body: { result: true, time: SUCCESS_TIME } })
      await expectSeedApplied(t)
    })

    it('JS ($b24.callMethod) and BX24.callMethod: id / fields / params in lower case', async () => {
      const response = await t.call('crm.contact.update', {
        id: 43,
        fields: SEED_FIELDS,
        params: SEED_PARAMS,
      })
      expect(response).toEqual({ status: 200, body: { result: true, time: SUCCESS_TIME } })
      await expectSeedApplied(t)
      const form = await t.call(
        'crm.contact.update',
        { id: 43, fields: { ...SEED_FIELDS, POST: 'BX24' }, params: SEED_PARAMS },
        { via: 'form' },
      )
      expect(form.body['result']).toBe(true)
      expect((await getContact(t, 43))['POST']).toBe('BX24')
    })

    it('CRest: the upper-case request form-encoded', async () => {
      const response = await t.call(
        'crm.contact.update',
        { ID: 43, FIELDS: SEED_FIELDS, PARAMS: SEED_PARAMS },
        { via: 'form' },
      )
      expect(response).toEqual({ status: 200, body: { result: true, time: SUCCESS_TIME } })
      await expectSeedApplied(t)
    })

    it('PHP SDK: ATOM birthdate and the deprecated address; scalar PHONE / EMAIL ignored', async () => {
      await addWithId(t, 'crm.contact', 123, { NAME: 'Old' })
      const response = await t.call('crm.contact.update', {
        id: 123,
        fields: {
          NAME: 'John',
          LAST_NAME: 'Doe',
          BIRTHDATE: '1990-01-01T00:00:00+00:00',
          PHONE: '123456789',
          EMAIL: 'john.doe@example.com',
          ADDRESS: '123 Main St',
          ADDRESS_CITY: 'Anytown',
          ADDRESS_COUNTRY: 'USA',
        },
        params: { REGISTER_SONET_EVENT: 'Y' },
      })
      expect(response.body['result']).toBe(true)
      const contact = await getContact(t, 123)
      expect(contact).toMatchObject({
        NAME: 'John',
        LAST_NAME: 'Doe',
        BIRTHDATE: '1990-01-01T00:00:00+00:00',
        ADDRESS: '123 Main St',
        ADDRESS_2: null,
        ADDRESS_CITY: 'Anytown',
        ADDRESS_COUNTRY: 'USA',
        HAS_PHONE: 'N',
      })
      expect(contact).not.toHaveProperty('PHONE')
    })

    it('REGISTER_HISTORY_EVENT = N: no history row; absent: recorded', async () => {
      const historyRows = async () =>
        (
          await t.app.store.db
            .selectFrom('crm_history')
            .select('id')
            .where('entity_type_id', '=', 3)
            .where('item_id', '=', 43)
            .where('channel', '=', 'history')
            .where('event', '=', 'update')
            .execute()
        ).length
      await t.call('crm.contact.update', { ID: 43, FIELDS: { POST: 'One' }, PARAMS: SEED_PARAMS })
      expect(await historyRows()).toBe(0)
      await t.call('crm.contact.update', { ID: 43, FIELDS: { POST: 'Two' } })
      expect(await historyRows()).toBe(1)
    })

    it('the error example: "Contact is not found"', async () => {
      expect(await t.call('crm.contact.update', { ID: 4343, FIELDS: { NAME: 'x' } })).toEqual({
        status: 400,
        body: { error: '', error_description: 'Contact is not found' },
      })
    })

    it('ERROR_CORE: "The field `Work e-mail` contains an invalid address"', async () => {
      const response = await t.call('crm.contact.update', {
        ID: 43,
        FIELDS: { EMAIL: [{ VALUE: 'john.example.com', VALUE_TYPE: 'WORK' }] },
      })
      expect(response).toEqual({
        status: 400,
        body: {
          error: 'ERROR_CORE',
          error_description: 'The field `Work e-mail` contains an invalid address',
        },
      })
      const home = await t.call('crm.contact.add', {
        fields: { EMAIL: [{ VALUE: '@', VALUE_TYPE: 'HOME' }] },
      })
      expect(home.body['error_description']).toBe('The field `Personal e-mail` contains an invalid address')
    })
  })

  describe('"Working with Multiple Fields", step by step', () => {
    const phones = async (id: number) => (await getContact(t, id))['PHONE']

    it('updates 223, deletes 222 / 223 / 224 keeping 225, adds 55555', async () => {
      // The example's phones 222, 223, 224.
      await setNextId(t, 'multifield', 222)
      const id = resultOf<number>(
        await t.call('crm.contact.add', {
          fields: {
            NAME: 'Walkthrough',
            PHONE: [
              { VALUE: '111111', VALUE_TYPE: 'WORK' },
              { VALUE: '222222', VALUE_TYPE: 'WORK' },
              { VALUE: '333333', VALUE_TYPE: 'WORK' },
            ],
          },
        }),
      )
      expect(await phones(id)).toEqual([
        { ID: '222', VALUE_TYPE: 'WORK', VALUE: '111111', TYPE_ID: 'PHONE' },
        { ID: '223', VALUE_TYPE: 'WORK', VALUE: '222222', TYPE_ID: 'PHONE' },
        { ID: '224', VALUE_TYPE: 'WORK', VALUE: '333333', TYPE_ID: 'PHONE' },
      ])

      // "To change the value of the phone with ID = 223".
      let response = await t.call('crm.contact.update', {
        id,
        fields: { PHONE: [{ ID: 223, VALUE: '444444', VALUE_TYPE: 'MOBILE' }] },
      })
      expect(response.body['result']).toBe(true)
      expect(await phones(id)).toEqual([
        { ID: '222', VALUE_TYPE: 'WORK', VALUE: '111111', TYPE_ID: 'PHONE' },
        { ID: '223', VALUE_TYPE: 'MOBILE', VALUE: '444444', TYPE_ID: 'PHONE' },
        { ID: '224', VALUE_TYPE: 'WORK', VALUE: '333333', TYPE_ID: 'PHONE' },
      ])

      // The delete example starts with a fourth phone, 225.
      await t.call('crm.contact.update', { id, fields: { PHONE: [{ VALUE: '44444', VALUE_TYPE: 'WORK' }] } })
      expect(((await phones(id)) as Contact[]).map((p) => p['ID'])).toEqual(['222', '223', '224', '225'])

      // "Let's consider ways to delete all values except for the phone with ID = 225".
      response = await t.call('crm.contact.update', {
        id,
        fields: { PHONE: [{ ID: 222, DELETE: 'Y' }, { ID: 223, VALUE: '' }, { ID: 224 }] },
      })
      expect(response.body['result']).toBe(true)
      // "As a result, the following will remain".
      expect(await phones(id)).toEqual([{ ID: '225', VALUE_TYPE: 'WORK', VALUE: '44444', TYPE_ID: 'PHONE' }])

      // "Example of adding a new value 55555": existing values are not changed.
      response = await t.call('crm.contact.update', {
        id,
        fields: { PHONE: [{ VALUE: '55555', VALUE_TYPE: 'WORK' }] },
      })
      expect(response.body['result']).toBe(true)
      expect(await phones(id)).toEqual([
        { ID: '225', VALUE_TYPE: 'WORK', VALUE: '44444', TYPE_ID: 'PHONE' },
        { ID: '226', VALUE_TYPE: 'WORK', VALUE: '55555', TYPE_ID: 'PHONE' },
      ])
      // crm.item.* sees the same records.
      expect((await itemGet(t, id))['fm']).toEqual([
        { id: 225, valueType: 'WORK', value: '44444', typeId: 'PHONE' },
        { id: 226, valueType: 'WORK', value: '55555', typeId: 'PHONE' },
      ])
    })

    it('the seed-era e-mail tutorial: ids come back as strings and are sent back as strings', async () => {
      const id = resultOf<number>(
        await t.call('crm.contact.add', {
          fields: {
            NAME: 'New contact',
            EMAIL: [
              { VALUE: 'work@example.com', VALUE_TYPE: 'WORK' },
              { VALUE: 'home@example.com', VALUE_TYPE: 'HOME' },
            ],
          },
        }),
      )
      const emails = (await t.call('crm.contact.get', { ID: id })).body['result'] as Contact
      const [work, home] = (emails['EMAIL'] as Contact[]).map((e) => String(e['ID']))
      const response = await t.call(
        'crm.contact.update',
        {
          ID: id,
          FIELDS: {
            EMAIL: [
              { ID: work, VALUE: 'new_work@example.com' },
              { ID: home, DELETE: 'Y' },
            ],
          },
        },
        { via: 'form' },
      )
      expect(response.body['result']).toBe(true)
      expect((await getContact(t, id))['EMAIL']).toEqual([
        { ID: work, VALUE_TYPE: 'WORK', VALUE: 'new_work@example.com', TYPE_ID: 'EMAIL' },
      ])
    })
  })

  describe('contact rules', () => {
    it('crm.contact.add answers the id as a number; defaults OPENED and EXPORT to Y', async () => {
      await setNextId(t, 'item:3', 46)
      const response = await t.call('crm.contact.add', {
        fields: {
          NAME: 'John',
          LAST_NAME: 'Smith',
          EMAIL: [{ VALUE: 'john@example.com', VALUE_TYPE: 'WORK' }],
        },
        params: { REGISTER_SONET_EVENT: 'Y' },
      })
      expect(response).toEqual({ status: 200, body: { result: 46, time: SUCCESS_TIME } })
      expect(await getContact(t, 46)).toMatchObject({
        OPENED: 'Y',
        EXPORT: 'Y',
        HAS_EMAIL: 'Y',
        TYPE_ID: 'CLIENT',
      })
    })

    it('COMPANY_IDS replaces the companies in order; a bare COMPANY_ID replaces them with itself', async () => {
      const companies: number[] = []
      for (const title of ['A', 'B', 'C']) {
        companies.push(resultOf<number>(await t.call('crm.company.add', { fields: { TITLE: title } })))
      }
      const [a, b, c] = companies as [number, number, number]
      const id = resultOf<number>(
        await t.call('crm.contact.add', { fields: { NAME: 'X', COMPANY_IDS: [c, a] } }),
      )
      expect(await itemGet(t, id)).toMatchObject({ companyId: c, companyIds: [c, a] })
      await t.call('crm.contact.update', { id, fields: { COMPANY_ID: a } })
      expect(await itemGet(t, id)).toMatchObject({ companyId: c, companyIds: [c, a] })
      await t.call('crm.contact.update', { id, fields: { COMPANY_ID: b } })
      expect(await itemGet(t, id)).toMatchObject({ companyId: b, companyIds: [b] })
      const listed = resultOf<Contact[]>(
        await t.call('crm.contact.list', { filter: { ID: id }, select: ['COMPANY_ID', 'COMPANY_IDS'] }),
      )
      expect(listed).toEqual([{ ID: String(id), COMPANY_ID: String(b), COMPANY_IDS: [b] }])
      // crm.contact.get does not print COMPANY_IDS (crm-contact-get.md).
      expect(await getContact(t, id)).not.toHaveProperty('COMPANY_IDS')
    })

    it('clearing both names fails; LEAD_ID takes nothing; PHOTO stores an upload', async () => {
      const lead = resultOf<number>(await t.call('crm.lead.add', { fields: {} }))
      const id = resultOf<number>(await t.call('crm.contact.add', { fields: { NAME: 'Ann', LEAD_ID: lead } }))
      expect((await getContact(t, id))['LEAD_ID']).toBeNull()
      const photo = await t.call('crm.contact.update', {
        id,
        fields: { PHOTO: { fileData: ['me.png', 'iVBORw0KGgo='] } },
      })
      expect(photo.body['result']).toBe(true)
      // how-to-make-contact-edit-card.md: set through crm.contact.update; crm.item.get prints the file id.
      const stored = (await getContact(t, id))['PHOTO'] as { id: number; showUrl: string }
      expect(stored.showUrl).toBe(
        `/bitrix/components/bitrix/crm.contact.show/show_file.php?ownerId=${id}&fieldName=PHOTO&fileId=${stored.id}`,
      )
      const item = await t.call('crm.item.get', { entityTypeId: 3, id })
      expect((item.body['result'] as { item: Record<string, unknown> }).item['photo']).toBe(stored.id)
      expect(await t.call('crm.contact.update', { id, fields: { NAME: '', LAST_NAME: '' } })).toEqual({
        status: 400,
        body: { error: '', error_description: 'The field "First Name" or "Last Name" is required.' },
      })
    })

    it('crm.contact.delete: true; a missing contact is ERROR_CORE "Element not found"', async () => {
      const id = resultOf<number>(await t.call('crm.contact.add', { fields: { NAME: 'Gone' } }))
      expect(await t.call('crm.contact.delete', { id })).toEqual({
        status: 200,
        body: { result: true, time: SUCCESS_TIME },
      })
      expect(await t.call('crm.contact.delete', { id })).toEqual({
        status: 400,
        body: { error: 'ERROR_CORE', error_description: 'Element not found' },
      })
      expect((await t.call('crm.contact.get', { id })).body).toEqual({
        error: '',
        error_description: 'Not found',
      })
    })
  })

  describe('crm.contact.get (crm-contact-get.md)', () => {
    it("the sample's keys in its order (plus ADDRESS_COUNTRY_CODE), values as the sample prints them", async () => {
      await setPortal(t, { timeZoneOffset: 120 })
      await addSmartProcess(t, 1224, { parentOf: [3] })
      resultOf(
        await t.call('crm.contact.userfield.add', {
          fields: { FIELD_NAME: 'UF_CRM_1720697698689', USER_TYPE_ID: 'string', LABEL: 'Note' },
        }),
      )
      const company = resultOf<number>(await t.call('crm.company.add', { fields: { TITLE: 'Twelve' } }))
      const id = resultOf<number>(
        await t.call('crm.contact.add', {
          fields: {
            POST: 'Administrator',
            HONORIFIC: 'HNR_EN_1',
            NAME: 'John',
            SECOND_NAME: 'Doe',
            LAST_NAME: 'Smith',
            TYPE_ID: 'PARTNER',
            SOURCE_ID: 'WEB',
            COMPANY_ID: company,
            BIRTHDATE: '2001-11-11',
            EXPORT: 'N',
            PHONE: [{ VALUE: '+13333333555', VALUE_TYPE: 'WORK' }],
            EMAIL: [{ VALUE: 'johnsmith@example.mailing', VALUE_TYPE: 'MAILING' }],
          },
        }),
      )
      const sample = docsResponse('contacts/crm-contact-get.md')['result'] as Contact
      const expectedKeys = Object.keys(sample).flatMap((key) =>
        key === 'ADDRESS_COUNTRY' ? [key, 'ADDRESS_COUNTRY_CODE'] : [key],
      )
      const contact = await getContact(t, id)
      expect(Object.keys(contact)).toEqual(expectedKeys)
      expect(contact).toMatchObject({
        HONORIFIC: 'HNR_EN_1',
        PHOTO: null,
        LEAD_ID: null,
        COMPANY_ID: String(company),
        BIRTHDATE: '2001-11-11T02:00:00+02:00',
        EXPORT: 'N',
        FACE_ID: null,
        PARENT_ID_1224: null,
        UF_CRM_1720697698689: null,
      })
    })
  })

  describe('crm.contact.fields (crm-contact-fields.md)', () => {
    it("is the page's answer, field for field", async () => {
      const sample = docsResponse('contacts/crm-contact-fields.md')['result'] as Record<string, unknown>
      const fields = resultOf<Record<string, unknown>>(await t.call('crm.contact.fields'))
      expect(fields).toEqual(sample)
      expect(Object.keys(fields)).toEqual(Object.keys(sample))
    })
  })
})
