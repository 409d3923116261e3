import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, TEST_WEBHOOK_CODE, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import { rng } from '../reliability/helpers.js'
import { leaksSql, randomRequest } from '../reliability/fuzz-cases.js'
import { answerShapeProblem } from '../reliability/scenarios.js'

/**
 * Bad input of any kind gets a Bitrix24 error or a normal answer — never a 500, a hang or a crash
 * (DESIGN.md "Reliability and security"). Every registered method is fuzzed (the CRM ones weighted up), with
 * wrong types, SQL-looking keys, huge and deeply nested values and invalid UTF-8; the generator is
 * test/reliability/fuzz-cases.ts. Seeded, so a failure reproduces; B24_FUZZ_COUNT runs a longer form, and
 * `npm run reliability` sends 100k of these to the real server process over HTTP.
 */
const COUNT = Number(process.env['B24_FUZZ_COUNT'] ?? 1500)
const SEED = Number(process.env['B24_FUZZ_SEED'] ?? 20261121)
const BODY_LIMIT = 256 * 1024

describe.each(STORE_KINDS)('fuzzed requests (%s)', (store) => {
  let t: TestApp
  beforeAll(async () => {
    // Fuzzed credentials fail on purpose, hundreds of times from one address: no brute-force throttle here.
    t = await createTestApp({ store, env: { B24_BODY_LIMIT: String(BODY_LIMIT), B24_AUTH_THROTTLE: 'off' } })
    // A few items, so that reads, updates and lists meet data.
    for (const entityTypeId of [1, 2, 3, 4]) {
      for (let i = 0; i < 3; i += 1)
        await t.call('crm.item.add', { entityTypeId, fields: { title: `fuzz ${i}` } })
    }
  })
  afterAll(async () => {
    await t.close()
  })

  it(`answers ${COUNT} random requests without a 500 and without leaking SQL`, async () => {
    const random = rng(SEED)
    const statuses = new Map<number, number>()
    const methodsAnswered = new Set<string>()
    for (let i = 0; i < COUNT; i += 1) {
      const request = randomRequest(random, { webhookCode: TEST_WEBHOOK_CODE, bodyLimit: BODY_LIMIT })
      const headers: Record<string, string> = {}
      if (request.contentType !== undefined) headers['content-type'] = request.contentType
      const response = await t.inject({
        method: request.method,
        url: request.url,
        headers,
        ...(request.payload === undefined ? {} : { payload: request.payload }),
      })
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1)
      const context = `case ${i} (seed ${SEED}, ${request.kind}): ${request.method} ${request.url.slice(0, 200)} ${String(request.payload ?? '').slice(0, 300)}`
      expect(response.statusCode, `${context}\n→ ${response.body.slice(0, 500)}`).toBeLessThan(500)
      const body = response.json() as Record<string, unknown>
      expect(typeof body, context).toBe('object')
      expect(answerShapeProblem(body), `${context}\n→ ${response.body.slice(0, 500)}`).toBeUndefined()
      expect(leaksSql(response.body), `${context}\n→ ${response.body.slice(0, 500)}`).toBe(false)
      if (response.statusCode === 200)
        methodsAnswered.add(/\/([a-z.]+?)(?:\.json|\/)?(?:\?|$)/i.exec(request.url)?.[1] ?? '')
    }
    // The mix must actually reach methods, not only bounce off the edge: a good share answers 200, among
    // them many different CRM methods.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(COUNT / 20)
    const crm = [...methodsAnswered].filter((m) => m.startsWith('crm.'))
    expect(crm.length, crm.join(' ')).toBeGreaterThanOrEqual(10)
    expect(crm.filter((m) => m.startsWith('crm.item.')).length, crm.join(' ')).toBeGreaterThanOrEqual(2)
  }, 120_000)
})
