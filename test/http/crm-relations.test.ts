import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type CallResult, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import { itemOf, outbox, PORTAL_ID, setNextId, userHook } from '../helpers/item-fixtures.js'
import { listHistory } from '../../src/crm/items/history-log.js'
import { createRole, listRoles, updateRole } from '../../src/crm/permissions/role-store.js'

/**
 * The client-binding families through HTTP: crm.lead.contact.*, crm.deal.contact.*, crm.contact.company.*,
 * crm.company.contact.* (api-reference/crm/leads/management-communication/, deals/contacts/,
 * contacts/company/, companies/contacts/). Every request example of the pages runs against items with the
 * ids the example names; the primary and sort rules of the pages; consistency with `contactIds` /
 * `contactId` / `companyIds` / `companyId` of crm.item.* both ways; the legacy error texts; history and
 * outbox rows of a binding change.
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

const FIELDS_EXAMPLE = (key: 'CONTACT_ID' | 'COMPANY_ID', title: string) => ({
  SORT: {
    type: 'integer',
    isRequired: false,
    isReadOnly: false,
    isImmutable: false,
    isMultiple: false,
    isDynamic: false,
    title: 'Sorting',
  },
  IS_PRIMARY: {
    type: 'char',
    isRequired: false,
    isReadOnly: false,
    isImmutable: false,
    isMultiple: false,
    isDynamic: false,
    title: 'Primary',
  },
  [key]: {
    type: 'integer',
    isRequired: true,
    isReadOnly: false,
    isImmutable: false,
    isMultiple: false,
    isDynamic: false,
    title,
  },
})

describe.each(STORE_KINDS)('client binding methods (%s)', (storeKind) => {
  let t: TestApp
  const call = (method: string, params: Body) => t.call(method, params)
  const ok = async (method: string, params: Body) => resultOf(await call(method, params))
  const get = async (entityTypeId: number, id: number) =>
    itemOf(await t.call('crm.item.get', { entityTypeId, id }))
  /** Items of a type with exactly these ids (ascending), through crm.item.add. */
  const itemsWithIds = async (entityTypeId: number, ids: readonly number[], fields: Body = {}) => {
    for (const id of ids) {
      await setNextId(t, `item:${entityTypeId}`, id)
      const item = itemOf(await t.call('crm.item.add', { entityTypeId, fields }))
      expect(item['id']).toBe(id)
    }
  }

  beforeEach(async () => {
    t = await createTestApp({ store: storeKind })
  })
  afterEach(async () => {
    await t.close()
  })

  // -------------------------------------------------------------------------------------------------------
  describe('crm.lead.contact.*', () => {
    beforeEach(async () => {
      await itemsWithIds(1, [1])
      await itemsWithIds(3, [1010, 1011, 1020])
    })

    it('crm.lead.contact.add example: {"id":1,"fields":{"CONTACT_ID":1010,"SORT":10,"IS_PRIMARY":"Y"}} → true', async () => {
      expect(
        await ok('crm.lead.contact.add', { id: 1, fields: { CONTACT_ID: 1010, SORT: 10, IS_PRIMARY: 'Y' } }),
      ).toBe(true)
      expect(await ok('crm.lead.contact.items.get', { id: 1 })).toEqual([
        { CONTACT_ID: 1010, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' },
      ])
      const lead = await get(1, 1)
      expect(lead['contactIds']).toEqual([1010])
      expect(lead['contactId']).toBe(1010)
    })

    it('crm.lead.contact.items.get example: two contacts with SORT 10/20, the first primary', async () => {
      await ok('crm.lead.contact.add', { id: 1, fields: { CONTACT_ID: 1010, SORT: 10, IS_PRIMARY: 'Y' } })
      await ok('crm.lead.contact.add', { id: 1, fields: { CONTACT_ID: 1011, SORT: 20 } })
      expect(await ok('crm.lead.contact.items.get', { id: 1 })).toEqual([
        { CONTACT_ID: 1010, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' },
        { CONTACT_ID: 1011, SORT: 20, ROLE_ID: 0, IS_PRIMARY: 'N' },
      ])
    })

    it('crm.lead.contact.delete example: {"id":1,"fields":{"CONTACT_ID":1010}} → true; the next contact becomes primary', async () => {
      await ok('crm.lead.contact.items.set', {
        id: 1,
        items: [
          { CONTACT_ID: 1010, SORT: 10, IS_PRIMARY: 'Y' },
          { CONTACT_ID: 1011, SORT: 20 },
        ],
      })
      expect(await ok('crm.lead.contact.delete', { id: 1, fields: { CONTACT_ID: 1010 } })).toBe(true)
      expect(await ok('crm.lead.contact.items.get', { id: 1 })).toEqual([
        { CONTACT_ID: 1011, SORT: 20, ROLE_ID: 0, IS_PRIMARY: 'Y' },
      ])
      expect((await get(1, 1))['contactId']).toBe(1011)
    })

    it('crm.lead.contact.items.set example replaces the set with 1010 (primary) and 1020', async () => {
      await ok('crm.lead.contact.add', { id: 1, fields: { CONTACT_ID: 1011 } })
      expect(
        await ok('crm.lead.contact.items.set', {
          id: 1,
          items: [
            { CONTACT_ID: 1010, SORT: 10, IS_PRIMARY: 'Y' },
            { CONTACT_ID: 1020, SORT: 20, IS_PRIMARY: 'N' },
          ],
        }),
      ).toBe(true)
      expect(await ok('crm.lead.contact.items.get', { id: 1 })).toEqual([
        { CONTACT_ID: 1010, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' },
        { CONTACT_ID: 1020, SORT: 20, ROLE_ID: 0, IS_PRIMARY: 'N' },
      ])
      expect((await get(1, 1))['contactIds']).toEqual([1010, 1020])
    })

    it('crm.lead.contact.items.delete example: {"id":1} → true; no contacts remain', async () => {
      await ok('crm.lead.contact.items.set', { id: 1, items: [{ CONTACT_ID: 1010 }, { CONTACT_ID: 1020 }] })
      expect(await ok('crm.lead.contact.items.delete', { id: 1 })).toBe(true)
      expect(await ok('crm.lead.contact.items.get', { id: 1 })).toEqual([])
      const lead = await get(1, 1)
      expect(lead['contactIds']).toEqual([])
      expect(lead['contactId']).toBe(0)
    })

    it('crm.lead.contact.fields example', async () => {
      expect(await ok('crm.lead.contact.fields', {})).toEqual(FIELDS_EXAMPLE('CONTACT_ID', 'Contact'))
    })

    it('"SORT … Defaults to 10", "IS_PRIMARY … Defaults to N" — but a lead without a primary contact gets one', async () => {
      await ok('crm.lead.contact.add', { id: 1, fields: { CONTACT_ID: 1011 } })
      await ok('crm.lead.contact.add', { id: 1, fields: { CONTACT_ID: 1010 } })
      expect(await ok('crm.lead.contact.items.get', { id: 1 })).toEqual([
        { CONTACT_ID: 1010, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'N' },
        { CONTACT_ID: 1011, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' },
      ])
      expect((await get(1, 1))['contactId']).toBe(1011)
    })

    it('"The crm.lead.contact.* methods do not change the repeat lead indicator IS_RETURN_CUSTOMER"', async () => {
      await ok('crm.lead.contact.add', { id: 1, fields: { CONTACT_ID: 1010 } })
      expect((await get(1, 1))['isReturnCustomer']).toBe('N')
      // … while crm.item.update with contactIds sets it (the page's table).
      await t.call('crm.item.update', { entityTypeId: 1, id: 1, fields: { contactIds: [1010, 1011] } })
      expect((await get(1, 1))['isReturnCustomer']).toBe('Y')
    })

    it('errors: NOT_FOUND "Not found." for a missing lead; a bad id; a CONTACT_ID that is missing', async () => {
      expect(errorOf(await call('crm.lead.contact.add', { id: 99, fields: { CONTACT_ID: 1010 } }))).toEqual({
        status: 400,
        error: 'NOT_FOUND',
        description: 'Not found.',
      })
      expect(errorOf(await call('crm.lead.contact.items.get', { id: 99 }))).toEqual({
        status: 400,
        error: 'NOT_FOUND',
        description: 'Not found.',
      })
      expect(errorOf(await call('crm.lead.contact.add', { fields: { CONTACT_ID: 1010 } }))).toEqual({
        status: 400,
        error: '',
        description: "The parameter 'ownerEntityID' is invalid or not defined.",
      })
      expect(errorOf(await call('crm.lead.contact.add', { id: 1, fields: { SORT: 10 } }))).toEqual({
        status: 400,
        error: '',
        description: "The parameter 'fields' is not valid.",
      })
    })
  })

  // -------------------------------------------------------------------------------------------------------
  describe('crm.deal.contact.*', () => {
    beforeEach(async () => {
      await itemsWithIds(2, [1875])
      await itemsWithIds(3, [54, 55, 56])
    })

    it('crm.deal.contact.add example: {"id":1875,"fields":{"CONTACT_ID":55,"IS_PRIMARY":"Y","SORT":1000}} → true', async () => {
      expect(
        await ok('crm.deal.contact.add', {
          id: 1875,
          fields: { CONTACT_ID: 55, IS_PRIMARY: 'Y', SORT: 1000 },
        }),
      ).toBe(true)
      expect(await ok('crm.deal.contact.items.get', { id: 1875 })).toEqual([
        { CONTACT_ID: 55, SORT: 1000, ROLE_ID: 0, IS_PRIMARY: 'Y' },
      ])
    })

    it('"If the contact is already linked to the deal, the method returns false and changes nothing"', async () => {
      await ok('crm.deal.contact.add', { id: 1875, fields: { CONTACT_ID: 55, SORT: 1000 } })
      await ok('crm.deal.contact.add', { id: 1875, fields: { CONTACT_ID: 54 } })
      const rows = await t.app.store.db.selectFrom('outbox').select('id').execute()
      expect(
        await ok('crm.deal.contact.add', { id: 1875, fields: { CONTACT_ID: 54, IS_PRIMARY: 'Y' } }),
      ).toBe(false)
      expect(await ok('crm.deal.contact.items.get', { id: 1875 })).toEqual([
        { CONTACT_ID: 55, SORT: 1000, ROLE_ID: 0, IS_PRIMARY: 'Y' },
        { CONTACT_ID: 54, SORT: 1010, ROLE_ID: 0, IS_PRIMARY: 'N' },
      ])
      expect(await t.app.store.db.selectFrom('outbox').select('id').execute()).toHaveLength(rows.length)
    })

    it('"If the parameter is not provided and the deal does not have a primary link, the added link will be marked as primary"; Y overrides the current primary', async () => {
      await ok('crm.deal.contact.add', { id: 1875, fields: { CONTACT_ID: 54 } })
      await ok('crm.deal.contact.add', { id: 1875, fields: { CONTACT_ID: 55 } })
      expect((await get(2, 1875))['contactId']).toBe(54)
      await ok('crm.deal.contact.add', { id: 1875, fields: { CONTACT_ID: 56, IS_PRIMARY: 'Y' } })
      expect(await ok('crm.deal.contact.items.get', { id: 1875 })).toEqual([
        { CONTACT_ID: 54, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'N' },
        { CONTACT_ID: 55, SORT: 20, ROLE_ID: 0, IS_PRIMARY: 'N' },
        { CONTACT_ID: 56, SORT: 30, ROLE_ID: 0, IS_PRIMARY: 'Y' },
      ])
      const deal = await get(2, 1875)
      expect(deal['contactId']).toBe(56)
      expect(deal['contactIds']).toEqual([54, 55, 56])
    })

    it('crm.deal.contact.items.set example, then crm.deal.contact.items.get answers its documented example', async () => {
      expect(
        await ok('crm.deal.contact.items.set', {
          id: 1875,
          items: [
            { CONTACT_ID: 55, IS_PRIMARY: 'Y', SORT: 100 },
            { CONTACT_ID: 54, SORT: 200 },
            { CONTACT_ID: 56, SORT: 400 },
          ],
        }),
      ).toBe(true)
      expect(await ok('crm.deal.contact.items.get', { id: 1875 })).toEqual([
        { CONTACT_ID: 55, SORT: 100, ROLE_ID: 0, IS_PRIMARY: 'Y' },
        { CONTACT_ID: 54, SORT: 200, ROLE_ID: 0, IS_PRIMARY: 'N' },
        { CONTACT_ID: 56, SORT: 400, ROLE_ID: 0, IS_PRIMARY: 'N' },
      ])
      const deal = await get(2, 1875)
      expect(deal['contactIds']).toEqual([55, 54, 56])
      expect(deal['contactId']).toBe(55)
    })

    it('items.set: SORT "By default (i + 1) * 10"; no Y → the first is primary; several Y → the first Y', async () => {
      await ok('crm.deal.contact.items.set', { id: 1875, items: [{ CONTACT_ID: 56 }, { CONTACT_ID: 54 }] })
      expect(await ok('crm.deal.contact.items.get', { id: 1875 })).toEqual([
        { CONTACT_ID: 56, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' },
        { CONTACT_ID: 54, SORT: 20, ROLE_ID: 0, IS_PRIMARY: 'N' },
      ])
      await ok('crm.deal.contact.items.set', {
        id: 1875,
        items: [{ CONTACT_ID: 54 }, { CONTACT_ID: 55, IS_PRIMARY: 'Y' }, { CONTACT_ID: 56, IS_PRIMARY: 'Y' }],
      })
      expect(await ok('crm.deal.contact.items.get', { id: 1875 })).toEqual([
        { CONTACT_ID: 54, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'N' },
        { CONTACT_ID: 55, SORT: 20, ROLE_ID: 0, IS_PRIMARY: 'Y' },
        { CONTACT_ID: 56, SORT: 30, ROLE_ID: 0, IS_PRIMARY: 'N' },
      ])
    })

    it('items.set over a form body (items[0][CONTACT_ID]=…), as PHP clients send it', async () => {
      const response = await t.call(
        'crm.deal.contact.items.set',
        {
          id: 1875,
          items: [
            { CONTACT_ID: 54, SORT: 5 },
            { CONTACT_ID: 55, IS_PRIMARY: 'Y' },
          ],
        },
        { via: 'form' },
      )
      expect(resultOf(response)).toBe(true)
      expect(await ok('crm.deal.contact.items.get', { id: '1875' })).toEqual([
        { CONTACT_ID: 54, SORT: 5, ROLE_ID: 0, IS_PRIMARY: 'N' },
        { CONTACT_ID: 55, SORT: 20, ROLE_ID: 0, IS_PRIMARY: 'Y' },
      ])
    })

    it('crm.deal.contact.delete example: {"id":1875,"fields":{"CONTACT_ID":55}}; "the first available binding will become the new primary"; false when not bound', async () => {
      await ok('crm.deal.contact.items.set', {
        id: 1875,
        items: [
          { CONTACT_ID: 55, IS_PRIMARY: 'Y', SORT: 100 },
          { CONTACT_ID: 54, SORT: 200 },
          { CONTACT_ID: 56, SORT: 400 },
        ],
      })
      expect(await ok('crm.deal.contact.delete', { id: 1875, fields: { CONTACT_ID: 55 } })).toBe(true)
      expect(await ok('crm.deal.contact.items.get', { id: 1875 })).toEqual([
        { CONTACT_ID: 54, SORT: 200, ROLE_ID: 0, IS_PRIMARY: 'Y' },
        { CONTACT_ID: 56, SORT: 400, ROLE_ID: 0, IS_PRIMARY: 'N' },
      ])
      expect((await get(2, 1875))['contactId']).toBe(54)
      expect(await ok('crm.deal.contact.delete', { id: 1875, fields: { CONTACT_ID: 55 } })).toBe(false)
    })

    it('crm.deal.contact.items.delete example: {"id":1875} → true', async () => {
      await ok('crm.deal.contact.items.set', { id: 1875, items: [{ CONTACT_ID: 55 }, { CONTACT_ID: 56 }] })
      expect(await ok('crm.deal.contact.items.delete', { id: 1875 })).toBe(true)
      expect(await ok('crm.deal.contact.items.get', { id: 1875 })).toEqual([])
      expect((await get(2, 1875))['contactId']).toBe(0)
    })

    it('crm.deal.contact.fields example', async () => {
      expect(await ok('crm.deal.contact.fields', {})).toEqual(FIELDS_EXAMPLE('CONTACT_ID', 'Contact'))
    })

    it('crm.item.update contactIds and the relation methods see the same bindings, both ways', async () => {
      await t.call('crm.item.update', { entityTypeId: 2, id: 1875, fields: { contactIds: [56, 54] } })
      expect(await ok('crm.deal.contact.items.get', { id: 1875 })).toEqual([
        { CONTACT_ID: 56, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' },
        { CONTACT_ID: 54, SORT: 20, ROLE_ID: 0, IS_PRIMARY: 'N' },
      ])
      await ok('crm.deal.contact.add', { id: 1875, fields: { CONTACT_ID: 55, IS_PRIMARY: 'Y', SORT: 15 } })
      const deal = await get(2, 1875)
      expect(deal['contactIds']).toEqual([56, 55, 54])
      expect(deal['contactId']).toBe(55)
      const list = (await ok('crm.item.list', { entityTypeId: 2, filter: { contactId: 55 } })) as {
        items: Body[]
      }
      expect(list.items.map((d) => d['id'])).toEqual([1875])
      // Deleting a bound contact removes it from the deal's bindings.
      await t.call('crm.item.delete', { entityTypeId: 3, id: 55 })
      expect(await ok('crm.deal.contact.items.get', { id: 1875 })).toEqual([
        { CONTACT_ID: 56, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' },
        { CONTACT_ID: 54, SORT: 20, ROLE_ID: 0, IS_PRIMARY: 'N' },
      ])
    })

    it('a binding change saves the deal: updatedTime/updatedBy, a history row per changed field, the ONCRMDEALUPDATE outbox row', async () => {
      const before = await get(2, 1875)
      t.clock.advance(60_000)
      await ok('crm.deal.contact.add', { id: 1875, fields: { CONTACT_ID: 55 } })
      const deal = await get(2, 1875)
      expect(deal['updatedTime']).not.toBe(before['updatedTime'])
      const last = (await outbox(t)).at(-1)
      expect(last?.topic).toBe('crm.item.updated')
      expect(last?.payload).toEqual({
        entityTypeId: 2,
        id: 1875,
        changedFields: ['contactId', 'contactIds'],
        eventNames: ['ONCRMDEALUPDATE'],
        userId: 1,
      })
      const history = await listHistory(t.app.store.db, PORTAL_ID, 2, 1875, 'history')
      expect(
        history.filter((h) => h.event === 'update').map((h) => [h.field, h.oldValue, h.newValue]),
      ).toEqual([
        ['contactId', 0, 55],
        ['contactIds', [], [55]],
      ])
      // The binding methods post nothing to the live feed.
      expect(await listHistory(t.app.store.db, PORTAL_ID, 2, 1875, 'livefeed')).toEqual([
        expect.objectContaining({ event: 'add' }),
      ])
    })

    it('an unchanged set writes nothing (no outbox row)', async () => {
      await ok('crm.deal.contact.items.set', { id: 1875, items: [{ CONTACT_ID: 55 }] })
      const count = (await outbox(t)).length
      expect(
        await ok('crm.deal.contact.items.set', { id: 1875, items: [{ CONTACT_ID: 55, IS_PRIMARY: 'Y' }] }),
      ).toBe(true)
      expect((await outbox(t)).length).toBe(count)
    })

    it('items.set drops entries that name no contact, and entries without CONTACT_ID', async () => {
      await ok('crm.deal.contact.items.set', {
        id: 1875,
        items: [{ CONTACT_ID: 9999 }, { SORT: 5 }, 'x', { CONTACT_ID: 56 }, { CONTACT_ID: 56, SORT: 70 }],
      })
      expect(await ok('crm.deal.contact.items.get', { id: 1875 })).toEqual([
        { CONTACT_ID: 56, SORT: 40, ROLE_ID: 0, IS_PRIMARY: 'Y' },
      ])
    })

    it('errors of the pages: ownerEntityID, fields / item / items not arrays, Not found., fields not valid', async () => {
      const legacy = (description: string) => ({ status: 400, error: '', description })
      expect(errorOf(await call('crm.deal.contact.add', { id: 0, fields: { CONTACT_ID: 55 } }))).toEqual(
        legacy("The parameter 'ownerEntityID' is invalid or not defined."),
      )
      expect(errorOf(await call('crm.deal.contact.add', { id: 1875, fields: 'x' }))).toEqual(
        legacy("The parameter 'fields' must be array."),
      )
      expect(errorOf(await call('crm.deal.contact.add', { id: 1876, fields: { CONTACT_ID: 55 } }))).toEqual(
        legacy('Not found.'),
      )
      for (const fields of [{}, { CONTACT_ID: 0 }, { CONTACT_ID: -3 }, { CONTACT_ID: 9999 }]) {
        expect(errorOf(await call('crm.deal.contact.add', { id: 1875, fields }))).toEqual(
          legacy("The parameter 'fields' is not valid."),
        )
      }
      expect(errorOf(await call('crm.deal.contact.delete', { id: 1875, fields: 'x' }))).toEqual(
        legacy("The parameter 'item' must be array."),
      )
      expect(errorOf(await call('crm.deal.contact.delete', { id: 1875, fields: { CONTACT_ID: 0 } }))).toEqual(
        legacy("The parameter 'fields' is not valid."),
      )
      expect(errorOf(await call('crm.deal.contact.items.set', { id: 1875, items: 'x' }))).toEqual(
        legacy('The parameter items must be array.'),
      )
      expect(errorOf(await call('crm.deal.contact.items.set', { id: 1875 }))).toEqual(
        legacy('The parameter items must be array.'),
      )
      expect(errorOf(await call('crm.deal.contact.items.get', {}))).toEqual(
        legacy('The parameter ownerEntityID is invalid or not defined.'),
      )
      expect(errorOf(await call('crm.deal.contact.items.get', { id: 1876 }))).toEqual(legacy('Not found.'))
      expect(errorOf(await call('crm.deal.contact.items.delete', { id: 1876 }))).toEqual(legacy('Not found'))
      // ID (upper case) is read first; "12abc" is intval 12.
      expect(await ok('crm.deal.contact.items.get', { ID: '1875abc' })).toEqual([])
    })

    it('rights: no CRM access → "Access denied."; no modify right for deals → "Access denied."; not over this deal → ACCESS_DENIED "Access denied!"', async () => {
      const extranet = await userHook(t, { userType: 'extranet', name: 'Guest' })
      expect(
        errorOf(await t.call('crm.deal.contact.items.get', { id: 1875 }, { prefix: extranet.prefix })),
      ).toEqual({ status: 400, error: '', description: 'Access denied.' })

      const reader = await userHook(t, { name: 'Reader' })
      const own = await userHook(t, { name: 'Own' })
      const db = t.app.store.db
      const [everyone] = await listRoles(db, PORTAL_ID)
      await updateRole(db, PORTAL_ID, everyone!.id, { assignedTo: ['U1'] })
      await createRole(t.app.store, db, PORTAL_ID, {
        name: 'Deal reader',
        permissions: [{ entityTypeId: null, categoryId: null, rights: { read: 'X' } }],
        assignedTo: [`U${reader.userId}`],
      })
      await createRole(t.app.store, db, PORTAL_ID, {
        name: 'Own deals',
        permissions: [{ entityTypeId: null, categoryId: null, rights: { read: 'X', write: 'A' } }],
        assignedTo: [`U${own.userId}`],
      })
      const asReader = (method: string, params: Body) => t.call(method, params, { prefix: reader.prefix })
      const asOwn = (method: string, params: Body) => t.call(method, params, { prefix: own.prefix })
      expect(
        errorOf(await asReader('crm.deal.contact.add', { id: 1875, fields: { CONTACT_ID: 55 } })),
      ).toEqual({
        status: 400,
        error: '',
        description: 'Access denied.',
      })
      expect(resultOf(await asReader('crm.deal.contact.items.get', { id: 1875 }))).toEqual([])
      expect(errorOf(await asOwn('crm.deal.contact.add', { id: 1875, fields: { CONTACT_ID: 55 } }))).toEqual({
        status: 400,
        error: 'ACCESS_DENIED',
        description: 'Access denied!',
      })
      expect(errorOf(await asOwn('crm.deal.contact.items.delete', { id: 1875 }))).toEqual({
        status: 400,
        error: 'ACCESS_DENIED',
        description: 'Access denied!',
      })
      // Their own deal they may change.
      const mine = itemOf(
        await t.call('crm.item.add', { entityTypeId: 2, fields: { assignedById: own.userId } }),
      )
      expect(
        resultOf(await asOwn('crm.deal.contact.add', { id: mine['id'], fields: { CONTACT_ID: 55 } })),
      ).toBe(true)
    })
  })

  // -------------------------------------------------------------------------------------------------------
  describe('crm.contact.company.*', () => {
    beforeEach(async () => {
      await itemsWithIds(4, [7, 8, 9, 10, 32])
      await itemsWithIds(3, [54, 82])
    })

    it('crm.contact.company.add example: {"id":54,"fields":{"COMPANY_ID":32,"IS_PRIMARY":"Y","SORT":1000}} → true', async () => {
      expect(
        await ok('crm.contact.company.add', {
          id: 54,
          fields: { COMPANY_ID: 32, IS_PRIMARY: 'Y', SORT: 1000 },
        }),
      ).toBe(true)
      expect(await ok('crm.contact.company.items.get', { id: 54 })).toEqual([
        { COMPANY_ID: 32, SORT: 1000, ROLE_ID: 0, IS_PRIMARY: 'Y' },
      ])
      const contact = await get(3, 54)
      expect(contact['companyIds']).toEqual([32])
      expect(contact['companyId']).toBe(32)
      expect((await get(4, 32))['contactIds']).toEqual([54])
    })

    it('crm.contact.company.items.get example (SORT 100, then the default "max + 10": 110, 120)', async () => {
      await ok('crm.contact.company.add', { id: 54, fields: { COMPANY_ID: 7, SORT: 100 } })
      await ok('crm.contact.company.add', { id: 54, fields: { COMPANY_ID: 8 } })
      await ok('crm.contact.company.add', { id: 54, fields: { COMPANY_ID: 9 } })
      expect(await ok('crm.contact.company.items.get', { id: 54 })).toEqual([
        { COMPANY_ID: 7, SORT: 100, ROLE_ID: 0, IS_PRIMARY: 'Y' },
        { COMPANY_ID: 8, SORT: 110, ROLE_ID: 0, IS_PRIMARY: 'N' },
        { COMPANY_ID: 9, SORT: 120, ROLE_ID: 0, IS_PRIMARY: 'N' },
      ])
      expect(await ok('crm.contact.company.add', { id: 54, fields: { COMPANY_ID: 9 } })).toBe(false)
      // "Passing IS_PRIMARY = Y for a new and not first link overrides the existing primary link"
      await ok('crm.contact.company.add', { id: 54, fields: { COMPANY_ID: 10, IS_PRIMARY: 'y' } })
      const contact = await get(3, 54)
      expect(contact['companyId']).toBe(10)
      expect(contact['companyIds']).toEqual([7, 8, 9, 10])
    })

    it('crm.contact.company.items.set example (contact 82: 8 primary SORT 100, 9 SORT 200, 10 SORT 400)', async () => {
      expect(
        await ok('crm.contact.company.items.set', {
          id: 82,
          items: [
            { COMPANY_ID: 8, IS_PRIMARY: 'Y', SORT: 100 },
            { COMPANY_ID: 9, SORT: 200 },
            { COMPANY_ID: 10, SORT: 400 },
          ],
        }),
      ).toBe(true)
      expect(await ok('crm.contact.company.items.get', { id: 82 })).toEqual([
        { COMPANY_ID: 8, SORT: 100, ROLE_ID: 0, IS_PRIMARY: 'Y' },
        { COMPANY_ID: 9, SORT: 200, ROLE_ID: 0, IS_PRIMARY: 'N' },
        { COMPANY_ID: 10, SORT: 400, ROLE_ID: 0, IS_PRIMARY: 'N' },
      ])
      const contact = await get(3, 82)
      expect(contact['companyIds']).toEqual([8, 9, 10])
      expect(contact['companyId']).toBe(8)
    })

    it('items.set SORT: "max of existing and provided bindings + 10"; an existing binding without SORT keeps its sort', async () => {
      await ok('crm.contact.company.items.set', {
        id: 54,
        items: [
          { COMPANY_ID: 7, SORT: 50 },
          { COMPANY_ID: 8, SORT: 60 },
        ],
      })
      await ok('crm.contact.company.items.set', {
        id: 54,
        items: [{ COMPANY_ID: 8 }, { COMPANY_ID: 9 }, { COMPANY_ID: 10, SORT: 300 }, { COMPANY_ID: 32 }],
      })
      expect(await ok('crm.contact.company.items.get', { id: 54 })).toEqual([
        { COMPANY_ID: 8, SORT: 60, ROLE_ID: 0, IS_PRIMARY: 'Y' },
        { COMPANY_ID: 10, SORT: 300, ROLE_ID: 0, IS_PRIMARY: 'N' },
        { COMPANY_ID: 9, SORT: 310, ROLE_ID: 0, IS_PRIMARY: 'N' },
        { COMPANY_ID: 32, SORT: 320, ROLE_ID: 0, IS_PRIMARY: 'N' },
      ])
    })

    it('crm.contact.company.delete example: {"id":54,"fields":{"COMPANY_ID":32}}; the first remaining becomes primary', async () => {
      await ok('crm.contact.company.items.set', {
        id: 54,
        items: [{ COMPANY_ID: 32, IS_PRIMARY: 'Y' }, { COMPANY_ID: 9 }, { COMPANY_ID: 7 }],
      })
      expect(await ok('crm.contact.company.delete', { id: 54, fields: { COMPANY_ID: 32 } })).toBe(true)
      expect(await ok('crm.contact.company.items.get', { id: 54 })).toEqual([
        { COMPANY_ID: 9, SORT: 20, ROLE_ID: 0, IS_PRIMARY: 'Y' },
        { COMPANY_ID: 7, SORT: 30, ROLE_ID: 0, IS_PRIMARY: 'N' },
      ])
      expect((await get(3, 54))['companyId']).toBe(9)
      expect((await get(4, 32))['contactIds']).toEqual([])
      expect(await ok('crm.contact.company.delete', { id: 54, fields: { COMPANY_ID: 32 } })).toBe(false)
    })

    it('crm.contact.company.items.delete example: {"id":54} → true', async () => {
      await ok('crm.contact.company.items.set', { id: 54, items: [{ COMPANY_ID: 7 }, { COMPANY_ID: 8 }] })
      expect(await ok('crm.contact.company.items.delete', { id: 54 })).toBe(true)
      expect(await ok('crm.contact.company.items.get', { id: 54 })).toEqual([])
      const contact = await get(3, 54)
      expect(contact['companyIds']).toEqual([])
      expect(contact['companyId']).toBe(0)
      expect((await get(4, 7))['contactIds']).toEqual([])
    })

    it('crm.contact.company.fields example', async () => {
      expect(await ok('crm.contact.company.fields', {})).toEqual(FIELDS_EXAMPLE('COMPANY_ID', 'Company'))
    })

    it('crm.item.update companyIds of a contact is what crm.contact.company.items.get lists', async () => {
      await t.call('crm.item.update', { entityTypeId: 3, id: 54, fields: { companyIds: [9, 7] } })
      expect(await ok('crm.contact.company.items.get', { id: 54 })).toEqual([
        { COMPANY_ID: 9, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' },
        { COMPANY_ID: 7, SORT: 20, ROLE_ID: 0, IS_PRIMARY: 'N' },
      ])
      // … and the companies list the contact on their side.
      expect(await ok('crm.company.contact.items.get', { id: 9 })).toEqual([
        { CONTACT_ID: 54, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' },
      ])
    })

    it('errors: "Not found" for a missing contact; "The parameter \'fields\' must be array" on delete (the contact page)', async () => {
      const legacy = (description: string) => ({ status: 400, error: '', description })
      expect(errorOf(await call('crm.contact.company.add', { id: 999, fields: { COMPANY_ID: 7 } }))).toEqual(
        legacy('Not found'),
      )
      expect(errorOf(await call('crm.contact.company.delete', { id: 54, fields: 5 }))).toEqual(
        legacy("The parameter 'fields' must be array."),
      )
      expect(errorOf(await call('crm.contact.company.items.delete', { id: -1 }))).toEqual(
        legacy('The parameter ownerEntityID is invalid or not defined.'),
      )
      expect(errorOf(await call('crm.contact.company.add', { id: 54, fields: { CONTACT_ID: 7 } }))).toEqual(
        legacy("The parameter 'fields' is not valid."),
      )
    })

    it('"changing the links requires … the \'read\' permission for the company being added"', async () => {
      const user = await userHook(t, { name: 'Contacts only' })
      const db = t.app.store.db
      const [everyone] = await listRoles(db, PORTAL_ID)
      await updateRole(db, PORTAL_ID, everyone!.id, { assignedTo: ['U1'] })
      await createRole(t.app.store, db, PORTAL_ID, {
        name: 'Contacts',
        permissions: [{ entityTypeId: 3, categoryId: null, rights: { read: 'X', write: 'X' } }],
        assignedTo: [`U${user.userId}`],
      })
      expect(
        errorOf(
          await t.call(
            'crm.contact.company.add',
            { id: 54, fields: { COMPANY_ID: 7 } },
            { prefix: user.prefix },
          ),
        ),
      ).toEqual({ status: 400, error: 'ACCESS_DENIED', description: 'Access denied!' })
    })
  })

  // -------------------------------------------------------------------------------------------------------
  describe('crm.company.contact.*', () => {
    beforeEach(async () => {
      await itemsWithIds(4, [32])
      await itemsWithIds(3, [7, 8, 9, 10, 54])
    })

    it('crm.company.contact.add example: {"id":32,"fields":{"CONTACT_ID":54,"IS_PRIMARY":"Y","SORT":1000}} → true', async () => {
      expect(
        await ok('crm.company.contact.add', {
          id: 32,
          fields: { CONTACT_ID: 54, IS_PRIMARY: 'Y', SORT: 1000 },
        }),
      ).toBe(true)
      expect(await ok('crm.company.contact.items.get', { id: 32 })).toEqual([
        { CONTACT_ID: 54, SORT: 1000, ROLE_ID: 0, IS_PRIMARY: 'Y' },
      ])
      expect((await get(4, 32))['contactIds']).toEqual([54])
      // The contact had no company: this one becomes its primary company.
      const contact = await get(3, 54)
      expect(contact['companyIds']).toEqual([32])
      expect(contact['companyId']).toBe(32)
      expect(await ok('crm.company.contact.add', { id: 32, fields: { CONTACT_ID: 54 } })).toBe(false)
    })

    it('crm.company.contact.items.get example (SORT 100, then the default "max + 10": 110, 120)', async () => {
      await ok('crm.company.contact.add', { id: 32, fields: { CONTACT_ID: 7, SORT: 100 } })
      await ok('crm.company.contact.add', { id: 32, fields: { CONTACT_ID: 8 } })
      await ok('crm.company.contact.add', { id: 32, fields: { CONTACT_ID: 9 } })
      expect(await ok('crm.company.contact.items.get', { id: 32 })).toEqual([
        { CONTACT_ID: 7, SORT: 100, ROLE_ID: 0, IS_PRIMARY: 'Y' },
        { CONTACT_ID: 8, SORT: 110, ROLE_ID: 0, IS_PRIMARY: 'N' },
        { CONTACT_ID: 9, SORT: 120, ROLE_ID: 0, IS_PRIMARY: 'N' },
      ])
      expect((await get(4, 32))['contactIds']).toEqual([7, 8, 9])
    })

    it('crm.company.contact.items.set example: {"id":32,"items":[8 primary SORT 100, 9 SORT 200, 10 SORT 400]}', async () => {
      expect(
        await ok('crm.company.contact.items.set', {
          id: 32,
          items: [
            { CONTACT_ID: 8, IS_PRIMARY: 'Y', SORT: 100 },
            { CONTACT_ID: 9, SORT: 200 },
            { CONTACT_ID: 10, SORT: 400 },
          ],
        }),
      ).toBe(true)
      expect(await ok('crm.company.contact.items.get', { id: 32 })).toEqual([
        { CONTACT_ID: 8, SORT: 100, ROLE_ID: 0, IS_PRIMARY: 'Y' },
        { CONTACT_ID: 9, SORT: 200, ROLE_ID: 0, IS_PRIMARY: 'N' },
        { CONTACT_ID: 10, SORT: 400, ROLE_ID: 0, IS_PRIMARY: 'N' },
      ])
      expect((await get(4, 32))['contactIds']).toEqual([8, 9, 10])
      for (const id of [8, 9, 10]) expect((await get(3, id))['companyIds']).toEqual([32])
    })

    it('crm.company.contact.delete example: {"id":32,"fields":{"CONTACT_ID":54}}; the first remaining becomes primary', async () => {
      await ok('crm.company.contact.items.set', {
        id: 32,
        items: [{ CONTACT_ID: 54, IS_PRIMARY: 'Y' }, { CONTACT_ID: 9 }],
      })
      expect(await ok('crm.company.contact.delete', { id: 32, fields: { CONTACT_ID: 54 } })).toBe(true)
      expect(await ok('crm.company.contact.items.get', { id: 32 })).toEqual([
        { CONTACT_ID: 9, SORT: 20, ROLE_ID: 0, IS_PRIMARY: 'Y' },
      ])
      expect((await get(3, 54))['companyIds']).toEqual([])
      expect(
        errorOf(await call('crm.company.contact.delete', { id: 33, fields: { CONTACT_ID: 54 } })),
      ).toEqual({
        status: 400,
        error: '',
        description: 'Not found.',
      })
      expect(errorOf(await call('crm.company.contact.delete', { id: 32, fields: [] }))).toEqual({
        status: 400,
        error: '',
        description: "The parameter 'fields' is not valid.",
      })
    })

    it('crm.company.contact.items.delete example: {"id":32} → true', async () => {
      await ok('crm.company.contact.items.set', { id: 32, items: [{ CONTACT_ID: 7 }, { CONTACT_ID: 8 }] })
      expect(await ok('crm.company.contact.items.delete', { id: 32 })).toBe(true)
      expect(await ok('crm.company.contact.items.get', { id: 32 })).toEqual([])
      expect((await get(3, 7))['companyIds']).toEqual([])
    })

    it('crm.company.contact.fields example', async () => {
      expect(await ok('crm.company.contact.fields', {})).toEqual(FIELDS_EXAMPLE('CONTACT_ID', 'Contact'))
    })

    it("the two sides keep their own order and primary: a company binding does not take over a contact's primary company", async () => {
      await itemsWithIds(4, [40])
      await ok('crm.contact.company.add', { id: 54, fields: { COMPANY_ID: 40 } })
      await ok('crm.company.contact.add', { id: 32, fields: { CONTACT_ID: 7 } })
      await ok('crm.company.contact.add', { id: 32, fields: { CONTACT_ID: 54, IS_PRIMARY: 'Y' } })
      expect(await ok('crm.company.contact.items.get', { id: 32 })).toEqual([
        { CONTACT_ID: 7, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'N' },
        { CONTACT_ID: 54, SORT: 20, ROLE_ID: 0, IS_PRIMARY: 'Y' },
      ])
      expect(await ok('crm.contact.company.items.get', { id: 54 })).toEqual([
        { COMPANY_ID: 40, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' },
        { COMPANY_ID: 32, SORT: 20, ROLE_ID: 0, IS_PRIMARY: 'N' },
      ])
      expect((await get(3, 54))['companyId']).toBe(40)
      // Removing the contact's primary company from the company side promotes its next company.
      await ok('crm.company.contact.delete', { id: 40, fields: { CONTACT_ID: 54 } })
      expect((await get(3, 54))['companyId']).toBe(32)
    })

    it('crm.item.* and the company side agree both ways (order, add, delete of a contact)', async () => {
      await t.call('crm.item.update', { entityTypeId: 4, id: 32, fields: { contactIds: [9, 7, 8] } })
      expect(await ok('crm.company.contact.items.get', { id: 32 })).toEqual([
        { CONTACT_ID: 9, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' },
        { CONTACT_ID: 7, SORT: 20, ROLE_ID: 0, IS_PRIMARY: 'N' },
        { CONTACT_ID: 8, SORT: 30, ROLE_ID: 0, IS_PRIMARY: 'N' },
      ])
      expect((await get(4, 32))['contactIds']).toEqual([9, 7, 8])
      // A contact that gains the company through its own companyIds goes to the end of the company's list.
      await t.call('crm.item.update', { entityTypeId: 3, id: 10, fields: { companyIds: [32] } })
      expect((await get(4, 32))['contactIds']).toEqual([9, 7, 8, 10])
      expect(await ok('crm.company.contact.items.get', { id: 32 })).toContainEqual({
        CONTACT_ID: 10,
        SORT: 40,
        ROLE_ID: 0,
        IS_PRIMARY: 'N',
      })
      // Deleting the company's primary contact makes its next contact primary.
      await t.call('crm.item.delete', { entityTypeId: 3, id: 9 })
      expect(await ok('crm.company.contact.items.get', { id: 32 })).toEqual([
        { CONTACT_ID: 7, SORT: 20, ROLE_ID: 0, IS_PRIMARY: 'Y' },
        { CONTACT_ID: 8, SORT: 30, ROLE_ID: 0, IS_PRIMARY: 'N' },
        { CONTACT_ID: 10, SORT: 40, ROLE_ID: 0, IS_PRIMARY: 'N' },
      ])
      // A binding method on the company: the item answers the same list and the history records it.
      await ok('crm.company.contact.add', { id: 32, fields: { CONTACT_ID: 54, SORT: 25 } })
      expect((await get(4, 32))['contactIds']).toEqual([7, 54, 8, 10])
      const last = (await outbox(t)).at(-1)
      expect(last?.payload).toMatchObject({ entityTypeId: 4, id: 32, eventNames: ['ONCRMCOMPANYUPDATE'] })
    })
  })
})
