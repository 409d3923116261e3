import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import pino from 'pino'
import { runCli } from '../src/cli/run.js'
import { loadConfig } from '../src/config.js'
import { createApp } from '../src/app.js'
import { buildHttpServer } from '../src/http/server.js'
import { openStore } from '../src/store/store.js'
import { findWebhookByCode } from '../src/portal/webhooks.js'
import { POSTGRES_URL } from './helpers/test-store.js'
import { TEST_START_MS } from './helpers/test-app.js'

/**
 * The `b24crm` CLI: in process through runCli (fast), against a temporary data folder, plus one real spawn of
 * `tsx src/cli.ts` to prove the entry point and exit codes.
 */

interface Run {
  code: number
  stdout: string
  stderr: string
  json<T = Record<string, unknown>>(): T
}

const dirs: string[] = []
let dataDir: string

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'b24crm-cli-'))
  dirs.push(dir)
  return dir
}

beforeEach(async () => {
  dataDir = await tempDir()
})
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

async function cli(args: string, env: Record<string, string> = {}): Promise<Run> {
  return cliArgs(
    args.split(' ').filter((word) => word !== ''),
    env,
  )
}

async function cliArgs(argv: string[], env: Record<string, string> = {}): Promise<Run> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(
    argv,
    { B24_DATA_DIR: dataDir, B24_PORT: '18080', B24_HTTPS_PORT: '18443', ...env },
    { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) },
    { now: () => TEST_START_MS },
  )
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T }
}

describe('b24crm portal', () => {
  it('lists the default portal of a fresh data folder', async () => {
    const run = await cli('portal list --json')
    expect(run.code).toBe(0)
    expect(run.json<unknown[]>()).toEqual([
      expect.objectContaining({ id: 1, domain: 'b24crm.local', adminUserId: 1 }),
    ])
    const text = await cli('portal list')
    expect(text.stdout).toMatch(
      /^ID\s+DOMAIN\s+NAME\s+TIME ZONE\s+SETTINGS\n1\s+b24crm\.local\s+b24crm\s+UTC\+00:00\s+-\n$/,
    )
  })

  it('creates a portal, shows it by id or domain, and changes its settings', async () => {
    // A negative value needs the `=` form (node:util parseArgs); the separate form is a usage error.
    expect((await cli('portal create --tz-offset -180')).stderr).toContain("use '--tz-offset=-XYZ'")
    const created = await cli('portal create --domain Acme.Test --name Acme --tz-offset=-180 --json')
    expect(created.code).toBe(0)
    expect(created.json()).toMatchObject({
      id: 2,
      domain: 'acme.test',
      name: 'Acme',
      timeZoneOffset: -180,
      adminUserId: 1,
    })

    const text = await cli('portal create --domain second.test --require-https')
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('Portal 3  second.test')
    expect(text.stdout).toContain('settings    requireHttps=true')
    expect(text.stdout).toContain('Next: b24crm webhook create --portal 3 --user 1')

    expect((await cli('portal show --portal acme.test --json')).json()).toMatchObject({
      id: 2,
      timeZoneOffset: -180,
    })
    const shown = await cli('portal show --portal 2')
    expect(shown.stdout).toContain('time zone   UTC-03:00')

    const settings = await cli('portal settings --portal 2 --require-https on --json')
    expect(settings.json()).toMatchObject({ id: 2, settings: { requireHttps: true } })
    expect((await cli('portal settings --portal 2 --require-https off --json')).json()).toMatchObject({
      settings: { requireHttps: false },
    })
    expect((await cli('portal list --json')).json<unknown[]>()).toHaveLength(3)
  })

  it('fails with exit 1 on a taken domain or an unknown portal, saying why', async () => {
    expect((await cli('portal create --domain taken.test')).code).toBe(0)
    const taken = await cli('portal create --domain taken.test')
    expect(taken.code).toBe(1)
    expect(taken.stderr).toContain('A portal with domain taken.test already exists')
    const missing = await cli('portal show --portal 42')
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('There is no portal 42')
    expect((await cli('portal show --portal nowhere.test')).code).toBe(1)
  })
})

describe('b24crm user', () => {
  it('creates users with every flag and lists them', async () => {
    const ivan = await cliArgs([
      'user',
      'create',
      '--name',
      'Ivan',
      '--last-name',
      'Petrov',
      '--email',
      'ivan@example.com',
      '--department',
      '1,3',
      '--department',
      '5',
      '--position',
      'Sales manager',
      '--json',
    ])
    expect(ivan.code).toBe(0)
    expect(ivan.json()).toMatchObject({
      id: 2,
      portalId: 1,
      name: 'Ivan',
      lastName: 'Petrov',
      email: 'ivan@example.com',
      departments: [1, 3, 5],
      workPosition: 'Sales manager',
      isAdmin: false,
      userType: 'employee',
    })
    const admin = await cli('user create --portal 1 --name Root --admin')
    expect(admin.stdout).toBe('Created User 3 of portal 1: Root (employee, administrator, departments 1)\n')
    const guest = await cli('user create --name Guest --extranet --inactive --json')
    expect(guest.json()).toMatchObject({ id: 4, userType: 'extranet', active: false, departments: [] })

    const list = await cli('user list --portal 1 --json')
    expect(list.json<{ id: number }[]>().map((u) => u.id)).toEqual([1, 2, 3, 4])
    const table = await cli('user list --portal 1')
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+EMAIL\s+TYPE\s+ADMIN\s+ACTIVE\s+DEPARTMENTS$/)
    expect(table.stdout).toMatch(/\n2\s+Ivan Petrov\s+ivan@example\.com\s+employee\s+no\s+yes\s+1,3,5\n/)
  })

  it('names the flag at fault in validation errors (exit 2)', async () => {
    const email = await cli('user create --email nope')
    expect(email.code).toBe(2)
    expect(email.stderr).toContain('--email: must be an e-mail address')
    const extranet = await cli('user create --extranet --department 2')
    expect(extranet.code).toBe(2)
    expect(extranet.stderr).toContain('--department: extranet users belong to no department')
    const department = await cli('user create --department x')
    expect(department.code).toBe(2)
    expect(department.stderr).toContain('--department takes department ids, got "x"')
  })
})

describe('b24crm webhook', () => {
  it('creates a webhook and prints its URLs and code once', async () => {
    const run = await cli('webhook create --user 1 --scope crm --scope user --title CI --code ci-hook --json')
    expect(run.code).toBe(0)
    expect(run.json()).toMatchObject({
      portalId: 1,
      userId: 1,
      title: 'CI',
      scopes: ['crm', 'user'],
      code: 'ci-hook',
      path: '/rest/1/ci-hook/',
      url: 'http://127.0.0.1:18080/rest/1/ci-hook/',
      urls: ['http://127.0.0.1:18080/rest/1/ci-hook/', 'https://127.0.0.1:18443/rest/1/ci-hook/'],
    })

    const text = await cli('webhook create --user 1 --scope crm,user_brief', {
      B24_HTTPS_PORT: 'off',
      B24_HOST: '0.0.0.0',
    })
    expect(text.code).toBe(0)
    const code = /code {5}([a-z0-9]{16})\n/.exec(text.stdout)?.[1]
    expect(code).toBeDefined()
    expect(text.stdout).toContain(`url      http://127.0.0.1:18080/rest/1/${code}/`)
    expect(text.stdout).not.toContain('https://')
    expect(text.stdout).toContain('scopes   crm,user_brief')
    expect(text.stdout).toContain('shown only now')

    const list = await cli('webhook list --json')
    expect(list.json<{ id: number; scopes: string[] }[]>().map((w) => w.scopes)).toEqual([
      ['crm', 'user'],
      ['crm', 'user_brief'],
    ])
    expect(list.stdout).not.toContain('ci-hook')
    expect(list.stdout).not.toContain(code)
  })

  it('lists with expiry status and deletes', async () => {
    await cli('webhook create --user 1 --expires 2020-01-01T00:00:00Z --title old')
    await cli('webhook create --user 1 --expires 2030-01-01T00:00:00+03:00 --title new')
    const table = await cli('webhook list')
    expect(table.stdout).toMatch(/\n1\s+1\s+old\s+\S+\s+2020-01-01T00:00:00\.000Z\s+expired\n/)
    expect(table.stdout).toMatch(/\n2\s+1\s+new\s+\S+\s+2029-12-31T21:00:00\.000Z\s+active\n/)

    const deleted = await cli('webhook delete --portal 1 --id 1')
    expect(deleted.code).toBe(0)
    expect(deleted.stdout).toBe('Webhook 1 of portal 1 deleted\n')
    const again = await cli('webhook delete --portal 1 --id 1')
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('Portal 1 has no webhook 1')
    expect((await cli('webhook list --json')).json<{ id: number }[]>().map((w) => w.id)).toEqual([2])
  })

  it('refuses bad input with exit 2 and a message naming the flag', async () => {
    const scope = await cli('webhook create --user 1 --scope crm,telephony')
    expect(scope.code).toBe(2)
    expect(scope.stderr).toContain('--scope: unknown scope "telephony"; known scopes: basic, crm, user')
    const expires = await cli('webhook create --user 1 --expires tomorrow')
    expect(expires.code).toBe(2)
    expect(expires.stderr).toContain('--expires: must be an ISO 8601 date-time')
    const user = await cli('webhook create --user me')
    expect(user.code).toBe(2)
    expect(user.stderr).toContain('--user takes a whole number, got "me"')
    const missing = await cli('webhook create')
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('--user is required')
    expect(missing.stderr).toContain('usage: b24crm webhook create')
    expect((await cli('webhook delete')).stderr).toContain('--id is required')
    // A user the portal does not have is a failure, not a usage error.
    const nobody = await cli('webhook create --user 99')
    expect(nobody.code).toBe(1)
    expect(nobody.stderr).toContain('Portal 1 has no user 99')
  })

  it('works on the data folder of a running server: the new webhook answers at once, and deleting stops it', async () => {
    const config = loadConfig({ B24_DATA_DIR: dataDir })
    const app = await createApp(config, { log: pino({ level: 'silent' }) })
    const http = buildHttpServer(app)
    try {
      const created = await cli('webhook create --user 1 --code live-hook --json')
      expect(created.code).toBe(0)
      const answer = await http.inject({ method: 'GET', url: '/rest/1/live-hook/server.time' })
      expect(answer.statusCode).toBe(200)
      expect(answer.json()).toHaveProperty('result')

      expect((await cli(`webhook delete --id ${created.json()['id'] as number}`)).code).toBe(0)
      const refused = await http.inject({ method: 'GET', url: '/rest/1/live-hook/server.time' })
      expect(refused.statusCode).toBe(401)
      expect(refused.json()).toMatchObject({ error: 'INVALID_CREDENTIALS' })
    } finally {
      await http.close()
      await app.close()
    }
  })
})

describe('b24crm admin-token', () => {
  it('prints B24_ADMIN_TOKEN when it is set', async () => {
    const run = await cli('admin-token', { B24_ADMIN_TOKEN: 'from-env' })
    expect(run).toMatchObject({ code: 0, stdout: 'from-env\n' })
    expect((await cli('admin-token --json', { B24_ADMIN_TOKEN: 'from-env' })).json()).toEqual({
      token: 'from-env',
      source: 'B24_ADMIN_TOKEN',
    })
  })

  it('creates the token file once and prints the same token afterwards', async () => {
    const first = await cli('admin-token')
    expect(first.stdout).toMatch(/^[a-z0-9]{32}\n$/)
    expect(await readFile(join(dataDir, 'admin-token'), 'utf8')).toBe(first.stdout)
    expect((await cli('admin-token')).stdout).toBe(first.stdout)
  })

  it('takes the data folder from --data-dir too', async () => {
    const other = await tempDir()
    const run = await cli(`admin-token --data-dir ${other} --json`)
    expect(run.json()['source']).toBe(join(other, 'admin-token'))
  })
})

describe('usage', () => {
  it('prints help with exit 0 when asked', async () => {
    for (const args of ['help', '--help', '-h']) {
      const run = await cli(args)
      expect(run.code).toBe(0)
      expect(run.stdout).toContain('usage: b24crm <command> [options]')
      expect(run.stdout).toContain('webhook create')
      expect(run.stdout).toContain('B24_DATA_DIR')
    }
    const topic = await cli('help webhook create')
    expect(topic.stdout).toContain('usage: b24crm webhook create [--portal ID|DOMAIN] --user ID')
    expect((await cli('user create --help')).stdout).toContain('--last-name')
    expect((await cli('webhook --help')).code).toBe(0)
  })

  it.each([
    ['', 'usage: b24crm <command>'],
    ['bogus', 'unknown command "bogus"'],
    ['portal', 'b24crm portal: which one?'],
    ['portal explode', 'unknown subcommand "explode"'],
    ['portal list --nope', "Unknown option '--nope'"],
    ['portal list extra', 'extra'],
    ['portal create --tz-offset east', '--tz-offset takes a whole number, got "east"'],
    ['portal create --tz-offset 9999', '--tz-offset: must be between -720 and 840 minutes'],
    ['portal settings --require-https maybe', '--require-https takes on or off'],
  ])('exits 2 with a helpful message for "%s"', async (args, message) => {
    const run = await cli(args)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(message)
    expect(run.stdout).toBe('')
  })

  it('exits 1 when the environment is broken', async () => {
    const run = await cli('portal list', { B24_PORT: 'eighty' })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('B24_PORT must be a port number')
  })
})

describe.runIf(POSTGRES_URL !== undefined)('b24crm on PostgreSQL (B24_DATABASE_URL)', () => {
  it('creates portals and webhooks in the database the server would use', async () => {
    const name = `b24cli_${randomBytes(6).toString('hex')}`
    const adminQuery = async (text: string): Promise<void> => {
      const client = new pg.Client({ connectionString: POSTGRES_URL })
      await client.connect()
      try {
        await client.query(text)
      } finally {
        await client.end()
      }
    }
    await adminQuery(`create database ${name}`)
    const url = new URL(POSTGRES_URL ?? '')
    url.pathname = `/${name}`
    try {
      const env = { B24_DATABASE_URL: url.toString() }
      const portal = await cli('portal create --domain pg.test --json', env)
      expect(portal.code).toBe(0)
      expect(portal.json()['id']).toBe(2)
      const webhook = await cli('webhook create --portal pg.test --user 1 --code pg-hook --json', env)
      expect(webhook.code).toBe(0)
      const store = await openStore({ kind: 'postgres', url: url.toString(), poolSize: 1 })
      try {
        expect(await findWebhookByCode(store.db, 'pg-hook')).toMatchObject({ portalId: 2, userId: 1 })
      } finally {
        await store.close()
      }
    } finally {
      await adminQuery(`drop database if exists ${name}`)
    }
  })
})

describe('the b24crm entry point', () => {
  const root = resolve(import.meta.dirname, '..')
  const tsx = join(root, 'node_modules', '.bin', 'tsx')
  const spawn = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((done) => {
      execFile(
        tsx,
        ['src/cli.ts', ...args],
        { cwd: root, env: { ...process.env, B24_DATA_DIR: dataDir, B24_DATABASE_URL: '' } },
        (error, stdout, stderr) => done({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
      )
    })

  it('runs as a process, prints JSON and sets the exit code', async () => {
    const created = await spawn(['webhook', 'create', '--user', '1', '--code', 'spawned', '--json'])
    expect(created.stderr).toBe('')
    expect(created.code).toBe(0)
    expect(JSON.parse(created.stdout)).toMatchObject({ code: 'spawned', path: '/rest/1/spawned/' })
    const usage = await spawn(['portal', 'list', '--nope'])
    expect(usage.code).toBe(2)
    expect(usage.stderr).toContain("Unknown option '--nope'")
    const failure = await spawn(['portal', 'show', '--portal', '77'])
    expect(failure.code).toBe(1)
  })
})
