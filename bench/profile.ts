/**
 * `--profile`: the server runs the crm.item.update workload under `node --cpu-prof`; this reads the
 * .cpuprofile it writes on exit and lists the functions with the most self time.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { ROOT } from './processes.js'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
}
interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

export interface SelfTime {
  readonly fn: string
  readonly where: string
  readonly ms: number
  readonly share: number
}

export function topSelfTime(dir: string, limit = 25): SelfTime[] {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
  if (file === undefined) throw new Error(`no .cpuprofile in ${dir}`)
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const totals = new Map<string, { fn: string; where: string; us: number }>()
  let all = 0
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)
    const us = profile.timeDeltas[i] ?? 0
    if (node === undefined) return
    const { functionName, url, lineNumber } = node.callFrame
    if (functionName === '(idle)') return
    all += us
    const path = url.startsWith('file://') ? relative(ROOT, new URL(url).pathname) : url
    const where = path === '' ? '' : `${path}:${lineNumber + 1}`
    const key = `${functionName}@${where}`
    const entry = totals.get(key) ?? { fn: functionName || '(anonymous)', where, us: 0 }
    entry.us += us
    totals.set(key, entry)
  })
  return [...totals.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, limit)
    .map((e) => ({ fn: e.fn, where: e.where, ms: e.us / 1000, share: all === 0 ? 0 : e.us / all }))
}

export function formatSelfTime(entries: readonly SelfTime[]): string {
  return entries
    .map(
      (e) =>
        `${(e.share * 100).toFixed(1).padStart(5)}%  ${e.ms.toFixed(0).padStart(6)} ms  ${e.fn}  ${e.where}`,
    )
    .join('\n')
}
