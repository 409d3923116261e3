import { describe, expect, it } from 'vitest'
import {
  DEFAULT_DEAL_CATEGORY,
  DEFAULT_SMART_INVOICE_CATEGORY,
  FIRST_FREE_CATEGORY_ID,
  FRESH_PORTAL_CATEGORIES,
  NEW_CATEGORY_DEFAULTS,
  categoryToWire,
  defaultFunnelFor,
  supportsCategories,
} from './categories.js'
import {
  FRESH_PORTAL_BASE_CURRENCY,
  FRESH_PORTAL_CURRENCIES,
  FRESH_PORTAL_LANGUAGE,
  currencyToWire,
  defaultLocalization,
} from './currencies.js'
import { buildStatusEntityTypes, freshPortalStatusEntityTypes } from './status-entity-types.js'
import type { SemanticInfo } from './status-entity-types.js'
import {
  FRESH_PORTAL_STATUSES,
  entityHasExtra,
  freshPortalStatusRows,
  newFunnelStages,
  parseStatusEntityId,
  prefixStatusId,
  stageEntityId,
  stagePrefix,
  statusToEntityItem,
  statusToWire,
} from './statuses.js'
import type { StatusRow, StatusSeed, StatusWire } from './statuses.js'

const rows = freshPortalStatusRows()

function byEntity(seeds: readonly StatusSeed[]): Map<string, StatusSeed[]> {
  const map = new Map<string, StatusSeed[]>()
  for (const s of seeds) map.set(s.entityId, [...(map.get(s.entityId) ?? []), s])
  return map
}

function isStageDictionary(entityId: string): boolean {
  return parseStatusEntityId(entityId).kind !== 'dictionary'
}

/** The wire form without ID: seeded IDs are ours, the docs' IDs come from an older portal. */
function wireWithoutId(seed: StatusSeed): Omit<StatusWire, 'ID'> {
  const { ID: _id, ...rest } = statusToWire({ ...seed, id: 0 })
  return rest
}

/** Checks the rules every funnel obeys, whatever its object. */
function expectWellFormedFunnel(stages: readonly StatusSeed[]): void {
  const sorts = stages.map((s) => s.sort)
  expect(sorts).toEqual([...sorts].sort((a, b) => a - b))
  expect(new Set(sorts).size).toBe(sorts.length)
  // crm-status-add.md:68-74: in-progress stages, then the success stage, then the failure stages
  const groups = stages.map((s) => s.semantics ?? 'P')
  const rank = { P: 0, S: 1, F: 2 }
  for (let i = 1; i < groups.length; i++)
    expect(rank[groups[i]!]).toBeGreaterThanOrEqual(rank[groups[i - 1]!])
  // how-to-get-stages-with-semantics.md:251: exactly one S, any number of F (≥ 1 in every default set)
  expect(groups.filter((g) => g === 'S')).toHaveLength(1)
  expect(groups.filter((g) => g === 'F').length).toBeGreaterThanOrEqual(1)
  expect(groups[0]).toBe('P')
  for (const s of stages) expect(s.color).toMatch(/^#[0-9A-Fa-f]{6}$/)
}

describe('fresh-portal crm.status rows', () => {
  it('gets IDs 1..n in seed order, the lead stage NEW first (how-to-get-stages-with-semantics.md:124)', () => {
    expect(rows.map((r) => r.id)).toEqual(rows.map((_, i) => i + 1))
    expect(rows[0]).toMatchObject({ id: 1, entityId: 'STATUS', statusId: 'NEW' })
  })

  it('keeps STATUS_ID unique within each dictionary and funnel ids inside their funnel', () => {
    for (const [entityId, seeds] of byEntity(FRESH_PORTAL_STATUSES)) {
      const ids = seeds.map((s) => s.statusId)
      expect(new Set(ids).size, entityId).toBe(ids.length)
      const kind = parseStatusEntityId(entityId)
      if ('categoryId' in kind && kind.categoryId !== 0) {
        const prefix = stagePrefix(kind.entityTypeId, kind.categoryId)
        for (const s of seeds) {
          expect(s.categoryId).toBe(kind.categoryId)
          expect(s.statusId.startsWith(`${prefix}:`)).toBe(true)
        }
      }
    }
  })

  it('seeds every dictionary crm.status.entity.types lists for a new portal, and nothing else', () => {
    const listed = freshPortalStatusEntityTypes().map((t) => t.ID)
    expect([...byEntity(FRESH_PORTAL_STATUSES).keys()].sort()).toEqual([...listed].sort())
  })

  it('makes every seeded stage dictionary a well-formed funnel', () => {
    const stageDictionaries = [...byEntity(FRESH_PORTAL_STATUSES)].filter(([id]) => isStageDictionary(id))
    expect(stageDictionaries.map(([id]) => id).sort()).toEqual(
      ['DEAL_STAGE', 'QUOTE_STATUS', 'SMART_INVOICE_STAGE_1', 'STATUS'].sort(),
    )
    for (const [, stages] of stageDictionaries) expectWellFormedFunnel(stages)
  })

  it('gives plain dictionaries no semantics, color or funnel', () => {
    for (const s of FRESH_PORTAL_STATUSES.filter((x) => !isStageDictionary(x.entityId))) {
      const wire = statusToWire({ ...s, id: 1 })
      expect(wire).toMatchObject({ SEMANTICS: null, COLOR: null, CATEGORY_ID: null })
      expect(wire).not.toHaveProperty('EXTRA')
    }
  })

  it('agrees with SEMANTIC_INFO of crm.status.entity.types (start, success, first failure stage)', () => {
    const seeds = byEntity(FRESH_PORTAL_STATUSES)
    for (const type of freshPortalStatusEntityTypes()) {
      if (type.SEMANTIC_INFO === undefined || Array.isArray(type.SEMANTIC_INFO)) continue
      const info: SemanticInfo = type.SEMANTIC_INFO
      const stages = seeds.get(type.ID) ?? []
      expect(stages[0]?.statusId, type.ID).toBe(info.START_FIELD)
      expect(stages.find((s) => s.semantics === 'S')?.statusId, type.ID).toBe(info.FINAL_SUCCESS_FIELD)
      expect(stages.find((s) => s.semantics === 'F')?.statusId, type.ID).toBe(info.FINAL_UNSUCCESS_FIELD)
    }
  })

  it('holds the documented codes of the plain dictionaries', () => {
    const codes = (entityId: string) =>
      FRESH_PORTAL_STATUSES.filter((s) => s.entityId === entityId).map((s) => s.statusId)
    // SOURCE: crm-item-get.md:365 TRADE_SHOW, crm-item-list.md:1041 ADVERTISING, crm-deal-get.md:311 CALLBACK, WEB/CALL passim
    expect(codes('SOURCE')).toEqual(
      expect.arrayContaining(['CALL', 'WEB', 'ADVERTISING', 'TRADE_SHOW', 'CALLBACK']),
    )
    expect(codes('CONTACT_TYPE')).toContain('PARTNER') // crm-contact-get.md:245
    expect(codes('COMPANY_TYPE')).toContain('CUSTOMER') // how-to-add-company.md:451
    expect(codes('INDUSTRY')).toEqual(expect.arrayContaining(['IT', 'MANUFACTURING'])) // crm-company-add.md examples
    expect(codes('EMPLOYEES')).toEqual(['EMPLOYEES_1', 'EMPLOYEES_2', 'EMPLOYEES_3', 'EMPLOYEES_4'])
    expect(codes('DEAL_TYPE')).toEqual(expect.arrayContaining(['SALE', 'COMPLEX', 'GOODS', 'SERVICE'])) // crm-deal-*.md
  })
})

describe('rows quoted from the docs', () => {
  it('DEAL_STAGE matches api-reference/crm/status/crm-status-list.md:405-534 field for field (except ID)', () => {
    const deal = FRESH_PORTAL_STATUSES.filter((s) => s.entityId === 'DEAL_STAGE')
    const doc = [
      ['NEW', 'New', 'New', '10', 'Y', '#39A8EF', null, 'process'],
      ['PREPARATION', 'Document preparation', '', '20', 'N', '#2FC6F6', null, 'process'],
      ['PREPAYMENT_INVOICE', 'Prepayment invoice', '', '30', 'N', '#55D0E0', null, 'process'],
      ['EXECUTING', 'In progress', '', '40', 'N', '#47E4C2', null, 'process'],
      ['FINAL_INVOICE', 'Final invoice', '', '50', 'N', '#FFA900', null, 'process'],
      ['WON', 'Deal successful', 'Deal successful', '60', 'Y', '#7BD500', 'S', 'success'],
      ['LOSE', 'Deal failed', 'Deal failed', '70', 'Y', '#FF5752', 'F', 'failure'],
      ['APOLOGY', 'Failure reason analysis', '', '80', 'N', '#FF5752', 'F', 'apology'],
    ] as const
    expect(deal.map(wireWithoutId)).toStrictEqual(
      doc.map(([statusId, name, nameInit, sort, system, color, semantics, extra]) => ({
        ENTITY_ID: 'DEAL_STAGE',
        STATUS_ID: statusId,
        NAME: name,
        NAME_INIT: nameInit,
        SORT: sort,
        SYSTEM: system,
        CATEGORY_ID: null,
        COLOR: color,
        SEMANTICS: semantics,
        EXTRA: { SEMANTICS: extra, COLOR: color },
      })),
    )
  })

  it('DEAL_STAGE entity items match api-reference/crm/status/crm-status-entity-items.md (response)', () => {
    const items = FRESH_PORTAL_STATUSES.filter((s) => s.entityId === 'DEAL_STAGE').map(statusToEntityItem)
    expect(items[0]).toStrictEqual({ NAME: 'New', SORT: 10, STATUS_ID: 'NEW' })
    expect(items[7]).toStrictEqual({ NAME: 'Failure reason analysis', SORT: 80, STATUS_ID: 'APOLOGY' })
  })

  it('lead NEW / CONVERTED / JUNK match how-to-get-stages-with-semantics.md:122-168, NEW with its ID 1', () => {
    const lead = rows.filter((r) => r.entityId === 'STATUS')
    const wire = (id: string): StatusWire => statusToWire(lead.find((r) => r.statusId === id) as StatusRow)
    expect(wire('NEW')).toStrictEqual({
      ID: '1',
      ENTITY_ID: 'STATUS',
      STATUS_ID: 'NEW',
      NAME: 'Not processed',
      NAME_INIT: 'Not processed',
      SORT: '10',
      SYSTEM: 'Y',
      CATEGORY_ID: null,
      COLOR: '#00FFFF',
      SEMANTICS: null,
      EXTRA: { SEMANTICS: 'process', COLOR: '#00FFFF' },
    })
    expect(wire('CONVERTED')).toMatchObject({
      NAME: 'Converted',
      NAME_INIT: 'Converted',
      SORT: '50',
      SYSTEM: 'Y',
      COLOR: '#37B44A',
      SEMANTICS: 'S',
      EXTRA: { SEMANTICS: 'success', COLOR: '#37B44A' },
    })
    expect(wire('JUNK')).toMatchObject({
      NAME: 'Low-quality lead',
      NAME_INIT: 'Low-quality lead',
      SORT: '60',
      SYSTEM: 'Y',
      COLOR: '#F54819',
      SEMANTICS: 'F',
      EXTRA: { SEMANTICS: 'failure', COLOR: '#F54819' },
    })
    // crm-lead-add.md:147-152 lists the default stages
    expect(lead.map((r) => r.statusId).sort()).toEqual([
      'CONVERTED',
      'IN_PROCESS',
      'JUNK',
      'NEW',
      'PROCESSED',
    ])
  })

  it('a new deal funnel matches how-to-get-elements-by-stage-filter.md:292-423 (funnel 10, ids cut at 21)', () => {
    const stages = newFunnelStages('deal', 2, 10).map(wireWithoutId)
    expect(stages.map((s) => s.STATUS_ID)).toEqual([
      'C10:NEW',
      'C10:PREPARATION',
      'C10:PREPAYMENT_INVOIC',
      'C10:EXECUTING',
      'C10:FINAL_INVOICE',
      'C10:WON',
      'C10:LOSE',
      'C10:APOLOGY',
    ])
    expect(stages.every((s) => s.ENTITY_ID === 'DEAL_STAGE_10' && s.CATEGORY_ID === '10')).toBe(true)
    expect(stages[0]).toStrictEqual({
      ENTITY_ID: 'DEAL_STAGE_10',
      STATUS_ID: 'C10:NEW',
      NAME: 'New',
      NAME_INIT: 'New',
      SORT: '10',
      SYSTEM: 'Y',
      CATEGORY_ID: '10',
      COLOR: '#39A8EF',
      SEMANTICS: null,
      EXTRA: { SEMANTICS: 'process', COLOR: '#39A8EF' },
    })
    expect(stages[7]).toStrictEqual({
      ENTITY_ID: 'DEAL_STAGE_10',
      STATUS_ID: 'C10:APOLOGY',
      NAME: 'Failure reason analysis',
      NAME_INIT: '',
      SORT: '80',
      SYSTEM: 'N',
      CATEGORY_ID: '10',
      COLOR: '#FF5752',
      SEMANTICS: 'F',
      EXTRA: { SEMANTICS: 'apology', COLOR: '#FF5752' },
    })
    // funnel 9 still fits: C9:PREPAYMENT_INVOICE (same page, line 289)
    expect(newFunnelStages('deal', 2, 9)[2]?.statusId).toBe('C9:PREPAYMENT_INVOICE')
    expectWellFormedFunnel(newFunnelStages('deal', 2, 10))
  })

  it('a new smart-process funnel matches how-to-add-category-to-spa.md:323-387 (type 177, funnel 87)', () => {
    const doc = [
      ['DT177_87:NEW', 'Start', '10', 'Y', '#22B9FF', null],
      ['DT177_87:PREPARATION', 'Preparation', '20', 'N', '#88B9FF', null],
      ['DT177_87:CLIENT', 'Approval', '30', 'N', '#10e5fc', null],
      ['DT177_87:SUCCESS', 'Success', '40', 'Y', '#00ff00', 'S'],
      ['DT177_87:FAIL', 'Failure', '50', 'Y', '#ff0000', 'F'],
    ] as const
    expect(newFunnelStages('dynamic', 177, 87).map(wireWithoutId)).toStrictEqual(
      doc.map(([statusId, name, sort, system, color, semantics]) => ({
        ENTITY_ID: 'DYNAMIC_177_STAGE_87',
        STATUS_ID: statusId,
        NAME: name,
        NAME_INIT: name,
        SORT: sort,
        SYSTEM: system,
        CATEGORY_ID: '87',
        COLOR: color,
        SEMANTICS: semantics,
      })),
    )
  })

  it('a smart-process success stage matches crm-status-get.md:259-272 (DT1038_37:SUCCESS, no EXTRA)', () => {
    const success = newFunnelStages('dynamic', 1038, 37).find((s) => s.semantics === 'S') as StatusSeed
    expect(statusToWire({ ...success, id: 733 })).toStrictEqual({
      ID: '733',
      ENTITY_ID: 'DYNAMIC_1038_STAGE_37',
      STATUS_ID: 'DT1038_37:SUCCESS',
      NAME: 'Success',
      NAME_INIT: 'Success',
      SORT: '40',
      SYSTEM: 'Y',
      CATEGORY_ID: '37',
      COLOR: '#00ff00',
      SEMANTICS: 'S',
    })
  })

  it('smart-invoice stages use SMART_INVOICE_STAGE_n and DT31_n: ids, N = New (crm-item-add.md:1038)', () => {
    const stages = newFunnelStages('smart_invoice', 31, 13)
    expect(stages[0]).toMatchObject({
      entityId: 'SMART_INVOICE_STAGE_13',
      statusId: 'DT31_13:N',
      name: 'New',
    })
    expect(stages.every((s) => s.statusId.startsWith('DT31_13:') && s.categoryId === 13)).toBe(true)
    expect(statusToWire({ ...stages[0]!, id: 1 })).not.toHaveProperty('EXTRA')
    expectWellFormedFunnel(stages)
  })

  it('call-list statuses match crm-calllist-statuslist.md:234-259', () => {
    const items = FRESH_PORTAL_STATUSES.filter((s) => s.entityId === 'CALL_LIST').map(statusToEntityItem)
    expect(items).toStrictEqual([
      { NAME: 'In Progress', SORT: 10, STATUS_ID: 'IN_WORK' },
      { NAME: 'Successful', SORT: 20, STATUS_ID: 'SUCCESS' },
      { NAME: 'Wrong Number', SORT: 30, STATUS_ID: 'WRONG_NUMBER' },
      { NAME: 'Do Not Call Again', SORT: 40, STATUS_ID: 'STOP_CALLING' },
    ])
  })
})

describe('funnel helpers', () => {
  it('refuses a funnel for the wrong object', () => {
    expect(() => newFunnelStages('deal', 31, 1)).toThrow()
    expect(() => newFunnelStages('smart_invoice', 2, 1)).toThrow()
    expect(() => newFunnelStages('dynamic', 31, 1)).toThrow()
    expect(() => newFunnelStages('dynamic', 177, -1)).toThrow()
  })

  it('prefixes a funnel stage code once (crm-status-add.md:62-65)', () => {
    expect(prefixStatusId('C1', 'DECISION')).toBe('C1:DECISION')
    expect(prefixStatusId('C1', 'C1:DECISION')).toBe('C1:DECISION')
    expect(prefixStatusId(undefined, 'DECISION')).toBe('DECISION')
    expect(prefixStatusId('DT177_87', 'MY_STAGE')).toBe('DT177_87:MY_STAGE')
  })

  it('parses every stage dictionary code back to its object and funnel', () => {
    const cases: [number, number][] = [
      [2, 0],
      [2, 7],
      [31, 5],
      [36, 13],
      [177, 7],
      [1038, 37],
    ]
    for (const [entityTypeId, categoryId] of cases) {
      expect(parseStatusEntityId(stageEntityId(entityTypeId, categoryId))).toMatchObject({
        entityTypeId,
        categoryId,
      })
    }
    expect(parseStatusEntityId('STATUS')).toStrictEqual({ kind: 'lead', entityTypeId: 1 })
    expect(parseStatusEntityId('QUOTE_STATUS')).toStrictEqual({ kind: 'quote', entityTypeId: 7 })
    expect(parseStatusEntityId('SOURCE')).toStrictEqual({ kind: 'dictionary' })
  })

  it('adds EXTRA only for leads, deals and quotes (how-to-get-stages-with-semantics.md:180)', () => {
    expect(['STATUS', 'DEAL_STAGE', 'DEAL_STAGE_3', 'QUOTE_STATUS'].every(entityHasExtra)).toBe(true)
    expect(['SMART_INVOICE_STAGE_1', 'DYNAMIC_177_STAGE_7', 'SOURCE', 'HONORIFIC'].some(entityHasExtra)).toBe(
      false,
    )
  })
})

describe('crm.status.entity.types', () => {
  // The portal of api-reference/crm/status/crm-status-entity-types.md:234-368 (smart documents left out).
  const docTypes = buildStatusEntityTypes({
    dealCategories: [
      { id: 0, name: 'General', sort: 300, isDefault: true },
      { id: 1, name: 'Newest', sort: 200, isDefault: false },
    ],
    smartInvoiceCategories: [{ id: 5, name: 'General', sort: 500, isDefault: true }],
    smartProcesses: [
      {
        entityTypeId: 177,
        title: 'Equipment Procurement',
        categories: [
          { id: 7, name: 'General', sort: 500, isDefault: true },
          { id: 9, name: 'Second pipeline', sort: 500, isDefault: false },
        ],
      },
    ],
  })

  it('lists the dictionaries in the documented order', () => {
    expect(docTypes.map((t) => t.ID)).toEqual([
      'STATUS',
      'SOURCE',
      'CONTACT_TYPE',
      'COMPANY_TYPE',
      'EMPLOYEES',
      'INDUSTRY',
      'DEAL_TYPE',
      'SMART_INVOICE_STAGE_5',
      'DEAL_STAGE_1',
      'DEAL_STAGE',
      'QUOTE_STATUS',
      'HONORIFIC',
      'CALL_LIST',
      'DYNAMIC_177_STAGE_7',
      'DYNAMIC_177_STAGE_9',
    ])
  })

  it('reproduces the documented entries key for key', () => {
    const get = (id: string) => docTypes.find((t) => t.ID === id)
    expect(get('STATUS')).toStrictEqual({
      ID: 'STATUS',
      NAME: 'Lead stages',
      SEMANTIC_INFO: {
        START_FIELD: 'NEW',
        FINAL_SUCCESS_FIELD: 'CONVERTED',
        FINAL_UNSUCCESS_FIELD: 'JUNK',
        FINAL_SORT: 0,
      },
      ENTITY_TYPE_ID: 1,
    })
    expect(get('SOURCE')).toStrictEqual({ ID: 'SOURCE', NAME: 'Sources' })
    expect(get('SMART_INVOICE_STAGE_5')).toStrictEqual({
      ID: 'SMART_INVOICE_STAGE_5',
      NAME: 'Invoice stages',
      SEMANTIC_INFO: [],
      PREFIX: 'DT31_5',
      FIELD_ATTRIBUTE_SCOPE: 'category_5',
      ENTITY_TYPE_ID: 31,
      IS_ENABLED: true,
      CATEGORY_ID: 5,
    })
    expect(get('DEAL_STAGE_1')).toStrictEqual({
      ID: 'DEAL_STAGE_1',
      NAME: 'Newest deal stages',
      PARENT_ID: 'DEAL_STAGE',
      SEMANTIC_INFO: {
        START_FIELD: 'C1:NEW',
        FINAL_SUCCESS_FIELD: 'C1:WON',
        FINAL_UNSUCCESS_FIELD: 'C1:LOSE',
        FINAL_SORT: 0,
      },
      PREFIX: 'C1',
      FIELD_ATTRIBUTE_SCOPE: 'category_1',
      ENTITY_TYPE_ID: 2,
      CATEGORY_ID: '1',
    })
    expect(get('DEAL_STAGE')).toStrictEqual({
      ID: 'DEAL_STAGE',
      NAME: 'General deal stages',
      SEMANTIC_INFO: {
        START_FIELD: 'NEW',
        FINAL_SUCCESS_FIELD: 'WON',
        FINAL_UNSUCCESS_FIELD: 'LOSE',
        FINAL_SORT: 0,
      },
      FIELD_ATTRIBUTE_SCOPE: '',
      ENTITY_TYPE_ID: 2,
      CATEGORY_ID: 0,
    })
    expect(get('QUOTE_STATUS')).toStrictEqual({
      ID: 'QUOTE_STATUS',
      NAME: 'Quote stages',
      SEMANTIC_INFO: {
        START_FIELD: 'DRAFT',
        FINAL_SUCCESS_FIELD: 'APPROVED',
        FINAL_UNSUCCESS_FIELD: 'DECLAINED',
        FINAL_SORT: 0,
      },
      ENTITY_TYPE_ID: 7,
    })
    expect(get('HONORIFIC')).toStrictEqual({ ID: 'HONORIFIC', NAME: 'Inquiries' })
    expect(get('DYNAMIC_177_STAGE_9')).toStrictEqual({
      ID: 'DYNAMIC_177_STAGE_9',
      NAME: 'Equipment Procurement (Second pipeline)',
      SEMANTIC_INFO: [],
      PREFIX: 'DT177_9',
      FIELD_ATTRIBUTE_SCOPE: 'category_9',
      ENTITY_TYPE_ID: 177,
      IS_ENABLED: true,
      CATEGORY_ID: 9,
      CATEGORY_NAME: 'Second pipeline',
      CATEGORY_SORT: 500,
      IS_DEFAULT_CATEGORY: false,
    })
    expect(get('DYNAMIC_177_STAGE_7')).toMatchObject({
      NAME: 'Equipment Procurement (General)',
      IS_DEFAULT_CATEGORY: true,
    })
  })

  it('hands out copies, so a caller cannot change the constants', () => {
    const first = freshPortalStatusEntityTypes()
    ;(first[0] as { NAME: string }).NAME = 'changed'
    expect(freshPortalStatusEntityTypes()[0]?.NAME).toBe('Lead stages')
  })
})

describe('fresh-portal funnels', () => {
  it('has the default deal funnel as crm-category-list.md:322-328 shows it', () => {
    expect(categoryToWire(DEFAULT_DEAL_CATEGORY)).toStrictEqual({
      id: 0,
      name: 'General',
      sort: 300,
      entityTypeId: 2,
      isDefault: 'Y',
    })
  })

  it('has one default funnel per object and distinct ids', () => {
    const byType = new Map<number, number>()
    for (const c of FRESH_PORTAL_CATEGORIES)
      if (c.isDefault) byType.set(c.entityTypeId, (byType.get(c.entityTypeId) ?? 0) + 1)
    expect([...byType.values()].every((n) => n === 1)).toBe(true)
    const keys = FRESH_PORTAL_CATEGORIES.map((c) => `${c.entityTypeId}:${c.id}`)
    expect(new Set(keys).size).toBe(FRESH_PORTAL_CATEGORIES.length)
    // contacts and companies have their default funnel 0 (how-to-make-contact-edit-card.md:235)
    expect(FRESH_PORTAL_CATEGORIES.filter((c) => c.id === 0).map((c) => c.entityTypeId)).toEqual([2, 3, 4])
    expect(FIRST_FREE_CATEGORY_ID).toBeGreaterThan(Math.max(...FRESH_PORTAL_CATEGORIES.map((c) => c.id)))
    expect(DEFAULT_SMART_INVOICE_CATEGORY).toMatchObject({
      entityTypeId: 31,
      name: 'General',
      isDefault: true,
    })
  })

  it('shapes each object`s funnels like the docs', () => {
    // crm-category-list.md:295-303: an additional deal funnel carries originId / originatorId
    expect(
      categoryToWire({
        id: 9,
        entityTypeId: 2,
        name: 'Funnel with Original Name',
        sort: 200,
        isDefault: false,
      }),
    ).toStrictEqual({
      id: 9,
      name: 'Funnel with Original Name',
      sort: 200,
      entityTypeId: 2,
      isDefault: 'N',
      originId: '',
      originatorId: '',
    })
    // how-to-add-category-to-spa.md:231-243
    expect(
      categoryToWire({ id: 87, entityTypeId: 177, name: 'New funnel', sort: 100, isDefault: false }),
    ).toStrictEqual({
      id: 87,
      name: 'New funnel',
      sort: 100,
      entityTypeId: 177,
      isDefault: 'N',
    })
    // how-to-get-contractors.md:148-156
    expect(
      categoryToWire({
        id: 15,
        entityTypeId: 3,
        name: 'Vendor Contacts',
        sort: 500,
        isDefault: false,
        isSystem: true,
        code: 'CATALOG_CONTRACTOR_CONTACT',
      }),
    ).toStrictEqual({
      id: 15,
      name: 'Vendor Contacts',
      sort: 500,
      entityTypeId: 3,
      isDefault: 'N',
      isSystem: 'Y',
      code: 'CATALOG_CONTRACTOR_CONTACT',
    })
  })

  it('defaults a new funnel to name "-" and sort 500 (crm-category-add.md:51,57)', () => {
    expect(NEW_CATEGORY_DEFAULTS).toStrictEqual({ name: '-', sort: 500 })
    expect(defaultFunnelFor(177, 7)).toStrictEqual({
      id: 7,
      entityTypeId: 177,
      name: 'General',
      sort: 500,
      isDefault: true,
    })
    expect(() => defaultFunnelFor(1, 1)).toThrow()
  })

  it('knows which objects have funnels (category/index.md)', () => {
    expect([2, 3, 4, 31, 128, 1038].every(supportsCategories)).toBe(true)
    expect([1, 5, 7, 36].some(supportsCategories)).toBe(false)
  })
})

describe('fresh-portal currencies', () => {
  it('has exactly one base currency, USD, at nominal 1 and rate 1', () => {
    const bases = FRESH_PORTAL_CURRENCIES.filter((c) => c.base)
    expect(bases.map((c) => c.currency)).toEqual([FRESH_PORTAL_BASE_CURRENCY])
    expect(bases[0]).toMatchObject({ amount: 1, amountCnt: 1 })
  })

  it('uses distinct ISO codes, positive rates and an interface-language localization for each', () => {
    const codes = FRESH_PORTAL_CURRENCIES.map((c) => c.currency)
    expect(new Set(codes).size).toBe(codes.length)
    for (const c of FRESH_PORTAL_CURRENCIES) {
      expect(c.currency).toMatch(/^[A-Z]{3}$/)
      expect(c.amount).toBeGreaterThan(0)
      expect(c.lang[FRESH_PORTAL_LANGUAGE]?.formatString).toContain('#')
    }
  })

  it('serialises USD as crm-currency-get.md:291-325 shows it (the en localization)', () => {
    const usd = FRESH_PORTAL_CURRENCIES.find((c) => c.currency === 'USD')!
    expect(
      currencyToWire(usd, { lid: 'en', dateUpdate: '2024-01-29T12:28:40+02:00', withLang: true }),
    ).toStrictEqual({
      CURRENCY: 'USD',
      AMOUNT_CNT: '1',
      AMOUNT: '1.0000',
      SORT: '100',
      BASE: 'Y',
      FULL_NAME: 'United States Dollar',
      LID: 'en',
      FORMAT_STRING: '$#',
      DEC_POINT: '.',
      THOUSANDS_SEP: null,
      DECIMALS: '2',
      DATE_UPDATE: '2024-01-29T12:28:40+02:00',
      LANG: {
        en: {
          FORMAT_STRING: '$#',
          FULL_NAME: 'United States Dollar',
          DEC_POINT: '.',
          THOUSANDS_SEP: null,
          DECIMALS: '2',
          THOUSANDS_VARIANT: 'C',
          HIDE_ZERO: 'Y',
        },
      },
    })
  })

  it('falls back to the documented localization defaults for a language without one (data-types.md)', () => {
    const eur = FRESH_PORTAL_CURRENCIES.find((c) => c.currency === 'EUR')!
    const wire = currencyToWire(eur, { lid: 'de', dateUpdate: 'x', withLang: false })
    expect(wire).toMatchObject({
      FULL_NAME: 'EUR',
      FORMAT_STRING: '#',
      DEC_POINT: '.',
      THOUSANDS_SEP: ' ',
      DECIMALS: '2',
    })
    expect(wire).not.toHaveProperty('LANG')
    expect(defaultLocalization('EUR')).toMatchObject({ thousandsVariant: 'S', hideZero: false })
  })
})
