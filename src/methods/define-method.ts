import type { z } from 'zod'
import type { Logger } from 'pino'
import type { Scope } from '../auth/scopes.js'
import type { Principal } from '../protocol/principal.js'
import type { Credentials, Transport } from '../protocol/raw-call.js'
import type { RestError } from '../protocol/errors.js'
import type { Store } from '../store/store.js'
import type { Clock } from '../lib/clock.js'
import type { SubCallOutcome } from '../protocol/handle-call.js'

/**
 * How faithful a method is: `full` — every documented rule; `partial` — works, with the limitations listed.
 * A method we cannot make at least partial is not registered at all and answers ERROR_METHOD_NOT_FOUND.
 */
export type Parity = 'full' | 'partial'

export interface MethodDefinition<S extends z.ZodType = z.ZodType> {
  /** the Bitrix24 method name, verbatim (lookup is case-insensitive) */
  readonly name: string
  readonly scope: Scope
  readonly summary: string
  /** the reference page this method mirrors, relative to spec/b24restdocs/ */
  readonly reference: string
  readonly parity: Parity
  readonly limitations?: readonly string[]
  /** false for methods Bitrix refuses inside batch (ERROR_BATCH_METHOD_NOT_ALLOWED) */
  readonly batchable?: boolean
  /** parameters, with lenient wire coercion (protocol/params/scalars.ts) */
  readonly params: S
  /** the error a schema failure becomes; each family words it its own way (default INVALID_ARG_VALUE) */
  readonly invalidParams?: (issues: z.core.$ZodIssue[]) => RestError
  handler(params: z.output<S>, ctx: CallContext): Promise<unknown>
}

/** Everything a handler may use; built per call by the protocol core. */
export interface CallContext {
  readonly principal: Principal
  readonly store: Store
  readonly clock: Clock
  readonly log: Logger
  readonly transport: Transport
  /**
   * The credentials the request came with (webhook path or token). Only for printing URLs that must work
   * with them, as Bitrix24 does for file links (`urlMachine`: crm/files/file-store.ts); never logged.
   */
  readonly credentials?: Credentials
  readonly requestId: string
  /** true while running as a `batch` sub-command */
  readonly insideBatch: boolean
  /** runs another method as this principal (batch re-enters the core here) */
  execute(methodName: string, params: Record<string, unknown>): Promise<SubCallOutcome>
  /** the registry, for `methods` and `scope` */
  readonly registry: MethodRegistry
}

/** A list page: the envelope lifts `total` and `next` next to `result` (server-behaviour.md §3 item 65). */
export class ListPage {
  constructor(
    readonly result: unknown,
    readonly total: number | undefined,
    readonly next: number | undefined,
  ) {}
}

export function defineMethod<S extends z.ZodType>(definition: MethodDefinition<S>): MethodDefinition<S> {
  return Object.freeze(definition)
}

export interface MethodRegistry {
  get(name: string): MethodDefinition | undefined
  list(): readonly MethodDefinition[]
}

/** Builds the registry; a duplicate name is a programming error and fails at start. */
export function createRegistry(definitions: readonly MethodDefinition[]): MethodRegistry {
  const byName = new Map<string, MethodDefinition>()
  for (const definition of definitions) {
    const key = definition.name.toLowerCase()
    if (byName.has(key)) throw new Error(`Method ${definition.name} is declared twice`)
    byName.set(key, definition)
  }
  const sorted = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name))
  return {
    get: (name) => byName.get(name.toLowerCase()),
    list: () => sorted,
  }
}
