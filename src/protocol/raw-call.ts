/** What the HTTP edge hands the protocol core: one call, already decoded, with no framework types. */
export interface RawCall {
  /** the method name as it came in the URL (any case, `.json` already stripped) */
  methodName: string
  /** query and body parameters merged, PHP-decoded, with `auth` and telemetry keys removed */
  params: Record<string, unknown>
  credentials: Credentials
  transport: Transport
  /** an id for logs and for INTERNAL_SERVER_ERROR answers */
  requestId: string
  /** epoch ms when the request arrived */
  receivedAtMs: number
}

export type Credentials =
  { kind: 'webhook'; userId: string; code: string } | { kind: 'token'; token: string } | { kind: 'none' }

export interface Transport {
  secure: boolean
  /** Host header as sent, used to print URLs back (file links, OAuth endpoints) */
  host: string
  remoteAddress: string
}

export interface WireResponse {
  status: number
  body: unknown
  /** extra response headers (Retry-After of a throttled source) */
  headers?: Readonly<Record<string, string>>
}
