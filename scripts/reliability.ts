/**
 * The long forms of the reliability tests (docs/performance.md "Reliability"): the scenarios of
 * test/reliability/scenarios.ts with bigger numbers, against the built server process. `npm run reliability`
 * builds first; PostgreSQL scenarios run when B24_TEST_DATABASE_URL is set.
 *
 *   npm run reliability                          # everything, long numbers (~15 minutes on 2 cores)
 *   npm run reliability -- --quick               # the quick-form numbers (checks the harness, ~1.5 minutes)
 *   npm run reliability -- --only crash,fuzz     # some scenarios: crash, concurrency, processes, fuzz, slow
 *   npm run reliability -- --seed 7 --cycles 40 --fuzz-count 200000
 *
 * Prints a summary table and the violations; exits 1 when any guarantee was broken.
 */
import {
  createDataPlace,
  POSTGRES_URL,
  startServer,
  STORE_KINDS,
  type ServerProcess,
  type StoreKind,
} from '../test/reliability/helpers.js'
import {
  concurrentAdds,
  concurrentUpdates,
  crashScenario,
  fuzzOverHttp,
  sharedRateLimit,
  slowClients,
} from '../test/reliability/scenarios.js'

interface Row {
  scenario: string
  store: string
  figures: string
  violations: string[]
  violationCount: number
}

const SCENARIOS = ['crash', 'concurrency', 'processes', 'fuzz', 'slow'] as const
type Scenario = (typeof SCENARIOS)[number]

function parseArgs(argv: readonly string[]): {
  quick: boolean
  only: Set<Scenario>
  seed: number
  cycles: number | undefined
  fuzzCount: number | undefined
} {
  let quick = false
  let only = new Set<Scenario>(SCENARIOS)
  let seed = 20261121
  let cycles: number | undefined
  let fuzzCount: number | undefined
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]
    const value = (): string => {
      const next = argv[i + 1]
      if (next === undefined) throw new Error(`${arg} needs a value`)
      i += 1
      return next
    }
    if (arg === '--quick') quick = true
    else if (arg === '--only') {
      const names = value().split(',')
      for (const name of names) {
        if (!(SCENARIOS as readonly string[]).includes(name))
          throw new Error(`unknown scenario ${name}; one of ${SCENARIOS.join(', ')}`)
      }
      only = new Set(names as Scenario[])
    } else if (arg === '--seed') seed = Number(value())
    else if (arg === '--cycles') cycles = Number(value())
    else if (arg === '--fuzz-count') fuzzCount = Number(value())
    else throw new Error(`unknown argument ${String(arg)}`)
  }
  return { quick, only, seed, cycles, fuzzCount }
}

const BODY_LIMIT = 256 * 1024
const MAX_RSS_MB = 300

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const rows: Row[] = []
  const log = (line: string): void => console.log(line)
  const started = Date.now()
  console.log(
    `b24crm reliability — ${args.quick ? 'quick' : 'long'} form, seed ${args.seed}, stores: ${STORE_KINDS.join(', ')}` +
      (POSTGRES_URL === undefined ? ' (set B24_TEST_DATABASE_URL for PostgreSQL)' : ''),
  )

  if (args.only.has('crash')) {
    for (const kind of STORE_KINDS) {
      const cycles = args.cycles ?? (args.quick ? 5 : 20)
      console.log(`\nkill -9 under a write load: ${kind}, ${cycles} kills`)
      const r = await crashScenario({
        kind,
        cycles,
        workers: args.quick ? 4 : 8,
        loadMs: args.quick ? [250, 1000] : [300, 4000],
        seed: args.seed,
        log,
      })
      rows.push({
        scenario: `kill -9 × ${r.cycles}`,
        store: kind,
        figures:
          `${r.ackedAdds} adds + ${r.ackedUpdates} updates acknowledged, all present; ${r.inFlightAtKill} cut by kills ` +
          `(${r.unackedCommitted} committed); outbox ${r.outboxRows} rows, exact; ` +
          (kind === 'sqlite'
            ? `integrity_check ok ${r.integrity.filter((v) => v === 'ok').length}/${r.integrity.length}; `
            : '') +
          `restart ≤ ${r.maxRestartMs} ms`,
        violations: r.violations,
        violationCount: r.violationCount,
      })
    }
  }

  if (args.only.has('concurrency')) {
    for (const kind of STORE_KINDS) {
      console.log(`\nconcurrent writers: ${kind}`)
      const place = await createDataPlace(kind)
      const server = await startServer({ place })
      try {
        const items = args.quick ? 10 : 40
        const rounds = args.quick ? 3 : 10
        const u = await concurrentUpdates({
          servers: [server],
          place,
          clients: 50,
          items,
          rounds,
          seed: args.seed,
        })
        rows.push({
          scenario: '50 clients, same items, own fields',
          store: kind,
          figures: `${u.items} leads × ${u.writersPerItem} writers × ${rounds} rounds = ${u.updates} updates in ${u.durationMs} ms (${u.updatesPerSecond}/s); no field lost`,
          violations: u.violations,
          violationCount: u.violationCount,
        })
        const a = await concurrentAdds({
          servers: [server],
          place,
          clients: 50,
          perClient: args.quick ? 5 : 40,
        })
        rows.push({
          scenario: '50 clients adding at once',
          store: kind,
          figures: `${a.adds} adds in ${a.durationMs} ms, ${a.distinctIds} distinct ids, one outbox row each`,
          violations: a.violations,
          violationCount: a.violationCount,
        })
      } finally {
        await server.stop()
        await place.dispose()
      }
    }
  }

  if (args.only.has('processes') && POSTGRES_URL !== undefined) {
    console.log('\ntwo server processes on one PostgreSQL database')
    const place = await createDataPlace('postgres')
    const servers: ServerProcess[] = []
    try {
      servers.push(await startServer({ place }))
      servers.push(await startServer({ place }))
      const a = await concurrentAdds({ servers, place, clients: 50, perClient: args.quick ? 2 : 20 })
      rows.push({
        scenario: '2 processes: concurrent adds',
        store: 'postgres',
        figures: `${a.adds} adds in ${a.durationMs} ms, ${a.distinctIds} distinct ids, one outbox row each`,
        violations: a.violations,
        violationCount: a.violationCount,
      })
      const rounds = args.quick ? 2 : 5
      const u = await concurrentUpdates({
        servers,
        place,
        clients: 50,
        items: args.quick ? 6 : 20,
        rounds,
        seed: args.seed,
      })
      rows.push({
        scenario: '2 processes: 50 clients, same items',
        store: 'postgres',
        figures: `${u.items} leads × ${u.writersPerItem} writers × ${rounds} rounds = ${u.updates} updates (${u.updatesPerSecond}/s); no field lost`,
        violations: u.violations,
        violationCount: u.violationCount,
      })
      const l = await sharedRateLimit({
        servers,
        burst: 20,
        perSecond: 1,
        requests: args.quick ? 60 : 200,
        pauseMs: args.quick ? 2500 : 5000,
      })
      rows.push({
        scenario: '2 processes: shared rate limit',
        store: 'postgres',
        figures: `burst ${l.burst}, ${l.perSecond}/s: ${l.passed} of ${l.sent} passed in ${l.durationMs} ms (bucket allows ${l.expectedMin}–${l.expectedMax}), ${l.refused} × 503`,
        violations: l.violations,
        violationCount: l.violationCount,
      })
    } finally {
      await Promise.all(servers.map((server) => server.stop()))
      await place.dispose()
    }
    const cycles = args.cycles ?? (args.quick ? 3 : 10)
    console.log(`\ntwo server processes, one killed at a time: ${cycles} kills`)
    const c = await crashScenario({
      kind: 'postgres',
      processes: 2,
      cycles,
      workers: args.quick ? 4 : 8,
      loadMs: args.quick ? [250, 1000] : [300, 4000],
      seed: args.seed,
      log,
    })
    rows.push({
      scenario: `2 processes: kill -9 × ${c.cycles}`,
      store: 'postgres',
      figures:
        `${c.ackedAdds} adds + ${c.ackedUpdates} updates acknowledged, all present; ${c.inFlightAtKill} cut by kills ` +
        `(${c.unackedCommitted} committed); outbox ${c.outboxRows} rows, exact; restart ≤ ${c.maxRestartMs} ms`,
      violations: c.violations,
      violationCount: c.violationCount,
    })
  }

  if (args.only.has('fuzz')) {
    for (const kind of STORE_KINDS) {
      const count = args.fuzzCount ?? (args.quick ? 1500 : kind === 'sqlite' ? 100_000 : 20_000)
      console.log(`\nfuzz over HTTP: ${kind}, ${count} requests`)
      const place = await createDataPlace(kind)
      // Wrong credentials are part of the mix: the brute-force throttle would refuse the fuzzer's address.
      const server = await startServer({
        place,
        env: { B24_BODY_LIMIT: String(BODY_LIMIT), B24_AUTH_THROTTLE: 'off' },
      })
      try {
        const f = await fuzzOverHttp({
          server,
          count,
          concurrency: 8,
          seed: args.seed,
          bodyLimit: BODY_LIMIT,
          maxRssMb: MAX_RSS_MB,
          log,
        })
        const statuses = Object.entries(f.statuses)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([status, n]) => `${status}:${n}`)
          .join(' ')
        rows.push({
          scenario: `fuzz over HTTP × ${f.requests}`,
          store: kind,
          figures: `${f.serverErrors} × 5xx, ${f.networkErrors} network errors, ${f.alive ? 'alive' : 'DEAD'}; max RSS ${f.maxRssMb} MB (end ${f.lastRssMb} MB, limit ${MAX_RSS_MB}); ${f.requestsPerSecond} req/s; ${statuses}`,
          violations: f.violations,
          violationCount: f.violationCount,
        })
      } finally {
        await server.stop()
        await place.dispose()
      }
    }
  }

  if (args.only.has('slow')) {
    console.log('\nslowloris and hang-ups')
    const place = await createDataPlace('sqlite' satisfies StoreKind)
    const server = await startServer({ place })
    try {
      const s = await slowClients({
        server,
        slowConnections: args.quick ? 40 : 400,
        holdMs: args.quick ? 3000 : 15_000,
        abortedBodies: args.quick ? 100 : 2000,
        ...(args.quick ? {} : { waitForDropMs: 420_000 }),
      })
      const drop = (ms: number | undefined): string =>
        ms === undefined ? 'not measured' : `${Math.round(ms / 1000)} s`
      rows.push({
        scenario: 'slowloris + mid-body hang-ups',
        store: 'sqlite',
        figures:
          `${s.slowConnections} slow connections: ${s.servedMeanwhile} calls served meanwhile, slowest ${s.maxLatencyMs} ms; ` +
          `${s.abortedBodies} hang-ups; dropped after: headers ${drop(s.headerDropMs)}, body ${drop(s.bodyDropMs)}; ` +
          `RSS ${s.rssBeforeMb} → ${s.rssAfterMb} MB; ${s.alive ? 'alive' : 'DEAD'}`,
        violations: s.violations,
        violationCount: s.violationCount,
      })
    } finally {
      await server.stop()
      await place.dispose()
    }
  }

  printTable(rows)
  const failed = rows.filter((row) => row.violationCount > 0)
  for (const row of failed) {
    console.log(`\n${row.scenario} (${row.store}): ${row.violationCount} violation(s)`)
    for (const violation of row.violations) console.log(`  - ${violation.slice(0, 1000)}`)
  }
  console.log(`\n${failed.length === 0 ? 'PASS' : 'FAIL'} in ${Math.round((Date.now() - started) / 1000)} s`)
  process.exitCode = failed.length === 0 ? 0 : 1
}

function printTable(rows: readonly Row[]): void {
  const header = ['scenario', 'store', 'result', 'figures']
  const cells = rows.map((row) => [
    row.scenario,
    row.store,
    row.violationCount === 0 ? 'PASS' : `FAIL (${row.violationCount})`,
    row.figures,
  ])
  const widths = header
    .slice(0, 3)
    .map((title, i) => Math.max(title.length, ...cells.map((cell) => (cell[i] ?? '').length)))
  const line = (values: readonly string[]): string =>
    values.map((value, i) => (i < 3 ? value.padEnd(widths[i] ?? 0) : value)).join(' | ')
  console.log(`\n${line(header)}`)
  console.log(widths.map((width) => '-'.repeat(width)).join('-|-') + '-|-' + '-'.repeat(7))
  for (const cell of cells) console.log(line(cell))
}

// Ctrl-C: exit through process.exit, so the helpers' exit hook kills the server processes still running.
process.once('SIGINT', () => process.exit(130))

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
