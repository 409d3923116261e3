/**
 * The fuzzer's request generator, shared by the in-process quick form (test/http/fuzz.test.ts, inject) and
 * the over-HTTP forms (test/reliability/fuzz-http.test.ts, scripts/reliability.ts). Seeded: a failing case
 * is reproduced by its seed and index.
 *
 * What it sends (DESIGN.md "Reliability and security": "bad input of any kind … gets the documented
 * Bitrix24 error — never a 500, a hang or a crash"):
 * - every registered method (src/methods/index.ts, so methods added later are fuzzed too) plus unknown
 *   names, through every URL form and transport suffix;
 * - parameters shaped like the real ones often enough to get past validation into the handlers and the
 *   store (CRM field names in their three spellings, filter operators, funnel and status ids), and broken
 *   in every other way: wrong types, SQL-looking keys in filter/order/select, huge strings and numbers,
 *   NUL and lone surrogates, deep nesting in JSON and in PHP form keys;
 * - bodies that are not what their content type says: truncated or invalid JSON, invalid UTF-8 (raw bytes
 *   and percent-encoded), multipart without or with an empty boundary, bodies over the size limit.
 */
import { ALL_METHODS } from '../../src/methods/index.js'
import { BUILT_IN_ENTITY_TYPES } from '../../src/crm/entity-types/registry.js'
import { pick } from './helpers.js'

/** The bootstrap webhook most of the time; broken and foreign URL forms the rest. */
export const FUZZ_WEBHOOK_PATHS = (code: string): string[] => [
  ...Array.from({ length: 14 }, () => `/rest/1/${code}/`),
  `/rest/1/${code}//`,
  '/rest/',
  '/rest/1/x/',
  '//rest///',
  `/rest/api/1/${code}/`,
  `/rest/999/${code}/`,
]

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
  'prototype',
  "title') UNION SELECT secret_hash FROM webhook --",
  'id) ; DELETE FROM crm_item; --',
  '"title"',
  "json_extract(uf, '$.x')",
  "uf->>'x'",
  '(SELECT 1)',
  'TITLE COLLATE nocase',
  '>=id',
  '!@ID',
  '=%title%',
  'ufCrm_1; --',
  'UF_CRM_1 OR 1',
  'PARENT_ID_1220; --',
  'stageId\u0000',
  '',
]

const GOOD_ENTITY_TYPE_IDS: readonly unknown[] = [1, 2, 3, 4, 7, 31, '2']
const ODD_ENTITY_TYPE_IDS: readonly unknown[] = [
  128,
  1030,
  1032,
  0,
  -5,
  5,
  8,
  36,
  'abc',
  ' 2 ',
  [2],
  { a: 1 },
  1e20,
  '9'.repeat(40),
  null,
  true,
  '2; DROP TABLE crm_item',
  1.5,
]
const GOOD_IDS: readonly unknown[] = [1, 2, 3, 4, 5, 6, '1']
const ODD_IDS: readonly unknown[] = [
  10,
  0,
  -1,
  'x',
  [1],
  '1 OR 1=1',
  1.5,
  1e300,
  '99999999999999999999',
  null,
  { id: 1 },
]

function entityTypeIdValue(random: Random): unknown {
  return random() < 0.75 ? pick(random, GOOD_ENTITY_TYPE_IDS) : pick(random, ODD_ENTITY_TYPE_IDS)
}

function idValue(random: Random): unknown {
  return random() < 0.75 ? pick(random, GOOD_IDS) : pick(random, ODD_IDS)
}

/** Wire names of the CRM fields in their three spellings: camelCase, UPPER_CASE and the legacy name. */
const FIELD_NAMES: readonly string[] = (() => {
  const names = new Set<string>()
  for (const type of BUILT_IN_ENTITY_TYPES) {
    for (const field of type.fields) {
      names.add(field.name)
      names.add(field.upperName)
      if (typeof field.legacyName === 'string') names.add(field.legacyName)
    }
  }
  return [
    ...names,
    'ufCrm_1721244707107',
    'UF_CRM_1',
    'parentId1220',
    'PARENT_ID_2',
    'fm',
    'FM',
    'PHONE',
    'EMAIL',
  ]
})()

const REGISTERED: readonly string[] = ALL_METHODS.map((m) => m.name)
const METHODS: readonly string[] = [
  ...REGISTERED,
  // The CRM methods are most of the surface and most of the code: weight them up.
  ...REGISTERED.filter((name) => name.startsWith('crm.')),
  ...REGISTERED.filter((name) => name.startsWith('crm.item.')),
  'no.such',
  'CRM.ITEM.LIST',
  'crm.item.',
  'crm..item.get',
  '',
]

const STATUS_ENTITY_IDS = [
  'STATUS',
  'SOURCE',
  'DEAL_STAGE',
  'DEAL_STAGE_1',
  'DEAL_TYPE',
  'HONORIFIC',
  'x',
  '',
]
const FILTER_PREFIXES = [
  '',
  '',
  '>',
  '<',
  '>=',
  '<=',
  '!',
  '=',
  '%',
  '=%',
  '%=',
  '!%',
  '@',
  '!@',
  '><',
  '!><',
]

export type Random = () => number

export function randomString(random: Random, max: number): string {
  const length = Math.floor(random() * max)
  let out = ''
  for (let i = 0; i < length; i += 1) {
    const r = random()
    out +=
      r < 0.7
        ? String.fromCharCode(32 + Math.floor(random() * 95))
        : r < 0.85
          ? pick(random, ['[', ']', '%', '&', '=', '+', '$', "'", '"', '\\', ';', '\n', '\t'])
          : r < 0.95
            ? pick(random, ['Ж', 'é', '中', '😀', 'ß', '\u200b', '\u202e'])
            : String.fromCharCode(0xe000 + Math.floor(random() * 0x1fff)) // no lone surrogates: encodeURIComponent refuses them
  }
  return out
}

/** Values a client should never send: the edge cases of every wire type. */
function oddScalar(random: Random): unknown {
  return pick(random, [
    0,
    -1,
    1.5,
    1e308,
    -1e308,
    2 ** 53 + 1,
    '',
    ' ',
    'Y',
    'N',
    'abc',
    null,
    true,
    false,
    '1',
    '0',
    '2026-01-01T00:00:00+03:00',
    '2026-13-45',
    '31.12.2026',
    '0000-00-00',
    '9'.repeat(400),
    '1e999',
    'NaN',
    '-0',
    '0x1F',
    'C9:UC_NYL06U',
    'NEW',
    'USD',
    'XXX',
    'nul\u0000byte',
    'lone \ud800 surrogate', // JSON.stringify escapes it; the server gets a lone surrogate from JSON.parse
    'x'.repeat(5000),
  ])
}

export function randomValue(random: Random, depth: number): unknown {
  const r = random()
  if (depth > 3 || r < 0.35) return oddScalar(random)
  if (r < 0.5) return randomString(random, 40)
  if (r < 0.55) return 'z'.repeat(Math.floor(random() * 60_000)) // huge, within the body limit mostly
  if (r < 0.75) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1))
  const object: Record<string, unknown> = {}
  for (let i = 0; i < Math.floor(random() * 4); i += 1) {
    object[random() < 0.3 ? pick(random, SQLISH) : randomString(random, 12)] = randomValue(random, depth + 1)
  }
  return object
}

/** `{a:{a:{…}}}` `depth` levels deep. */
export function deepObject(depth: number, leaf: unknown = 1): unknown {
  let value: unknown = leaf
  for (let i = 0; i < depth; i += 1) value = { a: value }
  return value
}

function fieldKey(random: Random): string {
  return random() < 0.8
    ? pick(random, FIELD_NAMES)
    : random() < 0.7
      ? pick(random, SQLISH)
      : randomString(random, 16)
}

/** A `fields` object: real field names with plausible, odd or hostile values. */
function randomFields(random: Random): unknown {
  const r = random()
  if (r < 0.05) return randomValue(random, 2) // the wrong type altogether
  if (r < 0.08) return deepObject(50 + Math.floor(random() * 2000))
  const fields: Record<string, unknown> = {}
  for (let i = 0; i < 1 + Math.floor(random() * 6); i += 1) {
    const key = fieldKey(random)
    const v = random()
    fields[key] =
      v < 0.3
        ? randomString(random, 30)
        : v < 0.5
          ? oddScalar(random)
          : v < 0.6
            ? [randomInt0(random, 10), randomInt0(random, 10)]
            : v < 0.65
              ? [
                  { VALUE: randomString(random, 20), VALUE_TYPE: 'WORK', TYPE_ID: 'PHONE' },
                  { ID: 'n0', VALUE: '' },
                ]
              : v < 0.7
                ? deepObject(20 + Math.floor(random() * 200), randomString(random, 10))
                : v < 0.72
                  ? 'y'.repeat(100_000 + Math.floor(random() * 100_000))
                  : randomValue(random, 1)
  }
  return fields
}

function randomInt0(random: Random, max: number): number {
  return Math.floor(random() * (max + 1))
}

function randomFilter(random: Random): unknown {
  const r = random()
  if (r < 0.1) return randomValue(random, 2)
  if (r < 0.13) return deepObject(10 + Math.floor(random() * 500))
  const filter: Record<string, unknown> = {}
  for (let i = 0; i < Math.floor(random() * 4); i += 1) {
    filter[`${pick(random, FILTER_PREFIXES)}${fieldKey(random)}`] =
      random() < 0.3
        ? [oddScalar(random), oddScalar(random)]
        : random() < 0.5
          ? oddScalar(random)
          : randomString(random, 20)
  }
  if (random() < 0.15) filter['LOGIC'] = pick(random, ['OR', 'AND', 'XOR', ''])
  if (random() < 0.1) filter['0'] = { LOGIC: 'OR', '>id': 1, title: randomString(random, 5) }
  return filter
}

function randomOrder(random: Random): unknown {
  if (random() < 0.15) return randomValue(random, 2)
  const order: Record<string, unknown> = {}
  for (let i = 0; i < 1 + Math.floor(random() * 3); i += 1) {
    order[fieldKey(random)] = pick(random, [
      'ASC',
      'DESC',
      'asc',
      'sideways',
      '',
      1,
      null,
      'ASC; DROP TABLE x',
    ])
  }
  return order
}

function randomSelect(random: Random): unknown {
  if (random() < 0.15) return randomValue(random, 2)
  return Array.from({ length: Math.floor(random() * 5) }, () =>
    random() < 0.2 ? pick(random, ['*', 'UF_*', 'uf*', 'PHONE', 'EMAIL', '']) : fieldKey(random),
  )
}

/** Parameters for one call of `method`, shaped like its real parameters more often than not. */
export function randomParams(random: Random, method: string): Record<string, unknown> {
  const params: Record<string, unknown> = {}
  const lower = method.toLowerCase()
  const family = lower.startsWith('crm.item.')
    ? 'item'
    : lower.startsWith('crm.status.')
      ? 'status'
      : lower.startsWith('crm.category.')
        ? 'category'
        : lower.startsWith('crm.type.')
          ? 'type'
          : lower.startsWith('crm.currency.')
            ? 'currency'
            : /^crm\.(lead|deal|contact|company|quote)\./.test(lower)
              ? 'legacy'
              : lower === 'batch'
                ? 'batch'
                : 'other'
  const shaped = random() < 0.85
  if (shaped) {
    switch (family) {
      case 'item':
        params['entityTypeId'] = entityTypeIdValue(random)
        if (random() < 0.8) params['id'] = idValue(random)
        if (random() < 0.8) params['fields'] = randomFields(random)
        if (random() < 0.5) params['filter'] = randomFilter(random)
        if (random() < 0.4) params['order'] = randomOrder(random)
        if (random() < 0.4) params['select'] = randomSelect(random)
        if (random() < 0.3) params['start'] = pick(random, [0, 50, -1, 1e9, 'x', -50, 49, '100'])
        if (random() < 0.2) params['useOriginalUfNames'] = pick(random, ['Y', 'N', 'x', 1, null])
        break
      case 'status':
        if (random() < 0.5) params[pick(random, ['id', 'ID'])] = idValue(random)
        if (random() < 0.5)
          params[pick(random, ['entityId', 'ENTITY_ID', 'entityID'])] = pick(random, STATUS_ENTITY_IDS)
        if (random() < 0.6)
          params[pick(random, ['fields', 'FIELDS'])] =
            random() < 0.8
              ? {
                  ENTITY_ID: pick(random, STATUS_ENTITY_IDS),
                  STATUS_ID: random() < 0.5 ? `RF_${Math.floor(random() * 50)}` : randomString(random, 20),
                  NAME: random() < 0.8 ? randomString(random, 30) : oddScalar(random),
                  SORT: pick(random, [10, 500, -1, 'x', 1e12]),
                  ...(random() < 0.3
                    ? { COLOR: randomString(random, 10), SEMANTICS: pick(random, ['S', 'F', 'P', 'X']) }
                    : {}),
                  ...(random() < 0.2 ? { [pick(random, SQLISH)]: 1 } : {}),
                }
              : randomFields(random)
        if (random() < 0.4) params[pick(random, ['filter', 'FILTER'])] = randomFilter(random)
        if (random() < 0.3) params[pick(random, ['order', 'ORDER'])] = randomOrder(random)
        break
      case 'category':
        params['entityTypeId'] = entityTypeIdValue(random)
        if (random() < 0.6) params['id'] = idValue(random)
        if (random() < 0.6)
          params['fields'] =
            random() < 0.8
              ? {
                  name: random() < 0.8 ? randomString(random, 30) : oddScalar(random),
                  sort: pick(random, [100, 'x', -1]),
                  isDefault: pick(random, ['Y', 'N', 'x']),
                }
              : randomFields(random)
        if (random() < 0.3) params['filter'] = randomFilter(random)
        if (random() < 0.3) params['order'] = randomOrder(random)
        break
      case 'type':
        if (random() < 0.5) params['id'] = idValue(random)
        if (random() < 0.5) params['entityTypeId'] = entityTypeIdValue(random)
        if (random() < 0.6)
          params['fields'] =
            random() < 0.7
              ? {
                  title: random() < 0.8 ? randomString(random, 30) : oddScalar(random),
                  ...(random() < 0.3 ? { entityTypeId: entityTypeIdValue(random) } : {}),
                  isCategoriesEnabled: pick(random, ['Y', 'N', 'x', 1]),
                  isStagesEnabled: pick(random, ['Y', 'N']),
                  ...(random() < 0.3
                    ? { relations: randomValue(random, 1), linkedUserFields: randomValue(random, 1) }
                    : {}),
                }
              : randomFields(random)
        if (random() < 0.3) params['filter'] = randomFilter(random)
        if (random() < 0.3) params['order'] = randomOrder(random)
        break
      case 'currency':
        params[pick(random, ['id', 'ID'])] = pick(random, [
          'USD',
          'EUR',
          'RUB',
          'XXX',
          '',
          1,
          ['USD'],
          "USD' --",
        ])
        break
      case 'legacy':
        params[pick(random, ['id', 'ID'])] = idValue(random)
        if (random() < 0.6) params[pick(random, ['fields', 'FIELDS'])] = randomFields(random)
        if (random() < 0.4) params[pick(random, ['filter', 'FILTER'])] = randomFilter(random)
        if (random() < 0.3) params[pick(random, ['order', 'ORDER'])] = randomOrder(random)
        if (random() < 0.3) params[pick(random, ['select', 'SELECT'])] = randomSelect(random)
        if (random() < 0.2) params['params'] = { REGISTER_SONET_EVENT: pick(random, ['Y', 'N', 'x']) }
        break
      case 'batch': {
        const cmd: Record<string, unknown> = {}
        for (let i = 0; i < 1 + Math.floor(random() * 4); i += 1) {
          const inner = pick(random, METHODS)
          cmd[random() < 0.8 ? `c${i}` : pick(random, SQLISH)] =
            `${inner}?${formEncode(randomParams(random, inner), 4000)}${
              random() < 0.2 ? `&ref=$result[c${i - 1}][item][id]` : ''
            }`
        }
        params['cmd'] = random() < 0.9 ? cmd : randomValue(random, 1)
        if (random() < 0.5) params['halt'] = pick(random, [0, 1, 'Y', 'x'])
        break
      }
      case 'other':
        break
    }
  }
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
    'fields',
    'entityTypeId',
  ]
  for (let i = 0; i < (shaped ? (random() < 0.25 ? 1 : 0) : 1 + Math.floor(random() * 4)); i += 1)
    params[pick(random, keys)] = randomValue(random, 0)
  if (random() < 0.1) {
    params['filter'] = {
      [pick(random, SQLISH)]: randomValue(random, 2),
      [`${pick(random, ['>', '<=', '!@', '%', '=%', '!'])}${pick(random, SQLISH)}`]: 1,
    }
  }
  if (random() < 0.08) params['order'] = { [pick(random, SQLISH)]: pick(random, ['ASC', 'DESC', 'sideways']) }
  if (random() < 0.08) params['select'] = [pick(random, SQLISH), '*', 'UF_*']
  return params
}

/**
 * Whether an answer gives away the SQL layer: a driver name, a syntax error, a query. An error message may
 * quote the field name the client sent, so the SQL-looking names of this generator are removed first.
 */
export function leaksSql(answer: string): boolean {
  let text = answer.toLowerCase()
  for (const key of SQLISH) {
    if (key === '') continue
    const lower = key.toLowerCase()
    text = text.split(JSON.stringify(lower).slice(1, -1)).join('').split(lower).join('')
  }
  return /sqlite|syntax error|select .* from|postgres|kysely|better-sqlite|relation ".*" does not exist/i.test(
    text,
  )
}

function deepJson(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`
}

/** PHP http_build_query-style encoding; stops adding pairs past `maxLength` characters. */
export function formEncode(params: Record<string, unknown>, maxLength = Infinity): string {
  const pairs: string[] = []
  let length = 0
  const walk = (prefix: string, value: unknown, depth: number): void => {
    if (length > maxLength) return
    if (value !== null && typeof value === 'object' && depth < 64) {
      for (const [k, v] of Object.entries(value)) walk(prefix === '' ? k : `${prefix}[${k}]`, v, depth + 1)
    } else {
      const pair = `${encodeComponent(prefix)}=${encodeComponent(String(value))}`
      length += pair.length + 1
      pairs.push(pair)
    }
  }
  walk('', params, 0)
  return pairs.join('&')
}

const LONE_SURROGATE = /([\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff])/

/**
 * encodeURIComponent, except that a lone surrogate (which it refuses) is sent as its CESU-8 bytes — the
 * invalid UTF-8 a careless client produces for it.
 */
export function encodeComponent(text: string): string {
  return text
    .split(LONE_SURROGATE)
    .map((part) => {
      if (!LONE_SURROGATE.test(part)) return encodeURIComponent(part)
      const code = part.charCodeAt(0)
      return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join('')
    })
    .join('')
}

/** Percent-encoded byte sequences that are not UTF-8: stray continuation bytes, overlong forms, surrogates. */
const BAD_UTF8_ESCAPES = [
  '%FF',
  '%FE',
  '%C3%28',
  '%A0%A1',
  '%E2%28%A1',
  '%ED%A0%80',
  '%C0%AF',
  '%F8%88%80%80%80',
  '%F4%90%80%80',
  '%80',
]
/** The same as raw bytes. */
const BAD_UTF8_BYTES = [0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xed, 0xa0, 0x80, 0xc0, 0xaf]

export interface FuzzRequest {
  method: 'GET' | 'POST'
  /** ASCII only (percent-encoded), so it means the same bytes through inject and over a socket */
  url: string
  payload?: string | Buffer
  contentType?: string
  /** a short description of the case, for failure messages */
  kind: string
}

/** One random request. `bodyLimit` is the server's B24_BODY_LIMIT: some bodies go over it on purpose. */
export function randomRequest(
  random: Random,
  options: { webhookCode: string; bodyLimit: number },
): FuzzRequest {
  const method = pick(random, METHODS)
  const prefix = pick(random, FUZZ_WEBHOOK_PATHS(options.webhookCode))
  const suffix = pick(random, ['', '', '', '', '', '', '', '', '.json', '.json', '/', '.xml'])
  const params = randomParams(random, method)
  const path = `${prefix}${encodeComponent(method).replace(/%2E/g, '.')}${suffix}`
  const r = random()
  const post = (kind: string, payload: string | Buffer, contentType: string): FuzzRequest => ({
    method: 'POST',
    url: path,
    payload,
    contentType,
    kind,
  })
  if (r < 0.4)
    return post(
      'json',
      JSON.stringify(params),
      pick(random, ['application/json', 'application/json; charset=utf-8', 'text/json']),
    )
  if (r < 0.43) return post('json-garbage', randomString(random, 200), 'application/json')
  if (r < 0.45)
    return post(
      'json-truncated',
      JSON.stringify(params).slice(0, Math.floor(random() * 100)),
      'application/json',
    )
  if (r < 0.47)
    return post('json-deep-array', deepJson(5000 + Math.floor(random() * 100_000)), 'application/json')
  if (r < 0.49) {
    const depth = 1000 + Math.floor(random() * 20_000)
    const inner = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
    return post(
      'json-deep-object',
      `{"entityTypeId":2,"fields":${inner},"filter":${inner}}`,
      'application/json',
    )
  }
  if (r < 0.51) {
    // Invalid UTF-8 inside otherwise valid JSON strings.
    const bad = Buffer.from(BAD_UTF8_BYTES.slice(0, 1 + Math.floor(random() * BAD_UTF8_BYTES.length)))
    return post(
      'json-bad-utf8',
      Buffer.concat([
        Buffer.from('{"entityTypeId":2,"id":1,"fields":{"title":"'),
        bad,
        Buffer.from('","comments":"ok"},"filter":{"%title":"'),
        bad,
        Buffer.from('"}}'),
      ]),
      'application/json',
    )
  }
  if (r < 0.66) return post('form', formEncode(params), 'application/x-www-form-urlencoded')
  if (r < 0.68) return post('form-garbage', randomString(random, 300), 'application/x-www-form-urlencoded')
  if (r < 0.69) return post('form-deep-keys', `${'a['.repeat(2000)}=1`, 'application/x-www-form-urlencoded')
  if (r < 0.71) {
    const depth = 100 + Math.floor(random() * 3000)
    return post(
      'form-deep-fields',
      `entityTypeId=2&fields${'[a]'.repeat(depth)}=1&filter${'[x]'.repeat(depth)}=2`,
      'application/x-www-form-urlencoded',
    )
  }
  if (r < 0.73) {
    const escape = pick(random, BAD_UTF8_ESCAPES)
    return post(
      'form-bad-utf8',
      `entityTypeId=2&id=1&fields[title]=${escape}x${escape}&filter[%25title]=${escape}&order[${escape}]=ASC&select[]=${escape}`,
      'application/x-www-form-urlencoded',
    )
  }
  if (r < 0.75)
    return post(
      'raw-bad-utf8',
      Buffer.from(BAD_UTF8_BYTES),
      pick(random, ['application/json', 'application/x-www-form-urlencoded', 'text/plain']),
    )
  if (r < 0.77)
    return post(
      'multipart',
      `--x\r\nContent-Disposition: form-data; name="${randomString(random, 10)}"\r\n\r\n${randomString(random, 50)}\r\n--x--`,
      pick(random, [
        'multipart/form-data; boundary=x',
        'multipart/form-data',
        'multipart/form-data; boundary=',
      ]),
    )
  if (r < 0.785)
    return post(
      'over-limit',
      'x'.repeat(options.bodyLimit + 1 + Math.floor(random() * 1024)),
      'application/json',
    )
  if (r < 0.8) {
    // A body just under the limit: one huge field value.
    const title = 'h'.repeat(Math.max(0, options.bodyLimit - 200))
    return post(
      'huge-value',
      JSON.stringify({ entityTypeId: 2, id: 1, fields: { title, comments: title.slice(0, 1000) } }),
      'application/json',
    )
  }
  if (r < 0.83) {
    const escape = pick(random, BAD_UTF8_ESCAPES)
    return {
      method: 'GET',
      url: `${path}?entityTypeId=2&id=1&filter[title]=${escape}&select[]=${escape}title&order[id]=${escape}`,
      kind: 'get-bad-utf8',
    }
  }
  const query =
    random() < 0.6 ? formEncode(params, 20_000) : encodeURI(randomString(random, 200)).replace(/#/g, '%23')
  return { method: 'GET', url: query === '' ? path : `${path}?${query}`, kind: 'get' }
}
