import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, TEST_WEBHOOK_CODE, type TestApp } from '../helpers/test-app.js'

/**
 * Bad input of any kind gets a Bitrix24 error or a normal answer — never a 500, a hang or a crash
 * (DESIGN.md "Reliability and security"). Seeded, so a failure reproduces; B24_FUZZ_COUNT runs the long form.
 */
const COUNT = Number(process.env['B24_FUZZ_COUNT'] ?? 1500)
const SEED = Number(process.env['B24_FUZZ_SEED'] ?? 20261121)

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ env: { B24_BODY_LIMIT: String(256 * 1024) } })
})
afterAll(async () => {
  await t.close()
})

/** mulberry32: small, fast, good enough to pick cases */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = a
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

const SQLISH = [
  'ID; DROP TABLE portal_user; --',
  '1=1--',
  '>ID) OR (1=1',
  "NAME' OR '1'='1",
  'ID"',
  '`ID`',
  'ID/**/',
  '%',
  '__proto__',
  'constructor',
]
const METHODS = [
  'server.time',
  'user.get',
  'user.current',
  'batch',
  'scope',
  'methods',
  'profile',
  'no.such',
  '',
]

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T
}

function randomString(random: () => number, max: number): string {
  const length = Math.floor(random() * max)
  let out = ''
  for (let i = 0; i < length; i += 1) {
    const r = random()
    out +=
      r < 0.7
        ? String.fromCharCode(32 + Math.floor(random() * 95))
        : r < 0.9
          ? pick(random, ['[', ']', '%', '&', '=', '+', '$'])
          : String.fromCharCode(0xe000 + Math.floor(random() * 0x1fff)) // no lone surrogates: encodeURIComponent refuses them
  }
  return out
}

function randomValue(random: () => number, depth: number): unknown {
  const r = random()
  if (depth > 3 || r < 0.35)
    return pick(random, [
      0,
      -1,
      1.5,
      1e308,
      '',
      'Y',
      'N',
      'abc',
      null,
      true,
      false,
      '1',
      '2026-01-01T00:00:00+03:00',
    ])
  if (r < 0.5) return randomString(random, 40)
  if (r < 0.75) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1))
  const object: Record<string, unknown> = {}
  for (let i = 0; i < Math.floor(random() * 4); i += 1) {
    object[random() < 0.3 ? pick(random, SQLISH) : randomString(random, 12)] = randomValue(random, depth + 1)
  }
  return object
}

function randomParams(random: () => number): Record<string, unknown> {
  const params: Record<string, unknown> = {}
  const keys = [
    'filter',
    'order',
    'select',
    'start',
    'FILTER',
    'SORT',
    'ORDER',
    'ID',
    'cmd',
    'halt',
    'full',
    'scope',
    'id',
  ]
  for (let i = 0; i < 1 + Math.floor(random() * 4); i += 1)
    params[pick(random, keys)] = randomValue(random, 0)
  if (random() < 0.3) {
    params['filter'] = {
      [pick(random, SQLISH)]: randomValue(random, 2),
      [`${pick(random, ['>', '<=', '!@', '%', '=%', '!'])}${pick(random, SQLISH)}`]: 1,
    }
  }
  if (random() < 0.2) params['order'] = { [pick(random, SQLISH)]: pick(random, ['ASC', 'DESC', 'sideways']) }
  if (random() < 0.2) params['select'] = [pick(random, SQLISH), '*', 'UF_*']
  return params
}

function deepJson(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`
}

type Body = { payload?: string | Buffer; contentType?: string; method: 'GET' | 'POST'; query: string }

function randomRequest(random: () => number): { url: string } & Body {
  const method = pick(random, METHODS)
  const prefix = pick(random, [
    `/rest/1/${TEST_WEBHOOK_CODE}/`,
    `/rest/1/${TEST_WEBHOOK_CODE}/`,
    '/rest/',
    '/rest/1/x/',
    '//rest///',
  ])
  const suffix = pick(random, ['', '.json', '/', '.xml'])
  const r = random()
  const params = randomParams(random)
  let body: Body
  if (r < 0.25)
    body = { method: 'POST', payload: JSON.stringify(params), contentType: 'application/json', query: '' }
  else if (r < 0.35)
    body = { method: 'POST', payload: randomString(random, 200), contentType: 'application/json', query: '' }
  else if (r < 0.4)
    body = {
      method: 'POST',
      payload: deepJson(5000 + Math.floor(random() * 100_000)),
      contentType: 'application/json',
      query: '',
    }
  else if (r < 0.55)
    body = {
      method: 'POST',
      payload: formEncode(params),
      contentType: 'application/x-www-form-urlencoded',
      query: '',
    }
  else if (r < 0.65)
    body = {
      method: 'POST',
      payload: randomString(random, 300),
      contentType: 'application/x-www-form-urlencoded',
      query: '',
    }
  else if (r < 0.7)
    body = {
      method: 'POST',
      payload: `${'a['.repeat(2000)}=1`,
      contentType: 'application/x-www-form-urlencoded',
      query: '',
    }
  else if (r < 0.75)
    body = {
      method: 'POST',
      payload: Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1]),
      contentType: pick(random, ['application/json', 'application/x-www-form-urlencoded', 'text/plain']),
      query: '',
    }
  else if (r < 0.8)
    body = {
      method: 'POST',
      payload: `--x\r\nContent-Disposition: form-data; name="${randomString(random, 10)}"\r\n\r\n${randomString(random, 50)}\r\n--x--`,
      contentType: pick(random, [
        'multipart/form-data; boundary=x',
        'multipart/form-data',
        'multipart/form-data; boundary=',
      ]),
      query: '',
    }
  else if (r < 0.85)
    body = { method: 'POST', payload: 'x'.repeat(300 * 1024), contentType: 'application/json', query: '' }
  else body = { method: 'GET', query: random() < 0.5 ? formEncode(params) : randomString(random, 200) }
  const query = body.query === '' ? '' : `?${body.query.replace(/[#\s]/g, '')}`
  return { ...body, url: `${prefix}${encodeURIComponent(method).replace(/%2E/g, '.')}${suffix}${query}` }
}

function formEncode(params: Record<string, unknown>): string {
  const pairs: string[] = []
  const walk = (prefix: string, value: unknown): void => {
    if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(prefix === '' ? k : `${prefix}[${k}]`, v)
    } else pairs.push(`${encodeURIComponent(prefix)}=${encodeURIComponent(String(value))}`)
  }
  walk('', params)
  return pairs.join('&')
}

describe('fuzzed requests', () => {
  it(`answers ${COUNT} random requests without a 500 and without leaking SQL`, async () => {
    const random = rng(SEED)
    const statuses = new Map<number, number>()
    for (let i = 0; i < COUNT; i += 1) {
      const request = randomRequest(random)
      const headers: Record<string, string> = {}
      if (request.contentType !== undefined) headers['content-type'] = request.contentType
      const response = await t.inject({
        method: request.method,
        url: request.url,
        headers,
        ...(request.payload === undefined ? {} : { payload: request.payload }),
      })
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1)
      const context = `case ${i} (seed ${SEED}): ${request.method} ${request.url.slice(0, 200)}`
      expect(response.statusCode, context).toBeLessThan(500)
      const body = response.json() as Record<string, unknown>
      expect(typeof body, context).toBe('object')
      expect('result' in body || 'error' in body, context).toBe(true)
      expect(response.body.toLowerCase(), context).not.toMatch(/sqlite|syntax error|select .* from/)
    }
    // The mix must actually reach methods, not only bounce off the edge.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(COUNT / 20)
  }, 300_000)
})
