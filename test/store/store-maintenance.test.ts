import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { openStore } from '../../src/store/store.js'
import { openTestStore, POSTGRES_URL } from '../helpers/test-store.js'

/**
 * What the store does for the databases it opens (src/store/store.ts): PostgreSQL tables whose integer columns
 * were widened to bigint (which rewrites them and drops their statistics) are analyzed again; on SQLite a
 * transaction that reads before it writes waits for a write lock held by another connection — the checkpointer
 * thread's, or another process's — instead of failing at once with SQLITE_BUSY.
 */
describe.runIf(POSTGRES_URL !== undefined)('a PostgreSQL store', () => {
  it('analyzes the tables it widened to bigint', async () => {
    const store = await openTestStore('postgres')
    try {
      const columns = await sql<{ data_type: string }>`
        select data_type from information_schema.columns
        where table_schema = current_schema() and table_name = 'crm_item' and column_name = 'assigned_by_id'`.execute(
        store.db,
      )
      expect(columns.rows[0]?.data_type).toBe('bigint')
      const stats = await sql<{ last_analyze: unknown }>`
        select last_analyze from pg_stat_user_tables where relname = 'crm_item'`.execute(store.db)
      expect(stats.rows[0]?.last_analyze).not.toBeNull()
    } finally {
      await store.close()
    }
  })
})

describe('a SQLite file store', () => {
  it('waits in a transaction that reads before it writes while another process holds the write lock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'b24crm-locks-'))
    const file = join(dir, 'b24crm.sqlite')
    const store = await openStore({ kind: 'sqlite', file })
    try {
      await sql`create table lock_probe (v integer not null)`.execute(store.db)
      await sql`insert into lock_probe (v) values (1)`.execute(store.db)
      // Another process takes the write lock and keeps it for 300 ms.
      const holder = spawn(
        process.execPath,
        [
          '-e',
          `const db = new (require('better-sqlite3'))(${JSON.stringify(file)})
           db.exec('begin immediate'); db.exec('insert into lock_probe (v) values (2)')
           console.log('locked')
           Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300)
           db.exec('commit'); db.close()`,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      )
      await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()))
      const started = Date.now()
      const written = await store.transaction(async (tx) => {
        const row = await sql<{ n: number }>`select max(v) as n from lock_probe`.execute(tx)
        await sql`insert into lock_probe (v) values (${(row.rows[0]?.n ?? 0) + 1})`.execute(tx)
        return row.rows[0]?.n
      })
      expect(Date.now() - started).toBeGreaterThanOrEqual(100)
      // It began after the other process committed: it read that process's row.
      expect(written).toBe(2)
      await new Promise((resolve) => holder.once('exit', resolve))
    } finally {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
