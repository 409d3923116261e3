/**
 * File downloads: the links crm.item.* and the legacy crm.*.get/list print for files
 * (crm/files/file-store.ts), answered with the file's bytes.
 *
 * - `/rest/{userId}/{webhook}/crm.controller.item.getFile/?entityTypeId=&id=&fieldName=&fileId=` and
 *   `/rest/crm.controller.item.getFile/?auth={token}&…` — the `urlMachine` of crm.item.* (the webhook path or
 *   the access token inside, as Bitrix24's machine links carry them: how-to-generate-edit-form-for-deal.md);
 * - `/bitrix/services/main/ajax.php?action=crm.controller.item.getFile&…` — the `url`; Bitrix24 serves it to
 *   the browser session, which does not exist here, so it takes `auth` / `access_token` or a Bearer header;
 * - `/bitrix/components/bitrix/crm.{lead|deal|contact|company|quote}.show/show_file.php?ownerId=&fieldName=
 *   &fileId=[&auth=]` — the legacy `showUrl` / `downloadUrl` (how-to-add-lead-with-files.md), same credentials.
 *
 * The caller is authenticated like a REST call (webhook / token, HTTPS rule, `crm` scope), must be an intranet
 * user with read access to the item, and the file must be the one the item's field holds. Errors answer in the
 * REST envelope.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { App } from '../app.js'
import { authenticate, insufficientScopeError } from '../auth/authenticate.js'
import { scopeGranted } from '../auth/scopes.js'
import { RestError, isRestError } from '../protocol/errors.js'
import { errorResponse, toRestError } from '../protocol/handle-call.js'
import type { Credentials, Transport } from '../protocol/raw-call.js'
import type { Principal } from '../protocol/principal.js'
import { resolveEntityType } from '../crm/entity-type-resolver.js'
import { loadItem } from '../crm/items/item-store.js'
import { entityTypeOfLegacyComponent, getFile, ITEM_FILE_ACTION } from '../crm/files/file-store.js'
import { fileIdsOf } from '../crm/user-fields/user-field-apply.js'
import { permissionItemOfValues, permissionsOf } from '../crm/permissions/index.js'
import { isIntranetUser } from '../methods/crm/dictionary-common.js'
import { hostOf } from './request-host.js'

interface FileQuery {
  entityTypeId: number
  itemId: number
  fieldName: string
  fileId: number
}

export function registerFileRoutes(fastify: FastifyInstance, app: App): void {
  const methods: ('GET' | 'HEAD' | 'POST')[] = ['GET', 'HEAD', 'POST']
  for (const suffix of ['', '/', '.json', '.json/']) {
    fastify.route({
      method: methods,
      url: `/rest/:userId/:code/${ITEM_FILE_ACTION}${suffix}`,
      handler: (request, reply) => {
        const { userId, code } = request.params as { userId: string; code: string }
        return serve(app, request, reply, { kind: 'webhook', userId, code }, itemQuery(request))
      },
    })
    fastify.route({
      method: methods,
      url: `/rest/${ITEM_FILE_ACTION}${suffix}`,
      handler: (request, reply) => serve(app, request, reply, tokenOf(request), itemQuery(request)),
    })
  }
  fastify.route({
    method: methods,
    url: '/bitrix/services/main/ajax.php',
    handler: (request, reply) => {
      if (queryText(request, 'action') !== ITEM_FILE_ACTION) return notFound(reply)
      return serve(app, request, reply, tokenOf(request), itemQuery(request))
    },
  })
  fastify.route({
    method: methods,
    url: '/bitrix/components/bitrix/:component/show_file.php',
    handler: (request, reply) => {
      const { component } = request.params as { component: string }
      const entityTypeId = entityTypeOfLegacyComponent(component)
      if (entityTypeId === undefined) return notFound(reply)
      return serve(app, request, reply, tokenOf(request), {
        entityTypeId,
        itemId: queryInt(request, 'ownerId'),
        fieldName: queryText(request, 'fieldName') ?? '',
        fileId: queryInt(request, 'fileId'),
      })
    },
  })
}

function query(request: FastifyRequest): Record<string, unknown> {
  return (request.query ?? {}) as Record<string, unknown>
}

function queryText(request: FastifyRequest, name: string): string | undefined {
  const value = query(request)[name]
  const first = Array.isArray(value) ? value[0] : value
  return typeof first === 'string' ? first : undefined
}

function queryInt(request: FastifyRequest, name: string): number {
  const text = queryText(request, name) ?? ''
  return /^\d+$/.test(text) ? Number(text) : 0
}

function itemQuery(request: FastifyRequest): FileQuery {
  return {
    entityTypeId: queryInt(request, 'entityTypeId'),
    itemId: queryInt(request, 'id'),
    fieldName: queryText(request, 'fieldName') ?? '',
    fileId: queryInt(request, 'fileId'),
  }
}

/** `Authorization: Bearer`, else `auth`, else `access_token` (as REST calls read them). */
function tokenOf(request: FastifyRequest): Credentials {
  const header = request.headers.authorization
  if (typeof header === 'string' && /^bearer\s+\S/i.test(header)) {
    return { kind: 'token', token: header.replace(/^bearer\s+/i, '').trim() }
  }
  for (const name of ['auth', 'access_token']) {
    const value = queryText(request, name)
    if (value !== undefined && value !== '') return { kind: 'token', token: value }
  }
  return { kind: 'none' }
}

async function serve(
  app: App,
  request: FastifyRequest,
  reply: FastifyReply,
  credentials: Credentials,
  file: FileQuery,
): Promise<FastifyReply> {
  const transport: Transport = {
    secure: request.protocol === 'https',
    host: hostOf(request),
    remoteAddress: request.socket.remoteAddress ?? '',
  }
  try {
    const principal = await authenticate(app.store, credentials, transport, app.clock.now(), {
      requireHttps: app.requireHttps,
      throttle: app.authThrottle,
    })
    if (!scopeGranted('crm', principal.scopes)) throw insufficientScopeError(principal.authType)
    const stored = await findItemFile(app, principal, file)
    if (stored === undefined) throw new RestError('NOT_FOUND', 'File not found', 404)
    const disposition = `attachment; filename="${asciiName(stored.name)}"; filename*=UTF-8''${encodeURIComponent(stored.name)}`
    reply
      .status(200)
      .header('content-type', stored.contentType)
      .header('content-length', String(stored.size))
      .header('content-disposition', disposition)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
    return request.method === 'HEAD' ? reply.send() : reply.send(stored.content)
  } catch (error) {
    const restError = isRestError(error) ? error : toRestError(error, app.log, request.id)
    const response = errorResponse(restError)
    return reply
      .status(response.status)
      .header('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify(response.body))
  }
}

/**
 * The file, when the item exists, the caller may read it, and the named field holds that file (a custom
 * field by its UPPER name, or the system PHOTO / LOGO).
 */
async function findItemFile(app: App, principal: Principal, file: FileQuery) {
  if (!isIntranetUser(principal)) return undefined
  if (file.entityTypeId <= 0 || file.itemId <= 0 || file.fileId <= 0 || file.fieldName === '')
    return undefined
  const portalId = principal.portal.id
  const resolved = await resolveEntityType(app.store.db, portalId, file.entityTypeId)
  if (resolved.kind !== 'found') return undefined
  const type = resolved.type
  const item = await loadItem(app.store.db, portalId, type, file.itemId)
  if (item === undefined) return undefined
  const permissions = await permissionsOf(app.store.db, principal)
  if (!permissions.canItem('read', type, permissionItemOfValues(item.values))) return undefined
  let held: number[]
  if (file.fieldName.startsWith('UF_')) {
    held = fileIdsOf(item.uf[file.fieldName])
  } else {
    const field = type.fieldIndex.find(file.fieldName)
    held = field?.type === 'file' ? fileIdsOf(item.values[field.name]) : []
  }
  if (!held.includes(file.fileId)) return undefined
  return getFile(app.store.db, portalId, file.fileId)
}

function asciiName(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
}

function notFound(reply: FastifyReply): FastifyReply {
  return reply
    .status(404)
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify({ error: 'NOT_FOUND', error_description: 'Not found' }))
}
