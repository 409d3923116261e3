import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, TEST_START_MS, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import { createUser, type NewUser } from '../../src/portal/users.js'
import { createWebhook } from '../../src/portal/webhooks.js'
import { createPortal } from '../../src/portal/portal.js'

/** crm.currency.list / get / fields / base.get (api-reference/crm/currency/) on every store this run covers. */

type Row = Record<string, unknown>

const T0 = '2026-01-15T10:00:00+00:00'

/** USD as crm-currency-get.md:291-325 shows it, in the `en` localization of a new English portal. */
const USD = {
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
  DATE_UPDATE: T0,
}

const EUR = {
  CURRENCY: 'EUR',
  AMOUNT_CNT: '1',
  AMOUNT: '1.1385',
  SORT: '200',
  BASE: 'N',
  FULL_NAME: 'Euro',
  LID: 'en',
  FORMAT_STRING: '€#',
  DEC_POINT: '.',
  THOUSANDS_SEP: null,
  DECIMALS: '2',
  DATE_UPDATE: T0,
}

describe.each(STORE_KINDS)('crm.currency.* on %s', (storeKind) => {
  let t: TestApp
  let employee: string
  let extranet: string

  async function hookFor(input: NewUser): Promise<string> {
    const store = t.app.store
    const user = await createUser(store, store.db, 1, input, TEST_START_MS)
    const { code } = await createWebhook(store.db, { portalId: 1, userId: user.id }, TEST_START_MS)
    return `/rest/${user.id}/${code}/`
  }

  beforeAll(async () => {
    t = await createTestApp({ store: storeKind })
    employee = await hookFor({ name: 'Eve' })
    extranet = await hookFor({ name: 'Ext', userType: 'extranet' })
  })

  afterAll(async () => {
    await t.close()
  })

  it('crm.currency.list runs the page example: every currency, no LANG, total 0', async () => {
    const { status, body } = await t.call('crm.currency.list', { order: { sort: 'asc', currency: 'asc' } })
    expect(status).toBe(200)
    expect(body['result']).toStrictEqual([USD, EUR])
    expect(Object.keys((body['result'] as Row[])[0]!)).toEqual(Object.keys(USD))
    // "Currently always has a value of 0"
    expect(body['total']).toBe(0)
    expect(body).not.toHaveProperty('next')
  })

  it('orders by any field in either case, ignores unknown fields, and works for employees and PHP clients', async () => {
    const codes = async (params: Row, options = {}) =>
      ((await t.call('crm.currency.list', params, options)).body['result'] as Row[]).map((c) => c['CURRENCY'])
    expect(await codes({ order: { SORT: 'DESC' } })).toEqual(['EUR', 'USD'])
    expect(await codes({ order: { amount: 'desc' } }, { via: 'form' })).toEqual(['EUR', 'USD'])
    expect(await codes({ order: { CURRENCY: 'asc' } }, { prefix: employee })).toEqual(['EUR', 'USD'])
    expect(await codes({ order: { NOPE: 'desc' } }, { via: 'get' })).toEqual(['USD', 'EUR'])
    expect(await codes({})).toEqual(['USD', 'EUR'])
  })

  it('crm.currency.get answers the page example with the localizations in LANG', async () => {
    const { status, body } = await t.call('crm.currency.get', { id: 'USD' })
    expect(status).toBe(200)
    expect(body['result']).toStrictEqual({
      ...USD,
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
    const lower = await t.call('crm.currency.get', { ID: 'eur' }, { via: 'form' })
    expect(lower.body['result']).toMatchObject(EUR)
  })

  it('prints DATE_UPDATE in the portal`s offset', async () => {
    const store = t.app.store
    const portal = await createPortal(store, { timeZoneOffset: 180 }, TEST_START_MS)
    const { code } = await createWebhook(store.db, { portalId: portal.id, userId: 1 }, TEST_START_MS)
    const { body } = await t.call('crm.currency.get', { id: 'USD' }, { prefix: `/rest/1/${code}/` })
    expect((body['result'] as Row)['DATE_UPDATE']).toBe('2026-01-15T13:00:00+03:00')
    const base = await t.call('crm.currency.base.get', {}, { prefix: `/rest/1/${code}/` })
    expect(base.body['result']).toBe('USD')
  })

  it('crm.currency.get errors as the page lists them', async () => {
    for (const [params, description] of [
      [{ id: 'XYZ' }, 'Not found'],
      [{}, 'ID is not defined or invalid.'],
    ] as const) {
      const { status, body } = await t.call('crm.currency.get', params)
      expect(status).toBe(400)
      expect(body).toStrictEqual({ error: '', error_description: description })
    }
  })

  it('crm.currency.fields answers the descriptions of crm-currency-fields.md', async () => {
    const { status, body } = await t.call('crm.currency.fields')
    expect(status).toBe(200)
    const fields = body['result'] as Record<string, Row>
    expect(Object.keys(fields)).toEqual([
      'CURRENCY',
      'AMOUNT_CNT',
      'AMOUNT',
      'BASE',
      'SORT',
      'DATE_UPDATE',
      'LID',
      'FORMAT_STRING',
      'FULL_NAME',
      'DEC_POINT',
      'THOUSANDS_SEP',
      'DECIMALS',
      'LANG',
    ])
    expect(fields['AMOUNT_CNT']).toStrictEqual({
      type: 'int',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Face value',
    })
    expect(fields['LANG']).toMatchObject({
      type: 'currency_localization',
      isMultiple: true,
      title: 'Language binding',
    })
    expect(fields['BASE']).toMatchObject({ type: 'char', isReadOnly: true })
  })

  it('crm.currency.base.get answers "USD" to any user; the rest refuse extranet users', async () => {
    const { status, body } = await t.call('crm.currency.base.get', {}, { prefix: extranet })
    expect(status).toBe(200)
    expect(body['result']).toBe('USD')
    for (const method of ['crm.currency.list', 'crm.currency.get', 'crm.currency.fields']) {
      const denied = await t.call(method, { id: 'USD' }, { prefix: extranet })
      expect(denied.status).toBe(400)
      expect(denied.body).toStrictEqual({ error: '', error_description: 'Access denied.' })
    }
  })
})
