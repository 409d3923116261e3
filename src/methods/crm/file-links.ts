/**
 * File links in method answers, built for the caller: where it reached the server (scheme and Host) and the
 * credentials it used, so the link works with them (crm/files/file-store.ts; served by http/file-routes.ts).
 */
import type { CallContext } from '../define-method.js'
import {
  itemFileUrls,
  legacyFileUrls,
  type FileUrlContext,
  type ItemFileLocation,
} from '../../crm/files/file-store.js'
import type { ItemFileRef } from '../../crm/items/item-output.js'

/** `https://host:port` as the caller reached us (the Host header; a batch command inherits its request's). */
export function callerOrigin(ctx: CallContext): string {
  const host = ctx.transport.host !== '' ? ctx.transport.host : '127.0.0.1'
  return `${ctx.transport.secure ? 'https' : 'http'}://${host}`
}

export function fileUrlContext(ctx: CallContext): FileUrlContext {
  return { origin: callerOrigin(ctx), credentials: ctx.credentials }
}

/** The `fileUrl` option of item rendering: `{url, urlMachine}` of one file value (crm.item.*). */
export function itemFileUrlBuilder(
  ctx: CallContext,
): (file: ItemFileRef) => { url: string; urlMachine: string } {
  const context = fileUrlContext(ctx)
  return (file) => itemFileUrls(context, toLocation(file))
}

/** `{showUrl, downloadUrl}` of one file value (legacy crm.*.get / list). */
export function legacyFileLinks(
  ctx: CallContext,
  file: ItemFileLocation,
): { showUrl: string; downloadUrl: string } {
  return legacyFileUrls(ctx.credentials, file)
}

function toLocation(file: ItemFileRef): ItemFileLocation {
  return {
    entityTypeId: file.entityTypeId,
    itemId: file.itemId,
    fieldName: file.fieldName,
    fileId: file.fileId,
  }
}
