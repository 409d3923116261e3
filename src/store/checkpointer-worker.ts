import { closeSync, openSync, readSync } from 'node:fs'
import { endianness } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import BetterSqlite3 from 'better-sqlite3'
import type { CheckpointPolicy } from './checkpointer.js'

/**
 * The WAL checkpointer's thread (started by checkpointer.ts): its own connection to the database file copies
 * committed pages from the WAL into the database, so the serving connection's commits never do it
 * (research/stack-trials.md §3.1: the checkpoint that a commit crossing 1,000 pages runs is the SQLite p99).
 *
 * How full the WAL is comes from the wal-index header in the `-shm` file that every connection maps
 * (sqlite.org/walformat.html §2.1, "The WAL-Index Header": `mxFrame`, the last valid frame, at byte 16;
 * `nBackfill`, the frames already copied, at byte 96; native byte order). Reading it costs one `pread` and
 * takes no lock, so the thread can look often and checkpoint only when there is something to copy:
 *
 * - PASSIVE once `checkpointFrames` frames wait (SQLite's own autocheckpoint threshold): it never waits for
 *   or blocks the serving connection.
 * - Once the WAL holds `walLimitFrames`, FULL after the PASSIVE if commits landed while it copied: under a
 *   steady write load a PASSIVE checkpoint never catches up with them, so SQLite would never start the WAL
 *   over and the file would grow without bound. FULL briefly holds off writers while it copies the few frames
 *   left; the next commit then starts the WAL from its beginning.
 * - TRUNCATE once nothing was committed for `idleMs`: the WAL file goes back to zero bytes while nobody writes.
 *
 * The connection never waits for a lock (busy_timeout 0): a checkpoint that finds the serving connection in a
 * transaction reports "busy" and is tried again on a later tick. Checkpoints sync the files as the serving
 * connection's `synchronous` setting says, so durability is the same as when commits ran them.
 */

/** What checkpointer.ts hands the thread. */
export interface CheckpointerWorkerData {
  readonly file: string
  readonly synchronous: string
  readonly policy: CheckpointPolicy
}

const WAL_INDEX_HEADER_BYTES = 104
const MX_FRAME_OFFSET = 16
const N_BACKFILL_OFFSET = 96

const { file, synchronous, policy } = workerData as CheckpointerWorkerData
const database = new BetterSqlite3(file, { fileMustExist: true })
database.pragma(`synchronous = ${synchronous}`)
database.pragma('busy_timeout = 0')
const checkpoints = {
  PASSIVE: database.prepare('PRAGMA wal_checkpoint(PASSIVE)'),
  FULL: database.prepare('PRAGMA wal_checkpoint(FULL)'),
  TRUNCATE: database.prepare('PRAGMA wal_checkpoint(TRUNCATE)'),
}
const header = Buffer.alloc(WAL_INDEX_HEADER_BYTES)
const readU32 =
  endianness() === 'LE'
    ? (offset: number) => header.readUInt32LE(offset)
    : (offset: number) => header.readUInt32BE(offset)
// Opened once the serving connection made it (it exists while any connection has the database open).
let shm: number | undefined
let lastFrame = 0
let lastChange = Date.now()

function checkpoint(mode: keyof typeof checkpoints): boolean {
  const { busy } = checkpoints[mode].get() as { busy: number }
  return busy === 0
}

/** `mxFrame` and `nBackfill` of the wal-index header, or undefined while there is no `-shm` file to read. */
function walIndex(): { frames: number; copied: number } | undefined {
  try {
    shm ??= openSync(`${file}-shm`, 'r')
    if (readSync(shm, header, 0, WAL_INDEX_HEADER_BYTES, 0) < WAL_INDEX_HEADER_BYTES) return undefined
  } catch {
    return undefined
  }
  return { frames: readU32(MX_FRAME_OFFSET), copied: readU32(N_BACKFILL_OFFSET) }
}

function tick(): void {
  const now = Date.now()
  const wal = walIndex()
  if (wal === undefined) return
  if (wal.frames !== lastFrame) {
    lastFrame = wal.frames
    lastChange = now
  }
  const full = (index: { frames: number; copied: number }) =>
    index.frames >= policy.walLimitFrames && index.copied < index.frames
  if (wal.frames - wal.copied >= policy.checkpointFrames || full(wal)) {
    checkpoint('PASSIVE')
    // Commits landed while it copied, so the WAL cannot start over: hold them off for the few frames left.
    const after = walIndex()
    if (after !== undefined && full(after)) checkpoint('FULL')
  } else if (wal.frames > 0 && now - lastChange >= policy.idleMs && checkpoint('TRUNCATE')) {
    lastFrame = 0
  }
}

// The serving connection has the database open in WAL mode, so its wal-index is there to read; without it
// this thread could not tell when to checkpoint, and failing leaves checkpoints to the commits.
if (walIndex() === undefined) throw new Error(`No wal-index to read for ${file}`)
const timer = setInterval(tick, policy.tickMs)
// Ready: the serving connection may stop checkpointing on commit.
parentPort?.postMessage('ready')

parentPort?.once('message', () => {
  clearInterval(timer)
  if (shm !== undefined) closeSync(shm)
  database.close()
  parentPort?.close()
})
