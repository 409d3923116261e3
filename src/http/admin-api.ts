import { createHash, timingSafeEqual } from 'node:crypto'
import { BlockList, isIPv4 } from 'node:net'
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify'
import type { App } from '../app.js'
import {
  AdminError,
  portalCreate,
  portalList,
  portalShow,
  portalUpdateSettings,
  userCreate,
  userList,
  webhookCreate,
  webhookDelete,
  webhookList,
  type InputIssue,
  appCreate,
  appDelete,
  appList,
  appMintTokens,
  appSetInstalled,
  appShow,
  crmAdminList,
  crmAdminSet,
  departmentCreate,
  departmentDelete,
  departmentList,
  departmentUpdate,
  roleCreate,
  roleDelete,
  roleList,
  roleShow,
  roleUpdate,
  userSetDepartments,
} from '../admin/operations.js'
import { originOf } from './request-host.js'
import { AuthThrottledError } from '../auth/auth-throttle.js'
import { redactUrl } from '../lib/redact.js'

/**
 * The admin HTTP API under /_admin/: JSON in, JSON out, for creating portals, users, webhooks and OAuth
 * applications from scripts and test harnesses (DESIGN.md "The surface users script against"). The
 * operations themselves live in admin/operations.ts and are shared with the CLI; this file adds the guard
 * (loopback + token), body decoding and the mapping of results and errors to HTTP.
 */
export function registerAdminApi(fastify: FastifyInstance, app: App, token: string): void {
  const expected = digest(token)
  const { store } = app
  const now = (): number => app.clock.now()

  const route = (method: HTTPMethods | HTTPMethods[], url: string, handler: AdminHandler): void => {
    fastify.route({
      method,
      url: `/_admin${url}`,
      handler: async (request, reply) => {
        // Wrong admin tokens count towards the source's failed authentications (auth/auth-throttle.ts).
        const source = request.socket.remoteAddress ?? ''
        try {
          await app.authThrottle.check(source, now())
        } catch (error) {
          if (error instanceof AuthThrottledError) return send(reply, throttled(error))
          throw error
        }
        const refusal = guard(request, expected, token !== '', app.config.adminAllowRemote)
        if (refusal !== undefined) {
          if (refusal.status === 401 && presentedToken(request) !== undefined)
            await app.authThrottle.fail(source, now())
          return send(reply, refusal)
        }
        try {
          const outcome = await handler(request, { body: () => readJsonBody(request) })
          return send(reply, outcome)
        } catch (error) {
          if (error instanceof AdminError) return send(reply, errorOutcome(error))
          app.log.error({ err: error, url: redactUrl(request.url) }, 'admin API request failed')
          return send(reply, {
            status: 500,
            body: {
              error: 'ADMIN_INTERNAL_ERROR',
              error_description: 'The admin operation failed; see the server log',
            },
          })
        }
      },
    })
  }

  route('GET', '/portals', async () => ok({ portals: await portalList(store) }))
  route('POST', '/portals', async (_request, input) =>
    created(await portalCreate(store, input.body(), now())),
  )
  route('GET', '/portals/:portalId', async (request) => ok(await portalShow(store, portalIdOf(request))))
  route('PATCH', '/portals/:portalId/settings', async (request, input) =>
    ok(await portalUpdateSettings(store, portalIdOf(request), input.body())),
  )
  route('GET', '/portals/:portalId/users', async (request) =>
    ok({ users: await userList(store, portalIdOf(request)) }),
  )
  route('POST', '/portals/:portalId/users', async (request, input) =>
    created(await userCreate(store, portalIdOf(request), input.body(), now())),
  )
  route('GET', '/portals/:portalId/webhooks', async (request) =>
    ok({ webhooks: await webhookList(store, portalIdOf(request), now()) }),
  )
  route('POST', '/portals/:portalId/webhooks', async (request, input) => {
    const webhook = await webhookCreate(store, portalIdOf(request), input.body(), now())
    // Ready to paste: the URL of the listener this request came through (its scheme and Host header).
    return created({ ...webhook, url: `${originOf(request)}${webhook.path}` })
  })
  route('DELETE', '/portals/:portalId/webhooks/:webhookId', async (request) => {
    const webhookId = idParam(request, 'webhookId', 'WEBHOOK_NOT_FOUND')
    await webhookDelete(store, portalIdOf(request), webhookId)
    return ok({ id: webhookId, deleted: true })
  })

  // OAuth applications: the card (client secret shown once), installation, and tokens without a browser.
  route('GET', '/portals/:portalId/apps', async (request) =>
    ok({ apps: await appList(store, portalIdOf(request)) }),
  )
  route('POST', '/portals/:portalId/apps', async (request, input) =>
    created(await appCreate(store, portalIdOf(request), input.body(), now())),
  )
  route('GET', '/portals/:portalId/apps/:appId', async (request) =>
    ok(await appShow(store, portalIdOf(request), appIdOf(request))),
  )
  route('DELETE', '/portals/:portalId/apps/:appId', async (request) => {
    const appId = appIdOf(request)
    await appDelete(store, portalIdOf(request), appId)
    return ok({ id: appId, deleted: true })
  })
  route('POST', '/portals/:portalId/apps/:appId/install', async (request) =>
    ok(await appSetInstalled(store, portalIdOf(request), appIdOf(request), true, now())),
  )
  route('POST', '/portals/:portalId/apps/:appId/uninstall', async (request) =>
    ok(await appSetInstalled(store, portalIdOf(request), appIdOf(request), false, now())),
  )
  route('POST', '/portals/:portalId/apps/:appId/tokens', async (request, input) =>
    created(
      await appMintTokens(
        store,
        portalIdOf(request),
        appIdOf(request),
        input.body(),
        now(),
        originOf(request),
      ),
    ),
  )

  // The company structure and CRM roles (who may do what in the CRM; src/crm/permissions/).
  route('GET', '/portals/:portalId/departments', async (request) =>
    ok({ departments: await departmentList(store, portalIdOf(request)) }),
  )
  route('POST', '/portals/:portalId/departments', async (request, input) =>
    created(await departmentCreate(store, portalIdOf(request), input.body())),
  )
  route('PATCH', '/portals/:portalId/departments/:departmentId', async (request, input) =>
    ok(
      await departmentUpdate(
        store,
        portalIdOf(request),
        idParam(request, 'departmentId', 'DEPARTMENT_NOT_FOUND'),
        input.body(),
      ),
    ),
  )
  route('DELETE', '/portals/:portalId/departments/:departmentId', async (request) => {
    const departmentId = idParam(request, 'departmentId', 'DEPARTMENT_NOT_FOUND')
    await departmentDelete(store, portalIdOf(request), departmentId)
    return ok({ id: departmentId, deleted: true })
  })
  route('PUT', '/portals/:portalId/users/:userId/departments', async (request, input) =>
    ok(
      await userSetDepartments(
        store,
        portalIdOf(request),
        idParam(request, 'userId', 'USER_NOT_FOUND'),
        input.body(),
      ),
    ),
  )
  route('GET', '/portals/:portalId/roles', async (request) =>
    ok({ roles: await roleList(store, portalIdOf(request)) }),
  )
  route('POST', '/portals/:portalId/roles', async (request, input) =>
    created(await roleCreate(store, portalIdOf(request), input.body())),
  )
  route('GET', '/portals/:portalId/roles/:roleId', async (request) =>
    ok(await roleShow(store, portalIdOf(request), idParam(request, 'roleId', 'ROLE_NOT_FOUND'))),
  )
  route('PATCH', '/portals/:portalId/roles/:roleId', async (request, input) =>
    ok(
      await roleUpdate(
        store,
        portalIdOf(request),
        idParam(request, 'roleId', 'ROLE_NOT_FOUND'),
        input.body(),
      ),
    ),
  )
  route('DELETE', '/portals/:portalId/roles/:roleId', async (request) => {
    const roleId = idParam(request, 'roleId', 'ROLE_NOT_FOUND')
    await roleDelete(store, portalIdOf(request), roleId)
    return ok({ id: roleId, deleted: true })
  })
  route('GET', '/portals/:portalId/crm-admins', async (request) =>
    ok(await crmAdminList(store, portalIdOf(request))),
  )
  route('PUT', '/portals/:portalId/crm-admins', async (request, input) =>
    ok(await crmAdminSet(store, portalIdOf(request), input.body())),
  )

  // Anything else under /_admin/ is answered here (after the guard), not by the REST edge's catch-all.
  const unknown: AdminHandler = async (request) => ({
    status: 404,
    body: {
      error: 'ADMIN_NOT_FOUND',
      error_description: `No admin endpoint ${request.method} ${new URL(request.url, 'http://x').pathname}`,
    },
  })
  const everyMethod: HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']
  route(everyMethod, '', unknown)
  route(everyMethod, '/*', unknown)
}

interface Outcome {
  status: number
  body: unknown
  headers?: Record<string, string>
}

type AdminHandler = (request: FastifyRequest, input: { body(): unknown }) => Promise<Outcome>

const ok = (body: unknown): Outcome => ({ status: 200, body })

/** 429 with Retry-After: admin scripts are ours, and 429 is HTTP's "too many requests". */
function throttled(error: AuthThrottledError): Outcome {
  return {
    status: 429,
    headers: { 'retry-after': String(error.retryAfterSeconds) },
    body: {
      error: 'ADMIN_THROTTLED',
      error_description: `Too many failed authentications from this address; try again in ${error.retryAfterSeconds} s`,
    },
  }
}
const created = (body: unknown): Outcome => ({ status: 201, body })

function errorOutcome(error: AdminError): Outcome {
  const body: { error: string; error_description: string; issues?: readonly InputIssue[] } = {
    error: error.code,
    error_description: error.message,
  }
  if (error.issues.length > 0) body.issues = error.issues
  return { status: error.status, body }
}

/**
 * Loopback first, then the token: a remote caller learns nothing about the token, not even whether it was
 * right. The token is compared as SHA-256 digests with timingSafeEqual, so the comparison takes the same
 * time whatever the guess and whatever its length.
 */
function guard(
  request: FastifyRequest,
  expected: Buffer,
  tokenSet: boolean,
  allowRemote: boolean,
): Outcome | undefined {
  if (!allowRemote && !isLoopback(request.socket.remoteAddress ?? '')) {
    return {
      status: 403,
      body: {
        error: 'ADMIN_FORBIDDEN',
        error_description:
          'The admin API answers loopback clients only (set B24_ADMIN_ALLOW_REMOTE=1 to open it)',
      },
    }
  }
  const presented = presentedToken(request)
  if (!tokenSet || presented === undefined || !timingSafeEqual(digest(presented), expected)) {
    return {
      status: 401,
      headers: { 'www-authenticate': 'Bearer realm="b24crm-admin"' },
      body: {
        error: 'ADMIN_UNAUTHORIZED',
        error_description:
          presented === undefined
            ? 'The admin API needs the admin token: "Authorization: Bearer <token>" or "X-B24-Admin-Token: <token>" (`b24crm admin-token` prints it)'
            : 'Wrong admin token',
      },
    }
  }
  return undefined
}

function presentedToken(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization
  if (typeof authorization === 'string') {
    const match = /^bearer\s+(\S+)\s*$/i.exec(authorization)
    if (match?.[1] !== undefined) return match[1]
  }
  const header = request.headers['x-b24-admin-token']
  const value = Array.isArray(header) ? header[0] : header
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}

const LOOPBACK = new BlockList()
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4')
LOOPBACK.addAddress('::1', 'ipv6')
// IPv4 clients of a dual-stack listener appear as ::ffff:127.x.y.z.
LOOPBACK.addSubnet('::ffff:127.0.0.0', 104, 'ipv6')

export function isLoopback(address: string): boolean {
  if (address === '') return false
  try {
    return LOOPBACK.check(address, isIPv4(address) ? 'ipv4' : 'ipv6')
  } catch {
    return false
  }
}

/**
 * The REST edge hands every body over raw (server.ts replaces Fastify's parsers), so JSON is decoded here:
 * an empty body is `{}`, anything that is not a JSON object is a 400 that says so.
 */
function readJsonBody(request: FastifyRequest): unknown {
  const raw = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : ''
  if (raw.trim() === '') return {}
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch (error) {
    throw new AdminError(
      'INVALID_INPUT',
      `The body is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    )
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AdminError('INVALID_INPUT', 'The body must be a JSON object')
  }
  return value
}

function portalIdOf(request: FastifyRequest): number {
  return idParam(request, 'portalId', 'PORTAL_NOT_FOUND')
}

function appIdOf(request: FastifyRequest): number {
  return idParam(request, 'appId', 'APP_NOT_FOUND')
}

/** Path ids are positive integers; anything else names nothing that exists. */
function idParam(
  request: FastifyRequest,
  name: string,
  notFound:
    | 'PORTAL_NOT_FOUND'
    | 'WEBHOOK_NOT_FOUND'
    | 'APP_NOT_FOUND'
    | 'DEPARTMENT_NOT_FOUND'
    | 'ROLE_NOT_FOUND'
    | 'USER_NOT_FOUND',
): number {
  const raw = (request.params as Record<string, string | undefined>)[name] ?? ''
  if (!/^\d{1,15}$/.test(raw) || Number(raw) === 0) {
    const noun = {
      PORTAL_NOT_FOUND: 'a portal',
      WEBHOOK_NOT_FOUND: 'a webhook',
      APP_NOT_FOUND: 'an application',
      DEPARTMENT_NOT_FOUND: 'a department',
      ROLE_NOT_FOUND: 'a role',
      USER_NOT_FOUND: 'a user',
    }
    throw new AdminError(notFound, `${JSON.stringify(raw)} is not ${noun[notFound]} id`)
  }
  return Number(raw)
}

function send(reply: FastifyReply, outcome: Outcome): FastifyReply {
  if (outcome.headers !== undefined) void reply.headers(outcome.headers)
  return reply
    .status(outcome.status)
    .header('content-type', 'application/json; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .send(JSON.stringify(outcome.body))
}
