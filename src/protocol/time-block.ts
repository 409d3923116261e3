import { formatIsoWithOffset } from '../lib/format-date.js'

/**
 * The `time` object every successful answer carries (api-reference/data-types.md#time). jssdk destructures
 * it on every response and phpsdk/pysdk require start, finish, duration, processing, date_start and
 * date_finish (research/client-contract.md §4), so it is always complete.
 */
export interface TimeBlock {
  start: number
  finish: number
  duration: number
  processing: number
  date_start: string
  date_finish: string
  operating_reset_at: number
  operating: number
}

export interface TimeSpan {
  /** epoch ms when the request arrived */
  startMs: number
  /** epoch ms when the method callback started */
  processingStartMs: number
  /** epoch ms when the method callback finished */
  processingEndMs: number
  /** epoch ms when the answer was ready */
  finishMs: number
}

export function timeBlock(
  span: TimeSpan,
  offsetMinutes: number,
  operating = 0,
  operatingResetAtMs?: number,
): TimeBlock {
  const start = span.startMs / 1000
  const finish = span.finishMs / 1000
  return {
    start,
    finish,
    duration: finish - start,
    processing: (span.processingEndMs - span.processingStartMs) / 1000,
    date_start: formatIsoWithOffset(span.startMs, offsetMinutes),
    date_finish: formatIsoWithOffset(span.finishMs, offsetMinutes),
    // The operating-time limiter's 10-minute window (limits.md): when nothing has been counted, it resets
    // ten minutes after this call.
    operating_reset_at: Math.floor((operatingResetAtMs ?? span.startMs + 600_000) / 1000),
    operating,
  }
}
