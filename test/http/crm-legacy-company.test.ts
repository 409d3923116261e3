import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import { addSmartProcess, setNextId, setPortal } from '../helpers/item-fixtures.js'
import { docsResponse, resultOf, SUCCESS_TIME } from '../helpers/legacy-fixtures.js'

/**
 * crm.company.* through the real HTTP edge (api-reference/crm/companies/): the cURL example of
 * crm-company-add.md, the two address blocks (ADDRESS_… and the legal REG_ADDRESS_…, whose first line is also
 * ADDRESS_LEGAL), the company's contacts (CONTACT_ID, multiple), the fields and get samples, the error texts.
 */

type Company = Record<string, unknown>

const getCompany = async (t: TestApp, id: number): Promise<Company> =>
  resultOf<Company>(await t.call('crm.company.get', { id }))
const itemGet = async (t: TestApp, id: number): Promise<Record<string, unknown>> =>
  resultOf<{ item: Record<string, unknown> }>(await t.call('crm.item.get', { entityTypeId: 4, id })).item

describe.each(STORE_KINDS)('crm.company.* (%s)', (kind) => {
  let t: TestApp
  beforeEach(async () => {
    t = await createTestApp({ store: kind })
  })
  afterEach(async () => {
    await t.close()
  })

  it('the crm.company.add cURL example', async () => {
    const response = await t.call('crm.company.add', {
      fields: {
        TITLE: 'John Doe LLC',
        COMPANY_TYPE: 'CUSTOMER',
        INDUSTRY: 'MANUFACTURING',
        EMPLOYEES: 'EMPLOYEES_2',
        CURRENCY_ID: 'USD',
        REVENUE: 3000000,
        OPENED: 'Y',
        ASSIGNED_BY_ID: 1,
        PHONE: [{ VALUE: '555888', VALUE_TYPE: 'WORK' }],
      },
      params: { REGISTER_SONET_EVENT: 'Y' },
    })
    expect(response).toEqual({
      status: 200,
      body: { result: expect.any(Number) as unknown, time: SUCCESS_TIME },
    })
    const id = response.body['result'] as number
    expect(await getCompany(t, id)).toMatchObject({
      TITLE: 'John Doe LLC',
      COMPANY_TYPE: 'CUSTOMER',
      INDUSTRY: 'MANUFACTURING',
      EMPLOYEES: 'EMPLOYEES_2',
      REVENUE: '3000000',
      HAS_PHONE: 'Y',
      PHONE: [{ ID: expect.any(String) as unknown, VALUE_TYPE: 'WORK', VALUE: '555888', TYPE_ID: 'PHONE' }],
    })
  })

  it('the two address blocks are each written as a whole; ADDRESS_LEGAL is REG_ADDRESS', async () => {
    const id = resultOf<number>(
      await t.call('crm.company.add', {
        fields: {
          TITLE: 'Addresses',
          ADDRESS: 'Physical 1',
          ADDRESS_CITY: 'Berlin',
          REG_ADDRESS: 'Legal 1',
          REG_ADDRESS_CITY: 'Hamburg',
          REG_ADDRESS_LOC_ADDR_ID: 8842193,
        },
      }),
    )
    expect(await getCompany(t, id)).toMatchObject({
      ADDRESS: 'Physical 1',
      ADDRESS_CITY: 'Berlin',
      ADDRESS_LEGAL: 'Legal 1',
      REG_ADDRESS: 'Legal 1',
      REG_ADDRESS_CITY: 'Hamburg',
      REG_ADDRESS_LOC_ADDR_ID: '8842193',
    })
    expect((await itemGet(t, id))['addressLegal']).toBe('Legal 1')

    await t.call('crm.company.update', { id, fields: { ADDRESS_LEGAL: 'Legal 2' } })
    expect(await getCompany(t, id)).toMatchObject({
      ADDRESS: 'Physical 1',
      ADDRESS_CITY: 'Berlin',
      ADDRESS_LEGAL: 'Legal 2',
      REG_ADDRESS: 'Legal 2',
      REG_ADDRESS_CITY: null,
      REG_ADDRESS_LOC_ADDR_ID: null,
    })
    await t.call('crm.company.update', { id, fields: { ADDRESS_2: 'Floor 3' } })
    expect(await getCompany(t, id)).toMatchObject({
      ADDRESS: null,
      ADDRESS_2: 'Floor 3',
      ADDRESS_CITY: null,
      REG_ADDRESS: 'Legal 2',
    })
  })

  it("CONTACT_ID is the list of the company's contacts, printed when a list selects it", async () => {
    const contacts: number[] = []
    for (const name of ['A', 'B', 'C']) {
      contacts.push(resultOf<number>(await t.call('crm.contact.add', { fields: { NAME: name } })))
    }
    const [a, b, c] = contacts as [number, number, number]
    const id = resultOf<number>(
      await t.call('crm.company.add', { fields: { TITLE: 'Team', CONTACT_ID: [a, b] } }),
    )
    expect((await itemGet(t, id))['contactIds']).toEqual([a, b])
    await t.call('crm.company.update', { id, fields: { CONTACT_ID: [b, c] } })
    expect((await itemGet(t, id))['contactIds']).toEqual([b, c])
    expect(await getCompany(t, id)).not.toHaveProperty('CONTACT_ID')
    const listed = resultOf<Company[]>(
      await t.call('crm.company.list', { filter: { ID: id }, select: ['TITLE', 'CONTACT_ID'] }),
    )
    expect(listed).toEqual([{ ID: String(id), TITLE: 'Team', CONTACT_ID: [b, c] }])
    // The contacts see the company.
    expect(
      resultOf<{ item: Company }>(await t.call('crm.item.get', { entityTypeId: 3, id: c })).item[
        'companyIds'
      ],
    ).toEqual([id])
  })

  it('LOGO stores an upload; LAST_ACTIVITY_* take nothing; TITLE cannot be emptied', async () => {
    const id = resultOf<number>(await t.call('crm.company.add', { fields: { TITLE: 'Kept' } }))
    const before = await getCompany(t, id)
    const response = await t.call('crm.company.update', {
      id,
      fields: {
        LOGO: { fileData: ['logo.png', 'iVBORw0KGgo='] },
        LAST_ACTIVITY_TIME: '2001-01-01T00:00:00+00:00',
        LAST_ACTIVITY_BY: 3,
        TITLE: '',
      },
    })
    expect(response.body['result']).toBe(true)
    const after = await getCompany(t, id)
    expect(after).toMatchObject({
      TITLE: 'Kept',
      LAST_ACTIVITY_TIME: before['LAST_ACTIVITY_TIME'],
      LAST_ACTIVITY_BY: before['LAST_ACTIVITY_BY'],
    })
    // Files are {id, showUrl, downloadUrl} (server-behaviour.md §2 item 59; how-to-add-lead-with-files.md).
    const logo = after['LOGO'] as { id: number; showUrl: string; downloadUrl: string }
    expect(logo).toEqual({
      id: logo.id,
      showUrl: `/bitrix/components/bitrix/crm.company.show/show_file.php?ownerId=${id}&fieldName=LOGO&fileId=${logo.id}`,
      downloadUrl: `/bitrix/components/bitrix/crm.company.show/show_file.php?auth=&ownerId=${id}&fieldName=LOGO&fileId=${logo.id}`,
    })
    // crm.item.get prints the system file field as the bare id (how-to-make-contact-edit-card.md).
    const item = resultOf<{ item: Company }>(await t.call('crm.item.get', { entityTypeId: 4, id })).item
    expect(item['logo']).toBe(logo.id)
    const removed = await t.call('crm.company.update', { id, fields: { LOGO: { id: logo.id, remove: 'Y' } } })
    expect(removed.body['result']).toBe(true)
    expect((await getCompany(t, id))['LOGO']).toBeNull()
  })

  it('errors: "Company is not found" for update and delete; the e-mail check', async () => {
    expect(await t.call('crm.company.update', { id: 2909, fields: { TITLE: 'x' } })).toEqual({
      status: 400,
      body: { error: '', error_description: 'Company is not found' },
    })
    expect(await t.call('crm.company.delete', { id: 2909 })).toEqual({
      status: 400,
      body: { error: '', error_description: 'Company is not found' },
    })
    expect((await t.call('crm.company.get', { id: 2909 })).body).toEqual({
      error: '',
      error_description: 'Not found',
    })
    const invalid = await t.call('crm.company.add', { fields: { TITLE: 'x', EMAIL: [{ VALUE: 'nope' }] } })
    expect(invalid.body).toEqual({
      error: 'ERROR_CORE',
      error_description: 'The field `Work e-mail` contains an invalid address',
    })
  })

  it("crm.company.get: the sample's keys in its order and its value forms", async () => {
    await setPortal(t, { timeZoneOffset: 60 })
    await addSmartProcess(t, 156, { title: 'Purchase', parentOf: [4] })
    resultOf(
      await t.call('crm.company.userfield.add', {
        fields: { FIELD_NAME: 'UF_CRM_1687188367', USER_TYPE_ID: 'string', LABEL: 'Subsidiary' },
      }),
    )
    await setNextId(t, 'item:4', 2909)
    const id = resultOf<number>(
      await t.call('crm.company.add', {
        fields: {
          COMPANY_TYPE: 'CUSTOMER',
          TITLE: 'GAZPROM',
          BANKING_DETAILS: '7736050003',
          INDUSTRY: 'IT',
          CURRENCY_ID: 'EUR',
          EMPLOYEES: 'EMPLOYEES_1',
          COMMENTS: '',
          OPENED: 'N',
        },
      }),
    )
    const sample = docsResponse('companies/crm-company-get.md')['result'] as Company
    const company = await getCompany(t, id)
    expect(Object.keys(company)).toEqual(Object.keys(sample))
    expect(company).toMatchObject({
      ID: '2909',
      COMPANY_TYPE: 'CUSTOMER',
      LOGO: null,
      LEAD_ID: null,
      HAS_PHONE: 'N',
      ASSIGNED_BY_ID: '1',
      REVENUE: '0',
      OPENED: 'N',
      IS_MY_COMPANY: 'N',
      DATE_CREATE: '2026-01-15T11:00:00+01:00',
      ADDRESS_LEGAL: null,
      REG_ADDRESS_LOC_ADDR_ID: null,
      PARENT_ID_156: null,
      LAST_COMMUNICATION_TIME: null,
      UF_CRM_1687188367: null,
    })
  })

  it("crm.company.fields is the page's answer (its parent relation included; custom fields aside)", async () => {
    await addSmartProcess(t, 156, { title: 'Purchase', parentOf: [4] })
    const sample = docsResponse('companies/crm-company-fields.md')['result'] as Record<string, unknown>
    const expected = Object.fromEntries(Object.entries(sample).filter(([key]) => !key.startsWith('UF_')))
    const fields = resultOf<Record<string, unknown>>(await t.call('crm.company.fields'))
    expect(fields).toEqual(expected)
    expect(Object.keys(fields)).toEqual(Object.keys(expected))
  })
})
