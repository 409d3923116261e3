import { sql, type Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/**
 * The security of the server itself:
 * - `auth_failure`: failed authentications per source address (auth/auth-throttle.ts), in the store so that
 *   every server process on one PostgreSQL database counts the same failures;
 * - `server_setting`: named server-wide values; the first is the admin token's salted hash
 *   (http/admin-token.ts), which the CLI checks the token it is given against.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const float = dialect === 'postgres' ? 'double precision' : 'real'
  // Counters, not data (as the limiters' tables of 0004-limits): UNLOGGED on PostgreSQL, so recording a
  // failure skips the WAL. A crash empties the table, which only forgives recent failures.
  const counters =
    dialect === 'postgres'
      ? db.schema.createTable('auth_failure').modifyFront(sql`unlogged`)
      : db.schema.createTable('auth_failure')
  await counters
    // the source address as auth-throttle.ts keys it: an IPv4 address or an IPv6 /64 prefix
    .addColumn('source', 'text', (c) => c.notNull().primaryKey())
    .addColumn('window_start_ms', float, (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    // 0 when the source has never been refused
    .addColumn('blocked_until_ms', float, (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('server_setting')
    .addColumn('name', 'text', (c) => c.notNull().primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute()
}
