import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CompiledQuery } from 'kysely'
import { createTestApp, TEST_START_MS, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import { createUser } from '../../src/portal/users.js'
import { createWebhook } from '../../src/portal/webhooks.js'
import { listPortals } from '../../src/portal/portal.js'
import { createType, defaultCategory } from '../../src/crm/dictionaries/dictionary-store.js'
import { SMART_PROCESS_DEFAULT_FLAGS, dynamicTypeDescriptor } from '../../src/crm/entity-types/dynamic.js'
import { LEAD } from '../../src/crm/entity-types/lead.js'
import { DEAL } from '../../src/crm/entity-types/deal.js'
import { CONTACT } from '../../src/crm/entity-types/contact.js'
import { COMPANY } from '../../src/crm/entity-types/company.js'
import type { EntityTypeDescriptor } from '../../src/crm/entity-types/entity-type.js'
import { itemOutputKeys } from '../../src/crm/entity-types/fields-output.js'
import {
  emptyItem,
  insertItem,
  itemListBaseQuery,
  itemListFieldMap,
  nextItemId,
} from '../../src/crm/items/item-store.js'
import { applyFilter, applyOrder, parseFilter } from '../../src/store/list-query.js'
import { storedInstant } from '../../src/lib/format-date.js'
import type { Item } from '../../src/crm/items/item.js'
import type { Db } from '../../src/store/schema.js'

/**
 * crm.item.get / list / delete / fields (api-reference/crm/universal/crm-item-*.md) through the HTTP edge, on
 * every store this run covers. Items are seeded with the item store directly; the portal runs at +02:00 like
 * the docs' samples.
 *
 * Leads 1…120 are described by `MODEL`, so list expectations are computed from the data the leads were made
 * from. Deals, contacts, companies and smart-process items are few and written out below.
 */
interface ModelLead {
  id: number
  title: string
  name: string
  lastName: string | null
  stageId: string
  sourceId: string
  assignedById: number
  opportunity: number
  isManualOpportunity: boolean
  createdMs: number
  birthdate: string | null
  phone: string | null
}

const pad = (n: number, width = 3): string => String(n).padStart(width, '0')
const STAGES = ['NEW', 'IN_PROCESS', 'CONVERTED'] as const

function modelLead(id: number): ModelLead {
  return {
    id,
    title: `Lead #${id}`,
    name: ['Anna', 'Ivan', 'Klaus'][id % 3] as string,
    lastName: id % 4 === 0 ? null : `Last${pad(130 - id)}`,
    stageId: STAGES[id % 3] as string,
    sourceId: id % 2 === 0 ? 'WEB' : 'ADVERTISING',
    assignedById: id % 2 === 0 ? 1 : 6,
    opportunity: id * 100 + 0.5,
    isManualOpportunity: id % 5 === 0,
    createdMs: TEST_START_MS + id * 3_600_000,
    birthdate: id % 10 === 0 ? `2000-01-${pad((id % 28) + 1, 2)}` : null,
    phone: id % 6 === 0 ? `+4930${pad(id, 4)}` : null,
  }
}

const MODEL: ModelLead[] = Array.from({ length: 120 }, (_, i) => modelLead(i + 1))
const ids = (list: readonly ModelLead[]): number[] => list.map((l) => l.id)
const OFFSET = 120
const SPA = 1032

describe.each(STORE_KINDS)('crm.item read methods on %s', (kind) => {
  let t: TestApp
  let db: Db
  let portalId: number
  let extranetPrefix: string
  let spaType: EntityTypeDescriptor
  /** The smart process's default funnel, created with the type. */
  let spaCategory: number

  async function seed(type: EntityTypeDescriptor, id: number, fill: (item: Item) => void): Promise<void> {
    // Keep the type's id sequence in step, so crm.item.add continues after the seeded items.
    expect(await nextItemId(t.app.store, db, portalId, type.entityTypeId)).toBe(id)
    const item = emptyItem(type, id)
    item.values['createdTime'] = storedInstant(TEST_START_MS)
    item.values['updatedTime'] = storedInstant(TEST_START_MS)
    item.values['createdBy'] = 1
    item.values['updatedBy'] = 1
    item.values['assignedById'] = 1
    item.values['opened'] = true
    fill(item)
    await insertItem(db, portalId, type, item)
  }

  beforeAll(async () => {
    t = await createTestApp({ store: kind })
    db = t.app.store.db
    const [portal] = await listPortals(db)
    portalId = portal?.id ?? 1
    await db.updateTable('portal').set({ time_zone_offset: OFFSET }).where('id', '=', portalId).execute()

    const extranet = await createUser(
      t.app.store,
      db,
      portalId,
      { name: 'Ext', userType: 'extranet' },
      TEST_START_MS,
    )
    const extranetId = extranet.id
    const { code } = await createWebhook(db, { portalId, userId: extranetId, scopes: ['crm'] }, TEST_START_MS)
    extranetPrefix = `/rest/${extranetId}/${code}/`

    // A smart process whose items can be children of... deals' parents: deals get `parentId1032`.
    const record = await createType(
      t.app.store,
      db,
      portalId,
      {
        entityTypeId: SPA,
        title: 'HR',
        code: '',
        flags: {
          ...SMART_PROCESS_DEFAULT_FLAGS,
          isStagesEnabled: true,
          isClientEnabled: true,
          isCategoriesEnabled: true,
        },
        relations: { parent: [], child: [{ entityTypeId: 2, isChildrenListEnabled: true }] },
        linkedUserFields: {},
        customSectionId: null,
        userId: 1,
      },
      TEST_START_MS,
    )
    spaType = dynamicTypeDescriptor(record.settings)
    spaCategory = (await defaultCategory(db, portalId, SPA))?.id ?? -1

    for (const lead of MODEL) {
      await seed(LEAD, lead.id, (item) => {
        Object.assign(item.values, {
          title: lead.title,
          name: lead.name,
          lastName: lead.lastName,
          stageId: lead.stageId,
          stageSemanticId: 'P',
          sourceId: lead.sourceId,
          assignedById: lead.assignedById,
          opportunity: lead.opportunity,
          currencyId: 'USD',
          isManualOpportunity: lead.isManualOpportunity,
          createdTime: storedInstant(lead.createdMs),
          birthdate: lead.birthdate,
          fm: lead.phone === null ? [] : [{ id: 0, typeId: 'PHONE', valueType: 'WORK', value: lead.phone }],
        })
      })
    }

    await seed(COMPANY, 1, (item) => {
      item.values['title'] = 'Company one'
      item.values['fm'] = [{ id: 0, typeId: 'EMAIL', valueType: 'WORK', value: 'one@example.com' }]
    })
    await seed(COMPANY, 2, (item) => {
      item.values['title'] = 'Company two'
    })
    await seed(CONTACT, 1, (item) => {
      Object.assign(item.values, {
        name: 'Klaus',
        lastName: 'Weber',
        companyIds: [2, 1],
        birthdate: '1980-05-06',
      })
      item.values['fm'] = [
        { id: 0, typeId: 'EMAIL', valueType: 'HOME', value: 'klaus@example.com' },
        { id: 0, typeId: 'PHONE', valueType: 'MOBILE', value: '+49301111' },
      ]
    })
    await seed(CONTACT, 2, (item) => {
      Object.assign(item.values, { name: 'Anna', lastName: 'Schmidt', companyIds: [1] })
    })
    await seed(DEAL, 1, (item) => {
      Object.assign(item.values, {
        title: 'Deal one',
        categoryId: 0,
        stageId: 'NEW',
        opportunity: 999.99,
        companyId: 1,
        contactIds: [1, 2],
        contactId: 1,
        observers: [3, 1],
        begindate: '2024-06-18',
      })
      item.parents[SPA] = 1
    })
    await seed(DEAL, 2, (item) => {
      Object.assign(item.values, {
        title: 'Deal two',
        categoryId: 0,
        stageId: 'WON',
        contactIds: [2],
        observers: [],
      })
      item.parents[SPA] = 2
    })
    await seed(DEAL, 3, (item) => {
      Object.assign(item.values, { title: 'Deal three', categoryId: 0, stageId: 'NEW' })
    })
    await seed(spaType, 1, (item) => {
      Object.assign(item.values, {
        title: 'Hire',
        categoryId: spaCategory,
        stageId: `DT${SPA}_${spaCategory}:NEW`,
        contactIds: [1],
      })
    })
    await seed(spaType, 2, (item) => {
      Object.assign(item.values, {
        title: 'Fire',
        categoryId: spaCategory,
        stageId: `DT${SPA}_${spaCategory}:NEW`,
      })
    })
  })

  afterAll(async () => {
    await t.close()
  })

  async function ok(
    method: string,
    params: Record<string, unknown>,
    options: Parameters<TestApp['call']>[2] = {},
  ) {
    const response = await t.call(method, params, options)
    expect(response.status, JSON.stringify(response.body)).toBe(200)
    return response.body
  }

  async function list(params: Record<string, unknown>) {
    const body = await ok('crm.item.list', params)
    const result = body['result'] as { items: Record<string, unknown>[] }
    return { body, items: result.items, ids: result.items.map((i) => i['id'] as number) }
  }

  async function fails(
    method: string,
    params: Record<string, unknown>,
    status: number,
    error: unknown,
    text?: string,
  ) {
    const response = await t.call(method, params)
    expect(response.status, JSON.stringify(response.body)).toBe(status)
    expect(response.body['error']).toBe(error)
    if (text !== undefined) expect(response.body['error_description']).toBe(text)
    return response.body
  }

  // -------------------------------------------------------------------------------------------------------
  // crm.item.get
  // -------------------------------------------------------------------------------------------------------

  describe('crm.item.get', () => {
    it('returns a lead in the documented shape, dates at the portal offset', async () => {
      const body = await ok('crm.item.get', { entityTypeId: 1, id: 30, useOriginalUfNames: 'N' })
      const item = (body['result'] as { item: Record<string, unknown> }).item
      expect(Object.keys(body['result'] as object)).toEqual(['item'])
      expect(Object.keys(item)).toEqual(itemOutputKeys(LEAD))
      const lead = MODEL[29] as ModelLead
      expect(item).toMatchObject({
        id: 30,
        createdTime: '2026-01-16T18:00:00+02:00',
        updatedTime: '2026-01-15T12:00:00+02:00',
        dateCreateShort: null,
        assignedById: lead.assignedById,
        opened: 'Y',
        companyId: 0,
        contactId: 0,
        stageId: lead.stageId,
        opportunity: 3000.5,
        isManualOpportunity: 'Y',
        title: 'Lead #30',
        name: lead.name,
        lastName: lead.lastName,
        birthdate: '2000-01-03T02:00:00+02:00',
        hasPhone: 'Y',
        hasEmail: 'N',
        phone: '+49300030',
        phoneWork: '+49300030',
        phoneMobile: '',
        email: '',
        skype: null,
        observers: [],
        contactIds: [],
        entityTypeId: 1,
      })
      expect(item['fm']).toEqual([
        { id: expect.any(Number), valueType: 'WORK', value: '+49300030', typeId: 'PHONE' },
      ])
    })

    it('returns a deal with its bindings, observers and parent field', async () => {
      const body = await ok('crm.item.get', { entityTypeId: 2, id: 1 })
      const item = (body['result'] as { item: Record<string, unknown> }).item
      expect(Object.keys(item)).toEqual(itemOutputKeys(DEAL, { parentFieldKeys: [`parentId${SPA}`] }))
      expect(item).toMatchObject({
        id: 1,
        companyId: 1,
        contactId: 1,
        contactIds: [1, 2],
        observers: [3, 1],
        opportunity: 999.99,
        begindate: '2024-06-18T02:00:00+02:00',
        [`parentId${SPA}`]: 1,
        leadId: null,
        entityTypeId: 2,
      })
      const three = (await ok('crm.item.get', { entityTypeId: 2, id: 3 }))['result'] as {
        item: Record<string, unknown>
      }
      expect(three.item[`parentId${SPA}`]).toBeNull()
      expect(three.item['contactId']).toBe(0)
    })

    it('returns contacts and companies with both sides of their binding', async () => {
      const contact = (
        (await ok('crm.item.get', { entityTypeId: 3, id: 1 }))['result'] as { item: Record<string, unknown> }
      ).item
      expect(Object.keys(contact)).toEqual(itemOutputKeys(CONTACT))
      expect(contact).toMatchObject({
        companyIds: [2, 1],
        companyId: 2,
        emailHome: 'klaus@example.com',
        email: 'klaus@example.com',
        phoneMobile: '+49301111',
        hasEmail: 'Y',
        hasPhone: 'Y',
        birthdate: '1980-05-06T02:00:00+02:00',
      })
      const company = (
        (await ok('crm.item.get', { entityTypeId: 4, id: 1 }))['result'] as { item: Record<string, unknown> }
      ).item
      expect(company).toMatchObject({ contactIds: [1, 2], emailWork: 'one@example.com', hasEmail: 'Y' })
    })

    it('returns a smart-process item shaped by its toggles', async () => {
      const item = (
        (await ok('crm.item.get', { entityTypeId: SPA, id: 1 }))['result'] as {
          item: Record<string, unknown>
        }
      ).item
      expect(Object.keys(item)).toEqual(itemOutputKeys(spaType))
      expect(item).toMatchObject({
        title: 'Hire',
        stageId: `DT${SPA}_${spaCategory}:NEW`,
        contactIds: [1],
        contactId: 1,
        entityTypeId: SPA,
      })
      expect('begindate' in item).toBe(false)
    })

    it('reads its parameters from form and query strings', async () => {
      for (const via of ['form', 'get'] as const) {
        const body = await ok('crm.item.get', { entityTypeId: '2', id: '2' }, { via })
        expect((body['result'] as { item: { title: string } }).item.title).toBe('Deal two')
      }
    })

    it('answers the documented errors', async () => {
      await fails('crm.item.get', { entityTypeId: 1, id: 999 }, 400, 'NOT_FOUND', 'Item not found')
      await fails('crm.item.get', { entityTypeId: 1, id: 'abc' }, 400, 'NOT_FOUND', 'Item not found')
      await fails('crm.item.get', { entityTypeId: 999, id: 1 }, 400, 'NOT_FOUND', 'Smart process not found')
      await fails('crm.item.get', { entityTypeId: 1040, id: 1 }, 400, 'NOT_FOUND', 'Smart process not found')
      await fails(
        'crm.item.get',
        { entityTypeId: 5, id: 1 },
        400,
        'ENTITY_TYPE_NOT_SUPPORTED',
        'Entity type INVOICE is not supported',
      )
      await fails('crm.item.get', { entityTypeId: 1 }, 400, '100', 'Could not find value for parameter {id}')
      await fails('crm.item.get', { id: 1 }, 400, '100', 'Could not find value for parameter {entityTypeId}')
    })

    it('refuses extranet users', async () => {
      const response = await t.call('crm.item.get', { entityTypeId: 1, id: 1 }, { prefix: extranetPrefix })
      expect(response.status).toBe(403)
      expect(response.body).toMatchObject({
        error: 'allowed_only_intranet_user',
        error_description: 'Action is allowed only for intranet users',
      })
    })
  })

  // -------------------------------------------------------------------------------------------------------
  // crm.item.list
  // -------------------------------------------------------------------------------------------------------

  describe('crm.item.list', () => {
    it('pages by 50 with total and next; start -1 skips the count', async () => {
      const first = await list({ entityTypeId: 1 })
      expect(first.ids).toEqual(ids(MODEL.slice(0, 50)))
      expect(first.body['total']).toBe(120)
      expect(first.body['next']).toBe(50)
      // Without select: whole items, fm and entityTypeId included.
      expect(Object.keys(first.items[0] as object)).toEqual(itemOutputKeys(LEAD))

      const second = await list({ entityTypeId: 1, start: 50 })
      expect(second.ids).toEqual(ids(MODEL.slice(50, 100)))
      expect(second.body['next']).toBe(100)
      const third = await list({ entityTypeId: 1, start: 100 })
      expect(third.ids).toEqual(ids(MODEL.slice(100)))
      expect(third.body['total']).toBe(120)
      expect('next' in third.body).toBe(false)
      const beyond = await list({ entityTypeId: 1, start: 150 })
      expect(beyond.ids).toEqual([])
      expect(beyond.body['total']).toBe(120)

      const noCount = await list({ entityTypeId: 1, start: -1 })
      expect(noCount.ids).toEqual(ids(MODEL.slice(0, 50)))
      expect('total' in noCount.body).toBe(false)
      expect('next' in noCount.body).toBe(false)
    })

    it('pages by keyset: order by id, `>id`, start -1', async () => {
      const seen: number[] = []
      let last = 0
      for (;;) {
        const page = await list({
          entityTypeId: 1,
          select: ['id'],
          order: { id: 'ASC' },
          filter: { '>id': last },
          start: -1,
        })
        if (page.ids.length === 0) break
        seen.push(...page.ids)
        last = page.ids.at(-1) as number
      }
      expect(seen).toEqual(ids(MODEL))
    })

    const FILTERS: Array<[string, Record<string, unknown>, (l: ModelLead) => boolean]> = [
      ['= (no prefix)', { stageId: 'NEW' }, (l) => l.stageId === 'NEW'],
      ['= with an UPPER key', { STAGE_ID: 'NEW' }, (l) => l.stageId === 'NEW'],
      ['=', { '=sourceId': 'WEB' }, (l) => l.sourceId === 'WEB'],
      ['!=', { '!=stageId': 'NEW' }, (l) => l.stageId !== 'NEW'],
      ['!', { '!stageId': 'NEW' }, (l) => l.stageId !== 'NEW'],
      ['@', { '@stageId': ['NEW', 'CONVERTED'] }, (l) => l.stageId !== 'IN_PROCESS'],
      ['!@', { '!@stageId': ['NEW', 'CONVERTED'] }, (l) => l.stageId === 'IN_PROCESS'],
      ['= with an array', { assignedById: [6] }, (l) => l.assignedById === 6],
      ['>', { '>opportunity': 5000.5 }, (l) => l.opportunity > 5000.5],
      ['>=', { '>=opportunity': 5000.5 }, (l) => l.opportunity >= 5000.5],
      ['<', { '<id': 10 }, (l) => l.id < 10],
      ['<=', { '<=id': 10 }, (l) => l.id <= 10],
      ['><', { '><opportunity': [1000, 2000] }, (l) => l.opportunity >= 1000 && l.opportunity <= 2000],
      ['!><', { '!><id': [2, 119] }, (l) => l.id < 2 || l.id > 119],
      ['%', { '%title': '#1' }, (l) => l.title.includes('#1')],
      ['!%', { '!%title': '#1' }, (l) => !l.title.includes('#1')],
      [
        '=% (starts with)',
        { '=%lastName': 'last01%' },
        (l) => (l.lastName ?? '').toLowerCase().startsWith('last01'),
      ],
      ['%= (ends with)', { '%=title': '%5' }, (l) => l.title.endsWith('5')],
      ['!=%', { '!=%name': 'An%' }, (l) => !l.name.startsWith('An')],
      ['!%=', { '!%=name': '%s' }, (l) => !l.name.endsWith('s')],
      ['empty', { lastName: '' }, (l) => l.lastName === null],
      ['not empty', { '!=lastName': '' }, (l) => l.lastName !== null],
      ['boolean Y', { isManualOpportunity: 'Y' }, (l) => l.isManualOpportunity],
      ['boolean 0', { isManualOpportunity: 0 }, (l) => !l.isManualOpportunity],
      ['derived boolean', { hasPhone: 'Y' }, (l) => l.phone !== null],
      [
        'datetime range with offsets',
        { '>=createdTime': '2026-01-17T00:00:00+02:00', '<createdTime': '2026-01-18T00:00:00+02:00' },
        (l) => l.createdMs >= Date.UTC(2026, 0, 16, 22) && l.createdMs < Date.UTC(2026, 0, 17, 22),
      ],
      ['date', { birthdate: '2000-01-03' }, (l) => l.birthdate === '2000-01-03'],
      [
        'date in ISO form',
        { '>=birthdate': '2000-01-20T10:00:00+02:00' },
        (l) => (l.birthdate ?? '') >= '2000-01-20',
      ],
      [
        'OR group (the crm-item-list.md example)',
        {
          0: { logic: 'OR', 0: { '!=name': 'Anna' }, 1: { '!=lastName': '' } },
          '@stageId': ['NEW', 'IN_PROCESS'],
          '@sourceId': ['WEB', 'ADVERTISING'],
          '@assignedById': [1, 6],
          '>=opportunity': 500,
          '<=opportunity': 9000,
          isManualOpportunity: 'Y',
        },
        (l) =>
          (l.name !== 'Anna' || l.lastName !== null) &&
          l.stageId !== 'CONVERTED' &&
          l.opportunity >= 500 &&
          l.opportunity <= 9000 &&
          l.isManualOpportunity,
      ],
      [
        'nested OR inside AND inside OR',
        {
          logic: 'OR',
          0: { stageId: 'NEW', '<id': 10 },
          1: { logic: 'AND', 0: { '>id': 115 }, 1: { sourceId: 'WEB' } },
        },
        (l) => (l.stageId === 'NEW' && l.id < 10) || (l.id > 115 && l.sourceId === 'WEB'),
      ],
    ]

    it.each(FILTERS)('filters with %s', async (_label, filter, predicate) => {
      const expected = ids(MODEL.filter(predicate))
      // Every case selects some leads and leaves out others, so a filter that is ignored would fail.
      expect(expected.length).toBeGreaterThan(0)
      expect(expected.length).toBeLessThan(MODEL.length)
      const page = await list({ entityTypeId: 1, filter, select: ['id'], start: -1 })
      expect(page.ids).toEqual(expected.slice(0, 50))
      const counted = await list({ entityTypeId: 1, filter, select: ['id'] })
      expect(counted.body['total']).toBe(expected.length)
    })

    it('filters deals by observers, contacts, the primary contact and the parent', async () => {
      const dealIds = async (filter: Record<string, unknown>) =>
        (await list({ entityTypeId: 2, filter, select: ['id'] })).ids
      expect(await dealIds({ observers: 3 })).toEqual([1])
      expect(await dealIds({ '!observers': 3 })).toEqual([2, 3])
      expect(await dealIds({ '@contactIds': [2] })).toEqual([1, 2])
      expect(await dealIds({ contactIds: '' })).toEqual([3])
      expect(await dealIds({ contactId: 2 })).toEqual([2])
      expect(await dealIds({ CONTACT_ID: 1 })).toEqual([1])
      expect(await dealIds({ [`parentId${SPA}`]: 2 })).toEqual([2])
      expect(await dealIds({ [`PARENT_ID_${SPA}`]: '' })).toEqual([3])
      expect(await dealIds({ '@stageId': ['WON'], companyId: '' })).toEqual([2])
      expect(
        await (async () =>
          (await list({ entityTypeId: 3, filter: { companyIds: 1 }, select: ['id'] })).ids)(),
      ).toEqual([1, 2])
      expect((await list({ entityTypeId: 3, filter: { companyId: 2 }, select: ['id'] })).ids).toEqual([1])
      expect((await list({ entityTypeId: 4, filter: { contactIds: 2 }, select: ['id'] })).ids).toEqual([1])
    })

    it('orders by one or more fields, NULLs first ascending', async () => {
      const byOpportunity = await list({
        entityTypeId: 1,
        order: { opportunity: 'DESC' },
        select: ['id'],
        start: -1,
      })
      expect(byOpportunity.ids).toEqual(ids([...MODEL].reverse().slice(0, 50)))
      const byName = await list({
        entityTypeId: 1,
        order: { lastName: 'asc', NAME: 'ASC' },
        select: ['id'],
        start: -1,
      })
      const expected = [...MODEL]
        .sort((a, b) => {
          const la = a.lastName ?? ''
          const lb = b.lastName ?? ''
          if (la !== lb) return la < lb ? -1 : 1
          if (a.name !== b.name) return a.name < b.name ? -1 : 1
          return a.id - b.id
        })
        .slice(0, 50)
      expect(byName.ids).toEqual(ids(expected))
      const byParent = await list({ entityTypeId: 2, order: { [`parentId${SPA}`]: 'DESC' }, select: ['id'] })
      expect(byParent.ids).toEqual([2, 1, 3])
    })

    it('outputs only the selected fields, id always, in item order', async () => {
      const page = await list({
        entityTypeId: 1,
        select: ['title', 'LAST_NAME', 'name', 'stageId', 'isManualOpportunity', 'fm', 'nope'],
        filter: { '@id': [5, 6] },
      })
      expect(page.items).toEqual([
        {
          id: 5,
          stageId: 'CONVERTED',
          title: 'Lead #5',
          name: 'Klaus',
          lastName: 'Last125',
          isManualOpportunity: 'Y',
        },
        {
          id: 6,
          stageId: 'NEW',
          title: 'Lead #6',
          name: 'Anna',
          lastName: 'Last124',
          isManualOpportunity: 'N',
        },
      ])
      const withStar = await list({ entityTypeId: 1, select: ['*'], filter: { id: 6 } })
      expect(withStar.items[0]?.['fm']).toEqual([
        { id: expect.any(Number), valueType: 'WORK', value: '+49300006', typeId: 'PHONE' },
      ])
      expect(withStar.items[0]?.['entityTypeId']).toBe(1)
      const aliases = await list({ entityTypeId: 1, select: ['phone', 'observers'], filter: { id: 6 } })
      expect(aliases.items).toEqual([{ id: 6, phone: '+49300006', observers: [] }])
      const deals = await list({ entityTypeId: 2, select: ['contactId', 'contactIds', `parentId${SPA}`] })
      expect(deals.items).toEqual([
        { id: 1, contactId: 1, [`parentId${SPA}`]: 1, contactIds: [1, 2] },
        { id: 2, contactId: 2, [`parentId${SPA}`]: 2, contactIds: [2] },
        { id: 3, contactId: 0, [`parentId${SPA}`]: null, contactIds: [] },
      ])
    })

    it('lists smart-process items', async () => {
      const page = await list({ entityTypeId: SPA, filter: { '%title': 'ire' }, order: { id: 'DESC' } })
      expect(page.ids).toEqual([2, 1])
      expect(page.items[0]?.['entityTypeId']).toBe(SPA)
    })

    it('answers INVALID_ARG_VALUE for bad filters and orders', async () => {
      await fails(
        'crm.item.list',
        { entityTypeId: 1, filter: { foo: 1 } },
        400,
        'INVALID_ARG_VALUE',
        "Invalid filter: field 'FOO' is not allowed in filter",
      )
      await fails(
        'crm.item.list',
        { entityTypeId: 1, filter: { fm: '1' } },
        400,
        'INVALID_ARG_VALUE',
        "Invalid filter: field 'FM' is not allowed in filter",
      )
      await fails(
        'crm.item.list',
        { entityTypeId: 1, filter: { '>opportunity': 'abc' } },
        400,
        'INVALID_ARG_VALUE',
        "Invalid filter: field 'OPPORTUNITY' has invalid value",
      )
      await fails(
        'crm.item.list',
        { entityTypeId: 1, filter: { createdTime: 'yesterday' } },
        400,
        'INVALID_ARG_VALUE',
        "Invalid filter: field 'CREATED_TIME' has invalid value",
      )
      await fails(
        'crm.item.list',
        { entityTypeId: 1, order: { id: 'UP' } },
        400,
        'INVALID_ARG_VALUE',
        "Invalid order: allowed sort directions are ASC, DESC. But got 'UP' for field 'ID'",
      )
      await fails(
        'crm.item.list',
        { entityTypeId: 1, order: { observers: 'ASC' } },
        400,
        'INVALID_ARG_VALUE',
        "Invalid order: field 'OBSERVERS' is not allowed in order",
      )
      await fails('crm.item.list', { entityTypeId: 77 }, 400, 'NOT_FOUND', 'Smart process not found')
      const response = await t.call('crm.item.list', { entityTypeId: 1 }, { prefix: extranetPrefix })
      expect(response.status).toBe(403)
    })

    it('never lets SQL-looking keys or values reach SQL', async () => {
      for (const key of ['id; DROP TABLE crm_item; --', 'id) OR (1=1', '"id"', 'crm_item.id', 'ID--']) {
        await fails('crm.item.list', { entityTypeId: 1, filter: { [key]: 1 } }, 400, 'INVALID_ARG_VALUE')
        await fails('crm.item.list', { entityTypeId: 1, order: { [key]: 'ASC' } }, 400, 'INVALID_ARG_VALUE')
      }
      const page = await list({
        entityTypeId: 1,
        filter: { title: "x' OR '1'='1" },
        select: ['id; DROP TABLE crm_item'],
      })
      expect(page.ids).toEqual([])
      expect((await list({ entityTypeId: 1 })).body['total']).toBe(120)
    })
  })

  // -------------------------------------------------------------------------------------------------------
  // crm.item.fields
  // -------------------------------------------------------------------------------------------------------

  describe('crm.item.fields', () => {
    it('describes system fields, the stage dictionary of the default funnel and parent fields', async () => {
      const lead = (
        (await ok('crm.item.fields', { entityTypeId: 1 }))['result'] as {
          fields: Record<string, Record<string, unknown>>
        }
      ).fields
      expect(lead['title']).toMatchObject({ type: 'string', title: 'Lead Name', upperName: 'TITLE' })
      expect(lead['stageId']).toMatchObject({ type: 'crm_status', statusType: 'STATUS' })
      expect('phoneWork' in lead).toBe(false)
      const deal = (
        (await ok('crm.item.fields', { entityTypeId: 2 }))['result'] as {
          fields: Record<string, Record<string, unknown>>
        }
      ).fields
      expect(deal['stageId']).toMatchObject({ statusType: 'DEAL_STAGE' })
      expect(deal[`parentId${SPA}`]).toEqual({
        type: 'crm_entity',
        isRequired: false,
        isReadOnly: false,
        isImmutable: false,
        isMultiple: false,
        isDynamic: false,
        title: 'HR',
        settings: { parentEntityTypeId: SPA },
        upperName: `PARENT_ID_${SPA}`,
      })
      expect(Object.keys(deal).at(-1)).toBe(`parentId${SPA}`)
      const spa = (
        (await ok('crm.item.fields', { entityTypeId: SPA, useOriginalUfNames: 'Y' }))['result'] as {
          fields: Record<string, Record<string, unknown>>
        }
      ).fields
      expect(spaCategory).toBeGreaterThan(0)
      expect(spa['stageId']).toMatchObject({ statusType: `DYNAMIC_${SPA}_STAGE_${spaCategory}` })
      expect('begindate' in spa).toBe(false)
    })

    it('answers the documented errors', async () => {
      await fails('crm.item.fields', { entityTypeId: 1050 }, 400, 'NOT_FOUND', 'Smart process not found')
      await fails('crm.item.fields', {}, 400, '100', 'Could not find value for parameter {entityTypeId}')
      const response = await t.call('crm.item.fields', { entityTypeId: 1 }, { prefix: extranetPrefix })
      expect(response.status).toBe(403)
    })
  })

  // -------------------------------------------------------------------------------------------------------
  // crm.item.delete (last: it changes the data)
  // -------------------------------------------------------------------------------------------------------

  describe('crm.item.delete', () => {
    it('refuses extranet users and unknown items', async () => {
      const response = await t.call('crm.item.delete', { entityTypeId: 2, id: 3 }, { prefix: extranetPrefix })
      expect(response.status).toBe(403)
      await fails('crm.item.delete', { entityTypeId: 2, id: 99 }, 400, 'NOT_FOUND', 'Item not found')
      await fails('crm.item.delete', { entityTypeId: 5, id: 1 }, 400, 'ENTITY_TYPE_NOT_SUPPORTED')
    })

    it('deletes an item, answers [] and writes the outbox row in the same transaction', async () => {
      const body = await ok('crm.item.delete', { entityTypeId: 2, id: 3 })
      expect(body['result']).toEqual([])
      await fails('crm.item.get', { entityTypeId: 2, id: 3 }, 400, 'NOT_FOUND', 'Item not found')
      await fails('crm.item.delete', { entityTypeId: 2, id: 3 }, 400, 'NOT_FOUND', 'Item not found')
      const rows = await db.selectFrom('outbox').selectAll().where('topic', '=', 'crm.item.deleted').execute()
      expect(rows).toHaveLength(1)
      expect(JSON.parse(rows[0]?.payload ?? '{}')).toEqual({
        entityTypeId: 2,
        id: 3,
        eventNames: ['ONCRMDEALDELETE'],
        userId: 1,
      })
    })

    it('removes the bindings to a deleted contact and promotes the next primary', async () => {
      await ok('crm.item.delete', { entityTypeId: 3, id: 1 })
      const deal = (
        (await ok('crm.item.get', { entityTypeId: 2, id: 1 }))['result'] as { item: Record<string, unknown> }
      ).item
      expect(deal['contactIds']).toEqual([2])
      expect(deal['contactId']).toBe(2)
      const spaItem = (
        (await ok('crm.item.get', { entityTypeId: SPA, id: 1 }))['result'] as {
          item: Record<string, unknown>
        }
      ).item
      expect(spaItem['contactIds']).toEqual([])
      expect(spaItem['contactId']).toBe(0)
      const company = (
        (await ok('crm.item.get', { entityTypeId: 4, id: 1 }))['result'] as { item: Record<string, unknown> }
      ).item
      expect(company['contactIds']).toEqual([2])
    })

    it('reads back items written by crm.item.add', async () => {
      const added = await ok('crm.item.add', {
        entityTypeId: 3,
        fields: {
          name: 'Added',
          lastName: 'ThroughRest',
          companyIds: [2],
          fm: [{ typeId: 'EMAIL', valueType: 'WORK', value: 'added@example.com' }],
        },
      })
      const created = (added['result'] as { item: Record<string, unknown> }).item
      expect(created['id']).toBe(3)
      const got = (
        (await ok('crm.item.get', { entityTypeId: 3, id: 3 }))['result'] as { item: Record<string, unknown> }
      ).item
      expect(got).toEqual(created)
      expect(got).toMatchObject({
        name: 'Added',
        companyId: 2,
        companyIds: [2],
        hasEmail: 'Y',
        emailWork: 'added@example.com',
      })
      const page = await list({
        entityTypeId: 3,
        filter: { hasEmail: 'Y', '%lastName': 'rest' },
        select: ['*'],
      })
      expect(page.items).toEqual([created])
    })

    it('removes the relations of a deleted parent', async () => {
      await ok('crm.item.delete', { entityTypeId: SPA, id: 2 })
      const deal = (
        (await ok('crm.item.get', { entityTypeId: 2, id: 2 }))['result'] as { item: Record<string, unknown> }
      ).item
      expect(deal[`parentId${SPA}`]).toBeNull()
    })
  })
})

// ---------------------------------------------------------------------------------------------------------
// Scale: a filtered, ordered page is served from an index (SQLite; PostgreSQL plans depend on statistics)
// ---------------------------------------------------------------------------------------------------------

describe('crm.item.list at scale on sqlite', () => {
  let t: TestApp

  beforeAll(async () => {
    t = await createTestApp({ store: 'sqlite' })
    const stages = ['NEW', 'PREPARATION', 'EXECUTING', 'WON', 'LOSE']
    await t.app.store.transaction(async (tx) => {
      const batch: Record<string, unknown>[] = []
      const flush = async () => {
        if (batch.length === 0) return
        await tx
          .insertInto('crm_item')
          .values(batch as never)
          .execute()
        batch.length = 0
      }
      for (let id = 1; id <= 100_000; id++) {
        batch.push({
          portal_id: 1,
          entity_type_id: 2,
          id,
          title: `Deal #${id}`,
          stage_id: stages[id % 5],
          category_id: 0,
          assigned_by_id: (id % 7) + 1,
          opportunity: id,
          created_time: storedInstant(TEST_START_MS + id * 1000),
          uf: '{}',
        })
        if (batch.length === 1000) await flush()
      }
      await flush()
    })
  }, 120_000)

  afterAll(async () => {
    await t.close()
  })

  it('uses an index for a stage filter ordered by id (no full scan, no sort)', async () => {
    const db = t.app.store.db
    const fields = itemListFieldMap(DEAL)
    const filter = parseFilter({ stageId: 'WON' }, fields, {
      keyCase: (n) => DEAL.fieldIndex.find(n)?.upperName ?? n,
      onUnknownField: 'error',
      allowOr: true,
    })
    const query = applyOrder(
      applyFilter(itemListBaseQuery(db, 1, DEAL), filter, fields),
      [{ field: 'ID', direction: 'asc' }],
      fields,
    )
      .limit(50)
      .offset(50)
      .compile()
    const plan = await db.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]),
    )
    const details = plan.rows.map((r) => r.detail).join('\n')
    // e.g. "SEARCH crm_item USING INDEX crm_item_by_stage_id (portal_id=? AND entity_type_id=? AND stage_id=?)"
    expect(details).toMatch(/USING (COVERING )?INDEX crm_item_by_stage_id/)
    expect(details).not.toMatch(/SCAN crm_item(?! USING)/)
    expect(details).not.toMatch(/TEMP B-TREE/)

    const started = performance.now()
    const response = await t.call('crm.item.list', {
      entityTypeId: 2,
      filter: { stageId: 'WON' },
      select: ['id'],
      start: 50,
    })
    const elapsed = performance.now() - started
    expect(response.status).toBe(200)
    expect(response.body['total']).toBe(20_000)
    expect((response.body['result'] as { items: { id: number }[] }).items[0]?.id).toBe(253)
    expect(elapsed).toBeLessThan(2000)
  })
})
