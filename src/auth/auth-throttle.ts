import { isIPv6 } from 'node:net'
import { sql } from 'kysely'
import type { Logger } from 'pino'
import { RestError, SYSTEM_ERRORS } from '../protocol/errors.js'
import type { Store } from '../store/store.js'

/**
 * Brute-force protection for every secret the server checks: webhook codes (INVALID_CREDENTIALS), OAuth
 * access tokens (invalid_token), client secrets at the token endpoint (invalid_client) and the admin token.
 * Failed attempts are counted per source address in the store (`auth_failure`), so every server process on
 * one PostgreSQL database counts the same failures; more than `maxFailures` in `windowMs` refuse the source
 * for `cooldownMs` — every request from it, valid credentials included, because an attacker's next guess may be
 * the right one and must not be told so.
 *
 * The refusal is 503 QUERY_LIMIT_EXCEEDED with Retry-After: the answer every SDK already treats as "slow down"
 * (jssdk retries it with a growing delay, CRest and the PHP SDK report it as the rate limit). A 401 would make a
 * well-meaning client re-authenticate at once, which is more failures, not fewer.
 *
 * Successful calls pay nothing: the store is read only for a source this process has itself seen fail
 * recently (the `watched` map); every other request costs one Map lookup. A failure is an upsert (the cold
 * path). The price: a process that has never seen a source fail does not know that another process has
 * blocked it, so it evaluates that source's next attempt — one per process, since that attempt, if it fails,
 * is counted and teaches the process of the block.
 */
export interface AuthThrottlePolicy {
  /** failures tolerated per window; the next one starts the cool-down */
  maxFailures: number
  windowMs: number
  cooldownMs: number
}

export const AUTH_THROTTLE_POLICY: AuthThrottlePolicy = {
  maxFailures: 20,
  windowMs: 60_000,
  cooldownMs: 60_000,
}

/** Sources remembered in-process; beyond this the oldest are forgotten (they are still counted in the store). */
const MAX_WATCHED_SOURCES = 10_000

/** The refusal of a throttled source. `retryAfterSeconds` goes into the Retry-After header. */
export class AuthThrottledError extends RestError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      'QUERY_LIMIT_EXCEEDED',
      `${SYSTEM_ERRORS.QUERY_LIMIT_EXCEEDED.description}: too many failed authentications from this address; try again in ${retryAfterSeconds} s`,
      SYSTEM_ERRORS.QUERY_LIMIT_EXCEEDED.status,
    )
    this.name = 'AuthThrottledError'
  }
}

interface Watch {
  /** until when this process reads the store before admitting the source */
  untilMs: number
  /** a block this process knows of (0: none) */
  blockedUntilMs: number
}

export class AuthThrottle {
  private readonly watched = new Map<string, Watch>()
  private nextSweepMs = 0

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    /** false with B24_AUTH_THROTTLE=off (local load tests that fail on purpose) */
    readonly enabled: boolean,
    readonly policy: AuthThrottlePolicy = AUTH_THROTTLE_POLICY,
  ) {}

  /** Throws AuthThrottledError when the source is in its cool-down. */
  async check(remoteAddress: string, nowMs: number): Promise<void> {
    // Nothing watched (the usual case): no source key to work out.
    if (!this.enabled || this.watched.size === 0) return
    const key = sourceKey(remoteAddress)
    const watch = this.watched.get(key)
    if (watch === undefined) return
    if (watch.blockedUntilMs > nowMs) throw refusal(watch.blockedUntilMs, nowMs)
    if (watch.untilMs <= nowMs) {
      this.watched.delete(key)
      return
    }
    // Another process may have counted the failure that blocked this source.
    const row = await this.store.db
      .selectFrom('auth_failure')
      .select('blocked_until_ms')
      .where('source', '=', key)
      .executeTakeFirst()
    const blockedUntilMs = Number(row?.blocked_until_ms ?? 0)
    if (blockedUntilMs > nowMs) {
      watch.blockedUntilMs = blockedUntilMs
      watch.untilMs = Math.max(watch.untilMs, blockedUntilMs)
      throw refusal(blockedUntilMs, nowMs)
    }
  }

  /** Counts one failed authentication of the source (the attempt itself is answered as it failed). */
  async fail(remoteAddress: string, nowMs: number): Promise<void> {
    if (!this.enabled) return
    const key = sourceKey(remoteAddress)
    const { failures, blockedUntilMs } = await this.count(key, nowMs)
    this.watch(key, nowMs, blockedUntilMs)
    if (blockedUntilMs > nowMs && Math.abs(blockedUntilMs - (nowMs + this.policy.cooldownMs)) < 1) {
      this.log.warn(
        { source: key, failures, cooldownSeconds: this.policy.cooldownMs / 1000 },
        'too many failed authentications: refusing this source for the cool-down',
      )
    }
    await this.sweep(nowMs)
  }

  /** check → attempt → count the attempt when `isFailure` says it failed for a wrong secret. */
  async guard<T>(
    remoteAddress: string,
    nowMs: number,
    attempt: () => Promise<T>,
    isFailure: (error: unknown) => boolean,
  ): Promise<T> {
    await this.check(remoteAddress, nowMs)
    try {
      return await attempt()
    } catch (error) {
      if (isFailure(error)) await this.fail(remoteAddress, nowMs)
      throw error
    }
  }

  /**
   * One atomic upsert (the pattern of rate-limit/limiter.ts): a window older than `windowMs` starts over, the
   * failure that goes past `maxFailures` sets the cool-down, and a running cool-down is never extended (refused
   * requests are not counted, so a client that waits is served again). Concurrent failures from any number of
   * processes serialise on the row.
   */
  private async count(key: string, nowMs: number): Promise<{ failures: number; blockedUntilMs: number }> {
    const { maxFailures, windowMs, cooldownMs } = this.policy
    const float = sql.raw(this.store.dialect === 'postgres' ? 'double precision' : 'real')
    const now = sql`cast(${nowMs} as ${float})`
    const stale = sql`auth_failure.window_start_ms <= ${now} - ${windowMs}`
    const failures = sql`(case when ${stale} then 1 else auth_failure.failures + 1 end)`
    const result = await sql<{ failures: number; blocked_until_ms: number }>`
      insert into auth_failure (source, window_start_ms, failures, blocked_until_ms)
      values (${key}, ${now}, 1, cast(${maxFailures < 1 ? nowMs + cooldownMs : 0} as ${float}))
      on conflict (source) do update set
        window_start_ms = case when ${stale} then ${now} else auth_failure.window_start_ms end,
        failures = ${failures},
        blocked_until_ms = case
          when auth_failure.blocked_until_ms > ${now} then auth_failure.blocked_until_ms
          when ${failures} > ${maxFailures} then ${now} + ${cooldownMs}
          else auth_failure.blocked_until_ms end
      returning failures, blocked_until_ms`.execute(this.store.db)
    const row = result.rows[0]
    return { failures: Number(row?.failures ?? 1), blockedUntilMs: Number(row?.blocked_until_ms ?? 0) }
  }

  /** Remembers a failing source for the window and the cool-down that may follow it. */
  private watch(key: string, nowMs: number, blockedUntilMs: number): void {
    const untilMs = Math.max(nowMs + this.policy.windowMs + this.policy.cooldownMs, blockedUntilMs)
    const known = this.watched.get(key)
    const blocked = blockedUntilMs > nowMs ? blockedUntilMs : 0
    if (known !== undefined) {
      known.untilMs = Math.max(known.untilMs, untilMs)
      known.blockedUntilMs = Math.max(known.blockedUntilMs, blocked)
      return
    }
    if (this.watched.size >= MAX_WATCHED_SOURCES) this.forget(nowMs)
    this.watched.set(key, { untilMs, blockedUntilMs: blocked })
  }

  /** Drops expired watches; when none has expired, the oldest one goes. */
  private forget(nowMs: number): void {
    for (const [key, watch] of this.watched) if (watch.untilMs <= nowMs) this.watched.delete(key)
    if (this.watched.size < MAX_WATCHED_SOURCES) return
    const oldest = this.watched.keys().next()
    if (oldest.done !== true) this.watched.delete(oldest.value)
  }

  /** At most once a window per process: rows whose window and cool-down are both over are deleted. */
  private async sweep(nowMs: number): Promise<void> {
    if (nowMs < this.nextSweepMs) return
    this.nextSweepMs = nowMs + this.policy.windowMs
    await this.store.db
      .deleteFrom('auth_failure')
      .where('window_start_ms', '<=', nowMs - this.policy.windowMs)
      .where('blocked_until_ms', '<=', nowMs)
      .execute()
  }
}

function refusal(blockedUntilMs: number, nowMs: number): AuthThrottledError {
  return new AuthThrottledError(Math.max(1, Math.ceil((blockedUntilMs - nowMs) / 1000)))
}

/**
 * The unit a failure counts against. IPv4 clients of a dual-stack listener arrive as ::ffff:a.b.c.d and are
 * the same source as a.b.c.d. An IPv6 client counts by its /64 prefix: one host is routinely given a whole
 * /64, so counting single addresses would let it rotate through 2^64 of them.
 */
export function sourceKey(remoteAddress: string): string {
  const address = remoteAddress.trim().toLowerCase()
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address)
  if (mapped?.[1] !== undefined) return mapped[1]
  const bare = address.split('%')[0] ?? ''
  if (!isIPv6(bare)) return address
  const [head = '', tail] = bare.split('::')
  const groups = (part: string): string[] =>
    part === '' ? [] : part.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group]))
  const front = groups(head)
  const back = tail === undefined ? [] : groups(tail)
  const all =
    tail === undefined
      ? front
      : [...front, ...Array<string>(8 - front.length - back.length).fill('0'), ...back]
  return `${all
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`
}
