import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, runClient as runE2eClient, type E2eServer } from './e2e-server.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore } from '../../src/store/store.js'
import { ensureBootstrap } from '../../src/portal/bootstrap.js'
import { createUser } from '../../src/portal/users.js'

/**
 * The official JS SDK against the real server process over HTTPS: the surface an integration meets.
 * Needs `npm run build` (npm test runs it first through `pretest`).
 */
const CODE = 'e2ejssdkhook'

let dataDir: string
let server: E2eServer
let httpsBase: string

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'b24crm-e2e-'))
  // 120 users in the default portal: the admin plus 119, so list paging crosses two page boundaries.
  const store = await openStore({ kind: 'sqlite', file: join(dataDir, 'b24crm.sqlite') })
  await ensureBootstrap(store, CODE, Date.now())
  for (let i = 2; i <= 120; i += 1) {
    await createUser(store, store.db, 1, { name: `User${i}`, lastName: 'E2E' }, Date.now())
  }
  await store.close()

  server = await startServer(dataDir, CODE)
  httpsBase = server.httpsBase
}, 60_000)

afterAll(() => {
  server.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

function runClient(): Promise<Record<string, Record<string, unknown>>> {
  return runE2eClient<Record<string, Record<string, unknown>>>('jssdk-client.mjs', [httpsBase], dataDir)
}

describe('@bitrix24/b24jssdk over HTTPS', () => {
  it('calls, batches with $result references and pages through 120 users', async () => {
    expect(httpsBase).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/rest\/1\/e2ejssdkhook$/)
    const seen = await runClient()
    expect(seen['serverTime']?.['ok']).toBe(true)
    expect(seen['serverTime']?.['result']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/)
    expect(seen['userCurrent']).toEqual({ ok: true, id: '1', name: 'Admin' })
    expect(seen['batch']).toEqual({
      ok: true,
      same: ['1'],
      pageIds: Array.from({ length: 20 }, (_, i) => String(101 + i)),
      first: ['101'],
    })
    expect(seen['callList']?.['ok']).toBe(true)
    expect(seen['callList']?.['ids']).toEqual(Array.from({ length: 120 }, (_, i) => i + 1))
    expect(seen['fetchList']?.['pages']).toEqual([50, 50, 20])
    expect(seen['unknownMethod']).toMatchObject({ thrown: true, code: 'ERROR_METHOD_NOT_FOUND', status: 404 })
  }, 120_000)
})
