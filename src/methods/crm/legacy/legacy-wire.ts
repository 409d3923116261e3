/**
 * What the legacy CRM methods (`crm.lead|deal|contact|company.*`, the `CCrm*RestProxy` classes) share on the
 * wire: how they read `id` / `fields` / `params` / `filter` / `order`, the access check every call starts
 * with, and their error dialect (research/server-behaviour.md §2 items 46–48, 58):
 *
 * - errors carry an **empty code** and HTTP 400: `{"error":"","error_description":"ID is not defined or
 *   invalid."}`; an error the core raises (the e-mail check) carries `ERROR_CORE`;
 * - the id is `ID`, else `id`, read with PHP's intval; anything ≤ 0 is "ID is not defined or invalid.";
 * - `fields` / `params` / `filter` / `order` are found as given, UPPER, lower, Capitalised or `ar`+Capitalised
 *   (`fields`, `FIELDS`, `Fields`, `arFields`); missing is empty; a value that is not an array is
 *   "Parameter 'fields' must be array.".
 * The item operations' errors are mapped to this dialect here, in one place.
 */
import { RestError } from '../../../protocol/errors.js'
import type { CallContext } from '../../define-method.js'
import { asPhpArray, isIntranetUser, phpIntval } from '../dictionary-common.js'
import { isItemOperationError, type ItemOperationErrorKind } from '../../../crm/items/operations/errors.js'
import type { LegacyEntity } from '../../../crm/legacy/legacy-entity.js'
import { permissionsOf, type UserPermissions } from '../../../crm/permissions/index.js'
import { loadItemTypeContext, type ItemTypeContext } from '../item/item-wire.js'
import type { LegacyRenderOptions } from '../../../crm/legacy/legacy-output.js'
import { legacyFileLinks } from '../file-links.js'

/** What differs between the four types besides their fields. */
export interface LegacyMethodsConfig {
  readonly entity: LegacyEntity
  /** `crm.lead`, `crm.deal`, `crm.contact`, `crm.company`. */
  readonly prefix: string
  /** The docs folder and page stem: `leads` / `crm-lead` → api-reference/crm/leads/crm-lead-update.md. */
  readonly docsFolder: string
  readonly docsStem: string
  /** "lead", "deal" … and their plurals, for summaries. */
  readonly noun: string
  readonly plural: string
  /** The answer to an update of a missing item (§2 item 51): "Lead is not found", "Not found", … */
  readonly updateNotFound: string
  /** The answer to a delete of a missing item: "Not found", contact `ERROR_CORE` "Element not found", … */
  readonly deleteNotFound: { readonly code: string; readonly message: string }
  /** REGISTER_SONET_EVENT when absent, per method page (§9.1 of the spec inventory). */
  readonly sonetByDefault: { readonly add: boolean; readonly update: boolean }
}

export const ACCESS_DENIED = 'Access denied.'

/** An error of the legacy dialect: empty code (or ERROR_CORE), HTTP 400. */
export function legacyError(message: string, code = ''): RestError {
  return new RestError(code, message, 400)
}

/**
 * `CCrmPerms::IsAccessEnabled()` (§2 item 46): the caller may use the CRM at all — an intranet user with
 * some read right. Everyone else gets "Access denied.". Returns the caller's rights for the method's checks.
 */
export async function requireLegacyAccess(ctx: CallContext): Promise<UserPermissions> {
  if (!isIntranetUser(ctx.principal)) throw legacyError(ACCESS_DENIED)
  const permissions = await permissionsOf(ctx.store.db, ctx.principal)
  if (!permissions.hasCrmAccess) throw legacyError(ACCESS_DENIED)
  return permissions
}

/** The id: `ID` first, then `id`, PHP intval (`"12abc"` → 12); ≤ 0 is "ID is not defined or invalid." (§2 items 47–48). */
export function legacyId(params: Record<string, unknown>): number {
  const raw = 'ID' in params ? params['ID'] : params['id']
  const id = typeof raw === 'object' ? 0 : phpIntval(raw)
  if (!Number.isSafeInteger(id) || id <= 0) throw legacyError('ID is not defined or invalid.')
  return id
}

/** The spellings an array parameter is looked up under, in order (§2 item 47). */
function spellings(name: string): string[] {
  const capitalised = name.charAt(0).toUpperCase() + name.slice(1)
  return [name, name.toUpperCase(), name.toLowerCase(), capitalised, `ar${capitalised}`]
}

/** The raw value of an array parameter under any of its spellings, or undefined. */
export function legacyParamValue(params: Record<string, unknown>, name: string): unknown {
  for (const key of spellings(name)) if (key in params) return params[key]
  return undefined
}

/**
 * An array parameter (`fields`, `params`, `filter`, `order`): missing is empty, an object or a list is read,
 * anything else is "Parameter '{name}' must be array.".
 */
export function legacyArrayParam(params: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = legacyParamValue(params, name)
  if (value === undefined || value === null) return {}
  const array = asPhpArray(value)
  if (array === undefined) throw legacyError(`Parameter '${name}' must be array.`)
  return array
}

// ---------------------------------------------------------------------------------------------------------
// Errors of the item operations
// ---------------------------------------------------------------------------------------------------------

/** The legacy title of a universal field, for messages ("Invalid value for the "Currency" field"). */
function legacyTitle(entity: LegacyEntity, field: string, fallback: string): string {
  return entity.byItemField.get(field)?.[0]?.title ?? fallback
}

/**
 * An item-operation error in the legacy dialect (§2 items 51, 53, 58; the error tables of crm-*-add.md and
 * crm-*-update.md):
 * - missing item → the type's update message ("Lead is not found", "Not found", "Contact is not found",
 *   "Company is not found");
 * - no right (also a refused stage move) → "Access denied.";
 * - an invalid e-mail → `ERROR_CORE` "The field `Work e-mail` contains an invalid address";
 * - another invalid value → 'Invalid value for the "Currency" field' (crm-deal-update.md);
 * - a required field left empty → "The field "Last Name" is required."; several alternatives are joined.
 * Everything has an empty code and HTTP 400, except ERROR_CORE.
 */
export function legacyWriteError(config: LegacyMethodsConfig, detail: ItemOperationErrorKind): RestError {
  const entity = config.entity
  switch (detail.kind) {
    case 'itemNotFound':
      return legacyError(config.updateNotFound)
    case 'accessDenied':
    case 'stageChangeDenied':
    case 'restricted':
      return legacyError(ACCESS_DENIED)
    case 'valueNotValid':
      if (detail.field === 'fm') {
        return legacyError(`The field \`${detail.title}\` contains an invalid address`, 'ERROR_CORE')
      }
      return legacyError(`Invalid value for the "${legacyTitle(entity, detail.field, detail.title)}" field`)
    case 'required': {
      const names = detail.fields.map((f) => `"${legacyTitle(entity, f.field, f.title)}"`).join(' or ')
      return legacyError(`The field ${names} is required.`)
    }
    case 'multipleExpected':
      return legacyError(`Invalid value for the "${legacyTitle(entity, detail.field, detail.field)}" field`)
    case 'stageNotFoundInNewCategory':
      return legacyError('Stage in new category is not found')
    case 'fileNotAccepted':
      return legacyError(`Invalid value for the "${legacyTitle(entity, detail.field, detail.title)}" field`)
    case 'uploadFailed':
      return legacyError(detail.message)
    default:
      return legacyError(ACCESS_DENIED)
  }
}

/** Runs an item operation, turning its errors into the legacy dialect. */
export async function withLegacyErrors<T>(config: LegacyMethodsConfig, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (isItemOperationError(error)) throw legacyWriteError(config, error.detail)
    throw error
  }
}

// ---------------------------------------------------------------------------------------------------------
// Per-request facts
// ---------------------------------------------------------------------------------------------------------

/** The type's parent relations and custom fields on the caller's portal. */
export function loadLegacyTypeContext(
  ctx: CallContext,
  config: LegacyMethodsConfig,
): Promise<ItemTypeContext> {
  return loadItemTypeContext(ctx.store.db, ctx.principal.portal.id, config.entity.type)
}

/** Rendering options for the caller: portal offset, custom fields, parents, file links with its credentials. */
export function legacyRenderOptions(ctx: CallContext, context: ItemTypeContext): LegacyRenderOptions {
  const entityTypeId = context.type.entityTypeId
  return {
    timeZoneOffsetMinutes: ctx.principal.portal.timeZoneOffset,
    userFields: context.userFieldDefinitions,
    parentEntityTypeIds: context.parentEntityTypeIds,
    fileUrls: (fieldName, itemId, fileId) =>
      legacyFileLinks(ctx, { entityTypeId, itemId, fieldName, fileId }),
  }
}
