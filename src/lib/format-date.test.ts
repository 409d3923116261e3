import { describe, expect, it } from 'vitest'
import { formatIsoWithOffset, storedInstant } from './format-date.js'

/** The formatters remember the last instant they printed; what they print must not depend on it. */
describe('date formatting', () => {
  const instants = [
    Date.UTC(2026, 0, 15, 10, 0, 0),
    Date.UTC(2026, 0, 15, 10, 0, 0, 999),
    Date.UTC(2026, 0, 15, 10, 0, 1),
    Date.UTC(1969, 11, 31, 23, 59, 59, 500),
    0,
    Date.UTC(2025, 8, 9, 13, 31, 11, 250),
  ]
  const offsets = [0, 180, -300, 330, -570]

  it('prints PHP date("c") in a fixed offset, whatever was printed before', () => {
    const expected = (ms: number, offset: number): string => {
      const shifted = new Date(Math.floor(ms / 1000) * 1000 + offset * 60_000).toISOString().slice(0, 19)
      const abs = Math.abs(offset)
      const hours = String(Math.floor(abs / 60)).padStart(2, '0')
      return `${shifted}${offset < 0 ? '-' : '+'}${hours}:${String(abs % 60).padStart(2, '0')}`
    }
    for (const first of instants) {
      for (const offset of offsets) {
        for (const second of instants) {
          for (const otherOffset of offsets) {
            formatIsoWithOffset(first, offset)
            expect(formatIsoWithOffset(second, otherOffset)).toBe(expected(second, otherOffset))
          }
        }
      }
    }
    expect(formatIsoWithOffset(Date.UTC(2025, 8, 9, 13, 31, 11), 180)).toBe('2025-09-09T16:31:11+03:00')
  })

  it('prints the stored form, whatever was printed before', () => {
    for (const first of instants) {
      for (const second of instants) {
        storedInstant(first)
        expect(storedInstant(second)).toBe(
          `${new Date(Math.floor(second / 1000) * 1000).toISOString().slice(0, 19)}Z`,
        )
      }
    }
    expect(storedInstant(Date.UTC(2026, 0, 15, 10, 0, 0, 750))).toBe('2026-01-15T10:00:00Z')
  })

  it('still refuses an instant outside the calendar', () => {
    expect(() => storedInstant(8.64e15 + 1000)).toThrow(RangeError)
    expect(() => formatIsoWithOffset(Number.NaN, 0)).toThrow(RangeError)
  })
})
