import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDataPlace, POSTGRES_URL, startServer, type DataPlace, type ServerProcess } from './helpers.js'
import { concurrentAdds, concurrentUpdates, crashScenario, sharedRateLimit } from './scenarios.js'

/**
 * DESIGN.md: several server processes on one PostgreSQL database behave as one server. Two real processes
 * (dist/main.js) on a fresh database take concurrent writes, clients alternating between them: no lost field,
 * no duplicate id, one outbox row per change, and one request-rate bucket for both; and when one of them is
 * killed under load, the other keeps serving and no acknowledged write is lost. Needs B24_TEST_DATABASE_URL.
 */
const SEED = Number(process.env['B24_RELIABILITY_SEED'] ?? 20261121)
const log = process.env['B24_RELIABILITY_VERBOSE'] === '1' ? (line: string) => console.log(line) : undefined

describe.skipIf(POSTGRES_URL === undefined)('two server processes on one PostgreSQL database', () => {
  let place: DataPlace
  let servers: ServerProcess[] = []
  beforeAll(async () => {
    place = await createDataPlace('postgres')
    // One after the other: the first applies the migrations and the bootstrap; the second finds them done.
    servers.push(await startServer({ place }))
    servers.push(await startServer({ place }))
  })
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()))
    servers = []
    await place?.dispose()
  })

  it('hand out distinct ids to concurrent crm.item.add through both', async () => {
    const report = await concurrentAdds({ servers, place, clients: 20, perClient: 5 })
    log?.(JSON.stringify(report))
    expect(report.violations).toEqual([])
    expect(report.distinctIds).toBe(100)
  }, 60_000)

  it('lose no field when 50 clients update the same leads through both', async () => {
    const report = await concurrentUpdates({ servers, place, clients: 50, items: 6, rounds: 2, seed: SEED })
    log?.(JSON.stringify(report))
    expect(report.violations).toEqual([])
    expect(report.updates).toBe(6 * report.writersPerItem * 2)
  }, 60_000)

  it('share one request-rate bucket', async () => {
    const report = await sharedRateLimit({ servers, burst: 20, perSecond: 1, requests: 60, pauseMs: 2500 })
    log?.(JSON.stringify(report))
    expect(report.violations).toEqual([])
    // Two separate buckets would have let about twice the burst through.
    expect(report.passed).toBeGreaterThanOrEqual(report.expectedMin)
    expect(report.passed).toBeLessThanOrEqual(report.expectedMax)
    expect(report.refused).toBe(report.sent - report.passed)
  }, 60_000)

  it('keep every acknowledged write when one of them is killed under load, in turn', async () => {
    // A database of its own (crashScenario makes one), two processes, three kills.
    const report = await crashScenario({
      kind: 'postgres',
      processes: 2,
      cycles: 3,
      workers: 4,
      loadMs: [250, 1000],
      seed: SEED,
      log,
    })
    log?.(JSON.stringify(report))
    expect(report.violations).toEqual([])
    expect(report.cycles).toBe(3)
    expect(report.ackedUpdates).toBeGreaterThan(10)
  }, 60_000)
})
