/** The last instant each formatter printed: most calls print the instant the call before printed. */
let lastFormatted = { second: NaN, offsetMinutes: NaN, text: '' }
let lastStored = { second: NaN, text: '' }

/**
 * Formats an instant the way PHP's `date('c')` does in a fixed UTC offset: `2025-09-09T16:31:11+03:00`.
 * Bitrix24 prints every date of the REST envelope and of CRM items in the portal's time zone with its offset
 * (api-reference/data-types.md). The offset is in minutes east of UTC.
 */
export function formatIsoWithOffset(epochMs: number, offsetMinutes: number): string {
  const second = Math.floor(epochMs / 1000)
  // Every answer prints its start and finish (and server.time the time), nearly always the same second.
  if (second === lastFormatted.second && offsetMinutes === lastFormatted.offsetMinutes) {
    return lastFormatted.text
  }
  const shifted = new Date(second * 1000 + offsetMinutes * 60_000)
  const sign = offsetMinutes < 0 ? '-' : '+'
  const abs = Math.abs(offsetMinutes)
  const offset = `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  const text = `${shifted.toISOString().slice(0, 19)}${offset}`
  lastFormatted = { second, offsetMinutes, text }
  return text
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n)
}

/**
 * The stored form of an instant: UTC at second precision, `2026-01-15T10:00:00Z`. Fixed width, so text order
 * is time order in SQLite and PostgreSQL alike (store/list-query.ts reads and compares the same form).
 */
export function storedInstant(epochMs: number): string {
  const second = Math.floor(epochMs / 1000)
  // A write stamps its item, history and outbox rows with the same instant.
  if (second === lastStored.second) return lastStored.text
  const text = `${new Date(second * 1000).toISOString().slice(0, 19)}Z`
  lastStored = { second, text }
  return text
}
