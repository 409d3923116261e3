import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type CallResult, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import {
  addSmartProcess,
  addUsersUpTo,
  itemOf,
  PORTAL_ID,
  setPortal,
  userHook,
} from '../helpers/item-fixtures.js'
import { createWebhook } from '../../src/portal/webhooks.js'

/**
 * Custom fields through HTTP: the definition methods (crm.{lead,deal,contact,company}.userfield.*,
 * userfieldconfig.*, crm.userfield.*) and custom-field values through crm.item.* — the pages under
 * api-reference/crm/universal/user-defined-fields/, universal/userfieldconfig/, crm/{leads,deals,contacts,
 * companies}/userfield*, and the value rules of crm-item-update.md, how-to-set-paid-date-to-deal.md,
 * how-to-make-contact-edit-card.md, the edit-form tutorials. Files: crm-item-files.test.ts.
 */

type Body = Record<string, unknown>

function errorOf(response: CallResult): { status: number; error: unknown; description: unknown } {
  return {
    status: response.status,
    error: response.body['error'],
    description: response.body['error_description'],
  }
}

function resultOf(response: CallResult): unknown {
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${JSON.stringify(response.body)}`)
  return response.body['result']
}

describe.each(STORE_KINDS)('custom fields (%s)', (storeKind) => {
  let t: TestApp
  const addField = async (entity: string, fields: Body): Promise<number> =>
    resultOf(await t.call(`crm.${entity}.userfield.add`, { fields })) as number
  const addDeal = async (fields: Body, extra: Body = {}) =>
    itemOf(await t.call('crm.item.add', { entityTypeId: 2, fields, ...extra }))
  const updateDeal = (id: number, fields: Body, extra: Body = {}) =>
    t.call('crm.item.update', { entityTypeId: 2, id, fields, ...extra })
  const getDeal = async (id: number, extra: Body = {}) =>
    itemOf(await t.call('crm.item.get', { entityTypeId: 2, id, ...extra }))

  beforeEach(async () => {
    t = await createTestApp({ store: storeKind })
    await addUsersUpTo(t, 3)
  })
  afterEach(async () => {
    await t.close()
  })

  // -------------------------------------------------------------------------------------------------------
  // Reference methods
  // -------------------------------------------------------------------------------------------------------

  describe('crm.userfield.*', () => {
    it('crm.userfield.types lists the types in the documented order (crm-userfield-types.md)', async () => {
      const types = resultOf(await t.call('crm.userfield.types')) as { ID: string; title: string }[]
      expect(types.map((x) => x.ID)).toEqual([
        'string',
        'integer',
        'double',
        'boolean',
        'enumeration',
        'datetime',
        'date',
        'money',
        'url',
        'address',
        'file',
        'employee',
        'crm_status',
        'iblock_section',
        'iblock_element',
        'crm',
      ])
      expect(types[0]).toEqual({ ID: 'string', title: 'String' })
      expect(types.find((x) => x.ID === 'crm')).toEqual({ ID: 'crm', title: 'Binding to CRM Entities' })
    })

    it('crm.userfield.fields and enumeration.fields answer the documented descriptions', async () => {
      const fields = resultOf(await t.call('crm.userfield.fields')) as Record<string, Body>
      expect(Object.keys(fields)).toHaveLength(19)
      expect(fields['ID']).toEqual({ type: 'int', title: 'ID', isReadOnly: true })
      expect(fields['FIELD_NAME']).toEqual({ type: 'string', title: 'Code', isImmutable: true })
      expect(fields['LIST']).toEqual({ type: 'uf_enum_element', title: 'List elements', isMultiple: true })
      const enumeration = resultOf(await t.call('crm.userfield.enumeration.fields')) as Record<string, Body>
      expect(enumeration).toEqual({
        ID: { type: 'int', title: 'ID', isReadOnly: true },
        SORT: { type: 'int', title: 'Sorting' },
        VALUE: { type: 'string', title: 'Value' },
        DEF: { type: 'string', title: 'Default Value' },
        DEL: { type: 'string', title: 'Element Deletion Flag' },
      })
    })

    it('crm.userfield.settings.fields: double as documented; no type is the empty-code error', async () => {
      expect(resultOf(await t.call('crm.userfield.settings.fields', { type: 'double' }))).toEqual({
        DEFAULT_VALUE: { type: 'double', title: 'Default Value' },
        PRECISION: { type: 'int', title: 'Precision' },
      })
      expect(resultOf(await t.call('crm.userfield.settings.fields', { type: 'employee' }))).toEqual([])
      expect(errorOf(await t.call('crm.userfield.settings.fields', {}))).toEqual({
        status: 400,
        error: '',
        description: "Parameter 'type' is not specified or empty.",
      })
    })
  })

  // -------------------------------------------------------------------------------------------------------
  // Legacy definition methods
  // -------------------------------------------------------------------------------------------------------

  describe('crm.{entity}.userfield.*', () => {
    it('add builds UF_CRM_ names, fills defaults and labels; get prints the record (crm-lead-userfield-get.md)', async () => {
      const id = await addField('lead', {
        LABEL: 'Hello, world! Field',
        USER_TYPE_ID: 'string',
        FIELD_NAME: 'hello_world',
        MULTIPLE: 'Y',
        MANDATORY: 'N',
        SHOW_FILTER: 'Y',
        SETTINGS: { DEFAULT_VALUE: 'Default', ROWS: '3', UNKNOWN: 1 },
        SORT: 1000,
        EDIT_FORM_LABEL: { en: 'Edit', de: 'Bearbeiten' },
        LIST_COLUMN_LABEL: 'Column',
      })
      expect(id).toBeGreaterThan(0)
      const record = resultOf(await t.call('crm.lead.userfield.get', { id })) as Body
      expect(record).toMatchObject({
        ID: String(id),
        ENTITY_ID: 'CRM_LEAD',
        FIELD_NAME: 'UF_CRM_HELLO_WORLD',
        USER_TYPE_ID: 'string',
        XML_ID: null,
        SORT: '1000',
        MULTIPLE: 'Y',
        MANDATORY: 'N',
        SHOW_IN_LIST: 'N',
        EDIT_IN_LIST: 'Y',
        IS_SEARCHABLE: 'N',
        SETTINGS: { SIZE: 20, ROWS: 3, REGEXP: '', MIN_LENGTH: 0, MAX_LENGTH: 0, DEFAULT_VALUE: 'Default' },
      })
      const form = record['EDIT_FORM_LABEL'] as Record<string, string>
      expect(Object.keys(form)).toHaveLength(21)
      // A lang_map sets the languages given; LABEL fills the others.
      expect([form['en'], form['de'], form['fr']]).toEqual(['Edit', 'Bearbeiten', 'Hello, world! Field'])
      expect((record['LIST_COLUMN_LABEL'] as Record<string, string>)['ja']).toBe('Column')
      expect((record['HELP_MESSAGE'] as Record<string, string>)['en']).toBe('Hello, world! Field')
      expect(record['LIST']).toBeUndefined()

      // "UF_MANAGER_NOTE becomes UF_CRM_MANAGER_NOTE"; "UF_CRM_MANAGER_NOTE remains unchanged".
      const second = await addField('deal', { FIELD_NAME: 'UF_MANAGER_NOTE', USER_TYPE_ID: 'string' })
      const third = await addField('deal', { FIELD_NAME: 'UF_CRM_OTHER_NOTE', USER_TYPE_ID: 'string' })
      expect((resultOf(await t.call('crm.deal.userfield.get', { id: second })) as Body)['FIELD_NAME']).toBe(
        'UF_CRM_MANAGER_NOTE',
      )
      expect((resultOf(await t.call('crm.deal.userfield.get', { ID: third })) as Body)['FIELD_NAME']).toBe(
        'UF_CRM_OTHER_NOTE',
      )
    })

    it('add refuses bad names and types with the documented errors', async () => {
      const add = (fields: Body) => t.call('crm.company.userfield.add', { fields })
      expect(errorOf(await add({ USER_TYPE_ID: 'string' }))).toEqual({
        status: 400,
        error: '',
        description: "The 'FIELD_NAME' field is not found.",
      })
      expect(errorOf(await add({ FIELD_NAME: 'X', USER_TYPE_ID: '' }))).toEqual({
        status: 400,
        error: '',
        description: "The 'USER_TYPE_ID' field is not found.",
      })
      expect(errorOf(await add({ FIELD_NAME: 'X', USER_TYPE_ID: 'resourcebooking' }))).toEqual({
        status: 400,
        error: 'ERROR_CORE',
        description: 'Invalid custom type specified.',
      })
      expect(errorOf(await add({ FIELD_NAME: 'A'.repeat(44), USER_TYPE_ID: 'string' }))).toEqual({
        status: 400,
        error: 'ERROR_CORE',
        description: 'Field name is too long (more than 50 characters).',
      })
      expect(resultOf(await add({ FIELD_NAME: 'A'.repeat(43), USER_TYPE_ID: 'string' }))).toBeGreaterThan(0)
      expect(errorOf(await add({ FIELD_NAME: 'BAD-NAME', USER_TYPE_ID: 'string' }))).toEqual({
        status: 400,
        error: 'ERROR_CORE',
        description: 'Field name contains invalid characters. Allowed characters are: A-Z, 0-9 and _.',
      })
      expect(
        errorOf(
          await add({
            FIELD_NAME: 'LIST',
            USER_TYPE_ID: 'enumeration',
            LIST: [
              { VALUE: 'a', XML_ID: 'same' },
              { VALUE: 'b', XML_ID: 'same' },
            ],
          }),
        ),
      ).toEqual({
        status: 400,
        error: 'ERROR_CORE',
        description: 'List item with XML_ID=same already exists.',
      })
      expect((await t.call('crm.company.userfield.add', { fields: 'x' })).body['error_description']).toBe(
        "Parameter 'fields' must be array.",
      )
    })

    it('only CRM administrators change fields; other users read them (403 "Access denied.")', async () => {
      const id = await addField('contact', { FIELD_NAME: 'NOTE', USER_TYPE_ID: 'string' })
      const { prefix } = await userHook(t, { name: 'Plain' })
      const denied = await t.call(
        'crm.contact.userfield.add',
        { fields: { FIELD_NAME: 'X', USER_TYPE_ID: 'string' } },
        { prefix },
      )
      expect(errorOf(denied)).toEqual({ status: 403, error: '', description: 'Access denied.' })
      expect(
        errorOf(await t.call('crm.contact.userfield.update', { id, fields: { SORT: 5 } }, { prefix })),
      ).toEqual({
        status: 403,
        error: '',
        description: 'Access denied.',
      })
      expect(errorOf(await t.call('crm.contact.userfield.delete', { id }, { prefix })).status).toBe(403)
    })

    it('get: bad id, unknown id, another entity’s field', async () => {
      const id = await addField('deal', { FIELD_NAME: 'D1', USER_TYPE_ID: 'integer' })
      expect(errorOf(await t.call('crm.deal.userfield.get', { id: 0 }))).toEqual({
        status: 400,
        error: '',
        description: 'ID is not defined or invalid.',
      })
      expect(errorOf(await t.call('crm.deal.userfield.get', { id: 999 }))).toEqual({
        status: 404,
        error: 'ERROR_NOT_FOUND',
        description: "The entity with ID '999' is not found.",
      })
      expect(errorOf(await t.call('crm.lead.userfield.get', { id }))).toEqual({
        status: 403,
        error: '',
        description: 'Access denied.',
      })
    })

    it('list filters (AND, exact), orders, and prints labels only with filter.LANG (crm-lead-userfield-list.md)', async () => {
      await addField('lead', {
        FIELD_NAME: 'A',
        USER_TYPE_ID: 'string',
        SORT: 300,
        MULTIPLE: 'Y',
        LABEL: 'Alpha',
      })
      await addField('lead', {
        FIELD_NAME: 'B',
        USER_TYPE_ID: 'enumeration',
        SORT: 200,
        MULTIPLE: 'Y',
        MANDATORY: 'Y',
        EDIT_FORM_LABEL: { de: 'Beta' },
        LIST: [{ VALUE: 'one', SORT: 10 }, { VALUE: 'two', SORT: 20, DEF: 'Y' }, { VALUE: '' }],
      })
      await addField('lead', { FIELD_NAME: 'C', USER_TYPE_ID: 'date', SORT: 100 })
      await addField('deal', { FIELD_NAME: 'D', USER_TYPE_ID: 'date' })

      const all = t.call('crm.lead.userfield.list', {})
      const allBody = await all
      expect(allBody.body['total']).toBe(3)
      const records = resultOf(allBody) as Body[]
      expect(records.map((r) => r['FIELD_NAME'])).toEqual(['UF_CRM_C', 'UF_CRM_B', 'UF_CRM_A'])
      expect(records[0]).not.toHaveProperty('EDIT_FORM_LABEL')

      const filtered = resultOf(
        await t.call('crm.lead.userfield.list', {
          filter: { MULTIPLE: 'Y', MANDATORY: 'Y', LANG: 'de' },
          order: { SORT: 'ASC' },
        }),
      ) as Body[]
      expect(filtered).toHaveLength(1)
      expect(filtered[0]).toMatchObject({
        FIELD_NAME: 'UF_CRM_B',
        EDIT_FORM_LABEL: 'Beta',
        LIST_COLUMN_LABEL: null,
        ERROR_MESSAGE: null,
      })
      const list = filtered[0]?.['LIST'] as Body[]
      expect(list.map((e) => [e['VALUE'], e['SORT'], e['DEF']])).toEqual([
        ['one', '10', 'N'],
        ['two', '20', 'Y'],
      ])
      expect((list[0]?.['XML_ID'] as string).length).toBe(32)

      const byName = resultOf(
        await t.call('crm.lead.userfield.list', { order: { FIELD_NAME: 'DESC' } }),
      ) as Body[]
      expect(byName.map((r) => r['FIELD_NAME'])).toEqual(
        ['UF_CRM_C', 'UF_CRM_B', 'UF_CRM_A'].sort().reverse(),
      )
      expect(errorOf(await t.call('crm.lead.userfield.list', { filter: 'x' }))).toEqual({
        status: 400,
        error: '',
        description: "Parameter 'filter' must be array.",
      })
    })

    it('update: flags, merged settings, overwritten labels, list values with DEL (crm-lead-userfield-update.md)', async () => {
      const id = await addField('lead', {
        FIELD_NAME: 'LIST',
        USER_TYPE_ID: 'enumeration',
        LABEL: 'List',
        LIST: [
          { VALUE: 'one', XML_ID: 'x1' },
          { VALUE: 'two', XML_ID: 'x2' },
        ],
      })
      const before = resultOf(await t.call('crm.lead.userfield.get', { id })) as Body
      const [one, two] = before['LIST'] as Body[]
      const result = await t.call('crm.lead.userfield.update', {
        id,
        fields: {
          MANDATORY: 'Y',
          SORT: 50,
          SETTINGS: { LIST_HEIGHT: 5 },
          EDIT_FORM_LABEL: { de: 'Liste' },
          LIST: [
            { ID: one?.['ID'], VALUE: 'one!' },
            { ID: two?.['ID'], DEL: 'Y' },
            { VALUE: 'three', SORT: 30 },
          ],
        },
      })
      expect(resultOf(result)).toBe(true)
      const after = resultOf(await t.call('crm.lead.userfield.get', { id })) as Body
      expect(after).toMatchObject({ MANDATORY: 'Y', SORT: '50' })
      expect(after['SETTINGS']).toEqual({
        DISPLAY: 'LIST',
        LIST_HEIGHT: 5,
        CAPTION_NO_VALUE: '',
        SHOW_NO_VALUE: 'Y',
      })
      // "For languages where no value is explicitly specified, it will be recorded as ''".
      const form = after['EDIT_FORM_LABEL'] as Record<string, string>
      expect([form['de'], form['en']]).toEqual(['Liste', ''])
      expect((after['LIST'] as Body[]).map((e) => e['VALUE'])).toEqual(['one!', 'three'])

      const duplicate = await t.call('crm.lead.userfield.update', {
        id,
        fields: { LIST: [{ VALUE: 'four', XML_ID: 'x1' }] },
      })
      expect(errorOf(duplicate)).toEqual({
        status: 400,
        error: 'ERROR_CORE',
        description: "List item with value XML_ID='x1' already exists",
      })
      expect(errorOf(await t.call('crm.lead.userfield.update', { id: 12345, fields: {} })).error).toBe(
        'ERROR_NOT_FOUND',
      )
    })

    it('delete removes the field and the values items hold', async () => {
      const id = await addField('deal', { FIELD_NAME: 'GONE', USER_TYPE_ID: 'string' })
      const deal = await addDeal({ ufCrmGone: 'value' })
      expect(deal['ufCrmGone']).toBe('value')
      expect(resultOf(await t.call('crm.deal.userfield.delete', { id }))).toBe(true)
      expect(errorOf(await t.call('crm.deal.userfield.get', { id })).status).toBe(404)
      expect(await getDeal(deal['id'] as number)).not.toHaveProperty('ufCrmGone')
      // A new field of the same name starts empty.
      await addField('deal', { FIELD_NAME: 'GONE', USER_TYPE_ID: 'string' })
      expect((await getDeal(deal['id'] as number))['ufCrmGone']).toBeNull()
    })
  })

  // -------------------------------------------------------------------------------------------------------
  // crm.item.fields
  // -------------------------------------------------------------------------------------------------------

  describe('crm.item.fields', () => {
    it('shows a new field at once, camelCase or UPPER with useOriginalUfNames (crm-item-add.md example shape)', async () => {
      await addField('deal', {
        FIELD_NAME: 'UF_CRM_44_1721812814433',
        USER_TYPE_ID: 'enumeration',
        LABEL: 'Custom field (list)',
        LIST: [{ VALUE: 'List item #1' }, { VALUE: 'List item #2' }],
      })
      const fields = (
        resultOf(await t.call('crm.item.fields', { entityTypeId: 2 })) as { fields: Record<string, Body> }
      ).fields
      const field = fields['ufCrm44_1721812814433']
      expect(Object.keys(field ?? {})).toEqual([
        'type',
        'isRequired',
        'isReadOnly',
        'isImmutable',
        'isMultiple',
        'isDynamic',
        'items',
        'title',
        'listLabel',
        'formLabel',
        'filterLabel',
        'settings',
        'upperName',
      ])
      expect(field).toMatchObject({
        type: 'enumeration',
        isDynamic: true,
        title: 'Custom field (list)',
        upperName: 'UF_CRM_44_1721812814433',
        settings: { DISPLAY: 'LIST', LIST_HEIGHT: 1, CAPTION_NO_VALUE: '', SHOW_NO_VALUE: 'Y' },
      })
      expect((field?.['items'] as Body[]).map((i) => i['VALUE'])).toEqual(['List item #1', 'List item #2'])
      const upper = (
        resultOf(await t.call('crm.item.fields', { entityTypeId: 2, useOriginalUfNames: 'Y' })) as {
          fields: Record<string, Body>
        }
      ).fields
      expect(upper['UF_CRM_44_1721812814433']?.['type']).toBe('enumeration')
      expect(upper).not.toHaveProperty('ufCrm44_1721812814433')
    })
  })

  // -------------------------------------------------------------------------------------------------------
  // Values through crm.item.*
  // -------------------------------------------------------------------------------------------------------

  describe('values through crm.item.*', () => {
    beforeEach(async () => {
      await setPortal(t, { timeZoneOffset: 180 })
      await addField('deal', { FIELD_NAME: 'STR', USER_TYPE_ID: 'string', LABEL: 'Text' })
      await addField('deal', { FIELD_NAME: 'INT', USER_TYPE_ID: 'integer' })
      await addField('deal', { FIELD_NAME: 'NUM', USER_TYPE_ID: 'double', SETTINGS: { PRECISION: 1 } })
      await addField('deal', { FIELD_NAME: 'FLAG', USER_TYPE_ID: 'boolean' })
      await addField('deal', { FIELD_NAME: 'DAY', USER_TYPE_ID: 'date', LABEL: 'Payment Date' })
      await addField('deal', { FIELD_NAME: 'AT', USER_TYPE_ID: 'datetime' })
      await addField('deal', {
        FIELD_NAME: 'PICK',
        USER_TYPE_ID: 'enumeration',
        LIST: [{ VALUE: 'A' }, { VALUE: 'B' }],
      })
      await addField('deal', {
        FIELD_NAME: 'PICKS',
        USER_TYPE_ID: 'enumeration',
        MULTIPLE: 'Y',
        LIST: [{ VALUE: 'A' }, { VALUE: 'B' }, { VALUE: 'C' }],
      })
      await addField('deal', { FIELD_NAME: 'PRICE', USER_TYPE_ID: 'money' })
      await addField('deal', { FIELD_NAME: 'LINK', USER_TYPE_ID: 'url', MULTIPLE: 'Y' })
      await addField('deal', {
        FIELD_NAME: 'CLIENT',
        USER_TYPE_ID: 'crm',
        SETTINGS: { CONTACT: 'Y', COMPANY: 'Y' },
      })
      await addField('deal', { FIELD_NAME: 'LEADS', USER_TYPE_ID: 'crm', MULTIPLE: 'Y' })
      await addField('deal', { FIELD_NAME: 'WHO', USER_TYPE_ID: 'employee' })
    })

    const enumIds = async (name: string): Promise<number[]> => {
      const fields = (
        resultOf(await t.call('crm.item.fields', { entityTypeId: 2 })) as { fields: Record<string, Body> }
      ).fields
      return ((fields[name]?.['items'] ?? []) as Body[]).map((i) => Number(i['ID']))
    }

    it('reads every type into its stored form and prints it back (crm-item-add.md, object-fields.md)', async () => {
      const [a, b] = await enumIds('ufCrmPick')
      const [, pb, pc] = await enumIds('ufCrmPicks')
      const deal = await addDeal({
        ufCrmStr: 42,
        ufCrmInt: '12abc',
        ufCrmNum: '3.14159',
        ufCrmFlag: 'Y',
        ufCrmDay: '2025-04-29T13:03:20+03:00',
        ufCrmAt: '2025-04-29T13:03:20+03:00',
        ufCrmPick: String(b),
        ufCrmPicks: [pb, pc, pb],
        ufCrmPrice: '1234.56',
        ufCrmLink: ['example.com', '', 'second-example.com'],
        ufCrmClient: 'CO_3',
        ufCrmLeads: ['7', 'L_8'],
        ufCrmWho: 2,
      })
      expect(a).toBeGreaterThan(0)
      expect(deal).toMatchObject({
        ufCrmStr: '42',
        ufCrmInt: 12,
        ufCrmNum: 3.1,
        ufCrmFlag: 'Y',
        // how-to-set-paid-date-to-deal.md: "2025-04-29T03:00:00+03:00" — the date, with the technical time.
        ufCrmDay: '2025-04-29T03:00:00+03:00',
        ufCrmAt: '2025-04-29T13:03:20+03:00',
        ufCrmPick: b,
        ufCrmPicks: [pb, pc],
        // "1234.56" → default currency appended (how-to-make-contact-edit-card.md).
        ufCrmPrice: '1234.56|USD',
        ufCrmLink: ['example.com', 'second-example.com'],
        ufCrmClient: 'CO_3',
        // A field bound to one type stores the bare id.
        ufCrmLeads: ['7', '8'],
        ufCrmWho: 2,
      })
      // The custom fields come between the head system fields and the tail (utm…, observers, contactIds).
      const keys = Object.keys(deal)
      expect(keys.indexOf('ufCrmStr')).toBeGreaterThan(keys.indexOf('title'))
      expect(keys.indexOf('ufCrmWho')).toBeLessThan(keys.indexOf('utmSource'))
      expect(await getDeal(deal['id'] as number)).toEqual(deal)
    })

    it('UF_CRM_ keys: ignored without useOriginalUfNames, used (request and response) with it', async () => {
      const deal = await addDeal({ UF_CRM_STR: 'ignored', ufCrmInt: 5 })
      expect(deal['ufCrmStr']).toBeNull()
      expect(deal['ufCrmInt']).toBe(5)
      const id = deal['id'] as number
      const original = itemOf(
        await updateDeal(id, { UF_CRM_STR: 'set', UF_CRM_INT: 6 }, { useOriginalUfNames: 'Y' }),
      )
      expect(original).toMatchObject({ UF_CRM_STR: 'set', UF_CRM_INT: 6 })
      expect(original).not.toHaveProperty('ufCrmStr')
      expect((await getDeal(id))['ufCrmStr']).toBe('set')
      const listed = resultOf(
        await t.call('crm.item.list', {
          entityTypeId: 2,
          useOriginalUfNames: 'Y',
          select: ['id', 'UF_CRM_STR'],
        }),
      ) as { items: Body[] }
      expect(listed.items[0]).toEqual({ id, UF_CRM_STR: 'set' })
    })

    it('empty values: a single field clears, [] keeps a multiple field, [false] clears it; a scalar is error 100', async () => {
      const [pa] = await enumIds('ufCrmPicks')
      const deal = await addDeal({ ufCrmStr: 'x', ufCrmPicks: [pa], ufCrmLink: ['a.example'] })
      const id = deal['id'] as number
      let item = itemOf(await updateDeal(id, { ufCrmStr: '', ufCrmPicks: [], ufCrmLink: [] }))
      expect(item['ufCrmStr']).toBeNull()
      // how-to-generate-edit-form-for-deal.md: "the handler sends an empty array … the previous values".
      expect(item['ufCrmPicks']).toEqual([pa])
      expect(item['ufCrmLink']).toEqual(['a.example'])
      item = itemOf(await updateDeal(id, { ufCrmPicks: [false], ufCrmLink: [''] }))
      expect(item['ufCrmPicks']).toEqual([])
      expect(item['ufCrmLink']).toEqual([])
      expect(errorOf(await updateDeal(id, { ufCrmLink: 'one.example' }))).toEqual({
        status: 400,
        error: '100',
        description: 'Expected iterable value for multiple field, but got string instead',
      })
    })

    it('money: "|EUR" and "EUR" clear, the currency code is not checked (how-to-make-contact-edit-card.md)', async () => {
      const id = (await addDeal({ ufCrmPrice: '300|RUB' }))['id'] as number
      expect((await getDeal(id))['ufCrmPrice']).toBe('300|RUB')
      expect(itemOf(await updateDeal(id, { ufCrmPrice: '1234.56|XXX' }))['ufCrmPrice']).toBe('1234.56|XXX')
      expect(itemOf(await updateDeal(id, { ufCrmPrice: '|EUR' }))['ufCrmPrice']).toBeNull()
      await updateDeal(id, { ufCrmPrice: 5 })
      expect(itemOf(await updateDeal(id, { ufCrmPrice: 'EUR' }))['ufCrmPrice']).toBeNull()
    })

    it('booleans: Y, true, "true" are yes; N, 1, "1" are no on crm.item.* (server-behaviour.md §1.B item 14)', async () => {
      const id = (await addDeal({}))['id'] as number
      expect((await getDeal(id))['ufCrmFlag']).toBe('N')
      for (const [value, printed] of [
        ['Y', 'Y'],
        ['N', 'N'],
        [true, 'Y'],
        ['1', 'N'],
        ['true', 'Y'],
        [1, 'N'],
      ] as const) {
        expect(itemOf(await updateDeal(id, { ufCrmFlag: value }))['ufCrmFlag'], String(value)).toBe(printed)
      }
    })

    it('dates: the portal short format is read, an unreadable date keeps the old value', async () => {
      const id = (await addDeal({ ufCrmDay: '04/29/2025' }))['id'] as number
      expect((await getDeal(id))['ufCrmDay']).toBe('2025-04-29T03:00:00+03:00')
      expect(itemOf(await updateDeal(id, { ufCrmDay: 'not a date' }))['ufCrmDay']).toBe(
        '2025-04-29T03:00:00+03:00',
      )
      expect(itemOf(await updateDeal(id, { ufCrmDay: '' }))['ufCrmDay']).toBeNull()
    })

    it('invalid values are CRM_FIELD_ERROR_VALUE_NOT_VALID with the field title', async () => {
      const id = (await addDeal({}))['id'] as number
      const cases: Body[] = [
        { ufCrmPick: 99999 },
        { ufCrmClient: 'D_5' },
        { ufCrmClient: '5' },
        { ufCrmWho: 999 },
        { ufCrmStr: ['a'] },
      ]
      for (const fields of cases) {
        const error = errorOf(await updateDeal(id, fields))
        expect(error.status, JSON.stringify(fields)).toBe(400)
        expect(error.error, JSON.stringify(fields)).toBe('CRM_FIELD_ERROR_VALUE_NOT_VALID')
      }
      expect(errorOf(await updateDeal(id, { ufCrmStr: ['a'] })).description).toBe(
        'Invalid value for field "Text"',
      )
    })

    it('a change of only a custom field is saved, and an identical value is a no-op', async () => {
      const deal = await addDeal({ ufCrmInt: 1 })
      const id = deal['id'] as number
      t.clock.advance(60_000)
      const same = itemOf(await updateDeal(id, { ufCrmInt: '1' }))
      expect(same['updatedTime']).toBe(deal['updatedTime'])
      const changed = itemOf(await updateDeal(id, { ufCrmInt: 2 }))
      expect(changed['updatedTime']).not.toBe(deal['updatedTime'])
      const row = await t.app.store.db
        .selectFrom('outbox')
        .select('payload')
        .where('topic', '=', 'crm.item.updated')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow()
      expect((JSON.parse(row.payload) as { changedFields: string[] }).changedFields).toContain('UF_CRM_INT')
    })
  })

  describe('MANDATORY and defaults', () => {
    it('a mandatory field is required on add and when emptied; the portal setting switches it off', async () => {
      await addField('deal', {
        FIELD_NAME: 'MUST',
        USER_TYPE_ID: 'string',
        MANDATORY: 'Y',
        LABEL: 'Must have',
      })
      expect(errorOf(await t.call('crm.item.add', { entityTypeId: 2, fields: { title: 'x' } }))).toEqual({
        status: 400,
        error: 'CRM_FIELD_ERROR_REQUIRED',
        description: 'The "Must have" field is required',
      })
      const id = (await addDeal({ ufCrmMust: 'yes' }))['id'] as number
      // Only the required fields that changed are checked on update.
      expect((await updateDeal(id, { title: 'renamed' })).status).toBe(200)
      expect(errorOf(await updateDeal(id, { ufCrmMust: '' })).error).toBe('CRM_FIELD_ERROR_REQUIRED')
      await setPortal(t, { settings: { checkRequiredUserFields: false } })
      expect(itemOf(await updateDeal(id, { ufCrmMust: '' }))['ufCrmMust']).toBeNull()
    })

    it('a stage move within the funnel checks every mandatory field', async () => {
      const id = (await addDeal({}))['id'] as number
      await addField('deal', { FIELD_NAME: 'LATER', USER_TYPE_ID: 'integer', MANDATORY: 'Y' })
      expect((await updateDeal(id, { title: 'still fine' })).status).toBe(200)
      expect(errorOf(await updateDeal(id, { stageId: 'PREPARATION' })).error).toBe('CRM_FIELD_ERROR_REQUIRED')
      // … but not a move to a failure stage (§1.F item 43).
      expect((await updateDeal(id, { stageId: 'LOSE' })).status).toBe(200)
    })

    it('crm.item.add fills SETTINGS.DEFAULT_VALUE and the DEF list values of fields left out', async () => {
      await addField('deal', { FIELD_NAME: 'S', USER_TYPE_ID: 'string', SETTINGS: { DEFAULT_VALUE: 'dflt' } })
      await addField('deal', { FIELD_NAME: 'B', USER_TYPE_ID: 'boolean', SETTINGS: { DEFAULT_VALUE: 1 } })
      await addField('deal', {
        FIELD_NAME: 'E',
        USER_TYPE_ID: 'enumeration',
        MULTIPLE: 'Y',
        LIST: [{ VALUE: 'a', DEF: 'Y' }, { VALUE: 'b' }, { VALUE: 'c', DEF: 'Y' }],
      })
      await addField('deal', {
        FIELD_NAME: 'D',
        USER_TYPE_ID: 'date',
        SETTINGS: { DEFAULT_VALUE: { TYPE: 'NOW' } },
      })
      const deal = await addDeal({})
      expect(deal['ufCrmS']).toBe('dflt')
      expect(deal['ufCrmB']).toBe('Y')
      expect((deal['ufCrmE'] as number[]).length).toBe(2)
      expect(deal['ufCrmD']).toBe('2026-01-15T00:00:00+00:00')
      const given = await addDeal({ ufCrmS: 'mine', ufCrmB: 'N' })
      expect([given['ufCrmS'], given['ufCrmB']]).toEqual(['mine', 'N'])
    })
  })

  describe('crm.item.list', () => {
    it('filters and orders by custom fields of every kind (crm-item-list.md: booleans by 1 / 0)', async () => {
      await addField('deal', { FIELD_NAME: 'N', USER_TYPE_ID: 'integer' })
      await addField('deal', { FIELD_NAME: 'S', USER_TYPE_ID: 'string' })
      await addField('deal', { FIELD_NAME: 'F', USER_TYPE_ID: 'boolean' })
      await addField('deal', { FIELD_NAME: 'D', USER_TYPE_ID: 'date' })
      await addField('deal', { FIELD_NAME: 'X', USER_TYPE_ID: 'double' })
      await addField('deal', { FIELD_NAME: 'M', USER_TYPE_ID: 'string', MULTIPLE: 'Y' })
      const a = (
        await addDeal({
          ufCrmN: 10,
          ufCrmS: 'apple',
          ufCrmF: 'Y',
          ufCrmD: '2025-01-10',
          ufCrmX: 9.5,
          ufCrmM: ['red', 'green'],
        })
      )['id']
      const b = (
        await addDeal({
          ufCrmN: 2,
          ufCrmS: 'banana',
          ufCrmF: 'N',
          ufCrmD: '2025-03-01',
          ufCrmX: 10.25,
          ufCrmM: ['blue'],
        })
      )['id']
      const c = (await addDeal({ ufCrmN: 30 }))['id']
      const ids = async (filter: Body, order: Body = { id: 'ASC' }) =>
        (
          resultOf(await t.call('crm.item.list', { entityTypeId: 2, filter, order, select: ['id'] })) as {
            items: Body[]
          }
        ).items.map((i) => i['id'])
      expect(await ids({ '>ufCrmN': 5 })).toEqual([a, c])
      expect(await ids({}, { ufCrmN: 'DESC' })).toEqual([c, a, b])
      expect(await ids({}, { ufCrmX: 'ASC' })).toEqual([c, a, b])
      expect(await ids({ ufCrmS: 'banana' })).toEqual([b])
      expect(await ids({ '%ufCrmS': 'PPL' })).toEqual([a])
      expect(await ids({ ufCrmF: 1 })).toEqual([a])
      expect(await ids({ ufCrmF: 0 })).toEqual([b, c])
      expect(await ids({ '>=ufCrmD': '2025-02-01' })).toEqual([b])
      expect(await ids({ '>=ufCrmX': 10 })).toEqual([b])
      expect(await ids({ ufCrmM: 'green' })).toEqual([a])
      expect(await ids({ '@ufCrmM': ['blue', 'red'] })).toEqual([a, b])
      expect(await ids({ '!ufCrmM': 'blue' })).toEqual([a, c])
      expect(await ids({ ufCrmS: '' })).toEqual([c])
      expect(await ids({ UF_CRM_N: 2 })).toEqual([b])
      const error = await t.call('crm.item.list', { entityTypeId: 2, order: { ufCrmM: 'ASC' } })
      expect(errorOf(error)).toEqual({
        status: 400,
        error: 'INVALID_ARG_VALUE',
        description: "Invalid order: field 'UF_CRM_M' is not allowed in order",
      })
      const selected = resultOf(
        await t.call('crm.item.list', { entityTypeId: 2, filter: { id: a }, select: ['id', 'UF_*'] }),
      ) as { items: Body[] }
      expect(Object.keys(selected.items[0] ?? {})).toEqual([
        'id',
        'ufCrmN',
        'ufCrmS',
        'ufCrmF',
        'ufCrmD',
        'ufCrmX',
        'ufCrmM',
      ])
    })
  })

  // -------------------------------------------------------------------------------------------------------
  // The legacy methods: UF_CRM_… values
  // -------------------------------------------------------------------------------------------------------

  describe('values through crm.lead|deal|contact|company.*', () => {
    beforeEach(async () => {
      await setPortal(t, { timeZoneOffset: 120 })
      await addField('deal', { FIELD_NAME: 'S', USER_TYPE_ID: 'string' })
      await addField('deal', { FIELD_NAME: 'B', USER_TYPE_ID: 'boolean' })
      await addField('deal', { FIELD_NAME: 'N', USER_TYPE_ID: 'double' })
      await addField('deal', { FIELD_NAME: 'D', USER_TYPE_ID: 'date' })
      await addField('deal', { FIELD_NAME: 'M', USER_TYPE_ID: 'string', MULTIPLE: 'Y' })
      await addField('deal', {
        FIELD_NAME: 'E',
        USER_TYPE_ID: 'enumeration',
        LIST: [{ VALUE: 'a' }, { VALUE: 'b' }],
      })
    })
    const legacyDeal = async (id: number) => resultOf(await t.call('crm.deal.get', { id })) as Body
    const ufOf = (record: Body) =>
      Object.fromEntries(Object.entries(record).filter(([k]) => k.startsWith('UF_')))

    it('crm.deal.add / get: UF_CRM_ keys, legacy value forms (numbers as strings, booleans, ConvertDate)', async () => {
      const [enumA] = (
        (resultOf(await t.call('crm.deal.fields')) as Record<string, Body>)['UF_CRM_E']?.['items'] as Body[]
      ).map((i) => i['ID'])
      const id = resultOf(
        await t.call('crm.deal.add', {
          fields: {
            TITLE: 'Legacy',
            UF_CRM_S: 'text',
            UF_CRM_B: '1',
            UF_CRM_N: '2,5',
            UF_CRM_D: '29.04.2025',
            UF_CRM_M: ['x', 'y'],
            UF_CRM_E: enumA,
            ufCrmS: 'camel keys are not legacy names',
          },
        }),
      ) as number
      expect(ufOf(await legacyDeal(id))).toEqual({
        UF_CRM_S: 'text',
        UF_CRM_B: true,
        UF_CRM_N: '2.5',
        UF_CRM_D: '2025-04-29T02:00:00+02:00',
        UF_CRM_M: ['x', 'y'],
        UF_CRM_E: String(enumA),
      })
      // crm.deal.fields lists custom fields by name, labels as listLabel / formLabel / filterLabel.
      const fields = resultOf(await t.call('crm.deal.fields')) as Record<string, Body>
      expect(fields['UF_CRM_S']).toMatchObject({ type: 'string', isDynamic: true, title: 'UF_CRM_S' })
      // Legacy forms clear a multiple field with [false] (spec-inventory §7.2) — and with [].
      expect(
        resultOf(await t.call('crm.deal.update', { id, fields: { UF_CRM_M: [false], UF_CRM_B: 'N' } })),
      ).toBe(true)
      expect(ufOf(await legacyDeal(id))).toMatchObject({ UF_CRM_M: [], UF_CRM_B: false })
    })

    it('a value written through crm.item.update reads back through crm.deal.get, and the reverse', async () => {
      const id = (await addDeal({ ufCrmS: 'from item', ufCrmN: 7.25, ufCrmB: 'Y', ufCrmM: ['p'] }))[
        'id'
      ] as number
      expect(ufOf(await legacyDeal(id))).toMatchObject({
        UF_CRM_S: 'from item',
        UF_CRM_N: '7.25',
        UF_CRM_B: true,
        UF_CRM_M: ['p'],
      })
      expect(
        resultOf(
          await t.call('crm.deal.update', {
            id,
            fields: {
              UF_CRM_S: 'from legacy',
              UF_CRM_N: '1 000,5',
              UF_CRM_D: '2025-12-31',
              UF_CRM_M: ['q', 'r'],
            },
          }),
        ),
      ).toBe(true)
      expect(await getDeal(id)).toMatchObject({
        ufCrmS: 'from legacy',
        ufCrmN: 1000.5,
        ufCrmB: 'Y',
        ufCrmD: '2025-12-31T02:00:00+02:00',
        ufCrmM: ['q', 'r'],
      })
      expect(await getDeal(id, { useOriginalUfNames: 'Y' })).toMatchObject({ UF_CRM_S: 'from legacy' })
    })

    it('crm.deal.list selects UF_* and filters by custom fields', async () => {
      const a = resultOf(await t.call('crm.deal.add', { fields: { UF_CRM_S: 'one', UF_CRM_N: 1 } })) as number
      await t.call('crm.deal.add', { fields: { UF_CRM_S: 'two', UF_CRM_N: 2 } })
      const listed = resultOf(
        await t.call('crm.deal.list', { select: ['ID', 'UF_*'], filter: { UF_CRM_S: 'one' } }),
      ) as Body[]
      expect(listed).toHaveLength(1)
      expect(listed[0]).toMatchObject({ ID: String(a), UF_CRM_S: 'one', UF_CRM_N: '1' })
      const big = resultOf(
        await t.call('crm.deal.list', { select: ['ID'], filter: { '>UF_CRM_N': 1 } }),
      ) as Body[]
      expect(big.map((r) => r['ID'])).toEqual([String(a + 1)])
    })
  })

  // -------------------------------------------------------------------------------------------------------
  // userfieldconfig.*
  // -------------------------------------------------------------------------------------------------------

  describe('userfieldconfig.*', () => {
    beforeEach(async () => {
      await addSmartProcess(t, 1038, { title: 'Orders' })
    })
    const config = (method: string, params: Body) =>
      t.call(`userfieldconfig.${method}`, { moduleId: 'crm', ...params })

    it('add / get / list / update / delete a smart-process field (userfieldconfig-*.md examples)', async () => {
      const added = resultOf(
        await config('add', {
          field: {
            entityId: 'CRM_1',
            fieldName: 'UF_CRM_1_NEW_REST_LIST_2026',
            userTypeId: 'enumeration',
            multiple: 'Y',
            editFormLabel: { en: 'List of characteristics' },
            enum: [
              { value: 'Characteristic 1', def: 'N', sort: 100 },
              { value: 'Characteristic 2', def: 'Y', sort: 200 },
            ],
          },
        }),
      ) as { field: Body }
      const id = Number(added.field['id'])
      expect(added.field).toMatchObject({
        entityId: 'CRM_1',
        fieldName: 'UF_CRM_1_NEW_REST_LIST_2026',
        userTypeId: 'enumeration',
        xmlId: null,
        sort: '100',
        multiple: 'Y',
        mandatory: 'N',
        showFilter: 'N',
        showInList: 'Y',
        editInList: 'Y',
        isSearchable: 'N',
        languageId: { en: 'en' },
        editFormLabel: { en: 'List of characteristics' },
        listColumnLabel: { en: null },
      })
      const options = added.field['enum'] as Body[]
      expect(options.map((o) => [o['value'], o['def'], o['sort'], o['userFieldId']])).toEqual([
        ['Characteristic 1', 'N', '100', String(id)],
        ['Characteristic 2', 'Y', '200', String(id)],
      ])

      // The field is a field of the smart process's items at once.
      const item = itemOf(await t.call('crm.item.add', { entityTypeId: 1038, fields: {} }))
      expect(item['ufCrm_1_NEW_REST_LIST_2026']).toEqual([Number(options[1]?.['id'])])

      const got = resultOf(await config('get', { id })) as { field: Body }
      expect(got.field).toEqual(added.field)

      const listed = await config('list', { select: { 0: '*', language: 'de' }, filter: { multiple: 'Y' } })
      expect(listed.body['total']).toBe(1)
      const fields = (resultOf(listed) as { fields: Body[] }).fields
      expect(fields[0]).toMatchObject({ id: String(id), languageId: { de: 'de' }, editFormLabel: null })

      const updated = resultOf(
        await config('update', {
          id,
          field: {
            mandatory: 'Y',
            editFormLabel: { de: 'Merkmale' },
            userTypeId: 'enumeration',
            enum: [
              { id: options[0]?.['id'], del: 'Y' },
              { value: 'Characteristic 3', sort: 300 },
            ],
          },
        }),
      ) as { field: Body }
      expect(updated.field).toMatchObject({
        mandatory: 'Y',
        languageId: { de: 'de', en: 'en' },
        editFormLabel: { de: 'Merkmale', en: 'List of characteristics' },
      })
      expect((updated.field['enum'] as Body[]).map((o) => o['value'])).toEqual([
        'Characteristic 2',
        'Characteristic 3',
      ])

      expect(resultOf(await config('delete', { id }))).toBeNull()
      expect(errorOf(await config('get', { id }))).toEqual({
        status: 400,
        error: '',
        description: 'You do not have permission to view user field settings',
      })
      expect(errorOf(await config('delete', { id })).description).toBe('You cannot delete the user field')
    })

    it('crm.type.delete takes the smart process’s fields with it', async () => {
      await config('add', { field: { entityId: 'CRM_1', fieldName: 'UF_CRM_1_GONE', userTypeId: 'string' } })
      expect((await config('list', {})).body['total']).toBe(1)
      expect((await t.call('crm.type.delete', { id: 1 })).status).toBe(200)
      expect((await config('list', {})).body['total']).toBe(0)
    })

    it('smart invoices take fields too, written through crm.item.update', async () => {
      const field = resultOf(
        await config('add', {
          field: {
            entityId: 'CRM_SMART_INVOICE',
            fieldName: 'UF_CRM_SMART_INVOICE_NOTE',
            userTypeId: 'string',
          },
        }),
      ) as { field: Body }
      expect(field.field['fieldName']).toBe('UF_CRM_SMART_INVOICE_NOTE')
      const invoice = itemOf(await t.call('crm.item.add', { entityTypeId: 31, fields: {} }))
      const updated = itemOf(
        await t.call('crm.item.update', {
          entityTypeId: 31,
          id: invoice['id'],
          fields: { UF_CRM_SMART_INVOICE_NOTE: 'paid' },
          useOriginalUfNames: 'Y',
        }),
      )
      expect(updated['UF_CRM_SMART_INVOICE_NOTE']).toBe('paid')
    })

    it('errors: module, scope, name prefix, missing keys', async () => {
      expect(errorOf(await t.call('userfieldconfig.getTypes', { moduleId: 'rpa' }))).toEqual({
        status: 400,
        error: '',
        description: 'No settings for UserFieldAccess',
      })
      const types = resultOf(await config('getTypes', {})) as { types: Record<string, Body> }
      expect(types.types['crm']).toEqual({ userTypeId: 'crm', description: 'Linked to CRM entities' })
      expect(Object.keys(types.types)).toHaveLength(16)
      const { code } = await createWebhook(
        t.app.store.db,
        { portalId: PORTAL_ID, userId: 1, scopes: ['userfieldconfig'] },
        t.clock.now(),
      )
      expect(
        errorOf(
          await t.call('userfieldconfig.getTypes', { moduleId: 'crm' }, { prefix: `/rest/1/${code}/` }),
        ),
      ).toEqual({ status: 400, error: '', description: 'The current method required more scopes. (crm)' })
      expect(
        errorOf(
          await config('add', {
            field: { entityId: 'CRM_1', fieldName: 'UF_CRM_OTHER', userTypeId: 'string' },
          }),
        ).description,
      ).toBe('You cannot create custom fields')
      expect(
        errorOf(await config('add', { field: { entityId: 'CRM_1', userTypeId: 'string' } })).description,
      ).toBe("The 'FIELD_NAME' field is not found")
      expect(
        errorOf(await config('add', { field: { entityId: 'CRM_1', fieldName: 'UF_CRM_1_X' } })).description,
      ).toBe("The 'USER_TYPE_ID' field is not found")
      await config('add', { field: { entityId: 'CRM_1', fieldName: 'UF_CRM_1_X', userTypeId: 'string' } })
      expect(
        errorOf(
          await config('add', {
            field: { entityId: 'CRM_1', fieldName: 'UF_CRM_1_X', userTypeId: 'string' },
          }),
        ).description,
      ).toBe('Field UF_CRM_1_X already exists')
      expect(String(errorOf(await t.call('userfieldconfig.get', { id: 1 })).error)).toBe('100')
    })
  })
})
