/**
 * The wire side of the client-binding families `crm.lead.contact.*`, `crm.deal.contact.*`,
 * `crm.contact.company.*` and `crm.company.contact.*` (pages under api-reference/crm/leads/
 * management-communication/, deals/contacts/, contacts/company/, companies/contacts/). The operations are
 * src/crm/items/bindings.ts; each method file names its relation and the wording of its page.
 *
 * Parameters, as the legacy CRM REST classes read them (research/server-behaviour.md §2 item 47): `id` (or
 * `ID`) cast like PHP `intval`; `fields` / `items` in any of their spellings (`FIELDS`, `Fields`,
 * `arFields`). Inside `fields` and `items[]`: `CONTACT_ID` / `COMPANY_ID` (intval), `SORT` (intval),
 * `IS_PRIMARY` (`Y` in any case, or a JSON true).
 *
 * Errors are in the legacy dialect: an empty code and the page's text, HTTP 400 (§2 item 58), with the
 * texts of each page's table —
 * - no CRM access (an extranet user, nobody's role grants a read right): `""` "Access denied." (§2 item 46);
 * - `id` < 1 or missing: `""` "The parameter 'ownerEntityID' is invalid or not defined." (the `.items.*`
 *   pages print it without quotes: "The parameter ownerEntityID is invalid or not defined.");
 * - `fields` not an object: "The parameter 'fields' must be array." (`.delete` of deals and companies:
 *   "The parameter 'item' must be array."); `items` not a list: "The parameter items must be array.";
 * - deals: no modify (read) right for deals at all: `""` "Access denied."; not over this deal (contact,
 *   company): `ACCESS_DENIED` "Access denied!";
 * - no such owner: the page's "Not found" (`NOT_FOUND` "Not found." on the lead pages);
 * - `CONTACT_ID` / `COMPANY_ID` missing, < 1 (or naming no item): "The parameter 'fields' is not valid.".
 */
import { RestError } from '../../../protocol/errors.js'
import type { CallContext } from '../../define-method.js'
import { phpIntval, isIntranetUser, isPlainObject } from '../dictionary-common.js'
import { permissionsOf } from '../../../crm/permissions/index.js'
import { isItemOperationError } from '../../../crm/items/operations/errors.js'
import {
  changeBindings,
  getBindings,
  mayReadOwner,
  ownerTypeOf,
  RELATIONS,
  type BindingChange,
  type BindingInput,
  type RelationKind,
} from '../../../crm/items/bindings.js'

/** How a page words its errors. */
export interface RelationWording {
  /** The error for a missing owner (the page's "Not found"). */
  readonly notFound: () => RestError
  /** `fields` that is not an object (`.add`, `.delete`). */
  readonly fieldsNotArray?: string
}

export const OWNER_INVALID = "The parameter 'ownerEntityID' is invalid or not defined."
export const OWNER_INVALID_ITEMS = 'The parameter ownerEntityID is invalid or not defined.'
export const FIELDS_NOT_ARRAY = "The parameter 'fields' must be array."
export const ITEM_NOT_ARRAY = "The parameter 'item' must be array."
export const FIELDS_NOT_VALID = "The parameter 'fields' is not valid."
export const ITEMS_NOT_ARRAY = 'The parameter items must be array.'

export function legacyError(message: string): RestError {
  return new RestError('', message, 400)
}

/** The lead pages' not-found: `{"error":"NOT_FOUND","error_description":"Not found."}`. */
export function leadNotFound(): RestError {
  return new RestError('NOT_FOUND', 'Not found.', 400)
}

/** The owner-level refusal of the deal, contact and company pages: `ACCESS_DENIED` "Access denied!". */
export function ownerAccessDenied(): RestError {
  return new RestError('ACCESS_DENIED', 'Access denied!', 400)
}

/** A parameter under any of the names CCrmRestHelper::resolveArrayParam tries. */
function arrayParam(params: Record<string, unknown>, name: string): unknown {
  const capital = name.charAt(0).toUpperCase() + name.slice(1)
  for (const key of [name, name.toUpperCase(), name.toLowerCase(), capital, `ar${capital}`]) {
    if (key in params) return params[key]
  }
  return undefined
}

/** A PHP array: a JSON object, or a JSON list (as the numeric-keyed array it is in PHP). */
function phpArray(value: unknown): Record<string, unknown> | undefined {
  if (isPlainObject(value)) return value
  if (Array.isArray(value)) return Object.fromEntries(value.map((v, i) => [String(i), v]))
  return undefined
}

function keyOf(record: Record<string, unknown>, name: string): unknown {
  if (name in record) return record[name]
  const upper = name.toUpperCase()
  for (const [key, value] of Object.entries(record)) if (key.toUpperCase() === upper) return value
  return undefined
}

/** `ID` first, then `id` (§2 item 47), then any other spelling; intval; < 1 is the page's error. */
function ownerIdOf(params: Record<string, unknown>, message: string): number {
  const raw = 'ID' in params ? params['ID'] : keyOf(params, 'id')
  const id = phpIntval(raw)
  if (id < 1) throw legacyError(message)
  return id
}

/** A binding as `fields` or an `items` entry gives it. */
function bindingOf(kind: RelationKind, record: Record<string, unknown>): BindingInput {
  const id = phpIntval(keyOf(record, RELATIONS[kind].boundKey))
  const rawSort = keyOf(record, 'SORT')
  const primary = keyOf(record, 'IS_PRIMARY')
  return {
    id,
    ...(rawSort === undefined || rawSort === null || rawSort === '' ? {} : { sort: phpIntval(rawSort) }),
    isPrimary: primary === true || (typeof primary === 'string' && primary.toUpperCase() === 'Y'),
  }
}

/**
 * CCrmRestService's gate for every legacy CRM method: the caller must have CRM access at all (§2 item 46).
 * Intranet users with a read right somewhere pass; administrators always.
 */
async function requireCrmAccess(ctx: CallContext): Promise<void> {
  if (!isIntranetUser(ctx.principal) || !(await permissionsOf(ctx.store.db, ctx.principal)).hasCrmAccess) {
    throw legacyError('Access denied.')
  }
}

/** Deals: a user without the right for deals at all gets `""` "Access denied." before the deal is looked at. */
async function requireTypeRight(
  ctx: CallContext,
  kind: RelationKind,
  action: 'read' | 'write',
): Promise<void> {
  if (kind !== 'dealContact') return
  const permissions = await permissionsOf(ctx.store.db, ctx.principal)
  if (!permissions.canType(action, ownerTypeOf(kind))) throw legacyError('Access denied.')
}

async function run(
  ctx: CallContext,
  kind: RelationKind,
  ownerId: number,
  change: BindingChange,
  wording: RelationWording,
): Promise<boolean> {
  const { portal, user } = ctx.principal
  try {
    return await changeBindings({
      store: ctx.store,
      portal,
      user,
      nowMs: ctx.clock.now(),
      kind,
      ownerId,
      change,
    })
  } catch (error) {
    throw wireError(error, wording)
  }
}

function wireError(error: unknown, wording: RelationWording): unknown {
  if (!isItemOperationError(error)) return error
  switch (error.detail.kind) {
    case 'itemNotFound':
      return wording.notFound()
    case 'accessDenied':
      return ownerAccessDenied()
    case 'valueNotValid':
      return legacyError(FIELDS_NOT_VALID)
    default:
      return error
  }
}

/** `.add`: `{id, fields: {CONTACT_ID|COMPANY_ID, SORT, IS_PRIMARY}}` → true, or false when already bound. */
export async function addBindingHandler(
  kind: RelationKind,
  wording: RelationWording,
  params: Record<string, unknown>,
  ctx: CallContext,
): Promise<boolean> {
  await requireCrmAccess(ctx)
  const ownerId = ownerIdOf(params, OWNER_INVALID)
  const fields = phpArray(arrayParam(params, 'fields'))
  if (fields === undefined) throw legacyError(wording.fieldsNotArray ?? FIELDS_NOT_ARRAY)
  await requireTypeRight(ctx, kind, 'write')
  return run(ctx, kind, ownerId, { op: 'add', binding: bindingOf(kind, fields) }, wording)
}

/** `.delete`: `{id, fields: {CONTACT_ID|COMPANY_ID}}` → true, or false when it was not bound. */
export async function deleteBindingHandler(
  kind: RelationKind,
  wording: RelationWording,
  params: Record<string, unknown>,
  ctx: CallContext,
): Promise<boolean> {
  await requireCrmAccess(ctx)
  const ownerId = ownerIdOf(params, OWNER_INVALID)
  const fields = phpArray(arrayParam(params, 'fields'))
  if (fields === undefined) throw legacyError(wording.fieldsNotArray ?? ITEM_NOT_ARRAY)
  await requireTypeRight(ctx, kind, 'write')
  // A missing or non-positive bound id is "The parameter 'fields' is not valid." — once the owner is found.
  const change: BindingChange = { op: 'remove', id: bindingOf(kind, fields).id }
  return run(ctx, kind, ownerId, change, wording)
}

/** `.items.get`: `{id}` → `[{CONTACT_ID|COMPANY_ID, SORT, ROLE_ID, IS_PRIMARY}]` in list order. */
export async function getBindingsHandler(
  kind: RelationKind,
  wording: RelationWording,
  params: Record<string, unknown>,
  ctx: CallContext,
): Promise<Record<string, unknown>[]> {
  await requireCrmAccess(ctx)
  const ownerId = ownerIdOf(params, OWNER_INVALID_ITEMS)
  await requireTypeRight(ctx, kind, 'read')
  const { portal, user } = ctx.principal
  let rows
  try {
    rows = await getBindings(ctx.store.db, portal, user, kind, ownerId)
  } catch (error) {
    throw wireError(error, wording)
  }
  if (rows === undefined) throw wording.notFound()
  const key = RELATIONS[kind].boundKey
  // ROLE_ID: "The role identifier (reserved)" — always 0.
  return rows.map((r) => ({ [key]: r.id, SORT: r.sort, ROLE_ID: 0, IS_PRIMARY: r.isPrimary ? 'Y' : 'N' }))
}

/** `.items.set`: `{id, items: [{CONTACT_ID|COMPANY_ID, SORT, IS_PRIMARY}, …]}` → true. */
export async function setBindingsHandler(
  kind: RelationKind,
  wording: RelationWording,
  params: Record<string, unknown>,
  ctx: CallContext,
): Promise<boolean> {
  await requireCrmAccess(ctx)
  const ownerId = ownerIdOf(params, OWNER_INVALID_ITEMS)
  const items = phpArray(arrayParam(params, 'items'))
  if (items === undefined) throw legacyError(ITEMS_NOT_ARRAY)
  await requireTypeRight(ctx, kind, 'write')
  // Entries that are not arrays stay in place (as id 0, dropped later) so the default sorts count positions.
  const bindings = Object.values(items).map((entry) => {
    const record = phpArray(entry)
    return record === undefined ? { id: 0, isPrimary: false } : bindingOf(kind, record)
  })
  await run(ctx, kind, ownerId, { op: 'set', bindings }, wording)
  return true
}

/** `.items.delete`: `{id}` → true; every binding of the owner goes. */
export async function clearBindingsHandler(
  kind: RelationKind,
  wording: RelationWording,
  params: Record<string, unknown>,
  ctx: CallContext,
): Promise<boolean> {
  await requireCrmAccess(ctx)
  const ownerId = ownerIdOf(params, OWNER_INVALID_ITEMS)
  if (kind === 'dealContact') {
    // "a user with 'read' and 'modify' access permissions for deals" (crm-deal-contact-items-delete.md).
    await requireTypeRight(ctx, kind, 'read')
    await requireTypeRight(ctx, kind, 'write')
    const { portal, user } = ctx.principal
    const readable = await mayReadOwner(ctx.store.db, portal, user, kind, ownerId)
    if (readable === undefined) throw wording.notFound()
    if (!readable) throw ownerAccessDenied()
  }
  await run(ctx, kind, ownerId, { op: 'clear' }, wording)
  return true
}

/** One field of `.fields` (crm_rest_field_description). */
function describe(type: 'integer' | 'char', title: string, isRequired: boolean): Record<string, unknown> {
  return {
    type,
    isRequired,
    isReadOnly: false,
    isImmutable: false,
    isMultiple: false,
    isDynamic: false,
    title,
  }
}

/** `.fields`: SORT, IS_PRIMARY and the bound id, as every page's example shows them. */
export function bindingFields(kind: RelationKind): Record<string, unknown> {
  const key = RELATIONS[kind].boundKey
  return {
    SORT: describe('integer', 'Sorting', false),
    IS_PRIMARY: describe('char', 'Primary', false),
    [key]: describe('integer', key === 'CONTACT_ID' ? 'Contact' : 'Company', true),
  }
}
