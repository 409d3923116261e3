import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The official JS SDK in OAuth mode (B24OAuth) against the real server process: the code flow done the way
 * an application's back end does it, then the SDK refreshing through the server's token endpoint, both when
 * its own clock says the token expired and when the server answers 401 expired_token. The server's clock is
 * real here, so expired tokens are minted already expired through the admin API (`expiresIn: 0`).
 * Needs `npm run build` (npm test runs it first through `pretest`).
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const ADMIN_TOKEN = 'e2e-oauth-admin-token'

let dataDir: string
let server: ChildProcess
let base: string

type Json = Record<string, unknown>

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'b24crm-e2e-oauth-'))
  server = spawn(process.execPath, [join(ROOT, 'dist/main.js')], {
    env: {
      ...process.env,
      B24_DATA_DIR: dataDir,
      B24_PORT: '0',
      B24_HTTPS_PORT: 'off',
      B24_ADMIN_TOKEN: ADMIN_TOKEN,
      B24_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  base = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 20_000)
    server.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /HTTP\s+(http:\/\/\S+)\/rest\//.exec(out)
      if (match?.[1] !== undefined) {
        clearTimeout(timer)
        resolve(match[1])
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

async function admin(method: string, path: string, body?: unknown): Promise<Json> {
  const response = await fetch(`${base}/_admin${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  expect(response.ok).toBe(true)
  return (await response.json()) as Json
}

async function rest(method: string, token: string): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${base}/rest/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: token }),
  })
  return { status: response.status, body: (await response.json()) as Json }
}

/** index.md: the user authorizes (302 to the redirect URI with `code`), the back end exchanges the code. */
async function codeFlow(app: Json): Promise<Json> {
  const authorize = await fetch(`${base}/oauth/authorize/?client_id=${String(app['clientId'])}&state=e2e`, {
    redirect: 'manual',
  })
  expect(authorize.status).toBe(302)
  const location = new URL(authorize.headers.get('location') ?? '')
  expect(location.searchParams.get('state')).toBe('e2e')
  const token = await fetch(
    `${base}/oauth/token/?${new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: String(app['clientId']),
      client_secret: String(app['clientSecret']),
      code: location.searchParams.get('code') ?? '',
    }).toString()}`,
  )
  expect(token.status).toBe(200)
  return (await token.json()) as Json
}

function runClient(input: unknown): Promise<Record<string, Json>> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'test/e2e/jssdk-oauth-client.mjs'), JSON.stringify(input)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? ''
      if (code !== 0 || !line.startsWith('{'))
        reject(new Error(`client failed (${String(code)}): ${err}\n${out}`))
      else resolve(JSON.parse(line) as Record<string, Json>)
    })
  })
}

describe('@bitrix24/b24jssdk in OAuth mode', () => {
  it('refreshes through the server when the token expired, locally or on the server, and calls on', async () => {
    const app = await admin('POST', '/portals/1/apps', {
      title: 'e2e',
      scopes: ['crm', 'user'],
      redirectUri: 'https://app.example.test/callback',
    })
    const narrowApp = await admin('POST', '/portals/1/apps', {
      title: 'e2e crm only',
      scopes: ['crm'],
      redirectUri: 'https://app.example.test/callback',
    })
    const upFront = await codeFlow(app)
    expect(upFront).toMatchObject({
      client_endpoint: `${base}/rest/`,
      server_endpoint: `${base}/rest/`,
      status: 'L',
    })
    const serverExpired = await admin('POST', `/portals/1/apps/${String(app['id'])}/tokens`, { expiresIn: 0 })
    const badRefresh = { ...serverExpired, access_token: 'neverissued', refresh_token: 'neverissued' }
    const narrow = await admin('POST', `/portals/1/apps/${String(narrowApp['id'])}/tokens`, {})

    // The server-side path the SDK will meet: a minted, already expired token is 401 expired_token.
    expect(await rest('server.time', String(serverExpired['access_token']))).toEqual({
      status: 401,
      body: { error: 'expired_token', error_description: 'The access token provided has expired' },
    })

    const seen = await runClient({ app, narrowApp, pairs: { upFront, serverExpired, badRefresh, narrow } })

    // 1. Refreshed before calling; the callback got a rotated pair.
    expect(seen['upFront']).toMatchObject({ ok: true, id: '1' })
    const upFrontRefreshes = seen['upFront']?.['refreshes'] as Json[]
    expect(upFrontRefreshes).toHaveLength(1)
    const renewed = upFrontRefreshes[0] ?? {}
    expect(renewed['access_token']).not.toBe(upFront['access_token'])
    expect(renewed['refresh_token']).not.toBe(upFront['refresh_token'])
    expect(renewed['expires']).toBeGreaterThan(Date.now() / 1000 + 3500)
    // Rotation seen from outside: the old access token is dead, the new one lives.
    expect((await rest('server.time', String(upFront['access_token']))).body['error']).toBe('invalid_token')
    expect((await rest('server.time', String(renewed['access_token']))).status).toBe(200)

    // 2. 401 expired_token → one refresh → the call and the ones after it succeed.
    expect(seen['serverExpired']).toMatchObject({
      ok: true,
      scope: ['crm', 'user'],
      again: '1',
      batch: ['1'],
    })
    expect(seen['serverExpired']?.['refreshes']).toHaveLength(1)

    // 3. A token nobody issued is 401 invalid_token, which jssdk also answers with a refresh; the refused
    // refresh (400 invalid_grant) reaches the caller as JSSDK_UNKNOWN_ERROR carrying our description
    // (client-contract.md §7), and nothing loops.
    expect(seen['badRefresh']).toMatchObject({
      thrown: true,
      code: 'JSSDK_UNKNOWN_ERROR',
      message: expect.stringContaining('Invalid refresh token') as unknown,
      refreshes: [],
    })

    // 4. Scope errors are not auth errors: thrown at once, nothing refreshed.
    expect(seen['narrow']).toMatchObject({
      thrown: true,
      code: 'insufficient_scope',
      status: 403,
      refreshes: [],
    })
  }, 120_000)
})
