/**
 * What the crm.category.* methods share (api-reference/crm/universal/category/): resolving the object whose
 * funnels are meant, rights, field descriptions and the list fields.
 */
import type { CallContext } from '../../define-method.js'
import { RestError } from '../../../protocol/errors.js'
import type { ListField, ListFieldMap } from '../../../store/list-query.js'
import { supportsCategories } from '../../../crm/dictionaries/categories.js'
import { ENTITY_TYPE } from '../../../crm/dictionaries/statuses.js'
import { entityTypeName, resolveEntityType } from '../../../crm/entity-type-resolver.js'
import { canChangeCrmSettings, controllerInt, requireIntranet, scalarString } from '../dictionary-common.js'

/**
 * The category pages list no intranet error, but they are served by the same controller base as crm.item.*,
 * whose prefilter refuses extranet users; the wording is the crm.item pages'.
 */
export const INTRANET_ONLY = 'Action is allowed only for intranet users'

/** Which kind of object owns the funnels: their rules differ (crm-category-add.md, isDefault). */
export type FunnelOwner = 'deal' | 'client' | 'dynamic'

export interface CategoryTarget {
  entityTypeId: number
  owner: FunnelOwner
}

/**
 * Checks the caller and `entityTypeId`, in the order the controller does: intranet prefilter, the argument,
 * the type (NOT_FOUND with the page's own wording — "SPA not found" or "Smart process not found" — for an
 * unknown type, ENTITY_TYPE_NOT_SUPPORTED for one without funnels), then, for writes, the CRM admin right.
 */
export async function categoryTarget(
  params: Record<string, unknown>,
  ctx: CallContext,
  options: { notFound: string; write: boolean },
): Promise<CategoryTarget> {
  requireIntranet(ctx.principal, INTRANET_ONLY)
  const entityTypeId = controllerInt(params, 'entityTypeId')
  const resolved = await resolveEntityType(ctx.store.db, ctx.principal.portal.id, entityTypeId)
  if (resolved.kind === 'notFound') throw new RestError('NOT_FOUND', options.notFound, 400)
  if (resolved.kind === 'notSupported' || !supportsCategories(entityTypeId)) {
    throw new RestError(
      'ENTITY_TYPE_NOT_SUPPORTED',
      `Entity type ${entityTypeName(entityTypeId)} is not supported`,
      400,
    )
  }
  // Admin rights for add / update / delete (category/index.md "Access Permissions").
  if (options.write && !(await canChangeCrmSettings(ctx.store.db, ctx.principal))) {
    throw new RestError('ACCESS_DENIED', 'Access denied', 400)
  }
  const owner: FunnelOwner =
    entityTypeId === ENTITY_TYPE.deal
      ? 'deal'
      : entityTypeId === ENTITY_TYPE.contact || entityTypeId === ENTITY_TYPE.company
        ? 'client'
        : 'dynamic'
  return { entityTypeId, owner }
}

export function elementNotFound(): RestError {
  return new RestError('NOT_FOUND', 'Element not found', 400)
}

/** `{"error":0,…}`: the category pages' numeric code for validation failures. */
export function categoryError(description: string): RestError {
  return new RestError(0, description, 400)
}

/** "The name … length cannot exceed 255 characters, cannot be empty, cannot consist solely of spaces". */
export function validCategoryName(value: unknown): string {
  const name = scalarString(value) ?? ''
  if (name.trim() === '') throw categoryError("Field 'NAME' is required")
  if ([...name].length > 255) throw categoryError("Field 'NAME' must be no longer than 255 characters")
  return name
}

/** "Cannot be negative. If a value less than zero is passed to sort, it will be … set to sort = 0". */
export function categorySort(value: unknown): number {
  const text = scalarString(value)
  const n = text === undefined ? 0 : Number.parseInt(text, 10)
  return Number.isFinite(n) && n > 0 ? Math.min(n, 2_147_483_647) : 0
}

interface FieldDescription {
  type: string
  isRequired: boolean
  isReadOnly: boolean
  isImmutable: boolean
  isMultiple: boolean
  isDynamic: boolean
  title: string
  upperName: string
}

function describe(type: string, upperName: string, flags: { required?: boolean; readOnly?: boolean } = {}) {
  const description: FieldDescription = {
    type,
    isRequired: flags.required === true,
    isReadOnly: flags.readOnly === true,
    isImmutable: false,
    isMultiple: false,
    isDynamic: false,
    title: upperName,
    upperName,
  }
  return description
}

/**
 * crm.category.fields (crm-category-fields.md): the deal example verbatim (isDefault read-only: "In deals, the
 * isDefault field is not available for modification"). Contacts and companies have isSystem and code in
 * place of the deal-only originId / originatorId (how-to-get-contractors.md), and their default flag cannot
 * move either; smart processes and invoices have neither set, and their isDefault is writable.
 */
export function categoryFieldDescriptions(owner: FunnelOwner): Record<string, FieldDescription> {
  const fields: Record<string, FieldDescription> = {
    id: { ...describe('integer', 'ID', { readOnly: true }), title: 'ID' },
    name: describe('string', 'NAME'),
    sort: describe('integer', 'SORT'),
    entityTypeId: describe('integer', 'ENTITY_TYPE_ID', { required: true, readOnly: true }),
    isDefault: describe('boolean', 'IS_DEFAULT', { readOnly: owner !== 'dynamic' }),
  }
  if (owner === 'deal') {
    fields['originId'] = describe('string', 'ORIGIN_ID')
    fields['originatorId'] = describe('string', 'ORIGINATOR_ID')
  }
  if (owner === 'client') {
    fields['isSystem'] = describe('boolean', 'IS_SYSTEM', { readOnly: true })
    fields['code'] = describe('string', 'CODE', { readOnly: true })
  }
  return fields
}

function column(name: string, type: ListField['type']): ListField {
  return { column: name, type }
}

/** crm.category.list `filter` / `order` fields (how-to-add-contractor.md filters by `code`). */
export const CATEGORY_LIST_FIELDS: ListFieldMap = new Map<string, ListField>([
  ['id', column('id', 'integer')],
  ['name', column('name', 'string')],
  ['sort', column('sort', 'integer')],
  ['entityTypeId', column('entity_type_id', 'integer')],
  ['isDefault', column('is_default', 'boolean')],
  ['isSystem', column('is_system', 'boolean')],
  ['code', column('code', 'string')],
  ['originId', column('origin_id', 'string')],
  ['originatorId', column('originator_id', 'string')],
])
