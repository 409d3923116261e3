/**
 * In-process micro-benchmark: the server's own cost per call, without a load tool, sockets or other
 * processes — the figures that stay stable on a busy machine.
 *
 *   npx tsx bench/inprocess.ts [--store=sqlite|postgres] [--items=2000] [--calls=2000] [--user=1|2]
 *                              [--only=update,batch,time,list,keyset,get] [--trace] [--profile]
 *                              [--sql-time] [--rounds=3] [--no-count] [--data=DIR] [--database-url=URL]
 *
 * - The data is made like bench/data.ts makes it: users 2–10, one template lead (two phones, two observers)
 *   through crm.item.add, then copies written straight into the tables by bench/bulk-writers.ts.
 * - Every call goes through the real Fastify edge (`inject`), so body decoding and JSON output count.
 * - Statements are counted at the driver: better-sqlite3 Statement#all/get/run/iterate, pg Client#query.
 * - `--user=2` calls through a webhook of user 2, an ordinary employee with the default "Full access" role
 *   (the bench's webhook is the administrator's, who skips role checks).
 * - `--trace` prints the SQL of one call of each workload; `--profile` writes a .cpuprofile of the whole
 *   measuring phase to bench/results/ and prints the top self-time functions.
 * - `--sql-time` adds the time spent inside SQLite per statement; `--no-count` leaves the drivers alone.
 * - Figures are the best of `--rounds` rounds by CPU time (user + system of this process), which a shared
 *   machine disturbs far less than wall time.
 * - `--data=DIR` keeps the SQLite data set in DIR and reuses it on the next run (`--items` must match);
 *   `--database-url=URL` does the same with a PostgreSQL database made by an earlier run.
 * - PostgreSQL: B24_DATABASE_URL=postgres://… (a fresh database `b24inproc_*` is created and dropped).
 */
import { existsSync, mkdtempSync, rmSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Session } from 'node:inspector/promises'
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import pino from 'pino'
import { sql } from 'kysely'
import { createApp, type App } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { buildHttpServer } from '../src/http/server.js'
import { ensureBootstrap } from '../src/portal/bootstrap.js'
import { createUser } from '../src/portal/users.js'
import { createWebhook } from '../src/portal/webhooks.js'
import { postgresWriter, sqliteWriter, type BulkWriter } from './bulk-writers.js'
import { LEAD, USERS, VARYING, generated } from './data.js'
import { batchUpdate, itemUpdate, listFiltered, listKeyset, type Workload } from './workloads.js'
import { ROOT } from './processes.js'
import { formatSelfTime, topSelfTime } from './profile.js'

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [key, value] = a.replace(/^--/, '').split('=')
    return [key ?? '', value ?? 'true'] as const
  }),
)
const STORE = args.get('store') === 'postgres' ? 'postgres' : 'sqlite'
const ITEMS = Number(args.get('items') ?? 2000)
const CALLS = Number(args.get('calls') ?? 2000)
const USER = Number(args.get('user') ?? 1)
const ONLY = new Set((args.get('only') ?? 'time,update,batch,get,list,keyset').split(','))
const TRACE = args.has('trace')
const PROFILE = args.has('profile')
const COUNT = !args.has('no-count')
const ROUNDS = Number(args.get('rounds') ?? 3)
const SQL_TIME = args.has('sql-time')
const HOOK = 'inprochook'

// ---------------------------------------------------------------------------------------------------------
// Statement counter

let counting = false
let statements = 0
let traced: string[] | undefined
let sent = 0
/** --sql-time: µs spent inside SQLite per statement text (first 60 characters) */
const sqlTime = new Map<string, number>()

function hookDrivers(): void {
  const probe = new BetterSqlite3(':memory:')
  const proto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, unknown>
  probe.close()
  for (const name of ['all', 'get', 'run', 'iterate']) {
    const original = proto[name] as (...a: unknown[]) => unknown
    proto[name] = function (this: { source: string }, ...a: unknown[]) {
      if (!counting) return original.apply(this, a)
      statements++
      traced?.push(this.source)
      if (!SQL_TIME) return original.apply(this, a)
      const started = process.hrtime.bigint()
      try {
        return original.apply(this, a)
      } finally {
        const key = this.source.replace(/\s+/g, ' ').slice(0, 60)
        sqlTime.set(key, (sqlTime.get(key) ?? 0) + Number(process.hrtime.bigint() - started) / 1000)
      }
    }
  }
  const query = pg.Client.prototype.query as (...a: unknown[]) => unknown
  pg.Client.prototype.query = function (this: pg.Client, ...a: unknown[]) {
    if (counting) {
      statements++
      const first = a[0]
      traced?.push(typeof first === 'string' ? first : String((first as { text?: string }).text))
    }
    return query.apply(this, a)
  } as typeof pg.Client.prototype.query
}

// ---------------------------------------------------------------------------------------------------------
// Data

async function openApp(dataDir: string, databaseUrl: string | undefined): Promise<App> {
  const config = loadConfig({
    B24_DATA_DIR: dataDir,
    ...(databaseUrl === undefined ? {} : { B24_DATABASE_URL: databaseUrl }),
    B24_HTTPS_PORT: 'off',
  })
  const app = await createApp(config, { log: pino({ level: 'silent' }) })
  await ensureBootstrap(app.store, HOOK, Date.now())
  return app
}

async function createDatabase(adminUrl: string): Promise<string> {
  const name = `b24inproc_${Date.now()}_${process.pid}`
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  await client.query(`CREATE DATABASE ${name}`)
  await client.end()
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return url.toString()
}

async function dropDatabase(adminUrl: string, databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1)
  if (!/^b24inproc_\d+_\d+$/.test(name)) return
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  await client.end()
}

async function hasItems(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const result = await client.query<{ n: string }>(
      "select count(*) as n from information_schema.tables where table_name = 'crm_item'",
    )
    if (Number(result.rows[0]?.n ?? 0) === 0) return false
    const items = await client.query<{ n: string }>('select count(*) as n from crm_item')
    return Number(items.rows[0]?.n ?? 0) > 0
  } finally {
    await client.end()
  }
}

/** Users 2–10, a webhook for user 2, the template lead; then the copies. Returns user 2's webhook code. */
async function prepare(dataDir: string, databaseUrl: string | undefined): Promise<string> {
  const app = await openApp(dataDir, databaseUrl)
  const http = buildHttpServer(app)
  let userHook: string
  try {
    for (let i = 2; i <= USERS; i++) {
      await createUser(app.store, app.store.db, 1, { name: 'Bench', lastName: `User ${i}` }, Date.now())
    }
    userHook = (await createWebhook(app.store.db, { portalId: 1, userId: 2 }, Date.now())).code
    const response = await http.inject({
      method: 'POST',
      url: `/rest/1/${HOOK}/crm.item.add`,
      headers: { 'content-type': 'application/json' },
      payload: {
        entityTypeId: LEAD,
        fields: {
          title: 'Template',
          stageId: 'NEW',
          opportunity: 1000,
          currencyId: 'USD',
          sourceId: 'CALL',
          observers: [1, 2],
          comments: 'Generated by the b24crm benchmark',
          fm: [
            { typeId: 'PHONE', valueType: 'WORK', value: '+15550000001' },
            { typeId: 'PHONE', valueType: 'MOBILE', value: '+15550000002' },
          ],
        },
      },
    })
    if (response.statusCode !== 200) throw new Error(`template: ${response.body}`)
  } finally {
    await http.close()
    await app.close()
  }
  const writer: BulkWriter =
    databaseUrl === undefined ? sqliteWriter(join(dataDir, 'b24crm.sqlite')) : postgresWriter(databaseUrl)
  try {
    const template = await writer.template(LEAD, 1)
    let phoneId = (await writer.counter('multifield')) + 1
    for (let first = 2; first <= ITEMS; first += 20_000) {
      const items = []
      for (let id = first; id <= Math.min(ITEMS, first + 19_999); id++) items.push(generated(LEAD, id))
      await writer.insert(LEAD, 1, template, items, VARYING, phoneId)
      phoneId += items.length * template.phones.length
    }
    await writer.setCounter(`item:${LEAD}`, ITEMS)
    await writer.setCounter('multifield', phoneId - 1)
  } finally {
    await writer.close()
  }
  return userHook
}

// ---------------------------------------------------------------------------------------------------------
// Measuring

interface Row {
  workload: string
  calls: number
  usPerCall: number
  /** CPU time of this process (user + system) per call: steadier than wall time on a shared machine */
  cpuUsPerCall: number
  /** …of which system time (syscalls: SQLite reading and writing pages, sockets) */
  sysUsPerCall: number
  statementsPerCall: number
}

async function run(
  http: ReturnType<typeof buildHttpServer>,
  name: string,
  workload: Pick<Workload, 'requests' | 'check'>,
  calls: number,
): Promise<Row> {
  const send = async (i: number) => {
    const request = workload.requests[i % workload.requests.length]!
    // Replayed update bodies would change nothing the second time (a no-op update saves nothing): every
    // send gets titles of its own (batch commands carry them URL-encoded: `(edit%2012)`).
    const body = request.body?.replace(/\(edit( |%20)\d+\)/g, (_, space: string) => `(edit${space}${++sent})`)
    const response = await http.inject({
      method: request.method,
      url: request.path,
      ...(body === undefined ? {} : { payload: body, headers: { 'content-type': 'application/json' } }),
    })
    return response
  }
  // Probe and warm-up
  const first = await send(0)
  const problem = workload.check?.(first.statusCode, first.json())
  if (problem !== undefined || first.statusCode !== 200) {
    throw new Error(`${name}: ${problem ?? ''} ${first.body.slice(0, 400)}`)
  }
  for (let i = 1; i < Math.min(200, calls); i++) await send(i)
  if (TRACE) {
    traced = []
    counting = true
    await send(1)
    counting = false
    console.log(`\n--- ${name}: ${traced.length} statements`)
    for (const s of traced) console.log(`  ${s.replace(/\s+/g, ' ').slice(0, 240)}`)
    traced = undefined
  }
  // Three rounds; the best one counts (the machine is shared: the best round is the least disturbed).
  let best: Row | undefined
  sqlTime.clear()
  for (let round = 0; round < ROUNDS; round++) {
    statements = 0
    counting = true
    const cpu = process.cpuUsage()
    const started = process.hrtime.bigint()
    for (let i = 0; i < calls; i++) await send(round * calls + i)
    const elapsedUs = Number(process.hrtime.bigint() - started) / 1000
    const used = process.cpuUsage(cpu)
    counting = false
    const row = {
      workload: name,
      calls,
      usPerCall: elapsedUs / calls,
      cpuUsPerCall: (used.user + used.system) / calls,
      sysUsPerCall: used.system / calls,
      statementsPerCall: statements / calls,
    }
    if (best === undefined || row.cpuUsPerCall < best.cpuUsPerCall) best = row
  }
  if (SQL_TIME) {
    const total = [...sqlTime.values()].reduce((a, b) => a + b, 0)
    console.log(`\n--- ${name}: ${(total / (calls * ROUNDS)).toFixed(0)} µs per call inside SQLite`)
    for (const [key, us] of [...sqlTime].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
      console.log(`  ${(us / (calls * ROUNDS)).toFixed(1).padStart(7)} µs  ${key}`)
    }
  }
  return best!
}

async function main(): Promise<void> {
  if (COUNT) hookDrivers()
  const keptDir = args.get('data')
  const workDir = keptDir ?? mkdtempSync(join(tmpdir(), 'b24inproc-'))
  const adminUrl = process.env['B24_DATABASE_URL']
  const keptUrl = args.get('database-url')
  const databaseUrl = STORE === 'postgres' ? (keptUrl ?? (await createDatabase(adminUrl ?? ''))) : undefined
  const reuse =
    STORE === 'sqlite'
      ? keptDir !== undefined && existsSync(join(workDir, 'b24crm.sqlite'))
      : keptUrl !== undefined && (await hasItems(keptUrl))
  try {
    const t0 = performance.now()
    let userHook: string
    if (reuse) {
      // A kept data set: user 2's webhook gets a fresh code.
      const app = await openApp(workDir, databaseUrl)
      userHook = (await createWebhook(app.store.db, { portalId: 1, userId: 2 }, Date.now())).code
      await app.close()
    } else {
      userHook = await prepare(workDir, databaseUrl)
    }
    console.error(`data: ${ITEMS} leads in ${((performance.now() - t0) / 1000).toFixed(1)} s (${STORE})`)
    const app = await openApp(workDir, databaseUrl)
    // --pragma="cache_size=-65536;wal_autocheckpoint=10000": try SQLite settings without changing the store
    for (const pragma of (args.get('pragma') ?? '').split(';').filter((p) => p !== '')) {
      await sql.raw(`pragma ${pragma}`).execute(app.store.db)
    }
    const http = buildHttpServer(app)
    await http.ready()
    const hookPath = USER === 1 ? `/rest/1/${HOOK}/` : `/rest/2/${userHook}/`
    const workloads: [string, Pick<Workload, 'requests' | 'check'>, number][] = []
    if (ONLY.has('time'))
      workloads.push([
        'server.time',
        { requests: [{ method: 'GET', path: `${hookPath}server.time` }] },
        CALLS,
      ])
    if (ONLY.has('get')) {
      const requests = Array.from({ length: 500 }, (_, i) => ({
        method: 'POST' as const,
        path: `${hookPath}crm.item.get`,
        body: JSON.stringify({ entityTypeId: LEAD, id: 1 + ((i * 7919) % ITEMS) }),
      }))
      workloads.push(['crm.item.get', { requests }, CALLS])
    }
    if (ONLY.has('update')) workloads.push(['crm.item.update', itemUpdate(hookPath, ITEMS), CALLS])
    if (ONLY.has('batch')) {
      workloads.push(['batch of 50 crm.item.update', batchUpdate(hookPath, ITEMS), Math.max(4, CALLS / 50)])
    }
    if (ONLY.has('list')) {
      workloads.push([
        'crm.item.list filtered+ordered',
        listFiltered(hookPath, ITEMS),
        Math.max(20, CALLS / 10),
      ])
    }
    if (ONLY.has('keyset')) {
      workloads.push(['crm.item.list start=-1', listKeyset(hookPath, ITEMS), Math.max(20, CALLS / 10)])
    }
    const session = PROFILE ? new Session() : undefined
    if (session !== undefined) {
      session.connect()
      await session.post('Profiler.enable')
      await session.post('Profiler.start')
    }
    const rows: Row[] = []
    for (const [name, workload, calls] of workloads) rows.push(await run(http, name, workload, calls))
    if (session !== undefined) {
      const { profile } = await session.post('Profiler.stop')
      const dir = join(ROOT, 'bench', 'results', `inprocess-${Date.now()}`)
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, 'inprocess.cpuprofile'), JSON.stringify(profile))
      console.log(`\nprofile: ${dir}\n${formatSelfTime(topSelfTime(dir, 30))}`)
    }
    await http.close()
    await app.close()
    console.log(`\n${STORE}, ${ITEMS} leads, user ${USER}`)
    console.log('workload                          | wall µs/call | CPU µs/call (sys) | statements/call')
    for (const r of rows) {
      const perItem = r.workload.startsWith('batch')
        ? ` (${(r.cpuUsPerCall / 50).toFixed(0)} CPU µs, ${(r.statementsPerCall / 50).toFixed(1)} statements per update)`
        : ''
      console.log(
        `${r.workload.padEnd(33)} | ${r.usPerCall.toFixed(0).padStart(12)} | ${r.cpuUsPerCall.toFixed(0).padStart(11)} ${`(${r.sysUsPerCall.toFixed(0)})`.padStart(5)} | ${r.statementsPerCall.toFixed(1).padStart(6)}${perItem}`,
      )
    }
  } finally {
    if (databaseUrl !== undefined && keptUrl === undefined) await dropDatabase(adminUrl ?? '', databaseUrl)
    if (keptDir === undefined) rmSync(workDir, { recursive: true, force: true })
  }
}

await main()
