import { AsyncLocalStorage } from 'node:async_hooks'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { configCached } from '../../src/store/config-cache.js'
import type { Store } from '../../src/store/store.js'
import type { Db } from '../../src/store/schema.js'
import { ensureDefaultPortal } from '../../src/portal/bootstrap.js'
import { openTestStore, STORE_KINDS } from '../helpers/test-store.js'
import { TEST_START_MS } from '../helpers/test-app.js'

/**
 * Store.sharedTransaction (src/store/shared-transaction.ts): what `batch` runs its commands in. On SQLite one
 * transaction with a savepoint per store.transaction(); on PostgreSQL the transactions stay separate. Either
 * way a failing transaction leaves nothing and the others stay. On SQLite other callers wait for it and never
 * join it, and the configuration cache never hands out what it has not committed.
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function values(store: Store): Promise<string[]> {
  const rows = await sql<{ v: string }>`select v from shared_probe order by v`.execute(store.db)
  return rows.rows.map((row) => row.v)
}

function insert(store: Store, value: string): Promise<void> {
  return store.transaction(async (tx) => {
    await sql`insert into shared_probe (v) values (${value})`.execute(tx)
  })
}

function insertThenFail(store: Store, value: string): Promise<void> {
  return store.transaction(async (tx) => {
    await sql`insert into shared_probe (v) values (${value})`.execute(tx)
    throw new Error('refused')
  })
}

describe.each(STORE_KINDS)('a shared transaction (%s)', (kind) => {
  let store: Store
  beforeEach(async () => {
    store = await openTestStore(kind)
    await sql`create table shared_probe (v text not null)`.execute(store.db)
  })
  afterEach(async () => {
    await store.close()
  })

  it('keeps each transaction that succeeded and nothing of one that failed, nested ones included', async () => {
    const seen = await store.sharedTransaction(async () => {
      await insert(store, 'a')
      await expect(insertThenFail(store, 'b')).rejects.toThrow('refused')
      await store.transaction(async (tx) => {
        await sql`insert into shared_probe (v) values ('c')`.execute(tx)
        await expect(insertThenFail(store, 'd')).rejects.toThrow('refused')
        await insert(store, 'e')
      })
      // A shared transaction inside one just runs in it.
      await store.sharedTransaction(() => insert(store, 'f'))
      return values(store)
    })
    expect(seen).toEqual(['a', 'c', 'e', 'f'])
    expect(await values(store)).toEqual(['a', 'c', 'e', 'f'])
  })

  it('rolls everything back when its function throws (SQLite) or keeps what committed (PostgreSQL)', async () => {
    const run = store.sharedTransaction(async () => {
      await insert(store, 'a')
      throw new Error('batch failed')
    })
    await expect(run).rejects.toThrow('batch failed')
    expect(await values(store)).toEqual(kind === 'sqlite' ? [] : ['a'])
  })
})

describe('a shared transaction on SQLite', () => {
  let store: Store
  beforeEach(async () => {
    store = await openTestStore('sqlite')
    await sql`create table shared_probe (v text not null)`.execute(store.db)
  })
  afterEach(async () => {
    await store.close()
  })

  it('makes other callers wait until it committed, and never takes their writes into its savepoints', async () => {
    // Work started from outside the shared transaction (a snapshot of this test's context), while it is open.
    const outside = AsyncLocalStorage.snapshot()
    let outsideWrite: Promise<void> | undefined
    let outsideRead: Promise<string[]> | undefined
    let settledInside = false
    await store.sharedTransaction(async () => {
      await insert(store, 'batch 1')
      outsideWrite = outside(() => insert(store, 'outside'))
      outsideRead = outside(() => values(store))
      void Promise.race([outsideWrite, outsideRead]).then(() => (settledInside = true))
      await sleep(20)
      expect(settledInside).toBe(false)
      // Had the outside write joined, this failing savepoint would be where it landed.
      await expect(insertThenFail(store, 'batch 2')).rejects.toThrow('refused')
      await sleep(20)
      expect(settledInside).toBe(false)
    })
    await outsideWrite
    // The read ran after the commit: it sees the batch's first write (and maybe the outside one), never the failed one.
    expect(await outsideRead).toContain('batch 1')
    expect(await outsideRead).not.toContain('batch 2')
    expect(await values(store)).toEqual(['batch 1', 'outside'])
  })

  it('fails as a whole when SQLite rolled its transaction back by itself', async () => {
    const run = store.sharedTransaction(async () => {
      await insert(store, 'a')
      // What a full disk or an I/O error does: SQLite ends the transaction on its own.
      await sql`rollback`.execute(store.db)
      await expect(insert(store, 'b')).rejects.toThrow('rolled back by SQLite')
    })
    await expect(run).rejects.toThrow('rolled back by SQLite')
    expect(await values(store)).toEqual([])
  })

  it('never lets the configuration cache hand out what the shared transaction has not committed', async () => {
    const portal = await ensureDefaultPortal(store, TEST_START_MS)
    const departments = (db: Db = store.db) =>
      configCached(db, portal.id, 'test:departments', async () => {
        const rows = await db.selectFrom('department').select('name').orderBy('id').execute()
        return rows.map((row) => row.name)
      })
    const committed = await departments()
    const addDepartment = (name: string) =>
      store.transaction(async (tx) => {
        const id = await store.nextId(tx, portal.id, 'department')
        await tx
          .insertInto('department')
          .values({ portal_id: portal.id, id, name, sort: 500, parent_id: null, head_user_id: null })
          .execute()
      })
    // Reads from outside (a snapshot of this test's context) after each kind of read inside: a cache entry
    // filled inside would answer them at once, with a change that is never committed.
    const outside = AsyncLocalStorage.snapshot()
    const outsideReads: Promise<string[]>[] = []
    const seenOutside: string[][] = []
    const readFromOutside = async () => {
      const read = outside(() => departments())
      outsideReads.push(read)
      void read.then((names) => seenOutside.push(names))
      await sleep(20)
      expect(seenOutside).toEqual([])
    }
    const run = store.sharedTransaction(async () => {
      await addDepartment('Uncommitted')
      // The shared transaction sees its own change, through the root handle and through a savepoint alike.
      expect(await departments()).toEqual([...committed, 'Uncommitted'])
      await readFromOutside()
      expect(await store.transaction((tx) => departments(tx))).toEqual([...committed, 'Uncommitted'])
      await readFromOutside()
      throw new Error('batch failed')
    })
    await expect(run).rejects.toThrow('batch failed')
    expect(await Promise.all(outsideReads)).toEqual([committed, committed])
    expect(await departments()).toEqual(committed)
  })
})
