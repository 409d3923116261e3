import type { BucketPolicy } from './policy.js'

/**
 * The request-rate limiter of limits.md ("Request Rate Limits"): every request adds 1 to a counter, the counter
 * drains by Y per second, and a request that would lift it past X is refused with 503 QUERY_LIMIT_EXCEEDED.
 *
 * This is the rule itself, as a pure function; limiter.ts applies the same arithmetic in one SQL statement so
 * that several server processes share one bucket. Decisions (docs/compatibility.md):
 * - the counter drains continuously (Y/1000 per millisecond), not in one-second steps, so 500 ms after a full
 *   bucket at Y = 2 exactly one more request passes — the same model @bitrix24/b24jssdk's client-side limiter
 *   uses, so a client tuned to the plan never meets a 503;
 * - a refused request does not fill the bucket: a client that keeps retrying is let through as soon as the
 *   counter has drained, instead of being locked out for as long as it retries.
 */

export interface BucketState {
  /** the counter after the last admitted request */
  level: number
  /** epoch ms of that request: the counter has drained since then */
  updatedAtMs: number
}

export interface BucketDecision {
  allowed: boolean
  /** the state to keep: unchanged when the request was refused */
  state: BucketState
}

/** Floating-point slack, so a counter that has drained to exactly X − 1 admits the next request. */
export const BUCKET_EPSILON = 1e-9

/**
 * The counter at `nowMs`. A clock that reads earlier than the last update (another server process whose clock
 * lags) drains nothing rather than filling the bucket.
 */
export function drainedLevel(state: BucketState, nowMs: number, perSecond: number): number {
  const elapsedMs = Math.max(0, nowMs - state.updatedAtMs)
  return Math.max(0, state.level - (elapsedMs * perSecond) / 1000)
}

/** One request arriving at `nowMs`: admitted when the drained counter plus this request stays within X. */
export function takeSlot(
  state: BucketState | undefined,
  nowMs: number,
  policy: BucketPolicy,
): BucketDecision {
  const level = state === undefined ? 0 : drainedLevel(state, nowMs, policy.perSecond)
  if (level + 1 > policy.burst + BUCKET_EPSILON) {
    return { allowed: false, state: state ?? { level: 0, updatedAtMs: nowMs } }
  }
  return {
    allowed: true,
    state: { level: level + 1, updatedAtMs: Math.max(nowMs, state?.updatedAtMs ?? nowMs) },
  }
}
