import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { runCli } from '../src/cli/run.js'
import { loadConfig } from '../src/config.js'
import { createApp } from '../src/app.js'
import { buildHttpServer } from '../src/http/server.js'

/**
 * `b24crm app …`: OAuth applications from the command line, on a temporary data folder, and what they make
 * working on a server over the same folder. The clock is real here because the server's is.
 */

interface Run {
  code: number
  stdout: string
  stderr: string
  json<T = Record<string, unknown>>(): T
}

const dirs: string[] = []
let dataDir: string

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'b24crm-cli-app-'))
  dirs.push(dataDir)
})
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

async function cli(args: string): Promise<Run> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(
    args.split(' ').filter((word) => word !== ''),
    { B24_DATA_DIR: dataDir, B24_PORT: '18080', B24_HTTPS_PORT: '18443' },
    { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) },
  )
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T }
}

describe('b24crm app', () => {
  it('creates an application, prints its secret once, and lists it without', async () => {
    const created = await cli(
      'app create --title Sync --scope crm,user --redirect-uri https://app.example.test/cb',
    )
    expect(created.code).toBe(0)
    expect(created.stdout).toMatch(/client id\s+local\.[0-9a-f]{14}\.\d{8}/)
    expect(created.stdout).toMatch(/client secret\s+[A-Za-z0-9]{50}/)
    expect(created.stdout).toContain('http://127.0.0.1:18080/oauth/authorize/?client_id=local.')
    expect(created.stdout).toContain('The client secret is shown only now')

    const json = (await cli('app create --scope crm --json')).json()
    expect(json).toMatchObject({ id: 2, portalId: 1, scopes: ['crm'], installed: true, status: 'L' })
    const listed = await cli('app list')
    expect(listed.stdout).toMatch(/^ID\s+CLIENT ID\s+TITLE\s+SCOPES\s+USERS\s+STATUS\n1\s+local\./)
    expect(listed.stdout).toContain('installed (L)')
    expect(listed.stdout).not.toContain(String(json['clientSecret']))
    expect((await cli('app list --json')).json<unknown[]>()).toHaveLength(2)
  })

  it('mints tokens, uninstalls, installs and deletes, naming the app by id or client id', async () => {
    const app = (await cli('app create --json')).json()
    const clientId = String(app['clientId'])
    const pair = await cli(`app token --app ${clientId} --json`)
    expect(pair.code).toBe(0)
    expect(pair.json()).toMatchObject({
      user_id: 1,
      expires_in: 3600,
      client_endpoint: 'http://127.0.0.1:18080/rest/',
      server_endpoint: 'http://127.0.0.1:18080/rest/',
      status: 'L',
    })
    expect((await cli('app token --app 1 --expires-in 0 --json')).json()['expires_in']).toBe(0)
    expect((await cli('app token --app 1')).stdout).toMatch(/^Tokens for user 1 \(scope /)

    const uninstalled = await cli(`app uninstall --app ${clientId} --json`)
    expect(uninstalled.json()['installed']).toBe(false)
    const refused = await cli('app token --app 1')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('is not installed')
    expect((await cli('app install --app 1')).stdout).toContain('installed          yes (status L)')
    expect((await cli('app delete --app 1')).stdout).toBe('Application 1 of portal 1 deleted\n')
    expect((await cli('app list')).stdout).toContain('No applications')
  })

  it('reports usage errors and unknown applications', async () => {
    const missing = await cli('app token')
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('--app is required')
    const unknown = await cli('app install --app local.00000000000000.00000000')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('has no application')
    const badScope = await cli('app create --scope telephony')
    expect(badScope.code).toBe(2)
    expect(badScope.stderr).toContain('--scope: unknown scope "telephony"')
    const badUri = await cli('app create --redirect-uri nowhere')
    expect(badUri.stderr).toContain('--redirect-uri: must be an absolute http:// or https:// URL')
    expect((await cli('app create --allow-user 42')).stderr).toContain('Portal 1 has no user 42')
    expect((await cli('app token --app 1 --expires-in soon')).code).toBe(2)
  })

  it('makes credentials a running server accepts: the minted token calls, the secret refreshes', async () => {
    const app = (await cli('app create --scope user --json')).json()
    const pair = (await cli('app token --app 1 --json')).json()
    const server = await createApp(loadConfig({ B24_DATA_DIR: dataDir }), { log: pino({ level: 'silent' }) })
    const http = buildHttpServer(server)
    try {
      const me = await http.inject({
        method: 'GET',
        url: `/rest/user.current?auth=${String(pair['access_token'])}`,
      })
      expect(me.statusCode).toBe(200)
      expect(me.json()).toMatchObject({ result: { ID: '1' } })
      const renewed = await http.inject({
        method: 'POST',
        url: '/oauth/token/',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: String(app['clientId']),
          client_secret: String(app['clientSecret']),
          refresh_token: String(pair['refresh_token']),
        }).toString(),
      })
      expect(renewed.statusCode).toBe(200)
      expect(renewed.json()).toMatchObject({ user_id: 1, scope: 'user' })
    } finally {
      await http.close()
      await server.close()
    }
  })
})
