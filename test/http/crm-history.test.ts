import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import {
  addSmartProcess,
  addUsersUpTo,
  ALL_FLAGS_ON,
  itemOf,
  outbox,
  PORTAL_ID,
  userHook,
} from '../helpers/item-fixtures.js'
import { listHistory, type HistoryEntry } from '../../src/crm/items/history-log.js'
import { addItem } from '../../src/crm/items/operations/add-item.js'
import { updateItem } from '../../src/crm/items/operations/update-item.js'
import { legacyRegisterFlag } from '../../src/crm/items/operations/after-save.js'
import { DEAL } from '../../src/crm/entity-types/deal.js'
import { getPortal } from '../../src/portal/portal.js'
import { getUser } from '../../src/portal/users.js'

/**
 * The event history and live feed the after-save step writes (src/crm/items/history-log.ts): for every
 * saved add / update / delete the changes with old and new values, the author and the time, in the
 * transaction of the change; nothing for a no-op update or a failed one; `registerHistory` /
 * `registerSonet` (legacy REGISTER_HISTORY_EVENT / REGISTER_SONET_EVENT) switch the two channels off.
 */

type Body = Record<string, unknown>

const T0 = '2026-01-15T10:00:00Z'

function changes(entries: readonly HistoryEntry[]): [string | null, unknown, unknown][] {
  return entries.filter((e) => e.event === 'update').map((e) => [e.field, e.oldValue, e.newValue])
}

describe.each(STORE_KINDS)('history log (%s)', (storeKind) => {
  let t: TestApp
  const add = async (entityTypeId: number, fields: Body = {}, prefix?: string) =>
    itemOf(await t.call('crm.item.add', { entityTypeId, fields }, prefix === undefined ? {} : { prefix }))
  const update = async (entityTypeId: number, id: unknown, fields: Body, prefix?: string) =>
    itemOf(
      await t.call('crm.item.update', { entityTypeId, id, fields }, prefix === undefined ? {} : { prefix }),
    )
  const history = (entityTypeId: number, id: unknown, channel?: 'history' | 'livefeed') =>
    listHistory(t.app.store.db, PORTAL_ID, entityTypeId, id as number, channel)
  const operationContext = async () => {
    const store = t.app.store
    return {
      store,
      portal: (await getPortal(store.db, PORTAL_ID))!,
      user: (await getUser(store.db, PORTAL_ID, 1))!,
      nowMs: t.clock.now(),
      useOriginalUfNames: false,
      parentTypes: [],
    }
  }

  beforeEach(async () => {
    t = await createTestApp({ store: storeKind })
    await addUsersUpTo(t, 3)
  })
  afterEach(async () => {
    await t.close()
  })

  it('add: one history row with the new values, one live-feed row; author and time', async () => {
    const deal = await add(2, { title: 'Big deal', opportunity: 500, currencyId: 'USD' })
    const rows = await history(2, deal['id'])
    expect(rows).toHaveLength(2)
    expect(rows[0]).toMatchObject({ channel: 'history', event: 'add', field: null, userId: 1, createdAt: T0 })
    expect(rows[0]!.newValue).toMatchObject({
      title: 'Big deal',
      opportunity: 500,
      currencyId: 'USD',
      stageId: 'NEW',
      assignedById: 1,
    })
    expect(rows[0]!.oldValue).toBeUndefined()
    expect(rows[1]).toMatchObject({
      channel: 'livefeed',
      event: 'add',
      newValue: { title: 'Big deal' },
      userId: 1,
      createdAt: T0,
    })
  })

  it('update: one row per changed field (in field order) with its old and new value; bookkeeping fields are not rows; the author is the caller', async () => {
    const deal = await add(2, { title: 'Old', opportunity: 100 })
    const { userId, prefix } = await userHook(t, { name: 'Editor' })
    t.clock.advance(90_000)
    await update(2, deal['id'], { title: 'New', opportunity: 250.5, stageId: 'WON', assignedById: 2 }, prefix)
    const rows = (await history(2, deal['id'], 'history')).filter((r) => r.event === 'update')
    expect(changes(rows)).toEqual([
      ['assignedById', 1, 2],
      ['title', 'Old', 'New'],
      ['stageId', 'NEW', 'WON'],
      ['opportunity', 100, 250.5],
      ['closedate', expect.any(String), '2026-01-15'],
    ])
    for (const row of rows) expect(row).toMatchObject({ userId, createdAt: '2026-01-15T10:01:30Z' })
    const fields = rows.map((r) => r.field)
    for (const bookkeeping of [
      'updatedTime',
      'updatedBy',
      'movedTime',
      'movedBy',
      'stageSemanticId',
      'closed',
    ])
      expect(fields).not.toContain(bookkeeping)
  })

  it('live feed: progress (stage), responsible (assignedById) and client (bindings) — not other fields', async () => {
    const contact = await add(3, { name: 'C' })
    const deal = await add(2, { title: 'A' })
    await update(2, deal['id'], {
      title: 'B',
      stageId: 'PREPARATION',
      assignedById: 3,
      contactIds: [contact['id']],
    })
    const feed = await history(2, deal['id'], 'livefeed')
    expect(feed.map((r) => [r.event, r.field, r.oldValue, r.newValue])).toEqual([
      ['add', null, undefined, { title: 'A' }],
      ['responsible', 'assignedById', 1, 3],
      ['client', 'contactId', 0, contact['id']],
      ['progress', 'stageId', 'NEW', 'PREPARATION'],
      ['client', 'contactIds', [], [contact['id']]],
    ])
  })

  it('a no-op update writes nothing (no history, no live feed, no outbox row)', async () => {
    const deal = await add(2, { title: 'Same' })
    const before = await history(2, deal['id'])
    const outboxBefore = (await outbox(t)).length
    await update(2, deal['id'], { title: 'Same', stageId: 'NEW' })
    expect(await history(2, deal['id'])).toEqual(before)
    expect((await outbox(t)).length).toBe(outboxBefore)
  })

  it('a failed update writes nothing: the history is in the transaction of the change', async () => {
    const deal = await add(2, { title: 'Kept' })
    const before = await history(2, deal['id'])
    const response = await t.call('crm.item.update', {
      entityTypeId: 2,
      id: deal['id'],
      fields: { title: 'Lost', currencyId: 'XXX' },
    })
    expect(response.status).toBe(400)
    expect(await history(2, deal['id'])).toEqual(before)
  })

  it('registerHistory: false (REGISTER_HISTORY_EVENT=N) writes no history row; registerSonet: false no live-feed row; the outbox row stays', async () => {
    const ctx = await operationContext()
    const added = await addItem({
      ...ctx,
      type: DEAL,
      fields: { title: 'Quiet' },
      registerHistory: false,
      registerSonet: false,
    })
    expect(await history(2, added.item.id)).toEqual([])
    await updateItem({
      ...ctx,
      type: DEAL,
      id: added.item.id,
      fields: { title: 'Still quiet', stageId: 'WON' },
      registerHistory: false,
      registerSonet: false,
    })
    expect(await history(2, added.item.id)).toEqual([])
    expect((await outbox(t)).map((r) => r.topic)).toEqual(['crm.item.added', 'crm.item.updated'])

    // Only the live feed: REGISTER_HISTORY_EVENT=N with REGISTER_SONET_EVENT=Y.
    await updateItem({
      ...ctx,
      type: DEAL,
      id: added.item.id,
      fields: { stageId: 'NEW' },
      registerHistory: false,
      registerSonet: true,
    })
    expect((await history(2, added.item.id)).map((r) => [r.channel, r.event])).toEqual([
      ['livefeed', 'progress'],
    ])

    // crm.item.* defaults: both on.
    await updateItem({ ...ctx, type: DEAL, id: added.item.id, fields: { stageId: 'LOSE' } })
    expect((await history(2, added.item.id)).map((r) => [r.channel, r.event, r.field])).toEqual([
      ['livefeed', 'progress', 'stageId'],
      ['history', 'update', 'stageId'],
      ['livefeed', 'progress', 'stageId'],
    ])
  })

  it('delete: a history row with the last values; the log outlives the item', async () => {
    const company = await add(4, { title: 'Gone Inc' })
    t.clock.advance(1000)
    await t.call('crm.item.delete', { entityTypeId: 4, id: company['id'] })
    const rows = await history(4, company['id'], 'history')
    expect(rows.map((r) => r.event)).toEqual(['add', 'delete'])
    expect(rows[1]).toMatchObject({ userId: 1, createdAt: '2026-01-15T10:00:01Z', newValue: undefined })
    expect(rows[1]!.oldValue).toMatchObject({ title: 'Gone Inc' })
  })

  it('contact bindings, observers, multifields, parent relations are recorded like any field', async () => {
    await addSmartProcess(t, 130, { flags: ALL_FLAGS_ON, childOf: [2] })
    const deal = await add(2, { title: 'Parent' })
    const contact = await add(3, { name: 'Ann' })
    const item = await add(130, { title: 'Child' })
    await update(130, item['id'], { parentId2: deal['id'], observers: [2, 3] })
    await update(3, contact['id'], { fm: [{ typeId: 'PHONE', valueType: 'WORK', value: '+100' }] })
    expect(changes(await history(130, item['id'], 'history'))).toEqual([
      ['observers', [], [2, 3]],
      ['parentId2', null, deal['id']],
    ])
    const fm = changes(await history(3, contact['id'], 'history'))
    expect(fm).toEqual([['fm', [], [expect.objectContaining({ typeId: 'PHONE', value: '+100' })]]])
  })

  it('legacyRegisterFlag: absent → the default; present → on only for Y (any case) or a JSON true', () => {
    expect(legacyRegisterFlag(undefined, true)).toBe(true)
    expect(legacyRegisterFlag(undefined, false)).toBe(false)
    expect(legacyRegisterFlag(null, true)).toBe(true)
    expect(legacyRegisterFlag('Y', false)).toBe(true)
    expect(legacyRegisterFlag('y', false)).toBe(true)
    expect(legacyRegisterFlag(true, false)).toBe(true)
    for (const off of ['N', 'n', '', '1', 'yes', 0, 1, false])
      expect(legacyRegisterFlag(off, true)).toBe(false)
  })
})
