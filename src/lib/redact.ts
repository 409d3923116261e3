/**
 * Credentials never reach the logs (issue "Who may do what": "no credential ever written to logs"). Secrets
 * travel in three places of a request, and each has its mask here:
 * - the path of a webhook URL, `/rest/{userId}/{code}/{method}` (redactUrl);
 * - parameters, in the query string or a body: `auth`, `access_token`, `refresh_token`, `client_secret`, an
 *   OAuth `code` … (redactUrl for query strings, redactParams for decoded objects);
 * - headers: `Authorization`, `X-B24-Admin-Token` (pino's redact paths, lib/log.ts).
 * redactText applies the first two to free text such as an error message.
 */

export const REDACTED = '[redacted]'

/** Parameter names whose values are secrets, compared in lower case; `auth[access_token]` matches too. */
const SECRET_PARAMS: ReadonlySet<string> = new Set([
  'auth',
  'access_token',
  'refresh_token',
  'client_secret',
  'code',
  'password',
  'token',
  'application_token',
  'admin_token',
])

/** Whether a parameter (or a header turned into one) carries a secret: its name or any `[segment]` of it. */
export function isSecretParam(name: string): boolean {
  const lower = name.toLowerCase()
  if (SECRET_PARAMS.has(lower)) return true
  const base = lower.split('[', 1)[0] ?? ''
  if (SECRET_PARAMS.has(base)) return true
  return [...lower.matchAll(/\[([^\]]*)\]/g)].some((match) => SECRET_PARAMS.has(match[1] ?? ''))
}

/**
 * A request URL (path and query, as `request.url` holds it) safe to log: the webhook code in the path and the
 * values of secret parameters in the query become `[redacted]`; everything else stays as sent.
 */
export function redactUrl(url: string): string {
  const queryAt = url.indexOf('?')
  const path = queryAt === -1 ? url : url.slice(0, queryAt)
  const query = queryAt === -1 ? undefined : url.slice(queryAt + 1)
  return query === undefined ? redactPath(path) : `${redactPath(path)}?${redactQuery(query)}`
}

/**
 * `/rest/{userId}/{code}/…` (also `/rest/api/{userId}/{code}/…`, doubled slashes, any case): the segment after
 * the user id is the webhook's secret. `/rest/{method}` and the token endpoint `/rest/oauth/token` hold none.
 */
function redactPath(path: string): string {
  const segments = path.split('/')
  const filled = segments.map((segment, index) => ({ segment, index })).filter((s) => s.segment !== '')
  if (decode(filled[0]?.segment ?? '').toLowerCase() !== 'rest') return path
  let rest = filled.slice(1)
  if (decode(rest[0]?.segment ?? '').toLowerCase() === 'api') rest = rest.slice(1)
  const code = rest[1]
  if (code === undefined || decode(rest[0]?.segment ?? '').toLowerCase() === 'oauth') return path
  segments[code.index] = REDACTED
  return segments.join('/')
}

function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=')
      const name = eq === -1 ? pair : pair.slice(0, eq)
      return eq !== -1 && isSecretParam(decode(name.replace(/\+/g, ' '))) ? `${name}=${REDACTED}` : pair
    })
    .join('&')
}

/** A copy of decoded parameters (a body, a query object) with every secret value replaced, at any depth. */
export function redactParams(value: unknown, depth = 0): unknown {
  if (depth > 16 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((item) => redactParams(item, depth + 1))
  if (Buffer.isBuffer(value)) return value
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    out[key] = isSecretParam(key) ? REDACTED : redactParams(inner, depth + 1)
  }
  return out
}

/**
 * Free text (an error message or stack) with anything that looks like a webhook path, a secret `name=value`
 * pair or a bearer token masked.
 */
export function redactText(text: string): string {
  return text
    .replace(/(\/rest\/+(?:api\/+)?)([^/\s?#"']+)(\/+)([^/\s?#"']+)/gi, (whole, head, first, slash) =>
      String(first).toLowerCase() === 'oauth' ? String(whole) : `${head}${first}${slash}${REDACTED}`,
    )
    .replace(/([A-Za-z_][\w[\]%]*)=([^&\s"',;]+)/g, (whole, name) =>
      isSecretParam(decode(String(name))) ? `${name}=${REDACTED}` : String(whole),
    )
    .replace(/\b(bearer)\s+[^\s"',;]+/gi, `$1 ${REDACTED}`)
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
