import { describe, expect, it } from 'vitest'
import { drainedLevel, takeSlot, type BucketState } from './leaky-bucket.js'
import { QUERY_LIMIT_PLANS, operatingLimitSeconds, queryPolicy } from './policy.js'

const T0 = 1_000_000
const standard = QUERY_LIMIT_PLANS.standard

/** Feeds `count` requests at `nowMs` through the bucket; returns how many were admitted. */
function burst(state: { current: BucketState | undefined }, nowMs: number, count: number): number {
  let admitted = 0
  for (let i = 0; i < count; i += 1) {
    const decision = takeSlot(state.current, nowMs, standard)
    state.current = decision.state
    if (decision.allowed) admitted += 1
  }
  return admitted
}

describe('the leaky bucket (limits.md "Request Rate Limits")', () => {
  it('admits X requests at once and refuses the next (standard: 50)', () => {
    const state = { current: undefined as BucketState | undefined }
    expect(burst(state, T0, 50)).toBe(50)
    expect(state.current).toEqual({ level: 50, updatedAtMs: T0 })
    expect(takeSlot(state.current, T0, standard).allowed).toBe(false)
  })

  it('drains Y per second, continuously: 500 ms at 2/s frees exactly one slot', () => {
    const state = { current: { level: 50, updatedAtMs: T0 } as BucketState | undefined }
    expect(burst(state, T0 + 499, 1)).toBe(0)
    expect(burst(state, T0 + 500, 3)).toBe(1)
    expect(burst(state, T0 + 1500, 3)).toBe(2)
    expect(burst(state, T0 + 1500 + 30_000, 100)).toBe(50)
  })

  it('lets a client at Y requests per second through forever', () => {
    const state = { current: { level: 50, updatedAtMs: T0 } as BucketState | undefined }
    for (let i = 1; i <= 1000; i += 1) expect(burst(state, T0 + i * 500, 1)).toBe(1)
  })

  it('does not count refused requests: hammering a full bucket does not lock the client out', () => {
    const state = { current: { level: 50, updatedAtMs: T0 } as BucketState | undefined }
    expect(burst(state, T0 + 100, 500)).toBe(0)
    expect(state.current).toEqual({ level: 50, updatedAtMs: T0 })
    expect(burst(state, T0 + 500, 1)).toBe(1)
  })

  it('never drains below zero, and a clock behind the last update drains nothing', () => {
    expect(drainedLevel({ level: 3, updatedAtMs: T0 }, T0 + 3_600_000, 2)).toBe(0)
    expect(drainedLevel({ level: 3, updatedAtMs: T0 }, T0 - 10_000, 2)).toBe(3)
    const decision = takeSlot({ level: 3, updatedAtMs: T0 }, T0 - 10_000, standard)
    expect(decision).toEqual({ allowed: true, state: { level: 4, updatedAtMs: T0 } })
  })

  it('admits at a counter drained to exactly X − 1 despite floating-point dust', () => {
    // 4.4 − 0.8 s × 3/s is 2.0000000000000004 in binary floating point (a counter left by a larger plan).
    const policy = { burst: 3, perSecond: 3 }
    expect(drainedLevel({ level: 4.4, updatedAtMs: T0 }, T0 + 800, 3)).toBeGreaterThan(2)
    expect(takeSlot({ level: 4.4, updatedAtMs: T0 }, T0 + 800, policy).allowed).toBe(true)
    expect(takeSlot({ level: 4.4, updatedAtMs: T0 }, T0 + 799, policy).allowed).toBe(false)
  })
})

describe('the portal limit settings', () => {
  it('are off unless set, and name the documented plans', () => {
    expect(queryPolicy(undefined)).toBeUndefined()
    expect(queryPolicy({})).toBeUndefined()
    expect(queryPolicy({ queryLimit: 'off' })).toBeUndefined()
    expect(queryPolicy({ queryLimit: 'standard' })).toEqual({ burst: 50, perSecond: 2 })
    expect(queryPolicy({ queryLimit: 'enterprise' })).toEqual({ burst: 250, perSecond: 5 })
    expect(queryPolicy({ queryLimit: { burst: 2, perSecond: 5 } })).toEqual({ burst: 2, perSecond: 5 })
    expect(operatingLimitSeconds({})).toBeUndefined()
    expect(operatingLimitSeconds({ operatingLimit: 'off' })).toBeUndefined()
    expect(operatingLimitSeconds({ operatingLimit: { seconds: 420 } })).toBe(420)
  })

  it('treat a hand-edited nonsense value as off rather than failing every call', () => {
    const nonsense = [{ burst: 0, perSecond: 2 }, { burst: 5, perSecond: 0 }, 'fast', null] as unknown[]
    for (const queryLimit of nonsense) {
      expect(queryPolicy({ queryLimit } as never)).toBeUndefined()
    }
    expect(operatingLimitSeconds({ operatingLimit: { seconds: -1 } })).toBeUndefined()
    expect(operatingLimitSeconds({ operatingLimit: 'on' } as never)).toBeUndefined()
  })
})
