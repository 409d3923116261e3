import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { runCli } from '../src/cli/run.js'
import { checkAdminToken, recordAdminToken } from '../src/http/admin-token.js'
import { openStore, type Store } from '../src/store/store.js'
import { POSTGRES_URL } from './helpers/test-store.js'
import { TEST_START_MS } from './helpers/test-app.js'

/**
 * The CLI works on the store directly, so it needs the admin token too: --admin-token, B24_ADMIN_TOKEN or a
 * readable <data>/admin-token, checked against the hash the server records at start; exit 2 without it.
 */

interface Run {
  code: number
  stdout: string
  stderr: string
}

const dirs: string[] = []
let dataDir: string

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'b24crm-cli-token-'))
  dirs.push(dataDir)
})
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

async function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(
    args,
    { B24_DATA_DIR: dataDir, B24_PORT: '18080', B24_HTTPS_PORT: 'off', ...env },
    { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) },
    { now: () => TEST_START_MS },
  )
  return { code, stdout, stderr }
}

/** What the server's start does (main.ts): the store of this data folder learns the token's hash. */
async function serverStarted(token: string): Promise<void> {
  const store = await openStore({ kind: 'sqlite', file: join(dataDir, 'b24crm.sqlite') })
  try {
    await recordAdminToken(store, token)
  } finally {
    await store.close()
  }
}

async function storedHash(store: Store): Promise<string | undefined> {
  const row = await store.db.selectFrom('server_setting').select('value').executeTakeFirst()
  return row?.value
}

describe('the admin token hash in the store', () => {
  it('is a salted scrypt hash, kept while the token stays and replaced when it changes', async () => {
    const store = await openStore({ kind: 'sqlite', file: ':memory:' })
    try {
      expect(await checkAdminToken(store, 'anything')).toBe('unset')
      await recordAdminToken(store, 'first-token')
      const hash = await storedHash(store)
      expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/)
      expect(hash).not.toContain('first-token')
      expect(await checkAdminToken(store, 'first-token')).toBe('match')
      expect(await checkAdminToken(store, 'first-tokeN')).toBe('mismatch')
      expect(await checkAdminToken(store, undefined)).toBe('mismatch')
      await recordAdminToken(store, 'first-token')
      expect(await storedHash(store)).toBe(hash)
      await recordAdminToken(store, 'second-token')
      expect(await checkAdminToken(store, 'first-token')).toBe('mismatch')
      expect(await checkAdminToken(store, 'second-token')).toBe('match')
    } finally {
      await store.close()
    }
  })
})

describe('b24crm on a store guarded by an admin token', () => {
  it('takes the token from a fresh data folder it creates, as the server would on its first start', async () => {
    const first = await cli(['portal', 'list'])
    expect(first.code).toBe(0)
    const token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim()
    expect(token).toMatch(/^[a-z0-9]{32}$/)
    // The file is read on every later run; a different token is refused.
    expect((await cli(['portal', 'list'])).code).toBe(0)
    expect((await cli(['portal', 'list', '--admin-token', token])).code).toBe(0)
    const wrong = await cli(['portal', 'list', '--admin-token', 'guess'])
    expect(wrong).toMatchObject({ code: 2, stdout: '' })
    expect(wrong.stderr).toBe(
      "b24crm portal list: the admin token from --admin-token is not this store's (the server records its token at start)\n",
    )
  })

  it('refuses without a token when the server runs on B24_ADMIN_TOKEN (no token file), with exit 2', async () => {
    await serverStarted('server-token')
    const refused = await cli(['webhook', 'create', '--user', '1'])
    expect(refused.code).toBe(2)
    expect(refused.stdout).toBe('')
    expect(refused.stderr).toContain('b24crm webhook create: this store needs the admin token:')
    expect(refused.stderr).toContain('--admin-token TOKEN, set B24_ADMIN_TOKEN')
    expect(refused.stderr).toContain(join(dataDir, 'admin-token'))

    expect((await cli(['webhook', 'create', '--user', '1', '--admin-token', 'server-token'])).code).toBe(0)
    expect((await cli(['webhook', 'list', '--json'], { B24_ADMIN_TOKEN: 'server-token' })).code).toBe(0)
    const wrongEnv = await cli(['webhook', 'list'], { B24_ADMIN_TOKEN: 'other' })
    expect(wrongEnv.code).toBe(2)
    expect(wrongEnv.stderr).toContain('the admin token from B24_ADMIN_TOKEN is not this store')
    // --admin-token wins over the variable, as the server's variable wins over its file.
    expect(
      (await cli(['webhook', 'list', '--admin-token=server-token'], { B24_ADMIN_TOKEN: 'other' })).code,
    ).toBe(0)
    // Nothing was created or changed by the refused runs.
    const list = await cli(['webhook', 'list', '--json', '--admin-token', 'server-token'])
    expect((JSON.parse(list.stdout) as unknown[]).length).toBe(1)
  })

  it('reads <data>/admin-token, and refuses a stale one after the token changed', async () => {
    await writeFile(join(dataDir, 'admin-token'), 'file-token\n')
    await serverStarted('file-token')
    expect((await cli(['user', 'list'])).code).toBe(0)
    await serverStarted('rotated-token')
    const stale = await cli(['user', 'list'])
    expect(stale.code).toBe(2)
    expect(stale.stderr).toContain(`the admin token from ${join(dataDir, 'admin-token')} is not this store's`)
  })

  it('needs no token for help and usage errors, which do not open the store', async () => {
    await serverStarted('server-token')
    expect((await cli(['help'])).code).toBe(0)
    expect((await cli(['portal', 'list', '--help'])).stdout).toContain('B24_ADMIN_TOKEN')
    expect((await cli(['help'])).stdout).toContain('--admin-token TOKEN')
    expect((await cli(['portal', 'list', '--nope'])).stderr).toContain("Unknown option '--nope'")
  })
})

describe('the server records its token at start (main.ts)', () => {
  it('so that the CLI accepts that token and refuses others', async () => {
    const root = resolve(import.meta.dirname, '..')
    const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), ['src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        B24_DATA_DIR: dataDir,
        B24_DATABASE_URL: '',
        B24_PORT: '0',
        B24_HTTPS_PORT: 'off',
        B24_ADMIN_TOKEN: 'started-with-this',
        B24_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    try {
      await new Promise<void>((done, fail) => {
        let output = ''
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString()
          if (output.includes('admin token in B24_ADMIN_TOKEN')) done()
        })
        child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()))
        child.once('exit', (code) => fail(new Error(`the server exited (${String(code)}): ${output}`)))
      })
    } finally {
      const exited = new Promise((done) => child.once('exit', done))
      child.kill('SIGTERM')
      await exited
    }
    expect((await cli(['portal', 'list'])).code).toBe(2)
    expect((await cli(['portal', 'list'], { B24_ADMIN_TOKEN: 'started-with-this' })).code).toBe(0)
  }, 30_000)
})

describe.runIf(POSTGRES_URL !== undefined)('b24crm on PostgreSQL', () => {
  it('checks the token against the hash in the database', async () => {
    const name = `b24clitoken_${randomBytes(6).toString('hex')}`
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
      const store = await openStore({ kind: 'postgres', url: url.toString(), poolSize: 1 })
      try {
        await recordAdminToken(store, 'pg-server-token')
      } finally {
        await store.close()
      }
      const env = { B24_DATABASE_URL: url.toString() }
      const refused = await cli(['portal', 'create', '--domain', 'pg.test'], env)
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain('this store needs the admin token')
      const done = await cli(['portal', 'create', '--domain', 'pg.test', '--json'], {
        ...env,
        B24_ADMIN_TOKEN: 'pg-server-token',
      })
      expect(done.code).toBe(0)
      expect((JSON.parse(done.stdout) as { domain: string }).domain).toBe('pg.test')
    } finally {
      await adminQuery(`drop database if exists ${name}`)
    }
  })
})
