import { sql } from 'kysely'
import type { Principal } from '../protocol/principal.js'
import { RestError } from '../protocol/errors.js'
import type { Store } from '../store/store.js'
import { BUCKET_EPSILON } from './leaky-bucket.js'
import { operatingLimitSeconds, queryPolicy, type BucketPolicy } from './policy.js'

/**
 * The two limiters of limits.md, with their state in the store so that every server process on one database
 * shares it (DESIGN.md: several instances on PostgreSQL). Both are switched per portal
 * (PortalSettings.limits) and are off by default; when off, nothing here touches the store — the portal's
 * settings arrive with the Principal, which authentication has already loaded.
 */

// ---------------------------------------------------------------------------------------------------------
// Request rate: the leaky bucket (503 QUERY_LIMIT_EXCEEDED), once per HTTP request

/**
 * Admits one HTTP request — a `batch` is one request, however many commands it carries (limits.md: "The rate
 * limit accounts for HTTP requests"). Throws QUERY_LIMIT_EXCEEDED when the portal's bucket is full.
 *
 * The bucket is per portal and source IP (limits.md: "Bitrix24 considers the IP address of the request
 * source. If several applications on a single server work with the same Bitrix24, they share a common request
 * rate limit"): every credential calling from one address shares it, other addresses have their own.
 */
export async function admitRequest(
  store: Store,
  principal: Principal,
  remoteAddress: string,
  nowMs: number,
): Promise<void> {
  const policy = queryPolicy(principal.portal.settings.limits)
  if (policy === undefined) return
  if (!(await takeSharedSlot(store, principal.portal.id, sourceIp(remoteAddress), nowMs, policy))) {
    throw RestError.system('QUERY_LIMIT_EXCEEDED')
  }
}

/**
 * leaky-bucket.ts `takeSlot`, as one atomic upsert: the counter drains by the time since the row's last update,
 * and the row is written only when the request fits. On PostgreSQL the conflicting row is locked for the
 * statement, so concurrent requests from any number of processes serialise on it and two of them can never
 * both take the last slot; SQLite has a single writer. A refused request updates nothing, so no row comes back.
 */
export async function takeSharedSlot(
  store: Store,
  portalId: number,
  source: string,
  nowMs: number,
  policy: BucketPolicy,
): Promise<boolean> {
  const { float, greatest } = spellings(store)
  // excluded.* is this request (level 1 at nowMs), rate_bucket.* the stored row.
  const elapsedMs = sql`${greatest}(0, excluded.updated_at_ms - rate_bucket.updated_at_ms)`
  const rate = sql`cast(${policy.perSecond} as ${float})`
  const drained = sql`${greatest}(0, rate_bucket.level - ${elapsedMs} * ${rate} / 1000.0)`
  const result = await sql<{ level: number }>`
    insert into rate_bucket (portal_id, source_ip, level, updated_at_ms)
    values (${portalId}, ${source}, 1, cast(${nowMs} as ${float}))
    on conflict (portal_id, source_ip) do update set
      level = ${drained} + 1,
      updated_at_ms = ${greatest}(rate_bucket.updated_at_ms, excluded.updated_at_ms)
    where ${drained} + 1 <= cast(${policy.burst + BUCKET_EPSILON} as ${float})
    returning level`.execute(store.db)
  return result.rows.length > 0
}

/** IPv4 clients of a dual-stack listener arrive as ::ffff:a.b.c.d; they are the same source as a.b.c.d. */
function sourceIp(remoteAddress: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(remoteAddress)
  return mapped?.[1] ?? remoteAddress.toLowerCase()
}

// ---------------------------------------------------------------------------------------------------------
// Operating time (429 OPERATION_TIME_LIMIT), per method call, batch commands included

/** limits.md: "10 one-minute baskets"; a basket counts for ten minutes from its first recorded call. */
export const OPERATING_WINDOW_MS = 600_000
const BASKET_MS = 60_000
/** server-behaviour.md §3 item 67: only calls slower than 0.1 s are counted. */
export const COUNTED_FROM_SECONDS = 0.1
/** limits.md: "An external call to batch is not accounted for in operating". */
const UNCOUNTED_METHODS: ReadonlySet<string> = new Set(['batch'])

/** What the `time` block reports: seconds used in the window and when its oldest basket expires. */
export interface OperatingUsage {
  operating: number
  /** epoch ms; undefined when no basket is live */
  resetAtMs: number | undefined
}

export interface OperatingMeter {
  /** After the method ran (successfully or not): counts it when it was slow enough and reports the usage. */
  finish(processingStartMs: number, processingEndMs: number): Promise<OperatingUsage>
}

/**
 * The check before a call (limits.md: "Bitrix24 checks the accumulated value before executing each call"):
 * throws OPERATION_TIME_LIMIT when this credential's time in this method over the last ten minutes already
 * exceeds the portal's limit. The call that crosses the limit is therefore completed; the next one is refused
 * until enough baskets have expired. Returns the meter that records the call, or undefined when the portal's
 * operating limit is off (or the method is the outer `batch`).
 *
 * The counter is per (portal, credential, method): "separately for an application or a webhook", and "other
 * applications, webhooks, and methods continue to function".
 */
export async function openOperatingMeter(
  store: Store,
  principal: Principal,
  methodName: string,
  nowMs: number,
): Promise<OperatingMeter | undefined> {
  const limitSeconds = operatingLimitSeconds(principal.portal.settings.limits)
  if (limitSeconds === undefined || UNCOUNTED_METHODS.has(methodName)) return undefined
  const key = { portal_id: principal.portal.id, credential: principal.credentialKey, method: methodName }
  const before = await liveUsage(store, key, nowMs)
  if (before.operating > limitSeconds) throw RestError.system('OPERATION_TIME_LIMIT')
  return {
    finish: async (processingStartMs, processingEndMs) => {
      const seconds = (processingEndMs - processingStartMs) / 1000
      if (!(seconds > COUNTED_FROM_SECONDS)) return before
      await recordCall(store, key, processingStartMs, processingEndMs, seconds)
      return {
        operating: before.operating + seconds,
        resetAtMs: Math.min(before.resetAtMs ?? Infinity, processingStartMs + OPERATING_WINDOW_MS),
      }
    },
  }
}

interface MeterKey {
  portal_id: number
  credential: string
  method: string
}

async function liveUsage(store: Store, key: MeterKey, nowMs: number): Promise<OperatingUsage> {
  const row = await store.db
    .selectFrom('operating_bucket')
    .select((eb) => [
      eb.fn.sum<number | null>('seconds').as('seconds'),
      eb.fn.min('first_call_ms').as('oldest'),
    ])
    .where('portal_id', '=', key.portal_id)
    .where('credential', '=', key.credential)
    .where('method', '=', key.method)
    .where('first_call_ms', '>', nowMs - OPERATING_WINDOW_MS)
    .executeTakeFirst()
  const oldest = row?.oldest
  return {
    operating: Number(row?.seconds ?? 0),
    resetAtMs: oldest === null || oldest === undefined ? undefined : Number(oldest) + OPERATING_WINDOW_MS,
  }
}

/**
 * Adds the call to the basket of the minute it started in (one upsert: concurrent calls add up instead of
 * overwriting each other), then drops this key's expired baskets so the table holds at most a window's worth.
 */
async function recordCall(
  store: Store,
  key: MeterKey,
  startMs: number,
  endMs: number,
  seconds: number,
): Promise<void> {
  const { float, least } = spellings(store)
  await sql`
    insert into operating_bucket (portal_id, credential, method, minute, first_call_ms, seconds)
    values (${key.portal_id}, ${key.credential}, ${key.method}, ${Math.floor(startMs / BASKET_MS)},
      cast(${startMs} as ${float}), cast(${seconds} as ${float}))
    on conflict (portal_id, credential, method, minute) do update set
      seconds = operating_bucket.seconds + excluded.seconds,
      first_call_ms = ${least}(operating_bucket.first_call_ms, excluded.first_call_ms)`.execute(store.db)
  await store.db
    .deleteFrom('operating_bucket')
    .where('portal_id', '=', key.portal_id)
    .where('credential', '=', key.credential)
    .where('method', '=', key.method)
    .where('first_call_ms', '<=', endMs - OPERATING_WINDOW_MS)
    .execute()
}

/** The few SQL spellings that differ: SQLite's two-argument max/min are PostgreSQL's greatest/least. */
const SPELLINGS = {
  postgres: { float: sql.raw('double precision'), greatest: sql.raw('greatest'), least: sql.raw('least') },
  sqlite: { float: sql.raw('real'), greatest: sql.raw('max'), least: sql.raw('min') },
} as const

function spellings(store: Store): (typeof SPELLINGS)[keyof typeof SPELLINGS] {
  return SPELLINGS[store.dialect]
}
