import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import { addSmartProcess, addUsersUpTo, ALL_FLAGS_ON, itemOf } from '../helpers/item-fixtures.js'

/**
 * crm.item.add and crm.item.update answer with the item as stored without reading it back
 * (src/crm/items/item-store.ts WrittenItem): every answer must equal what crm.item.get reads afterwards, for
 * every kind of value the store keeps — row columns of each type (numbers given to text fields, booleans,
 * dates), custom-field JSON, observers, contact bindings and their primary, contact ↔ company rows from both
 * sides, multifields (new ids, changed and deleted entries, hasPhone/hasEmail), parent relations.
 */
type Body = Record<string, unknown>

describe.each(STORE_KINDS)('crm.item.add / update answer the stored item (%s)', (storeKind) => {
  let t: TestApp
  beforeEach(async () => {
    t = await createTestApp({ store: storeKind })
    await addUsersUpTo(t, 4)
  })
  afterEach(async () => {
    await t.close()
  })

  const get = async (entityTypeId: number, id: number) =>
    itemOf(await t.call('crm.item.get', { entityTypeId, id }))
  const add = async (entityTypeId: number, fields: Body) => {
    const item = itemOf(await t.call('crm.item.add', { entityTypeId, fields }))
    expect(item).toEqual(await get(entityTypeId, item['id'] as number))
    return item
  }
  const update = async (entityTypeId: number, id: number, fields: Body) => {
    const item = itemOf(await t.call('crm.item.update', { entityTypeId, id, fields }))
    expect(item).toEqual(await get(entityTypeId, id))
    return item
  }

  it('leads: columns of every kind, observers, multifields', async () => {
    const lead = await add(1, {
      title: 12345,
      name: true,
      opened: 'N',
      opportunity: '1500.50',
      currencyId: 'eur',
      birthdate: '1990-05-17',
      observers: [2, 3, 3, 0],
      fm: [
        { typeId: 'PHONE', valueType: 'WORK', value: '+1 555 0100' },
        { typeId: 'EMAIL', valueType: 'HOME', value: 'a@example.com' },
      ],
    })
    const id = lead['id'] as number
    const [phone] = lead['fm'] as { id: number }[]
    await update(1, id, { title: 'Renamed', observers: [4], opened: 'Y', stageId: 'IN_PROCESS' })
    await update(1, id, {
      fm: { [String(phone?.id)]: { value: '' }, n0: { typeId: 'PHONE', value: '+1 555 0199' } },
    })
    await update(1, id, { fm: [{ typeId: 'IM', valueType: 'IMOL', value: 'imol|1' }], observers: [] })
    await update(1, id, { opportunity: 0, birthdate: '', comments: '<b>bold</b> [b]kept[/b]' })
  })

  it('deals with contacts (primary, order), companies, funnels and custom fields', async () => {
    const field = await t.call('crm.deal.userfield.add', {
      fields: { FIELD_NAME: 'SCORE', USER_TYPE_ID: 'double', EDIT_FORM_LABEL: 'Score' },
    })
    expect(field.status).toBe(200)
    const contact1 = await add(3, { name: 'Ann' })
    const contact2 = await add(3, { name: 'Bob' })
    const company = await add(4, { title: 'Acme' })
    const deal = await add(2, {
      title: 'Deal',
      contactIds: [contact2['id'], contact1['id']],
      companyId: company['id'],
      ufCrmScore: 4.5,
    })
    const id = deal['id'] as number
    expect(deal['ufCrmScore']).toBe(4.5)
    expect(deal['contactId']).toBe(contact2['id'])
    await update(2, id, { contactId: contact1['id'] })
    await update(2, id, { contactIds: [contact1['id']], ufCrmScore: null, stageId: 'WON' })
    await update(2, id, {
      contacts: [{ contactId: contact2['id'], isPrimary: 'Y' }, { contactId: contact1['id'] }],
    })
    await update(2, id, { contactIds: [], companyId: 0 })
  })

  it('contacts and companies: both sides of their bindings', async () => {
    const company1 = await add(4, { title: 'One' })
    const company2 = await add(4, { title: 'Two' })
    const contact = await add(3, { name: 'Cid', companyIds: [company2['id'], company1['id']] })
    await update(3, contact['id'] as number, { companyId: company1['id'] })
    const other = await add(3, { lastName: 'Other' })
    await update(4, company1['id'] as number, { contactIds: [other['id'], contact['id']] })
    await update(4, company1['id'] as number, { contactIds: [contact['id']] })
    await update(3, contact['id'] as number, { companyIds: [] })
  })

  it('smart-process items with parents', async () => {
    await addSmartProcess(t, 1040, { flags: ALL_FLAGS_ON, childOf: [2] })
    const deal = await add(2, { title: 'Parent' })
    const item = await add(1040, { title: 'Child', parentId2: deal['id'] })
    await update(1040, item['id'] as number, { parentId2: 0, observers: [2] })
    await update(1040, item['id'] as number, { parentId2: deal['id'] })
  })
})
