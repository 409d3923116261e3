import type { Compilable, CompiledQuery, QueryResult } from 'kysely'
import type { Db } from './schema.js'

/**
 * Queries built and compiled once per store, then run with new values. Kysely builds and compiles every
 * query anew on each call (builders, frozen nodes, the compiler walk): for the statements every item call
 * runs (the item and its side tables, history and outbox rows, authentication) that costs two to four times
 * what SQLite takes to run them (docs/performance.md). The query is built with {@link param} markers where
 * values go; the compiled SQL is kept per dialect adapter, so a store's transactions share it.
 *
 * Only for statements of a fixed shape: a variable-length `in (…)` list or a row set of varying size needs a
 * key per shape (`key` names it). Statements run this way skip the plugins' `transformQuery`, so they must
 * not write configuration tables (store/config-cache.ts watches those).
 */

/** A value slot of a prepared query: `param('id')` where the value goes. */
export class Param {
  constructor(readonly name: string) {}
}

/** A value slot, typed as the value it stands for (Kysely's builders check the column type). */
export function param<T = number>(name: string): T {
  return new Param(name) as unknown as T
}

interface Prepared {
  readonly compiled: CompiledQuery
  /** per parameter: the slot name, or the constant compiled into the query */
  readonly slots: readonly (Param | { readonly constant: unknown })[]
}

const byAdapter = new WeakMap<object, Map<string, Prepared>>()

/**
 * Runs the query `build` makes (once per store and `key`), with `values` in the slots. `key` must identify
 * the query's shape: the same key must always build the same SQL.
 */
export async function runPrepared<R>(
  db: Db,
  key: string,
  build: () => Compilable<R>,
  values: Readonly<Record<string, unknown>>,
): Promise<QueryResult<R>> {
  const adapter = db.getExecutor().adapter
  let queries = byAdapter.get(adapter)
  if (queries === undefined) byAdapter.set(adapter, (queries = new Map()))
  let prepared = queries.get(key)
  if (prepared === undefined) {
    const compiled = build().compile()
    prepared = {
      compiled,
      slots: compiled.parameters.map((p) => (p instanceof Param ? p : { constant: p })),
    }
    queries.set(key, prepared)
  }
  const parameters = prepared.slots.map((slot) => {
    if (!(slot instanceof Param)) return slot.constant
    if (!(slot.name in values)) throw new Error(`prepared query ${key}: no value for ${slot.name}`)
    return values[slot.name]
  })
  return db.executeQuery<R>({ ...prepared.compiled, parameters } as CompiledQuery<R>)
}
