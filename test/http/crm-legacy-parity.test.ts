import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import { addFunnel, addUsersUpTo, setPortal } from '../helpers/item-fixtures.js'
import { resultOf } from '../helpers/legacy-fixtures.js'
import { LEGACY_ENTITIES } from '../../src/crm/legacy/registry.js'
import type { LegacyEntity } from '../../src/crm/legacy/legacy-entity.js'

/**
 * One domain, two dialects: for every writable field of crm.lead.fields / crm.deal.fields / crm.contact.fields /
 * crm.company.fields, a value written through the legacy method is read back identically through crm.item.get,
 * and a value written through crm.item.update is read back through the legacy get (or list, for the binding
 * lists get does not print). The address fields exist only in the legacy dialect (crm.item.* shows the
 * disabled `address: null`): they are read back through the legacy get.
 */

interface Fixtures {
  companies: [number, number]
  contacts: [number, number]
}

interface Row {
  /** The legacy field written. */
  legacy: string
  value: unknown
  /** What crm.X.get prints for it afterwards (default: `value` as a string). */
  shown?: unknown
  /** The universal field and what crm.item.get prints; absent: a legacy-only field. */
  item?: string
  expected?: unknown
  /** crm.item.update's value and what the legacy method prints then; absent: crm.item.* cannot write it. */
  reverse?: { value: unknown; shown: unknown }
  /** Write it through add instead of update (immutable fields). */
  onAdd?: boolean
  /** Read the legacy value through list with an explicit select (binding lists). */
  viaList?: boolean
  /** The legacy dialect never prints it (a deal's CONTACT_IDS, crm-deal-list.md). */
  neverShown?: boolean
}

type RowsOf = (f: Fixtures) => Row[]

const text = (legacy: string, item: string): Row => ({
  legacy,
  value: `${legacy} forward`,
  item,
  expected: `${legacy} forward`,
  reverse: { value: `${legacy} back`, shown: `${legacy} back` },
})
const flag = (legacy: string, item: string): Row => ({
  legacy,
  value: 'Y',
  item,
  expected: 'Y',
  reverse: { value: 'N', shown: 'N' },
})
const utm = (): Row[] =>
  ['utmSource', 'utmMedium', 'utmCampaign', 'utmContent', 'utmTerm'].map((name) =>
    text(name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase(), name),
  )

/** A legacy-only text field (the address block): written and read back through the legacy dialect. */
const legacyOnly = (legacy: string, value: unknown = `${legacy} value`, shown: unknown = value): Row => ({
  legacy,
  value,
  shown,
})
const address = (prefix: 'ADDRESS' | 'REG_ADDRESS', first = true): Row[] => [
  ...(first ? [legacyOnly(prefix)] : []),
  ...['2', 'CITY', 'POSTAL_CODE', 'REGION', 'PROVINCE', 'COUNTRY', 'COUNTRY_CODE'].map((p) =>
    legacyOnly(`${prefix}_${p}`),
  ),
  legacyOnly(`${prefix}_LOC_ADDR_ID`, 77, '77'),
]

/** A multifield: appended through either dialect, the same record on both sides. */
const multifield = (typeId: string, value: string, valueType: string, back: string): Row => ({
  legacy: typeId,
  value: [{ VALUE: value, VALUE_TYPE: valueType }],
  shown: [
    { ID: expect.stringMatching(/^\d+$/) as unknown, VALUE_TYPE: valueType, VALUE: value, TYPE_ID: typeId },
  ],
  item: 'fm',
  expected: [{ id: expect.any(Number) as unknown, valueType, value, typeId }],
  reverse: {
    value: [{ typeId, valueType, value: back }],
    shown: [
      { ID: expect.stringMatching(/^\d+$/) as unknown, VALUE_TYPE: valueType, VALUE: back, TYPE_ID: typeId },
    ],
  },
})
const multifields = (): Row[] => [
  multifield('PHONE', '+49 30 1234', 'MOBILE', '+49 30 9999'),
  multifield('EMAIL', 'a@example.com', 'HOME', 'b@example.com'),
  multifield('WEB', 'example.com', 'WORK', 'example.org'),
  multifield('IM', 'skype:me', 'SKYPE', 'skype:you'),
  multifield('LINK', 'link-1', 'USER', 'link-2'),
]

const money = (legacy: string, item: string): Row => ({
  legacy,
  value: '1234,5',
  shown: '1234.50',
  item,
  expected: 1234.5,
  reverse: { value: 99.9, shown: '99.90' },
})
const user = (legacy: string): Row => ({
  legacy,
  value: 2,
  item: 'assignedById',
  expected: 2,
  reverse: { value: 3, shown: '3' },
})
const status = (legacy: string, item: string, forward: string, back: string): Row => ({
  legacy,
  value: forward,
  item,
  expected: forward,
  reverse: { value: back, shown: back },
})
const date = (legacy: string, item: string): Row => ({
  legacy,
  value: '04.03.1985',
  shown: '1985-03-04T02:00:00+02:00',
  item,
  expected: '1985-03-04T02:00:00+02:00',
  reverse: { value: '1990-12-31', shown: '1990-12-31T02:00:00+02:00' },
})

const LEAD_ROWS: RowsOf = (f) => [
  text('TITLE', 'title'),
  status('HONORIFIC', 'honorific', 'HNR_EN_2', 'HNR_EN_3'),
  text('NAME', 'name'),
  text('SECOND_NAME', 'secondName'),
  text('LAST_NAME', 'lastName'),
  date('BIRTHDATE', 'birthdate'),
  text('COMPANY_TITLE', 'companyTitle'),
  status('SOURCE_ID', 'sourceId', 'WEB', 'EMAIL'),
  text('SOURCE_DESCRIPTION', 'sourceDescription'),
  status('STATUS_ID', 'stageId', 'PROCESSED', 'IN_PROCESS'),
  text('STATUS_DESCRIPTION', 'statusDescription'),
  text('POST', 'post'),
  ...address('ADDRESS'),
  status('CURRENCY_ID', 'currencyId', 'EUR', 'USD'),
  money('OPPORTUNITY', 'opportunity'),
  flag('IS_MANUAL_OPPORTUNITY', 'isManualOpportunity'),
  { ...flag('OPENED', 'opened'), value: 'N', expected: 'N', reverse: { value: 'Y', shown: 'Y' } },
  text('COMMENTS', 'comments'),
  user('ASSIGNED_BY_ID'),
  {
    legacy: 'COMPANY_ID',
    value: f.companies[0],
    item: 'companyId',
    expected: f.companies[0],
    reverse: { value: f.companies[1], shown: String(f.companies[1]) },
  },
  {
    legacy: 'CONTACT_ID',
    value: f.contacts[0],
    item: 'contactId',
    expected: f.contacts[0],
    reverse: { value: f.contacts[1], shown: String(f.contacts[1]) },
  },
  {
    legacy: 'CONTACT_IDS',
    value: [f.contacts[1], f.contacts[0]],
    shown: [f.contacts[1], f.contacts[0]],
    item: 'contactIds',
    expected: [f.contacts[1], f.contacts[0]],
    reverse: { value: [f.contacts[0]], shown: [f.contacts[0]] },
    viaList: true,
  },
  text('ORIGINATOR_ID', 'originatorId'),
  text('ORIGIN_ID', 'originId'),
  ...utm(),
  ...multifields(),
]

const DEAL_ROWS: RowsOf = (f) => [
  text('TITLE', 'title'),
  status('TYPE_ID', 'typeId', 'GOODS', 'SERVICE'),
  // Immutable: set on add only (crm.deal.update ignores it); crm.item.update moves the deal.
  {
    legacy: 'CATEGORY_ID',
    value: 1,
    shown: '1',
    item: 'categoryId',
    expected: 1,
    reverse: { value: 0, shown: '0' },
    onAdd: true,
  },
  status('STAGE_ID', 'stageId', 'PREPARATION', 'EXECUTING'),
  flag('IS_RECURRING', 'isRecurring'),
  // Writable in the legacy dialect, read-only in crm.item.*.
  { legacy: 'IS_RETURN_CUSTOMER', value: 'Y', item: 'isReturnCustomer', expected: 'Y' },
  { legacy: 'IS_REPEATED_APPROACH', value: 'Y', item: 'isRepeatedApproach', expected: 'Y' },
  {
    legacy: 'PROBABILITY',
    value: '99',
    item: 'probability',
    expected: 99,
    reverse: { value: 10, shown: '10' },
  },
  status('CURRENCY_ID', 'currencyId', 'EUR', 'USD'),
  money('OPPORTUNITY', 'opportunity'),
  flag('IS_MANUAL_OPPORTUNITY', 'isManualOpportunity'),
  money('TAX_VALUE', 'taxValue'),
  {
    legacy: 'COMPANY_ID',
    value: f.companies[0],
    item: 'companyId',
    expected: f.companies[0],
    reverse: { value: f.companies[1], shown: String(f.companies[1]) },
  },
  {
    legacy: 'CONTACT_ID',
    value: f.contacts[0],
    item: 'contactId',
    expected: f.contacts[0],
    reverse: { value: f.contacts[1], shown: String(f.contacts[1]) },
  },
  // crm.deal.list never prints CONTACT_IDS: written through the legacy dialect, read through crm.item.*.
  {
    legacy: 'CONTACT_IDS',
    value: [f.contacts[1], f.contacts[0]],
    item: 'contactIds',
    expected: [f.contacts[1], f.contacts[0]],
    neverShown: true,
  },
  date('BEGINDATE', 'begindate'),
  date('CLOSEDATE', 'closedate'),
  { ...flag('OPENED', 'opened'), value: 'N', expected: 'N', reverse: { value: 'Y', shown: 'Y' } },
  text('COMMENTS', 'comments'),
  user('ASSIGNED_BY_ID'),
  status('SOURCE_ID', 'sourceId', 'WEB', 'EMAIL'),
  text('SOURCE_DESCRIPTION', 'sourceDescription'),
  text('ADDITIONAL_INFO', 'additionalInfo'),
  { legacy: 'LOCATION_ID', value: 5, item: 'locationId', expected: 5, reverse: { value: 6, shown: '6' } },
  text('ORIGINATOR_ID', 'originatorId'),
  text('ORIGIN_ID', 'originId'),
  ...utm(),
]

const CONTACT_ROWS: RowsOf = (f) => [
  status('HONORIFIC', 'honorific', 'HNR_EN_2', 'HNR_EN_3'),
  text('NAME', 'name'),
  text('SECOND_NAME', 'secondName'),
  text('LAST_NAME', 'lastName'),
  date('BIRTHDATE', 'birthdate'),
  status('TYPE_ID', 'typeId', 'SUPPLIER', 'PARTNER'),
  status('SOURCE_ID', 'sourceId', 'WEB', 'EMAIL'),
  text('SOURCE_DESCRIPTION', 'sourceDescription'),
  text('POST', 'post'),
  ...address('ADDRESS'),
  text('COMMENTS', 'comments'),
  { ...flag('OPENED', 'opened'), value: 'N', expected: 'N', reverse: { value: 'Y', shown: 'Y' } },
  { ...flag('EXPORT', 'export'), value: 'N', expected: 'N', reverse: { value: 'Y', shown: 'Y' } },
  user('ASSIGNED_BY_ID'),
  {
    legacy: 'COMPANY_ID',
    value: f.companies[0],
    item: 'companyId',
    expected: f.companies[0],
    reverse: { value: f.companies[1], shown: String(f.companies[1]) },
  },
  {
    legacy: 'COMPANY_IDS',
    value: [f.companies[1], f.companies[0]],
    shown: [f.companies[1], f.companies[0]],
    item: 'companyIds',
    expected: [f.companies[1], f.companies[0]],
    reverse: { value: [f.companies[0]], shown: [f.companies[0]] },
    viaList: true,
  },
  text('ORIGINATOR_ID', 'originatorId'),
  text('ORIGIN_ID', 'originId'),
  text('ORIGIN_VERSION', 'originVersion'),
  ...utm(),
  ...multifields(),
]

const COMPANY_ROWS: RowsOf = (f) => [
  text('TITLE', 'title'),
  status('COMPANY_TYPE', 'typeId', 'PARTNER', 'SUPPLIER'),
  ...address('ADDRESS'),
  // ADDRESS_LEGAL and REG_ADDRESS are two names of the legal address's first line, `addressLegal`.
  { legacy: 'ADDRESS_LEGAL', value: 'Legal 1', item: 'addressLegal', expected: 'Legal 1' },
  { legacy: 'REG_ADDRESS', value: 'Legal 2', item: 'addressLegal', expected: 'Legal 2' },
  ...address('REG_ADDRESS', false),
  text('BANKING_DETAILS', 'bankingDetails'),
  status('INDUSTRY', 'industry', 'IT', 'MANUFACTURING'),
  status('EMPLOYEES', 'employees', 'EMPLOYEES_2', 'EMPLOYEES_3'),
  status('CURRENCY_ID', 'currencyId', 'EUR', 'USD'),
  {
    legacy: 'REVENUE',
    value: 3000000,
    item: 'revenue',
    expected: 3000000,
    reverse: { value: 12.5, shown: '12.5' },
  },
  { ...flag('OPENED', 'opened'), value: 'N', expected: 'N', reverse: { value: 'Y', shown: 'Y' } },
  text('COMMENTS', 'comments'),
  flag('IS_MY_COMPANY', 'isMyCompany'),
  user('ASSIGNED_BY_ID'),
  {
    legacy: 'CONTACT_ID',
    value: [f.contacts[1], f.contacts[0]],
    shown: [f.contacts[1], f.contacts[0]],
    item: 'contactIds',
    expected: [f.contacts[1], f.contacts[0]],
    reverse: { value: [f.contacts[0]], shown: [f.contacts[0]] },
    viaList: true,
  },
  text('ORIGINATOR_ID', 'originatorId'),
  text('ORIGIN_ID', 'originId'),
  text('ORIGIN_VERSION', 'originVersion'),
  ...utm(),
  ...multifields(),
]

const TABLES: Readonly<Record<string, RowsOf>> = {
  LEAD: LEAD_ROWS,
  DEAL: DEAL_ROWS,
  CONTACT: CONTACT_ROWS,
  COMPANY: COMPANY_ROWS,
}

const PREFIX: Readonly<Record<string, string>> = {
  LEAD: 'crm.lead',
  DEAL: 'crm.deal',
  CONTACT: 'crm.contact',
  COMPANY: 'crm.company',
}

const SAMPLE_FIXTURES: Fixtures = { companies: [1, 2], contacts: [1, 2] }

/**
 * The fields the legacy dialect writes: not read-only, not ignored (derived flags). The file fields (contact
 * PHOTO, company LOGO) take uploads and have tests of their own.
 */
function writable(entity: LegacyEntity): string[] {
  return entity.fields
    .filter((f) => !f.isReadOnly && f.writeIgnored === undefined && f.type !== 'file')
    .map((f) => f.name)
}

describe('the parity tables', () => {
  it.each(LEGACY_ENTITIES.map((e) => [e.type.name, e] as const))(
    '%s: a row for every writable legacy field',
    (name, entity) => {
      const rows = (TABLES[name] as RowsOf)(SAMPLE_FIXTURES)
      expect(rows.map((r) => r.legacy).sort()).toEqual(writable(entity).sort())
    },
  )
})

describe.each(STORE_KINDS)('legacy ↔ universal (%s)', (kind) => {
  for (const entity of LEGACY_ENTITIES) {
    const name = entity.type.name
    const prefix = PREFIX[name] as string
    const etid = entity.type.entityTypeId

    describe(prefix, () => {
      let t: TestApp
      let fixtures: Fixtures
      beforeAll(async () => {
        t = await createTestApp({ store: kind })
        await setPortal(t, { timeZoneOffset: 120 })
        await addUsersUpTo(t, 3)
        await addFunnel(t, 2, 1)
        const company = async (title: string) =>
          resultOf<number>(await t.call('crm.company.add', { fields: { TITLE: title } }))
        const contact = async (nameValue: string) =>
          resultOf<number>(await t.call('crm.contact.add', { fields: { NAME: nameValue } }))
        fixtures = {
          companies: [await company('First'), await company('Second')],
          contacts: [await contact('First'), await contact('Second')],
        }
      })
      afterAll(async () => {
        await t.close()
      })

      const rows = (TABLES[name] as RowsOf)(SAMPLE_FIXTURES).map((r) => [r.legacy, r] as const)

      const legacyRead = async (id: number, row: Row): Promise<unknown> => {
        if (row.viaList) {
          const list = resultOf<Record<string, unknown>[]>(
            await t.call(`${prefix}.list`, { filter: { ID: id }, select: ['ID', row.legacy] }),
          )
          return list[0]?.[row.legacy]
        }
        return resultOf<Record<string, unknown>>(await t.call(`${prefix}.get`, { id }))[row.legacy]
      }
      const itemRead = async (id: number, field: string): Promise<unknown> =>
        resultOf<{ item: Record<string, unknown> }>(await t.call('crm.item.get', { entityTypeId: etid, id }))
          .item[field]

      it.each(rows)('%s: legacy → crm.item.get', async (_legacy, template) => {
        const row = (TABLES[name] as RowsOf)(fixtures).find((r) => r.legacy === template.legacy) as Row
        const fields = { [row.legacy]: row.value }
        let id: number
        if (row.onAdd) {
          id = resultOf<number>(await t.call(`${prefix}.add`, { fields }))
          // An update cannot change it.
          await t.call(`${prefix}.update`, { id, fields: { [row.legacy]: 0 } })
        } else {
          id = resultOf<number>(
            await t.call(`${prefix}.add`, { fields: { TITLE: 'Parity', NAME: 'Parity' } }),
          )
          const updated = await t.call(`${prefix}.update`, { id, fields })
          expect(updated.body).toMatchObject({ result: true })
        }
        const shown = row.shown ?? (typeof row.value === 'number' ? String(row.value) : row.value)
        if (row.neverShown) {
          const listed = await t.call(`${prefix}.list`, { filter: { ID: id }, select: ['ID', row.legacy] })
          expect(resultOf(listed)).toEqual([{ ID: String(id) }])
        } else {
          expect(await legacyRead(id, row)).toEqual(shown)
        }
        if (row.item !== undefined) expect(await itemRead(id, row.item)).toEqual(row.expected)
        else if (etid !== 2) expect(await itemRead(id, 'address')).toBeNull()
      })

      const reversible = rows.filter(([, r]) => r.reverse !== undefined && r.item !== undefined)
      it.each(reversible)('%s: crm.item.update → legacy', async (_legacy, template) => {
        const row = (TABLES[name] as RowsOf)(fixtures).find((r) => r.legacy === template.legacy) as Row
        const reverse = row.reverse as { value: unknown; shown: unknown }
        const id = resultOf<number>(
          await t.call(`${prefix}.add`, { fields: { TITLE: 'Parity', NAME: 'Parity' } }),
        )
        const response = await t.call('crm.item.update', {
          entityTypeId: etid,
          id,
          fields: { [row.item as string]: reverse.value },
        })
        expect(response.status).toBe(200)
        expect(await legacyRead(id, row)).toEqual(reverse.shown)
      })
    })
  }
})
