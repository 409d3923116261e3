/**
 * `npm run bench` — the DESIGN.md targets, measured side by side in one run on this machine.
 * Options: --quick (1 run of 3 s, 10k/100k items), --smoke (add server.time and user.get workloads),
 * --profile (one extra crm.item.update run under --cpu-prof, top self-time functions printed),
 * --no-build, --keep-data, --tool=wrk|autocannon, --runs=N, --seconds=N. See bench/README.md.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDataset, DEAL, LEAD, type Dataset } from './data.js'
import { pickLoadTool } from './load.js'
import { ROOT, memoryOf, startBaseline, type Running } from './processes.js'
import { formatSelfTime, topSelfTime, type SelfTime } from './profile.js'
import { step } from './progress.js'
import { atLeast, atMost, table, writeReport, type Row } from './report.js'
import * as w from './workloads.js'

const args = process.argv.slice(2)
const flag = (name: string): boolean => args.includes(`--${name}`)
const option = (name: string): string | undefined =>
  args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)

const quick = flag('quick')
const sizes = quick ? { small: 10_000, large: 100_000 } : { small: 100_000, large: 1_000_000 }
const workDir = mkdtempSync(join(tmpdir(), 'b24bench-'))
const settings = {
  tool: pickLoadTool(workDir, option('tool')),
  runs: Number(option('runs') ?? (quick ? 1 : 3)),
  seconds: Number(option('seconds') ?? (quick ? 3 : 10)),
  warmupSeconds: quick ? 1 : 3,
}
const notes: string[] = []
const rows: Row[] = []
let profile: SelfTime[] | undefined

async function main(): Promise<void> {
  const startedAt = new Date().toISOString()
  const loadBefore = loadavg()
  if (!flag('no-build')) build()
  step(
    `b24crm benchmark (${quick ? 'quick' : 'full'}): ${settings.tool.name}, ${settings.runs} × ${settings.seconds} s per figure, work dir ${workDir}`,
  )

  const bare = await baseline('bare-node.mjs', [], w.bareNode(sizes.small))
  const js100 = await baseline('json-server.mjs', ['100', workDir], w.jsonServerPatch(100))
  const js10k = await baseline('json-server.mjs', ['10000', workDir], w.jsonServerPatch(10_000))
  rows.push(bare, js100, js10k)

  const stores: ('sqlite' | 'postgres')[] = ['sqlite']
  const databaseUrl = process.env['B24_DATABASE_URL']
  if (databaseUrl !== undefined && databaseUrl.trim() !== '') stores.push('postgres')
  else
    notes.push(
      'PostgreSQL not measured: set B24_DATABASE_URL to add it (a fresh database is created and dropped)',
    )

  for (const store of stores) {
    const dataset = await createDataset(store, workDir, databaseUrl)
    try {
      await storeRun(dataset, { bare, js100, js10k })
    } finally {
      await dataset.dispose()
    }
    for (const note of dataset.notes) if (!notes.includes(note)) notes.push(note)
  }

  const report = {
    startedAt,
    finishedAt: new Date().toISOString(),
    mode: quick ? ('quick' as const) : ('full' as const),
    settings: { ...settings, tool: settings.tool.name, connections: 10, sizes },
    machine: machine(loadBefore),
    notes,
    rows,
    ...(profile ? { profile } : {}),
  }
  const file = writeReport(report)
  process.stdout.write(`\n${table(rows)}\n\n`)
  for (const note of notes) process.stdout.write(`note: ${note}\n`)
  process.stdout.write(
    `\n${quick ? 'QUICK mode (not the final figures). ' : ''}JSON: ${file} (and bench/results/latest.json)\n`,
  )
  if (profile)
    process.stdout.write(`\ncrm.item.update under --cpu-prof, top self time:\n${formatSelfTime(profile)}\n`)
  if (!flag('keep-data')) rmSync(workDir, { recursive: true, force: true })
}

type Baselines = Record<'bare' | 'js100' | 'js10k', Row>

async function baseline(script: string, scriptArgs: string[], workload: w.Workload): Promise<Row> {
  step(`  baseline: ${workload.name}`)
  const server = await startBaseline(script, scriptArgs)
  try {
    return await measured('baseline', server, workload)
  } finally {
    await server.stop()
  }
}

async function measured(store: Row['store'], server: Running, workload: w.Workload): Promise<Row> {
  try {
    const measurement = await w.measure(settings, server.url, server.pid, workload)
    if (measurement.runs.every((r) => r.requests === 0)) {
      const seconds = Math.max(settings.seconds, workload.minSeconds ?? 0)
      const note = `no request completed within ${seconds} s (the load tool's timeout is 10 s)`
      return { store, workload: workload.name, status: 'error', note, checks: [] }
    }
    const failed = measurement.errors > 0 ? `${measurement.errors} failed requests` : undefined
    const unit = workload.perRequest === undefined ? ('req/s' as const) : ('item-updates/s' as const)
    const row: Row = { store, workload: workload.name, status: 'measured', unit, measurement, checks: [] }
    return failed === undefined ? row : { ...row, note: failed }
  } catch (error) {
    const note = error instanceof Error ? error.message.split('\n')[0] : String(error)
    return { store, workload: workload.name, status: 'error', note, checks: [] }
  }
}

async function storeRun(dataset: Dataset, base: Baselines): Promise<void> {
  const { store, methods } = dataset
  const hasItems = methods.has('crm.item.add')
  const has = (method: string): boolean => methods.has(method) && hasItems
  const missing = (method: string): string =>
    methods.has(method)
      ? 'crm.item.add is not registered, so there is no data'
      : `${method} is not registered`
  const add = async (server: Running, workload: w.Workload, needs: string): Promise<Row> => {
    let row: Row
    if (has(needs)) {
      step(`  ${store}: ${workload.name}`)
      row = await measured(store, server, workload)
    } else {
      row = { store, workload: workload.name, status: 'not available', note: missing(needs), checks: [] }
    }
    rows.push(row)
    return row
  }
  const rssSeen: number[] = []

  // 1. updates and the small keyset page, on `small` leads (and deals for the legacy method)
  await dataset.grow(LEAD, sizes.small)
  if (methods.has('crm.deal.update')) await dataset.grow(DEAL, sizes.small)
  let server = await dataset.start()
  const hookPath = new URL(server.hookUrl).pathname
  if (flag('smoke')) for (const s of w.smoke(hookPath)) rows.push(await measured(store, server, s))
  const update = await add(server, w.itemUpdate(hookPath, sizes.small), 'crm.item.update')
  const batch = await add(server, w.batchUpdate(hookPath, sizes.small), 'crm.item.update')
  await add(server, w.dealUpdate(hookPath, sizes.small), 'crm.deal.update')
  const keysetSmall = await add(server, w.listKeyset(hookPath, sizes.small), 'crm.item.list')
  rssSeen.push(memoryOf(server.pid).rssMb)
  await server.stop()
  if (flag('profile') && store === 'sqlite' && has('crm.item.update')) await profileUpdate(dataset, hookPath)

  // 2. start-up, lists on `large` leads
  await dataset.grow(LEAD, sizes.large)
  const startup = await startupRow(dataset)
  rssSeen.push(startup.rssMb ?? 0)
  server = await dataset.start()
  const list = await add(server, w.listFiltered(hookPath, sizes.large), 'crm.item.list')
  const keysetLarge = await add(server, w.listKeyset(hookPath, sizes.large), 'crm.item.list')
  rssSeen.push(memoryOf(server.pid).rssMb)
  await server.stop()

  // 3. the targets
  const m = (row: Row) => (row.status === 'measured' ? row.measurement : undefined)
  const [u, b, bare, js100, js10k] = [m(update), m(batch), m(base.bare), m(base.js100), m(base.js10k)]
  if (u) {
    if (bare) update.checks.push(atLeast(u.rps / bare.rps, 0.35, 'bare node'))
    update.checks.push(atMost(u.p99Ms, 10, 'p99', 'ms'))
    if (js100) update.checks.push(atLeast(u.rps / js100.rps, 10, 'json-server @100'))
    if (js10k) update.checks.push(atLeast(u.rps / js10k.rps, 500, 'json-server @10k'))
    if (b) batch.checks.push(atLeast(b.throughput / u.rps, 3, 'single calls'))
  }
  const l = m(list)
  if (l) list.checks.push(atMost(l.p99Ms, 20, 'p99', 'ms'))
  const [ks, kl] = [m(keysetSmall), m(keysetLarge)]
  if (ks && kl) keysetLarge.checks.push(atLeast(kl.rps / ks.rps, 0.8, `${w.count(sizes.small)} rate`))
  for (const row of rows) if (row.store === store && row.measurement) rssSeen.push(row.measurement.rssMb)
  const rss = Math.max(...rssSeen)
  rows.push({
    store,
    workload: 'resident memory (largest VmRSS seen)',
    status: 'measured',
    rssMb: rss,
    checks: [atMost(rss, 250, 'RSS', 'MB')],
  })
}

/** Start to first answer: spawn `node dist/main.js`, poll `server.time` until the first 200. */
async function startupRow(dataset: Dataset): Promise<Row> {
  const times: number[] = []
  const rss: number[] = []
  for (let i = 0; i < settings.runs; i++) {
    const server = await dataset.start()
    times.push(server.startMs)
    rss.push(memoryOf(server.pid).rssMb)
    await server.stop()
  }
  const items = dataset.counts.get(LEAD) ?? 0
  const ms = w.median(times)
  const row: Row = {
    store: dataset.store,
    workload: `start to first answer (${w.count(items)} leads)`,
    status: 'measured',
    valueMs: ms,
    rssMb: w.median(rss),
    checks: [atMost(ms, 1000, 'first answer', 'ms')],
  }
  rows.push(row)
  return row
}

async function profileUpdate(dataset: Dataset, hookPath: string): Promise<void> {
  const dir = join(workDir, 'profile')
  step(`  profiling crm.item.update (--cpu-prof, ${settings.seconds} s)`)
  const server = await dataset.start(['--cpu-prof', `--cpu-prof-dir=${dir}`])
  await w.measure({ ...settings, runs: 1 }, server.url, server.pid, w.itemUpdate(hookPath, sizes.small))
  await server.stop()
  profile = topSelfTime(dir)
}

function build(): void {
  step('npm run build')
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' })
  if (result.status !== 0) {
    throw new Error('npm run build failed; fix the build, or pass --no-build to run the current dist/')
  }
}

function machine(loadBefore: number[]): Record<string, unknown> {
  let commit = 'unknown'
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim()
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT }).toString().trim() !== ''
    if (dirty) commit += ' (with uncommitted changes)'
  } catch {
    // not a git checkout
  }
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    node: process.version,
    commit,
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadavg(),
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  )
  process.stderr.write(`work dir kept for inspection: ${workDir}\n`)
  process.exit(1)
})
