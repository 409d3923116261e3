import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import { itemOf, setNextId } from '../helpers/item-fixtures.js'
import { docsResponse, resultOf, SUCCESS_TIME } from '../helpers/legacy-fixtures.js'

/**
 * Multifields — phones, e-mails, websites, messengers, links — of leads, contacts and companies, in both
 * dialects, through the real HTTP edge:
 * - crm.multifield.fields (api-reference/crm/auxiliary/multifield/crm-multifield-fields.md);
 * - the "Working with Multiple Fields" walkthrough of crm.contact.update (seed 004 = contacts/
 *   crm-contact-update.md) with the page's own ids 222–225, step by step;
 * - the `fm` operations of crm.item.update (seed 001 = universal/crm-item-update.md: `n0` adds, a record id
 *   changes, an empty value deletes, what is not mentioned stays), with the page's ids 15 and 16;
 * - typeId / valueType handling, hasPhone / hasEmail / hasImol (HAS_PHONE / HAS_EMAIL / HAS_IMOL);
 * - the legacy list filters by value (crm-lead-list.md `{"PHONE": "555888"}`; "Filters for these fields only
 *   work on exact matches", crm-contact-list.md) and the universal flag filters.
 */

type Row = Record<string, unknown>
type Fm = { id: number; typeId: string; valueType: string; value: string }

const LEGACY = [
  { prefix: 'crm.lead', entityTypeId: 1, fields: { TITLE: 'Lead' } },
  { prefix: 'crm.contact', entityTypeId: 3, fields: { NAME: 'Contact' } },
  { prefix: 'crm.company', entityTypeId: 4, fields: { TITLE: 'Company' } },
] as const

const UNIVERSAL = [
  { entityTypeId: 1, fields: { title: 'Lead' } },
  { entityTypeId: 3, fields: { name: 'Contact' } },
  { entityTypeId: 4, fields: { title: 'Company' } },
] as const

describe.each(STORE_KINDS)('multifields (%s)', (kind) => {
  let t: TestApp

  beforeEach(async () => {
    t = await createTestApp({ store: kind })
  })
  afterEach(async () => {
    await t.close()
  })

  const legacyGet = async (prefix: string, id: number): Promise<Row> =>
    resultOf<Row>(await t.call(`${prefix}.get`, { id }))
  const itemGet = async (entityTypeId: number, id: number): Promise<Row> =>
    itemOf(await t.call('crm.item.get', { entityTypeId, id }))
  const itemUpdate = async (entityTypeId: number, id: number, fields: Row): Promise<Row> =>
    itemOf(await t.call('crm.item.update', { entityTypeId, id, fields }))

  describe('crm.multifield.fields', () => {
    it('returns exactly the page\'s "Response Handling" sample', async () => {
      const sample = docsResponse('auxiliary/multifield/crm-multifield-fields.md')
      for (const via of ['json', 'form', 'get'] as const) {
        const response = await t.call('crm.multifield.fields', {}, { via })
        expect(response.status).toBe(200)
        expect(response.body).toEqual({ result: sample['result'], time: SUCCESS_TIME })
        // Same key order as the page: ID, TYPE_ID, VALUE, VALUE_TYPE.
        expect(Object.keys(response.body['result'] as Row)).toEqual(['ID', 'TYPE_ID', 'VALUE', 'VALUE_TYPE'])
      }
    })

    it('runs inside a batch, like any read method', async () => {
      const batch = resultOf<{ result: Record<string, unknown> }>(
        await t.call('batch', { halt: 1, cmd: { fields: 'crm.multifield.fields' } }),
      )
      expect(batch.result['fields']).toEqual(
        docsResponse('auxiliary/multifield/crm-multifield-fields.md')['result'],
      )
    })
  })

  describe('crm.contact.update "Working with Multiple Fields", step by step (seed 004)', () => {
    it('updates 223, deletes 222 / 223 / 224 keeping 225, adds 55555', async () => {
      // The page's phones 222, 223, 224: the portal's multifield sequence is moved so the contact's three
      // phones get exactly those ids.
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
      const phones = async () => (await legacyGet('crm.contact', id))['PHONE']
      // "Suppose there are the following values for the PHONE field".
      expect(await phones()).toEqual([
        { ID: '222', VALUE_TYPE: 'WORK', VALUE: '111111', TYPE_ID: 'PHONE' },
        { ID: '223', VALUE_TYPE: 'WORK', VALUE: '222222', TYPE_ID: 'PHONE' },
        { ID: '224', VALUE_TYPE: 'WORK', VALUE: '333333', TYPE_ID: 'PHONE' },
      ])

      // "To change the value of the phone with ID = 223, pass the following fields parameter".
      let response = await t.call('crm.contact.update', {
        id,
        fields: { PHONE: [{ ID: 223, VALUE: '444444', VALUE_TYPE: 'MOBILE' }] },
      })
      expect(response.body).toEqual({ result: true, time: SUCCESS_TIME })
      expect(await phones()).toEqual([
        { ID: '222', VALUE_TYPE: 'WORK', VALUE: '111111', TYPE_ID: 'PHONE' },
        { ID: '223', VALUE_TYPE: 'MOBILE', VALUE: '444444', TYPE_ID: 'PHONE' },
        { ID: '224', VALUE_TYPE: 'WORK', VALUE: '333333', TYPE_ID: 'PHONE' },
      ])

      // The delete example starts from four phones: 223 back at 222222 / WORK and a fourth, 225 = 44444
      // (appended without an ID: it takes the next id of the sequence).
      response = await t.call('crm.contact.update', {
        id,
        fields: {
          PHONE: [
            { ID: 223, VALUE: '222222', VALUE_TYPE: 'WORK' },
            { VALUE: '44444', VALUE_TYPE: 'WORK' },
          ],
        },
      })
      expect(response.body['result']).toBe(true)
      expect(await phones()).toEqual([
        { ID: '222', VALUE_TYPE: 'WORK', VALUE: '111111', TYPE_ID: 'PHONE' },
        { ID: '223', VALUE_TYPE: 'WORK', VALUE: '222222', TYPE_ID: 'PHONE' },
        { ID: '224', VALUE_TYPE: 'WORK', VALUE: '333333', TYPE_ID: 'PHONE' },
        { ID: '225', VALUE_TYPE: 'WORK', VALUE: '44444', TYPE_ID: 'PHONE' },
      ])

      // "Let's consider ways to delete all values except for the phone with ID = 225": DELETE = Y, an empty
      // VALUE, and no VALUE at all.
      response = await t.call('crm.contact.update', {
        id,
        fields: { PHONE: [{ ID: 222, DELETE: 'Y' }, { ID: 223, VALUE: '' }, { ID: 224 }] },
      })
      expect(response.body).toEqual({ result: true, time: SUCCESS_TIME })
      // "As a result, the following will remain".
      expect(await phones()).toEqual([{ ID: '225', VALUE_TYPE: 'WORK', VALUE: '44444', TYPE_ID: 'PHONE' }])

      // "Example of adding a new value 55555": "Existing values will not be changed."
      response = await t.call('crm.contact.update', {
        id,
        fields: { PHONE: [{ VALUE: '55555', VALUE_TYPE: 'WORK' }] },
      })
      expect(response.body).toEqual({ result: true, time: SUCCESS_TIME })
      expect(await phones()).toEqual([
        { ID: '225', VALUE_TYPE: 'WORK', VALUE: '44444', TYPE_ID: 'PHONE' },
        { ID: '226', VALUE_TYPE: 'WORK', VALUE: '55555', TYPE_ID: 'PHONE' },
      ])

      // Both dialects see the same records.
      const item = await itemGet(3, id)
      expect(item['fm']).toEqual([
        { id: 225, valueType: 'WORK', value: '44444', typeId: 'PHONE' },
        { id: 226, valueType: 'WORK', value: '55555', typeId: 'PHONE' },
      ])
      expect(item).toMatchObject({ hasPhone: 'Y', hasEmail: 'N', phone: '44444', phoneWork: '44444' })
    })

    it('the same requests form-encoded, as CRest sends them (ids and values as strings)', async () => {
      await setNextId(t, 'multifield', 222)
      const id = resultOf<number>(
        await t.call(
          'crm.contact.add',
          {
            fields: {
              NAME: 'Form',
              PHONE: [
                { VALUE: '111111', VALUE_TYPE: 'WORK' },
                { VALUE: '222222', VALUE_TYPE: 'WORK' },
                { VALUE: '333333', VALUE_TYPE: 'WORK' },
                { VALUE: '44444', VALUE_TYPE: 'WORK' },
              ],
            },
          },
          { via: 'form' },
        ),
      )
      const response = await t.call(
        'crm.contact.update',
        { id, fields: { PHONE: [{ ID: '222', DELETE: 'Y' }, { ID: '223', VALUE: '' }, { ID: '224' }] } },
        { via: 'form' },
      )
      expect(response.body['result']).toBe(true)
      expect((await legacyGet('crm.contact', id))['PHONE']).toEqual([
        { ID: '225', VALUE_TYPE: 'WORK', VALUE: '44444', TYPE_ID: 'PHONE' },
      ])
    })
  })

  describe.each(LEGACY)('legacy multifield rules: $prefix', ({ prefix, entityTypeId, fields }) => {
    const add = async (more: Row = {}) =>
      resultOf<number>(await t.call(`${prefix}.add`, { fields: { ...fields, ...more } }))
    const update = async (id: number, more: Row) => {
      const response = await t.call(`${prefix}.update`, { id, fields: more })
      expect(response.body['result'], JSON.stringify(response.body)).toBe(true)
    }
    const get = (id: number) => legacyGet(prefix, id)
    const values = async (id: number, key: string) =>
      ((await get(id))[key] as Row[] | undefined)?.map((m) => [m['VALUE_TYPE'], m['VALUE']])

    it('each kind is its own field; VALUE is trimmed; a missing VALUE_TYPE defaults per type', async () => {
      const id = await add({
        PHONE: [{ VALUE: '  +1 555 0100  ' }],
        EMAIL: [{ VALUE: 'a@example.com' }],
        WEB: [{ VALUE: 'example.com', VALUE_TYPE: 'HOME' }],
        IM: [{ VALUE: 'skype.name' }, { VALUE: 'tg', VALUE_TYPE: 'TELEGRAM' }],
        LINK: [{ VALUE: 'https://example.com/u/1' }],
      })
      const row = await get(id)
      expect(row['PHONE']).toEqual([
        { ID: expect.any(String) as unknown, VALUE_TYPE: 'WORK', VALUE: '+1 555 0100', TYPE_ID: 'PHONE' },
      ])
      expect(await values(id, 'EMAIL')).toEqual([['WORK', 'a@example.com']])
      expect(await values(id, 'WEB')).toEqual([['HOME', 'example.com']])
      expect(await values(id, 'IM')).toEqual([
        ['OTHER', 'skype.name'],
        ['TELEGRAM', 'tg'],
      ])
      expect(await values(id, 'LINK')).toEqual([['OTHER', 'https://example.com/u/1']])
      // `*` leaves multifields out ("There are no masks for selecting multiple fields").
      const star = resultOf<Row[]>(await t.call(`${prefix}.list`, { filter: { ID: id }, select: ['*'] }))[0]
      expect(star).not.toHaveProperty('PHONE')
      expect(star).toMatchObject({ HAS_PHONE: 'Y', HAS_EMAIL: 'Y', HAS_IMOL: 'N' })
    })

    it('a VALUE_TYPE outside the documented list is kept as given (no validation, no default)', async () => {
      const id = await add({
        PHONE: [
          { VALUE: '1', VALUE_TYPE: 'SATELLITE' },
          { VALUE: '2', VALUE_TYPE: 'mobile' },
        ],
      })
      expect(await values(id, 'PHONE')).toEqual([
        ['SATELLITE', '1'],
        ['mobile', '2'],
      ])
      // An update without VALUE_TYPE keeps the value's own type.
      const [first] = (await get(id))['PHONE'] as Row[]
      await update(id, { PHONE: [{ ID: first?.['ID'], VALUE: '11' }] })
      expect(await values(id, 'PHONE')).toEqual([
        ['SATELLITE', '11'],
        ['mobile', '2'],
      ])
    })

    it("append without ID even when the value exists; DELETE in any case; IDs that are not this item's change nothing", async () => {
      const id = await add({ PHONE: [{ VALUE: '100' }], EMAIL: [{ VALUE: 'x@example.com' }] })
      const other = await add({ PHONE: [{ VALUE: '900' }] })
      const own = (await get(id))['PHONE'] as Row[]
      const email = ((await get(id))['EMAIL'] as Row[])[0]?.['ID']
      const foreign = ((await get(other))['PHONE'] as Row[])[0]?.['ID']

      await update(id, { PHONE: [{ VALUE: '100' }] })
      expect(await values(id, 'PHONE')).toEqual([
        ['WORK', '100'],
        ['WORK', '100'],
      ])
      // Another item's phone and this item's e-mail id under PHONE: ignored, nothing added or changed.
      await update(id, {
        PHONE: [
          { ID: foreign, VALUE: 'stolen' },
          { ID: email, VALUE: 'crossed' },
        ],
      })
      expect(await values(id, 'PHONE')).toEqual([
        ['WORK', '100'],
        ['WORK', '100'],
      ])
      expect(await values(other, 'PHONE')).toEqual([['WORK', '900']])
      expect(await values(id, 'EMAIL')).toEqual([['WORK', 'x@example.com']])

      // `delete: 'y'` in lower case deletes; an element without ID and with an empty VALUE is skipped.
      await update(id, { PHONE: [{ ID: own[0]?.['ID'], DELETE: 'y' }, { VALUE: '' }, { VALUE: '   ' }] })
      expect(await values(id, 'PHONE')).toEqual([['WORK', '100']])
      // A scalar instead of a list is ignored.
      await update(id, { PHONE: '555' })
      expect(await values(id, 'PHONE')).toEqual([['WORK', '100']])
    })

    it('HAS_PHONE / HAS_EMAIL / HAS_IMOL follow the values, in both dialects', async () => {
      const id = await add()
      expect(await get(id)).toMatchObject({ HAS_PHONE: 'N', HAS_EMAIL: 'N', HAS_IMOL: 'N' })
      await update(id, {
        PHONE: [{ VALUE: '+100' }],
        EMAIL: [{ VALUE: 'a@example.com' }],
        IM: [{ VALUE: 'imol|livechat|1|2|3', VALUE_TYPE: 'IMOL' }],
      })
      expect(await get(id)).toMatchObject({ HAS_PHONE: 'Y', HAS_EMAIL: 'Y', HAS_IMOL: 'Y' })
      expect(await itemGet(entityTypeId, id)).toMatchObject({
        hasPhone: 'Y',
        hasEmail: 'Y',
        hasImol: 'Y',
        ...(entityTypeId === 4 ? {} : { imol: 'imol|livechat|1|2|3' }),
      })
      // A messenger that is not an open line does not count for HAS_IMOL.
      const im = ((await get(id))['IM'] as Row[])[0]?.['ID']
      await update(id, { IM: [{ ID: im, VALUE: 'skype', VALUE_TYPE: 'SKYPE' }] })
      expect(await get(id)).toMatchObject({ HAS_PHONE: 'Y', HAS_EMAIL: 'Y', HAS_IMOL: 'N' })
      // Deleting the last phone clears HAS_PHONE; the e-mail is untouched.
      const phone = ((await get(id))['PHONE'] as Row[])[0]?.['ID']
      await update(id, { PHONE: [{ ID: phone, VALUE: '' }] })
      expect(await get(id)).toMatchObject({ HAS_PHONE: 'N', HAS_EMAIL: 'Y', HAS_IMOL: 'N' })
      // Client values for the flags are read-only: dropped.
      await update(id, { HAS_PHONE: 'Y', HAS_IMOL: 'Y' })
      expect(await get(id)).toMatchObject({ HAS_PHONE: 'N', HAS_IMOL: 'N' })
    })

    it("an invalid e-mail is refused with the core's message naming the value type", async () => {
      const id = await add({ EMAIL: [{ VALUE: 'ok@example.com' }] })
      const response = await t.call(`${prefix}.update`, {
        id,
        fields: { EMAIL: [{ VALUE: 'not an address', VALUE_TYPE: 'HOME' }] },
      })
      expect(response.status).toBe(400)
      expect(response.body).toMatchObject({
        error: 'ERROR_CORE',
        error_description: 'The field `Personal e-mail` contains an invalid address',
      })
      expect(await values(id, 'EMAIL')).toEqual([['WORK', 'ok@example.com']])
    })
  })

  describe.each(UNIVERSAL)('crm.item.* fm: entityTypeId $entityTypeId', ({ entityTypeId, fields }) => {
    it('the crm.item.update page (seed 001): n0 / n1 add, "15" changes, "16" with an empty value deletes', async () => {
      const created = itemOf(await t.call('crm.item.add', { entityTypeId, fields }))
      const id = created['id'] as number
      expect(created).toMatchObject({ hasPhone: 'N', hasEmail: 'N', fm: [] })
      // The page's record ids: the next two values get 15 and 16.
      await setNextId(t, 'multifield', 15)

      // "Add a new value — use keys n0, n1, n2 ...".
      let item = await itemUpdate(entityTypeId, id, {
        fm: {
          n0: { typeId: 'PHONE', valueType: 'WORK', value: '+499991234567' },
          n1: { typeId: 'EMAIL', valueType: 'WORK', value: 'new@example.com' },
        },
      })
      expect(item['fm']).toEqual([
        { id: 15, valueType: 'WORK', value: '+499991234567', typeId: 'PHONE' },
        { id: 16, valueType: 'WORK', value: 'new@example.com', typeId: 'EMAIL' },
      ])
      expect(item).toMatchObject({ hasPhone: 'Y', hasEmail: 'Y', hasImol: 'N' })
      if (entityTypeId !== 4) {
        expect(item).toMatchObject({
          phone: '+499991234567',
          phoneWork: '+499991234567',
          phoneMobile: '',
          email: 'new@example.com',
          emailWork: 'new@example.com',
        })
      }

      // "Update an existing value — use the numeric id of the record".
      item = await itemUpdate(entityTypeId, id, {
        fm: { 15: { typeId: 'PHONE', valueType: 'MOBILE', value: '+499990000000' } },
      })
      expect(item['fm']).toEqual([
        { id: 15, valueType: 'MOBILE', value: '+499990000000', typeId: 'PHONE' },
        { id: 16, valueType: 'WORK', value: 'new@example.com', typeId: 'EMAIL' },
      ])
      if (entityTypeId !== 4) expect(item).toMatchObject({ phoneMobile: '+499990000000', phoneWork: '' })

      // "Delete a value — pass the numeric id of the record with an empty value".
      item = await itemUpdate(entityTypeId, id, { fm: { 16: { typeId: 'EMAIL', value: '' } } })
      expect(item['fm']).toEqual([{ id: 15, valueType: 'MOBILE', value: '+499990000000', typeId: 'PHONE' }])
      expect(item).toMatchObject({ hasPhone: 'Y', hasEmail: 'N' })

      // "Operations can be combined in a single request"; what is not mentioned stays.
      item = await itemUpdate(entityTypeId, id, {
        fm: {
          n0: { typeId: 'WEB', valueType: 'WORK', value: 'example.com' },
          15: { typeId: 'PHONE', value: '+491111' },
        },
      })
      expect(item['fm']).toEqual([
        { id: 15, valueType: 'MOBILE', value: '+491111', typeId: 'PHONE' },
        { id: 17, valueType: 'WORK', value: 'example.com', typeId: 'WEB' },
      ])
      expect(await itemGet(entityTypeId, id)).toMatchObject({ fm: item['fm'] })
    })

    it('typeId is required (even to delete); an unknown record id adds; a list appends; a string is ignored', async () => {
      const created = itemOf(
        await t.call('crm.item.add', {
          entityTypeId,
          fields: { ...fields, fm: [{ typeId: 'PHONE', valueType: 'WORK', value: '+1' }] },
        }),
      )
      const id = created['id'] as number
      const phoneId = (created['fm'] as Fm[])[0]?.id as number
      const fmOf = async () => (await itemGet(entityTypeId, id))['fm'] as Fm[]

      // Without typeId: "the response is successful, while the value remains as it was".
      await itemUpdate(entityTypeId, id, { fm: { [phoneId]: { value: '' } } })
      await itemUpdate(entityTypeId, id, { fm: { [phoneId]: { valueType: 'HOME', value: '+2' } } })
      expect((await fmOf()).map((m) => m.value)).toEqual(['+1'])
      // "If no multipool exists with this id, a new multipool will be created".
      await itemUpdate(entityTypeId, id, { fm: { 999999: { typeId: 'PHONE', value: '+3' } } })
      // An array "adds new entries to the existing ones".
      await itemUpdate(entityTypeId, id, { fm: [{ typeId: 'EMAIL', value: 'a@example.com' }] })
      // A string: no error, nothing changes.
      const response = await t.call('crm.item.update', { entityTypeId, id, fields: { fm: 'x' } })
      expect(response.status).toBe(200)
      const fm = await fmOf()
      expect(fm.map((m) => [m.typeId, m.valueType, m.value])).toEqual([
        ['PHONE', 'WORK', '+1'],
        ['PHONE', 'WORK', '+3'],
        ['EMAIL', 'WORK', 'a@example.com'],
      ])
      expect(fm[1]?.id).not.toBe(999999)
    })

    it('typeId and valueType outside the documented lists are kept as given; an unknown type is deletable by id', async () => {
      const created = itemOf(
        await t.call('crm.item.add', {
          entityTypeId,
          fields: {
            ...fields,
            fm: [
              { typeId: 'FAX', valueType: 'WORK', value: '+1' },
              { typeId: 'PHONE', valueType: 'SATELLITE', value: '+2' },
              { typeId: 'IM', value: 'nick' },
            ],
          },
        }),
      )
      const fm = created['fm'] as Fm[]
      // "The method does not validate such values and retains them as they are"; the messenger without a
      // valueType gets OTHER (phones, e-mails and websites get WORK).
      expect(fm.map((m) => [m.typeId, m.valueType, m.value])).toEqual([
        ['FAX', 'WORK', '+1'],
        ['PHONE', 'SATELLITE', '+2'],
        ['IM', 'OTHER', 'nick'],
      ])
      expect(created).toMatchObject({ hasPhone: 'Y', hasImol: 'N' })
      // "Delete the extra entry by its id with an empty value".
      const item = await itemUpdate(entityTypeId, created['id'] as number, {
        fm: { [fm[0]?.id as number]: { typeId: 'FAX', value: '' } },
      })
      expect((item['fm'] as Fm[]).map((m) => m.typeId)).toEqual(['PHONE', 'IM'])
    })

    it('fm comes in crm.item.list only with select *; hasPhone / hasEmail / hasImol filter the list', async () => {
      const add = async (fm: Row[]) =>
        itemOf(await t.call('crm.item.add', { entityTypeId, fields: { ...fields, fm } }))['id'] as number
      const phoneOnly = await add([{ typeId: 'PHONE', value: '+1' }])
      const emailOnly = await add([{ typeId: 'EMAIL', value: 'a@example.com' }])
      const openLine = await add([{ typeId: 'IM', valueType: 'IMOL', value: 'imol|x' }])
      const none = await add([])

      const list = async (params: Row) =>
        resultOf<{ items: Row[] }>(await t.call('crm.item.list', { entityTypeId, ...params })).items
      const ids = async (filter: Row) =>
        (await list({ filter, select: ['id'], order: { id: 'ASC' } })).map((i) => i['id'])

      const [star] = await list({ filter: { id: phoneOnly }, select: ['*'] })
      expect(star?.['fm']).toEqual([
        { id: expect.any(Number) as unknown, valueType: 'WORK', value: '+1', typeId: 'PHONE' },
      ])
      const [named] = await list({ filter: { id: phoneOnly }, select: ['id', 'fm', 'hasPhone'] })
      expect(named).toEqual({ id: phoneOnly, hasPhone: 'Y' })

      expect(await ids({ hasPhone: 'Y' })).toEqual([phoneOnly])
      expect(await ids({ hasPhone: 'N' })).toEqual([emailOnly, openLine, none])
      expect(await ids({ hasEmail: 'Y' })).toEqual([emailOnly])
      expect(await ids({ hasImol: 'Y' })).toEqual([openLine])
      expect(await ids({ hasPhone: 'N', hasEmail: 'N', hasImol: 'N' })).toEqual([none])
    })
  })

  describe('legacy list filters by value', () => {
    const setUp = async () => {
      const made: Record<string, number> = {}
      for (const { prefix, fields } of LEGACY) {
        const add = async (name: string, more: Row) => {
          made[`${prefix}:${name}`] = resultOf<number>(
            await t.call(`${prefix}.add`, { fields: { ...fields, ...more } }),
          )
        }
        await add('phone', { PHONE: [{ VALUE: '555888', VALUE_TYPE: 'MOBILE' }, { VALUE: '+1 (555) 888' }] })
        await add('email', {
          EMAIL: [{ VALUE: 'special-for@example.com' }],
          WEB: [{ VALUE: 'www.example.com' }],
          IM: [{ VALUE: 'skype.user', VALUE_TYPE: 'SKYPE' }],
        })
        await add('both', { PHONE: [{ VALUE: '555999' }], EMAIL: [{ VALUE: 'other@example.com' }] })
        await add('none', {})
      }
      return made
    }
    const listIds = async (prefix: string, filter: Row) =>
      resultOf<Row[]>(await t.call(`${prefix}.list`, { filter, select: ['ID'], order: { ID: 'ASC' } })).map(
        (r) => Number(r['ID']),
      )

    it('crm-lead-list.md "Searching for a Lead by Phone": {"PHONE": "555888"}, select ID and TITLE', async () => {
      const made = await setUp()
      const response = await t.call('crm.lead.list', { filter: { PHONE: '555888' }, select: ['ID', 'TITLE'] })
      expect(response.body).toEqual({
        result: [{ ID: String(made['crm.lead:phone']), TITLE: 'Lead' }],
        total: 1,
        time: SUCCESS_TIME,
      })
    })

    it.each(LEGACY)('$prefix: exact matches only, by kind, in any letter case', async ({ prefix }) => {
      const made = await setUp()
      const id = (name: string) => made[`${prefix}:${name}`] as number
      expect(await listIds(prefix, { PHONE: '555888' })).toEqual([id('phone')])
      expect(await listIds(prefix, { PHONE: '+1 (555) 888' })).toEqual([id('phone')])
      // No phone normalisation and no substring search: "Filters for these fields only work on exact matches".
      expect(await listIds(prefix, { PHONE: '+1555888' })).toEqual([])
      expect(await listIds(prefix, { PHONE: '5558' })).toEqual([])
      expect(await listIds(prefix, { '%PHONE': '5558' })).toEqual([])
      expect(await listIds(prefix, { '%PHONE': '555888' })).toEqual([id('phone')])
      expect(await listIds(prefix, { '=%EMAIL': '%@example.com' })).toEqual([])
      // Each kind matches its own values only.
      expect(await listIds(prefix, { EMAIL: '555888' })).toEqual([])
      expect(await listIds(prefix, { EMAIL: 'special-for@example.com' })).toEqual([id('email')])
      expect(await listIds(prefix, { EMAIL: 'Special-For@Example.COM' })).toEqual([id('email')])
      expect(await listIds(prefix, { WEB: 'www.example.com' })).toEqual([id('email')])
      expect(await listIds(prefix, { IM: 'skype.user' })).toEqual([id('email')])
      // Lists, negation, empty values, combinations with other keys.
      expect(await listIds(prefix, { '@PHONE': ['555888', '555999'] })).toEqual([id('phone'), id('both')])
      expect(await listIds(prefix, { '!PHONE': '555888' })).toEqual([id('email'), id('both'), id('none')])
      expect(await listIds(prefix, { '!@PHONE': ['555888', '555999'] })).toEqual([id('email'), id('none')])
      expect(await listIds(prefix, { PHONE: '' })).toEqual([id('email'), id('none')])
      expect(await listIds(prefix, { '!PHONE': '' })).toEqual([id('phone'), id('both')])
      expect(await listIds(prefix, { PHONE: '555999', EMAIL: 'other@example.com' })).toEqual([id('both')])
      expect(await listIds(prefix, { PHONE: '555999', EMAIL: 'special-for@example.com' })).toEqual([])
      // Items of the other types with the same phone are not in this type's list.
      expect(await listIds(prefix, { PHONE: '555888', '>ID': 0 })).toHaveLength(1)
    })

    it.each(LEGACY)('$prefix: HAS_PHONE / HAS_EMAIL filter on the values', async ({ prefix }) => {
      const made = await setUp()
      const id = (name: string) => made[`${prefix}:${name}`] as number
      expect(await listIds(prefix, { HAS_PHONE: 'Y' })).toEqual([id('phone'), id('both')])
      expect(await listIds(prefix, { HAS_PHONE: 'N' })).toEqual([id('email'), id('none')])
      expect(await listIds(prefix, { HAS_EMAIL: 'Y', HAS_PHONE: 'N' })).toEqual([id('email')])
      expect(await listIds(prefix, { HAS_IMOL: 'Y' })).toEqual([])
    })

    it("crm-contact-list.md: the e-mail filter among the page's other keys, with EMAIL selected", async () => {
      const made = await setUp()
      const response = await t.call('crm.contact.list', {
        FILTER: { EMAIL: 'special-for@example.com', '!=NAME': '' },
        ORDER: { LAST_NAME: 'ASC', NAME: 'ASC' },
        SELECT: ['ID', 'NAME', 'EMAIL'],
      })
      expect(response.body['result']).toEqual([
        {
          ID: String(made['crm.contact:email']),
          NAME: 'Contact',
          EMAIL: [
            {
              ID: expect.any(String) as unknown,
              VALUE_TYPE: 'WORK',
              VALUE: 'special-for@example.com',
              TYPE_ID: 'EMAIL',
            },
          ],
        },
      ])
    })
  })
})
