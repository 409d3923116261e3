/**
 * Results: rows (a workload's figures, or why it has none) with their target checks, printed as one table on
 * stdout and written as JSON to bench/results/<timestamp>.json and bench/results/latest.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './processes.js'
import type { Measurement } from './workloads.js'

export interface Check {
  /** the DESIGN.md target, e.g. "≥ 0.35× bare node" */
  readonly target: string
  /** the figure compared, e.g. "0.21× bare node" */
  readonly measured: string
  /** measured against the target, oriented so that ≥ 1 passes */
  readonly vsTarget: number
  readonly pass: boolean
}

export interface Row {
  readonly store: 'baseline' | 'sqlite' | 'postgres'
  readonly workload: string
  readonly status: 'measured' | 'not available' | 'error'
  readonly note?: string
  readonly unit?: 'req/s' | 'item-updates/s'
  readonly measurement?: Measurement
  /** a single timing (start-up), in ms */
  readonly valueMs?: number
  readonly rssMb?: number
  readonly checks: Check[]
}

/** A "higher is better" check: value ≥ min. */
export function atLeast(value: number, min: number, what: string, unit = '×'): Check {
  const vsTarget = value / min
  return {
    target: `≥ ${fmt(min)}${unit} ${what}`,
    measured: `${fmt(value)}${unit} ${what}`,
    vsTarget,
    pass: vsTarget >= 1,
  }
}

/** A "lower is better" check: value ≤ max. */
export function atMost(value: number, max: number, what: string, unit: string): Check {
  const vsTarget = value === 0 ? Number.POSITIVE_INFINITY : max / value
  return {
    target: `${what} ≤ ${fmt(max)} ${unit}`,
    measured: `${what} ${fmt(value)} ${unit}`,
    vsTarget,
    pass: vsTarget >= 1,
  }
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return '–'
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US')
  if (Math.abs(n) >= 10) return n.toFixed(1)
  return n.toFixed(2)
}

const HEADERS = [
  'store',
  'workload',
  'throughput',
  'p50 ms',
  'p99 ms',
  'RSS MB',
  'measured',
  'target',
  'vs target',
  'result',
]

export function table(rows: readonly Row[]): string {
  const lines: string[][] = []
  for (const row of rows) {
    const m = row.measurement
    const throughput =
      row.status !== 'measured'
        ? row.status
        : m !== undefined
          ? `${fmt(m.throughput)} ${row.unit ?? 'req/s'}`
          : row.valueMs !== undefined
            ? `${fmt(row.valueMs)} ms`
            : ''
    const rss = m?.rssMb ?? row.rssMb
    const first = row.checks[0]
    const result = (c: Check | undefined): string =>
      row.status !== 'measured' ? 'n/a' : c === undefined ? '' : c.pass ? 'PASS' : 'FAIL'
    lines.push([
      row.store,
      row.workload,
      throughput,
      m ? fmt(m.p50Ms) : '',
      m ? fmt(m.p99Ms) : '',
      rss === undefined ? '' : fmt(rss),
      first?.measured ?? '',
      first?.target ?? '',
      first ? `${fmt(first.vsTarget)}` : '',
      result(first),
    ])
    for (const check of row.checks.slice(1)) {
      lines.push(['', '', '', '', '', '', check.measured, check.target, fmt(check.vsTarget), result(check)])
    }
    if (row.note !== undefined) lines.push(['', `  ↳ ${row.note}`, '', '', '', '', '', '', '', ''])
  }
  const widths = HEADERS.map((h, i) =>
    Math.max(h.length, ...lines.filter((l) => !l[1]?.startsWith('  ↳')).map((l) => l[i]?.length ?? 0)),
  )
  const render = (cells: readonly string[]): string =>
    cells[1]?.startsWith('  ↳')
      ? `${' '.repeat(widths[0]!)} | ${cells[1]}`
      : cells
          .map((c, i) => ((i >= 2 && i <= 5) || i === 8 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
          .join(' | ')
          .trimEnd()
  return [render(HEADERS), widths.map((w) => '-'.repeat(w)).join('-|-'), ...lines.map(render)].join('\n')
}

export interface Report {
  readonly startedAt: string
  readonly finishedAt: string
  readonly mode: 'full' | 'quick'
  readonly settings: Record<string, unknown>
  readonly machine: Record<string, unknown>
  readonly notes: readonly string[]
  readonly rows: readonly Row[]
}

/** Writes the report; returns the path of the timestamped file. */
export function writeReport(report: Report): string {
  const dir = join(ROOT, 'bench/results')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${report.startedAt.replace(/[:.]/g, '-')}.json`)
  const text = `${JSON.stringify(report, null, 2)}\n`
  writeFileSync(file, text)
  writeFileSync(join(dir, 'latest.json'), text)
  return file
}
