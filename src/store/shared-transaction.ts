import { AsyncLocalStorage } from 'node:async_hooks'
import { CompiledQuery, type DatabaseConnection, type Dialect, type Driver, type Kysely } from 'kysely'

/**
 * One SQLite transaction shared by a run of calls: `batch` runs its commands in it (src/methods/system/batch.ts),
 * so 50 updates cost one commit instead of 50. Everything the calls do joins it, however they reach the store:
 *
 * - The store's single connection is held by the shared transaction from BEGIN to COMMIT. Kysely's SQLite
 *   driver lends that connection to one caller at a time; the driver made by {@link SharedTransactions.dialect}
 *   lends it again to whatever runs inside the shared transaction (the same async context), so a plain
 *   `store.db` read of a command neither waits for the batch nor sees a half-done foreign transaction. Calls
 *   outside it (other requests) wait for the connection as they wait for any transaction.
 * - A transaction begun inside it (`store.transaction()`, Kysely's `db.transaction()`) becomes a SAVEPOINT: its
 *   commit releases the savepoint, its rollback rolls back to it. A failing command therefore leaves nothing,
 *   and the commands before it stay, exactly as if each had committed on its own. Statements outside any
 *   savepoint (counters, meters) stay too, as their own autocommits would have. The transactions inside one
 *   shared transaction run one after the other, as the commands of a batch do (nesting is fine).
 *
 * An error that makes SQLite roll back a whole transaction by itself (a full disk, an I/O error) ends the shared
 * transaction too: every later savepoint and the final COMMIT fail, so the batch fails as a whole and nothing
 * it acknowledged is lost.
 */

/**
 * Every transaction of the store, shared or not, begins IMMEDIATE: it takes the write lock at BEGIN, where
 * SQLite waits for a lock another connection holds (busy_timeout). A deferred transaction that reads first and
 * then writes fails at once with SQLITE_BUSY when the checkpointer thread (checkpointer.ts) or another process
 * holds the lock at that moment: SQLite never waits to upgrade a read transaction, as that could deadlock
 * (sqlite.org/lang_transaction.html). Our transactions all write; within the process there is one connection.
 */
const BEGIN = 'begin immediate'

/** Told when a transaction begins and when it ended (config-cache.ts ConfigCache). */
export interface TransactionWatcher {
  begin(tx: object): void
  committed(tx: object): void
}

interface Shared {
  /** the connection while the shared transaction holds it */
  connection: DatabaseConnection | undefined
  /** how many acquisitions of the connection inside the shared transaction are not released yet */
  borrowed: number
  /** open savepoints, innermost last */
  readonly savepoints: string[]
  /** `ended`: work that outlives the shared transaction (a timer it set) takes turns for the connection again */
  state: 'beginning' | 'open' | 'ended'
}

export class SharedTransactions {
  private readonly context = new AsyncLocalStorage<Shared>()
  /** shared transactions begun or waiting for the connection */
  private running = 0

  /**
   * @param inTransaction whether the connection is inside a transaction (better-sqlite3's `inTransaction`):
   *   false when SQLite rolled the shared transaction back on its own.
   */
  constructor(private readonly inTransaction: () => boolean) {}

  /** `dialect` with a driver that lends the connection to the shared transaction's own calls. */
  dialect(dialect: Dialect): Dialect {
    return {
      createDriver: () => this.driver(dialect.createDriver()),
      createQueryCompiler: () => dialect.createQueryCompiler(),
      createAdapter: () => dialect.createAdapter(),
      createIntrospector: (db) => dialect.createIntrospector(db),
    }
  }

  /** The shared transaction the caller runs in, if any: an identity for the configuration cache. */
  current(): object | undefined {
    const shared = this.context.getStore()
    return shared?.state === 'open' ? shared : undefined
  }

  /**
   * Runs `fn` in one transaction of `db` that every store call it makes joins; commits when `fn` returns and
   * rolls back when it throws. A call already inside a shared transaction just runs `fn` in it. `watcher` (the
   * configuration cache) is told when the transaction begins and when it has ended, committed or not.
   */
  async run<T, DB>(db: Kysely<DB>, fn: () => Promise<T>, watcher: TransactionWatcher): Promise<T> {
    if (this.current() !== undefined) return fn()
    const shared: Shared = { connection: undefined, borrowed: 0, savepoints: [], state: 'beginning' }
    this.running++
    try {
      return await this.context.run(shared, () => this.transact(db, shared, fn, watcher))
    } finally {
      // While an AsyncLocalStorage is in use Node 20 tracks the context of every promise of the process (~0.1 µs
      // each); calls outside batches need none of that.
      if (--this.running === 0) this.context.disable()
    }
  }

  /** BEGIN, `fn`, COMMIT on the connection the shared transaction holds for its whole length. */
  private transact<T, DB>(
    db: Kysely<DB>,
    shared: Shared,
    fn: () => Promise<T>,
    watcher: TransactionWatcher,
  ): Promise<T> {
    return db.connection().execute(async (handle) => {
      await handle.executeQuery(CompiledQuery.raw(BEGIN))
      shared.state = 'open'
      watcher.begin(shared)
      try {
        let result: T
        try {
          result = await fn()
        } finally {
          shared.state = 'ended'
        }
        if (!this.inTransaction()) throw new Error('The shared transaction was rolled back by SQLite')
        await handle.executeQuery(CompiledQuery.raw('commit'))
        return result
      } catch (error) {
        if (this.inTransaction()) await handle.executeQuery(CompiledQuery.raw('rollback'))
        throw error
      } finally {
        watcher.committed(shared)
      }
    })
  }

  private driver(inner: Driver): Driver {
    const context = this.context
    const inTransaction = this.inTransaction
    const sharedOf = (connection: DatabaseConnection): Shared | undefined => {
      const shared = context.getStore()
      return shared?.connection === connection && shared.state === 'open' ? shared : undefined
    }
    const run = (connection: DatabaseConnection, statement: string) =>
      connection.executeQuery(CompiledQuery.raw(statement)).then(() => undefined)
    return {
      init: () => inner.init(),
      destroy: () => inner.destroy(),
      acquireConnection: async () => {
        const shared = context.getStore()
        if (shared === undefined || shared.state === 'ended') return inner.acquireConnection()
        // The shared transaction's BEGIN takes the connection in turn; its calls borrow it after that.
        shared.connection ??= await inner.acquireConnection()
        shared.borrowed++
        return shared.connection
      },
      releaseConnection: async (connection) => {
        const shared = context.getStore()
        if (shared?.connection === connection) {
          if (--shared.borrowed > 0) return
          shared.connection = undefined
        }
        await inner.releaseConnection(connection)
      },
      beginTransaction: async (connection) => {
        const shared = sharedOf(connection)
        if (shared === undefined) return run(connection, BEGIN)
        if (!inTransaction()) throw new Error('The shared transaction was rolled back by SQLite')
        const name = `b24_savepoint_${shared.savepoints.length}`
        await run(connection, `savepoint ${name}`)
        shared.savepoints.push(name)
      },
      commitTransaction: async (connection) => {
        const shared = sharedOf(connection)
        if (shared === undefined) return inner.commitTransaction(connection)
        await run(connection, `release ${innermost(shared)}`)
        shared.savepoints.pop()
      },
      rollbackTransaction: async (connection) => {
        const shared = sharedOf(connection)
        if (shared === undefined) return inner.rollbackTransaction(connection)
        const name = innermost(shared)
        shared.savepoints.pop()
        if (!inTransaction()) return
        await run(connection, `rollback to ${name}`)
        await run(connection, `release ${name}`)
      },
    }
  }
}

function innermost(shared: Shared): string {
  const name = shared.savepoints.at(-1)
  if (name === undefined) throw new Error('No savepoint is open in the shared transaction')
  return name
}
