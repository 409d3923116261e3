import { join, resolve } from 'node:path'

/**
 * The environment users script against (DESIGN.md "The surface users script against"). Every variable has a
 * default, so `npm start` needs no configuration.
 */
export interface Config {
  host: string
  httpPort: number
  /** undefined when B24_HTTPS_PORT=off; 0 picks a free port, as for B24_PORT */
  httpsPort: number | undefined
  dataDir: string
  /** PostgreSQL connection string; absent = SQLite in the data folder */
  databaseUrl: string | undefined
  /** start-up ensures the default portal, admin user 1 and an incoming webhook with this code */
  bootstrapWebhook: string | undefined
  /** the admin API's token; generated into <data>/admin-token when absent */
  adminToken: string | undefined
  /** admin API reachable from loopback only, unless B24_ADMIN_ALLOW_REMOTE=1 */
  adminAllowRemote: boolean
  requireHttps: boolean
  /** refuse a source address after repeated failed authentications (B24_AUTH_THROTTLE=off disables) */
  authThrottle: boolean
  /** largest request body accepted, in bytes */
  bodyLimit: number
  logLevel: string
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = resolve(env['B24_DATA_DIR'] ?? './data')
  return {
    host: env['B24_HOST'] ?? '127.0.0.1',
    httpPort: port(env['B24_PORT'], 8080, 'B24_PORT'),
    httpsPort:
      env['B24_HTTPS_PORT']?.trim().toLowerCase() === 'off'
        ? undefined
        : port(env['B24_HTTPS_PORT'], 8443, 'B24_HTTPS_PORT'),
    dataDir,
    databaseUrl: nonEmpty(env['B24_DATABASE_URL']),
    bootstrapWebhook: nonEmpty(env['B24_BOOTSTRAP_WEBHOOK']),
    adminToken: nonEmpty(env['B24_ADMIN_TOKEN']),
    adminAllowRemote: flag(env['B24_ADMIN_ALLOW_REMOTE']),
    requireHttps: flag(env['B24_REQUIRE_HTTPS']),
    authThrottle: !['off', '0', 'false', 'no', 'n'].includes(
      env['B24_AUTH_THROTTLE']?.trim().toLowerCase() ?? '',
    ),
    bodyLimit: positiveInt(env['B24_BODY_LIMIT'], 64 * 1024 * 1024, 'B24_BODY_LIMIT'),
    logLevel: env['B24_LOG_LEVEL'] ?? 'info',
  }
}

export function sqliteFile(config: Pick<Config, 'dataDir'>): string {
  return join(config.dataDir, 'b24crm.sqlite')
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}

function flag(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'y', 'on'].includes(value.trim().toLowerCase())
}

function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value.trim() === '') return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`${name} must be a port number, got "${value}"`)
  return n
}

function positiveInt(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value.trim() === '') return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${value}"`)
  return n
}
