import { describe, expect, it } from 'vitest'
import { LEAD } from '../entity-types/lead.js'
import { DEAL } from '../entity-types/deal.js'
import { CONTACT } from '../entity-types/contact.js'
import { COMPANY } from '../entity-types/company.js'
import { QUOTE } from '../entity-types/quote.js'
import { SMART_INVOICE } from '../entity-types/smart-invoice.js'
import { dynamicTypeDescriptor, SMART_PROCESS_DEFAULT_FLAGS } from '../entity-types/dynamic.js'
import {
  itemUserFieldKeys,
  dateTimeToWire,
  dateToWire,
  itemToWire,
  recordMaker,
  resolveItemSelect,
} from './item-output.js'
import { formatIsoWithOffset } from '../../lib/format-date.js'
import { emptyItem } from './item-store.js'
import type { Item } from './item.js'

const PLUS_TWO = 120

/** The lead of the crm-item-get.md "Response Handling" sample, verbatim. */
const LEAD_SAMPLE = {
  id: 250,
  createdTime: '2024-07-22T18:00:08+02:00',
  dateCreateShort: null,
  updatedTime: '2024-07-22T18:00:08+02:00',
  dateModifyShort: null,
  createdBy: 1,
  updatedBy: 1,
  assignedById: 1,
  opened: 'Y',
  companyId: 0,
  contactId: 0,
  stageId: 'IN_PROCESS',
  isConvert: null,
  statusDescription: null,
  stageSemanticId: 'P',
  productId: null,
  opportunity: 999.9,
  currencyId: 'USD',
  sourceId: 'TRADE_SHOW',
  sourceDescription: 'Exhibition about admins',
  title: 'Lead #250',
  name: 'Admin',
  lastName: 'Admins',
  secondName: 'Admin',
  shortName: null,
  companyTitle: 'Administrative Company',
  post: 'Admin',
  address: null,
  comments: '[B]Comment about admin[/B]',
  webformId: 0,
  originatorId: null,
  originId: null,
  dateClosed: null,
  birthdate: '2000-01-01T02:00:00+02:00',
  honorific: 'UC_N1LWUS',
  hasPhone: 'Y',
  hasEmail: 'Y',
  hasImol: 'N',
  login: null,
  isReturnCustomer: 'N',
  searchContent:
    '250 Lead #250 Admins Admin Admin Administrative Company 999.90 US Dollar 6111111111 111111111 11111111 1111111 111111 11111 1111 111 nqzva rknzcyr pbz In progress Exhibition Exhibition about admins g Admin [O]Comment about admin[/O] 321',
  isManualOpportunity: 'Y',
  movedBy: 1,
  movedTime: '2024-07-22T17:00:08+02:00',
  lastActivityBy: 1,
  lastActivityTime: '2024-07-22T17:00:08+02:00',
  phoneMobile: '',
  phoneWork: '+6111111111',
  phoneMailing: '',
  emailHome: '',
  emailWork: 'admin@example.com',
  emailMailing: '',
  skype: null,
  icq: null,
  imol: '',
  email: 'admin@example.com',
  phone: '+6111111111',
  fm: [
    { id: 101, valueType: 'WORK', value: '+6111111111', typeId: 'PHONE' },
    { id: 102, valueType: 'WORK', value: 'admin@example.com', typeId: 'EMAIL' },
  ],
  ufCrm_1720019876534: '321',
  parentId1222: null,
  parentId1226: null,
  parentId1228: null,
  parentId1236: null,
  parentId1238: null,
  parentId1240: null,
  parentId1244: null,
  parentId1246: null,
  parentId1254: null,
  parentId1256: null,
  utmSource: null,
  utmMedium: null,
  utmCampaign: null,
  utmContent: null,
  utmTerm: null,
  observers: [],
  contactIds: [],
  entityTypeId: 1,
}

const LEAD_PARENTS = [1222, 1226, 1228, 1236, 1238, 1240, 1244, 1246, 1254, 1256]

function sampleLead(): Item {
  const item = emptyItem(LEAD, 250)
  Object.assign(item.values, {
    createdTime: '2024-07-22T16:00:08Z',
    updatedTime: '2024-07-22T16:00:08Z',
    createdBy: 1,
    updatedBy: 1,
    assignedById: 1,
    opened: true,
    companyId: null,
    stageId: 'IN_PROCESS',
    statusDescription: null,
    stageSemanticId: 'P',
    opportunity: 999.9,
    currencyId: 'USD',
    sourceId: 'TRADE_SHOW',
    sourceDescription: 'Exhibition about admins',
    title: 'Lead #250',
    name: 'Admin',
    lastName: 'Admins',
    secondName: 'Admin',
    companyTitle: 'Administrative Company',
    post: 'Admin',
    comments: '[B]Comment about admin[/B]',
    webformId: 0,
    birthdate: '2000-01-01',
    honorific: 'UC_N1LWUS',
    hasPhone: true,
    hasEmail: true,
    hasImol: false,
    isReturnCustomer: false,
    searchContent: LEAD_SAMPLE.searchContent,
    isManualOpportunity: true,
    movedBy: 1,
    movedTime: '2024-07-22T15:00:08Z',
    lastActivityBy: 1,
    lastActivityTime: '2024-07-22T15:00:08Z',
    fm: [
      { id: 101, typeId: 'PHONE', valueType: 'WORK', value: '+6111111111' },
      { id: 102, typeId: 'EMAIL', valueType: 'WORK', value: 'admin@example.com' },
    ],
  })
  item.uf['UF_CRM_1720019876534'] = '321'
  return item
}

/** The deal of the crm-item-add.md "Response Handling" sample, verbatim. */
const DEAL_SAMPLE = {
  id: 342,
  createdTime: '2024-07-18T14:00:14+02:00',
  dateCreateShort: null,
  updatedTime: '2024-07-18T14:00:14+02:00',
  dateModifyShort: null,
  createdBy: 1,
  updatedBy: 1,
  assignedById: 6,
  opened: 'N',
  leadId: 102,
  companyId: 5,
  contactId: 4,
  quoteId: 7,
  title: 'New deal (specifically for rest method examples)',
  productId: null,
  categoryId: 9,
  stageId: 'C9:UC_KN8KFI',
  stageSemanticId: 'P',
  isNew: 'N',
  isRecurring: 'N',
  isReturnCustomer: 'N',
  isRepeatedApproach: 'Y',
  closed: 'N',
  typeId: 'SERVICE',
  opportunity: 999.99,
  isManualOpportunity: 'Y',
  taxValue: 0,
  currencyId: 'EUR',
  probability: 50,
  comments: '\nExample comment inside the deal\n',
  begindate: '2024-06-18T02:00:00+02:00',
  begindateShort: null,
  closedate: '2024-07-30T02:00:00+02:00',
  closedateShort: null,
  eventDate: null,
  eventDateShort: null,
  eventId: null,
  eventDescription: null,
  locationId: null,
  webformId: null,
  sourceId: 'WEB',
  sourceDescription: 'There should be an additional description about the source',
  originatorId: null,
  originId: null,
  additionalInfo: 'There should be additional information',
  searchContent: null,
  orderStage: null,
  movedBy: 1,
  movedTime: '2024-07-18T14:00:14+02:00',
  lastActivityBy: 1,
  lastActivityTime: '2024-07-18T14:00:14+02:00',
  isWork: null,
  isWon: null,
  isLose: null,
  receivedAmount: null,
  lostAmount: null,
  hasProducts: null,
  ufCrm_1721244707107: 1111.1,
  parentId1220: 2,
  utmSource: 'google',
  utmMedium: 'CPC',
  utmCampaign: null,
  utmContent: null,
  utmTerm: null,
  observers: [2, 3],
  contactIds: [4, 5],
  entityTypeId: 2,
}

function sampleDeal(): Item {
  const item = emptyItem(DEAL, 342)
  Object.assign(item.values, {
    createdTime: '2024-07-18T12:00:14Z',
    updatedTime: '2024-07-18T12:00:14Z',
    createdBy: 1,
    updatedBy: 1,
    assignedById: 6,
    opened: false,
    leadId: 102,
    companyId: 5,
    contactId: 4,
    quoteId: 7,
    title: 'New deal (specifically for rest method examples)',
    categoryId: 9,
    stageId: 'C9:UC_KN8KFI',
    stageSemanticId: 'P',
    isNew: false,
    isRecurring: false,
    isReturnCustomer: false,
    isRepeatedApproach: true,
    closed: false,
    typeId: 'SERVICE',
    opportunity: 999.99,
    isManualOpportunity: true,
    taxValue: 0,
    currencyId: 'EUR',
    probability: 50,
    comments: '\nExample comment inside the deal\n',
    begindate: '2024-06-18',
    closedate: '2024-07-30',
    sourceId: 'WEB',
    sourceDescription: 'There should be an additional description about the source',
    additionalInfo: 'There should be additional information',
    movedBy: 1,
    movedTime: '2024-07-18T12:00:14Z',
    lastActivityBy: 1,
    lastActivityTime: '2024-07-18T12:00:14Z',
    utmSource: 'google',
    utmMedium: 'CPC',
    observers: [2, 3],
    contactIds: [4, 5],
  })
  item.uf['UF_CRM_1721244707107'] = 1111.1
  item.parents[1220] = 2
  return item
}

describe('itemToWire', () => {
  it('renders the crm-item-get.md lead sample key by key, in order', () => {
    const wire = itemToWire(LEAD, sampleLead(), {
      timeZoneOffsetMinutes: PLUS_TWO,
      useOriginalUfNames: false,
      parentEntityTypeIds: LEAD_PARENTS,
    })
    expect(Object.keys(wire)).toEqual(Object.keys(LEAD_SAMPLE))
    for (const [key, value] of Object.entries(LEAD_SAMPLE)) expect([key, wire[key]]).toEqual([key, value])
    expect(JSON.stringify(wire)).toBe(JSON.stringify(LEAD_SAMPLE))
  })

  it('renders the crm-item-add.md deal sample key by key, in order', () => {
    const wire = itemToWire(DEAL, sampleDeal(), {
      timeZoneOffsetMinutes: PLUS_TWO,
      useOriginalUfNames: false,
      parentEntityTypeIds: [1220],
    })
    expect(JSON.stringify(wire)).toBe(JSON.stringify(DEAL_SAMPLE))
  })

  it('keys custom fields by their UPPER names with useOriginalUfNames', () => {
    const wire = itemToWire(DEAL, sampleDeal(), {
      timeZoneOffsetMinutes: PLUS_TWO,
      useOriginalUfNames: true,
      parentEntityTypeIds: [1220],
    })
    expect(wire['UF_CRM_1721244707107']).toBe(1111.1)
    expect('ufCrm_1721244707107' in wire).toBe(false)
    const keys = Object.keys(wire)
    expect(keys.indexOf('UF_CRM_1721244707107')).toBe(keys.indexOf('hasProducts') + 1)
  })

  it('prints unset companyId/contactId as 0 and other unset values as null', () => {
    const wire = itemToWire(DEAL, emptyItem(DEAL, 1), { timeZoneOffsetMinutes: 0, useOriginalUfNames: false })
    expect(wire['companyId']).toBe(0)
    expect(wire['contactId']).toBe(0)
    expect(wire['leadId']).toBeNull()
    expect(wire['quoteId']).toBeNull()
    expect(wire['observers']).toEqual([])
    expect(wire['contactIds']).toEqual([])
    expect(wire['entityTypeId']).toBe(2)
  })

  it('makes records with the keys in order, from values by position', () => {
    const make = recordMaker(['b', 'a', 'ufCrm_1', 'quote"d\\'])
    expect(recordMaker(['b', 'a', 'ufCrm_1', 'quote"d\\'])).toBe(make)
    const record = make([1, null, [2], 'x'])
    expect(Object.keys(record)).toEqual(['b', 'a', 'ufCrm_1', 'quote"d\\'])
    expect(record).toEqual({ b: 1, a: null, ufCrm_1: [2], 'quote"d\\': 'x' })
    const odd = recordMaker(['__proto__', 'x'])([{ polluted: true }, 1])
    expect(Object.getPrototypeOf(odd)).toBe(Object.prototype)
    expect(Object.keys(odd)).toEqual(['__proto__', 'x'])
    expect(JSON.stringify(odd)).toBe('{"__proto__":{"polluted":true},"x":1}')
  })

  it('prints date-only values as midnight UTC in the portal offset (the ConvertDate quirk)', () => {
    expect(dateToWire('2000-01-01', 120)).toBe('2000-01-01T02:00:00+02:00')
    expect(dateToWire('2025-04-29', 180)).toBe('2025-04-29T03:00:00+03:00')
    expect(dateToWire('2000-01-01', 0)).toBe('2000-01-01T00:00:00+00:00')
    // A negative offset shows the previous evening (server-behaviour.md §1.D item 31).
    expect(dateToWire('2000-01-01', -300)).toBe('1999-12-31T19:00:00-05:00')
  })

  it('prints dates and datetimes exactly as formatIsoWithOffset does (calendar arithmetic, no Date)', () => {
    // The reference: the stored value through Date, as the formatter was first written.
    const dateTimeReference = (value: string, offset: number): string | null => {
      const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(value) ? Date.parse(value) : Number.NaN
      return Number.isNaN(ms) ? null : formatIsoWithOffset(ms, offset)
    }
    const dateReference = (value: string, offset: number): string | null => {
      const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value)
      if (!match) return null
      const date = new Date(Date.UTC(2000, Number(match[2]) - 1, Number(match[3])))
      date.setUTCFullYear(Number(match[1]))
      return Number.isFinite(date.getTime()) ? formatIsoWithOffset(date.getTime(), offset) : null
    }
    const offsets = [0, 1, -1, 59, 60, 180, -300, 330, 345, 840, -720, 1439, -1439, 1440, 90.5]
    const pad = (n: number, width: number) => String(n).padStart(width, '0')
    let seed = 7
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % n
    }
    const values = [
      '0001-01-01T00:00:00Z',
      '9999-12-31T23:59:59Z',
      '2024-02-29T23:30:00Z',
      '2023-02-29T00:00:00Z',
      '2024-13-01T00:00:00Z',
      '2024-04-31T00:00:00Z',
      '2024-01-01T24:00:00Z',
      '2024-01-01T23:60:00Z',
      '2024-01-01T23:59:60Z',
      '2024-01-01T00:00:00',
      '2024-01-01 00:00:00Z',
      '2024-1-01T00:00:00Z',
      '２０２４-01-01T00:00:00Z',
      '2024-01-01',
      '2024-01-01T00:00:00+03:00',
      '0000-01-01T00:00:00Z',
      '',
    ]
    for (let i = 0; i < 600; i++) {
      const year = [1, 2, 99, 100, 1582, 1900, 1970, 2000, 2024, 9999][next(10)] ?? 2024
      values.push(
        `${pad(year + (next(3) === 0 ? next(30) : 0), 4)}-${pad(1 + next(13), 2)}-${pad(next(33), 2)}T${pad(next(25), 2)}:${pad(next(61), 2)}:${pad(next(61), 2)}Z`,
      )
    }
    for (const value of values) {
      for (const offset of offsets) {
        expect(dateTimeToWire(value, offset), `${value} ${offset}`).toBe(dateTimeReference(value, offset))
        expect(dateToWire(value, offset), `${value} ${offset}`).toBe(dateReference(value, offset))
      }
    }
  })

  it('renders each built-in type with entityTypeId last and no hidden or service fields', () => {
    for (const type of [LEAD, DEAL, CONTACT, COMPANY, QUOTE, SMART_INVOICE]) {
      const wire = itemToWire(type, emptyItem(type, 7), {
        timeZoneOffsetMinutes: 0,
        useOriginalUfNames: false,
      })
      const keys = Object.keys(wire)
      expect(keys[0]).toBe('id')
      expect(keys.at(-1)).toBe('entityTypeId')
      expect(wire['id']).toBe(7)
      expect(keys).not.toContain('contacts')
      expect(keys).not.toContain('companies')
      expect(keys).not.toContain('fullName')
      expect(keys).not.toContain('birthdaySort')
    }
  })

  it('renders contact multifield aliases and file fields', () => {
    const contact = emptyItem(CONTACT, 3)
    contact.values['fm'] = [
      { id: 1, typeId: 'EMAIL', valueType: 'HOME', value: 'home@example.com' },
      { id: 2, typeId: 'PHONE', valueType: 'MOBILE', value: '+1' },
      { id: 3, typeId: 'IM', valueType: 'IMOL', value: 'imol|1' },
    ]
    contact.values['photo'] = 55
    const wire = itemToWire(CONTACT, contact, {
      timeZoneOffsetMinutes: 0,
      useOriginalUfNames: false,
      fileUrl: ({ fileId }) => ({ url: `/f/${fileId}`, urlMachine: `/m/${fileId}` }),
    })
    expect(wire['emailHome']).toBe('home@example.com')
    expect(wire['email']).toBe('home@example.com')
    expect(wire['phoneMobile']).toBe('+1')
    expect(wire['phone']).toBe('+1')
    expect(wire['phoneWork']).toBe('')
    expect(wire['imol']).toBe('imol|1')
    // "crm.item.get then returns the photo as a number, such as 36933" (how-to-make-contact-edit-card.md).
    expect(wire['photo']).toBe(55)
    expect(wire['companyId']).toBe(0)
    expect(wire['companyIds']).toEqual([])
  })

  it('renders a smart process by its toggles', () => {
    const hr = dynamicTypeDescriptor({
      ...SMART_PROCESS_DEFAULT_FLAGS,
      id: 5,
      entityTypeId: 1032,
      title: 'HR',
      isStagesEnabled: true,
      isClientEnabled: true,
    })
    const item = emptyItem(hr, 1)
    item.values['stageId'] = 'DT1032_7:NEW'
    const wire = itemToWire(hr, item, { timeZoneOffsetMinutes: 0, useOriginalUfNames: false })
    expect(wire['stageId']).toBe('DT1032_7:NEW')
    expect(wire['contactIds']).toEqual([])
    expect('begindate' in wire).toBe(false)
    expect('observers' in wire).toBe(false)
    expect(Object.keys(wire).at(-1)).toBe('entityTypeId')
  })

  it('outputs only the selected keys, id always, in item order', () => {
    const wire = itemToWire(LEAD, sampleLead(), {
      timeZoneOffsetMinutes: PLUS_TWO,
      useOriginalUfNames: false,
      parentEntityTypeIds: LEAD_PARENTS,
      select: ['isManualOpportunity', 'name', 'title', 'stageId'],
    })
    expect(wire).toEqual({
      id: 250,
      stageId: 'IN_PROCESS',
      title: 'Lead #250',
      name: 'Admin',
      isManualOpportunity: 'Y',
    })
    expect(Object.keys(wire)).toEqual(['id', 'stageId', 'title', 'name', 'isManualOpportunity'])
  })
})

describe('resolveItemSelect', () => {
  const context = {
    userFieldKeys: itemUserFieldKeys(LEAD, ['UF_CRM_1720019876534', 'UF_CRM_DIGIT'], false),
    parentEntityTypeIds: [1222],
  }

  it('means the whole item for *, an empty or a missing select', () => {
    expect(resolveItemSelect(LEAD, ['*'], context)).toBeUndefined()
    expect(resolveItemSelect(LEAD, ['title', '*'], context)).toBeUndefined()
    expect(resolveItemSelect(LEAD, [], context)).toBeUndefined()
    expect(resolveItemSelect(LEAD, undefined, context)).toBeUndefined()
  })

  it('takes camelCase and UPPER_CASE names and always adds id', () => {
    expect(resolveItemSelect(LEAD, ['STAGE_ID', 'title', 'ASSIGNED_BY_ID'], context)).toEqual([
      'id',
      'stageId',
      'title',
      'assignedById',
    ])
  })

  it('drops fm, entityTypeId, unknown and service names', () => {
    expect(
      resolveItemSelect(LEAD, ['fm', 'FM', 'entityTypeId', 'nope', 'contacts', 'stageid'], context),
    ).toEqual(['id'])
  })

  it('expands UF_* and resolves custom and parent fields in both spellings', () => {
    expect(resolveItemSelect(LEAD, ['UF_*'], context)).toEqual(['id', 'ufCrm_1720019876534', 'ufCrmDigit'])
    expect(
      resolveItemSelect(
        LEAD,
        ['UF_CRM_DIGIT', 'ufCrm_1720019876534', 'PARENT_ID_1222', 'parentId9'],
        context,
      ),
    ).toEqual(['id', 'ufCrmDigit', 'ufCrm_1720019876534', 'parentId1222'])
  })
})
