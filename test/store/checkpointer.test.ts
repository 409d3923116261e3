import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { stat } from 'node:fs/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { openStore, type Store } from '../../src/store/store.js'
import type { CheckpointPolicy } from '../../src/store/checkpointer.js'

/**
 * WAL checkpoints off the request path (src/store/checkpointer.ts): the serving connection never checkpoints,
 * a worker thread keeps the WAL file bounded under a steady write load and empties it once writes stop, and
 * the thread ends with its store (tests open and close many stores; the process must still exit).
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const FRAME_BYTES = 4096 + 24
const WAL_HEADER_BYTES = 32

/** Small thresholds so a test writes a few MB, not hundreds. */
const FAST: CheckpointPolicy = { tickMs: 5, checkpointFrames: 64, walLimitFrames: 256, idleMs: 200 }

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'b24crm-checkpoints-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

function walBytes(file: string): number {
  return existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0
}

/** Threads of this process (Linux); a worker thread is one. */
function threads(): number {
  return readdirSync('/proc/self/task').length
}

/** A file store whose checkpointer thread is running: the serving connection has stopped checkpointing. */
async function openFileStore(file: string, checkpoints: Partial<CheckpointPolicy> = FAST): Promise<Store> {
  const store = await openStore({ kind: 'sqlite', file, checkpoints })
  const started = Date.now()
  while (Date.now() - started < 20_000) {
    const setting = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(store.db)
    if (setting.rows[0]?.wal_autocheckpoint === 0) return store
    await sleep(10)
  }
  await store.close()
  throw new Error('the checkpointer thread did not start')
}

describe('the WAL checkpointer', () => {
  it('keeps the WAL bounded under a steady write load and empties it when writes stop', async () => {
    const file = join(dir, 'b24crm.sqlite')
    const store = await openFileStore(file)
    try {
      await sql`create table checkpoint_load (id integer primary key, payload blob not null)`.execute(
        store.db,
      )
      // Each commit writes at least one 4 KiB page: without checkpoints the WAL would end up holding 4,000+
      // frames (16 MB+).
      const payload = Buffer.alloc(3000, 7)
      const commits = 4000
      let largest = 0
      for (let i = 1; i <= commits; i++) {
        await sql`insert into checkpoint_load (id, payload) values (${i}, ${payload})`.execute(store.db)
        // Requests arrive with gaps between them, a few per millisecond at most here.
        if (i % 5 === 0) await sleep(1)
        if (i % 50 === 0) largest = Math.max(largest, walBytes(file))
      }
      expect(largest).toBeGreaterThan(0)
      // A few ticks' worth of commits past the limit at most; generous for a busy machine.
      expect(largest).toBeLessThanOrEqual(WAL_HEADER_BYTES + (commits / 2) * FRAME_BYTES)
      const quietSince = Date.now()
      while (walBytes(file) > 0 && Date.now() - quietSince < 10_000) await sleep(20)
      expect(walBytes(file)).toBe(0)
      const count = await sql<{ n: number }>`select count(*) as n from checkpoint_load`.execute(store.db)
      expect(count.rows[0]?.n).toBe(commits)
    } finally {
      await store.close()
    }
    // Closed: the data is all in the database file.
    expect(walBytes(file)).toBe(0)
  })

  it('ends its thread when the store closes, and runs none for an in-memory store', async () => {
    // A first store, and a file operation that starts libuv's thread pool, warm up what stays before counting.
    await (await openFileStore(join(dir, 'warm.sqlite'))).close()
    await stat(dir)
    const before = threads()
    const stores: Store[] = []
    for (let i = 0; i < 5; i++) stores.push(await openFileStore(join(dir, `store-${i}.sqlite`)))
    expect(threads()).toBeGreaterThanOrEqual(before + 5)
    for (const store of stores) await store.close()
    expect(threads()).toBe(before)
    const memory = await openStore({ kind: 'sqlite', file: ':memory:' })
    expect(threads()).toBe(before)
    await memory.close()
  })

  it('lets the process exit with a store left open', async () => {
    const storeModule = pathToFileURL(
      fileURLToPath(new URL('../../src/store/store.ts', import.meta.url)),
    ).href
    const script = join(dir, 'left-open.mts')
    writeFileSync(
      script,
      [
        `const { openStore } = await import(${JSON.stringify(storeModule)})`,
        `const store = await openStore({ kind: 'sqlite', file: ${JSON.stringify(join(dir, 'open.sqlite'))} })`,
        `await store.db.selectFrom('portal').selectAll().execute()`,
        `console.log('opened')`,
      ].join('\n'),
    )
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
    const started = Date.now()
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', tsx, script], {
      timeout: 20_000,
    })
    expect(stdout.trim()).toBe('opened')
    expect(Date.now() - started).toBeLessThan(20_000)
  })
})
