/**
 * The field sets per type against the contract: the field tables of the crm.item.update seed
 * (spec/seeds/001_*.txt; the same tables as api-reference/crm/universal/crm-item-update.md). Each table is
 * encoded here as written in the seed — name and type notation — independently of the descriptors. A
 * table lists the fields crm.item.update accepts, so it must equal the set of listed, writable, mutable
 * fields of the descriptor, up to the documented exceptions below. Also: type traits (data-types.md,
 * status/crm-status-entity-types.md, events pages) and the smart-process feature toggles
 * (universal/object-fields.md#spa).
 */
import { describe, expect, it } from 'vitest'

import { dynamicTypeDescriptor, isSmartProcessEntityTypeId, SMART_PROCESS_DEFAULT_FLAGS } from './dynamic.js'
import { defaultItemTitle, fieldsListed, stageIdFor, type EntityTypeDescriptor } from './entity-type.js'
import { upperToCamel } from './field-names.js'
import { statusTypeOf } from './fields-output.js'
import { BUILT_IN_ENTITY_TYPES, builtInEntityType, classifyEntityTypeId } from './registry.js'

const UTM = {
  utmSource: 'string',
  utmMedium: 'string',
  utmCampaign: 'string',
  utmContent: 'string',
  utmTerm: 'string',
}

/** Seed tables: field → type notation as printed. `ufCrm...` / `parentId...` rows are dynamic and left out. */
const SEED_TABLES: Record<string, Record<string, string>> = {
  lead: {
    title: 'string',
    honorific: 'crm_status',
    name: 'string',
    secondName: 'string',
    lastName: 'string',
    birthdate: 'date',
    companyTitle: 'string',
    sourceId: 'crm_status',
    sourceDescription: 'text',
    stageId: 'crm_status',
    statusDescription: 'text',
    post: 'string',
    currencyId: 'crm_currency',
    isManualOpportunity: 'boolean',
    opportunity: 'double',
    opened: 'boolean',
    comments: 'text',
    assignedById: 'user',
    companyId: 'crm_company',
    contactId: 'crm_contact',
    contactIds: 'crm_contact[]',
    originatorId: 'string',
    originId: 'string',
    webformId: 'integer',
    observers: 'user[]',
    ...UTM,
    fm: 'multifield[]',
  },
  deal: {
    title: 'string',
    typeId: 'crm_status',
    categoryId: 'integer',
    stageId: 'crm_status',
    isRecurring: 'boolean',
    probability: 'integer',
    currencyId: 'crm_currency',
    isManualOpportunity: 'boolean',
    opportunity: 'double',
    taxValue: 'double',
    companyId: 'crm_company',
    contactId: 'crm_contact',
    contactIds: 'crm_contact[]',
    quoteId: 'crm_quote',
    begindate: 'date',
    closedate: 'date',
    opened: 'boolean',
    comments: 'text',
    assignedById: 'user',
    sourceId: 'crm_status',
    sourceDescription: 'text',
    leadId: 'crm_lead',
    additionalInfo: 'string',
    originatorId: 'string',
    originId: 'string',
    observers: 'user[]',
    locationId: 'location',
    ...UTM,
  },
  contact: {
    honorific: 'crm_status',
    name: 'string',
    secondName: 'string',
    lastName: 'string',
    photo: 'file',
    birthdate: 'date',
    typeId: 'crm_status',
    sourceId: 'crm_status',
    sourceDescription: 'text',
    post: 'string',
    comments: 'text',
    opened: 'boolean',
    export: 'boolean',
    assignedById: 'user',
    companyId: 'crm_company',
    companyIds: 'crm_company',
    leadId: 'crm_lead',
    originatorId: 'string',
    originId: 'string',
    originVersion: 'string',
    observers: 'user[]',
    ...UTM,
    fm: 'multifield[]',
  },
  company: {
    title: 'string',
    typeId: 'crm_status',
    logo: 'file',
    bankingDetails: 'string',
    industry: 'crm_status',
    employees: 'crm_status',
    currencyId: 'crm_currency',
    revenue: 'double',
    opened: 'boolean',
    comments: 'text',
    isMyCompany: 'boolean',
    assignedById: 'user',
    contactIds: 'crm_contact[]',
    leadId: 'crm_lead',
    originatorId: 'string',
    originId: 'string',
    originVersion: 'string',
    observers: 'user[]',
    ...UTM,
    fm: 'multifield[]',
  },
  quote: {
    title: 'string',
    assignedById: 'user',
    opened: 'boolean',
    content: 'text',
    terms: 'text',
    comments: 'text',
    dealId: 'crm_deal',
    leadId: 'crm_lead',
    storageTypeId: 'integer',
    storageElementIds: 'integer',
    webformId: 'integer',
    companyId: 'crm_company',
    contactId: 'crm_contact',
    contactIds: 'crm_contact[]',
    locationId: 'location',
    currencyId: 'crm_currency',
    isManualOpportunity: 'boolean',
    opportunity: 'double',
    taxValue: 'double',
    stageId: 'crm_status',
    begindate: 'date',
    closedate: 'date',
    actualDate: 'date',
    mycompanyId: 'crm_company',
    ...UTM,
  },
  invoice: {
    title: 'string',
    xmlId: 'string',
    assignedById: 'user',
    opened: 'boolean',
    webformId: 'integer',
    begindate: 'date',
    closedate: 'date',
    companyId: 'crm_company',
    contactId: 'crm_contact',
    contactIds: 'crm_contact[]',
    observers: 'user[]',
    stageId: 'crm_status',
    sourceId: 'crm_status',
    sourceDescription: 'text',
    currencyId: 'crm_currency',
    isManualOpportunity: 'boolean',
    opportunity: 'double',
    taxValue: 'double',
    mycompanyId: 'crm_company',
    comments: 'text',
    locationId: 'location',
  },
  spa: {
    title: 'string',
    xmlId: 'string',
    assignedById: 'user',
    opened: 'boolean',
    webformId: 'integer',
    begindate: 'date',
    closedate: 'date',
    companyId: 'crm_company',
    contactId: 'crm_contact',
    contactIds: 'crm_contact[]',
    observers: 'user[]',
    categoryId: 'crm_category',
    stageId: 'crm_status',
    sourceId: 'crm_status',
    sourceDescription: 'text',
    currencyId: 'crm_currency',
    isManualOpportunity: 'boolean',
    opportunity: 'double',
    taxValue: 'double',
    mycompanyId: 'crm_company',
  },
}

/**
 * Where the seed and other pages disagree, the descriptor follows the other page (see the report to the
 * lead / docs/compatibility.md):
 * - types: deal `categoryId` is `crm_category` in crm.item.fields (deal form tutorial, SPA example);
 *   contact `companyIds` and quote `storageElementIds` are multiple (object-fields.md `crm_company[]`,
 *   `integer[]`; contact form tutorial `isMultiple: true`);
 * - extra writable fields: `categoryId` of contacts, companies and invoices (universal/category/index.md;
 *   contact form tutorial), and the service binding fields `contacts` / `companies` (crm-item-fields.md
 *   example: not read-only).
 */
const TYPE_EXCEPTIONS: Record<string, Record<string, { type: string; multiple: boolean }>> = {
  deal: { categoryId: { type: 'crm_category', multiple: false } },
  contact: { companyIds: { type: 'crm_company', multiple: true } },
  quote: { storageElementIds: { type: 'integer', multiple: true } },
}
const EXTRA_WRITABLE: Record<string, readonly string[]> = {
  lead: ['contacts'],
  deal: ['contacts'],
  contact: ['categoryId', 'companies'],
  company: ['categoryId', 'contacts'],
  quote: ['contacts'],
  invoice: ['categoryId', 'contacts'],
  spa: ['contacts'],
}

function seedType(notation: string): { type: string; multiple: boolean } {
  const multiple = notation.endsWith('[]')
  const base = multiple ? notation.slice(0, -2) : notation
  return { type: base === 'multifield' ? 'crm_multifield' : base, multiple }
}

function fullSpa(): EntityTypeDescriptor {
  return dynamicTypeDescriptor({
    ...SMART_PROCESS_DEFAULT_FLAGS,
    id: 7,
    entityTypeId: 177,
    title: 'Equipment procurement',
    isCategoriesEnabled: true,
    isStagesEnabled: true,
    isBeginCloseDatesEnabled: true,
    isClientEnabled: true,
    isLinkWithProductsEnabled: true,
    isMycompanyEnabled: true,
    isSourceEnabled: true,
    isObserversEnabled: true,
  })
}

function typeFor(key: string): EntityTypeDescriptor {
  const ids: Record<string, number> = { lead: 1, deal: 2, contact: 3, company: 4, quote: 7, invoice: 31 }
  if (key === 'spa') return fullSpa()
  const type = builtInEntityType(ids[key] ?? -1)
  if (type === undefined) throw new Error(key)
  return type
}

/** Listed by crm.item.fields and changeable by crm.item.update. */
function updatable(type: EntityTypeDescriptor): string[] {
  return fieldsListed(type)
    .filter((f) => !f.isReadOnly && !f.isImmutable)
    .map((f) => f.name)
}

describe.each(Object.keys(SEED_TABLES))('%s: the seed table of crm.item.update', (key) => {
  const seed = SEED_TABLES[key] ?? {}
  const type = typeFor(key)

  it('equals the set of updatable fields (plus the documented extras)', () => {
    const expected = [...Object.keys(seed), ...(EXTRA_WRITABLE[key] ?? [])].sort()
    expect(updatable(type).sort()).toEqual(expected)
  })

  it.each(Object.entries(seed))('%s has the documented type', (name, notation) => {
    const field = type.fieldIndex.byName(name)
    const expected = TYPE_EXCEPTIONS[key]?.[name] ?? seedType(notation)
    expect({ type: field?.type, multiple: field?.isMultiple }).toEqual({
      type: expected.type,
      multiple: expected.multiple,
    })
  })
})

describe('dictionaries named by the seed and crm.item.add', () => {
  const cases: readonly (readonly [string, string, string])[] = [
    ['lead', 'honorific', 'HONORIFIC'],
    ['lead', 'sourceId', 'SOURCE'],
    ['lead', 'stageId', 'STATUS'],
    ['deal', 'typeId', 'DEAL_TYPE'],
    ['deal', 'sourceId', 'SOURCE'],
    ['contact', 'honorific', 'HONORIFIC'],
    ['contact', 'typeId', 'CONTACT_TYPE'],
    ['company', 'typeId', 'COMPANY_TYPE'],
    ['company', 'industry', 'INDUSTRY'],
    ['company', 'employees', 'EMPLOYEES'],
    ['quote', 'stageId', 'QUOTE_STATUS'],
    ['invoice', 'sourceId', 'SOURCE'],
    ['spa', 'sourceId', 'SOURCE'],
  ]
  it.each(cases)('%s.%s draws from %s', (key, name, entityId) => {
    const type = typeFor(key)
    const field = type.fieldIndex.byName(name)
    expect(field && statusTypeOf(type, field, 0)).toBe(entityId)
  })

  it('stage dictionaries depend on the category (crm-item-add.md, crm-status-entity-types.md)', () => {
    const deal = typeFor('deal')
    const stage = deal.fieldIndex.byName('stageId')
    expect(stage && statusTypeOf(deal, stage, 0)).toBe('DEAL_STAGE')
    expect(stage && statusTypeOf(deal, stage, 9)).toBe('DEAL_STAGE_9')
    expect(typeFor('invoice').stageEntityId(5)).toBe('SMART_INVOICE_STAGE_5')
    expect(typeFor('spa').stageEntityId(7)).toBe('DYNAMIC_177_STAGE_7')
    expect(typeFor('contact').stageEntityId(0)).toBeNull()
  })

  it('stage ids carry the category prefix (server-behaviour.md §1.E item 39; crm-item-add.md examples)', () => {
    expect(stageIdFor(typeFor('lead'), 0, 'NEW')).toBe('NEW')
    expect(stageIdFor(typeFor('deal'), 0, 'NEW')).toBe('NEW')
    expect(stageIdFor(typeFor('deal'), 9, 'UC_KN8KFI')).toBe('C9:UC_KN8KFI')
    expect(stageIdFor(typeFor('invoice'), 13, 'N')).toBe('DT31_13:N')
    expect(stageIdFor(dynamicTypeDescriptor({ ...fullSpaSettings(), entityTypeId: 1220 }), 30, 'NEW')).toBe(
      'DT1220_30:NEW',
    )
  })
})

function fullSpaSettings() {
  return { ...SMART_PROCESS_DEFAULT_FLAGS, id: 1, entityTypeId: 177, title: 'SPA', isStagesEnabled: true }
}

describe('type traits', () => {
  it('names, abbreviations and user-field entities follow data-types.md#object_type', () => {
    expect(
      BUILT_IN_ENTITY_TYPES.map((t) => [t.entityTypeId, t.name, t.symbolCode, t.userFieldEntityId]),
    ).toEqual([
      [1, 'LEAD', 'L', 'CRM_LEAD'],
      [2, 'DEAL', 'D', 'CRM_DEAL'],
      [3, 'CONTACT', 'C', 'CRM_CONTACT'],
      [4, 'COMPANY', 'CO', 'CRM_COMPANY'],
      [7, 'QUOTE', 'Q', 'CRM_QUOTE'],
      [31, 'SMART_INVOICE', 'SI', 'CRM_SMART_INVOICE'],
    ])
    const spa = dynamicTypeDescriptor({
      ...SMART_PROCESS_DEFAULT_FLAGS,
      id: 1,
      entityTypeId: 128,
      title: 'SPA',
    })
    expect([spa.name, spa.symbolCode, spa.userFieldEntityId]).toEqual(['DYNAMIC_128', 'T80', 'CRM_1'])
  })

  it('default titles follow `{entityTypeName} #{id}` (crm-item-add.md)', () => {
    expect(defaultItemTitle(typeFor('lead'), 13)).toBe('Lead #13')
    expect(defaultItemTitle(typeFor('deal'), 13)).toBe('Deal #13')
    expect(defaultItemTitle(typeFor('company'), 13)).toBe('Company #13')
    expect(defaultItemTitle(typeFor('quote'), 13)).toBe('Estimate #13')
    expect(defaultItemTitle(typeFor('invoice'), 13)).toBe('Invoice #13')
    const hr = dynamicTypeDescriptor({
      ...SMART_PROCESS_DEFAULT_FLAGS,
      id: 3,
      entityTypeId: 1030,
      title: 'HR',
    })
    expect(defaultItemTitle(hr, 13)).toBe('HR #13')
  })

  it('fires the documented events', () => {
    expect(typeFor('lead').events.update).toEqual(['ONCRMLEADUPDATE'])
    expect(typeFor('deal').events).toEqual({
      add: ['ONCRMDEALADD'],
      update: ['ONCRMDEALUPDATE'],
      delete: ['ONCRMDEALDELETE'],
      moveToCategory: ['ONCRMDEALMOVETOCATEGORY'],
    })
    expect(typeFor('contact').events.delete).toEqual(['ONCRMCONTACTDELETE'])
    expect(typeFor('company').events.add).toEqual(['ONCRMCOMPANYADD'])
    expect(typeFor('quote').events.update).toEqual(['ONCRMQUOTEUPDATE'])
    expect(typeFor('invoice').events.update).toEqual(['ONCRMDYNAMICITEMUPDATE', 'ONCRMDYNAMICITEMUPDATE_31'])
    expect(typeFor('spa').events.add).toEqual(['ONCRMDYNAMICITEMADD', 'ONCRMDYNAMICITEMADD_177'])
  })

  it('has categories where crm.category supports them (universal/category/index.md)', () => {
    expect(BUILT_IN_ENTITY_TYPES.filter((t) => t.hasCategories).map((t) => t.entityTypeId)).toEqual([
      2, 3, 4, 31,
    ])
    expect(BUILT_IN_ENTITY_TYPES.filter((t) => t.hasMultifields).map((t) => t.entityTypeId)).toEqual([
      1, 3, 4,
    ])
  })

  it('maps legacy names where the legacy pages differ from the universal UPPER names', () => {
    const legacy = (key: string, name: string) => typeFor(key).fieldIndex.byName(name)?.legacyName
    expect(legacy('lead', 'stageId')).toBe('STATUS_ID')
    expect(legacy('lead', 'createdTime')).toBe('DATE_CREATE')
    expect(legacy('deal', 'updatedBy')).toBe('MODIFY_BY_ID')
    expect(legacy('deal', 'assignedById')).toBe('ASSIGNED_BY_ID')
    expect(legacy('company', 'typeId')).toBe('COMPANY_TYPE')
    expect(legacy('company', 'contactIds')).toBe('CONTACT_ID')
    expect(legacy('quote', 'stageId')).toBe('STATUS_ID')
    expect(legacy('deal', 'searchContent')).toBeNull()
    expect(typeFor('invoice').fields.every((f) => f.legacyName === null)).toBe(true)
  })

  it('keeps universal names and UPPER names consistent with the regular rule', () => {
    for (const type of [...BUILT_IN_ENTITY_TYPES, fullSpa()]) {
      for (const f of type.fields) expect(upperToCamel(f.upperName), `${type.name}.${f.name}`).toBe(f.name)
    }
  })

  it('classifies entityTypeIds (universal/index.md; crm-type-add.md ranges)', () => {
    expect([1, 2, 3, 4, 7, 31].map(classifyEntityTypeId)).toEqual(Array(6).fill('builtIn'))
    expect([5, 8, 14].map(classifyEntityTypeId)).toEqual(Array(3).fill('notSupported'))
    expect([128, 177, 192, 1030, 2024].map(classifyEntityTypeId)).toEqual(Array(5).fill('smartProcess'))
    expect([0, 6, 127, 193, 1029, 1031].map(classifyEntityTypeId)).toEqual(Array(6).fill('unknown'))
    expect(isSmartProcessEntityTypeId(1031)).toBe(false)
  })
})

describe('smart-process toggles shape the field list (universal/object-fields.md#spa)', () => {
  const ALWAYS = [
    'id',
    'title',
    'xmlId',
    'createdTime',
    'updatedTime',
    'createdBy',
    'updatedBy',
    'assignedById',
    'opened',
    'webformId',
    'categoryId',
    'lastActivityBy',
    'lastActivityTime',
  ]
  const GATED: Record<string, readonly string[]> = {
    isStagesEnabled: ['movedTime', 'movedBy', 'stageId', 'previousStageId'],
    isBeginCloseDatesEnabled: ['begindate', 'closedate'],
    isClientEnabled: ['companyId', 'contactId', 'contactIds', 'contacts'],
    isObserversEnabled: ['observers'],
    isSourceEnabled: ['sourceId', 'sourceDescription'],
    isLinkWithProductsEnabled: ['currencyId', 'isManualOpportunity', 'opportunity', 'taxValue'],
    isMycompanyEnabled: ['mycompanyId'],
  }
  const listed = (flags: Partial<typeof SMART_PROCESS_DEFAULT_FLAGS>) =>
    fieldsListed(
      dynamicTypeDescriptor({
        ...SMART_PROCESS_DEFAULT_FLAGS,
        ...flags,
        id: 1,
        entityTypeId: 1030,
        title: 'T',
      }),
    ).map((f) => f.name)

  it('lists only the always-present fields with the crm.type.add defaults', () => {
    expect(listed({})).toEqual(ALWAYS)
  })

  it.each(Object.entries(GATED))('%s adds exactly its fields', (flag, names) => {
    expect(listed({ [flag]: true }).sort()).toEqual([...ALWAYS, ...names].sort())
  })

  it('other toggles do not change the field list', () => {
    const others = {
      isCategoriesEnabled: true,
      isUseInUserfieldEnabled: true,
      isDocumentsEnabled: true,
      isRecyclebinEnabled: true,
      isAutomationEnabled: true,
      isBizProcEnabled: true,
      isPaymentsEnabled: true,
      isCountersEnabled: true,
    }
    expect(listed(others)).toEqual(ALWAYS)
  })

  it('categories and stages follow their toggles', () => {
    const t = (flags: Partial<typeof SMART_PROCESS_DEFAULT_FLAGS>) =>
      dynamicTypeDescriptor({
        ...SMART_PROCESS_DEFAULT_FLAGS,
        ...flags,
        id: 1,
        entityTypeId: 1030,
        title: 'T',
      })
    expect([t({}).hasCategories, t({}).hasStages, t({}).stageEntityId(1)]).toEqual([false, false, null])
    const on = t({ isCategoriesEnabled: true, isStagesEnabled: true })
    expect([on.hasCategories, on.hasStages, on.stageEntityId(1)]).toEqual([
      true,
      true,
      'DYNAMIC_1030_STAGE_1',
    ])
  })
})

describe('descriptor invariants', () => {
  const all = [...BUILT_IN_ENTITY_TYPES, fullSpa()]

  it('read-only fields are not required and not immutable', () => {
    for (const type of all) {
      for (const f of type.fields.filter((x) => x.isReadOnly)) {
        expect([f.isRequired, f.isImmutable], `${type.name}.${f.name}`).toEqual([false, false])
      }
    }
  })

  it('crm_status fields name a dictionary; others do not', () => {
    for (const type of all) {
      for (const f of type.fields.filter((x) => x.exposure !== 'disabled')) {
        expect(f.dictionary !== undefined, `${type.name}.${f.name}`).toBe(f.type === 'crm_status')
      }
    }
  })

  it('multiple values live in side tables or JSON columns', () => {
    for (const type of all) {
      for (const f of type.fields.filter((x) => x.isMultiple)) {
        expect(['relation', 'jsonColumn'], `${type.name}.${f.name}`).toContain(f.storage.kind)
      }
    }
  })

  it('contact name rule: one of name / lastName must stay filled (how-to-make-contact-edit-card.md)', () => {
    expect(typeFor('contact').requireOneOf).toEqual([['name', 'lastName']])
  })
})
