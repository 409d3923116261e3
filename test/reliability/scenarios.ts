/**
 * The reliability scenarios of DESIGN.md "Reliability and security", each a function taking its sizes, so
 * the quick forms (test/reliability/*.test.ts) and the long forms (scripts/reliability.ts,
 * `npm run reliability`) run the same code with different numbers. A scenario does not assert: it returns
 * its figures and a list of violations (empty = the guarantee held), and the caller decides.
 */
import net from 'node:net'
import {
  adminCall,
  callMethod,
  callOk,
  createDataPlace,
  HOOK_PATH,
  httpRequest,
  isNetworkError,
  listAllItems,
  parseJson,
  pick,
  queryPlace,
  randomInt,
  rng,
  sampleRss,
  sleep,
  sqliteIntegrity,
  startServer,
  utf8Target,
  type DataPlace,
  type ServerProcess,
  type StoreKind,
} from './helpers.js'
import { leaksSql, randomRequest } from './fuzz-cases.js'

/** Violations are capped: one broken guarantee can repeat thousands of times. */
const MAX_VIOLATIONS = 50

class Violations {
  readonly list: string[] = []
  count = 0
  add(message: string): void {
    this.count += 1
    if (this.list.length < MAX_VIOLATIONS) this.list.push(message)
  }
}

// ---------------------------------------------------------------------------------------------------------
// Outbox

type OutboxKey = `${'added' | 'updated'}:${number}:${number}`

/** Outbox rows of the item topics, counted per (topic, entityTypeId, id); every payload must parse. */
export async function outboxCounts(
  place: DataPlace,
  violations?: Violations,
): Promise<{ counts: Map<OutboxKey, number>; rows: number }> {
  const rows = await queryPlace<{ topic: string; payload: string }>(
    place,
    "select topic, payload from outbox where topic in ('crm.item.added', 'crm.item.updated')",
  )
  const counts = new Map<OutboxKey, number>()
  for (const row of rows) {
    let payload: { entityTypeId?: unknown; id?: unknown; changedFields?: unknown }
    try {
      payload = JSON.parse(row.payload) as typeof payload
    } catch {
      violations?.add(`outbox payload is not JSON: ${row.payload.slice(0, 200)}`)
      continue
    }
    const topic = row.topic === 'crm.item.added' ? 'added' : 'updated'
    if (
      topic === 'updated' &&
      (!Array.isArray(payload.changedFields) || payload.changedFields.length === 0)
    ) {
      violations?.add(`outbox update row without changedFields: ${row.payload.slice(0, 200)}`)
    }
    const key: OutboxKey = `${topic}:${Number(payload.entityTypeId)}:${Number(payload.id)}`
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return { counts, rows: rows.length }
}

// ---------------------------------------------------------------------------------------------------------
// 1. kill -9 under a write load

/** Deals: what the crash load writes. */
const CRASH_ENTITY_TYPE = 2
const CRASH_FIELDS = [
  'title',
  'comments',
  'sourceDescription',
  'additionalInfo',
  'utmSource',
  'opportunity',
] as const
type CrashField = (typeof CRASH_FIELDS)[number]
type Values = Partial<Record<CrashField, string | number>>

interface TrackedItem {
  id: number
  worker: number
  /** the values the store must hold: acknowledged, or found committed after a kill */
  values: Values
  /** an update sent whose answer never came (the kill cut it): it may or may not have committed */
  pending: Values | undefined
  /** committed updates: acknowledged ones plus unacknowledged ones found committed */
  updates: number
}

export interface CrashOptions {
  kind: StoreKind
  /** how many times the server is killed */
  cycles: number
  /** concurrent clients writing */
  workers: number
  /**
   * Server processes on the same database (PostgreSQL only; default 1). Clients are spread over them, and
   * each cycle kills one of them while the others keep serving.
   */
  processes?: number
  /** the kill comes at a random moment this many ms into each cycle's load */
  loadMs: readonly [number, number]
  seed: number
  log?: (line: string) => void
  /** runs between a kill and the restart; the checker's own test uses it to damage the data on purpose */
  afterKill?: (place: DataPlace, cycle: number) => Promise<void>
}

export interface CrashReport {
  kind: StoreKind
  processes: number
  cycles: number
  ackedAdds: number
  ackedUpdates: number
  /** requests cut by the kill, and how many of them turned out committed (allowed either way) */
  inFlightAtKill: number
  unackedCommitted: number
  items: number
  outboxRows: number
  integrity: string[]
  maxRestartMs: number
  durationMs: number
  violations: string[]
  violationCount: number
}

/**
 * crm.item.add and crm.item.update from `workers` clients against the real server process, SIGKILL at a
 * random moment, restart on the same data; then every acknowledged write must be there with its value, an
 * unacknowledged one entirely there or entirely absent (an update touching several fields is atomic), the
 * SQLite file must pass `pragma integrity_check`, and the outbox must hold exactly one row per committed add
 * and per committed update — none lost, none invented.
 *
 * Each client owns its items (adds them, then updates them), so an item's writes are sequential and its
 * expected state is exact; the concurrency scenarios cover clients sharing items.
 */
export async function crashScenario(options: CrashOptions): Promise<CrashReport> {
  const started = Date.now()
  const log = options.log ?? (() => undefined)
  const random = rng(options.seed)
  const violations = new Violations()
  const place = await createDataPlace(options.kind)
  const items = new Map<number, TrackedItem>()
  const owned: TrackedItem[][] = Array.from({ length: options.workers }, () => [])
  /** adds sent and not answered, by their unique title */
  const pendingAdds = new Map<string, { worker: number; values: Values }>()
  const report: CrashReport = {
    kind: options.kind,
    processes: options.processes ?? 1,
    cycles: 0,
    ackedAdds: 0,
    ackedUpdates: 0,
    inFlightAtKill: 0,
    unackedCommitted: 0,
    items: 0,
    outboxRows: 0,
    integrity: [],
    maxRestartMs: 0,
    durationMs: 0,
    violations: violations.list,
    violationCount: 0,
  }
  let sequence = 0
  const nextValues = (fields: readonly CrashField[]): Values => {
    const values: Values = {}
    for (const field of fields) {
      sequence += 1
      values[field] = field === 'opportunity' ? sequence : `v${sequence}-${field}`
    }
    return values
  }

  const processes = options.processes ?? 1
  if (processes > 1 && options.kind !== 'postgres') throw new Error('several processes share PostgreSQL only')
  const servers: (ServerProcess | undefined)[] = []
  try {
    for (let p = 0; p < processes; p += 1) servers.push(await startServer({ place }))
    for (let cycle = 1; cycle <= options.cycles; cycle += 1) {
      const running = servers.map((server) => {
        if (server === undefined) throw new Error('server missing')
        return server
      })
      // With several processes one of them dies each cycle, in turn; the others keep serving meanwhile.
      const victimIndex = cycle % processes
      const victim = running[victimIndex] as ServerProcess
      let killing = false
      let stopping = false
      const worker = async (w: number, workerRandom: () => number): Promise<void> => {
        const current = running[w % processes] as ServerProcess
        for (;;) {
          if (stopping) return
          const mine = owned[w] ?? []
          const add = mine.length < 3 || workerRandom() < 0.25
          const item = add ? undefined : pick(workerRandom, mine)
          const fields = add
            ? CRASH_FIELDS
            : CRASH_FIELDS.filter(() => workerRandom() < 0.4).concat(pick(workerRandom, CRASH_FIELDS))
          const values = nextValues([...new Set(fields)])
          if (add) pendingAdds.set(String(values.title), { worker: w, values })
          else if (item !== undefined) item.pending = values
          let answer
          try {
            answer = await callMethod(
              current,
              add ? 'crm.item.add' : 'crm.item.update',
              add
                ? { entityTypeId: CRASH_ENTITY_TYPE, fields: values }
                : { entityTypeId: CRASH_ENTITY_TYPE, id: item?.id, fields: values },
            )
          } catch (error) {
            if (killing && current === victim && isNetworkError(error)) {
              report.inFlightAtKill += 1
              return
            }
            violations.add(`cycle ${cycle}: request failed while the server was up: ${String(error)}`)
            return
          }
          if (answer.status !== 200) {
            violations.add(
              `cycle ${cycle}: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`,
            )
            if (add) pendingAdds.delete(String(values.title))
            else if (item !== undefined) item.pending = undefined
            continue
          }
          const returned = (answer.body['result'] as { item: Record<string, unknown> }).item
          for (const [field, value] of Object.entries(values)) {
            if (!sameValue(returned[field], value)) {
              violations.add(
                `cycle ${cycle}: answer shows ${field}=${String(returned[field])}, sent ${String(value)}`,
              )
            }
          }
          if (add) {
            pendingAdds.delete(String(values.title))
            const tracked: TrackedItem = {
              id: Number(returned['id']),
              worker: w,
              values,
              pending: undefined,
              updates: 0,
            }
            if (items.has(tracked.id)) violations.add(`cycle ${cycle}: id ${tracked.id} handed out twice`)
            items.set(tracked.id, tracked)
            mine.push(tracked)
            report.ackedAdds += 1
          } else if (item !== undefined) {
            Object.assign(item.values, values)
            item.pending = undefined
            item.updates += 1
            report.ackedUpdates += 1
          }
        }
      }
      const workers = Array.from({ length: options.workers }, (_, w) =>
        worker(w, rng(options.seed * 31 + cycle * 1000 + w)),
      )
      await sleep(randomInt(random, options.loadMs[0], options.loadMs[1]))
      killing = true
      await victim.kill9()
      servers[victimIndex] = undefined
      stopping = true
      await Promise.all(workers)
      report.cycles = cycle

      if (options.kind === 'sqlite') {
        const integrity = sqliteIntegrity(place.sqliteFile)
        report.integrity.push(integrity)
        if (integrity !== 'ok') violations.add(`cycle ${cycle}: integrity_check: ${integrity}`)
      }
      await options.afterKill?.(place, cycle)
      const restarted = await startServer({ place })
      servers[victimIndex] = restarted
      report.maxRestartMs = Math.max(report.maxRestartMs, restarted.startMs)
      await verifyCrashState(restarted, cycle, items, owned, pendingAdds, violations, report)
      log(
        `  ${options.kind}${processes > 1 ? ` (${processes} processes)` : ''} cycle ${cycle}: ` +
          `${report.ackedAdds} adds, ${report.ackedUpdates} updates acknowledged; ${report.inFlightAtKill} cut by ` +
          `kills (${report.unackedCommitted} of them committed); restart ${restarted.startMs} ms`,
      )
    }
    for (const [p, server] of servers.entries()) {
      await server?.stop()
      servers[p] = undefined
    }
    if (options.kind === 'sqlite') {
      const integrity = sqliteIntegrity(place.sqliteFile)
      if (integrity !== 'ok') violations.add(`after a clean stop: integrity_check: ${integrity}`)
    }
    const { counts, rows } = await outboxCounts(place, violations)
    report.outboxRows = rows
    for (const item of items.values()) {
      const added = counts.get(`added:${CRASH_ENTITY_TYPE}:${item.id}`) ?? 0
      const updated = counts.get(`updated:${CRASH_ENTITY_TYPE}:${item.id}`) ?? 0
      if (added !== 1) violations.add(`item ${item.id}: ${added} crm.item.added outbox rows, expected 1`)
      if (updated !== item.updates) {
        violations.add(
          `item ${item.id}: ${updated} crm.item.updated outbox rows, ${item.updates} updates committed`,
        )
      }
    }
    for (const key of counts.keys()) {
      const id = Number(key.split(':')[2])
      if (!items.has(id)) violations.add(`outbox row ${key} for an item that does not exist`)
    }
    report.items = items.size
  } finally {
    for (const server of servers) await server?.kill9()
    await place.dispose()
  }
  report.durationMs = Date.now() - started
  report.violationCount = violations.count
  return report
}

async function verifyCrashState(
  server: ServerProcess,
  cycle: number,
  items: Map<number, TrackedItem>,
  owned: TrackedItem[][],
  pendingAdds: Map<string, { worker: number; values: Values }>,
  violations: Violations,
  report: CrashReport,
): Promise<void> {
  const rows = await listAllItems(server, CRASH_ENTITY_TYPE, CRASH_FIELDS)
  const byId = new Map(rows.map((row) => [Number(row['id']), row]))
  for (const item of items.values()) {
    const row = byId.get(item.id)
    if (row === undefined) {
      violations.add(`cycle ${cycle}: acknowledged item ${item.id} is gone`)
      continue
    }
    const holds = (values: Values): boolean =>
      Object.entries(values).every(([field, value]) => sameValue(row[field], value))
    if (holds(item.values)) {
      item.pending = undefined // the cut update did not commit: allowed, it was never acknowledged
    } else if (item.pending !== undefined && holds({ ...item.values, ...item.pending })) {
      Object.assign(item.values, item.pending)
      item.pending = undefined
      item.updates += 1
      report.unackedCommitted += 1
    } else {
      const expected = { ...item.values }
      const got = Object.fromEntries(CRASH_FIELDS.map((field) => [field, row[field]]))
      violations.add(
        `cycle ${cycle}: item ${item.id} holds ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}` +
          (item.pending === undefined ? '' : ` or with the cut update ${JSON.stringify(item.pending)}`),
      )
      item.pending = undefined
    }
    byId.delete(item.id)
  }
  // Rows nobody acknowledged: an add cut by the kill that had committed — all its values, or a violation.
  for (const [id, row] of byId) {
    const pending = pendingAdds.get(String(row['title']))
    if (pending === undefined) {
      violations.add(`cycle ${cycle}: item ${id} exists but was never added: ${JSON.stringify(row)}`)
      continue
    }
    if (!Object.entries(pending.values).every(([field, value]) => sameValue(row[field], value))) {
      violations.add(`cycle ${cycle}: cut add of item ${id} committed partially: ${JSON.stringify(row)}`)
    }
    const tracked: TrackedItem = {
      id,
      worker: pending.worker,
      values: pending.values,
      pending: undefined,
      updates: 0,
    }
    items.set(id, tracked)
    owned[pending.worker]?.push(tracked)
    report.unackedCommitted += 1
  }
  pendingAdds.clear()
}

function sameValue(actual: unknown, expected: string | number): boolean {
  return typeof expected === 'number' ? Number(actual) === expected : actual === expected
}

// ---------------------------------------------------------------------------------------------------------
// 2. Concurrent partial updates of the same items

/** Lead fields that take any string: one writer per (item, field). `opportunity` is the number among them. */
export const LEAD_FREE_FIELDS = [
  'title',
  'name',
  'lastName',
  'secondName',
  'companyTitle',
  'post',
  'comments',
  'statusDescription',
  'sourceDescription',
  'originatorId',
  'originId',
  'utmSource',
  'utmMedium',
  'utmCampaign',
  'utmContent',
  'utmTerm',
  'opportunity',
] as const
const LEAD = 1

export interface ConcurrencyOptions {
  /** one or more server processes on the same store; client c talks to servers[c % servers.length] */
  servers: readonly ServerProcess[]
  place: DataPlace
  clients: number
  items: number
  /** how many times each client writes each of its (item, field) pairs */
  rounds: number
  /**
   * String custom fields to add to leads (crm.lead.userfield.add) and write concurrently too. Their values
   * share one stored document per item, so a read-modify-write that is not serialised loses them. Skipped
   * when the server has no such method.
   */
  customFields?: number
  seed: number
}

export interface ConcurrencyReport {
  clients: number
  items: number
  writersPerItem: number
  customFields: number
  updates: number
  durationMs: number
  updatesPerSecond: number
  violations: string[]
  violationCount: number
}

/**
 * `clients` clients update the same leads at once, each client its own fields: lead i's field f belongs to
 * client (i·F + f) mod clients, so every lead has F concurrent writers on F different fields (system fields
 * and custom fields) and every client writes several leads. A lost update (a read-modify-write that
 * overwrote another client's field) shows as a field that does not hold its client's last acknowledged
 * value. The outbox must hold one row per update.
 */
export async function concurrentUpdates(options: ConcurrencyOptions): Promise<ConcurrencyReport> {
  const violations = new Violations()
  const { servers, clients } = options
  const first = servers[0]
  if (first === undefined) throw new Error('no server')
  const customFields = await addLeadCustomFields(first, options.customFields ?? 10)
  const fieldNames: readonly string[] = [...LEAD_FREE_FIELDS, ...customFields]
  const fieldCount = Math.min(fieldNames.length, clients)
  const ids: number[] = []
  for (let i = 0; i < options.items; i += 1) {
    const fields: Record<string, unknown> = {}
    for (const field of fieldNames) fields[field] = field === 'opportunity' ? 1 : `init-${field}`
    const result = await callOk<{ item: { id: number } }>(first, 'crm.item.add', {
      entityTypeId: LEAD,
      fields,
      useOriginalUfNames: 'Y',
    })
    ids.push(result.item.id)
  }
  const tasks: { itemIndex: number; field: string }[][] = Array.from({ length: clients }, () => [])
  for (let i = 0; i < options.items; i += 1) {
    for (let f = 0; f < fieldCount; f += 1) {
      tasks[(i * fieldCount + f) % clients]?.push({ itemIndex: i, field: fieldNames[f] as string })
    }
  }
  const last = new Map<string, string | number>()
  const updatesPerItem = new Map<number, number>()
  let updates = 0
  const started = Date.now()
  await Promise.all(
    tasks.map(async (mine, c) => {
      const server = servers[c % servers.length] as ServerProcess
      const random = rng(options.seed + c)
      for (let round = 0; round < options.rounds; round += 1) {
        const order = [...mine].sort(() => random() - 0.5)
        for (const { itemIndex, field } of order) {
          const id = ids[itemIndex] as number
          const value = field === 'opportunity' ? 1000 * (c + 1) + round + 2 : `c${c}-r${round}-${field}`
          let answer
          try {
            answer = await callMethod(server, 'crm.item.update', {
              entityTypeId: LEAD,
              id,
              fields: { [field]: value },
              useOriginalUfNames: 'Y',
            })
          } catch (error) {
            violations.add(`client ${c}: ${String(error)}`)
            return
          }
          if (answer.status !== 200) {
            violations.add(
              `client ${c}: lead ${id} ${field}: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`,
            )
            continue
          }
          const item = (answer.body['result'] as { item: Record<string, unknown> }).item
          if (!sameValue(item[field], value)) {
            violations.add(
              `client ${c}: lead ${id} answer shows ${field}=${String(item[field])}, sent ${String(value)}`,
            )
          }
          last.set(`${id}:${field}`, value)
          updatesPerItem.set(id, (updatesPerItem.get(id) ?? 0) + 1)
          updates += 1
        }
      }
    }),
  )
  const durationMs = Date.now() - started
  const rows = new Map<number, Record<string, unknown>>()
  for (const id of ids) {
    const result = await callOk<{ item: Record<string, unknown> }>(first, 'crm.item.get', {
      entityTypeId: LEAD,
      id,
      useOriginalUfNames: 'Y',
    })
    rows.set(id, result.item)
  }
  for (const [key, value] of last) {
    const [id, field] = key.split(':') as [string, string]
    const actual = rows.get(Number(id))?.[field]
    if (!sameValue(actual, value)) {
      violations.add(
        `lead ${id}: ${field} = ${String(actual)}, the last acknowledged write was ${String(value)} (lost update)`,
      )
    }
  }
  const { counts } = await outboxCounts(options.place, violations)
  for (const id of ids) {
    const expected = updatesPerItem.get(id) ?? 0
    const actual = counts.get(`updated:${LEAD}:${id}`) ?? 0
    if (actual !== expected)
      violations.add(`lead ${id}: ${actual} crm.item.updated outbox rows for ${expected} updates`)
    const added = counts.get(`added:${LEAD}:${id}`) ?? 0
    if (added !== 1) violations.add(`lead ${id}: ${added} crm.item.added outbox rows`)
  }
  return {
    clients,
    items: options.items,
    writersPerItem: fieldCount,
    customFields: customFields.length,
    updates,
    durationMs,
    updatesPerSecond: Math.round((updates * 1000) / Math.max(1, durationMs)),
    violations: violations.list,
    violationCount: violations.count,
  }
}

/**
 * Adds `count` string custom fields to leads (crm.lead.userfield.add, FIELD_NAME REL{n}) unless they exist
 * already, and returns their UPPER names (UF_CRM_REL{n}, written with useOriginalUfNames=Y). Returns none
 * when the server does not have the method.
 */
async function addLeadCustomFields(server: ServerProcess, count: number): Promise<string[]> {
  const names: string[] = []
  for (let n = 0; n < count; n += 1) {
    const answer = await callMethod(server, 'crm.lead.userfield.add', {
      fields: { FIELD_NAME: `REL${n}`, USER_TYPE_ID: 'string', EDIT_FORM_LABEL: `Reliability ${n}` },
    })
    if (answer.status === 404 && answer.body['error'] === 'ERROR_METHOD_NOT_FOUND') return []
    const exists = JSON.stringify(answer.body).includes('UF_CRM_REL')
    if (answer.status !== 200 && !exists) {
      throw new Error(
        `crm.lead.userfield.add: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`,
      )
    }
    names.push(`UF_CRM_REL${n}`)
  }
  return names
}

export interface AddsReport {
  adds: number
  distinctIds: number
  durationMs: number
  violations: string[]
  violationCount: number
}

/**
 * `clients` clients each add `perClient` contacts at once, through every server given: the ids handed out
 * must be distinct, every added contact listed, and the outbox must hold exactly one added row for each.
 */
export async function concurrentAdds(options: {
  servers: readonly ServerProcess[]
  place: DataPlace
  clients: number
  perClient: number
}): Promise<AddsReport> {
  const violations = new Violations()
  const CONTACT = 3
  const ids: number[] = []
  const started = Date.now()
  await Promise.all(
    Array.from({ length: options.clients }, async (_, c) => {
      const server = options.servers[c % options.servers.length] as ServerProcess
      for (let n = 0; n < options.perClient; n += 1) {
        const name = `adder ${c}-${n}`
        let answer
        try {
          answer = await callMethod(server, 'crm.item.add', {
            entityTypeId: CONTACT,
            fields: { name, lastName: 'Concurrent' },
          })
        } catch (error) {
          violations.add(`client ${c}: ${String(error)}`)
          return
        }
        if (answer.status !== 200) {
          violations.add(`client ${c}: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`)
          continue
        }
        ids.push(Number((answer.body['result'] as { item: { id: number } }).item.id))
      }
    }),
  )
  const durationMs = Date.now() - started
  const distinct = new Set(ids)
  if (distinct.size !== ids.length) {
    const seen = new Set<number>()
    const duplicates = ids.filter((id) => (seen.has(id) ? true : (seen.add(id), false)))
    violations.add(`duplicate ids handed out: ${duplicates.slice(0, 20).join(', ')}`)
  }
  const listed = new Set(
    (await listAllItems(options.servers[0] as ServerProcess, CONTACT, ['name'])).map((row) =>
      Number(row['id']),
    ),
  )
  for (const id of distinct)
    if (!listed.has(id)) violations.add(`contact ${id} was acknowledged but is not listed`)
  const { counts } = await outboxCounts(options.place, violations)
  for (const id of distinct) {
    const added = counts.get(`added:${CONTACT}:${id}`) ?? 0
    if (added !== 1) violations.add(`contact ${id}: ${added} crm.item.added outbox rows, expected 1`)
  }
  return {
    adds: ids.length,
    distinctIds: distinct.size,
    durationMs,
    violations: violations.list,
    violationCount: violations.count,
  }
}

// ---------------------------------------------------------------------------------------------------------
// 3. The shared request-rate limit

export interface RateLimitReport {
  burst: number
  perSecond: number
  sent: number
  passed: number
  refused: number
  /** the bounds the leaky bucket allows for what passed */
  expectedMin: number
  expectedMax: number
  durationMs: number
  violations: string[]
  violationCount: number
}

/**
 * Turns the portal's request-rate limit on through the admin API of the first server, then sends `requests`
 * calls at once, spread over every server. The bucket lives in the store, so all processes together pass
 * what one bucket allows: at least `burst` (it starts empty), at most `burst + elapsed × perSecond`. Then,
 * after a pause, a second wave must find the slots the bucket drained in between, and no more. The limit is
 * switched off again at the end.
 */
export async function sharedRateLimit(options: {
  servers: readonly ServerProcess[]
  burst: number
  perSecond: number
  requests: number
  pauseMs: number
}): Promise<RateLimitReport> {
  const violations = new Violations()
  const first = options.servers[0] as ServerProcess
  const settings = await adminCall(first, 'PATCH', '/portals/1/settings', {
    limits: { queryLimit: { burst: options.burst, perSecond: options.perSecond } },
  })
  if (settings.status !== 200)
    throw new Error(`settings: HTTP ${settings.status} ${JSON.stringify(settings.body)}`)
  const wave = async (
    count: number,
  ): Promise<{ passed: number; refused: number; start: number; end: number }> => {
    const start = Date.now()
    const answers = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        callMethod(options.servers[i % options.servers.length] as ServerProcess, 'server.time'),
      ),
    )
    const end = Date.now()
    let passed = 0
    let refused = 0
    for (const answer of answers) {
      if (answer.status === 200) passed += 1
      else if (answer.status === 503 && answer.body['error'] === 'QUERY_LIMIT_EXCEEDED') refused += 1
      else
        violations.add(
          `unexpected answer under the limit: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`,
        )
    }
    return { passed, refused, start, end }
  }
  try {
    const one = await wave(options.requests)
    await sleep(options.pauseMs)
    const secondCount = Math.max(10, Math.ceil((options.pauseMs / 1000) * options.perSecond * 3))
    const two = await wave(secondCount)
    const rate = options.perSecond / 1000
    // Wave one: the bucket starts empty, so `burst` pass at least; the drain while it runs adds the rest.
    const oneMin = Math.min(options.requests, options.burst)
    const oneMax = Math.floor(options.burst + (one.end - one.start) * rate + 1e-9)
    if (one.passed < oneMin || one.passed > oneMax) {
      violations.add(
        `first wave: ${one.passed} of ${options.requests} passed, the bucket allows ${oneMin}–${oneMax}`,
      )
    }
    // Both waves together never exceed burst + everything drained from the first send to the last answer;
    // the second wave gets at least what drained between the waves.
    const totalMax = Math.floor(options.burst + (two.end - one.start) * rate + 1e-9)
    const twoMin = Math.min(secondCount, Math.floor((two.start - one.end) * rate))
    if (one.passed + two.passed > totalMax) {
      violations.add(`both waves: ${one.passed + two.passed} passed, the bucket allows at most ${totalMax}`)
    }
    if (two.passed < twoMin)
      violations.add(`second wave: ${two.passed} passed, at least ${twoMin} slots had drained`)
    return {
      burst: options.burst,
      perSecond: options.perSecond,
      sent: options.requests + secondCount,
      passed: one.passed + two.passed,
      refused: one.refused + two.refused,
      expectedMin: oneMin + twoMin,
      expectedMax: totalMax,
      durationMs: two.end - one.start,
      violations: violations.list,
      violationCount: violations.count,
    }
  } finally {
    await adminCall(first, 'PATCH', '/portals/1/settings', { limits: { queryLimit: 'off' } })
  }
}

// ---------------------------------------------------------------------------------------------------------
// 4. The fuzzer over HTTP, and clients that misbehave at the socket level

export interface FuzzHttpReport {
  requests: number
  statuses: Record<string, number>
  serverErrors: number
  networkErrors: number
  maxRssMb: number
  lastRssMb: number
  durationMs: number
  requestsPerSecond: number
  alive: boolean
  violations: string[]
  violationCount: number
}

/**
 * `count` fuzzed requests (fuzz-cases.ts) sent to the real server process over sockets, `concurrency` at a
 * time, its RSS sampled all along. Every answer must be a JSON object with `result` or `error` and a status
 * under 500, nothing may mention SQL, and the process must be alive at the end. A few requests carry raw
 * non-UTF-8 bytes in the request target itself, which only a real socket can send.
 */
export async function fuzzOverHttp(options: {
  server: ServerProcess
  count: number
  concurrency: number
  seed: number
  bodyLimit: number
  maxRssMb: number
  log?: (line: string) => void
}): Promise<FuzzHttpReport> {
  const violations = new Violations()
  const { server } = options
  const random = rng(options.seed)
  const statuses: Record<string, number> = {}
  let serverErrors = 0
  let networkErrors = 0
  let sent = 0
  const rss = sampleRss(server)
  const started = Date.now()
  const worker = async (): Promise<void> => {
    while (sent < options.count && server.alive()) {
      const index = sent
      sent += 1
      const request = randomRequest(random, { webhookCode: 'reliabilityhook', bodyLimit: options.bodyLimit })
      // Raw non-UTF-8 bytes in the request line, which only a socket can send. The HTTP parser refuses the
      // line and the server closes the connection after its answer; it must say so (`Connection: close`),
      // or the pooled connection is reused and the next request on it fails.
      const raw = random() < 0.02
      const target = raw
        ? `${HOOK_PATH}crm.item.list?filter[title]=${utf8Target('é')}\xff\xfe\xc3(&select[]=\xed\xa0\x80`
        : request.url
      const context = `case ${index} (seed ${options.seed}, ${raw ? 'raw-target' : request.kind}): ${request.method} ${target.slice(0, 200)}`
      let answer
      try {
        answer = await httpRequest(server, {
          method: request.method,
          target,
          headers: request.contentType === undefined ? {} : { 'content-type': request.contentType },
          ...(request.payload === undefined ? {} : { body: request.payload }),
          timeoutMs: 60_000,
        })
      } catch (error) {
        // A body over the limit may be answered 413 and the connection closed before all of it was sent.
        if (request.kind === 'over-limit' && isNetworkError(error)) {
          statuses['413/closed'] = (statuses['413/closed'] ?? 0) + 1
          continue
        }
        networkErrors += 1
        violations.add(`${context}: ${String(error)}`)
        continue
      }
      statuses[String(answer.status)] = (statuses[String(answer.status)] ?? 0) + 1
      if (answer.status >= 500) {
        serverErrors += 1
        violations.add(`${context}: HTTP ${answer.status} ${answer.body.toString('utf8').slice(0, 300)}`)
        continue
      }
      let body: Record<string, unknown>
      try {
        body = parseJson(answer.body, context)
      } catch (error) {
        violations.add(String(error))
        continue
      }
      const problem = answerShapeProblem(body)
      if (problem !== undefined)
        violations.add(`${context}: ${problem}: ${answer.body.toString('utf8').slice(0, 300)}`)
      if (leaksSql(answer.body.toString('utf8'))) {
        violations.add(`${context}: the answer mentions SQL: ${answer.body.toString('utf8').slice(0, 300)}`)
      }
      if (index > 0 && index % 10_000 === 0) {
        options.log?.(
          `  fuzz ${index}/${options.count}: RSS ${mb(server.rssBytes() ?? 0)} MB, ${serverErrors} 500s`,
        )
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, () => worker()))
  const durationMs = Date.now() - started
  const memory = rss.stop()
  const alive = server.alive()
  if (!alive) violations.add(`the server died: ${server.output().slice(-2000)}`)
  if (mb(memory.maxBytes) >= options.maxRssMb) {
    violations.add(`RSS reached ${mb(memory.maxBytes)} MB (limit ${options.maxRssMb} MB)`)
  }
  return {
    requests: sent,
    statuses,
    serverErrors,
    networkErrors,
    maxRssMb: mb(memory.maxBytes),
    lastRssMb: mb(memory.lastBytes),
    durationMs,
    requestsPerSecond: Math.round((sent * 1000) / Math.max(1, durationMs)),
    alive,
    violations: violations.list,
    violationCount: violations.count,
  }
}

/**
 * What is wrong with an answer's shape, if anything: `result`, or a Bitrix error — `error` with an
 * `error_description` (REST v1/v2), or the `{code, message}` object of REST v3.
 */
export function answerShapeProblem(body: Record<string, unknown>): string | undefined {
  if ('result' in body) return undefined
  const error = body['error']
  if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string')
    return undefined
  if (
    (typeof error === 'string' || typeof error === 'number') &&
    typeof body['error_description'] === 'string'
  )
    return undefined
  return 'neither result nor a Bitrix error (error + error_description)'
}

function mb(bytes: number): number {
  return Math.round(bytes / (1024 * 1024))
}

export interface SlowClientsReport {
  slowConnections: number
  abortedBodies: number
  /** normal calls answered while the slow connections were held open */
  servedMeanwhile: number
  /** the slowest of those calls */
  maxLatencyMs: number
  /** how long the server kept the trickling-header and trickling-body connections (undefined: not waited for) */
  headerDropMs: number | undefined
  bodyDropMs: number | undefined
  rssBeforeMb: number
  rssAfterMb: number
  alive: boolean
  violations: string[]
  violationCount: number
}

/**
 * Socket-level abuse: `slowConnections` slowloris connections (half of them trickle header lines, half
 * send full headers and trickle the body), held for `holdMs` while normal calls must still be answered
 * promptly; `abortedBodies` clients that announce a body and hang up in the middle of it (and some that
 * hang up after sending a whole write, before the answer). The server must stay up, keep answering, and give
 * the memory back. With `waitForDropMs` the scenario also measures how long the server lets a trickling
 * connection live (Node's headersTimeout / requestTimeout), waiting at most that long.
 */
export async function slowClients(options: {
  server: ServerProcess
  slowConnections: number
  holdMs: number
  abortedBodies: number
  waitForDropMs?: number
}): Promise<SlowClientsReport> {
  const violations = new Violations()
  const { server } = options
  const rssBefore = server.rssBytes() ?? 0
  const sockets: {
    socket: net.Socket
    closedAt: number | undefined
    openedAt: number
    kind: 'header' | 'body'
  }[] = []
  const timers: NodeJS.Timeout[] = []
  for (let i = 0; i < options.slowConnections; i += 1) {
    const kind = i % 2 === 0 ? 'header' : 'body'
    const socket = net.connect(server.port, '127.0.0.1')
    const entry = { socket, closedAt: undefined as number | undefined, openedAt: Date.now(), kind } as const
    const tracked = { ...entry }
    socket.on('error', () => undefined)
    socket.on('close', () => (tracked.closedAt = Date.now()))
    socket.write(
      kind === 'header'
        ? `POST ${HOOK_PATH}crm.item.add HTTP/1.1\r\nHost: 127.0.0.1\r\n`
        : `POST ${HOOK_PATH}crm.item.add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"entityTypeId":2,`,
    )
    // One more byte-sized piece every second: each piece resets any idle timer, never completes the request.
    timers.push(
      setInterval(() => {
        if (!socket.destroyed) socket.write(kind === 'header' ? `X-Slow-${i}: 1\r\n` : ' ')
      }, 1000),
    )
    sockets.push(tracked)
  }
  let servedMeanwhile = 0
  let maxLatencyMs = 0
  const holdUntil = Date.now() + options.holdMs
  while (Date.now() < holdUntil) {
    const start = Date.now()
    try {
      const answer = await callMethod(server, 'crm.item.list', { entityTypeId: 2, select: ['id'] }, 10_000)
      if (answer.status === 200) servedMeanwhile += 1
      else violations.add(`a normal call under slowloris got HTTP ${answer.status}`)
    } catch (error) {
      violations.add(`a normal call under slowloris failed: ${String(error)}`)
    }
    maxLatencyMs = Math.max(maxLatencyMs, Date.now() - start)
    await sleep(100)
  }
  if (maxLatencyMs > 5000)
    violations.add(`a normal call took ${maxLatencyMs} ms while slow connections were open`)

  // Clients that hang up mid-body, and some that hang up right after a complete write.
  for (let i = 0; i < options.abortedBodies; i += 1) {
    await new Promise<void>((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1', () => {
        if (i % 4 === 3) {
          const body = JSON.stringify({ entityTypeId: 2, fields: { title: `hung up ${i}` } })
          socket.write(
            `POST ${HOOK_PATH}crm.item.add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
          )
        } else {
          socket.write(
            `POST ${HOOK_PATH}crm.item.add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${i % 2 === 0 ? 'application/json' : 'application/x-www-form-urlencoded'}\r\nContent-Length: ${1_000_000}\r\n\r\n`,
          )
          socket.write(
            i % 2 === 0
              ? `{"entityTypeId":2,"fields":{"title":"${'x'.repeat(50_000)}`
              : `entityTypeId=2&fields[title]=${'y'.repeat(50_000)}`,
          )
        }
        setImmediate(() => {
          socket.destroy()
          resolve()
        })
      })
      socket.on('error', () => resolve())
    })
  }
  const after = await callMethod(server, 'server.time', {}, 10_000).catch((error: unknown) => {
    violations.add(`the server does not answer after the aborted bodies: ${String(error)}`)
    return undefined
  })
  if (after !== undefined && after.status !== 200)
    violations.add(`server.time after aborted bodies: HTTP ${after.status}`)

  let headerDropMs: number | undefined
  let bodyDropMs: number | undefined
  if (options.waitForDropMs !== undefined) {
    const deadline = Date.now() + options.waitForDropMs
    while (Date.now() < deadline && sockets.some((s) => s.closedAt === undefined)) await sleep(500)
    const lifetimes = (kind: 'header' | 'body'): number | undefined => {
      const closed = sockets.filter((s) => s.kind === kind)
      if (closed.some((s) => s.closedAt === undefined)) return undefined
      return Math.max(...closed.map((s) => (s.closedAt ?? 0) - s.openedAt))
    }
    headerDropMs = lifetimes('header')
    bodyDropMs = lifetimes('body')
    if (headerDropMs === undefined)
      violations.add(`trickling-header connections still open after ${options.waitForDropMs} ms`)
    if (bodyDropMs === undefined)
      violations.add(`trickling-body connections still open after ${options.waitForDropMs} ms`)
  }
  for (const timer of timers) clearInterval(timer)
  for (const { socket } of sockets) socket.destroy()
  await sleep(500)
  const alive = server.alive()
  if (!alive) violations.add(`the server died: ${server.output().slice(-2000)}`)
  return {
    slowConnections: options.slowConnections,
    abortedBodies: options.abortedBodies,
    servedMeanwhile,
    maxLatencyMs,
    headerDropMs,
    bodyDropMs,
    rssBeforeMb: mb(rssBefore),
    rssAfterMb: mb(server.rssBytes() ?? 0),
    alive,
    violations: violations.list,
    violationCount: violations.count,
  }
}
