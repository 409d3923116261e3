import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, runClient as runE2eClient, type E2eServer } from './e2e-server.js'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore } from '../../src/store/store.js'
import { ensureBootstrap } from '../../src/portal/bootstrap.js'
import { MULTIFIELD_SEQUENCE } from '../../src/crm/items/item-store.js'

/**
 * The "Working with Multiple Fields" walkthrough of crm.contact.update (seed 004 = api-reference/crm/contacts/
 * crm-contact-update.md) through the official JS SDK against the real server process over HTTPS
 * (jssdk-multifield-client.mjs), with the page's literal requests: before the server starts, the portal's
 * multifield sequence is moved so the contact's phones get the page's ids 222–225. Needs `npm run build`
 * (npm test runs it first through `pretest`).
 */
const CODE = 'e2emultifieldhook'
const PORTAL = 1

let dataDir: string
let server: E2eServer
let httpsBase: string

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'b24crm-e2e-multifield-'))
  const store = await openStore({ kind: 'sqlite', file: join(dataDir, 'b24crm.sqlite') })
  await ensureBootstrap(store, CODE, Date.now())
  // The next multifield value gets id 222.
  await store.db
    .insertInto('id_counter')
    .values({ portal_id: PORTAL, name: MULTIFIELD_SEQUENCE, value: 221 })
    .onConflict((oc) => oc.columns(['portal_id', 'name']).doUpdateSet({ value: 221 }))
    .execute()
  await store.close()

  server = await startServer(dataDir, CODE)
  httpsBase = server.httpsBase
}, 60_000)

afterAll(() => {
  server.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

function runClient(): Promise<Record<string, unknown>> {
  return runE2eClient<Record<string, unknown>>('jssdk-multifield-client.mjs', [httpsBase], dataDir)
}

/** The page's `result` sample of crm.multifield.fields. */
function multifieldFieldsSample(): unknown {
  const page = new URL(
    '../../../shared/spec/b24restdocs/api-reference/crm/auxiliary/multifield/crm-multifield-fields.md',
    import.meta.url,
  )
  const text = readFileSync(page, 'utf8')
  const match = /```json\n([\s\S]*?)```/.exec(text.slice(text.indexOf('## Response Handling')))
  return (JSON.parse(match?.[1] ?? '{}') as { result: unknown }).result
}

const phone = (id: number, valueType: string, value: string) => ({
  ID: String(id),
  VALUE_TYPE: valueType,
  VALUE: value,
  TYPE_ID: 'PHONE',
})

describe('@bitrix24/b24jssdk: "Working with Multiple Fields" over HTTPS', () => {
  it("updates 223, deletes 222 / 223 / 224 keeping 225, adds 55555 — the page's requests as written", async () => {
    const seen = await runClient()
    expect(seen['fields']).toEqual(multifieldFieldsSample())
    expect(seen['created']).toEqual([
      phone(222, 'WORK', '111111'),
      phone(223, 'WORK', '222222'),
      phone(224, 'WORK', '333333'),
    ])
    expect(seen['updateResult']).toBe(true)
    expect(seen['updated']).toEqual([
      phone(222, 'WORK', '111111'),
      phone(223, 'MOBILE', '444444'),
      phone(224, 'WORK', '333333'),
    ])
    expect(seen['fourPhones']).toEqual([
      phone(222, 'WORK', '111111'),
      phone(223, 'WORK', '222222'),
      phone(224, 'WORK', '333333'),
      phone(225, 'WORK', '44444'),
    ])
    expect(seen['deleteResult']).toBe(true)
    expect(seen['remaining']).toEqual([phone(225, 'WORK', '44444')])
    expect(seen['addResult']).toBe(true)
    expect(seen['final']).toEqual([phone(225, 'WORK', '44444'), phone(226, 'WORK', '55555')])
    expect(seen['foundByPhone']).toEqual([{ ID: String(seen['id']), HAS_PHONE: 'Y' }])
    expect(seen['fm']).toEqual([
      { id: 225, valueType: 'WORK', value: '44444', typeId: 'PHONE' },
      { id: 226, valueType: 'WORK', value: '55555', typeId: 'PHONE' },
    ])
  }, 120_000)
})
