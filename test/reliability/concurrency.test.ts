import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDataPlace, startServer, STORE_KINDS, type DataPlace, type ServerProcess } from './helpers.js'
import { concurrentAdds, concurrentUpdates } from './scenarios.js'

/**
 * DESIGN.md "Reliability and security": concurrent partial updates of one item never lose a field. Fifty
 * clients update the same leads at once over HTTP, each its own fields (system and custom fields,
 * 27 writers per lead), against the real server process; and twenty clients add contacts at once. Scenarios: test/reliability/scenarios.ts.
 */
const SEED = Number(process.env['B24_RELIABILITY_SEED'] ?? 20261121)
const log = process.env['B24_RELIABILITY_VERBOSE'] === '1' ? (line: string) => console.log(line) : undefined

describe.each(STORE_KINDS)('concurrent writers on one server process (%s)', (kind) => {
  let place: DataPlace
  let server: ServerProcess
  beforeAll(async () => {
    place = await createDataPlace(kind)
    server = await startServer({ place })
  })
  afterAll(async () => {
    await server?.stop()
    await place?.dispose()
  })

  it('50 clients updating different fields of the same leads lose no field', async () => {
    const report = await concurrentUpdates({
      servers: [server],
      place,
      clients: 50,
      items: 8,
      rounds: 2,
      seed: SEED,
    })
    log?.(JSON.stringify(report))
    expect(report.violations).toEqual([])
    // 17 system fields, plus 10 custom fields once crm.lead.userfield.add exists (all of them share one
    // stored document per lead: the case a read-modify-write would lose).
    expect(report.writersPerItem).toBe(17 + report.customFields)
    expect(report.updates).toBe(8 * report.writersPerItem * 2)
  }, 60_000)

  it('20 clients adding at once get distinct ids, each with one outbox row', async () => {
    const report = await concurrentAdds({ servers: [server], place, clients: 20, perClient: 5 })
    log?.(JSON.stringify(report))
    expect(report.violations).toEqual([])
    expect(report.distinctIds).toBe(100)
  }, 60_000)
})
