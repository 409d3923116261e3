import pino, { type DestinationStream, type Logger } from 'pino'
import { REDACTED, isSecretParam, redactParams, redactText, redactUrl } from './redact.js'

/** Keys whose value is a secret wherever it appears in a log object, top level or one level down. */
const SECRET_KEYS = [
  'auth',
  'token',
  'access_token',
  'refresh_token',
  'client_secret',
  'application_token',
  'password',
  'adminToken',
  'admin_token',
  'authorization',
]

/**
 * Paths pino masks. `code` is masked only where it is a request parameter: `err.code` is an error code
 * (SQLITE_BUSY, 23505) the log needs.
 */
const REDACT_PATHS = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`]),
  ...['params', 'query', 'body'].flatMap((where) => [`${where}.code`, `*.${where}.code`]),
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["x-b24-admin-token"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-b24-admin-token"]',
]

/**
 * The server's logger. Besides the redact paths, the serializers mask what a path cannot reach: a URL's
 * webhook code and secret query values (`url`), secret parameters at any depth (`params`, `query`, `body`),
 * and URLs or tokens quoted in an error's message and stack (`err`).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: {
      err: serializeError,
      url: (value: unknown) => (typeof value === 'string' ? redactUrl(value) : value),
      params: (value: unknown) => redactParams(value),
      query: (value: unknown) => redactParams(value),
      body: (value: unknown) => redactParams(value),
    },
  }
  return destination === undefined ? pino(options) : pino(options, destination)
}

/** pino's error serializer, then every string in it through redactText (`code` stays: it is the error's). */
function serializeError(error: unknown): unknown {
  const serialized: unknown = pino.stdSerializers.err(error as Error)
  if (typeof serialized !== 'object' || serialized === null) return serialized
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(serialized)) {
    if (key !== 'code' && isSecretParam(key)) out[key] = REDACTED
    else if (typeof value === 'string') out[key] = key === 'code' ? value : redactText(value)
    else out[key] = redactParams(value)
  }
  return out
}
