import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

/**
 * The official JS SDK meets the request-rate limit (limits.md) on the real server process: the portal is given
 * a tiny bucket (2 requests, then 5 per second) with the CLI, the SDK fires six calls at once, is refused with
 * 503 QUERY_LIMIT_EXCEEDED, backs off and retries as it was written to (client-contract.md §7) — and every call
 * succeeds. Needs `npm run build` (npm test runs it first through `pretest`).
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CODE = 'e2eratelimithook'
const run = promisify(execFile)

let dataDir: string
let server: ChildProcess
let httpsBase: string

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'b24crm-e2e-limit-'))
  const env = { ...process.env, B24_DATA_DIR: dataDir, B24_HTTPS_PORT: 'off' }
  // The CLI works before the server has ever run: it creates the default portal itself.
  const cli = await run(
    process.execPath,
    [join(ROOT, 'dist/cli.js'), 'portal', 'settings', '--query-limit', '2,5'],
    {
      env,
    },
  )
  expect(cli.stdout).toContain('limits={"queryLimit":{"burst":2,"perSecond":5}}')

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

interface Seen {
  results: { ok: boolean; id?: string; code?: string }[]
  statuses: number[]
  errors: string[]
}

function runClient(parallel: number): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'test/e2e/jssdk-rate-limit-client.mjs'), httpsBase, String(parallel)],
      {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dataDir, 'tls', 'ca.pem') },
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? ''
      if (code !== 0 || !line.startsWith('{'))
        reject(new Error(`client failed (${String(code)}): ${err}\n${out}`))
      else resolve(JSON.parse(line) as Seen)
    })
  })
}

describe('@bitrix24/b24jssdk against a portal with a request-rate limit', () => {
  it('is refused with 503 QUERY_LIMIT_EXCEEDED, retries, and gets every call through', async () => {
    const seen = await runClient(6)
    expect(seen.results).toEqual(Array.from({ length: 6 }, () => ({ ok: true, id: '1' })))
    // The first two fit the bucket; the others met 503 at least once and were retried by the SDK.
    expect(seen.statuses.filter((status) => status === 503).length).toBeGreaterThanOrEqual(1)
    expect(new Set(seen.errors)).toEqual(new Set(['QUERY_LIMIT_EXCEEDED']))
    expect(seen.statuses.filter((status) => status === 200)).toHaveLength(6)
  }, 120_000)
})
