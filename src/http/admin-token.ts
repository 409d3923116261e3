import { mkdir, readFile, writeFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import type { Config } from '../config.js'
import { generateSecret } from '../auth/secrets.js'
import type { Store } from '../store/store.js'

export interface AdminToken {
  token: string
  /** where it came from, for the start-up banner: the variable's name or the file's path */
  source: string
}

/**
 * The admin API's token: B24_ADMIN_TOKEN, else the one kept in <data>/admin-token, else a new one written
 * there (mode 0600) on first start.
 */
export async function ensureAdminToken(config: Pick<Config, 'adminToken' | 'dataDir'>): Promise<AdminToken> {
  if (config.adminToken !== undefined) return { token: config.adminToken, source: 'B24_ADMIN_TOKEN' }
  const file = join(config.dataDir, 'admin-token')
  try {
    const token = (await readFile(file, 'utf8')).trim()
    if (token !== '') return { token, source: file }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  await mkdir(config.dataDir, { recursive: true })
  const token = generateSecret(32)
  const temporary = `${file}.${process.pid}.tmp`
  await writeFile(temporary, `${token}\n`, { mode: 0o600 })
  await rename(temporary, file)
  return { token, source: file }
}

// ---------------------------------------------------------------------------------------------------------
// The token's hash in the store, for the CLI (cli/run.ts), which works on the store directly

const SETTING = 'admin_token_hash'
/** scrypt's cost: ~50 ms once per server start and per CLI run; B24_ADMIN_TOKEN may be a short word. */
const SCRYPT = { N: 16_384, r: 8, p: 1, keyLength: 32 } as const

/**
 * Records the admin token's salted scrypt hash in the store (`server_setting`), at every server start, so
 * that the CLI can check a token on PostgreSQL, where no token file sits next to the data. A hash that already
 * matches is left alone; a new token (B24_ADMIN_TOKEN changed) replaces the old one: the server that started
 * last decides.
 */
export async function recordAdminToken(store: Store, token: string): Promise<void> {
  if ((await checkAdminToken(store, token)) === 'match') return
  const salt = randomBytes(16)
  const hash = await scryptHash(token, salt)
  const value = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`
  await store.db
    .insertInto('server_setting')
    .values({ name: SETTING, value })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
    .execute()
}

/**
 * `unset` when no server (nor CLI) has recorded a token in this store yet; otherwise whether `presented` is the
 * token, compared in constant time.
 */
export async function checkAdminToken(
  store: Store,
  presented: string | undefined,
): Promise<'match' | 'mismatch' | 'unset'> {
  const row = await store.db
    .selectFrom('server_setting')
    .select('value')
    .where('name', '=', SETTING)
    .executeTakeFirst()
  if (row === undefined) return 'unset'
  const [kind, n, r, p, salt, hash] = row.value.split('$')
  if (kind !== 'scrypt' || salt === undefined || hash === undefined) return 'mismatch'
  if (presented === undefined) return 'mismatch'
  const expected = Buffer.from(hash, 'base64')
  const actual = await scryptHash(presented, Buffer.from(salt, 'base64'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    keyLength: expected.length,
  })
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? 'match' : 'mismatch'
}

/** The token in <data>/admin-token, or undefined when there is no such file (nor a readable one). */
export async function readAdminTokenFile(dataDir: string): Promise<AdminToken | undefined> {
  const file = join(dataDir, 'admin-token')
  try {
    const token = (await readFile(file, 'utf8')).trim()
    return token === '' ? undefined : { token, source: file }
  } catch {
    return undefined
  }
}

function scryptHash(
  token: string,
  salt: Buffer,
  cost: { N: number; r: number; p: number; keyLength: number } = SCRYPT,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      token,
      salt,
      cost.keyLength,
      { N: cost.N, r: cost.r, p: cost.p, maxmem: 64 * 1024 * 1024 },
      (error, key) => (error === null ? resolve(key) : reject(error)),
    )
  })
}
