import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  callMethod,
  createDataPlace,
  HOOK_PATH,
  httpRequest,
  parseJson,
  startServer,
  type DataPlace,
  type ServerProcess,
} from './helpers.js'
import { fuzzOverHttp, slowClients } from './scenarios.js'

/**
 * DESIGN.md "Reliability and security": bad input of any kind gets an answer — never a 500, a hang or a
 * crash — and the server's memory stays bounded. Unlike test/http/fuzz.test.ts (inject, in-process), these
 * go to the real server process over sockets: fuzzed requests with the RSS sampled, slowloris connections,
 * and clients that hang up in the middle of a body. `npm run reliability` sends 100k fuzzed requests.
 */
const SEED = Number(process.env['B24_RELIABILITY_SEED'] ?? 20261121)
const BODY_LIMIT = 256 * 1024
const log = process.env['B24_RELIABILITY_VERBOSE'] === '1' ? (line: string) => console.log(line) : undefined

describe('misbehaving clients against the server process (sqlite)', () => {
  let place: DataPlace
  let server: ServerProcess
  beforeAll(async () => {
    place = await createDataPlace('sqlite')
    // Fuzzed credentials fail on purpose, hundreds of times from one address: no brute-force throttle here.
    server = await startServer({
      place,
      env: { B24_BODY_LIMIT: String(BODY_LIMIT), B24_AUTH_THROTTLE: 'off' },
    })
  })
  afterAll(async () => {
    await server?.stop()
    await place?.dispose()
  })

  it('answers 1500 fuzzed requests over HTTP without a 500, a crash or unbounded memory', async () => {
    const report = await fuzzOverHttp({
      server,
      count: 1500,
      concurrency: 4,
      seed: SEED,
      bodyLimit: BODY_LIMIT,
      maxRssMb: 300,
    })
    log?.(JSON.stringify(report))
    expect(report.violations).toEqual([])
    expect(report.serverErrors).toBe(0)
    expect(report.alive).toBe(true)
    expect(report.statuses['200'] ?? 0).toBeGreaterThan(100)
    expect(report.maxRssMb).toBeLessThan(300)
  }, 60_000)

  it('answers a request line the HTTP parser refuses with a Bitrix error and closes that connection', async () => {
    // Raw bytes that are not UTF-8 in the target: Node's parser refuses the line before any route runs.
    const refused = await httpRequest(server, { method: 'GET', target: `${HOOK_PATH}server.time?x=\xff\xfe` })
    expect(refused.status).toBe(400)
    expect(refused.headers['connection']).toBe('close')
    expect(parseJson(refused.body, 'refused')).toEqual({
      error: 'INVALID_REQUEST',
      error_description: 'The request is not valid HTTP',
    })
    // The pooled connection was not reused: the next call works.
    expect((await callMethod(server, 'server.time')).status).toBe(200)
  })

  it('keeps answering under slowloris connections and clients that hang up mid-body', async () => {
    const report = await slowClients({ server, slowConnections: 40, holdMs: 3000, abortedBodies: 100 })
    log?.(JSON.stringify(report))
    expect(report.violations).toEqual([])
    expect(report.alive).toBe(true)
    expect(report.servedMeanwhile).toBeGreaterThan(5)
    expect(report.rssAfterMb).toBeLessThan(300)
  }, 60_000)
})
