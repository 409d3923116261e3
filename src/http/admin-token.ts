import { mkdir, readFile, writeFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import type { Config } from '../config.js'
import { generateSecret } from '../auth/secrets.js'

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
