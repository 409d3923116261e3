import { z } from 'zod'
import { defineMethod, type CallContext } from '../define-method.js'
import type { SubCallOutcome } from '../../protocol/handle-call.js'
import { RestError } from '../../protocol/errors.js'
import { parsePhpQuery, setOwn } from '../../protocol/params/parse-php-query.js'
import { mayCarryNul, scrubNul } from '../../protocol/params/scrub-nul.js'
import { phpTruthy } from '../../protocol/params/scalars.js'
import { resolveReferences } from './batch-references.js'

/**
 * `batch`: up to 50 commands in one request (settings/how-to-call-rest-api/batch.md; the server's
 * `methodsBatch`, research/server-behaviour.md §3 item 73; what the clients send and read:
 * research/client-contract.md §6).
 *
 * The request is admitted once (authentication, rate limits); each command re-enters the protocol core through
 * `ctx.execute` as the same principal, with its own scope check, parameter validation and time block. A nested
 * `batch` is refused there (this definition is `batchable: false`) with ERROR_BATCH_METHOD_NOT_ALLOWED, and an
 * unknown method gives ERROR_METHOD_NOT_FOUND — both for that command only. The batch itself always answers
 * HTTP 200; failures go to `result_error`.
 */

/** CRestUtil::BATCH_MAX_LENGTH */
const MAX_COMMANDS = 50

interface Filed {
  readonly result: Map<string, unknown>
  readonly next: Map<string, unknown>
  readonly total: Map<string, unknown>
  readonly time: Map<string, unknown>
  readonly error: Map<string, unknown>
}

export default defineMethod({
  name: 'batch',
  scope: 'basic',
  summary: 'Runs up to 50 methods in one request; later commands can use earlier results.',
  reference: 'settings/how-to-call-rest-api/batch.md',
  parity: 'full',
  batchable: false,
  // Read by hand below: the server upper-cases the parameter names and reads `halt` PHP-style.
  params: z.record(z.string(), z.unknown()),
  handler: async (params, ctx) => {
    const { cmd, halt } = readBatchParams(params)
    const filed: Filed = {
      result: new Map(),
      next: new Map(),
      total: new Map(),
      time: new Map(),
      error: new Map(),
    }
    // On SQLite the commands share one transaction, each command's own transaction a savepoint of it: one
    // commit for the whole batch, while a failing command still leaves nothing and the ones before it stay
    // (store/shared-transaction.ts). On PostgreSQL each command commits on its own.
    await ctx.store.sharedTransaction(async () => {
      let position = 0
      for (const [key, command] of commandEntries(cmd)) {
        let outcome: SubCallOutcome
        if (position++ >= MAX_COMMANDS) {
          // Decision (docs/compatibility.md): like the server (and the docs' note), the first 50 commands run
          // and *each* command past them fails on its own with ERROR_BATCH_LENGTH_EXCEEDED, inside an HTTP 200
          // batch — not one 400 for the whole request. jssdk splits into chunks of 50 itself and no captured
          // client batch exceeded 50; a client that sends more still gets the first 50 done and sees which were
          // refused.
          outcome = { ok: false, error: RestError.system('ERROR_BATCH_LENGTH_EXCEEDED') }
        } else if (typeof command !== 'string') {
          continue // PHP skips entries that are not strings (an array from `cmd[a][b]=…`, a JSON number)
        } else {
          outcome = await runCommand(command, filed, ctx)
        }
        file(filed, key, outcome)
        if (!outcome.ok && halt) break
      }
    })
    return {
      result: phpArray(filed.result),
      result_error: phpArray(filed.error),
      result_total: phpArray(filed.total),
      result_next: phpArray(filed.next),
      result_time: phpArray(filed.time),
    }
  },
})

/**
 * `array_change_key_case($query, CASE_UPPER)`: `cmd`, `CMD` and `Cmd` are the same parameter (the last one
 * sent wins). `halt` is `(bool)$query['HALT']`: "0", "", 0, false and an empty array are false, everything else
 * — the string "false" included — is true. Absent means false.
 */
function readBatchParams(params: Record<string, unknown>): { cmd: unknown; halt: boolean } {
  let cmd: unknown
  let halt: unknown
  for (const [name, value] of Object.entries(params)) {
    const upper = name.replace(/[a-z]/g, (c) => c.toUpperCase()) // ASCII only, like PHP 8
    if (upper === 'CMD') cmd = value
    else if (upper === 'HALT') halt = value
  }
  return { cmd, halt: phpTruthy(halt) }
}

/**
 * The commands as (key, entry) pairs in the order they arrived: a JSON array or a PHP list gives the keys
 * "0".."n-1". Anything that is not an array (a string `cmd=…`) is a PHP `foreach` over a non-array: no commands.
 *
 * Known difference (docs/compatibility.md): JavaScript objects list integer-like keys first, in ascending
 * order, so in `{"b":…,"1":…}` command "1" runs before "b"; PHP keeps the order sent. Only a batch mixing
 * numeric and named keys *and* referencing across them can notice.
 */
function commandEntries(cmd: unknown): Array<[string, unknown]> {
  if (Array.isArray(cmd)) return cmd.map((entry, index) => [String(index), entry])
  if (typeof cmd === 'object' && cmd !== null) return Object.entries(cmd)
  return []
}

async function runCommand(command: string, filed: Filed, ctx: CallContext): Promise<SubCallOutcome> {
  const { method, query } = splitCommand(command)
  const params =
    query === ''
      ? {}
      : resolveReferences(mayCarryNul(query) ? scrubNul(parsePhpQuery(query)) : parsePhpQuery(query), filed)
  // The outer request's credentials stand for every command; auth keys inside a command are not parameters.
  delete params['auth']
  return ctx.execute(method, params)
}

/**
 * `parse_url($command)`: the path is the method, the query its parameters in `http_build_query` form, and a
 * `#fragment` is dropped. `user.current`, `user.current?` and `user.get?ID=1` are all valid. The method name
 * is taken as is: no `.json` suffix is stripped (the docs never show one inside `cmd`), so `user.get.json`
 * is an unknown method, and lookup is case-insensitive like every call.
 */
export function splitCommand(command: string): { method: string; query: string } {
  const hash = command.indexOf('#')
  const withoutFragment = hash === -1 ? command : command.slice(0, hash)
  const question = withoutFragment.indexOf('?')
  if (question === -1) return { method: withoutFragment, query: '' }
  return { method: withoutFragment.slice(0, question), query: withoutFragment.slice(question + 1) }
}

/**
 * Files one command's outcome the way the server does (`$arResult[$k][$key] = $v` for each part of the
 * answer): a success puts its result and time, and total/next only when the method returned them; a failure
 * puts only `{error, error_description, …}` — no time entry (the docs' error examples show `result_time: []`).
 */
function file(filed: Filed, key: string, outcome: SubCallOutcome): void {
  if (!outcome.ok) {
    const error: Record<string, unknown> = {
      error: outcome.error.wireCode,
      error_description: outcome.error.message,
    }
    if (outcome.error.extra !== undefined) Object.assign(error, outcome.error.extra)
    filed.error.set(key, error)
    return
  }
  // A method answering nothing is PHP null, which json_encode writes; keep the key present.
  filed.result.set(key, outcome.result === undefined ? null : outcome.result)
  if (outcome.next !== undefined) filed.next.set(key, outcome.next)
  if (outcome.total !== undefined) filed.total.set(key, outcome.total)
  filed.time.set(key, outcome.time)
}

/**
 * PHP's array → JSON rule (json_encode): keys exactly 0..n-1 in order give a JSON array (an empty map gives
 * `[]`), anything else — named keys, or numeric keys with a gap after a failed command — gives an object.
 * Never an array with `null` holes: jssdk crashes destructuring a `null` time (client-contract.md §6).
 */
export function phpArray(map: ReadonlyMap<string, unknown>): unknown[] | Record<string, unknown> {
  let index = 0
  let sequential = true
  for (const key of map.keys()) {
    if (key !== String(index++)) {
      sequential = false
      break
    }
  }
  if (sequential) return [...map.values()]
  const out: Record<string, unknown> = {}
  for (const [key, value] of map) setOwn(out, key, value)
  return out
}
