import type { Logger } from 'pino'
import type { Config } from './config.js'
import { sqliteFile } from './config.js'
import { systemClock, type Clock } from './lib/clock.js'
import { openStore, type Store, type StoreLocation } from './store/store.js'
import { createRegistry, type MethodRegistry } from './methods/define-method.js'
import { ALL_METHODS } from './methods/index.js'
import type { CoreServices } from './protocol/handle-call.js'
import { AuthThrottle } from './auth/auth-throttle.js'
import { createLogger } from './lib/log.js'

/** The composition root: everything the server is made of, built by hand in one place. */
export interface App extends CoreServices {
  config: Config
  store: Store
  registry: MethodRegistry
  clock: Clock
  log: Logger
  authThrottle: AuthThrottle
  close(): Promise<void>
}

export interface AppOverrides {
  clock?: Clock
  log?: Logger
  store?: Store
}

export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  // Credentials never reach the logs (issue "Who may do what": "no credential ever written to logs").
  const log = overrides.log ?? createLogger(config.logLevel)
  const store = overrides.store ?? (await openStore(storeLocation(config)))
  return {
    config,
    store,
    registry: createRegistry(ALL_METHODS),
    clock: overrides.clock ?? systemClock,
    log,
    requireHttps: config.requireHttps,
    authThrottle: new AuthThrottle(store, log, config.authThrottle),
    close: () => store.close(),
  }
}

export function storeLocation(config: Pick<Config, 'databaseUrl' | 'dataDir'>): StoreLocation {
  return config.databaseUrl === undefined
    ? { kind: 'sqlite', file: sqliteFile(config) }
    : { kind: 'postgres', url: config.databaseUrl }
}
