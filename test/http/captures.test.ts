/**
 * Every REST request that real clients sent to the capture server (research/client-contract-harness/captures.jsonl,
 * see research/client-contract.md §2-§6) must decode to the parameters the client meant.
 *
 * JSON clients (jssdk, phpsdk, pysdk) keep JSON types; form and query clients (CRest, @2bad, and every batch
 * sub-command) deliver strings (client-contract.md §3). Telemetry (`bx24_*`) and `auth` are compared separately.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { decodeRequestParams } from '../../src/protocol/params/decode-body.js'
import { parsePhpQuery } from '../../src/protocol/params/parse-php-query.js'

interface Capture {
  seq: number
  label: string
  method: string
  url: string
  headers: Record<string, string | undefined>
  body: string
}

interface SubCommand {
  method: string
  params: Record<string, unknown>
}

interface Expectation {
  /** Decoded parameters without telemetry, `auth` and (for batches) `cmd`. */
  params: Record<string, unknown>
  /** The OAuth token the client sent (JSON body, form body or query), if any. */
  auth?: string
  /** Batch sub-commands, decoded; an array when the client sent `cmd` as a list. */
  cmd?: Record<string, SubCommand> | SubCommand[]
}

const CAPTURES_URL = new URL(
  '../../../shared/research/client-contract-harness/captures.jsonl',
  import.meta.url,
)
const TELEMETRY = ['bx24_request_id', 'bx24_sdk_ver', 'bx24_sdk_type']

const restCaptures: Capture[] = readFileSync(CAPTURES_URL, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Capture)
  .filter((capture) => capture.url.startsWith('/rest/'))

function decodeCapture(capture: Capture): Record<string, unknown> {
  const question = capture.url.indexOf('?')
  return decodeRequestParams({
    query: question === -1 ? '' : capture.url.slice(question + 1),
    body: capture.body === '' ? undefined : Buffer.from(capture.body, 'utf8'),
    contentType: capture.headers['content-type'],
  })
}

/** How the batch method reads one `cmd` entry: `method?query` split at the first `?`. */
function decodeSubCommand(command: string): SubCommand {
  const question = command.indexOf('?')
  if (question === -1) return { method: command, params: {} }
  return { method: command.slice(0, question), params: parsePhpQuery(command.slice(question + 1)) }
}

function decodeCommands(cmd: unknown): Record<string, SubCommand> | SubCommand[] {
  if (Array.isArray(cmd)) return cmd.map((command) => decodeSubCommand(String(command)))
  const out: Record<string, SubCommand> = {}
  for (const [key, command] of Object.entries(cmd as Record<string, unknown>)) {
    out[key] = decodeSubCommand(String(command))
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// What the clients meant
// ---------------------------------------------------------------------------------------------------------------

/** The seed crm.item.update call (client-contract.md §2) as JSON clients send it. */
const SEED_JSON = {
  entityTypeId: 2,
  id: 351,
  fields: {
    title: 'REST Deal #1',
    stageId: 'C9:UC_NYL06U',
    assignedById: 6,
    observers: [1, 2, 3],
    opened: 'N',
    typeId: 'SERVICE',
    opportunity: 10000,
    currencyId: 'USD',
    isManualOpportunity: 'N',
    utmSource: 'google',
    ufCrm_1721244707107: 200.05,
    parentId1220: 2,
  },
}

/** The same call once form- or query-encoded: every scalar is a string. */
const SEED_FORM = {
  entityTypeId: '2',
  id: '351',
  fields: {
    title: 'REST Deal #1',
    stageId: 'C9:UC_NYL06U',
    assignedById: '6',
    observers: ['1', '2', '3'],
    opened: 'N',
    typeId: 'SERVICE',
    opportunity: '10000',
    currencyId: 'USD',
    isManualOpportunity: 'N',
    utmSource: 'google',
    ufCrm_1721244707107: '200.05',
    parentId1220: '2',
  },
}

const PHONE_WORK = { VALUE: '+1 555 0100', VALUE_TYPE: 'WORK' }
const FILE_DATA = { fileData: ['a.txt', 'SGVsbG8='] }

const leadList = (gt: number) => ({
  filter: { '=OPENED': 'Y', '>ID': gt },
  select: ['ID', 'TITLE'],
  order: { ID: 'ASC' },
  start: -1,
})
const itemList = (gt: number) => ({
  entityTypeId: 2,
  select: ['id', 'title'],
  order: { id: 'ASC' },
  filter: { '>id': gt },
  start: -1,
})
const fetchList = (gt: number) => ({ select: ['ID'], order: { ID: 'ASC' }, filter: { '>ID': gt }, start: -1 })
const v3List = (gt: number) => ({
  select: ['id', 'title'],
  order: { id: 'ASC' },
  filter: [['id', '>', gt]],
  pagination: { page: 0, limit: 50 },
})
const v3Tail = (value: number) => ({
  select: ['id', 'title'],
  cursor: { field: 'id', value, order: 'ASC', limit: 50 },
})
const leadGet = (id: string): SubCommand => ({ method: 'crm.lead.get', params: { id } })
const leadGetUpper = (ID: string): SubCommand => ({ method: 'crm.lead.get', params: { ID } })
const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i)

const ID1_JSON: Expectation = { params: { id: 1 } }
const UPPER_ID1_JSON: Expectation = { params: { ID: 1 } }
const UPPER_ID1_QUERY: Expectation = { params: { ID: '1' } }

/** Expectations per capture label, one per REST capture in file order (a single one applies to all). */
const EXPECTED: Record<string, Expectation | Expectation[]> = {
  // --- b24jssdk (JSON bodies, telemetry in the query) --------------------------------------------------------
  'jssdk-hook: crm.item.update seed': { params: SEED_JSON },
  'jssdk-hook-over-http: axios interceptor rewriting https->http': { params: SEED_JSON },
  'jssdk-hook: crm.lead.update PHONE multifield + misc types': {
    params: {
      id: 42,
      fields: {
        TITLE: 'John & Martin',
        PHONE: [PHONE_WORK, { ID: '17', DELETE: 'Y' }],
        OPENED: true,
        COMMENTS: null,
        UF_CRM_EMPTY: [],
        UF_CRM_FILE: FILE_DATA,
        BIRTHDATE: '2024-01-02T03:04:05.000Z',
      },
      params: { REGISTER_SONET_EVENT: 'Y' },
    },
  },
  'jssdk-hook: callList crm.lead.list': [0, 50, 100].map((gt) => ({ params: leadList(gt) })),
  'jssdk-hook: callList crm.item.list (idKey id, customKeyForResult items)': [0, 50, 100].map((gt) => ({
    params: itemList(gt),
  })),
  'jssdk-hook: fetchList crm.lead.list': [0, 50, 100].map((gt) => ({ params: fetchList(gt) })),
  'jssdk-hook: deprecated callListMethod (next/start)': [0, 50, 100].map((start) => ({
    params: { select: ['ID'], start },
  })),
  'jssdk-hook: getNext via plain call (next/total)': { params: { start: 0 } },
  'jssdk-hook: batch named (halt default true)': {
    params: { halt: 1 },
    cmd: {
      upd: { method: 'crm.item.update', params: SEED_FORM },
      lead: leadGet('3'),
      leads: { method: 'crm.lead.list', params: { filter: { '>ID': '100' }, select: ['ID'], start: '0' } },
    },
  },
  'jssdk-hook: batch array, isHaltOnError=false, one failing command': {
    params: { halt: 0 },
    cmd: [
      leadGet('1'),
      { method: 'crm.bad.method', params: {} },
      { method: 'crm.lead.update', params: { id: '2', fields: { TITLE: 'x' } } },
    ],
  },
  'jssdk-hook: batchByChunk 60 commands': [
    { params: { halt: 1 }, cmd: range(1, 50).map((id) => leadGet(String(id))) },
    { params: { halt: 1 }, cmd: range(51, 60).map((id) => leadGet(String(id))) },
  ],
  'jssdk-hook: probe 200 with {error,error_description}': ID1_JSON,
  'jssdk-hook: probe 400 ERROR_ENTITY_NOT_FOUND (soft code)': ID1_JSON,
  'jssdk-hook: probe 400 generic error (thrown)': ID1_JSON,
  'jssdk-hook: probe 503 QUERY_LIMIT_EXCEEDED x1 then OK (retry)': ID1_JSON,
  'jssdk-hook: probe 500 x1 then OK (retry)': ID1_JSON,
  'jssdk-hook: probe 401 expired_token in hook mode': ID1_JSON,
  'jssdk-hook: probe success without time': ID1_JSON,
  'jssdk-hook: probe success with time:{} (no operating)': ID1_JSON,
  'jssdk-hook: probe non-JSON 200 body': ID1_JSON,
  'jssdk-hook: v3 call tasks.task.get': { params: { id: 51, select: ['id', 'title'] } },
  'jssdk-hook: v3 call crm.item.get': { params: { entityTypeId: 2, id: 1 } },
  'jssdk-hook: v3 callList tasks.task.list': [0, 50, 100].map((gt) => ({ params: v3List(gt) })),
  'jssdk-hook: v3 callTail tasks.task.list': [0, 50, 100].map((value) => ({ params: v3Tail(value) })),
  'jssdk-hook: v3 batch': {
    params: {
      0: { method: 'tasks.task.get', query: { id: 289 }, parallel: false },
      1: { method: 'tasks.task.get', query: { id: 429 }, parallel: false },
    },
  },
  'jssdk-oauth: call with valid token (clientEndpoint with trailing slash)': {
    params: SEED_JSON,
    auth: 'ACCESS1',
  },
  'jssdk-oauth: clientEndpoint without trailing slash': { params: {}, auth: 'ACCESS1' },
  'jssdk-oauth: token expired locally -> refresh first': { params: {}, auth: 'NEWACCESS1' },
  'jssdk-oauth: server 401 expired_token -> refresh + retry': [
    { params: { id: 1 }, auth: 'EXPIRED1' },
    { params: { id: 1 }, auth: 'NEWACCESS2' },
  ],
  'jssdk-oauth: refresh fails (invalid_grant)': { params: { id: 1 }, auth: 'EXPIRED2' },
  'jssdk-oauth: batch': {
    params: { halt: 0 },
    auth: 'ACCESS1',
    cmd: { a: leadGet('1'), b: leadGet('$result[a][ID]') },
  },
  'jssdk-oauth: v3 call': { params: { id: 51 }, auth: 'ACCESS1' },
  'jssdk-oauth: v3 batch': {
    params: { 0: { method: 'tasks.task.get', query: { id: 1 }, parallel: false } },
    auth: 'ACCESS1',
  },
  'jssdk-oauth: batch encoding of types': {
    params: { halt: 1 },
    auth: 'ACCESS1',
    cmd: {
      t: {
        method: 'crm.item.update',
        params: {
          entityTypeId: '2',
          id: '1',
          fields: {
            on: 'true',
            off: 'false',
            nul: '',
            date: '2024-01-02T03:04:05.000Z',
            price: '200.05',
            title: 'A & B [x] é',
            multi: [{ VALUE: '1', VALUE_TYPE: 'WORK' }],
            file: ['a.txt', 'SGVsbG8='],
          },
        },
      },
    },
  },

  // --- @2bad/bitrix (GET, everything in the query string) ----------------------------------------------------
  '2bad: crm.item.update seed (webhook)': { params: SEED_FORM },
  '2bad: oauth mode (access_token query param)': { params: SEED_FORM }, // the token is never sent (§2.5)
  '2bad: crm.lead.update PHONE + misc types': {
    params: {
      id: '42',
      fields: {
        TITLE: 'John & Martin',
        PHONE: [PHONE_WORK],
        OPENED: 'true',
        COMMENTS: '',
        UF_CRM_FILE: FILE_DATA,
      },
    },
  },
  '2bad: list crm.lead.list (first call + batch of start offsets)': [
    { params: { select: ['ID', 'TITLE'], start: '0' } },
    {
      params: {},
      cmd: ['0', '50', '100'].map((start) => ({
        method: 'crm.lead.list',
        params: { select: ['ID', 'TITLE'], start },
      })),
    },
  ],
  '2bad: batch named': { params: {}, cmd: { one: leadGetUpper('1'), two: leadGetUpper('$result[one][ID]') } },
  '2bad: 503 retry by got': UPPER_ID1_QUERY,
  '2bad: 200 with error body': UPPER_ID1_QUERY,
  '2bad: 400 error': UPPER_ID1_QUERY,
  '2bad: oauth mode expired token': { params: {} },
  '2bad: oauth workaround via custom hook (auth query param)': [
    { params: {}, auth: 'ACCESS1' },
    {
      params: {},
      cmd: Object.fromEntries(
        range(0, 49).map((i) => [`u${i}`, { method: 'crm.item.update', params: SEED_FORM }]),
      ),
    },
  ],

  // --- b24pysdk (JSON bodies, `.json` suffix) ------------------------------------------------------------------
  'pysdk-hook: crm.item.update seed (call_method)': { params: SEED_JSON },
  'pysdk-hook: crm.item.update via Client.crm.item.update': { params: SEED_JSON },
  'pysdk-hook: crm.lead.update PHONE + misc types': {
    params: {
      id: 42,
      fields: {
        TITLE: 'John & Martin',
        PHONE: [PHONE_WORK],
        OPENED: true,
        COMMENTS: null,
        UF_CRM_EMPTY: [],
        UF_CRM_FILE: FILE_DATA,
      },
    },
  },
  'pysdk-hook: call_list crm.lead.list (first call then batch by start)': [
    { params: { select: ['ID', 'TITLE'] } },
    {
      params: { halt: true },
      cmd: {
        0: { method: 'crm.lead.list', params: { select: ['ID', 'TITLE'], start: '50' } },
        1: { method: 'crm.lead.list', params: { select: ['ID', 'TITLE'], start: '100' } },
      },
    },
  ],
  'pysdk-hook: call_batch named with types': {
    params: { halt: true },
    cmd: {
      a: leadGetUpper('1'),
      b: {
        method: 'crm.item.update',
        params: {
          entityTypeId: '2',
          id: '351',
          fields: { opened: 'True', observers: ['1', '2'], comments: '', empty: [''], price: '200.05' },
        },
      },
    },
  },
  'pysdk-hook: 503 retry': UPPER_ID1_JSON,
  'pysdk-hook: 429 OPERATION_TIME_LIMIT (no retry expected)': UPPER_ID1_JSON,
  'pysdk-hook: 200 with error body': UPPER_ID1_JSON,
  'pysdk-hook: success without time (typed Client)': [UPPER_ID1_JSON, { params: { id: 1, entityTypeId: 2 } }],
  'pysdk-oauth: call with valid token': { params: SEED_JSON, auth: 'ACCESS1' },
  'pysdk-oauth: expired token -> refresh to hard-coded oauth.bitrix24.tech (expected network failure)': {
    params: {},
    auth: 'EXPIRED1',
  },
  'pysdk-oauth: expired token -> refresh with patched _OAUTH_TOKEN_URL': [
    { params: {}, auth: 'EXPIRED1' },
    { params: {}, auth: 'NEWACCESS3' },
  ],
  'pysdk-v3: call_method prefer_version=3 (method must be in Config().api_v3_methods)': {
    params: { id: 51 },
  },
  'pysdk-hook: call_list_fast crm.lead.list': [
    { params: { select: ['ID'], order: { ID: 'ASC' }, start: -1 } },
    {
      params: { halt: true },
      cmd: Object.fromEntries(
        range(0, 49).map((i) => [
          `req_${i}`,
          {
            method: 'crm.lead.list',
            params: {
              select: ['ID'],
              order: { ID: 'ASC' },
              filter: { '>ID': i === 0 ? '50' : `$result[req_${i - 1}][49][ID]` },
              start: '-1',
            },
          },
        ]),
      ),
    },
  ],
  'pysdk-hook-over-http: patched _MethodCaller._base_url': [
    { params: {} },
    { params: { select: ['ID'] } },
    {
      params: { halt: true },
      cmd: {
        0: { method: 'crm.lead.list', params: { select: ['ID'], start: '50' } },
        1: { method: 'crm.lead.list', params: { select: ['ID'], start: '100' } },
      },
    },
  ],

  // --- b24phpsdk (JSON bodies, `\u0026` escapes, `[]` for empty arrays) ---------------------------------------
  'phpsdk-hook: crm.item.update seed': { params: SEED_JSON },
  'phpsdk-hook: crm.lead.update PHONE + misc types': {
    params: {
      id: 42,
      fields: {
        TITLE: 'John & Martin',
        PHONE: [PHONE_WORK],
        OPENED: true,
        COMMENTS: null,
        UF_CRM_EMPTY: [],
        UF_CRM_FILE: FILE_DATA,
      },
      params: { REGISTER_SONET_EVENT: 'Y' },
    },
  },
  'phpsdk-hook: crm.lead.list start=0 (next/total)': {
    params: { order: { ID: 'ASC' }, filter: [], select: ['ID', 'TITLE'], start: 0 },
  },
  'phpsdk-hook: batch->list crm.lead.list (getTraversableList)': [
    { params: { order: { ID: 'ASC' }, filter: [], select: ['ID', 'TITLE'], start: 0 } },
    {
      params: { halt: true },
      cmd: {
        cmd_0: {
          method: 'crm.lead.list',
          params: { order: { ID: 'ASC' }, filter: { '>ID': '50' }, select: ['ID', 'TITLE'], start: '-1' },
        },
        cmd_1: {
          method: 'crm.lead.list',
          params: {
            order: { ID: 'ASC' },
            filter: { '>ID': '$result[cmd_0][49][ID]' },
            select: ['ID', 'TITLE'],
            start: '-1',
          },
        },
      },
    },
  ],
  'phpsdk-hook: raw core->call batch with halt=false': {
    params: { halt: false },
    cmd: {
      a: leadGetUpper('1'),
      b: {
        method: 'crm.item.update',
        params: {
          entityTypeId: '2',
          id: '351',
          fields: { opened: '1', off: '0', price: '200.05', title: 'A & B [x]' },
        },
      },
    },
  },
  'phpsdk-hook: 503 QUERY_LIMIT_EXCEEDED (no retry expected)': UPPER_ID1_JSON,
  'phpsdk-hook: 200 with error body': UPPER_ID1_JSON,
  'phpsdk-hook: success without time': UPPER_ID1_JSON,
  'PORT80 phpsdk-oauth: Endpoints with non-default port (port is dropped by getDomainUrl)': {
    params: SEED_JSON,
    auth: 'ACCESS1',
  },
  'PORT80 phpsdk-oauth: port 80 server, expired token -> GET refresh at authServerUrl/oauth/token/': [
    { params: SEED_JSON, auth: 'EXPIRED1' },
    { params: SEED_JSON, auth: 'NEWACCESS1' },
  ],

  // --- CRest (form bodies built by http_build_query) ---------------------------------------------------------
  'crest-hook: crm.item.update seed': { params: SEED_FORM },
  'crest-hook: crm.lead.update PHONE + misc types': {
    params: {
      id: '42',
      fields: {
        TITLE: 'John & Martin',
        PHONE: [PHONE_WORK],
        OPENED: '1',
        CLOSED: '0',
        UF_CRM_FILE: FILE_DATA,
      },
      params: { REGISTER_SONET_EVENT: 'Y' },
    },
  },
  'crest-hook: manual list paging via next': ['0', '50', '100'].map((start) => ({
    params: { select: ['ID'], start },
  })),
  'crest-hook: callBatch': {
    params: { halt: '1' },
    cmd: {
      get: leadGetUpper('1'),
      upd: { method: 'crm.item.update', params: SEED_FORM },
      ref: leadGetUpper('$result[get][ID]'),
      noparams: { method: 'user.current', params: {} },
    },
  },
  'crest-hook: no-param call (GET)': { params: {} },
  'crest-oauth: expired token -> refresh to hard-coded https://oauth.bitrix.info/oauth/token/': {
    params: SEED_FORM,
    auth: 'EXPIRED7',
  },
}

// ---------------------------------------------------------------------------------------------------------------

function groupByLabel(captures: Capture[]): Map<string, Capture[]> {
  const groups = new Map<string, Capture[]>()
  for (const capture of captures) {
    const group = groups.get(capture.label) ?? []
    group.push(capture)
    groups.set(capture.label, group)
  }
  return groups
}

function expectationsFor(label: string, count: number): Expectation[] {
  const expected = EXPECTED[label]
  if (expected === undefined) throw new Error(`no expectation for capture label ${JSON.stringify(label)}`)
  return Array.isArray(expected) ? expected : Array.from({ length: count }, () => expected)
}

function withoutKeys(params: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out = { ...params }
  for (const key of keys) delete out[key]
  return out
}

const groups = groupByLabel(restCaptures)

describe('captured client requests decode to what the client meant', () => {
  it('found the captures', () => {
    expect(restCaptures.length).toBeGreaterThanOrEqual(100)
    expect(groups.size).toBe(Object.keys(EXPECTED).length)
  })

  describe.each([...groups.entries()])('%s', (label, captures) => {
    const expectations = expectationsFor(label, captures.length)

    it('has one expectation per capture', () => {
      expect(expectations).toHaveLength(captures.length)
    })

    it.each(captures.map((capture, i) => [capture.seq, capture, expectations[i]] as const))(
      'capture seq %i',
      (_seq, capture, expected) => {
        if (expected === undefined) throw new Error('missing expectation')
        const decoded = decodeCapture(capture)
        const params = withoutKeys(decoded, [
          ...TELEMETRY,
          'auth',
          ...(expected.cmd === undefined ? [] : ['cmd']),
        ])
        expect(params).toEqual(expected.params)
        expect(decoded.auth).toBe(expected.auth)
        if (expected.cmd !== undefined) expect(decodeCommands(decoded.cmd)).toEqual(expected.cmd)
      },
    )
  })
})

describe('telemetry parameters are decoded from the query string (and then ignored by methods)', () => {
  it('jssdk sends bx24_request_id, bx24_sdk_ver and bx24_sdk_type', () => {
    const jssdk = restCaptures.filter((capture) => capture.label.startsWith('jssdk'))
    expect(jssdk.length).toBeGreaterThan(40)
    for (const capture of jssdk) {
      const decoded = decodeCapture(capture)
      expect(decoded.bx24_sdk_ver).toBe('2.2.0')
      expect(decoded.bx24_sdk_type).toBe('b24-js-sdk')
      expect(decoded.bx24_request_id).toMatch(/^[0-9a-f-]{36}$/)
    }
  })

  it('phpsdk sends bx24_request_id only', () => {
    const phpsdk = restCaptures.filter((capture) => capture.label.includes('phpsdk'))
    expect(phpsdk.length).toBeGreaterThan(5)
    for (const capture of phpsdk) {
      const decoded = decodeCapture(capture)
      expect(decoded.bx24_request_id).toMatch(/^[0-9a-f-]{36}$/)
      expect(decoded.bx24_sdk_ver).toBeUndefined()
    }
  })
})
