import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openStore } from '../../src/store/store.js'
import { ensureBootstrap } from '../../src/portal/bootstrap.js'
import { createUser } from '../../src/portal/users.js'

/**
 * The official JS SDK against the real server process over HTTPS: the surface an integration meets.
 * Needs `npm run build` (npm test runs it first through `pretest`).
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CODE = 'e2ejssdkhook'

let dataDir: string
let server: ChildProcess
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

  server = spawn(process.execPath, [join(ROOT, 'dist/main.js')], {
    env: {
      ...process.env,
      B24_DATA_DIR: dataDir,
      B24_PORT: '0',
      B24_HTTPS_PORT: '0',
      B24_BOOTSTRAP_WEBHOOK: CODE,
      B24_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  httpsBase = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 20_000)
    server.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /webhook (https:\/\/\S+)/.exec(out)
      if (match?.[1] !== undefined) {
        clearTimeout(timer)
        resolve(match[1].replace(/\/$/, ''))
      }
    })
    server.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()))
    server.on('exit', (code) => reject(new Error(`server exited with ${String(code)}: ${out}`)))
  })
}, 60_000)

afterAll(() => {
  server.kill('SIGTERM')
  rmSync(dataDir, { recursive: true, force: true })
})

function runClient(): Promise<Record<string, Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'test/e2e/jssdk-client.mjs'), httpsBase], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dataDir, 'tls', 'ca.pem') },
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? ''
      if (code !== 0 || !line.startsWith('{'))
        reject(new Error(`client failed (${String(code)}): ${err}\n${out}`))
      else resolve(JSON.parse(line) as Record<string, Record<string, unknown>>)
    })
  })
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
