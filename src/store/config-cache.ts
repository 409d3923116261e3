import {
  AliasNode,
  DeleteQueryNode,
  InsertQueryNode,
  RawNode,
  TableNode,
  UpdateQueryNode,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryId,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely'
import type { Db } from './schema.js'

/**
 * A process-local cache of each portal's configuration — dictionaries, funnels, currencies, smart-process
 * types, custom-field definitions, users, departments and CRM roles — so that a call reads them from the
 * database only after they changed (a crm.item.update read about ten of them per call). It stays right with
 * several server processes on one database (DESIGN.md: no in-process state that breaks with two instances):
 *
 * - Every write to a configuration table ({@link CONFIG_TABLES}) bumps `portal.config_version`: database
 *   triggers do it (migrations/0011-config-version.ts), whichever process or tool writes.
 * - Authentication reads the portal row on every request and reports its version here
 *   ({@link noteConfigVersion}); an entry counts only while it was loaded at the newest version this process
 *   has seen. So a change committed by any process is seen by every request that starts after it.
 * - Writes made by this process are seen at once, before any portal row is read again: this store's Kysely
 *   plugin sees every statement that writes a configuration table and moves a generation counter, which is
 *   part of every entry's key (a batch command sees what the command before it changed).
 * - An entry is loaded with the version read in the same transaction (or the same snapshot) as its data, so
 *   an entry never holds data older than its version. A transaction that wrote configuration neither reads
 *   nor fills the cache (it must see its own uncommitted rows, and nobody else may); its commit moves the
 *   generation again. A batch's shared transaction (shared-transaction.ts) counts as one transaction: the
 *   transactions begun in it (savepoints) and its plain reads through the store's root handle too.
 *
 * Cached values are frozen: a caller that tries to change one fails loudly instead of changing it for every
 * later call.
 */

/** The tables whose rows are configuration: they have triggers that bump `portal.config_version`. */
export const CONFIG_TABLES = [
  'crm_type',
  'crm_userfield',
  'crm_userfield_enum',
  'crm_status',
  'crm_category',
  'crm_currency',
  'crm_role',
  'crm_role_relation',
  'crm_role_permission',
  'crm_admin',
  'department',
  'portal_user',
  'user_department',
] as const

/**
 * The tables authentication reads (webhook and OAuth token, portal, user, departments): a write to one moves
 * {@link ConfigCache.credentialGeneration}, which the per-process cache of credentials checks
 * (auth/credential-cache.ts), so a webhook revoked or a user deactivated through this store is refused at once.
 */
export const CREDENTIAL_TABLES = [
  'webhook',
  'portal',
  'portal_user',
  'user_department',
  'oauth_app',
  'oauth_install',
  'oauth_token',
] as const

const CONFIG_WRITES = tableWrites(CONFIG_TABLES)
const CREDENTIAL_WRITES = tableWrites(CREDENTIAL_TABLES)

interface Entry {
  readonly version: number
  readonly generation: number
  readonly value: unknown
}

/** The cache of one store, kept by its Kysely plugin (so transactions of the store find it too). */
export class ConfigCache implements KyselyPlugin {
  /** moves on every configuration write made through this store */
  private generation = 0
  /** the newest `config_version` seen per portal */
  private readonly versions = new Map<number, number>()
  private readonly entries = new Map<number, Map<string, Entry>>()
  /** the generation each open transaction started at (store.ts transaction) */
  private readonly transactions = new WeakMap<object, number>()
  private readonly writes = new WeakSet<QueryId>()
  /** the same for the {@link CREDENTIAL_TABLES} */
  private credentials = 0
  private readonly credentialTransactions = new WeakMap<object, number>()
  private readonly credentialWrites = new WeakSet<QueryId>()

  /** @param sharedTransaction the shared transaction the caller runs in (store.ts), if any */
  constructor(private readonly sharedTransaction: () => object | undefined = () => undefined) {}

  /** Moves on every write made through this store to a table authentication reads. */
  get credentialGeneration(): number {
    return this.credentials
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (CONFIG_WRITES.test(args.node)) {
      this.generation++
      this.writes.add(args.queryId)
    }
    if (CREDENTIAL_WRITES.test(args.node)) {
      this.credentials++
      this.credentialWrites.add(args.queryId)
    }
    return args.node
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    // Once more after the statement ran: a load that raced with it must not count either.
    if (this.writes.has(args.queryId)) this.generation++
    if (this.credentialWrites.has(args.queryId)) this.credentials++
    return Promise.resolve(args.result)
  }

  /**
   * A transaction of the store begins (store.ts). One begun `within` a shared transaction (a savepoint) is part
   * of it: it may use the cache only while the shared transaction wrote no configuration.
   */
  begin(tx: object, within?: object): void {
    if (within === undefined) {
      this.transactions.set(tx, this.generation)
      this.credentialTransactions.set(tx, this.credentials)
    } else {
      this.transactions.set(tx, this.transactions.get(within) ?? -1)
      this.credentialTransactions.set(tx, this.credentialTransactions.get(within) ?? -1)
    }
  }

  /** …and committed: if it wrote configuration, what was loaded while it was open does not count. */
  committed(tx: object): void {
    if (this.transactions.get(tx) !== this.generation) this.generation++
    if (this.credentialTransactions.get(tx) !== this.credentials) this.credentials++
  }

  /** A portal row read through `db`; rows a transaction that wrote configuration reads are its own. */
  noteFrom(db: Db, portalId: number, version: number): void {
    if (this.wroteConfig(db, this.generation)) return
    this.note(portalId, version)
  }

  /** Whether `db` reads inside a transaction that wrote configuration (or one this cache did not see begin). */
  private wroteConfig(db: Db, generation: number): boolean {
    const tx = db.isTransaction ? db : this.sharedTransaction()
    return tx !== undefined && this.transactions.get(tx) !== generation
  }

  private note(portalId: number, version: number): void {
    const known = this.versions.get(portalId)
    if (known === undefined || version > known) this.versions.set(portalId, version)
  }

  async get<T>(db: Db, portalId: number, key: string, load: () => Promise<T>): Promise<T> {
    const generation = this.generation
    const entry = this.entries.get(portalId)?.get(key)
    if (
      entry !== undefined &&
      entry.generation === generation &&
      entry.version === this.versions.get(portalId)
    ) {
      return entry.value as T
    }
    // A transaction that wrote configuration (or one this cache did not see begin) reads for itself only.
    if (this.wroteConfig(db, generation)) return load()
    const row = await db
      .selectFrom('portal')
      .select('config_version')
      .where('id', '=', portalId)
      .executeTakeFirst()
    const value = await load()
    if (row === undefined || this.generation !== generation) return value
    const version = Number(row.config_version)
    this.note(portalId, version)
    let portalEntries = this.entries.get(portalId)
    if (portalEntries === undefined) this.entries.set(portalId, (portalEntries = new Map()))
    portalEntries.set(key, { version, generation, value: deepFreeze(value) })
    return value
  }
}

/**
 * `load()` through the configuration cache of the store `db` belongs to (or straight, for a Kysely without
 * one). `key` names what is loaded within the portal (`statuses:DEAL_STAGE`); `load` must read only
 * configuration tables, through `db`.
 */
export function configCached<T>(db: Db, portalId: number, key: string, load: () => Promise<T>): Promise<T> {
  const cache = cacheOf(db)
  return cache === undefined ? load() : cache.get(db, portalId, key, load)
}

/** A portal row was read: its configuration version is the newest this process knows of, or older. */
export function noteConfigVersion(db: Db, portalId: number, version: number | undefined): void {
  if (version !== undefined) cacheOf(db)?.noteFrom(db, portalId, Number(version))
}

export function cacheOf(db: Db): ConfigCache | undefined {
  for (const plugin of db.getExecutor().plugins) if (plugin instanceof ConfigCache) return plugin
  return undefined
}

/** Recognises a statement that writes one of `tables` (a Kysely query or raw SQL). */
function tableWrites(tables: readonly string[]): { test(node: RootOperationNode): boolean } {
  const names: ReadonlySet<string> = new Set(tables)
  const raw = new RegExp(`\\b(?:insert\\s+into|update|delete\\s+from)\\s+"?(?:${tables.join('|')})\\b`, 'i')
  const isWatched = (node: OperationNode): boolean => {
    const table = AliasNode.is(node) ? node.node : node
    return TableNode.is(table) && names.has(table.table.identifier.name)
  }
  return {
    test: (node) => {
      if (InsertQueryNode.is(node)) return node.into !== undefined && isWatched(node.into)
      if (UpdateQueryNode.is(node)) return node.table !== undefined && isWatched(node.table)
      if (DeleteQueryNode.is(node)) return node.from.froms.some(isWatched)
      if (RawNode.is(node)) return raw.test(node.sqlFragments.join('?'))
      return false
    },
  }
}

/** Freezes a value and everything in it, so that a cached value shared by every call cannot be changed. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const inner of Object.values(value)) deepFreeze(inner)
  }
  return value
}
