// Baseline: json-server 0.17.4, what people reach for to fake a REST API (DESIGN.md "Targets").
// Writes db.json with N records shaped like Bitrix24 deals (legacy UPPER_CASE fields, about 2.6 KB each),
// then serves it the way `json-server --quiet db.json` does: its default middlewares plus the router over
// the file. Every PATCH /deals/:id rewrites the whole file, which is json-server's design.
// Usage: node bench/baselines/json-server.mjs <records> <dir> [port]; prints {"port": N} once listening.
import { createRequire } from 'node:module'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const jsonServer = createRequire(import.meta.url)('json-server')

const records = Number(process.argv[2] ?? 100)
const dir = process.argv[3] ?? '.'
const STAGES = ['NEW', 'PREPARATION', 'PREPAYMENT_INVOICE', 'EXECUTING', 'FINAL_INVOICE']

function deal(id) {
  const date = new Date(Date.UTC(2024, 0, 1) + id * 60_000).toISOString().replace('.000Z', '+00:00')
  return {
    id,
    TITLE: `Deal #${id}`,
    TYPE_ID: 'SALE',
    STAGE_ID: STAGES[id % STAGES.length],
    PROBABILITY: null,
    CURRENCY_ID: 'USD',
    OPPORTUNITY: `${(id * 7919) % 100000}.00`,
    IS_MANUAL_OPPORTUNITY: 'N',
    TAX_VALUE: '0.00',
    LEAD_ID: null,
    COMPANY_ID: '0',
    CONTACT_ID: '0',
    QUOTE_ID: null,
    BEGINDATE: date,
    CLOSEDATE: date,
    ASSIGNED_BY_ID: String(1 + (id % 10)),
    CREATED_BY_ID: '1',
    MODIFY_BY_ID: '1',
    DATE_CREATE: date,
    DATE_MODIFY: date,
    OPENED: 'Y',
    CLOSED: 'N',
    COMMENTS: `Imported deal ${id}. ${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(18)}`,
    ADDITIONAL_INFO: 'Created for the json-server baseline',
    LOCATION_ID: null,
    CATEGORY_ID: '0',
    STAGE_SEMANTIC_ID: 'P',
    IS_NEW: 'N',
    IS_RECURRING: 'N',
    IS_RETURN_CUSTOMER: 'N',
    IS_REPEATED_APPROACH: 'N',
    SOURCE_ID: 'CALL',
    SOURCE_DESCRIPTION: 'Inbound call',
    ORIGINATOR_ID: null,
    ORIGIN_ID: null,
    MOVED_BY_ID: '1',
    MOVED_TIME: date,
    LAST_ACTIVITY_TIME: date,
    LAST_ACTIVITY_BY: '1',
    UTM_SOURCE: 'google',
    UTM_MEDIUM: 'cpc',
    UTM_CAMPAIGN: `campaign-${id % 50}`,
    UTM_CONTENT: null,
    UTM_TERM: null,
    OBSERVERS: ['1', '2'],
    UF_CRM_1721244707107: `${id % 1000}.05`,
    UF_CRM_BENCH_SOURCE: `campaign-${id % 50}`,
  }
}

mkdirSync(dir, { recursive: true })
const file = join(dir, `db-${records}.json`)
writeFileSync(
  file,
  JSON.stringify({ deals: Array.from({ length: records }, (_, i) => deal(i + 1)) }, null, 2),
)

const app = jsonServer.create()
app.use(jsonServer.defaults({ logger: false, bodyParser: true }))
app.use(jsonServer.router(file))
const server = app.listen(Number(process.argv[4] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
