/** Time is injected so tests can pin it and never sleep (DESIGN.md: "Time, ids and outbound HTTP are injected"). */
export interface Clock {
  /** Milliseconds since the Unix epoch, with sub-millisecond precision where the platform has it. */
  now(): number
}

export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
}

/** A clock that only moves when told to; for tests. */
export function fixedClock(startMs: number): Clock & { advance(ms: number): void; set(ms: number): void } {
  let current = startMs
  return {
    now: () => current,
    advance: (ms) => {
      current += ms
    },
    set: (ms) => {
      current = ms
    },
  }
}
