import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The seed's file walkthrough through the official JS SDK against the real server process over HTTPS
 * (jssdk-files-client.mjs): custom file fields created with crm.deal.userfield.add, uploaded, replaced, kept,
 * reset and cleared with crm.item.add / crm.item.update, and every urlMachine downloaded with fetch.
 * Needs `npm run build` (npm test runs it first through `pretest`).
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CODE = 'e2efileshook'

let dataDir: string
let server: ChildProcess
let httpsBase: string

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'b24crm-e2e-files-'))
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

function runClient(): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'test/e2e/jssdk-files-client.mjs'), httpsBase], {
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
      else resolve(JSON.parse(line) as Record<string, unknown>)
    })
  })
}

describe('@bitrix24/b24jssdk: file custom fields over HTTPS', () => {
  it('uploads, replaces, keeps, resets and clears files; urlMachine downloads with the webhook', async () => {
    const seen = await runClient()
    expect(seen['fieldIds']).toEqual([1, 2])
    expect(seen['fieldTypes']).toEqual(['file', true])
    expect(seen['added']).toEqual({ contractKeys: ['id', 'url', 'urlMachine'], scans: 3 })
    expect(seen['firstDownload']).toEqual({ status: 200, type: 'application/pdf', body: 'contract v1' })
    expect(seen['replace']).toEqual({ newId: true, newBody: 'contract v2', oldStatus: 404 })
    expect(seen['keep']).toEqual({
      contractSame: true,
      firstTwo: true,
      count: 3,
      newBody: 'new scan',
      removedStatus: 404,
    })
    expect(seen['reset']).toEqual({ value: null, oldStatus: 404 })
    expect(seen['cleared']).toEqual({ contract: null, scans: [] })
    expect(seen['original']).toEqual({ contract: null, scans: [] })
  }, 120_000)
})
