import { AsyncLocalStorage } from 'node:async_hooks'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { createTestApp, type CallResult, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'

/**
 * `batch` on one shared transaction (src/store/shared-transaction.ts; on PostgreSQL each command keeps its own
 * transaction, and the same results must come out): a command that fails leaves nothing and the commands
 * around it stay, as if each command were a call of its own; configuration a command changes is seen by the
 * next one; every update writes its outbox row; and other requests arriving during a batch are served and
 * never mixed into it.
 */
type Body = Record<string, unknown>

describe.each(STORE_KINDS)('batch commands in one transaction (%s store)', (storeKind) => {
  let t: TestApp
  const triggers: string[] = []

  beforeAll(async () => {
    t = await createTestApp({ store: storeKind })
  })
  afterAll(async () => {
    await t.close()
  })
  afterEach(async () => {
    for (const name of triggers.splice(0)) await dropRefusal(name)
  })

  /**
   * Makes the database refuse a row of `table` for which `condition` (SQL over `new`) holds: a failure in the
   * middle of a command's transaction, after the statements before it succeeded.
   */
  async function refuseRows(table: string, condition: string): Promise<void> {
    const name = `b24_test_refuse_${table}`
    triggers.push(name)
    const db = t.app.store.db
    if (storeKind === 'sqlite') {
      await sql
        .raw(
          `create trigger ${name} before insert on ${table} when ${condition} ` +
            `begin select raise(abort, 'refused by the test'); end`,
        )
        .execute(db)
    } else {
      await sql
        .raw(
          `create or replace function ${name}() returns trigger language plpgsql as ` +
            `$$ begin raise exception 'refused by the test'; end $$`,
        )
        .execute(db)
      await sql
        .raw(
          `create trigger ${name} before insert on ${table} for each row when (${condition}) ` +
            `execute function ${name}()`,
        )
        .execute(db)
    }
  }

  async function dropRefusal(name: string): Promise<void> {
    const table = name.replace('b24_test_refuse_', '')
    const db = t.app.store.db
    if (storeKind === 'sqlite') {
      await sql.raw(`drop trigger if exists ${name}`).execute(db)
    } else {
      await sql.raw(`drop trigger if exists ${name} on ${table}`).execute(db)
      await sql.raw(`drop function if exists ${name}()`).execute(db)
    }
  }

  async function addLead(title: string): Promise<number> {
    const added = await t.call('crm.item.add', { entityTypeId: 1, fields: { title } })
    expect(added.status, JSON.stringify(added.body)).toBe(200)
    return ((added.body['result'] as Body)['item'] as Body)['id'] as number
  }

  async function titleOf(id: number): Promise<unknown> {
    const got = await t.call('crm.item.get', { entityTypeId: 1, id })
    return ((got.body['result'] as Body)['item'] as Body)['title']
  }

  async function batch(cmd: Record<string, string>, halt = 0): Promise<Body> {
    const response = await t.call('batch', { halt, cmd })
    expect(response.status, JSON.stringify(response.body)).toBe(200)
    return response.body['result'] as Body
  }

  /** Outbox rows of lead `id`, and its history rows. */
  async function trail(id: number): Promise<{ outbox: number; history: number }> {
    const db = t.app.store.db
    const outbox = await db
      .selectFrom('outbox')
      .select(db.fn.countAll<number>().as('n'))
      .where('payload', 'like', `%"id":${id},%`)
      .executeTakeFirstOrThrow()
    const history = await db
      .selectFrom('crm_history')
      .select(db.fn.countAll<number>().as('n'))
      .where('entity_type_id', '=', 1)
      .where('item_id', '=', id)
      .executeTakeFirstOrThrow()
    return { outbox: Number(outbox.n), history: Number(history.n) }
  }

  const update = (id: number, title: string) =>
    `crm.item.update?entityTypeId=1&id=${id}&fields[title]=${encodeURIComponent(title)}`

  it('keeps the commands around a failing one and nothing of the failing one', async () => {
    const [first, middle, last] = [await addLead('F0'), await addLead('M0'), await addLead('L0')]
    const before = await trail(middle)
    // The middle update fails at its outbox row: after its item row and history rows were written.
    await refuseRows('outbox', `new.payload like '%"id":${middle},%'`)
    const result = await batch({
      first: update(first, 'F1'),
      middle: update(middle, 'M1'),
      last: update(last, 'L1'),
    })
    expect(Object.keys(result['result'] as Body)).toEqual(['first', 'last'])
    expect(Object.keys(result['result_error'] as Body)).toEqual(['middle'])
    expect([await titleOf(first), await titleOf(middle), await titleOf(last)]).toEqual(['F1', 'M0', 'L1'])
    expect(await trail(middle)).toEqual(before)
    expect((await trail(first)).outbox).toBe(2)
    expect((await trail(last)).outbox).toBe(2)
  })

  it('stops at a failing command with halt and keeps what ran before it', async () => {
    const [first, middle, last] = [await addLead('F0'), await addLead('M0'), await addLead('L0')]
    await refuseRows('outbox', `new.payload like '%"id":${middle},%'`)
    const result = await batch({ a: update(first, 'F1'), b: update(middle, 'M1'), c: update(last, 'L1') }, 1)
    expect(Object.keys(result['result'] as Body)).toEqual(['a'])
    expect(Object.keys(result['result_error'] as Body)).toEqual(['b'])
    expect([await titleOf(first), await titleOf(middle), await titleOf(last)]).toEqual(['F1', 'M0', 'L0'])
  })

  it('lets later commands see configuration an earlier one changed, and never a failed change', async () => {
    const id = await addLead('Staged')
    const counter = async () =>
      (
        await t.app.store.db
          .selectFrom('id_counter')
          .select('value')
          .where('portal_id', '=', 1)
          .where('name', '=', 'crm_status')
          .executeTakeFirstOrThrow()
      ).value
    // Warm the configuration cache with the lead statuses.
    expect(
      (await t.call('crm.item.update', { entityTypeId: 1, id, fields: { stageId: 'IN_PROCESS' } })).status,
    ).toBe(200)
    await refuseRows('crm_status', `new.status_id = 'DROPPED'`)
    const counterBefore = await counter()
    const addStatus = (code: string) =>
      `crm.status.add?fields[ENTITY_ID]=STATUS&fields[STATUS_ID]=${code}&fields[NAME]=${code}&fields[SORT]=25`
    const result = await batch({
      kept: addStatus('KEPT'),
      useKept: `crm.item.update?entityTypeId=1&id=${id}&fields[stageId]=KEPT`,
      dropped: addStatus('DROPPED'),
      useDropped: `crm.item.update?entityTypeId=1&id=${id}&fields[stageId]=DROPPED`,
      list: 'crm.status.list?filter[ENTITY_ID]=STATUS',
    })
    expect(Object.keys(result['result_error'] as Body)).toEqual(['dropped', 'useDropped'])
    const results = result['result'] as Body
    expect(((results['useKept'] as Body)['item'] as Body)['stageId']).toBe('KEPT')
    const codes = (results['list'] as Body[]).map((status) => status['STATUS_ID'])
    expect(codes).toContain('KEPT')
    expect(codes).not.toContain('DROPPED')
    // The failed crm.status.add took an id from the sequence before its row was refused: rolled back too.
    expect(Number(await counter())).toBe(Number(counterBefore) + 1)
    // Requests after the batch see the committed change and nothing of the failed one.
    const after = await t.call('crm.item.update', { entityTypeId: 1, id, fields: { stageId: 'DROPPED' } })
    expect(after.status).toBe(400)
    const list = await t.call('crm.status.list', { filter: { ENTITY_ID: 'STATUS' } })
    expect((list.body['result'] as Body[]).map((status) => status['STATUS_ID'])).toContain('KEPT')
  })

  it('writes an outbox row for each of 50 updates', async () => {
    const ids: number[] = []
    for (let i = 0; i < 50; i++) ids.push(await addLead(`Bulk ${i}`))
    const before = await Promise.all(ids.map(trail))
    const cmd = Object.fromEntries(ids.map((id, i) => [`u${i}`, update(id, `Bulk ${i} edited`)]))
    const result = await batch(cmd)
    expect(result['result_error']).toEqual([])
    const after = await Promise.all(ids.map(trail))
    expect(after.map((row, i) => row.outbox - before[i]!.outbox)).toEqual(ids.map(() => 1))
    expect(await titleOf(ids[49]!)).toBe('Bulk 49 edited')
  })

  it('serves requests that arrive during a batch, and never mixes them into it', async () => {
    const ids: number[] = []
    for (let i = 0; i < 20; i++) ids.push(await addLead(`B${i}`))
    const others: number[] = []
    for (let i = 0; i < 5; i++) others.push(await addLead(`O${i}`))
    // Every odd command of the batch fails: had the other requests joined the batch's transaction, the
    // rollback of a failing command would take their writes with it (or their own transactions would
    // tangle with its savepoints).
    const failing = ids.filter((_, i) => i % 2 === 1)
    await refuseRows('outbox', failing.map((id) => `new.payload like '%"id":${id},%'`).join(' or '))
    // The other requests arrive once the batch holds its transaction, from outside the batch (a snapshot of
    // this test's async context), and get time to reach the store before the batch's commands run.
    const outside = AsyncLocalStorage.snapshot()
    let singles: Promise<CallResult[]> | undefined
    let updatesAnswered = 0
    let updatesAnsweredInBatch = 0
    const store = t.app.store
    const sharedTransaction = store.sharedTransaction
    store.sharedTransaction = (fn) =>
      sharedTransaction(async () => {
        singles = outside(() =>
          Promise.all([
            ...others.map(async (id, i) => {
              const answer = await t.call('crm.item.update', {
                entityTypeId: 1,
                id,
                fields: { title: `O${i} single` },
              })
              updatesAnswered++
              return answer
            }),
            ...others.map((id) => t.call('crm.item.get', { entityTypeId: 1, id })),
            t.call('crm.status.list', { filter: { ENTITY_ID: 'STATUS' } }),
          ]),
        )
        await new Promise((resolve) => setTimeout(resolve, 20))
        const done = await fn()
        updatesAnsweredInBatch = updatesAnswered
        return done
      })
    try {
      const cmd = Object.fromEntries(ids.map((id, i) => [`u${i}`, update(id, `B${i} batched`)]))
      const { status, body } = await t.call('batch', { cmd })
      expect(status).toBe(200)
      const result = body['result'] as Body
      expect(Object.keys(result['result_error'] as Body)).toEqual(
        ids.flatMap((_, i) => (i % 2 === 1 ? [`u${i}`] : [])),
      )
      for (const single of (await singles) ?? []) {
        expect(single.status, JSON.stringify(single.body)).toBe(200)
      }
    } finally {
      store.sharedTransaction = sharedTransaction
    }
    // SQLite has one connection: a write from outside waits until the batch committed.
    if (storeKind === 'sqlite') expect(updatesAnsweredInBatch).toBe(0)
    for (const [i, id] of others.entries()) expect(await titleOf(id)).toBe(`O${i} single`)
    for (const [i, id] of ids.entries())
      expect(await titleOf(id)).toBe(i % 2 === 1 ? `B${i}` : `B${i} batched`)
  })
})
