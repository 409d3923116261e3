import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import pino from 'pino'
import { createApp, type App } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { fixedClock, type Clock } from '../../src/lib/clock.js'
import { buildHttpServer } from '../../src/http/server.js'
import { ensureBootstrap } from '../../src/portal/bootstrap.js'
import { openTestStore, type TestStoreKind } from './test-store.js'

export const TEST_WEBHOOK_CODE = 'testhooksecret'
export const ADMIN_TOKEN = 'test-admin-token'

export interface TestApp {
  app: App
  http: FastifyInstance
  clock: Clock & { advance(ms: number): void; set(ms: number): void }
  /** `/rest/1/testhooksecret/` — the bootstrap webhook of the default portal (admin user 1, every scope) */
  hookPath: string
  /** calls a method through the real HTTP edge; `via` picks the encoding a client would use */
  call(method: string, params?: Record<string, unknown>, options?: CallOptions): Promise<CallResult>
  inject(options: InjectOptions): Promise<LightMyRequestResponse>
  close(): Promise<void>
}

export interface CallOptions {
  via?: 'json' | 'form' | 'get'
  /** another path prefix, e.g. another webhook's `/rest/7/abc/` or `/rest/` for token auth */
  prefix?: string
}

export interface CallResult {
  status: number
  body: Record<string, unknown>
}

/** 2026-01-15T10:00:00Z — tests pin time; nothing sleeps. */
export const TEST_START_MS = Date.UTC(2026, 0, 15, 10, 0, 0)

export async function createTestApp(
  options: { store?: TestStoreKind; env?: Record<string, string> } = {},
): Promise<TestApp> {
  const clock = fixedClock(TEST_START_MS)
  const config = {
    ...loadConfig({ B24_DATA_DIR: '/nonexistent-b24crm-test', ...options.env }),
    adminToken: ADMIN_TOKEN,
  }
  const store = await openTestStore(options.store ?? 'sqlite')
  const app = await createApp(config, { clock, store, log: pino({ level: 'silent' }) })
  await ensureBootstrap(app.store, TEST_WEBHOOK_CODE, clock.now())
  const http = buildHttpServer(app, { adminToken: { token: ADMIN_TOKEN, source: 'test' } })
  await http.ready()
  const hookPath = `/rest/1/${TEST_WEBHOOK_CODE}/`
  return {
    app,
    http,
    clock,
    hookPath,
    inject: (injectOptions) => http.inject(injectOptions),
    call: async (method, params = {}, callOptions = {}) => {
      const prefix = callOptions.prefix ?? hookPath
      const via = callOptions.via ?? 'json'
      const url = `${prefix}${method}`
      const response =
        via === 'json'
          ? await http.inject({
              method: 'POST',
              url,
              payload: params,
              headers: { 'content-type': 'application/json' },
            })
          : via === 'form'
            ? await http.inject({
                method: 'POST',
                url,
                payload: toPhpQuery(params),
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
              })
            : await http.inject({ method: 'GET', url: `${url}?${toPhpQuery(params)}` })
      return { status: response.statusCode, body: response.json() as Record<string, unknown> }
    },
    close: async () => {
      await http.close()
      await app.close()
    },
  }
}

/** Encodes like PHP's http_build_query (CRest): nested keys in brackets, true → 1, false → 0, null dropped. */
export function toPhpQuery(params: Record<string, unknown>): string {
  const pairs: string[] = []
  const walk = (prefix: string, value: unknown): void => {
    if (value === null || value === undefined) return
    if (typeof value === 'object') {
      for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
        walk(prefix === '' ? key : `${prefix}[${key}]`, inner)
      }
      return
    }
    const scalar = typeof value === 'boolean' ? (value ? '1' : '0') : String(value)
    pairs.push(`${encodeURIComponent(prefix)}=${encodeURIComponent(scalar)}`)
  }
  walk('', params)
  return pairs.join('&')
}
