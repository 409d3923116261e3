/**
 * The load tool: wrk (from a second process, precise latencies; research/stack-trials.md §3.6) with a Lua
 * script that replays pre-built requests, or autocannon when wrk is not installed. Both run 10 connections
 * and report the same figures: requests/s, p50, p99 and the number of failed requests.
 */
import { execFile } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ROOT } from './processes.js'

export interface LoadRequest {
  readonly method: 'GET' | 'POST' | 'PATCH'
  readonly path: string
  /** JSON text on one line; absent for GET */
  readonly body?: string
}

export interface LoadFigures {
  readonly rps: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly requests: number
  /** non-2xx answers plus socket errors and timeouts */
  readonly errors: number
}

export interface LoadTool {
  readonly name: 'wrk' | 'autocannon'
  run(baseUrl: string, requests: readonly LoadRequest[], seconds: number): Promise<LoadFigures>
}

export const CONNECTIONS = 10
const WRK = '/usr/bin/wrk'

export function pickLoadTool(tempDir: string, forced?: string): LoadTool {
  const wrk = forced === 'wrk' || (forced === undefined && (existsSync(WRK) || onPath('wrk')))
  return wrk ? wrkTool(tempDir) : autocannonTool()
}

function onPath(command: string): boolean {
  return (process.env['PATH'] ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, command)))
}

function wrkTool(tempDir: string): LoadTool {
  const binary = existsSync(WRK) ? WRK : 'wrk'
  let written = 0
  return {
    name: 'wrk',
    async run(baseUrl, requests, seconds) {
      const file = join(tempDir, `requests-${++written}.tsv`)
      writeFileSync(file, requests.map((r) => `${r.method}\t${r.path}\t${r.body ?? ''}\n`).join(''))
      const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', '--timeout', '10s']
      args.push('-s', join(ROOT, 'bench/wrk-requests.lua'), baseUrl, '--', file)
      const { stdout } = await promisify(execFile)(binary, args, { maxBuffer: 1 << 20 })
      return parseWrk(stdout)
    },
  }
}

/** Reads wrk's --latency report: "Requests/sec:", the 50% and 99% lines, error counters. */
export function parseWrk(output: string): LoadFigures {
  const number = (re: RegExp): number => Number(re.exec(output)?.[1] ?? 0)
  const percentile = (p: string): number => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(output)
    if (m === null) return Number.NaN
    const scale = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2] as 'us' | 'ms' | 's' | 'm']
    return Number(m[1]) * scale
  }
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output)
  const socketErrors = socket === null ? 0 : socket.slice(1).reduce((sum, n) => sum + Number(n), 0)
  const rps = number(/Requests\/sec:\s+([\d.]+)/)
  if (!(rps >= 0) || !output.includes('Requests/sec')) throw new Error(`cannot read wrk output:\n${output}`)
  return {
    rps,
    p50Ms: percentile('50'),
    p99Ms: percentile('99'),
    requests: number(/(\d+) requests in/),
    errors: number(/Non-2xx or 3xx responses: (\d+)/) + socketErrors,
  }
}

interface AutocannonResult {
  requests: { average: number; total: number }
  latency: { p50: number; p99: number }
  non2xx: number
  errors: number
  timeouts: number
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>

function autocannonTool(): LoadTool {
  // autocannon ships no types; it is a devDependency
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon
  return {
    name: 'autocannon',
    async run(baseUrl, requests, seconds) {
      let next = 0
      const result = await autocannon({
        url: baseUrl,
        connections: CONNECTIONS,
        duration: seconds,
        requests: [
          {
            setupRequest: (request: Record<string, unknown>) => {
              const r = requests[next++ % requests.length] as LoadRequest
              const headers = r.body === undefined ? {} : { 'content-type': 'application/json' }
              return { ...request, method: r.method, path: r.path, body: r.body, headers }
            },
          },
        ],
      })
      return {
        rps: result.requests.average,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        requests: result.requests.total,
        errors: result.non2xx + result.errors + result.timeouts,
      }
    },
  }
}
