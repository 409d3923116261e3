import { createServer as createHttpServer, STATUS_CODES } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { randomUUID } from 'node:crypto'
import type { Socket } from 'node:net'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { App } from '../app.js'
import { handleCall, errorResponse } from '../protocol/handle-call.js'
import { RestError } from '../protocol/errors.js'
import { parseRestPath } from '../protocol/rest-path.js'
import { decodeRequestParams } from '../protocol/params/decode-body.js'
import type { Credentials, RawCall, WireResponse } from '../protocol/raw-call.js'
import type { AdminToken } from './admin-token.js'
import { registerAdminApi } from './admin-api.js'
import { registerOAuthRoutes } from './oauth-routes.js'
import { registerFileRoutes } from './file-routes.js'
import { redactUrl } from '../lib/redact.js'

/** @2bad/bitrix sends whole batches in the URL (~31 KB); Node's default 16 KiB header limit answers 431. */
const MAX_HEADER_SIZE = 1024 * 1024

/** Query keys the SDKs add for their own tracing; they are never method parameters (client-contract.md §11). */
const TELEMETRY_KEYS = ['bx24_request_id', 'bx24_sdk_ver', 'bx24_sdk_type'] as const

export interface EdgeOptions {
  tls?: { key: string; cert: string }
  /** mounts the admin API (/_admin/…) guarded by this token */
  adminToken?: AdminToken
}

/**
 * The HTTP edge: URL forms and bodies in, wire responses out. Everything Bitrix-specific happens in the
 * protocol core (protocol/handle-call.ts); this file only translates.
 */
export function buildHttpServer(app: App, options: EdgeOptions = {}): FastifyInstance {
  const secure = options.tls !== undefined
  const fastify = Fastify({
    logger: false,
    bodyLimit: app.config.bodyLimit,
    clientErrorHandler: answerClientError,
    serverFactory: (handler) =>
      options.tls === undefined
        ? createHttpServer({ maxHeaderSize: MAX_HEADER_SIZE }, handler)
        : createHttpsServer({ maxHeaderSize: MAX_HEADER_SIZE, ...options.tls }, handler),
  })
  // Bodies are decoded by the protocol layer (PHP rules, invalid JSON = no parameters), so take them raw.
  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))

  fastify.setErrorHandler((error: { code?: string; statusCode?: number }, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return send(
        reply,
        errorResponse(
          RestError.system(
            'REQUEST_ENTITY_TOO_LARGE',
            `Request body is larger than the server accepts (${app.config.bodyLimit} bytes; B24_BODY_LIMIT)`,
          ),
        ),
      )
    }
    const requestId = randomUUID()
    app.log.error({ err: error, requestId, url: redactUrl(request.url) }, 'request failed at the HTTP edge')
    const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500
    const code = status < 500 ? 'INVALID_REQUEST' : 'INTERNAL_SERVER_ERROR'
    return send(reply, {
      status,
      body: { error: code, error_description: `The request could not be read (request ${requestId})` },
    })
  })

  if (options.adminToken !== undefined) registerAdminApi(fastify, app, options.adminToken.token)
  registerOAuthRoutes(fastify, app)
  registerFileRoutes(fastify, app)

  fastify.all('*', async (request, reply) => {
    // Split by hand: `new URL('//rest//…')` would read a leading `//` as a host (jssdk OAuth sends `//`).
    const queryAt = request.url.indexOf('?')
    const pathname = queryAt === -1 ? request.url : request.url.slice(0, queryAt)
    const query = queryAt === -1 ? '' : request.url.slice(queryAt + 1)
    const path = parseRestPath(pathname)
    if (path.kind === 'other') {
      return send(reply, { status: 404, body: { error: 'NOT_FOUND', error_description: 'Not found' } })
    }
    if (path.kind === 'v3') {
      // REST v3 covers no CRM method (client-contract.md §9); answer the way v3 says "no such method".
      return send(reply, {
        status: 404,
        body: {
          error: {
            code: 'BITRIX_REST_V3_EXCEPTION_METHODNOTFOUNDEXCEPTION',
            message: `Method '${path.methodName}' not found`,
          },
        },
      })
    }
    if (path.transport === 'xml') {
      return send(
        reply,
        errorResponse(
          new RestError('INVALID_REQUEST', 'The XML transport is not supported; use .json or no suffix', 400),
        ),
      )
    }
    const call = readCall(request, query, path.methodName, path.webhook, secure, app.clock.now())
    return send(reply, await handleCall(app, call))
  })
  return fastify
}

function readCall(
  request: FastifyRequest,
  query: string,
  methodName: string,
  webhook: { userId: string; code: string } | undefined,
  secure: boolean,
  nowMs: number,
): RawCall {
  const body = Buffer.isBuffer(request.body) ? request.body : undefined
  const params = decodeRequestParams({
    query,
    body,
    contentType: request.headers['content-type'],
  })
  // `delete` turns an object into a slow dictionary, which every later read of the parameters pays for; most
  // calls carry none of these keys.
  for (const key of TELEMETRY_KEYS) if (key in params) delete params[key]
  const credentials =
    webhook === undefined ? tokenCredentials(request, params) : { kind: 'webhook' as const, ...webhook }
  if ('auth' in params) delete params['auth']
  return {
    methodName,
    params,
    credentials,
    transport: {
      secure,
      host: request.headers.host ?? '',
      remoteAddress: request.socket.remoteAddress ?? '',
    },
    requestId: randomUUID(),
    receivedAtMs: nowMs,
  }
}

/** OAuth: `Authorization: Bearer`, else `auth`, else `access_token` (server-behaviour.md §3 item 63). */
function tokenCredentials(request: FastifyRequest, params: Record<string, unknown>): Credentials {
  const header = request.headers.authorization
  if (typeof header === 'string' && /^bearer\s+\S/i.test(header)) {
    return { kind: 'token', token: header.replace(/^bearer\s+/i, '').trim() }
  }
  for (const key of ['auth', 'access_token']) {
    const value = params[key]
    if (typeof value === 'string' && value !== '') return { kind: 'token', token: value }
  }
  return { kind: 'none' }
}

/**
 * Requests Node's HTTP parser refuses never reach a route: raw non-ASCII bytes in the request line, broken
 * header lines, headers over MAX_HEADER_SIZE, a request not received within Node's timeouts. Fastify's own
 * answer is not a Bitrix error and has no `Connection: close`, so a keep-alive client put the socket back in
 * its pool and its next request failed with "socket hang up" (test/reliability bad-clients). The socket is
 * closed after this answer, as Node's default does.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const status =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400
  const description =
    status === 408
      ? 'The request was not received in time'
      : status === 431
        ? `Request headers are larger than the server accepts (${MAX_HEADER_SIZE} bytes)`
        : 'The request is not valid HTTP'
  const body = JSON.stringify({ error: 'INVALID_REQUEST', error_description: description })
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy()
}

function send(reply: FastifyReply, response: WireResponse): FastifyReply {
  if (response.headers !== undefined) void reply.headers(response.headers)
  return reply
    .status(response.status)
    .header('content-type', 'application/json; charset=utf-8')
    .header('access-control-allow-origin', '*')
    .header('x-content-type-options', 'nosniff')
    .send(JSON.stringify(response.body))
}
