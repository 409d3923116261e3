/**
 * The error catalog: every wire error the protocol layer produces, with the HTTP status and description
 * Bitrix24 documents for it (spec/b24restdocs/_includes/system-errors.md, error-codes.md, limits.md).
 * Method families add their own codes (legacy CRM's empty code, crm.item's NOT_FOUND …) through RestError
 * directly; the codes every method can produce live here so the status and text are written once.
 */
export const SYSTEM_ERRORS = {
  INTERNAL_SERVER_ERROR: { status: 500, description: 'Internal server error' },
  ERROR_UNEXPECTED_ANSWER: { status: 500, description: 'Server returned an unexpected response' },
  QUERY_LIMIT_EXCEEDED: { status: 503, description: 'Too many requests' },
  OPERATION_TIME_LIMIT: { status: 429, description: 'Method is blocked due to operation time limit.' },
  ERROR_BATCH_METHOD_NOT_ALLOWED: { status: 405, description: 'Method is not allowed for batch usage' },
  ERROR_BATCH_LENGTH_EXCEEDED: { status: 400, description: 'Max batch length exceeded' },
  NO_AUTH_FOUND: { status: 401, description: 'Wrong authorization data' },
  INVALID_REQUEST: { status: 400, description: 'Https required.' },
  OVERLOAD_LIMIT: { status: 503, description: 'REST API is blocked due to overload.' },
  ACCESS_DENIED: { status: 403, description: 'Access denied.' },
  // The docs table gives 403, the server source answers 401 (server-behaviour.md §3 item 63); clients only
  // read the code. We follow the observed server: see docs/compatibility.md.
  INVALID_CREDENTIALS: { status: 401, description: 'Invalid request credentials' },
  insufficient_scope: {
    status: 403,
    description: 'The request requires higher privileges than provided by the webhook token',
  },
  expired_token: { status: 401, description: 'The access token provided has expired' },
  invalid_token: { status: 401, description: 'The access token provided is invalid' },
  user_access_error: { status: 403, description: 'The user does not have access to the application.' },
  ERROR_METHOD_NOT_FOUND: { status: 404, description: 'Method not found!' },
  // Our own: a body over the configured limit. Real portals answer from their web server (nginx 413) with an
  // HTML page; a JSON envelope with the same status is what every SDK can read. See docs/compatibility.md.
  REQUEST_ENTITY_TOO_LARGE: { status: 413, description: 'Request body is larger than the server accepts' },
  INVALID_ARG_VALUE: { status: 400, description: 'Invalid argument value' },
} as const satisfies Record<string, { status: number; description: string }>

export type SystemErrorCode = keyof typeof SYSTEM_ERRORS

/**
 * An error that goes on the wire as `{error, error_description}` with `status`. `code` is a string because
 * Bitrix24 uses symbolic codes, the empty string (legacy CRM) and numbers-as-strings alike; `wireCode` keeps
 * a numeric code numeric when a page documents it so (`{"error":0,…}`, `{"error":100,…}`).
 */
export class RestError extends Error {
  readonly code: string
  readonly status: number
  readonly wireCode: string | number
  /** Extra keys some errors carry next to `error` and `error_description` (e.g. `argument`). */
  readonly extra: Readonly<Record<string, unknown>> | undefined

  constructor(
    code: string | number,
    description: string,
    status = 400,
    extra?: Readonly<Record<string, unknown>>,
  ) {
    super(description)
    this.name = 'RestError'
    this.code = String(code)
    this.wireCode = code
    this.status = status
    this.extra = extra
  }

  static system(code: SystemErrorCode, description?: string): RestError {
    const entry = SYSTEM_ERRORS[code]
    return new RestError(code, description ?? entry.description, entry.status)
  }
}

export function isRestError(error: unknown): error is RestError {
  return error instanceof RestError
}
