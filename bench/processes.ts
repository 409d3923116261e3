/**
 * The processes a benchmark run drives: the b24crm server (`node dist/main.js`, exactly what `npm start`
 * runs) and the baseline servers (bench/baselines/*.mjs). Each runs in its own process so the load tool, the
 * server and this orchestrator never share an event loop. Also: free ports, readiness, RSS and CPU time.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

export const ROOT = new URL('..', import.meta.url).pathname
export const HOOK_CODE = 'benchhook'
export const ADMIN_TOKEN = 'bench-admin-token'

export interface Running {
  readonly pid: number
  readonly url: string
  stop(): Promise<void>
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export interface ServerOptions {
  readonly dataDir: string
  /** PostgreSQL connection string; absent = SQLite in dataDir */
  readonly databaseUrl?: string
  readonly logFile: string
  /** extra node flags, e.g. --cpu-prof */
  readonly nodeArgs?: readonly string[]
}

export interface StartedServer extends Running {
  /** milliseconds from spawn to the first 200 answer */
  readonly startMs: number
  /** `/rest/1/<code>/` on this server */
  readonly hookUrl: string
}

/** Starts b24crm as users do and waits for its first successful answer (a webhook `server.time`). */
export async function startServer(options: ServerOptions): Promise<StartedServer> {
  const port = await freePort()
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    B24_HOST: '127.0.0.1',
    B24_PORT: String(port),
    B24_HTTPS_PORT: 'off',
    B24_DATA_DIR: options.dataDir,
    B24_BOOTSTRAP_WEBHOOK: HOOK_CODE,
    B24_ADMIN_TOKEN: ADMIN_TOKEN,
    B24_LOG_LEVEL: 'warn',
  }
  delete env['B24_DATABASE_URL']
  if (options.databaseUrl !== undefined) env['B24_DATABASE_URL'] = options.databaseUrl
  const url = `http://127.0.0.1:${port}`
  const hookUrl = `${url}/rest/1/${HOOK_CODE}/`
  const started = performance.now()
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(ROOT, 'dist/main.js')], {
    cwd: options.dataDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const log = createWriteStream(options.logFile, { flags: 'a' })
  child.stdout?.pipe(log, { end: false })
  child.stderr?.pipe(log, { end: false })
  await waitUntil(child, options.logFile, async () => (await fetch(`${hookUrl}server.time`)).status === 200)
  const startMs = performance.now() - started
  return { pid: pidOf(child), url, hookUrl, startMs, stop: () => stopChild(child) }
}

/** Starts a baseline script; it prints `{"port": N}` on its first stdout line once it listens. */
export async function startBaseline(script: string, args: readonly string[]): Promise<Running> {
  const child = spawn(process.execPath, [join(ROOT, 'bench/baselines', script), ...args], {
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      const line = buffered.split('\n')[0]
      if (buffered.includes('\n') && line !== undefined) resolve((JSON.parse(line) as { port: number }).port)
    })
    child.once('exit', (code) => reject(new Error(`${script} exited with ${String(code)} before listening`)))
  })
  return { pid: pidOf(child), url: `http://127.0.0.1:${port}`, stop: () => stopChild(child) }
}

async function waitUntil(child: ChildProcess, logFile: string, ready: () => Promise<boolean>): Promise<void> {
  let exited = false
  child.once('exit', () => (exited = true))
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the server exited during start-up; its log:\n${tail(logFile)}`)
    try {
      if (await ready()) return
    } catch {
      // not listening yet
    }
    await sleep(2)
  }
  child.kill('SIGKILL')
  throw new Error(`the server did not answer within 120 s; its log:\n${tail(logFile)}`)
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-30).join('\n')
  } catch {
    return '(no log)'
  }
}

function pidOf(child: ChildProcess): number {
  if (child.pid === undefined) throw new Error('spawn failed')
  return child.pid
}

/** SIGTERM (the server closes its store cleanly), SIGKILL after 10 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

/** Resident memory of a process in MB (VmRSS), and its peak so far (VmHWM). */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0)
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 }
}

/** CPU time (user + system) a process has used so far, in milliseconds (clock ticks are 10 ms here). */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // the fields after the parenthesised command name; utime and stime are fields 14 and 15
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/**
 * Waits until a process is idle (under 10 % of a core over 200 ms): requests still in flight when the load
 * tool stops are finished before the next run starts, so slow workloads do not spill into the next one.
 */
export async function settle(pid: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = cpuMsOf(pid)
  while (Date.now() < deadline) {
    await sleep(200)
    const now = cpuMsOf(pid)
    if (now - last <= 20) return
    last = now
  }
}
