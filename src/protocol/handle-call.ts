import { z } from 'zod'
import type { Logger } from 'pino'
import type { Clock } from '../lib/clock.js'
import type { Store } from '../store/store.js'
import { authenticate, insufficientScopeError } from '../auth/authenticate.js'
import { scopeGranted } from '../auth/scopes.js'
import {
  ListPage,
  type CallContext,
  type MethodDefinition,
  type MethodRegistry,
} from '../methods/define-method.js'
import { RestError, isRestError } from './errors.js'
import type { Principal } from './principal.js'
import type { RawCall, Transport, WireResponse } from './raw-call.js'
import { timeBlock, type TimeBlock } from './time-block.js'
import {
  admitRequest,
  openOperatingMeter,
  type OperatingMeter,
  type OperatingUsage,
} from '../rate-limit/limiter.js'
import { AuthThrottledError, type AuthThrottle } from '../auth/auth-throttle.js'

/** What the core needs from the application; built once by the composition root (app.ts). */
export interface CoreServices {
  store: Store
  registry: MethodRegistry
  clock: Clock
  log: Logger
  /** answer plain-HTTP calls with INVALID_REQUEST "Https required." (B24_REQUIRE_HTTPS) */
  requireHttps: boolean
  /** refuses a source address that keeps presenting wrong credentials (auth/auth-throttle.ts) */
  authThrottle?: AuthThrottle
}

/** The outcome of one method run, before it is wrapped: batch files these per command. */
export type SubCallOutcome =
  | { ok: true; result: unknown; total: number | undefined; next: number | undefined; time: TimeBlock }
  | { ok: false; error: RestError }

/**
 * THE pipeline (docs/architecture.md): resolve the method, admit the caller (authenticate, then the request-rate
 * limit), then execute (scope, the operating-time limit, parameters, the handler). Bitrix looks the method up
 * before it checks auth, so an unknown method is ERROR_METHOD_NOT_FOUND even without credentials
 * (server-behaviour.md §3 item 60).
 */
export async function handleCall(services: CoreServices, call: RawCall): Promise<WireResponse> {
  const method = services.registry.get(call.methodName)
  if (method === undefined) return errorResponse(RestError.system('ERROR_METHOD_NOT_FOUND'))
  let principal: Principal
  try {
    principal = await admit(services, call)
  } catch (error) {
    return errorResponse(toRestError(error, services.log, call.requestId))
  }
  const outcome = await execute(services, method, call.params, principal, call, false)
  if (!outcome.ok) return errorResponse(outcome.error)
  const body: Record<string, unknown> = { result: outcome.result }
  if (outcome.next !== undefined) body['next'] = outcome.next
  if (outcome.total !== undefined) body['total'] = outcome.total
  body['time'] = outcome.time
  return { status: 200, body }
}

/** Authentication and the leaky bucket: once per HTTP request, never per batch command. */
async function admit(services: CoreServices, call: RawCall): Promise<Principal> {
  const options = {
    requireHttps: services.requireHttps,
    ...(services.authThrottle === undefined ? {} : { throttle: services.authThrottle }),
  }
  const principal = await authenticate(
    services.store,
    call.credentials,
    call.transport,
    services.clock.now(),
    options,
  )
  await admitRequest(services.store, principal, call.transport.remoteAddress, services.clock.now())
  return principal
}

/** Everything after admission. `batch` re-enters here for each command through `ctx.execute`. */
async function execute(
  services: CoreServices,
  method: MethodDefinition,
  rawParams: Record<string, unknown>,
  principal: Principal,
  call: Pick<RawCall, 'requestId' | 'transport' | 'receivedAtMs'> & Partial<Pick<RawCall, 'credentials'>>,
  insideBatch: boolean,
): Promise<SubCallOutcome> {
  const startMs = insideBatch ? services.clock.now() : call.receivedAtMs
  try {
    if (!scopeGranted(method.scope, principal.scopes)) {
      // Inside a batch the real server leaves the description empty (server-behaviour.md §3 item 64).
      throw insideBatch
        ? new RestError('insufficient_scope', '', 403)
        : insufficientScopeError(principal.authType)
    }
    // Each call, batch commands included, is checked against its own operating-time budget (limits.md).
    const meter = await openOperatingMeter(services.store, principal, method.name, services.clock.now())
    const parsed = method.params.safeParse(rawParams)
    if (!parsed.success) {
      throw method.invalidParams?.(parsed.error.issues) ?? defaultInvalidParams(parsed.error)
    }
    const ctx = callContext(
      services,
      principal,
      call.transport,
      call.requestId,
      insideBatch,
      call.credentials,
    )
    const { value, processingStartMs, processingEndMs, usage } = await runHandler(
      services,
      method,
      parsed.data,
      ctx,
      meter,
    )
    const time = timeBlock(
      { startMs, processingStartMs, processingEndMs, finishMs: services.clock.now() },
      principal.portal.timeZoneOffset,
      usage.operating,
      usage.resetAtMs,
    )
    if (value instanceof ListPage) {
      return { ok: true, result: value.result, total: value.total, next: value.next, time }
    }
    return { ok: true, result: value, total: undefined, next: undefined, time }
  } catch (error) {
    return { ok: false, error: toRestError(error, services.log, call.requestId) }
  }
}

const NOT_METERED: OperatingUsage = { operating: 0, resetAtMs: undefined }

/** The method callback, timed; its time goes to the operating-time meter even when it fails (it was spent). */
async function runHandler(
  services: CoreServices,
  method: MethodDefinition,
  params: unknown,
  ctx: CallContext,
  meter: OperatingMeter | undefined,
): Promise<{ value: unknown; processingStartMs: number; processingEndMs: number; usage: OperatingUsage }> {
  const processingStartMs = services.clock.now()
  let value: unknown
  try {
    value = await method.handler(params, ctx)
  } catch (error) {
    await meter?.finish(processingStartMs, services.clock.now())
    throw error
  }
  const processingEndMs = services.clock.now()
  const usage = meter === undefined ? NOT_METERED : await meter.finish(processingStartMs, processingEndMs)
  return { value, processingStartMs, processingEndMs, usage }
}

function callContext(
  services: CoreServices,
  principal: Principal,
  transport: Transport,
  requestId: string,
  insideBatch: boolean,
  credentials: RawCall['credentials'] | undefined,
): CallContext {
  return {
    principal,
    store: services.store,
    clock: services.clock,
    log: services.log,
    transport,
    ...(credentials === undefined ? {} : { credentials }),
    requestId,
    insideBatch,
    registry: services.registry,
    execute: async (methodName, params) => {
      const method = services.registry.get(methodName)
      if (method === undefined) return { ok: false, error: RestError.system('ERROR_METHOD_NOT_FOUND') }
      if (method.batchable === false) {
        return { ok: false, error: RestError.system('ERROR_BATCH_METHOD_NOT_ALLOWED') }
      }
      return execute(
        services,
        method,
        params,
        principal,
        { requestId, transport, receivedAtMs: 0, ...(credentials === undefined ? {} : { credentials }) },
        true,
      )
    },
  }
}

function defaultInvalidParams(error: z.ZodError): RestError {
  const issue = error.issues[0]
  const path = issue === undefined ? '' : issue.path.map(String).join('.')
  const message = issue === undefined ? 'Invalid parameters' : `${issue.message}`
  return new RestError(
    'INVALID_ARG_VALUE',
    path === '' ? message : `Invalid value of '${path}': ${message}`,
    400,
  )
}

/** Anything that is not a RestError is a bug: logged with the request id, answered INTERNAL_SERVER_ERROR. */
export function toRestError(error: unknown, log: Logger, requestId: string): RestError {
  if (isRestError(error)) return error
  const refused = storeRefusedValue(error)
  if (refused !== undefined) {
    log.warn({ err: error, requestId }, 'the store refused a value')
    return new RestError('INVALID_ARG_VALUE', refused, 400)
  }
  log.error({ err: error, requestId }, 'unhandled error while handling a call')
  return RestError.system('INTERNAL_SERVER_ERROR', `Internal server error (request ${requestId})`)
}

/**
 * Values the database itself refuses — numbers beyond 64 bits where PostgreSQL wants `bigint`, text it cannot
 * encode, a value larger than SQLite's row limit — are bad input, not bugs: a 400 with a clear message.
 */
function storeRefusedValue(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  switch (code) {
    case '22003': // PostgreSQL numeric_value_out_of_range
      return 'A number is out of the range the field can hold'
    case '22P02': // PostgreSQL invalid_text_representation
    case '22021': // PostgreSQL character_not_in_repertoire
      return 'A value cannot be stored in the field it was given for'
    case 'SQLITE_TOOBIG':
      return 'A value is larger than the store accepts'
    default:
      return undefined
  }
}

export function errorResponse(error: RestError): WireResponse {
  const body: Record<string, unknown> = { error: error.wireCode, error_description: error.message }
  if (error.extra !== undefined) Object.assign(body, error.extra)
  if (error instanceof AuthThrottledError) {
    return { status: error.status, body, headers: { 'retry-after': String(error.retryAfterSeconds) } }
  }
  return { status: error.status, body }
}
