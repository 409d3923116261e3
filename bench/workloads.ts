/**
 * The workloads: the requests each one replays (built up front, seeded, so every run sends the same ones)
 * and how a workload is measured (probe, warm-up, N runs, medians, RSS and server CPU).
 */
import { DEAL_STAGES, LEAD, LEAD_STAGES, USERS } from './data.js'
import type { LoadFigures, LoadRequest, LoadTool } from './load.js'
import { cpuMsOf, memoryOf, settle } from './processes.js'

export interface Workload {
  readonly name: string
  readonly requests: readonly LoadRequest[]
  /** what one request does, when more than one thing (a batch of 50 updates = 50) */
  readonly perRequest?: number
  /** runs last at least this long, for requests slow enough that a short run completes too few of them */
  readonly minSeconds?: number
  /** checks one answer; returns what is wrong with it */
  readonly check?: (status: number, body: unknown) => string | undefined
}

export interface Measurement {
  readonly rps: number
  /** rps × perRequest */
  readonly throughput: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly rssMb: number
  readonly peakRssMb: number
  readonly cpuUsPerRequest: number
  readonly errors: number
  readonly runs: readonly LoadFigures[]
}

export interface MeasureSettings {
  readonly tool: LoadTool
  readonly runs: number
  readonly seconds: number
  readonly warmupSeconds: number
}

/** Probe (one request, checked), warm-up, then `runs` runs; each figure is the median over the runs. */
export async function measure(
  settings: MeasureSettings,
  baseUrl: string,
  pid: number,
  workload: Workload,
): Promise<Measurement> {
  await probe(baseUrl, workload)
  const seconds = Math.max(settings.seconds, workload.minSeconds ?? 0)
  if (settings.warmupSeconds > 0) {
    await settings.tool.run(baseUrl, workload.requests, settings.warmupSeconds)
    await settle(pid)
  }
  const runs: LoadFigures[] = []
  let cpuMs = 0
  for (let i = 0; i < settings.runs; i++) {
    const cpuBefore = cpuMsOf(pid)
    runs.push(await settings.tool.run(baseUrl, workload.requests, seconds))
    cpuMs += cpuMsOf(pid) - cpuBefore
    await settle(pid)
  }
  const memory = memoryOf(pid)
  const rps = median(runs.map((r) => r.rps))
  const requests = runs.reduce((sum, r) => sum + r.requests, 0)
  return {
    rps,
    throughput: rps * (workload.perRequest ?? 1),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    rssMb: memory.rssMb,
    peakRssMb: memory.peakMb,
    cpuUsPerRequest: requests === 0 ? 0 : (cpuMs * 1000) / requests,
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    runs,
  }
}

async function probe(baseUrl: string, workload: Workload): Promise<void> {
  const first = workload.requests[0]
  if (first === undefined) throw new Error('no requests')
  const response = await fetch(`${baseUrl}${first.path}`, {
    method: first.method,
    headers: first.body === undefined ? {} : { 'content-type': 'application/json' },
    body: first.body,
  })
  const text = await response.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON; the check sees the text
  }
  const problem = (workload.check ?? okEnvelope)(response.status, body)
  if (problem !== undefined) throw new Error(`${problem}: HTTP ${response.status} ${text.slice(0, 400)}`)
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

// ---------------------------------------------------------------------------------------------------------

const BODIES = 2000

/** mulberry32: a small seeded generator, so every run replays the same requests */
function random(seed: number): (n: number) => number {
  let state = seed >>> 0
  return (n) => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)
  }
}

const okEnvelope = (status: number, body: unknown): string | undefined =>
  status !== 200 || typeof body !== 'object' || body === null || 'error' in body || !('result' in body)
    ? 'not a successful answer'
    : undefined

/** The seed's crm.item.update fields (spec/seeds "Update a deal"), for a lead: stage, people, money, UTM. */
function leadFields(next: (n: number) => number, id: number, k: number): Record<string, unknown> {
  const first = 1 + next(USERS)
  return {
    title: `Lead #${id} (edit ${k})`,
    stageId: LEAD_STAGES[next(LEAD_STAGES.length)],
    assignedById: 1 + next(USERS),
    observers: [first, 1 + (first % USERS)],
    opened: next(2) === 0 ? 'Y' : 'N',
    opportunity: 100 + next(100_000),
    currencyId: next(2) === 0 ? 'USD' : 'EUR',
    comments: 'Changing a lead via REST',
    isManualOpportunity: 'N',
    utmSource: 'google',
    ufCrm_1721244707107: 200.05,
  }
}

export function itemUpdate(hookPath: string, items: number): Workload {
  const next = random(1)
  const requests = Array.from({ length: BODIES }, (_, k) => {
    const id = 1 + next(items)
    const body = { entityTypeId: LEAD, id, fields: leadFields(next, id, k) }
    return { method: 'POST' as const, path: `${hookPath}crm.item.update`, body: JSON.stringify(body) }
  })
  return {
    name: `crm.item.update (${count(items)} leads)`,
    requests,
    check: (status, body) =>
      okEnvelope(status, body) ?? (itemIdOf(body) === undefined ? 'no result.item.id' : undefined),
  }
}

/** `batch` of 50 crm.item.update commands with the same fields as the single calls, as PHP query strings. */
export function batchUpdate(hookPath: string, items: number, size = 50): Workload {
  const next = random(2)
  const requests = Array.from({ length: BODIES / 4 }, (_, k) => {
    const cmd: Record<string, string> = {}
    for (let c = 0; c < size; c++) {
      const id = 1 + next(items)
      cmd[`u${c}`] =
        `crm.item.update?${phpQuery({ entityTypeId: LEAD, id, fields: leadFields(next, id, k) })}`
    }
    return { method: 'POST' as const, path: `${hookPath}batch`, body: JSON.stringify({ halt: 0, cmd }) }
  })
  return {
    name: `batch of ${size} crm.item.update (${count(items)} leads)`,
    requests,
    perRequest: size,
    minSeconds: 10,
    check: (status, body) => {
      const result = (body as { result?: { result?: object; result_error?: object } }).result
      if (okEnvelope(status, body) !== undefined || result === undefined) return 'not a successful answer'
      if (Object.keys(result.result_error ?? {}).length > 0) return 'commands failed'
      return Object.keys(result.result ?? {}).length === size ? undefined : `not ${size} results`
    },
  }
}

/** The legacy twin, crm.deal.update with UPPER_CASE fields (deals/crm-deal-update.md). */
export function dealUpdate(hookPath: string, items: number): Workload {
  const next = random(3)
  const requests = Array.from({ length: BODIES }, (_, k) => {
    const id = 1 + next(items)
    const fields = {
      TITLE: `Deal #${id} (edit ${k})`,
      STAGE_ID: DEAL_STAGES[next(DEAL_STAGES.length)],
      ASSIGNED_BY_ID: 1 + next(USERS),
      OPENED: next(2) === 0 ? 'Y' : 'N',
      TYPE_ID: 'SERVICE',
      OPPORTUNITY: 100 + next(100_000),
      CURRENCY_ID: 'USD',
      ADDITIONAL_INFO: 'Changing a deal via REST',
      IS_MANUAL_OPPORTUNITY: 'N',
      UTM_SOURCE: 'google',
      UF_CRM_1721244707107: 200.05,
    }
    return {
      method: 'POST' as const,
      path: `${hookPath}crm.deal.update`,
      body: JSON.stringify({ id, fields }),
    }
  })
  return { name: `crm.deal.update (${count(items)} deals)`, requests }
}

/** "My leads in stage S, most recently updated first": filter on two fields, order on a third. */
export function listFiltered(hookPath: string, items: number): Workload {
  const next = random(4)
  const requests = Array.from({ length: BODIES / 4 }, () => {
    const filter = { stageId: LEAD_STAGES[next(LEAD_STAGES.length)], assignedById: 1 + next(USERS) }
    const body = { entityTypeId: LEAD, filter, order: { updatedTime: 'DESC' } }
    return { method: 'POST' as const, path: `${hookPath}crm.item.list`, body: JSON.stringify(body) }
  })
  return { name: `crm.item.list filtered+ordered (${count(items)} leads)`, requests, check: listCheck }
}

/** Keyset paging without a count, the docs' pattern for big tables: `>id`, order by id, `start: -1`. */
export function listKeyset(hookPath: string, items: number): Workload {
  const next = random(5)
  const requests = Array.from({ length: BODIES / 4 }, () => {
    const body = { entityTypeId: LEAD, filter: { '>id': next(items - 50) }, order: { id: 'ASC' }, start: -1 }
    return { method: 'POST' as const, path: `${hookPath}crm.item.list`, body: JSON.stringify(body) }
  })
  return { name: `crm.item.list start=-1 (${count(items)} leads)`, requests, check: listCheck }
}

/** Temporary end-to-end check of the harness with methods that exist from the start. */
export function smoke(hookPath: string): Workload[] {
  return [
    { name: 'smoke: server.time', requests: [{ method: 'GET', path: `${hookPath}server.time` }] },
    {
      name: 'smoke: user.get',
      requests: [{ method: 'POST', path: `${hookPath}user.get`, body: JSON.stringify({ ID: 1 }) }],
    },
  ]
}

/** The bare Node baseline gets the crm.item.update bodies, so both read the same bytes. */
export function bareNode(items: number): Workload {
  return {
    name: 'bare node:http, 2 KB JSON answer',
    requests: itemUpdate('/', items).requests.map((r) => ({ ...r, path: '/' })),
  }
}

/** json-server's PATCH of the same fields on a random record. */
export function jsonServerPatch(records: number): Workload {
  const next = random(6)
  const requests = Array.from({ length: BODIES }, (_, k) => {
    const id = 1 + next(records)
    const f = leadFields(next, id, k)
    const patch = {
      TITLE: f['title'],
      STAGE_ID: DEAL_STAGES[next(DEAL_STAGES.length)],
      ASSIGNED_BY_ID: String(f['assignedById']),
      OBSERVERS: (f['observers'] as number[]).map(String),
      OPENED: f['opened'],
      OPPORTUNITY: `${String(f['opportunity'])}.00`,
      CURRENCY_ID: f['currencyId'],
      COMMENTS: f['comments'],
      IS_MANUAL_OPPORTUNITY: 'N',
      UTM_SOURCE: 'google',
      UF_CRM_1721244707107: '200.05',
    }
    return { method: 'PATCH' as const, path: `/deals/${id}`, body: JSON.stringify(patch) }
  })
  return {
    name: `json-server PATCH (${count(records)} records)`,
    requests,
    minSeconds: records > 1000 ? 10 : 0,
    check: (status) => (status === 200 ? undefined : 'not 200'),
  }
}

function listCheck(status: number, body: unknown): string | undefined {
  const items = (body as { result?: { items?: unknown[] } }).result?.items
  return okEnvelope(status, body) ?? (items !== undefined && items.length > 0 ? undefined : 'no items')
}

function itemIdOf(body: unknown): number | undefined {
  return (body as { result?: { item?: { id?: number } } }).result?.item?.id
}

/** PHP's http_build_query: nested keys as `a[b][0]=…`, RFC 3986 encoding. */
export function phpQuery(value: Record<string, unknown>, prefix = ''): string {
  const parts: string[] = []
  for (const [key, v] of Object.entries(value)) {
    const name = prefix === '' ? key : `${prefix}[${key}]`
    if (v !== null && typeof v === 'object') parts.push(phpQuery(v as Record<string, unknown>, name))
    else parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(v ?? ''))}`)
  }
  return parts.filter((p) => p !== '').join('&')
}

export function count(n: number): string {
  return n >= 1_000_000 && n % 1_000_000 === 0
    ? `${n / 1_000_000}M`
    : n >= 1000 && n % 1000 === 0
      ? `${n / 1000}k`
      : String(n)
}
