import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type BetterSqlite3 from 'better-sqlite3'
import type { CheckpointerWorkerData } from './checkpointer-worker.js'

/**
 * WAL checkpoints off the request path (DESIGN.md "Storage"; research/stack-trials.md §3.1: the checkpoint
 * that SQLite runs inside the commit crossing 1,000 WAL pages is what sets the p99 of a write, and a timer on
 * the main thread does not help). A worker thread with a connection of its own checkpoints
 * (checkpointer-worker.ts), and once it is ready the serving connection stops (`wal_autocheckpoint=0`).
 * Durability does not change: a commit is in the WAL either way, and a checkpoint interrupted by kill -9 is
 * finished by the next opener.
 *
 * If the thread fails (it cannot open the file, a checkpoint hits an I/O error), the serving connection goes
 * back to checkpointing on commit, so the WAL never grows without bound.
 */

/** When the checkpointer thread copies the WAL into the database; see checkpointer-worker.ts. */
export interface CheckpointPolicy {
  /** how often the thread looks at the WAL */
  readonly tickMs: number
  /** a PASSIVE checkpoint once this many frames wait to be copied */
  readonly checkpointFrames: number
  /** a FULL checkpoint once the WAL holds this many frames, so the next commit starts it over */
  readonly walLimitFrames: number
  /** a TRUNCATE checkpoint once nothing was committed for this long */
  readonly idleMs: number
}

/** SQLite's own `wal_autocheckpoint` default, in frames (pages). */
const SQLITE_AUTOCHECKPOINT_FRAMES = 1000

export const DEFAULT_CHECKPOINT_POLICY: CheckpointPolicy = {
  tickMs: 50,
  checkpointFrames: SQLITE_AUTOCHECKPOINT_FRAMES,
  // ~40 MB of 4 KiB pages: under a steady write load the WAL starts over about once per 1,000 item updates.
  walLimitFrames: 10 * SQLITE_AUTOCHECKPOINT_FRAMES,
  idleMs: 1000,
}

export interface Checkpointer {
  /** Stops the thread and closes its connection; call before closing the serving connection. */
  stop(): Promise<void>
}

export function startCheckpointer(
  database: BetterSqlite3.Database,
  synchronous: string,
  policy: CheckpointPolicy = DEFAULT_CHECKPOINT_POLICY,
): Checkpointer {
  const workerData: CheckpointerWorkerData = { file: database.name, synchronous, policy }
  const worker = startWorker(workerData)
  // An unclosed store must not keep the process alive; stop() holds it until the thread is gone.
  worker.unref()
  let stopping = false
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
  const checkpointWhileCommitting = (on: boolean) => {
    if (!stopping && database.open) {
      database.pragma(`wal_autocheckpoint = ${on ? SQLITE_AUTOCHECKPOINT_FRAMES : 0}`)
    }
  }
  // Commits checkpoint as before until the thread has its connection open, and again if it fails.
  worker.once('message', () => checkpointWhileCommitting(false))
  worker.on('error', () => checkpointWhileCommitting(true))
  worker.once('exit', () => checkpointWhileCommitting(true))
  return {
    stop: async () => {
      if (stopping) return exited
      stopping = true
      worker.ref()
      worker.postMessage('stop')
      await exited
    },
  }
}

/**
 * The thread runs the module next to this one: the compiled .js in dist/. When the server runs from source
 * (tests, `tsx`) the thread does not inherit the main thread's TypeScript loader, so it registers tsx's own
 * before it loads the .ts module.
 */
function startWorker(workerData: CheckpointerWorkerData): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./checkpointer-worker.js', import.meta.url), { workerData, execArgv: [] })
  }
  const tsx = createRequire(import.meta.url).resolve('tsx/cjs/api')
  const source = fileURLToPath(new URL('./checkpointer-worker.ts', import.meta.url))
  const code = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(source)})`
  return new Worker(code, { eval: true, workerData, execArgv: [] })
}
