import type { Store } from '../store/store.js'
import { cacheOf, deepFreeze, type ConfigCache } from '../store/config-cache.js'

/**
 * What authentication read for a secret (a webhook with its portal and user, an access token with its
 * application), kept per process so that a call pays no query for it while nothing it was read from can have
 * changed. Authentication was the one statement of server.time and a sixth of crm.item.get.
 *
 * It must stay right with other processes on the same database (DESIGN.md) and see this process's own writes
 * at once (a webhook revoked through the admin API is refused on the very next request), so an entry is
 * used as it is only while both hold:
 * - no other connection has committed to the database since the entry was read: SQLite's `data_version`
 *   (Store.externalChanges) has not moved. PostgreSQL has no such signal, so there every call reads again;
 * - this store has not written a table the entry was read from: the configuration cache's plugin sees every
 *   statement and moves `credentialGeneration` on writes to the tables authentication reads
 *   (CREDENTIAL_TABLES in store/config-cache.ts).
 * Otherwise the entry is handed to the load as what was known before, which may use it to read less (the
 * webhook lookup checks the portal's configuration version instead of reading the user again).
 *
 * Only what was found is kept, never "no such secret" (guesses must not fill memory), and what depends on
 * the clock (expiry) is checked by the caller on every call. Entries are frozen: every call shares them.
 */
interface Entry {
  /** `data_version` when the entry was read; undefined where the store has none (PostgreSQL) */
  readonly external: number | undefined
  readonly generation: number
  readonly value: unknown
}

/** Secrets remembered per store; beyond this the oldest entry goes (it is read again when next used). */
const MAX_ENTRIES = 10_000

class CredentialCache {
  private readonly entries = new Map<string, Entry>()

  constructor(
    private readonly configCache: ConfigCache,
    private readonly externalChanges: (() => number) | undefined,
  ) {}

  async get<T extends object>(
    key: string,
    load: (known: T | undefined) => Promise<T | undefined>,
  ): Promise<T | undefined> {
    // Both read before the load: a change that lands while it runs leaves the entry already outdated.
    const external = this.externalChanges?.()
    const generation = this.configCache.credentialGeneration
    const entry = this.entries.get(key)
    if (
      entry !== undefined &&
      external !== undefined &&
      entry.external === external &&
      entry.generation === generation
    ) {
      return entry.value as T
    }
    const value = await load(entry?.value as T | undefined)
    this.entries.delete(key)
    if (value === undefined) return undefined
    // A write of this process raced with the load: the value may predate it, so it is used once, not kept.
    if (this.configCache.credentialGeneration !== generation) return value
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string)
    this.entries.set(key, { external, generation, value: deepFreeze(value) })
    return value
  }
}

const caches = new WeakMap<Store, CredentialCache | null>()

/**
 * `load(known)` for `key` (a kind of secret and its digest: `webhook:…`) through the credential cache of
 * `store`, which answers without it while nothing has changed (SQLite) and otherwise passes what it read
 * last time as `known`. `load` must read only the tables listed in CREDENTIAL_TABLES
 * (store/config-cache.ts), through `store.db`, and return undefined for a secret it does not know.
 */
export function cachedCredential<T extends object>(
  store: Store,
  key: string,
  load: (known: T | undefined) => Promise<T | undefined>,
): Promise<T | undefined> {
  let cache = caches.get(store)
  if (cache === undefined) {
    const configCache = cacheOf(store.db)
    cache = configCache === undefined ? null : new CredentialCache(configCache, store.externalChanges)
    caches.set(store, cache)
  }
  return cache === null ? load(undefined) : cache.get(key, load)
}
