import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import { DEAL } from '../../src/crm/entity-types/deal.js'
import { insertItem } from '../../src/crm/items/item-store.js'
import {
  SEED_UPDATE_FIELDS,
  seedDeal351,
  addFunnel,
  addSmartProcess,
  addUsersUpTo,
  itemOf,
  outbox,
  PORTAL_ID,
  setNextId,
  setPortal,
} from '../helpers/item-fixtures.js'

/**
 * The seed page's own example (shared/spec/seeds/000_*.txt, 001_*.txt "Update a deal with id = 351"): the
 * request of its cURL / CRest / pysdk samples, checked against its "Response Handling" example.
 *
 * Preconditions the example assumes, recreated here: a +02:00 portal; users 1–6; deal funnel 9 with the stage
 * C9:UC_NYL06U; smart process 1220 whose items are parents of deals (so deals have `parentId1220`) with an
 * item 2; deal 351 in funnel 9, stored with the values the response shows for fields the request does not
 * touch (title "Deal #351", begindate 07/23, closedate 07/31, the search content …).
 *
 * The request also sets `ufCrm_1721244707107`, a custom field of type double the docs' portal has: it is created
 * here with crm.deal.userfield.add (FIELD_NAME 1721244707107 → UF_CRM_1721244707107 → `ufCrm_1721244707107`),
 * so the response matches the docs' one key for key.
 */
/** The docs' response item, in its key order. */
const SEED_RESPONSE_ITEM = {
  id: 351,
  createdTime: '2024-07-23T19:10:26+02:00',
  dateCreateShort: null,
  updatedTime: '2024-07-23T18:19:21+02:00',
  dateModifyShort: null,
  createdBy: 1,
  updatedBy: 1,
  assignedById: 6,
  opened: 'N',
  leadId: null,
  companyId: 0,
  contactId: 0,
  quoteId: null,
  title: 'REST Deal #1',
  productId: null,
  categoryId: 9,
  stageId: 'C9:UC_NYL06U',
  stageSemanticId: 'P',
  isNew: 'N',
  isRecurring: 'N',
  isReturnCustomer: 'N',
  isRepeatedApproach: 'N',
  closed: 'N',
  typeId: 'SERVICE',
  opportunity: 10000,
  isManualOpportunity: 'N',
  taxValue: 0,
  currencyId: 'USD',
  probability: null,
  comments: '',
  begindate: '2024-07-23T02:00:00+02:00',
  begindateShort: null,
  closedate: '2024-07-31T02:00:00+02:00',
  closedateShort: null,
  eventDate: null,
  eventDateShort: null,
  eventId: null,
  eventDescription: null,
  locationId: null,
  webformId: 0,
  sourceId: '',
  sourceDescription: '',
  originatorId: null,
  originId: null,
  additionalInfo: 'Changing a deal via REST',
  searchContent:
    '351 Deal #351 10200.00 US Dollar John Doe John Doe Sale Name2134234233 07/23/2024 07/31/2024',
  orderStage: null,
  movedBy: 1,
  movedTime: '2024-07-23T18:19:21+02:00',
  lastActivityBy: 1,
  lastActivityTime: '2024-07-23T18:10:26+02:00',
  isWork: null,
  isWon: null,
  isLose: null,
  receivedAmount: null,
  lostAmount: null,
  hasProducts: null,
  ufCrm_1721244707107: 200.05,
  parentId1220: 2,
  utmSource: 'google',
  utmMedium: null,
  utmCampaign: null,
  utmContent: null,
  utmTerm: null,
  observers: [1, 2, 3],
  contactIds: [],
  entityTypeId: 2,
}

/** Deal 351 before the update, as the docs' portal had it (values read off the response). */
async function prepareSeedPortal(t: TestApp): Promise<void> {
  await setPortal(t, { timeZoneOffset: 120 })
  await addUsersUpTo(t, 6)
  await addFunnel(t, 2, 9, ['UC_NYL06U'])
  await addSmartProcess(t, 1220, { title: 'Seed SPA', parentOf: [2] })
  const field = await t.call('crm.deal.userfield.add', {
    fields: { FIELD_NAME: '1721244707107', USER_TYPE_ID: 'double', LABEL: 'Amount' },
  })
  if (field.status !== 200) throw new Error(`crm.deal.userfield.add: ${JSON.stringify(field.body)}`)
  await setNextId(t, 'item:1220', 2)
  itemOf(await t.call('crm.item.add', { entityTypeId: 1220, fields: { title: 'Parent of deal 351' } }))
  const deal = seedDeal351()
  await insertItem(t.app.store.db, PORTAL_ID, DEAL, deal)
  // The update happens at 18:19:21+02:00, the response's updatedTime and movedTime.
  t.clock.set(Date.UTC(2024, 6, 23, 16, 19, 21))
}

describe.each(STORE_KINDS)('crm.item.update: the seed example (%s)', (storeKind) => {
  let t: TestApp
  beforeEach(async () => {
    t = await createTestApp({ store: storeKind })
    await prepareSeedPortal(t)
  })
  afterEach(async () => {
    await t.close()
  })

  it('"Update a deal with id = 351" (cURL sample, JSON): the response example', async () => {
    const response = await t.call('crm.item.update', { entityTypeId: 2, id: 351, fields: SEED_UPDATE_FIELDS })
    expect(response.status).toBe(200)
    const item = itemOf(response)
    expect(item).toEqual(SEED_RESPONSE_ITEM)
    // Same keys in the same order as the docs' item, the custom field between hasProducts and parentId1220.
    expect(Object.keys(item)).toEqual(Object.keys(SEED_RESPONSE_ITEM))
  })

  it('the CRest (PHP, form-encoded) sample gives the same item', async () => {
    const response = await t.call(
      'crm.item.update',
      { entityTypeId: 2, id: 351, fields: SEED_UPDATE_FIELDS },
      { via: 'form' },
    )
    expect(itemOf(response)).toEqual(SEED_RESPONSE_ITEM)
  })

  it('crm.item.get afterwards shows the stored change; one ONCRMDEALUPDATE outbox row', async () => {
    itemOf(await t.call('crm.item.update', { entityTypeId: 2, id: 351, fields: SEED_UPDATE_FIELDS }))
    const got = itemOf(await t.call('crm.item.get', { entityTypeId: 2, id: 351 }))
    expect(got).toEqual(SEED_RESPONSE_ITEM)
    const rows = (await outbox(t)).filter((r) => r.topic === 'crm.item.updated')
    expect(rows).toHaveLength(1)
    expect(rows[0]?.payload).toMatchObject({
      entityTypeId: 2,
      id: 351,
      eventNames: ['ONCRMDEALUPDATE'],
      userId: 1,
    })
    expect(rows[0]?.payload['changedFields']).toEqual(
      expect.arrayContaining([
        'title',
        'stageId',
        'assignedById',
        'opened',
        'typeId',
        'opportunity',
        'parentId1220',
      ]),
    )
  })

  it('sending the same request again changes nothing: no save, no second outbox row (§1.C item 24)', async () => {
    itemOf(await t.call('crm.item.update', { entityTypeId: 2, id: 351, fields: SEED_UPDATE_FIELDS }))
    t.clock.advance(60_000)
    const again = itemOf(
      await t.call('crm.item.update', { entityTypeId: 2, id: 351, fields: SEED_UPDATE_FIELDS }),
    )
    expect(again).toEqual(SEED_RESPONSE_ITEM)
    expect((await outbox(t)).filter((r) => r.topic === 'crm.item.updated')).toHaveLength(1)
  })
})
