/**
 * Plumbing of the reliability scenarios (test/reliability/*.test.ts, scripts/reliability.ts): the real server
 * process (`node dist/main.js`) started on a data folder or a PostgreSQL database, killed with SIGKILL and
 * started again; a small HTTP client that sends raw bytes and never throws on an HTTP status; the server's
 * resident memory; fresh PostgreSQL databases; a seeded random source.
 *
 * The server is the built one (`npm test` builds first through `pretest`; the reliability script builds too),
 * so these scenarios exercise exactly what `npm start` runs.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import BetterSqlite3 from 'better-sqlite3'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const MAIN_JS = join(ROOT, 'dist/main.js')
export const HOOK_CODE = 'reliabilityhook'
export const ADMIN_TOKEN = 'reliability-admin-token'
/** The bootstrap webhook of the default portal: admin user 1, every scope. */
export const HOOK_PATH = `/rest/1/${HOOK_CODE}/`

/** PostgreSQL runs when B24_TEST_DATABASE_URL is set (as for the other suites). */
export const POSTGRES_URL = process.env['B24_TEST_DATABASE_URL']

export type StoreKind = 'sqlite' | 'postgres'
export const STORE_KINDS: StoreKind[] = POSTGRES_URL === undefined ? ['sqlite'] : ['sqlite', 'postgres']

// ---------------------------------------------------------------------------------------------------------
// Random source

/** mulberry32: small and fast; a seed makes every scenario reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = a
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T
}

export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1))
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

// ---------------------------------------------------------------------------------------------------------
// Where the data lives

/**
 * A place for one scenario's data: a temporary data folder always (admin token, SQLite file), plus a fresh
 * PostgreSQL database for the postgres kind. `dispose` removes both.
 */
export interface DataPlace {
  kind: StoreKind
  dataDir: string
  /** the PostgreSQL database of this place; undefined for SQLite */
  databaseUrl: string | undefined
  sqliteFile: string
  dispose(): Promise<void>
}

export async function createDataPlace(kind: StoreKind): Promise<DataPlace> {
  const dataDir = mkdtempSync(join(tmpdir(), 'b24crm-reliability-'))
  const database = kind === 'postgres' ? await createPostgresDatabase() : undefined
  return {
    kind,
    dataDir,
    databaseUrl: database?.url,
    sqliteFile: join(dataDir, 'b24crm.sqlite'),
    dispose: async () => {
      await database?.drop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** A database of its own on the B24_TEST_DATABASE_URL server; `drop` ends leftover sessions too. */
export async function createPostgresDatabase(): Promise<{
  url: string
  name: string
  drop(): Promise<void>
}> {
  if (POSTGRES_URL === undefined) throw new Error('B24_TEST_DATABASE_URL is not set')
  const name = `b24rel_${randomBytes(6).toString('hex')}`
  await adminQuery(`create database ${name}`)
  const url = new URL(POSTGRES_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    name,
    // WITH (FORCE): a killed server's sessions may linger until PostgreSQL notices the closed socket.
    drop: () => adminQuery(`drop database if exists ${name} with (force)`),
  }
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

/** Runs one query against a place's database (a short-lived connection of its own). */
export async function queryPlace<T extends Record<string, unknown>>(
  place: DataPlace,
  text: string,
  values: readonly unknown[] = [],
): Promise<T[]> {
  if (place.databaseUrl !== undefined) {
    const client = new pg.Client({ connectionString: place.databaseUrl })
    await client.connect()
    try {
      const placeholders = text.replace(
        /\?/g,
        (() => {
          let n = 0
          return () => `$${(n += 1)}`
        })(),
      )
      return (await client.query(placeholders, [...values])).rows as T[]
    } finally {
      await client.end()
    }
  }
  const database = new BetterSqlite3(place.sqliteFile, { fileMustExist: true })
  try {
    const statement = database.prepare(text)
    if (!statement.reader) {
      statement.run(...values)
      return []
    }
    return statement.all(...values) as T[]
  } finally {
    database.close()
  }
}

/**
 * `pragma integrity_check` of the SQLite file as a killed server left it. Opening the file replays the WAL,
 * exactly as the next start does. PostgreSQL has no equivalent to run here: a killed client cannot damage
 * its files, and the data checks cover what the server committed.
 */
export function sqliteIntegrity(file: string): string {
  const database = new BetterSqlite3(file, { fileMustExist: true })
  try {
    const rows = database.pragma('integrity_check') as { integrity_check: string }[]
    return rows.map((row) => row.integrity_check).join('; ')
  } finally {
    database.close()
  }
}

// ---------------------------------------------------------------------------------------------------------
// The server process

export interface ServerProcess {
  readonly pid: number
  readonly port: number
  /** keep-alive connections to this process */
  readonly agent: http.Agent
  /** stdout and stderr so far (the banner, warnings, a crash trace) */
  output(): string
  alive(): boolean
  /** resolves when the process has exited */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** SIGKILL: no shutdown handler runs, no buffer is flushed by the process */
  kill9(): Promise<void>
  /** SIGTERM, the graceful shutdown of main.ts; SIGKILL after 10 s */
  stop(): Promise<void>
  /** resident set size in bytes (Linux /proc), undefined when the process is gone */
  rssBytes(): number | undefined
  /** start-up time: spawn to the banner */
  readonly startMs: number
}

export interface StartOptions {
  place: DataPlace
  env?: Record<string, string>
  timeoutMs?: number
}

export function assertBuilt(): void {
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run \`npm run build\` first`)
}

/** Server processes still running: killed when this process exits, so a crashed test leaves none behind. */
const liveChildren = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL')
})

/** Starts `node dist/main.js` on the place (B24_PORT=0: the port is read from the start-up banner). */
export async function startServer(options: StartOptions): Promise<ServerProcess> {
  assertBuilt()
  const { place } = options
  const started = Date.now()
  const env: Record<string, string | undefined> = {
    ...process.env,
    B24_DATA_DIR: place.dataDir,
    B24_PORT: '0',
    B24_HTTPS_PORT: 'off',
    B24_BOOTSTRAP_WEBHOOK: HOOK_CODE,
    B24_ADMIN_TOKEN: ADMIN_TOKEN,
    B24_LOG_LEVEL: 'warn',
    B24_DATABASE_URL: place.databaseUrl ?? '',
    ...options.env,
  }
  const child = spawn(process.execPath, [MAIN_JS], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  liveChildren.add(child)
  child.once('exit', () => liveChildren.delete(child))
  let out = ''
  // Bounded: a server that logs a lot must not grow the test's memory without limit.
  const append = (chunk: Buffer): void => {
    out = (out + chunk.toString()).slice(-64 * 1024)
  }
  child.stdout?.on('data', append)
  child.stderr?.on('data', append)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`server did not start within ${options.timeoutMs ?? 30_000} ms: ${out}`))
    }, options.timeoutMs ?? 30_000)
    const onData = (): void => {
      const match = /HTTP\s+http:\/\/\S+?:(\d+)\/rest\//.exec(out)
      if (match?.[1] !== undefined) {
        clearTimeout(timer)
        resolve(Number(match[1]))
      }
    }
    child.stdout?.on('data', onData)
    void exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`server exited during start (${String(code ?? signal)}): ${out}`))
    })
  })
  return serverHandle(child, port, exited, () => out, Date.now() - started)
}

function serverHandle(
  child: ChildProcess,
  port: number,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  output: () => string,
  startMs: number,
): ServerProcess {
  let running = true
  void exited.then(() => (running = false))
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
  const pid = child.pid ?? -1
  return {
    pid,
    port,
    agent,
    output,
    exited,
    startMs,
    alive: () => running,
    kill9: async () => {
      if (running) child.kill('SIGKILL')
      await exited
      agent.destroy()
    },
    stop: async () => {
      if (running) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(timer)
      }
      agent.destroy()
    },
    rssBytes: () => (running ? processRss(pid) : undefined),
  }
}

/** VmRSS of a process from /proc (Linux); undefined elsewhere or when it is gone. */
export function processRss(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024
  } catch {
    return undefined
  }
}

/** Samples a process's RSS every `everyMs` until stopped; reports the maximum and the last sample. */
export function sampleRss(
  server: ServerProcess,
  everyMs = 200,
): { stop(): { maxBytes: number; lastBytes: number; samples: number } } {
  let maxBytes = 0
  let lastBytes = 0
  let samples = 0
  const take = (): void => {
    const rss = server.rssBytes()
    if (rss === undefined) return
    samples += 1
    lastBytes = rss
    maxBytes = Math.max(maxBytes, rss)
  }
  take()
  const timer = setInterval(take, everyMs)
  return {
    stop: () => {
      clearInterval(timer)
      take()
      return { maxBytes, lastBytes, samples }
    },
  }
}

// ---------------------------------------------------------------------------------------------------------
// HTTP

export interface HttpAnswer {
  status: number
  body: Buffer
  headers: http.IncomingHttpHeaders
}

export interface RawRequest {
  method: string
  /**
   * The request target as bytes-in-a-string: every char is one byte on the wire (latin1), so a URL can
   * carry invalid UTF-8. Use {@link utf8Target} to turn a normal string into this form.
   */
  target: string
  headers?: Record<string, string>
  body?: string | Buffer
  timeoutMs?: number
}

/** A request target for {@link RawRequest}: the UTF-8 bytes of `path`, one char per byte. */
export function utf8Target(path: string): string {
  return Buffer.from(path, 'utf8').toString('latin1')
}

/**
 * One HTTP request. Resolves with any status; rejects on a network error (refused, reset — a killed server)
 * or after `timeoutMs` without an answer.
 */
export function httpRequest(
  server: { port: number; agent: http.Agent },
  spec: RawRequest,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const body =
      spec.body === undefined ? undefined : Buffer.isBuffer(spec.body) ? spec.body : Buffer.from(spec.body)
    const request = http.request({
      host: '127.0.0.1',
      port: server.port,
      method: spec.method,
      path: spec.target,
      agent: server.agent,
      headers: { ...spec.headers, ...(body === undefined ? {} : { 'content-length': String(body.length) }) },
    })
    const timer = setTimeout(() => {
      request.destroy(
        new Error(
          `no answer within ${spec.timeoutMs ?? 30_000} ms: ${spec.method} ${spec.target.slice(0, 200)}`,
        ),
      )
    }, spec.timeoutMs ?? 30_000)
    request.on('response', (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => {
        clearTimeout(timer)
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks), headers: response.headers })
      })
      response.on('error', (error) => {
        clearTimeout(timer)
        reject(error)
      })
    })
    request.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    request.end(body)
  })
}

export interface CallAnswer {
  status: number
  body: Record<string, unknown>
}

/** A REST call as JSON through the bootstrap webhook. Rejects on a network error or a non-JSON answer. */
export async function callMethod(
  server: { port: number; agent: http.Agent },
  method: string,
  params: Record<string, unknown> = {},
  timeoutMs = 30_000,
): Promise<CallAnswer> {
  const answer = await httpRequest(server, {
    method: 'POST',
    target: `${HOOK_PATH}${method}`,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
    timeoutMs,
  })
  return { status: answer.status, body: parseJson(answer.body, `${method} → HTTP ${answer.status}`) }
}

/** A call that must succeed: `result`, or an error naming the method and the answer. */
export async function callOk<T>(
  server: { port: number; agent: http.Agent },
  method: string,
  params: Record<string, unknown> = {},
): Promise<T> {
  const answer = await callMethod(server, method, params)
  if (answer.status !== 200) {
    throw new Error(`${method}: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 500)}`)
  }
  return answer.body['result'] as T
}

export function parseJson(body: Buffer, context: string): Record<string, unknown> {
  const text = body.toString('utf8')
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>
    }
  } catch {
    // reported below
  }
  throw new Error(`${context}: not a JSON object: ${text.slice(0, 300)}`)
}

/** The admin API (JSON in and out, the token as a bearer). */
export async function adminCall(
  server: { port: number; agent: http.Agent },
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<CallAnswer> {
  const answer = await httpRequest(server, {
    method,
    target: `/_admin${path}`,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: answer.status, body: parseJson(answer.body, `admin ${method} ${path}`) }
}

/** True for the errors a request gets when the server process dies under it. */
export function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code
  return (
    code === 'ECONNRESET' ||
    code === 'ECONNREFUSED' ||
    code === 'EPIPE' ||
    code === 'ECONNABORTED' ||
    (error instanceof Error && /socket hang up|other side closed/i.test(error.message))
  )
}

/**
 * Every item of one entity type, with the selected fields: pages of 50 by `>id`, `start=-1` (no count),
 * the fast paging of huge-data.md.
 */
export async function listAllItems(
  server: { port: number; agent: http.Agent },
  entityTypeId: number,
  select: readonly string[],
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = []
  let lastId = 0
  for (;;) {
    const result = await callOk<{ items: Record<string, unknown>[] }>(server, 'crm.item.list', {
      entityTypeId,
      select: ['id', ...select],
      filter: { '>id': lastId },
      order: { id: 'ASC' },
      start: -1,
    })
    items.push(...result.items)
    if (result.items.length < 50) return items
    lastId = Number(result.items[result.items.length - 1]?.['id'])
  }
}
