import pino, { type Logger } from 'pino'
import type { Config } from './config.js'
import { sqliteFile } from './config.js'
import { systemClock, type Clock } from './lib/clock.js'
import { openStore, type Store, type StoreLocation } from './store/store.js'
import { createRegistry, type MethodRegistry } from './methods/define-method.js'
import { ALL_METHODS } from './methods/index.js'
import type { CoreServices } from './protocol/handle-call.js'

/** The composition root: everything the server is made of, built by hand in one place. */
export interface App extends CoreServices {
  config: Config
  store: Store
  registry: MethodRegistry
  clock: Clock
  log: Logger
  close(): Promise<void>
}

export interface AppOverrides {
  clock?: Clock
  log?: Logger
  store?: Store
}

export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const log =
    overrides.log ??
    pino({
      level: config.logLevel,
      // Credentials never reach the logs (issue: "no credential ever written to logs").
      redact: {
        paths: ['*.auth', '*.code', '*.token', '*.access_token', '*.refresh_token'],
        censor: '[redacted]',
      },
    })
  const store = overrides.store ?? (await openStore(storeLocation(config)))
  return {
    config,
    store,
    registry: createRegistry(ALL_METHODS),
    clock: overrides.clock ?? systemClock,
    log,
    requireHttps: config.requireHttps,
    close: () => store.close(),
  }
}

export function storeLocation(config: Pick<Config, 'databaseUrl' | 'dataDir'>): StoreLocation {
  return config.databaseUrl === undefined
    ? { kind: 'sqlite', file: sqliteFile(config) }
    : { kind: 'postgres', url: config.databaseUrl }
}
