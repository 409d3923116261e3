import { describe, expect, it } from 'vitest'
import { queryPlace, STORE_KINDS } from './helpers.js'
import { crashScenario } from './scenarios.js'

/**
 * DESIGN.md "Reliability and security": acknowledged writes survive `kill -9` at any moment, and events are
 * written in the same transaction as the change. The real server process (dist/main.js) takes crm.item.add
 * and crm.item.update from four clients and is killed at a random moment, five times, restarting on the same
 * data each time; the scenario is test/reliability/scenarios.ts `crashScenario`. `npm run reliability` runs
 * it with 20+ kills.
 */
const SEED = Number(process.env['B24_RELIABILITY_SEED'] ?? 20261121)
/** B24_RELIABILITY_VERBOSE=1 prints each cycle and the report. */
const log = process.env['B24_RELIABILITY_VERBOSE'] === '1' ? (line: string) => console.log(line) : undefined

describe.each(STORE_KINDS)('kill -9 under a write load (%s)', (kind) => {
  it('keeps every acknowledged write, a sound database and an outbox row per committed change', async () => {
    const report = await crashScenario({ kind, cycles: 5, workers: 4, loadMs: [250, 1000], seed: SEED, log })
    log?.(JSON.stringify(report))
    expect(report.violations).toEqual([])
    expect(report.cycles).toBe(5)
    // The load was real: writes were acknowledged, and kills cut some in the middle.
    expect(report.ackedAdds).toBeGreaterThan(10)
    expect(report.ackedUpdates).toBeGreaterThan(10)
    expect(report.inFlightAtKill).toBeGreaterThan(0)
    expect(report.outboxRows).toBeGreaterThanOrEqual(report.ackedAdds + report.ackedUpdates)
    if (kind === 'sqlite') expect(report.integrity).toEqual(['ok', 'ok', 'ok', 'ok', 'ok'])
  }, 120_000)
})

describe('the crash checker', () => {
  it('notices a lost value and a lost outbox row', async () => {
    // Between the first kill and the restart, one deal loses its title and the newest outbox row vanishes:
    // exactly what a server that acknowledged before committing would leave behind.
    const report = await crashScenario({
      kind: 'sqlite',
      cycles: 1,
      workers: 2,
      loadMs: [400, 400],
      seed: SEED,
      afterKill: async (place) => {
        await queryPlace(
          place,
          "update crm_item set title = 'lost' where id = (select min(id) from crm_item)",
        )
        await queryPlace(place, 'delete from outbox where id = (select max(id) from outbox)')
      },
    })
    expect(report.violations.some((v) => v.includes('holds') && v.includes('"title":"lost"'))).toBe(true)
    expect(report.violations.some((v) => /outbox rows/.test(v))).toBe(true)
  }, 60_000)
})
