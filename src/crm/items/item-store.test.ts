import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely'
import { STORE_KINDS, openTestStore } from '../../../test/helpers/test-store.js'
import type { Store } from '../../store/store.js'
import type { Db } from '../../store/schema.js'
import { ITEM_COLUMNS } from '../../store/migrations/0002-crm.js'
import { LEGACY_ITEM_COLUMNS } from '../../store/migrations/0005-legacy.js'
import { BUILT_IN_ENTITY_TYPES } from '../entity-types/registry.js'
import { LEAD } from '../entity-types/lead.js'
import { DEAL } from '../entity-types/deal.js'
import { CONTACT } from '../entity-types/contact.js'
import { COMPANY } from '../entity-types/company.js'
import { QUOTE } from '../entity-types/quote.js'
import { dynamicTypeDescriptor, SMART_PROCESS_DEFAULT_FLAGS } from '../entity-types/dynamic.js'
import type { EntityTypeDescriptor } from '../entity-types/entity-type.js'
import type { FieldDescriptor } from '../entity-types/field.js'
import {
  deleteItem,
  emptyItem,
  insertItem,
  loadItem,
  loadItems,
  multifieldFlags,
  nextItemId,
  saveItem,
} from './item-store.js'
import type { Item } from './item.js'

const FULL_SMART_PROCESS = dynamicTypeDescriptor({
  ...SMART_PROCESS_DEFAULT_FLAGS,
  id: 3,
  entityTypeId: 1036,
  title: 'Everything',
  isCategoriesEnabled: true,
  isStagesEnabled: true,
  isBeginCloseDatesEnabled: true,
  isClientEnabled: true,
  isLinkWithProductsEnabled: true,
  isMycompanyEnabled: true,
  isSourceEnabled: true,
  isObserversEnabled: true,
})
const ALL_TYPES: EntityTypeDescriptor[] = [...BUILT_IN_ENTITY_TYPES, FULL_SMART_PROCESS]

/** A value of the field's domain form, different per field. */
function sampleValue(field: FieldDescriptor, seed: number): unknown {
  switch (field.type) {
    case 'boolean':
      return seed % 2 === 0
    case 'double':
      return seed + 0.5
    case 'date':
      return `2024-01-${String((seed % 27) + 1).padStart(2, '0')}`
    case 'datetime':
      return `2024-02-03T04:05:${String(seed % 60).padStart(2, '0')}Z`
    case 'string':
    case 'text':
    case 'crm_status':
    case 'crm_currency':
    case 'crm_entity':
      return `${field.name}-${seed}`
    default:
      return seed + 1
  }
}

/** An item with a value in every column field (the derived has* flags excepted). */
function fullItem(type: EntityTypeDescriptor, id: number): Item {
  const item = emptyItem(type, id)
  type.fields.forEach((field, i) => {
    if (field.storage.kind !== 'column' || field.name === 'id') return
    if (field.rule === 'hasPhone' || field.rule === 'hasEmail' || field.rule === 'hasImol') return
    item.values[field.name] = sampleValue(field, i)
  })
  return item
}

/** Counts the statements a block runs. */
function countingDb(db: Db): { db: Db; count: () => number } {
  let n = 0
  const plugin: KyselyPlugin = {
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      n++
      return args.node
    },
    transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      return Promise.resolve(args.result)
    },
  }
  return { db: db.withPlugin(plugin), count: () => n }
}

it('every column a descriptor stores in exists in crm_item', () => {
  for (const type of ALL_TYPES) {
    for (const field of type.fields) {
      if (field.storage.kind === 'column' && field.name !== 'id') {
        const stored = field.storage.column in ITEM_COLUMNS || field.storage.column in LEGACY_ITEM_COLUMNS
        expect([type.name, stored]).toEqual([type.name, true])
      }
      if (field.storage.kind === 'jsonColumn') expect(field.storage.column in ITEM_COLUMNS).toBe(true)
    }
  }
})

it('derives hasPhone/hasEmail/hasImol from fm', () => {
  expect(multifieldFlags([])).toEqual({ hasPhone: false, hasEmail: false, hasImol: false })
  expect(
    multifieldFlags([
      { id: 1, typeId: 'PHONE', valueType: 'WORK', value: '1' },
      { id: 2, typeId: 'IM', valueType: 'TELEGRAM', value: 'x' },
    ]),
  ).toEqual({ hasPhone: true, hasEmail: false, hasImol: false })
  expect(multifieldFlags([{ id: 2, typeId: 'IM', valueType: 'IMOL', value: 'imol|1' }]).hasImol).toBe(true)
})

describe.each(STORE_KINDS)('item store on %s', (kind) => {
  let store: Store
  const P = 1
  beforeEach(async () => {
    store = await openTestStore(kind)
  })
  afterEach(async () => {
    await store.close()
  })

  it('round-trips every column field of every type', async () => {
    for (const type of ALL_TYPES) {
      const item = fullItem(type, 10)
      await insertItem(store.db, P, type, item)
      const loaded = await loadItem(store.db, P, type, 10)
      expect(loaded).toBeDefined()
      for (const [name, value] of Object.entries(item.values)) {
        if (['hasPhone', 'hasEmail', 'hasImol'].includes(name)) continue
        expect([type.name, name, loaded?.values[name]]).toEqual([type.name, name, value])
      }
      expect(loaded?.entityTypeId).toBe(type.entityTypeId)
    }
  })

  it('keeps items of each type and portal apart', async () => {
    await insertItem(store.db, P, LEAD, { ...emptyItem(LEAD, 1), values: { title: 'lead' } })
    await insertItem(store.db, P, DEAL, { ...emptyItem(DEAL, 1), values: { title: 'deal' } })
    await insertItem(store.db, 2, LEAD, { ...emptyItem(LEAD, 1), values: { title: 'other portal' } })
    expect((await loadItem(store.db, P, LEAD, 1))?.values['title']).toBe('lead')
    expect((await loadItem(store.db, P, DEAL, 1))?.values['title']).toBe('deal')
    expect((await loadItem(store.db, 2, LEAD, 1))?.values['title']).toBe('other portal')
    expect(await loadItem(store.db, P, CONTACT, 1)).toBeUndefined()
    expect(await loadItem(store.db, P, LEAD, 0)).toBeUndefined()
  })

  it('numbers items per portal and per type', async () => {
    expect(await nextItemId(store, store.db, P, 2)).toBe(1)
    expect(await nextItemId(store, store.db, P, 2)).toBe(2)
    expect(await nextItemId(store, store.db, P, 1)).toBe(1)
    expect(await nextItemId(store, store.db, 2, 2)).toBe(1)
  })

  it('stores observers and contact bindings in order with the primary contact', async () => {
    const deal = emptyItem(DEAL, 5)
    deal.values['observers'] = [3, 1, 3, 0, 2]
    deal.values['contactIds'] = [7, 4, 9]
    deal.values['contactId'] = 4
    await insertItem(store.db, P, DEAL, deal)
    const loaded = await loadItem(store.db, P, DEAL, 5)
    expect(loaded?.values['observers']).toEqual([3, 1, 2])
    expect(loaded?.values['contactIds']).toEqual([7, 4, 9])
    expect(loaded?.values['contactId']).toBe(4)

    // A primary that is not in the list is bound first; no primary → the first contact.
    const next = structuredClone(loaded) as Item
    next.values['contactIds'] = [8]
    next.values['contactId'] = 6
    await saveItem(store.db, P, DEAL, loaded as Item, next)
    const again = await loadItem(store.db, P, DEAL, 5)
    expect(again?.values['contactIds']).toEqual([6, 8])
    expect(again?.values['contactId']).toBe(6)

    const cleared = structuredClone(again) as Item
    cleared.values['contactIds'] = []
    cleared.values['contactId'] = 0
    cleared.values['observers'] = []
    await saveItem(store.db, P, DEAL, again as Item, cleared)
    const empty = await loadItem(store.db, P, DEAL, 5)
    expect(empty?.values['contactIds']).toEqual([])
    expect(empty?.values['contactId']).toBe(0)
    expect(empty?.values['observers']).toEqual([])
  })

  it('assigns multifield ids, keeps them on save and derives the has* flags', async () => {
    const contact = emptyItem(CONTACT, 1)
    contact.values['fm'] = [
      { id: 0, typeId: 'PHONE', valueType: 'WORK', value: '+1' },
      { id: 0, typeId: 'EMAIL', valueType: 'HOME', value: 'a@example.com' },
    ]
    contact.values['hasPhone'] = false // ignored: derived from fm
    await insertItem(store.db, P, CONTACT, contact)
    const other = emptyItem(LEAD, 1)
    other.values['fm'] = [{ id: 0, typeId: 'IM', valueType: 'IMOL', value: 'imol|x' }]
    await insertItem(store.db, P, LEAD, other)

    const loaded = (await loadItem(store.db, P, CONTACT, 1)) as Item
    expect(loaded.values['fm']).toEqual([
      { id: 1, typeId: 'PHONE', valueType: 'WORK', value: '+1' },
      { id: 2, typeId: 'EMAIL', valueType: 'HOME', value: 'a@example.com' },
    ])
    expect([loaded.values['hasPhone'], loaded.values['hasEmail'], loaded.values['hasImol']]).toEqual([
      true,
      true,
      false,
    ])
    const lead = (await loadItem(store.db, P, LEAD, 1)) as Item
    expect(lead.values['fm']).toEqual([{ id: 3, typeId: 'IM', valueType: 'IMOL', value: 'imol|x' }])
    expect(lead.values['hasImol']).toBe(true)

    const next = structuredClone(loaded)
    next.values['fm'] = [
      { id: 2, typeId: 'EMAIL', valueType: 'WORK', value: 'b@example.com' },
      { id: 99, typeId: 'WEB', valueType: 'WORK', value: 'https://example.com' },
    ]
    await saveItem(store.db, P, CONTACT, loaded, next)
    const saved = (await loadItem(store.db, P, CONTACT, 1)) as Item
    expect(saved.values['fm']).toEqual([
      { id: 2, typeId: 'EMAIL', valueType: 'WORK', value: 'b@example.com' },
      { id: 4, typeId: 'WEB', valueType: 'WORK', value: 'https://example.com' },
    ])
    expect([saved.values['hasPhone'], saved.values['hasEmail']]).toEqual([false, true])
  })

  it('writes nothing when nothing changed, and one UPDATE for changed columns', async () => {
    const deal = fullItem(DEAL, 3)
    deal.values['observers'] = [1]
    await insertItem(store.db, P, DEAL, deal)
    const loaded = (await loadItem(store.db, P, DEAL, 3)) as Item
    const counter = countingDb(store.db)
    await saveItem(counter.db, P, DEAL, loaded, structuredClone(loaded))
    expect(counter.count()).toBe(0)
    const changed = structuredClone(loaded)
    changed.values['title'] = 'New title'
    changed.values['opportunity'] = 10
    await saveItem(counter.db, P, DEAL, loaded, changed)
    expect(counter.count()).toBe(1)
    const saved = (await loadItem(store.db, P, DEAL, 3)) as Item
    expect(saved.values['title']).toBe('New title')
    expect(saved.values['opportunity']).toBe(10)
    expect(saved.values['observers']).toEqual([1])
    expect(saved.values['stageId']).toBe(loaded.values['stageId'])
  })

  it('loads a page of items and their side rows in one statement', async () => {
    for (let id = 1; id <= 50; id++) {
      const deal = emptyItem(DEAL, id)
      deal.values['observers'] = [id, id + 1]
      deal.values['contactIds'] = [id]
      deal.parents[1220] = id
      await insertItem(store.db, P, DEAL, deal)
    }
    const counter = countingDb(store.db)
    const ids = Array.from({ length: 50 }, (_, i) => 50 - i)
    const items = await loadItems(counter.db, P, DEAL, ids)
    // crm_item and every side table (observers, contact bindings, multifields, relations) at once
    expect(counter.count()).toBe(1)
    expect(items.map((i) => i.id)).toEqual(ids)
    expect(items[0]?.values['observers']).toEqual([50, 51])
    expect(items[0]?.values['contactId']).toBe(50)
    expect(items[0]?.parents).toEqual({ 1220: 50 })
  })

  it('binds contacts and companies from either side', async () => {
    const contact = emptyItem(CONTACT, 1)
    contact.values['companyIds'] = [10, 11]
    await insertItem(store.db, P, CONTACT, contact)
    await insertItem(store.db, P, CONTACT, emptyItem(CONTACT, 2))
    const company = emptyItem(COMPANY, 12)
    company.values['contactIds'] = [1, 2]
    await insertItem(store.db, P, COMPANY, company)
    await insertItem(store.db, P, COMPANY, emptyItem(COMPANY, 10))

    const c1 = (await loadItem(store.db, P, CONTACT, 1)) as Item
    expect(c1.values['companyIds']).toEqual([10, 11, 12])
    expect(c1.values['companyId']).toBe(10)
    expect((await loadItem(store.db, P, COMPANY, 12))?.values['contactIds']).toEqual([1, 2])
    expect((await loadItem(store.db, P, COMPANY, 10))?.values['contactIds']).toEqual([1])

    // The company drops contact 1: the contact keeps its other companies and its primary.
    const co = (await loadItem(store.db, P, COMPANY, 12)) as Item
    const next = structuredClone(co)
    next.values['contactIds'] = [2]
    await saveItem(store.db, P, COMPANY, co, next)
    expect((await loadItem(store.db, P, CONTACT, 1))?.values['companyIds']).toEqual([10, 11])
    expect((await loadItem(store.db, P, CONTACT, 2))?.values['companyId']).toBe(12)

    // Deleting the primary company promotes the next one.
    expect(await deleteItem(store.db, P, COMPANY, 10)).toBe(true)
    const after = (await loadItem(store.db, P, CONTACT, 1)) as Item
    expect(after.values['companyIds']).toEqual([11])
    expect(after.values['companyId']).toBe(11)
  })

  it('deletes an item with its side rows and the bindings pointing at it', async () => {
    const contact = emptyItem(CONTACT, 4)
    contact.values['fm'] = [{ id: 0, typeId: 'PHONE', valueType: 'WORK', value: '1' }]
    contact.values['companyIds'] = [9]
    contact.values['observers'] = [1]
    contact.parents[1036] = 3
    await insertItem(store.db, P, CONTACT, contact)
    const deal = emptyItem(DEAL, 1)
    deal.values['contactIds'] = [4, 5]
    deal.values['contactId'] = 4
    await insertItem(store.db, P, DEAL, deal)
    const quote = emptyItem(QUOTE, 1)
    quote.values['contactIds'] = [5, 4]
    quote.parents[4 - 1] = 4 // a child of the contact (parentId3)
    await insertItem(store.db, P, QUOTE, quote)

    expect(await deleteItem(store.db, P, CONTACT, 4)).toBe(true)
    expect(await deleteItem(store.db, P, CONTACT, 4)).toBe(false)
    expect(await loadItem(store.db, P, CONTACT, 4)).toBeUndefined()
    const d = (await loadItem(store.db, P, DEAL, 1)) as Item
    expect(d.values['contactIds']).toEqual([5])
    expect(d.values['contactId']).toBe(5)
    const q = (await loadItem(store.db, P, QUOTE, 1)) as Item
    expect(q.values['contactIds']).toEqual([5])
    expect(q.parents).toEqual({})
    for (const table of ['crm_multifield', 'crm_item_observer', 'crm_contact_company'] as const) {
      const rows = await store.db.selectFrom(table).selectAll().execute()
      expect([table, rows.length]).toEqual([table, 0])
    }
    const relations = await store.db.selectFrom('crm_relation').selectAll().execute()
    expect(relations).toEqual([])
  })

  it('sets and unsets parent relations', async () => {
    const item = emptyItem(DEAL, 1)
    item.parents[1036] = 7
    await insertItem(store.db, P, DEAL, item)
    const loaded = (await loadItem(store.db, P, DEAL, 1)) as Item
    expect(loaded.parents).toEqual({ 1036: 7 })
    const next = structuredClone(loaded)
    next.parents = { 1036: 8, 1: 2 }
    await saveItem(store.db, P, DEAL, loaded, next)
    const moved = (await loadItem(store.db, P, DEAL, 1)) as Item
    expect(moved.parents).toEqual({ 1036: 8, 1: 2 })
    const unset = structuredClone(moved)
    unset.parents = { 1036: 0 }
    await saveItem(store.db, P, DEAL, moved, unset)
    expect((await loadItem(store.db, P, DEAL, 1))?.parents).toEqual({})
  })

  it('stores custom-field values as JSON and the quote file ids', async () => {
    const quote = emptyItem(QUOTE, 2)
    quote.uf['UF_CRM_1'] = ['a', 'b']
    quote.values['storageElementIds'] = [3, 4]
    await insertItem(store.db, P, QUOTE, quote)
    const loaded = (await loadItem(store.db, P, QUOTE, 2)) as Item
    expect(loaded.uf).toEqual({ UF_CRM_1: ['a', 'b'] })
    expect(loaded.values['storageElementIds']).toEqual([3, 4])
    const next = structuredClone(loaded)
    next.uf['UF_CRM_1'] = 'c'
    await saveItem(store.db, P, QUOTE, loaded, next)
    expect((await loadItem(store.db, P, QUOTE, 2))?.uf).toEqual({ UF_CRM_1: 'c' })
  })
})
