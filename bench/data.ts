/**
 * Benchmark data: a fresh data folder (SQLite) or a fresh database (PostgreSQL) per run.
 *
 * 1. The server starts once on it (migrations, default portal, bootstrap webhook) and gets users 2–10
 *    through the admin API and one template item per type through crm.item.add (a lead with two phones and
 *    observers; a deal with observers), so every stored column is what the server itself writes.
 * 2. With the server stopped, the bulk writers copy the template N times, varying title, stage, assignee,
 *    amount, dates and the custom-field values, with the template's observers and phones.
 *
 * Gap: custom fields do not exist yet (no user-field definitions). Their values are written straight into
 * crm_item.uf so rows and answers carry them, but the server ignores `ufCrm…` keys in update bodies.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import {
  postgresWriter,
  sqliteWriter,
  type BulkWriter,
  type ColumnType,
  type GeneratedItem,
  type Template,
} from './bulk-writers.js'
import { progress, step } from './progress.js'
import { ADMIN_TOKEN, startServer, type StartedServer } from './processes.js'

export const LEAD = 1
export const DEAL = 2
export const USERS = 10
export const LEAD_STAGES = ['NEW', 'IN_PROCESS', 'PROCESSED']
export const DEAL_STAGES = ['NEW', 'PREPARATION', 'PREPAYMENT_INVOICE', 'EXECUTING', 'FINAL_INVOICE']
const CHUNK = 20_000
const TEMPLATE_ID = 1

export const VARYING: Readonly<Record<string, ColumnType>> = {
  title: 'text',
  stage_id: 'text',
  stage_semantic_id: 'text',
  assigned_by_id: 'integer',
  opportunity: 'double precision',
  created_time: 'text',
  updated_time: 'text',
  moved_time: 'text',
  last_activity_time: 'text',
  uf: 'text',
}

export interface Dataset {
  readonly store: 'sqlite' | 'postgres'
  readonly dataDir: string
  readonly databaseUrl: string | undefined
  /** registered method names, from the `methods` answer */
  readonly methods: ReadonlySet<string>
  /** items per entity type */
  readonly counts: Map<number, number>
  readonly notes: string[]
  start(nodeArgs?: readonly string[]): Promise<StartedServer>
  /** Adds items of a type until there are `target` of them (the server must be stopped). */
  grow(entityTypeId: number, target: number): Promise<void>
  dispose(): Promise<void>
}

export async function createDataset(
  store: 'sqlite' | 'postgres',
  workDir: string,
  adminDatabaseUrl?: string,
): Promise<Dataset> {
  const dataDir = join(workDir, `data-${store}`)
  mkdirSync(dataDir, { recursive: true })
  const databaseUrl = store === 'postgres' ? await createDatabase(adminDatabaseUrl ?? '') : undefined
  const logFile = join(workDir, `server-${store}.log`)
  const start = (nodeArgs?: readonly string[]) => startServer({ dataDir, databaseUrl, logFile, nodeArgs })
  const counts = new Map<number, number>()
  const notes = [
    'custom fields do not exist yet: generated items carry values in crm_item.uf (not rendered without field definitions); update bodies carry a ufCrm_ key the server ignores',
  ]

  step(`preparing ${store} data (${store === 'sqlite' ? dataDir : databaseUrl})`)
  const server = await start()
  let methods: Set<string>
  try {
    for (let i = 2; i <= USERS; i++) await adminPost(server, '/_admin/portals/1/users', userOf(i))
    methods = new Set(await callOk<string[]>(server, 'methods', {}))
    if (methods.has('crm.item.add')) {
      counts.set(LEAD, await addTemplate(server, LEAD))
      counts.set(DEAL, await addTemplate(server, DEAL))
    } else {
      notes.push('crm.item.add is not registered: no items were generated')
    }
  } finally {
    await server.stop()
  }

  const writer = (): BulkWriter =>
    store === 'sqlite' ? sqliteWriter(join(dataDir, 'b24crm.sqlite')) : postgresWriter(databaseUrl ?? '')

  return {
    store,
    dataDir,
    databaseUrl,
    methods,
    counts,
    notes,
    start,
    async grow(entityTypeId, target) {
      const have = counts.get(entityTypeId)
      if (have === undefined || have >= target) return
      const started = performance.now()
      const w = writer()
      try {
        const template = await w.template(entityTypeId, TEMPLATE_ID)
        await fill(w, entityTypeId, template, have + 1, target)
      } finally {
        await w.close()
      }
      counts.set(entityTypeId, target)
      const seconds = ((performance.now() - started) / 1000).toFixed(1)
      notes.push(`${store}: generated ${typeName(entityTypeId)} ${have + 1}..${target} in ${seconds} s`)
    },
    async dispose() {
      if (databaseUrl !== undefined) await dropDatabase(adminDatabaseUrl ?? '', databaseUrl)
    },
  }
}

async function fill(w: BulkWriter, entityTypeId: number, template: Template, from: number, to: number) {
  const bar = progress(`${typeName(entityTypeId)} ${from}..${to}`, to - from + 1)
  let phoneId = (await w.counter('multifield')) + 1
  for (let first = from; first <= to; first += CHUNK) {
    const items: GeneratedItem[] = []
    for (let id = first; id <= Math.min(to, first + CHUNK - 1); id++) items.push(generated(entityTypeId, id))
    await w.insert(entityTypeId, TEMPLATE_ID, template, items, VARYING, phoneId)
    phoneId += items.length * template.phones.length
    bar.update(items[items.length - 1]!.id - from + 1)
  }
  bar.finish()
  await w.setCounter(`item:${entityTypeId}`, to)
  await w.setCounter('multifield', phoneId - 1)
}

function typeName(entityTypeId: number): string {
  return entityTypeId === LEAD ? 'leads' : 'deals'
}

const BASE_MS = Date.UTC(2024, 0, 1)

/** Item `id` of a type: deterministic, spread over stages, users, amounts and a year of dates. */
export function generated(entityTypeId: number, id: number): GeneratedItem {
  const stages = entityTypeId === LEAD ? LEAD_STAGES : DEAL_STAGES
  const time = new Date(BASE_MS + id * 30_000).toISOString().replace(/\.\d{3}Z$/, 'Z')
  const phone = `+1555${String(id).padStart(7, '0')}`
  return {
    id,
    columns: {
      title: `${entityTypeId === LEAD ? 'Lead' : 'Deal'} #${id}`,
      stage_id: stages[id % stages.length]!,
      stage_semantic_id: 'P',
      assigned_by_id: 1 + ((id * 7) % USERS),
      opportunity: (id * 7919) % 100_000,
      created_time: time,
      updated_time: time,
      moved_time: time,
      last_activity_time: time,
      uf: JSON.stringify({
        UF_CRM_1721244707107: (id % 1000) + 0.05,
        UF_CRM_BENCH_SOURCE: `campaign-${id % 50}`,
      }),
    },
    phones: [`${phone}1`, `${phone}2`],
  }
}

function userOf(i: number): Record<string, unknown> {
  return { name: 'Bench', lastName: `User ${i}`, email: `user${i}@bench.example` }
}

async function addTemplate(server: StartedServer, entityTypeId: number): Promise<number> {
  const fields: Record<string, unknown> = {
    title: 'Template',
    stageId: 'NEW',
    opportunity: 1000,
    currencyId: 'USD',
    sourceId: 'CALL',
    observers: [1, 2],
    comments: 'Generated by the b24crm benchmark',
  }
  if (entityTypeId === LEAD) {
    fields['fm'] = [
      { typeId: 'PHONE', valueType: 'WORK', value: '+15550000001' },
      { typeId: 'PHONE', valueType: 'MOBILE', value: '+15550000002' },
    ]
  } else {
    fields['typeId'] = 'SALE'
  }
  const result = await callOk<{ item: { id: number } }>(server, 'crm.item.add', { entityTypeId, fields })
  if (result.item.id !== TEMPLATE_ID) throw new Error(`template item got id ${result.item.id}`)
  return 1
}

/** Calls a method through the webhook; throws on an error answer. */
export async function callOk<T>(server: StartedServer, method: string, params: unknown): Promise<T> {
  const response = await fetch(`${server.hookUrl}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  })
  const body = (await response.json()) as { result?: T; error?: string; error_description?: string }
  if (response.status !== 200 || body.result === undefined) {
    throw new Error(`${method}: HTTP ${response.status} ${JSON.stringify(body).slice(0, 300)}`)
  }
  return body.result
}

async function adminPost(server: StartedServer, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify(body),
  })
  if (response.status >= 300)
    throw new Error(`admin ${path}: HTTP ${response.status} ${await response.text()}`)
}

async function createDatabase(adminUrl: string): Promise<string> {
  const name = `b24bench_${Date.now()}_${process.pid}`
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE ${name}`)
  } finally {
    await client.end()
  }
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return url.toString()
}

async function dropDatabase(adminUrl: string, databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1)
  if (!/^b24bench_\d+_\d+$/.test(name)) return
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  } finally {
    await client.end()
  }
}
