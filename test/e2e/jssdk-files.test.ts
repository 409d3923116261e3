import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, runClient as runE2eClient, type E2eServer } from './e2e-server.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * The seed's file walkthrough through the official JS SDK against the real server process over HTTPS
 * (jssdk-files-client.mjs): custom file fields created with crm.deal.userfield.add, uploaded, replaced, kept,
 * reset and cleared with crm.item.add / crm.item.update, and every urlMachine downloaded with fetch.
 * Needs `npm run build` (npm test runs it first through `pretest`).
 */
const CODE = 'e2efileshook'

let dataDir: string
let server: E2eServer
let httpsBase: string

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'b24crm-e2e-files-'))
  server = await startServer(dataDir, CODE)
  httpsBase = server.httpsBase
}, 60_000)

afterAll(() => {
  server.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

function runClient(): Promise<Record<string, unknown>> {
  return runE2eClient<Record<string, unknown>>('jssdk-files-client.mjs', [httpsBase], dataDir)
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
