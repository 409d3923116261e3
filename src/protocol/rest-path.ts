/**
 * Reads the REST URL forms real clients use (research/client-contract.md §1, §11):
 * `/rest/{userId}/{code}/{method}` (webhook) and `/rest/{method}` (OAuth, `auth` in the parameters), with an
 * optional `.json` suffix (pysdk, CRest), a trailing slash (phpsdk), duplicate slashes (jssdk OAuth sends
 * `/rest//crm.item.update`) and any letter case in the method name (phpsdk lower-cases it).
 */
export type RestPath =
  | {
      kind: 'v2'
      methodName: string
      transport: 'json' | 'xml'
      webhook: { userId: string; code: string } | undefined
    }
  | { kind: 'v3'; methodName: string }
  | { kind: 'other' }

export function parseRestPath(pathname: string): RestPath {
  const segments: string[] = []
  for (const segment of pathname.split('/')) {
    // Only a segment with an escape needs decoding; decodeURIComponent leaves any other as it is.
    if (segment !== '') segments.push(segment.includes('%') ? safeDecode(segment) : segment)
  }
  if (segments[0]?.toLowerCase() !== 'rest') return { kind: 'other' }
  const rest = segments.slice(1)
  if (rest[0]?.toLowerCase() === 'api' && (rest.length === 2 || rest.length === 4)) {
    return { kind: 'v3', methodName: rest[rest.length - 1] ?? '' }
  }
  if (rest.length !== 1 && rest.length !== 3) return { kind: 'other' }
  const last = rest[rest.length - 1] ?? ''
  const suffix = /\.(json|xml)$/i.exec(last)
  const methodName = suffix === null ? last : last.slice(0, -suffix[0].length)
  const transport = suffix?.[1]?.toLowerCase() === 'xml' ? 'xml' : 'json'
  const webhook = rest.length === 3 ? { userId: rest[0] ?? '', code: rest[1] ?? '' } : undefined
  return { kind: 'v2', methodName, transport, webhook }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}
