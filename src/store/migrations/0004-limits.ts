import { sql, type Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/**
 * The limiters' shared state (rate-limit/limiter.ts), kept in the store so that every server process on one
 * PostgreSQL database counts against the same buckets.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const float = dialect === 'postgres' ? 'double precision' : 'real'
  // Counters, not data: on PostgreSQL the tables are UNLOGGED, so the write every limited request makes skips
  // the WAL and its fsync. A crash empties them, which only forgives the clients their recent requests.
  const table = (name: string) =>
    dialect === 'postgres'
      ? db.schema.createTable(name).modifyFront(sql`unlogged`)
      : db.schema.createTable(name)

  // The request-rate leaky bucket, one row per (portal, source IP): limits.md "takes the source IP into
  // account". The row is updated by a single upsert, so concurrent requests serialise on it.
  await table('rate_bucket')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('source_ip', 'text', (c) => c.notNull())
    .addColumn('level', float, (c) => c.notNull())
    .addColumn('updated_at_ms', float, (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_bucket_pk', ['portal_id', 'source_ip'])
    .execute()

  // The operating-time limiter's one-minute baskets, per (portal, credential, method): seconds spent in the
  // minute and when the first counted call of that minute started (the basket expires ten minutes later).
  await table('operating_bucket')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('credential', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('minute', 'integer', (c) => c.notNull())
    .addColumn('first_call_ms', float, (c) => c.notNull())
    .addColumn('seconds', float, (c) => c.notNull())
    .addPrimaryKeyConstraint('operating_bucket_pk', ['portal_id', 'credential', 'method', 'minute'])
    .execute()
}
