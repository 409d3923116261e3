import {
  Kysely,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  SqliteDialect,
  sql,
  type Migration,
  type Transaction,
} from 'kysely'
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Database, Db } from './schema.js'
import * as m0001 from './migrations/0001-foundation.js'
import * as m0002 from './migrations/0002-crm.js'
import * as m0003 from './migrations/0003-oauth.js'
import * as m0004 from './migrations/0004-limits.js'
import * as m0005 from './migrations/0005-legacy.js'
import * as m0006 from './migrations/0006-history.js'
import * as m0007 from './migrations/0007-userfields.js'
import * as m0008 from './migrations/0008-permissions.js'
import * as m0009 from './migrations/0009-auth-throttle.js'
import * as m0010 from './migrations/0010-list-indexes.js'
import * as m0011 from './migrations/0011-config-version.js'
import * as m0013 from './migrations/0013-write-path.js'
import * as m0014 from './migrations/0014-count-indexes.js'
import { ConfigCache } from './config-cache.js'
import { DEFAULT_CHECKPOINT_POLICY, startCheckpointer, type CheckpointPolicy } from './checkpointer.js'
import { SharedTransactions } from './shared-transaction.js'

export type Dialect = 'sqlite' | 'postgres'

/** The dialect behind a handle (a store's `db` or one of its transactions), read from its Kysely adapter. */
export function dialectOf(db: Db): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite'
}

/**
 * The storage port. Both adapters are Kysely over one schema (store/schema.ts); what differs between them
 * (connection set-up, durability pragmas, a few SQL spellings) stays in this file.
 */
export interface Store {
  readonly dialect: Dialect
  readonly db: Kysely<Database>
  /** Runs `fn` in one transaction; everything it writes (the change and its outbox rows) commits together. */
  transaction<T>(fn: (tx: Transaction<Database>) => Promise<T>): Promise<T>
  /**
   * Runs `fn` so that everything it does through the store joins one transaction: on SQLite it commits when
   * `fn` returns (rolls back if it throws), and each {@link transaction} inside is a savepoint of it
   * (shared-transaction.ts) — `batch` runs its commands so. On PostgreSQL `fn` just runs: each transaction
   * stays its own, on a pooled connection, holding its row locks no longer than it must.
   */
  sharedTransaction<T>(fn: () => Promise<T>): Promise<T>
  /** The next id of a per-portal sequence (`user`, `deal` …), safe under concurrent writers on both stores. */
  nextId(db: Db, portalId: number, sequence: string): Promise<number>
  /**
   * SQLite only: a number that changes whenever another connection (another process or tool) committed to the
   * database file since the last call (`PRAGMA data_version`); this process's own writes do not move it.
   * Lets a per-process cache trust what it read until somebody else writes. Undefined on PostgreSQL.
   */
  readonly externalChanges?: () => number
  close(): Promise<void>
}

export type StoreLocation =
  | { kind: 'sqlite'; file: string; checkpoints?: Partial<CheckpointPolicy> }
  | { kind: 'postgres'; url: string; poolSize?: number }

/** What each adapter opens: its Kysely and the SQLite-only parts. */
interface Opened {
  readonly db: Kysely<Database>
  readonly dialect: Dialect
  readonly externalChanges?: () => number
  readonly shared?: SharedTransactions
  /** runs before the Kysely is destroyed */
  readonly beforeClose?: () => Promise<void>
}

/** Versioned migrations, applied in name order at start; each takes the dialect for the few DDL differences. */
const MIGRATIONS: Readonly<Record<string, { up(db: Kysely<unknown>, dialect: Dialect): Promise<void> }>> = {
  '0001-foundation': m0001,
  '0002-crm': m0002,
  '0003-oauth': m0003,
  '0004-limits': m0004,
  '0005-legacy': m0005,
  '0006-history': m0006,
  '0007-userfields': m0007,
  '0008-permissions': m0008,
  '0009-auth-throttle': m0009,
  '0010-list-indexes': m0010,
  '0011-config-version': m0011,
  '0013-write-path': m0013,
  '0014-count-indexes': m0014,
}

/** The migration names in the order they apply. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS).sort()

export async function openStore(location: StoreLocation): Promise<Store> {
  const opened: Opened = location.kind === 'sqlite' ? openSqlite(location) : openPostgres(location)
  const { dialect, shared } = opened
  // The configuration cache (config-cache.ts) watches every statement of the store and its transactions.
  const configCache = new ConfigCache(() => shared?.current())
  const db = opened.db.withPlugin(configCache)
  const close = async () => {
    await opened.beforeClose?.()
    await db.destroy()
  }
  try {
    await migrate(db, dialect)
    if (dialect === 'postgres') await widenIntegersToBigint(db)
  } catch (error) {
    await close()
    throw error
  }
  return {
    dialect,
    db,
    ...(opened.externalChanges === undefined ? {} : { externalChanges: opened.externalChanges }),
    transaction: async (fn) => {
      const within = shared?.current()
      let open: object | undefined
      try {
        return await db.transaction().execute((tx) => {
          open = tx
          configCache.begin(tx, within)
          return fn(tx)
        })
      } finally {
        if (open !== undefined) configCache.committed(open)
      }
    },
    sharedTransaction: (fn) => (shared === undefined ? fn() : shared.run(db, fn, configCache)),
    nextId: async (handle, portalId, sequence) => {
      const row = await handle
        .insertInto('id_counter')
        .values({ portal_id: portalId, name: sequence, value: 1 })
        .onConflict((oc) =>
          oc.columns(['portal_id', 'name']).doUpdateSet({ value: sql`id_counter.value + 1` }),
        )
        .returning('value')
        .executeTakeFirstOrThrow()
      return Number(row.value)
    },
    close,
  }
}

function openSqlite(location: { file: string; checkpoints?: Partial<CheckpointPolicy> }): Opened {
  const { file } = location
  const inMemory = file === ':memory:'
  if (!inMemory) mkdirSync(dirname(file), { recursive: true })
  const database = new BetterSqlite3(file)
  // WAL keeps readers off the writer's back; synchronous=NORMAL in WAL mode makes every committed transaction
  // survive a process crash (kill -9). Only an OS crash or power loss can roll back the last commits, and
  // never corrupts the file. B24_SQLITE_SYNCHRONOUS=FULL trades speed for that too (docs/compatibility.md).
  database.pragma('journal_mode = WAL')
  const synchronous = sqliteSynchronous()
  database.pragma(`synchronous = ${synchronous}`)
  database.pragma('foreign_keys = ON')
  database.pragma('busy_timeout = 5000')
  // SQLite's own lower() folds ASCII only; Bitrix (MySQL collations) matches Cyrillic and other scripts
  // case-insensitively, and list-query.ts builds LIKE on lower(). Same on PostgreSQL, whose lower() is Unicode.
  database.function('lower', { deterministic: true }, (value: unknown) =>
    typeof value === 'string' ? value.toLowerCase() : value,
  )
  const dataVersion = database.prepare('PRAGMA data_version').pluck()
  const shared = new SharedTransactions(() => database.inTransaction)
  const dialect = shared.dialect(new SqliteDialect({ database: withStatementCache(database) }))
  // An in-memory database has no WAL: nothing to checkpoint.
  const checkpointer = inMemory
    ? undefined
    : startCheckpointer(database, synchronous, { ...DEFAULT_CHECKPOINT_POLICY, ...location.checkpoints })
  return {
    db: new Kysely<Database>({ dialect }),
    dialect: 'sqlite',
    externalChanges: () => dataVersion.get() as number,
    shared,
    ...(checkpointer === undefined ? {} : { beforeClose: () => checkpointer.stop() }),
  }
}

/**
 * Kysely's SQLite driver prepares every statement anew, which costs more than running most of them; the SQL
 * text of our queries repeats (only bound values change), so prepared statements are kept by text.
 */
function withStatementCache(database: BetterSqlite3.Database, limit = 1000): BetterSqlite3.Database {
  const statements = new Map<string, BetterSqlite3.Statement>()
  const prepare = (source: string): BetterSqlite3.Statement => {
    let statement = statements.get(source)
    if (statement === undefined) {
      statement = database.prepare(source)
      if (statements.size >= limit) statements.delete(statements.keys().next().value as string)
      statements.set(source, statement)
    }
    return statement
  }
  return new Proxy(database, {
    get(target, property, receiver) {
      if (property === 'prepare') return prepare
      const value: unknown = Reflect.get(target, property, receiver)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}

function sqliteSynchronous(): 'NORMAL' | 'FULL' {
  return process.env['B24_SQLITE_SYNCHRONOUS']?.toUpperCase() === 'FULL' ? 'FULL' : 'NORMAL'
}

// COUNT(*) and other int8 values arrive from pg as strings; our counts fit in a double.
pg.types.setTypeParser(20, (value: string) => Number(value))

function openPostgres(location: { url: string; poolSize?: number }): Opened {
  const pool = new pg.Pool({ connectionString: location.url, max: location.poolSize ?? 10 })
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres' }
}

/**
 * SQLite integers are 64-bit; PostgreSQL's `integer` is 32-bit and refuses larger values with an error where
 * SQLite simply finds no row (an id of 10000000000 must be NOT_FOUND on both). Every integer column of our
 * tables is therefore widened to `bigint` on PostgreSQL. Idempotent and cheap when nothing is left to widen,
 * so columns that later migrations add are covered too. ALTER TYPE rewrites a table and drops the planner's
 * statistics of the columns it changed, so the widened tables are analyzed again right away (until autovacuum
 * got to them, list queries over a large table could get plans made without statistics).
 */
async function widenIntegersToBigint(db: Kysely<Database>): Promise<void> {
  const columns = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = current_schema() and data_type = 'integer' and table_name not like 'b24_migration%'
    order by table_name, ordinal_position`.execute(db)
  const byTable = new Map<string, string[]>()
  for (const { table_name, column_name } of columns.rows) {
    byTable.set(table_name, [...(byTable.get(table_name) ?? []), column_name])
  }
  for (const [table, names] of byTable) {
    const changes = sql.join(names.map((name) => sql`alter column ${sql.ref(name)} type bigint`))
    await sql`alter table ${sql.table(table)} ${changes}`.execute(db)
  }
  if (byTable.size > 0) {
    await sql`analyze ${sql.join([...byTable.keys()].map((table) => sql.table(table)))}`.execute(db)
  }
}

async function migrate(db: Kysely<Database>, dialect: Dialect): Promise<void> {
  const migrations: Record<string, Migration> = {}
  for (const [name, migration] of Object.entries(MIGRATIONS)) {
    migrations[name] = { up: (handle) => migration.up(handle, dialect) }
  }
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    migrationTableName: 'b24_migration',
    migrationLockTableName: 'b24_migration_lock',
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown'
    throw new Error(`Database migration ${failed} failed: ${String(error)}`, { cause: error })
  }
}
