/**
 * What every `crm.item.*` method shares on the wire (api-reference/crm/universal/crm-item-*.md): reading the
 * `entityTypeId` / `id` / `useOriginalUfNames` parameters, the controller's checks and their errors, the
 * per-request facts about a type (default funnel, custom fields, parent relations) and rendering items.
 *
 * Order of checks, as the controller runs them (research/server-behaviour.md §1.A items 2–4):
 * 1. intranet prefilter — 403 `allowed_only_intranet_user`;
 * 2. argument binding — a missing `entityTypeId` / `id` is `{"error":100,"error_description":"Could not find
 *    value for parameter {entityTypeId}"}` (the controllers' binder; crm-type-add.md error table);
 * 3. factory lookup — 400 `NOT_FOUND` "Smart process not found" (crm-item-fields.md example), or 400
 *    `ENTITY_TYPE_NOT_SUPPORTED` for old invoices, requisites, orders (universal/index.md);
 * 4. item lookup — 400 `NOT_FOUND` "Item not found" (crm-item-delete.md example; the error tables of every
 *    page; crm-item-get.md's example says "Element not found", see docs/compatibility.md).
 */
import { RestError } from '../../../protocol/errors.js'
import { parseWireBool } from '../../../protocol/params/scalars.js'
import type { CallContext } from '../../define-method.js'
import type { Db } from '../../../store/schema.js'
import { entityTypeName, resolveEntityType } from '../../../crm/entity-type-resolver.js'
import type { EntityTypeDescriptor } from '../../../crm/entity-types/entity-type.js'
import type { ParentFieldDescription, UserFieldDescription } from '../../../crm/entity-types/fields-output.js'
import { builtInEntityType } from '../../../crm/entity-types/registry.js'
import { cachedDefaultCategory, cachedTypes, cachedUserFields } from '../../../crm/config-reads.js'
import type { SmartProcessTypeRecord } from '../../../crm/dictionaries/dictionary-store.js'
import { isIntranetUser, phpIntval } from '../dictionary-common.js'
import { itemToWire, itemUserFieldKeys, type ItemWireOptions } from '../../../crm/items/item-output.js'
import type { Item } from '../../../crm/items/item.js'
import { userFieldDescription, type UserFieldDefinition } from '../../../crm/user-fields/user-field.js'
import { itemFileUrlBuilder } from '../file-links.js'

/**
 * One wording for the whole family: the add/update pages' "Action is allowed only for intranet users" (the
 * get/delete/fields/list pages translate the same controller message slightly differently).
 */
export const INTRANET_ONLY_DESCRIPTION = 'Action is allowed only for intranet users'

/** The controller's intranet prefilter (Controller\Base): administrators always pass. */
export function requireItemIntranetUser(ctx: CallContext): void {
  if (!isIntranetUser(ctx.principal)) {
    throw new RestError('allowed_only_intranet_user', INTRANET_ONLY_DESCRIPTION, 403)
  }
}

/** The binder's error for a required action argument that is missing. */
export function missingParameter(name: string): RestError {
  return new RestError('100', `Could not find value for parameter {${name}}`, 400)
}

/**
 * A required `int` argument (`entityTypeId`, `id`): missing or null → error 100; otherwise PHP's int cast
 * (`"2"` → 2, `"abc"` → 0), so a bad value ends as "not found".
 */
export function requiredIntParam(params: Record<string, unknown>, name: string): number {
  const value = params[name]
  if (value === undefined || value === null) throw missingParameter(name)
  if (typeof value === 'object') throw missingParameter(name)
  return phpIntval(value)
}

/** `useOriginalUfNames`: `Y` (also 1/true) → custom fields by UPPER name; default `N`. */
export function readUseOriginalUfNames(params: Record<string, unknown>): boolean {
  return parseWireBool(params['useOriginalUfNames']) === true
}

export function typeNotFound(): RestError {
  return new RestError('NOT_FOUND', 'Smart process not found', 400)
}

export function itemNotFound(): RestError {
  return new RestError('NOT_FOUND', 'Item not found', 400)
}

/**
 * No read right over the item or the type: "You do not have permission to view this item" (crm-item-get.md,
 * crm-item-fields.md error tables).
 */
export function viewDenied(): RestError {
  return new RestError('ACCESS_DENIED', 'You do not have permission to view this item', 400)
}

/** No add / modify / delete right: "Access denied" (crm-item-add.md, -update.md, -delete.md error tables). */
export function accessDenied(): RestError {
  return new RestError('ACCESS_DENIED', 'Access denied', 400)
}

/** The descriptor of the type `entityTypeId` names on the caller's portal, or the documented error. */
export async function resolveItemType(ctx: CallContext, entityTypeId: number): Promise<EntityTypeDescriptor> {
  const resolved = await resolveEntityType(ctx.store.db, ctx.principal.portal.id, entityTypeId)
  switch (resolved.kind) {
    case 'found':
      return resolved.type
    case 'notFound':
      throw typeNotFound()
    case 'notSupported':
      throw new RestError(
        'ENTITY_TYPE_NOT_SUPPORTED',
        `Entity type ${entityTypeName(entityTypeId)} is not supported`,
        400,
      )
  }
}

/** The facts about a type one request needs to read, list or render its items. */
export interface ItemTypeContext {
  readonly type: EntityTypeDescriptor
  /** The default funnel: `crm.item.fields` reports its stage dictionary. 0 for types without funnels. */
  readonly defaultCategoryId: number
  /** Custom fields of the type, in field order, as crm.item.fields describes them. */
  readonly userFields: readonly UserFieldDescription[]
  /** The same custom fields as defined (types, settings, list values): filters, value reading. */
  readonly userFieldDefinitions: readonly UserFieldDefinition[]
  /** The custom parent relations: the `parentId{N}` fields, ascending by parent type. */
  readonly parentFields: readonly ParentFieldDescription[]
  readonly parentEntityTypeIds: readonly number[]
}

export async function loadItemTypeContext(
  db: Db,
  portalId: number,
  type: EntityTypeDescriptor,
): Promise<ItemTypeContext> {
  const category = type.hasCategories
    ? await cachedDefaultCategory(db, portalId, type.entityTypeId)
    : undefined
  const types = await cachedTypes(db, portalId)
  const userFieldDefinitions = await cachedUserFields(db, portalId, type)
  const defaultCategoryId = category?.id ?? 0
  // The configuration cache answers the same frozen values until the configuration changes; the context made
  // of them is kept with them, and so are the rendering plans keyed by its arrays (item-output.ts).
  const cached = typeContexts.get(userFieldDefinitions)
  if (
    cached !== undefined &&
    cached.types === types &&
    cached.context.type === type &&
    cached.context.defaultCategoryId === defaultCategoryId
  ) {
    return cached.context
  }
  const parentFields = parentFieldsFrom(types, type.entityTypeId)
  const context: ItemTypeContext = {
    type,
    defaultCategoryId,
    userFields: userFieldDefinitions.map(userFieldDescription),
    userFieldDefinitions,
    parentFields,
    parentEntityTypeIds: parentFields.map((p) => p.parentEntityTypeId),
  }
  typeContexts.set(userFieldDefinitions, { types, context })
  return context
}

const typeContexts = new WeakMap<
  readonly UserFieldDefinition[],
  { readonly types: readonly SmartProcessTypeRecord[]; readonly context: ItemTypeContext }
>()

/**
 * The parent relations of a type, ascending by parent type: smart processes name their parents in
 * `relations.parent` and their children in `relations.child` (crm-type-add.md "relations"). Only these
 * custom relations have `parentId{N}` fields (server-behaviour.md §1.B item 19); the predefined client
 * relations do not. The title is the parent type's ("Lead", "Deal", a smart process's title).
 */
function parentFieldsFrom(
  types: readonly SmartProcessTypeRecord[],
  entityTypeId: number,
): ParentFieldDescription[] {
  const titles = new Map(types.map((t) => [t.settings.entityTypeId, t.settings.title]))
  const parents = new Set<number>()
  for (const record of types) {
    const own = record.settings.entityTypeId
    if (own === entityTypeId) for (const parent of record.relations.parent) parents.add(parent.entityTypeId)
    if (record.relations.child.some((child) => child.entityTypeId === entityTypeId)) parents.add(own)
  }
  parents.delete(entityTypeId)
  return [...parents]
    .sort((a, b) => a - b)
    .map((parentEntityTypeId) => ({
      parentEntityTypeId,
      title:
        titles.get(parentEntityTypeId) ??
        builtInEntityType(parentEntityTypeId)?.title ??
        entityTypeName(parentEntityTypeId),
    }))
}

/** The wire keys of the type's custom fields, UPPER name → key. */
export function userFieldKeysOf(context: ItemTypeContext, useOriginalUfNames: boolean): Map<string, string> {
  return itemUserFieldKeys(
    context.type,
    context.userFields.map((uf) => uf.fieldName),
    useOriginalUfNames,
  )
}

/** Rendering options for the caller's portal. */
export function itemWireOptions(
  ctx: CallContext,
  context: ItemTypeContext,
  useOriginalUfNames: boolean,
  select?: readonly string[],
): ItemWireOptions {
  return {
    timeZoneOffsetMinutes: ctx.principal.portal.timeZoneOffset,
    useOriginalUfNames,
    userFields: context.userFields,
    parentEntityTypeIds: context.parentEntityTypeIds,
    // Files print `{id, url, urlMachine}` with links that work with the caller's credentials.
    fileUrl: itemFileUrlBuilder(ctx),
    ...(select === undefined ? {} : { select }),
  }
}

/** One item as `crm.item.get/add/update` return it under `result.item`. */
export function renderItem(
  ctx: CallContext,
  context: ItemTypeContext,
  item: Item,
  useOriginalUfNames: boolean,
): Record<string, unknown> {
  return itemToWire(context.type, item, itemWireOptions(ctx, context, useOriginalUfNames))
}
