import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type CallResult, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import {
  addBareFunnel,
  addFunnel,
  addSmartProcess,
  addUsersUpTo,
  ALL_FLAGS_ON,
  itemOf,
  outbox,
  outboxCount,
  setPortal,
  userHook,
} from '../helpers/item-fixtures.js'

/**
 * crm.item.update through HTTP: one test per rule of the seed page (shared/spec/seeds/000_*.txt, 001_*.txt,
 * the reference page api-reference/crm/universal/crm-item-update.md) and of research/server-behaviour.md §1.
 * Each test quotes its rule. The seed's own example is in crm-item-update-seed.test.ts.
 *
 * Not reachable here, so not tested: ACCESS_DENIED and the stage-permission error "-" (CRM roles do not
 * exist: every intranet user may write), stage-dependent required custom fields and file custom fields
 * (custom fields do not exist), the product-row opportunity recalculation (product rows do not exist).
 * "Required fields are checked … if the stage changed within the same direction" needs a required field that
 * can be empty; no system field is one, so src/crm/items/operations/pipeline.test.ts covers it.
 */

type Body = Record<string, unknown>

function errorOf(response: CallResult): { status: number; error: unknown; description: unknown } {
  return {
    status: response.status,
    error: response.body['error'],
    description: response.body['error_description'],
  }
}

/** The binder's code-100 errors come from item-wire.ts, which may print the code as a number or a string. */
function binderError(response: CallResult): { status: number; error: string; description: unknown } {
  return { ...errorOf(response), error: String(response.body['error']) }
}

describe.each(STORE_KINDS)('crm.item.update (%s)', (storeKind) => {
  let t: TestApp
  const add = async (entityTypeId: number, fields: Body = {}) =>
    itemOf(await t.call('crm.item.add', { entityTypeId, fields }))
  const update = (entityTypeId: number, id: unknown, fields: unknown, extra: Body = {}) =>
    t.call('crm.item.update', { entityTypeId, id, fields, ...extra })
  const updated = async (entityTypeId: number, id: unknown, fields: Body, extra: Body = {}) =>
    itemOf(await update(entityTypeId, id, fields, extra))

  beforeEach(async () => {
    t = await createTestApp({ store: storeKind })
    await addUsersUpTo(t, 5)
  })
  afterEach(async () => {
    await t.close()
  })

  describe('the seed page', () => {
    it('"access permissions are checked": an extranet user gets 403 allowed_only_intranet_user', async () => {
      const deal = await add(2)
      const { prefix } = await userHook(t, { userType: 'extranet', name: 'Guest' })
      const response = await t.call(
        'crm.item.update',
        { entityTypeId: 2, id: deal['id'], fields: { title: 'x' } },
        { prefix },
      )
      expect(errorOf(response)).toEqual({
        status: 403,
        error: 'allowed_only_intranet_user',
        description: 'Action is allowed only for intranet users',
      })
      expect(itemOf(await t.call('crm.item.get', { entityTypeId: 2, id: deal['id'] }))['title']).toBe(
        deal['title'],
      )
    })

    it('"the caller must be an intranet user" applies to non-administrators only (§1.A item 2)', async () => {
      const deal = await add(2)
      const { prefix } = await userHook(t, { userType: 'extranet', isAdmin: true })
      const response = await t.call(
        'crm.item.update',
        { entityTypeId: 2, id: deal['id'], fields: { title: 'ok' } },
        { prefix },
      )
      expect(itemOf(response)['title']).toBe('ok')
    })

    it('"field values are checked for correctness": unknown dictionary values, users and items are CRM_FIELD_ERROR_VALUE_NOT_VALID', async () => {
      const deal = await add(2)
      const cases: [Body, string][] = [
        [{ stageId: 'NO_SUCH_STAGE' }, 'Stage'],
        [{ sourceId: 'NO_SUCH_SOURCE' }, 'Source'],
        [{ typeId: 'NO_SUCH_TYPE' }, 'Type'],
        [{ currencyId: 'XXX' }, 'Currency'],
        [{ assignedById: 999 }, 'Assigned to'],
        [{ observers: [1, 999] }, 'Observers'],
        [{ companyId: 999 }, 'Company'],
        [{ contactIds: [999] }, 'CONTACT_IDS'],
        [{ leadId: 999 }, 'Lead'],
        [{ quoteId: 999 }, 'Estimate'],
        [{ categoryId: 999 }, 'Pipeline'],
      ]
      for (const [fields, title] of cases) {
        expect(errorOf(await update(2, deal['id'], fields)), JSON.stringify(fields)).toEqual({
          status: 400,
          error: 'CRM_FIELD_ERROR_VALUE_NOT_VALID',
          description: `Invalid value for field "${title}"`,
        })
      }
      expect(itemOf(await t.call('crm.item.get', { entityTypeId: 2, id: deal['id'] }))).toEqual(deal)
    })

    it('"default values are assigned" only to new items: an emptied sourceId stays empty on update', async () => {
      const deal = await add(2)
      expect(deal['sourceId']).toBe('CALL')
      expect((await updated(2, deal['id'], { sourceId: '' }))['sourceId']).toBeNull()
    })

    it('"If … no field values have been changed before saving, the save is not performed"', async () => {
      const deal = await add(2, { title: 'Same', opportunity: 10 })
      const before = await outboxCount(t)
      const { prefix } = await userHook(t, { name: 'Other' })
      t.clock.advance(3_600_000)
      const response = await t.call(
        'crm.item.update',
        {
          entityTypeId: 2,
          id: deal['id'],
          fields: { title: 'Same', opportunity: '10', unknownKey: 1, id: 77 },
        },
        { prefix },
      )
      // The full item comes back, with updatedTime / updatedBy untouched and no outbox row.
      expect(itemOf(response)).toEqual(deal)
      expect(await outboxCount(t)).toBe(before)
    })

    it('"automation rules are triggered after saving": the after-save step writes one outbox row', async () => {
      const deal = await add(2)
      const before = await outboxCount(t)
      await updated(2, deal['id'], { title: 'Changed', comments: 'c' })
      const rows = await outbox(t)
      expect(rows).toHaveLength(before + 1)
      expect(rows.at(-1)).toEqual({
        topic: 'crm.item.updated',
        payload: {
          entityTypeId: 2,
          id: deal['id'],
          changedFields: ['title', 'comments'],
          eventNames: ['ONCRMDEALUPDATE'],
          userId: 1,
        },
      })
    })

    it('"entityTypeId*, id*, fields*" are required: a missing one is error 100', async () => {
      const deal = await add(2)
      expect(binderError(await t.call('crm.item.update', { entityTypeId: 2, id: deal['id'] }))).toEqual({
        status: 400,
        error: '100',
        description: 'Could not find value for parameter {fields}',
      })
      expect(binderError(await t.call('crm.item.update', { entityTypeId: 2, fields: {} }))).toMatchObject({
        error: '100',
        description: 'Could not find value for parameter {id}',
      })
      expect(binderError(await t.call('crm.item.update', { id: 1, fields: {} }))).toMatchObject({
        error: '100',
        description: 'Could not find value for parameter {entityTypeId}',
      })
    })

    it('"An incorrect field in fields will be ignored"', async () => {
      const deal = await add(2)
      const item = await updated(2, deal['id'], {
        noSuchField: 'x',
        fm: [{ typeId: 'PHONE', value: '1' }],
        title: 'T',
      })
      expect(item['title']).toBe('T')
      expect(item).not.toHaveProperty('noSuchField')
      expect(item).not.toHaveProperty('fm')
    })

    it('"Only those fields that need to be changed should be passed": the others keep their values', async () => {
      const deal = await add(2, { title: 'A', comments: 'keep', opportunity: 5, observers: [2] })
      const item = await updated(2, deal['id'], { title: 'B' })
      expect(item).toEqual({ ...deal, title: 'B' })
    })

    it('"useOriginalUfNames": UF_CRM_… keys are ignored with N (custom fields do not exist yet either way)', async () => {
      const deal = await add(2, { title: 'A' })
      const n = await updated(2, deal['id'], { UF_CRM_1721244707107: 1, ufCrm_1721244707107: 2, title: 'B' })
      expect(n['title']).toBe('B')
      const y = await updated(
        2,
        deal['id'],
        { UF_CRM_1721244707107: 1, title: 'C' },
        { useOriginalUfNames: 'Y' },
      )
      expect(y['title']).toBe('C')
      expect(Object.keys(y).filter((k) => /^uf/i.test(k))).toEqual([])
    })
  })

  describe('the seed page: the fields of each type', () => {
    it('Lead (entityTypeId 1): every field of the table is written', async () => {
      const company = await add(4, { title: 'Co' })
      const contact = await add(3, { name: 'C' })
      const lead = await add(1)
      const item = await updated(1, lead['id'], {
        title: 'Lead T',
        honorific: 'HNR_EN_1',
        name: 'N',
        secondName: 'S',
        lastName: 'L',
        birthdate: '1990-05-06',
        companyTitle: 'CT',
        sourceId: 'WEB',
        sourceDescription: 'SD',
        stageId: 'IN_PROCESS',
        statusDescription: 'StD',
        post: 'P',
        currencyId: 'EUR',
        isManualOpportunity: 'Y',
        opportunity: 12.5,
        opened: 'N',
        comments: 'Cm',
        assignedById: 2,
        companyId: company['id'],
        contactIds: [contact['id']],
        originatorId: 'ext',
        originId: 'o1',
        observers: [3],
        utmSource: 'us',
        utmMedium: 'um',
        utmCampaign: 'uc',
        utmContent: 'uo',
        utmTerm: 'ut',
        fm: { n0: { typeId: 'EMAIL', valueType: 'WORK', value: 'a@b.c' } },
      })
      expect(item).toMatchObject({
        title: 'Lead T',
        honorific: 'HNR_EN_1',
        name: 'N',
        secondName: 'S',
        lastName: 'L',
        birthdate: '1990-05-06T00:00:00+00:00',
        companyTitle: 'CT',
        sourceId: 'WEB',
        sourceDescription: 'SD',
        stageId: 'IN_PROCESS',
        statusDescription: 'StD',
        post: 'P',
        currencyId: 'EUR',
        isManualOpportunity: 'Y',
        opportunity: 12.5,
        opened: 'N',
        comments: 'Cm',
        assignedById: 2,
        companyId: company['id'],
        contactId: contact['id'],
        contactIds: [contact['id']],
        originatorId: 'ext',
        originId: 'o1',
        observers: [3],
        utmSource: 'us',
        utmMedium: 'um',
        utmCampaign: 'uc',
        utmContent: 'uo',
        utmTerm: 'ut',
        hasEmail: 'Y',
        emailWork: 'a@b.c',
      })
    })

    it('Deal (entityTypeId 2): every field of the table is written', async () => {
      await addFunnel(t, 2, 9)
      const company = await add(4, { title: 'Co' })
      const contacts = [await add(3, { name: 'A' }), await add(3, { name: 'B' })]
      const lead = await add(1)
      const quote = await add(7)
      const deal = await add(2)
      const item = await updated(2, deal['id'], {
        title: 'Deal T',
        typeId: 'GOODS',
        categoryId: 9,
        stageId: 'C9:PREPARATION',
        isRecurring: 'Y',
        probability: 40,
        currencyId: 'EUR',
        isManualOpportunity: 'Y',
        opportunity: 999.99,
        taxValue: 9.9,
        companyId: company['id'],
        contactIds: contacts.map((c) => c['id']),
        quoteId: quote['id'],
        begindate: '2026-02-01',
        closedate: '2026-03-01',
        opened: 'N',
        comments: 'Cm',
        assignedById: 3,
        sourceId: 'EMAIL',
        sourceDescription: 'SD',
        leadId: lead['id'],
        additionalInfo: 'AI',
        originatorId: 'ext',
        originId: 'o1',
        observers: [2, 3],
        locationId: 12,
        utmSource: 'us',
        utmMedium: 'um',
        utmCampaign: 'uc',
        utmContent: 'uo',
        utmTerm: 'ut',
      })
      expect(item).toMatchObject({
        title: 'Deal T',
        typeId: 'GOODS',
        categoryId: 9,
        stageId: 'C9:PREPARATION',
        isRecurring: 'Y',
        probability: 40,
        currencyId: 'EUR',
        isManualOpportunity: 'Y',
        opportunity: 999.99,
        taxValue: 9.9,
        companyId: company['id'],
        contactId: contacts[0]?.['id'],
        contactIds: contacts.map((c) => c['id']),
        quoteId: quote['id'],
        begindate: '2026-02-01T00:00:00+00:00',
        closedate: '2026-03-01T00:00:00+00:00',
        opened: 'N',
        comments: 'Cm',
        assignedById: 3,
        sourceId: 'EMAIL',
        sourceDescription: 'SD',
        leadId: lead['id'],
        additionalInfo: 'AI',
        originatorId: 'ext',
        originId: 'o1',
        observers: [2, 3],
        locationId: 12,
        utmSource: 'us',
        utmMedium: 'um',
        utmCampaign: 'uc',
        utmContent: 'uo',
        utmTerm: 'ut',
      })
    })

    it('Contact (entityTypeId 3): every field of the table is written (photo: see the photo rule)', async () => {
      const companies = [await add(4, { title: 'A' }), await add(4, { title: 'B' })]
      const lead = await add(1)
      const contact = await add(3, { name: 'X' })
      const item = await updated(3, contact['id'], {
        honorific: 'HNR_EN_2',
        name: 'N',
        secondName: 'S',
        lastName: 'L',
        birthdate: '1980-01-02',
        typeId: 'PARTNER',
        sourceId: 'WEB',
        sourceDescription: 'SD',
        post: 'P',
        comments: 'Cm',
        opened: 'N',
        export: 'N',
        assignedById: 2,
        companyIds: companies.map((c) => c['id']),
        leadId: lead['id'],
        originatorId: 'ext',
        originId: 'o1',
        originVersion: 'v1',
        observers: [4],
        utmSource: 'us',
        utmMedium: 'um',
        utmCampaign: 'uc',
        utmContent: 'uo',
        utmTerm: 'ut',
        fm: { n0: { typeId: 'PHONE', valueType: 'MOBILE', value: '+19991234567' } },
      })
      expect(item).toMatchObject({
        honorific: 'HNR_EN_2',
        name: 'N',
        secondName: 'S',
        lastName: 'L',
        birthdate: '1980-01-02T00:00:00+00:00',
        typeId: 'PARTNER',
        sourceId: 'WEB',
        sourceDescription: 'SD',
        post: 'P',
        comments: 'Cm',
        opened: 'N',
        export: 'N',
        assignedById: 2,
        companyId: companies[0]?.['id'],
        companyIds: companies.map((c) => c['id']),
        leadId: lead['id'],
        originatorId: 'ext',
        originId: 'o1',
        originVersion: 'v1',
        observers: [4],
        utmSource: 'us',
        utmTerm: 'ut',
        hasPhone: 'Y',
        phoneMobile: '+19991234567',
      })
    })

    it('Company (entityTypeId 4): every field of the table is written (logo: see the photo rule)', async () => {
      const contacts = [await add(3, { name: 'A' }), await add(3, { name: 'B' })]
      const lead = await add(1)
      const company = await add(4, { title: 'X' })
      const item = await updated(4, company['id'], {
        title: 'Co T',
        typeId: 'PARTNER',
        bankingDetails: 'BD',
        industry: 'IT',
        employees: 'EMPLOYEES_2',
        currencyId: 'EUR',
        revenue: 1000.5,
        opened: 'N',
        comments: 'Cm',
        isMyCompany: 'Y',
        assignedById: 2,
        contactIds: contacts.map((c) => c['id']),
        leadId: lead['id'],
        originatorId: 'ext',
        originId: 'o1',
        originVersion: 'v1',
        observers: [5],
        utmSource: 'us',
        utmTerm: 'ut',
        fm: [{ typeId: 'WEB', valueType: 'WORK', value: 'example.com' }],
      })
      expect(item).toMatchObject({
        title: 'Co T',
        typeId: 'PARTNER',
        bankingDetails: 'BD',
        industry: 'IT',
        employees: 'EMPLOYEES_2',
        currencyId: 'EUR',
        revenue: 1000.5,
        opened: 'N',
        comments: 'Cm',
        isMyCompany: 'Y',
        assignedById: 2,
        contactIds: contacts.map((c) => c['id']),
        leadId: lead['id'],
        originatorId: 'ext',
        originId: 'o1',
        originVersion: 'v1',
        observers: [5],
        utmSource: 'us',
        utmTerm: 'ut',
      })
      expect(item['fm']).toEqual([expect.objectContaining({ typeId: 'WEB', value: 'example.com' })])
      // The company is now each contact's company.
      const contact = itemOf(await t.call('crm.item.get', { entityTypeId: 3, id: contacts[1]?.['id'] }))
      expect(contact['companyIds']).toEqual([company['id']])
    })

    it('Quote (entityTypeId 7): every field of the table is written', async () => {
      const deal = await add(2)
      const lead = await add(1)
      const company = await add(4, { title: 'Co' })
      const my = await add(4, { title: 'Mine', isMyCompany: 'Y' })
      const contact = await add(3, { name: 'C' })
      const quote = await add(7)
      const item = await updated(7, quote['id'], {
        title: 'Q',
        assignedById: 2,
        opened: 'N',
        content: 'Ct',
        terms: 'Tm',
        comments: 'Cm',
        dealId: deal['id'],
        leadId: lead['id'],
        storageTypeId: 1,
        storageElementIds: [5, 6],
        companyId: company['id'],
        contactId: contact['id'],
        locationId: 3,
        currencyId: 'EUR',
        isManualOpportunity: 'Y',
        opportunity: 50,
        taxValue: 5,
        stageId: 'SENT',
        begindate: '2026-02-01',
        closedate: '2026-02-10',
        actualDate: '2026-02-20',
        mycompanyId: my['id'],
        utmSource: 'us',
        utmTerm: 'ut',
      })
      expect(item).toMatchObject({
        title: 'Q',
        assignedById: 2,
        opened: 'N',
        content: 'Ct',
        terms: 'Tm',
        comments: 'Cm',
        dealId: deal['id'],
        leadId: lead['id'],
        storageTypeId: 1,
        storageElementIds: [5, 6],
        companyId: company['id'],
        contactId: contact['id'],
        contactIds: [contact['id']],
        locationId: 3,
        currencyId: 'EUR',
        isManualOpportunity: 'Y',
        opportunity: 50,
        taxValue: 5,
        stageId: 'SENT',
        begindate: '2026-02-01T00:00:00+00:00',
        closedate: '2026-02-10T00:00:00+00:00',
        actualDate: '2026-02-20T00:00:00+00:00',
        mycompanyId: my['id'],
        utmSource: 'us',
        utmTerm: 'ut',
      })
    })

    it('Invoice (entityTypeId 31): every field of the table is written', async () => {
      const company = await add(4, { title: 'Co' })
      const my = await add(4, { title: 'Mine', isMyCompany: 'Y' })
      const contact = await add(3, { name: 'C' })
      const invoice = await add(31)
      const categoryId = invoice['categoryId'] as number
      const item = await updated(31, invoice['id'], {
        title: 'Inv',
        xmlId: 'X1',
        assignedById: 2,
        opened: 'N',
        begindate: '2026-02-01',
        closedate: '2026-02-10',
        companyId: company['id'],
        contactIds: [contact['id']],
        observers: [3],
        stageId: `DT31_${categoryId}:S`,
        sourceId: 'WEB',
        sourceDescription: 'SD',
        currencyId: 'EUR',
        isManualOpportunity: 'Y',
        opportunity: 70,
        taxValue: 7,
        mycompanyId: my['id'],
        comments: 'Cm',
        locationId: 4,
      })
      expect(item).toMatchObject({
        title: 'Inv',
        xmlId: 'X1',
        assignedById: 2,
        opened: 'N',
        begindate: '2026-02-01T00:00:00+00:00',
        closedate: '2026-02-10T00:00:00+00:00',
        companyId: company['id'],
        contactId: contact['id'],
        contactIds: [contact['id']],
        observers: [3],
        stageId: `DT31_${categoryId}:S`,
        previousStageId: `DT31_${categoryId}:N`,
        sourceId: 'WEB',
        sourceDescription: 'SD',
        currencyId: 'EUR',
        isManualOpportunity: 'Y',
        opportunity: 70,
        taxValue: 7,
        mycompanyId: my['id'],
        comments: 'Cm',
        locationId: 4,
      })
    })

    it('SPA: every field of the table is written (all toggles on)', async () => {
      await addSmartProcess(t, 1222, { flags: ALL_FLAGS_ON })
      const company = await add(4, { title: 'Co' })
      const my = await add(4, { title: 'Mine', isMyCompany: 'Y' })
      const contact = await add(3, { name: 'C' })
      const spa = await add(1222)
      const categoryId = spa['categoryId'] as number
      const item = await updated(1222, spa['id'], {
        title: 'Spa',
        xmlId: 'X1',
        assignedById: 2,
        opened: 'N',
        begindate: '2026-02-01',
        closedate: '2026-02-10',
        companyId: company['id'],
        contactId: contact['id'],
        observers: [3, 2],
        categoryId,
        stageId: `DT1222_${categoryId}:CLIENT`,
        sourceId: 'WEB',
        sourceDescription: 'SD',
        currencyId: 'EUR',
        isManualOpportunity: 'Y',
        opportunity: 70,
        taxValue: 7,
        mycompanyId: my['id'],
      })
      expect(item).toMatchObject({
        title: 'Spa',
        xmlId: 'X1',
        assignedById: 2,
        opened: 'N',
        begindate: '2026-02-01T00:00:00+00:00',
        closedate: '2026-02-10T00:00:00+00:00',
        companyId: company['id'],
        contactId: contact['id'],
        contactIds: [contact['id']],
        observers: [3, 2],
        categoryId,
        stageId: `DT1222_${categoryId}:CLIENT`,
        previousStageId: `DT1222_${categoryId}:NEW`,
        sourceId: 'WEB',
        sourceDescription: 'SD',
        currencyId: 'EUR',
        isManualOpportunity: 'Y',
        opportunity: 70,
        taxValue: 7,
        mycompanyId: my['id'],
      })
    })

    it('SPA with toggles off: the fields of a switched-off feature are unknown and ignored (object-fields.md)', async () => {
      await addSmartProcess(t, 1224)
      const spa = await add(1224)
      const item = await updated(1224, spa['id'], {
        title: 'T',
        observers: [2],
        begindate: '2026-01-01',
        opportunity: 5,
      })
      expect(item['title']).toBe('T')
      expect(item).not.toHaveProperty('observers')
      expect(item).not.toHaveProperty('begindate')
      expect(item).not.toHaveProperty('opportunity')
    })
  })

  describe('the seed page: errors', () => {
    it('400 NOT_FOUND "Smart process not found" for an entityTypeId the portal does not have', async () => {
      expect(errorOf(await update(1290, 1, { title: 'x' }))).toEqual({
        status: 400,
        error: 'NOT_FOUND',
        description: 'Smart process not found',
      })
    })

    it('400 NOT_FOUND "Item not found" for an id of no item', async () => {
      expect(errorOf(await update(2, 999, { title: 'x' }))).toEqual({
        status: 400,
        error: 'NOT_FOUND',
        description: 'Item not found',
      })
    })

    it('old invoices (5) are not served: ENTITY_TYPE_NOT_SUPPORTED (universal/index.md)', async () => {
      expect(errorOf(await update(5, 1, { title: 'x' }))).toMatchObject({
        status: 400,
        error: 'ENTITY_TYPE_NOT_SUPPORTED',
      })
    })

    it('400 100 "Expected iterable value for multiple field, but got type instead"', async () => {
      const deal = await add(2)
      expect(errorOf(await update(2, deal['id'], { observers: '5' }))).toEqual({
        status: 400,
        error: '100',
        description: 'Expected iterable value for multiple field, but got string instead',
      })
      expect(errorOf(await update(2, deal['id'], { contactIds: 5 }))).toMatchObject({
        error: '100',
        description: 'Expected iterable value for multiple field, but got integer instead',
      })
    })

    it('400 UPDATE_DYNAMIC_ITEM_RESTRICTED "You cannot change the item due to your plan restrictions"', async () => {
      await addSmartProcess(t, 1226)
      const spa = await add(1226)
      const deal = await add(2)
      await setPortal(t, { settings: { restrictDynamicItems: true } })
      expect(errorOf(await update(1226, spa['id'], { title: 'x' }))).toEqual({
        status: 400,
        error: 'UPDATE_DYNAMIC_ITEM_RESTRICTED',
        description: 'You cannot change the item due to your plan restrictions',
      })
      // "Plan restrictions do not allow modifying smart process items": other types are not affected.
      expect((await updated(2, deal['id'], { title: 'fine' }))['title']).toBe('fine')
    })
  })

  describe('server-behaviour §1.A–1.B: reading fields', () => {
    it('item 6: "clients may send title or TITLE, ufCrm5_123 or UF_CRM_5_123"', async () => {
      const deal = await add(2)
      const item = await updated(2, deal['id'], {
        TITLE: 'Upper',
        ASSIGNED_BY_ID: 2,
        additionalInfo: 'camel',
      })
      expect(item).toMatchObject({ title: 'Upper', assignedById: 2, additionalInfo: 'camel' })
    })

    it('item 10: "RestManager then sends only the first error" (field order) and nothing is saved', async () => {
      const deal = await add(2)
      const response = await update(2, deal['id'], { title: 'new', sourceId: 'NOPE', currencyId: 'XXX' })
      expect(errorOf(response)).toEqual({
        status: 400,
        error: 'CRM_FIELD_ERROR_VALUE_NOT_VALID',
        description: 'Invalid value for field "Currency"',
      })
      expect(itemOf(await t.call('crm.item.get', { entityTypeId: 2, id: deal['id'] }))['title']).toBe(
        deal['title'],
      )
    })

    it('item 11: hidden fields are stripped: contact fullName is ignored', async () => {
      const contact = await add(3, { name: 'A' })
      const item = await updated(3, contact['id'], { fullName: 'Z Z', lastName: 'B' })
      expect(item).toMatchObject({ name: 'A', lastName: 'B' })
      expect(item).not.toHaveProperty('fullName')
    })

    it('item 12: a PHP-empty value sets null — "companyId: 0 unbinds the company"', async () => {
      const company = await add(4, { title: 'Co' })
      const deal = await add(2, { companyId: company['id'], comments: 'x', probability: 5 })
      const item = await updated(2, deal['id'], { companyId: 0, comments: '', probability: '0' })
      expect(item).toMatchObject({ companyId: 0, comments: null, probability: null })
    })

    it('item 13: dates in ISO-8601 and YYYY-MM-DD; "An unparseable value is silently not applied"', async () => {
      const deal = await add(2, { begindate: '2026-01-10' })
      expect((await updated(2, deal['id'], { begindate: '2026-02-03T23:30:00+05:00' }))['begindate']).toBe(
        '2026-02-03T00:00:00+00:00',
      )
      expect((await updated(2, deal['id'], { begindate: '02/04/2026' }))['begindate']).toBe(
        '2026-02-04T00:00:00+00:00',
      )
      const kept = await update(2, deal['id'], { begindate: 'soon', title: 'still saved' })
      expect(itemOf(kept)).toMatchObject({ begindate: '2026-02-04T00:00:00+00:00', title: 'still saved' })
    })

    it('item 14: only true, "true", "y", "Y" are true; "N", 1 and "1" are false', async () => {
      const deal = await add(2)
      const cases: [unknown, string][] = [
        [true, 'Y'],
        ['true', 'Y'],
        ['y', 'Y'],
        ['Y', 'Y'],
        [1, 'N'],
        ['Y', 'Y'],
        ['1', 'N'],
        ['Y', 'Y'],
        ['N', 'N'],
        ['Y', 'Y'],
        [false, 'N'],
      ]
      for (const [input, expected] of cases) {
        expect(
          (await updated(2, deal['id'], { isRecurring: input }))['isRecurring'],
          JSON.stringify(input),
        ).toBe(expected)
      }
      // A PHP form sends true as "1" (http_build_query): false on the server.
      const form = await t.call(
        'crm.item.update',
        { entityTypeId: 2, id: deal['id'], fields: { isRecurring: true } },
        { via: 'form' },
      )
      expect(itemOf(form)['isRecurring']).toBe('N')
    })

    it('item 16: "For array values … empty elements are removed"', async () => {
      const deal = await add(2)
      expect((await updated(2, deal['id'], { observers: ['', 0, '2', null, 3] }))['observers']).toEqual([
        2, 3,
      ])
    })

    it('item 17: "Setting contactId = X replaces all bindings with just [X]; with 0 or empty, every binding is removed"', async () => {
      const [a, b, c] = [
        await add(3, { name: 'A' }),
        await add(3, { name: 'B' }),
        await add(3, { name: 'C' }),
      ]
      const deal = await add(2, { contactIds: [a?.['id'], b?.['id']] })
      expect(await updated(2, deal['id'], { contactId: c?.['id'] })).toMatchObject({
        contactId: c?.['id'],
        contactIds: [c?.['id']],
      })
      expect(await updated(2, deal['id'], { contactId: 0 })).toMatchObject({ contactId: 0, contactIds: [] })
    })

    it('item 17: "Setting contactIds = [...] replaces the set"; duplicates are removed', async () => {
      const [a, b, c] = [
        await add(3, { name: 'A' }),
        await add(3, { name: 'B' }),
        await add(3, { name: 'C' }),
      ]
      const deal = await add(2, { contactIds: [a?.['id'], b?.['id']] })
      const item = await updated(2, deal['id'], { contactIds: [c?.['id'], b?.['id'], c?.['id']] })
      // The primary (a) is gone: the first of the new list becomes primary.
      expect(item).toMatchObject({ contactIds: [c?.['id'], b?.['id']], contactId: c?.['id'] })
    })

    it('item 17: "the current primary stays primary if it is still bound. Otherwise the first one becomes primary"', async () => {
      const [a, b, c] = [
        await add(3, { name: 'A' }),
        await add(3, { name: 'B' }),
        await add(3, { name: 'C' }),
      ]
      const deal = await add(2, { contactIds: [a?.['id'], b?.['id']] })
      expect(deal['contactId']).toBe(a?.['id'])
      expect(await updated(2, deal['id'], { contactIds: [b?.['id'], a?.['id']] })).toMatchObject({
        contactId: a?.['id'],
      })
      expect(await updated(2, deal['id'], { contactIds: [c?.['id'], b?.['id']] })).toMatchObject({
        contactId: c?.['id'],
      })
    })

    it('item 17: "an explicitly marked primary wins" (the service field contacts)', async () => {
      const [a, b] = [await add(3, { name: 'A' }), await add(3, { name: 'B' })]
      const deal = await add(2, { contactIds: [a?.['id']] })
      const item = await updated(2, deal['id'], {
        contacts: [{ contactId: a?.['id'] }, { contactId: b?.['id'], isPrimary: 'Y' }],
      })
      expect(item).toMatchObject({ contactIds: [a?.['id'], b?.['id']], contactId: b?.['id'] })
    })

    it('item 17: "If both keys are sent … contactIds comes after contactId, so it effectively wins"', async () => {
      const [a, b, c] = [
        await add(3, { name: 'A' }),
        await add(3, { name: 'B' }),
        await add(3, { name: 'C' }),
      ]
      const deal = await add(2)
      const item = await updated(2, deal['id'], { contactIds: [b?.['id'], c?.['id']], contactId: a?.['id'] })
      expect(item).toMatchObject({ contactIds: [b?.['id'], c?.['id']], contactId: b?.['id'] })
    })

    it('item 17: contact companyId / companyIds follow the same rules; the company side lists the contact', async () => {
      const [x, y] = [await add(4, { title: 'X' }), await add(4, { title: 'Y' })]
      const contact = await add(3, { name: 'A', companyIds: [x?.['id'], y?.['id']] })
      expect(contact).toMatchObject({ companyId: x?.['id'], companyIds: [x?.['id'], y?.['id']] })
      expect(await updated(3, contact['id'], { companyId: y?.['id'] })).toMatchObject({
        companyId: y?.['id'],
        companyIds: [y?.['id']],
      })
      expect(itemOf(await t.call('crm.item.get', { entityTypeId: 4, id: x?.['id'] }))['contactIds']).toEqual(
        [],
      )
      expect(itemOf(await t.call('crm.item.get', { entityTypeId: 4, id: y?.['id'] }))['contactIds']).toEqual([
        contact['id'],
      ])
    })

    it('item 18: observers "replaces the current observers", "Order is kept", zeros dropped', async () => {
      const deal = await add(2, { observers: [1, 2] })
      expect((await updated(2, deal['id'], { observers: [4, 0, 3, 4] }))['observers']).toEqual([4, 3])
      expect((await updated(2, deal['id'], { observers: [] }))['observers']).toEqual([])
    })

    it('item 19: parentId{N} binds a parent, replaces the previous one, empty unbinds', async () => {
      await addSmartProcess(t, 1230, { parentOf: [2] })
      const p1 = await add(1230, { title: 'P1' })
      const p2 = await add(1230, { title: 'P2' })
      const deal = await add(2)
      expect(deal['parentId1230']).toBeNull()
      expect((await updated(2, deal['id'], { parentId1230: p1['id'] }))['parentId1230']).toBe(p1['id'])
      expect((await updated(2, deal['id'], { PARENT_ID_1230: p2['id'] }))['parentId1230']).toBe(p2['id'])
      expect((await updated(2, deal['id'], { parentId1230: '' }))['parentId1230']).toBeNull()
    })

    it('item 19: "These exist only for custom, non-predefined relations": other parentId keys are ignored', async () => {
      await addSmartProcess(t, 1232)
      const spa = await add(1232)
      const deal = await add(2)
      const item = await updated(2, deal['id'], { parentId1232: spa['id'], parentId1: 1, title: 'T' })
      expect(item['title']).toBe('T')
      expect(item).not.toHaveProperty('parentId1232')
    })

    it('item 19: a parent id of no item is CRM_FIELD_ERROR_VALUE_NOT_VALID (our decision)', async () => {
      await addSmartProcess(t, 1234, { title: 'Projects', parentOf: [2] })
      const deal = await add(2)
      expect(errorOf(await update(2, deal['id'], { parentId1234: 77 }))).toEqual({
        status: 400,
        error: 'CRM_FIELD_ERROR_VALUE_NOT_VALID',
        description: 'Invalid value for field "Projects"',
      })
    })

    it('item 20: fm "n0" adds, a numeric id changes, an id with an empty value deletes — combined in one call', async () => {
      const contact = await add(3, {
        name: 'K',
        fm: [
          { typeId: 'EMAIL', valueType: 'WORK', value: 'work@x.io' },
          { typeId: 'EMAIL', valueType: 'HOME', value: 'home@x.io' },
          { typeId: 'PHONE', valueType: 'WORK', value: '+1' },
        ],
      })
      const [work, home, phone] = contact['fm'] as { id: number }[]
      const item = await updated(3, contact['id'], {
        fm: {
          [String(work?.id)]: { typeId: 'EMAIL', valueType: 'WORK', value: 'new@x.io' },
          [String(home?.id)]: { typeId: 'EMAIL', value: '' },
          n0: { typeId: 'PHONE', valueType: 'MOBILE', value: '+2' },
        },
      })
      const fm = item['fm'] as { id: number; typeId: string; valueType: string; value: string }[]
      expect(fm.map((m) => [m.typeId, m.valueType, m.value])).toEqual([
        ['EMAIL', 'WORK', 'new@x.io'],
        ['PHONE', 'WORK', '+1'],
        ['PHONE', 'MOBILE', '+2'],
      ])
      expect(fm[0]?.id).toBe(work?.id)
      expect(fm[1]?.id).toBe(phone?.id)
    })

    it('item 20: "typeId is required in every element … the response is successful, while the value remains"', async () => {
      const contact = await add(3, { name: 'K', fm: [{ typeId: 'PHONE', value: '+1' }] })
      const id = (contact['fm'] as { id: number }[])[0]?.id
      const item = await updated(3, contact['id'], { fm: { [String(id)]: { value: '+9' } } })
      expect(item['fm']).toEqual(contact['fm'])
    })

    it('item 20: "A new entry appeared instead of a change — the contact has no entry with the id you passed"', async () => {
      const contact = await add(3, { name: 'K', fm: [{ typeId: 'PHONE', value: '+1' }] })
      const item = await updated(3, contact['id'], { fm: { 999999: { typeId: 'PHONE', value: '+2' } } })
      expect((item['fm'] as { value: string }[]).map((m) => m.value)).toEqual(['+1', '+2'])
    })

    it('item 20: "passed … as an array rather than an object, the method … adds new entries"', async () => {
      const contact = await add(3, { name: 'K', fm: [{ typeId: 'PHONE', value: '+1' }] })
      const item = await updated(3, contact['id'], { fm: [{ typeId: 'EMAIL', value: 'a@b.c' }] })
      expect((item['fm'] as { value: string }[]).map((m) => m.value)).toEqual(['+1', 'a@b.c'])
      expect(item).toMatchObject({ hasPhone: 'Y', hasEmail: 'Y' })
    })

    it('item 20: an e-mail that is not an address is CRM_FIELD_ERROR_VALUE_NOT_VALID (how-to-add-contact.md)', async () => {
      const contact = await add(3, { name: 'K' })
      expect(
        errorOf(await update(3, contact['id'], { fm: { n0: { typeId: 'EMAIL', value: 'not an address' } } })),
      ).toEqual({
        status: 400,
        error: 'CRM_FIELD_ERROR_VALUE_NOT_VALID',
        description: 'Invalid value for field "E-mail"',
      })
    })
  })

  describe('server-behaviour §1.C–1.G: the operation', () => {
    it('item 35/36: read-only and auto-generated fields have "no effect and no error"', async () => {
      const deal = await add(2)
      const item = await updated(2, deal['id'], {
        id: 999,
        createdTime: '2020-01-01T00:00:00+00:00',
        createdBy: 3,
        updatedBy: 3,
        movedBy: 3,
        lastActivityBy: 3,
        stageSemanticId: 'S',
        closed: 'Y',
        isNew: 'N',
        isReturnCustomer: 'Y',
        isRepeatedApproach: 'Y',
        searchContent: 'x',
        isWork: 'Y',
      })
      expect(item).toEqual(deal)
    })

    it('item 35: "Immutable changed on update: silently reset" (contact webformId)', async () => {
      const contact = await add(3, { name: 'A', webformId: 7 })
      expect(contact['webformId']).toBe(7)
      expect(await updated(3, contact['id'], { webformId: 8, name: 'B' })).toMatchObject({
        webformId: 7,
        name: 'B',
      })
    })

    it('item 35: "CanNotBeEmptied emptied on update: silently reset" — deal title, currencyId, assignedById, begindate, closedate', async () => {
      const deal = await add(2, {
        title: 'Keep',
        assignedById: 2,
        begindate: '2026-01-02',
        closedate: '2026-01-09',
      })
      const item = await updated(2, deal['id'], {
        title: '',
        currencyId: '',
        assignedById: '',
        begindate: '',
        closedate: null,
        comments: 'x',
      })
      expect(item).toMatchObject({
        title: 'Keep',
        currencyId: 'USD',
        assignedById: 2,
        begindate: '2026-01-02T00:00:00+00:00',
        closedate: '2026-01-09T00:00:00+00:00',
        comments: 'x',
      })
    })

    it('item 37: "updatedTime / updatedBy are always set to now and the current user"', async () => {
      const deal = await add(2)
      const { userId, prefix } = await userHook(t, { name: 'Editor' })
      t.clock.advance(90_000)
      const response = await t.call(
        'crm.item.update',
        { entityTypeId: 2, id: deal['id'], fields: { title: 'E' } },
        { prefix },
      )
      expect(itemOf(response)).toMatchObject({
        updatedTime: '2026-01-15T10:01:30+00:00',
        updatedBy: userId,
        createdBy: 1,
      })
    })

    it('item 38: a stage change sets movedTime, movedBy, stageSemanticId; closed only for final stages', async () => {
      const deal = await add(2)
      const { userId, prefix } = await userHook(t, { name: 'Mover' })
      t.clock.advance(60_000)
      const moved = itemOf(
        await t.call(
          'crm.item.update',
          { entityTypeId: 2, id: deal['id'], fields: { stageId: 'EXECUTING' } },
          { prefix },
        ),
      )
      expect(moved).toMatchObject({
        stageId: 'EXECUTING',
        movedBy: userId,
        movedTime: '2026-01-15T10:01:00+00:00',
        stageSemanticId: 'P',
        closed: 'N',
        isNew: 'N',
      })
      expect(await updated(2, deal['id'], { stageId: 'LOSE' })).toMatchObject({
        stageSemanticId: 'F',
        closed: 'Y',
      })
      expect(await updated(2, deal['id'], { stageId: 'WON' })).toMatchObject({
        stageSemanticId: 'S',
        closed: 'Y',
      })
      expect(await updated(2, deal['id'], { stageId: 'NEW' })).toMatchObject({
        stageSemanticId: 'P',
        closed: 'N',
        isNew: 'Y',
      })
    })

    it('item 38: "On a move into a final stage, closedate is set to now" unless the call sets it', async () => {
      const deal = await add(2, { closedate: '2026-06-30' })
      t.clock.advance(2 * 86_400_000)
      expect((await updated(2, deal['id'], { stageId: 'WON' }))['closedate']).toBe(
        '2026-01-17T00:00:00+00:00',
      )
      const other = await add(2, { closedate: '2026-06-30' })
      expect((await updated(2, other['id'], { stageId: 'LOSE', closedate: '2026-05-05' }))['closedate']).toBe(
        '2026-05-05T00:00:00+00:00',
      )
    })

    it('item 38: "for smart processes previousStageId = the old stage"', async () => {
      await addSmartProcess(t, 1236, { flags: { isStagesEnabled: true } })
      const spa = await add(1236)
      const c = spa['categoryId'] as number
      expect(spa).toMatchObject({ stageId: `DT1236_${c}:NEW`, previousStageId: null })
      expect(await updated(1236, spa['id'], { stageId: `DT1236_${c}:CLIENT` })).toMatchObject({
        stageId: `DT1236_${c}:CLIENT`,
        previousStageId: `DT1236_${c}:NEW`,
      })
    })

    it('item 39: "24.8+: such a stage is silently reverted to the previous stage" (stage of another funnel)', async () => {
      await addFunnel(t, 2, 9)
      const deal = await add(2)
      const item = await updated(2, deal['id'], { stageId: 'C9:WON', title: 'T' })
      expect(item).toMatchObject({ stageId: 'NEW', categoryId: 0, title: 'T' })
    })

    it('item 39: funnel change: "the first stage of the new category with the same semantics is used"', async () => {
      await addFunnel(t, 2, 9, ['UC_FIRST'])
      const deal = await add(2, { stageId: 'EXECUTING' })
      // current stage in progress → the new funnel's first in-progress stage
      expect(await updated(2, deal['id'], { categoryId: 9 })).toMatchObject({
        categoryId: 9,
        stageId: 'C9:NEW',
      })
      // a stage of the old funnel given with a funnel change → its semantics decide
      expect(await updated(2, deal['id'], { categoryId: 0, stageId: 'C9:WON' })).toMatchObject({
        categoryId: 0,
        stageId: 'WON',
      })
      // a stage of the new funnel is taken as given
      expect(await updated(2, deal['id'], { categoryId: 9, stageId: 'C9:UC_FIRST' })).toMatchObject({
        categoryId: 9,
        stageId: 'C9:UC_FIRST',
      })
    })

    it('item 39: no stage of the same semantics in the new funnel: "Stage in new category is not found"', async () => {
      await addBareFunnel(t, 2, 40, [{ code: 'ONLY', semantics: 'P' }])
      const deal = await add(2, { stageId: 'WON' })
      expect(errorOf(await update(2, deal['id'], { categoryId: 40 }))).toEqual({
        status: 400,
        error: 'CRM_FIELD_ERROR_VALUE_NOT_VALID',
        description: 'Stage in new category is not found',
      })
    })

    it('item 40: "The new categoryId must be an int that exists"; a deal move fires ONCRMDEALMOVETOCATEGORY', async () => {
      await addFunnel(t, 2, 9)
      const deal = await add(2)
      expect(errorOf(await update(2, deal['id'], { categoryId: 77 }))).toMatchObject({
        error: 'CRM_FIELD_ERROR_VALUE_NOT_VALID',
        description: 'Invalid value for field "Pipeline"',
      })
      await updated(2, deal['id'], { categoryId: 9 })
      expect((await outbox(t)).at(-1)?.payload['eventNames']).toEqual([
        'ONCRMDEALUPDATE',
        'ONCRMDEALMOVETOCATEGORY',
      ])
      // categoryId 0 reads as empty: the general funnel.
      expect(await updated(2, deal['id'], { categoryId: 0 })).toMatchObject({ categoryId: 0, stageId: 'NEW' })
    })

    it('item 41: "kept exactly as given when … the item had no product rows"', async () => {
      const deal = await add(2, { opportunity: 100 })
      expect(await updated(2, deal['id'], { opportunity: 250.75, isManualOpportunity: 'N' })).toMatchObject({
        opportunity: 250.75,
        isManualOpportunity: 'N',
      })
    })

    it('item 43 / how-to-make-contact-edit-card.md: clearing both name and lastName is CRM_FIELD_ERROR_REQUIRED', async () => {
      const contact = await add(3, { name: 'A', lastName: 'B' })
      expect(await updated(3, contact['id'], { name: '' })).toMatchObject({ name: null, lastName: 'B' })
      expect(errorOf(await update(3, contact['id'], { lastName: '' }))).toEqual({
        status: 400,
        error: 'CRM_FIELD_ERROR_REQUIRED',
        description: 'The "First Name" or "Last Name" field is required',
      })
    })

    it('item 45: smart processes fire onCrmDynamicItemUpdate and onCrmDynamicItemUpdate_{entityTypeId}; invoices too', async () => {
      await addSmartProcess(t, 1238)
      const spa = await add(1238)
      await updated(1238, spa['id'], { title: 'x' })
      expect((await outbox(t)).at(-1)?.payload['eventNames']).toEqual([
        'ONCRMDYNAMICITEMUPDATE',
        'ONCRMDYNAMICITEMUPDATE_1238',
      ])
      const invoice = await add(31)
      await updated(31, invoice['id'], { title: 'y' })
      expect((await outbox(t)).at(-1)?.payload['eventNames']).toEqual([
        'ONCRMDYNAMICITEMUPDATE',
        'ONCRMDYNAMICITEMUPDATE_31',
      ])
      const contact = await add(3, { name: 'A' })
      await updated(3, contact['id'], { name: 'B' })
      expect((await outbox(t)).at(-1)?.payload['eventNames']).toEqual(['ONCRMCONTACTUPDATE'])
    })

    it('U8: "assignedById:\\"\\" on update restores previous responsible, no error"', async () => {
      const lead = await add(1, { assignedById: 3 })
      expect((await updated(1, lead['id'], { assignedById: '' }))['assignedById']).toBe(3)
    })

    it('U12: "comments: HTML tags stripped (content kept), BBCode kept as is"', async () => {
      const contact = await add(3, { name: 'A' })
      const item = await updated(3, contact['id'], {
        comments: '<strong>Important</strong> [b]contact[/b] a < b',
      })
      expect(item['comments']).toBe('Important [b]contact[/b] a < b')
    })

    it('U6: the contact photo is not accepted by crm.item.update (how-to-make-contact-edit-card.md)', async () => {
      const contact = await add(3, { name: 'A' })
      expect(errorOf(await update(3, contact['id'], { photo: ['p.png', 'iVBORw0KGgo='] }))).toEqual({
        status: 400,
        error: 'CRM_FIELD_ERROR_VALUE_NOT_VALID',
        description: 'Invalid value for field "Photo"',
      })
    })

    it('crm-lead-update.md: isReturnCustomer "automatically takes the value Y if you specify … COMPANY_ID or CONTACT_ID"', async () => {
      const company = await add(4, { title: 'Co' })
      const lead = await add(1)
      expect(lead['isReturnCustomer']).toBe('N')
      expect((await updated(1, lead['id'], { companyId: company['id'] }))['isReturnCustomer']).toBe('Y')
    })

    it('DESIGN.md: "concurrent partial updates of one item never lose a field"', async () => {
      const deal = await add(2)
      const changes: Body[] = [
        { title: 'T' },
        { comments: 'C' },
        { utmSource: 'us' },
        { utmMedium: 'um' },
        { utmCampaign: 'uc' },
        { utmContent: 'uo' },
        { utmTerm: 'ut' },
        { additionalInfo: 'AI' },
        { probability: 42 },
        { opportunity: 7.5 },
        { observers: [2] },
        { stageId: 'PREPARATION' },
      ]
      const responses = await Promise.all(changes.map((fields) => update(2, deal['id'], fields)))
      expect(responses.map((r) => r.status)).toEqual(changes.map(() => 200))
      const item = itemOf(await t.call('crm.item.get', { entityTypeId: 2, id: deal['id'] }))
      expect(item).toMatchObject(Object.assign({}, ...changes) as Body)
      expect((await outbox(t)).filter((r) => r.topic === 'crm.item.updated')).toHaveLength(changes.length)
    })

    it('works inside batch, with a $result reference to a created item', async () => {
      const response = await t.call('batch', {
        halt: 1,
        cmd: {
          a: 'crm.item.add?entityTypeId=2&fields[title]=Batch',
          u: 'crm.item.update?entityTypeId=2&id=$result[a][item][id]&fields[title]=Renamed',
        },
      })
      const result = (response.body['result'] as { result: Record<string, { item: Body }> }).result
      expect(result['u']?.item).toMatchObject({ id: result['a']?.item['id'], title: 'Renamed' })
    })
  })
})
