/**
 * Files of CRM items (migrations/0007-userfields.ts `crm_file`): uploads decoded from the REST forms, stored
 * in the database, served back through the download routes (src/http/file-routes.ts) under the URLs built
 * here.
 *
 * Upload forms (api-reference/crm/universal/crm-item-update.md "How to Update a File Type Custom Field";
 * tutorials/crm/how-to-add-crm-objects/how-to-add-lead-with-files.md): `[fileName, base64Content]`, or on
 * the legacy methods `{fileData: [fileName, base64Content]}`. Base64 has no `data:` prefix; an empty or
 * undecodable upload is skipped (research/server-behaviour.md §1.B item 15).
 */
import type { Db } from '../../store/schema.js'
import type { Store } from '../../store/store.js'
import { storedInstant } from '../../lib/format-date.js'
import type { Credentials } from '../../protocol/raw-call.js'

export const FILE_SEQUENCE = 'crm_file'

/**
 * The largest file one upload may carry, whatever the field allows (64 MiB). The request body limit
 * (B24_BODY_LIMIT, 64 MiB by default) usually stops a bigger upload first, since Base64 is a third longer.
 */
export const MAX_FILE_SIZE = 64 * 1024 * 1024

/** A decoded upload, not yet stored. */
export interface Upload {
  readonly name: string
  readonly content: Buffer
}

export interface StoredFile {
  readonly id: number
  readonly name: string
  readonly size: number
  readonly contentType: string
  readonly content: Buffer
  readonly entityTypeId: number | null
  readonly itemId: number | null
  readonly fieldName: string | null
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const BASE64_URL = /^[A-Za-z0-9_-]*={0,2}$/

/**
 * Decodes `[name, base64]`. Whitespace inside the Base64 text is dropped (clients wrap lines); the URL-safe
 * alphabet is accepted too. Returns undefined for an empty name-less pair, empty content or text that is not
 * Base64 — such an upload is skipped, as Bitrix24 skips it.
 */
export function decodeUpload(rawName: unknown, rawContent: unknown): Upload | undefined {
  if (typeof rawContent !== 'string') return undefined
  const text = rawContent.replace(/\s+/g, '')
  if (text === '' || text.length % 4 === 1) return undefined
  let content: Buffer
  if (BASE64.test(text)) content = Buffer.from(text, 'base64')
  else if (BASE64_URL.test(text)) content = Buffer.from(text, 'base64url')
  else return undefined
  if (content.length === 0) return undefined
  const name = sanitiseFileName(
    typeof rawName === 'string' || typeof rawName === 'number' ? String(rawName) : '',
  )
  return { name: name === '' ? defaultFileName(content) : name, content }
}

/** The base name without directories or control characters. */
export function sanitiseFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? ''
  const printable = [...base].filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f).join('')
  return printable.trim().slice(0, 255)
}

function defaultFileName(content: Buffer): string {
  const ext = sniffExtension(content)
  return ext === undefined ? 'file' : `file.${ext}`
}

function sniffExtension(content: Buffer): string | undefined {
  if (content.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'png'
  if (content[0] === 0xff && content[1] === 0xd8 && content[2] === 0xff) return 'jpg'
  if (content.subarray(0, 4).toString('latin1') === 'GIF8') return 'gif'
  if (content.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf'
  return undefined
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  bmp: 'image/bmp',
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv',
  html: 'text/html',
  htm: 'text/html',
  xml: 'application/xml',
  json: 'application/json',
  zip: 'application/zip',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  rtf: 'application/rtf',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
}

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.')
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase()
}

/** The MIME type by extension; `application/octet-stream` when unknown. */
export function contentTypeOf(name: string): string {
  return CONTENT_TYPES[extensionOf(name)] ?? 'application/octet-stream'
}

export interface FileOwner {
  readonly entityTypeId: number
  readonly itemId: number
  /** The custom field's UPPER name, or the system field's UPPER name (`PHOTO`, `LOGO`). */
  readonly fieldName: string
}

export async function insertFile(
  store: Store,
  db: Db,
  portalId: number,
  upload: Upload,
  owner: FileOwner | undefined,
  userId: number,
  nowMs: number,
): Promise<number> {
  const id = await store.nextId(db, portalId, FILE_SEQUENCE)
  await db
    .insertInto('crm_file')
    .values({
      portal_id: portalId,
      id,
      name: upload.name,
      size: upload.content.length,
      content_type: contentTypeOf(upload.name),
      content: upload.content,
      entity_type_id: owner?.entityTypeId ?? null,
      item_id: owner?.itemId ?? null,
      field_name: owner?.fieldName ?? null,
      created_by: userId,
      created_at: storedInstant(nowMs),
    })
    .execute()
  return id
}

export async function getFile(db: Db, portalId: number, id: number): Promise<StoredFile | undefined> {
  if (!Number.isSafeInteger(id) || id <= 0) return undefined
  const row = await db
    .selectFrom('crm_file')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('id', '=', id)
    .executeTakeFirst()
  if (row === undefined) return undefined
  return {
    id: Number(row.id),
    name: row.name,
    size: Number(row.size),
    contentType: row.content_type,
    content: Buffer.isBuffer(row.content) ? row.content : Buffer.from(row.content as Uint8Array),
    entityTypeId: row.entity_type_id === null ? null : Number(row.entity_type_id),
    itemId: row.item_id === null ? null : Number(row.item_id),
    fieldName: row.field_name,
  }
}

/** Deletes files by id (those no field references any more). */
export async function deleteFiles(db: Db, portalId: number, ids: readonly number[]): Promise<void> {
  const wanted = ids.filter((id) => Number.isSafeInteger(id) && id > 0)
  if (wanted.length === 0) return
  await db.deleteFrom('crm_file').where('portal_id', '=', portalId).where('id', 'in', wanted).execute()
}

/** Deletes every file uploaded into an item (the item is being deleted). */
export async function deleteItemFiles(
  db: Db,
  portalId: number,
  entityTypeId: number,
  itemId: number,
): Promise<void> {
  await db
    .deleteFrom('crm_file')
    .where('portal_id', '=', portalId)
    .where('entity_type_id', '=', entityTypeId)
    .where('item_id', '=', itemId)
    .execute()
}

// ---------------------------------------------------------------------------------------------------------
// Download URLs
// ---------------------------------------------------------------------------------------------------------

/** What a download URL is built from: where the client reached us and with which credentials. */
export interface FileUrlContext {
  /** `https://host:port`. */
  readonly origin: string
  readonly credentials: Credentials | undefined
}

export interface ItemFileLocation {
  readonly entityTypeId: number
  readonly itemId: number
  /** UPPER name: `UF_CRM_…`, `PHOTO`, `LOGO`. */
  readonly fieldName: string
  readonly fileId: number
}

/** The controller action the universal file URLs name (the CRM file-download router, server-behaviour.md §1.D 33). */
export const ITEM_FILE_ACTION = 'crm.controller.item.getFile'

function itemFileQuery(file: ItemFileLocation): string {
  return new URLSearchParams({
    entityTypeId: String(file.entityTypeId),
    id: String(file.itemId),
    fieldName: file.fieldName,
    fileId: String(file.fileId),
  }).toString()
}

/**
 * The `{url, urlMachine}` of a file in `crm.item.*` answers (object-fields.md: "url — link to the file on the
 * account, urlMachine — link to the file for the application"):
 * - `url` is the portal's AJAX router (`/bitrix/services/main/ajax.php?action=…`), which on Bitrix24 relies on
 *   the browser session; here it takes the caller's credentials as `auth` / `Authorization: Bearer`;
 * - `urlMachine` is the REST form with the caller's credentials inside, as the docs warn ("may contain a valid
 *   webhook token in the path /rest/{user_id}/{token}/", how-to-generate-edit-form-for-deal.md): the webhook
 *   path for webhook calls, `auth={access token}` for OAuth calls.
 */
export function itemFileUrls(
  context: FileUrlContext,
  file: ItemFileLocation,
): { url: string; urlMachine: string } {
  const query = itemFileQuery(file)
  const url = `${context.origin}/bitrix/services/main/ajax.php?action=${ITEM_FILE_ACTION}&SITE_ID=s1&${query}`
  const credentials = context.credentials
  let urlMachine: string
  if (credentials?.kind === 'webhook') {
    urlMachine = `${context.origin}/rest/${encodeURIComponent(credentials.userId)}/${encodeURIComponent(credentials.code)}/${ITEM_FILE_ACTION}/?${query}`
  } else if (credentials?.kind === 'token') {
    urlMachine = `${context.origin}/rest/${ITEM_FILE_ACTION}/?auth=${encodeURIComponent(credentials.token)}&${query}`
  } else {
    urlMachine = `${context.origin}/rest/${ITEM_FILE_ACTION}/?${query}`
  }
  return { url, urlMachine }
}

/** The legacy component of an entity type's file links (`crm.lead.show`, `crm.deal.show` …). */
const LEGACY_COMPONENT: Readonly<Record<number, string>> = {
  1: 'crm.lead.show',
  2: 'crm.deal.show',
  3: 'crm.contact.show',
  4: 'crm.company.show',
  7: 'crm.quote.show',
}

/**
 * The `{id, showUrl, downloadUrl}` of a file in legacy `crm.*.get/list` answers, relative like the portal
 * prints them (how-to-add-lead-with-files.md: `/bitrix/components/bitrix/crm.lead.show/show_file.php?
 * ownerId=5&fieldName=UF_CRM_LEAD_FILE&dynamic=Y&fileId=37375`; downloadUrl adds `auth=` — the caller's
 * access token for OAuth calls, empty for webhooks). `dynamic=Y` marks a custom field.
 */
export function legacyFileUrls(
  credentials: Credentials | undefined,
  file: ItemFileLocation,
): { showUrl: string; downloadUrl: string } {
  const component = LEGACY_COMPONENT[file.entityTypeId] ?? `crm.${file.entityTypeId}.show`
  const dynamic = file.fieldName.startsWith('UF_') ? '&dynamic=Y' : ''
  const tail = `ownerId=${file.itemId}&fieldName=${encodeURIComponent(file.fieldName)}${dynamic}&fileId=${file.fileId}`
  const base = `/bitrix/components/bitrix/${component}/show_file.php`
  const auth = credentials?.kind === 'token' ? encodeURIComponent(credentials.token) : ''
  return { showUrl: `${base}?${tail}`, downloadUrl: `${base}?auth=${auth}&${tail}` }
}

/** The entity type a legacy component name serves (`crm.lead.show` → 1), or undefined. */
export function entityTypeOfLegacyComponent(component: string): number | undefined {
  for (const [id, name] of Object.entries(LEGACY_COMPONENT)) if (name === component) return Number(id)
  const match = /^crm\.(\d+)\.show$/.exec(component)
  return match === null ? undefined : Number(match[1])
}
