/**
 * What the crm.status.* methods share: their errors, the field descriptions of crm.status.fields and the
 * list fields of crm.status.list. Pages under api-reference/crm/status/.
 *
 * Errors: crm.status.add documents `{"error":"","error_description":"<message>"}` (its table's Code column
 * is "Empty value"; duplicates are `ERROR_CORE`). The other pages show the message itself as the code with
 * a longer description — `{"error":"Status is not found.","error_description":"Directory item not found."}`
 * (crm-status-get.md), `{"error":"Invalid identifier.", …}` (crm-status-update.md, crm-status-delete.md),
 * `{"error":"Invalid parameters.","error_description":"Incorrect parameters passed."}` (crm-status-list.md).
 * Each method answers the way its page shows; where a page gives no example for a message, the description
 * is the page's explanation of it ("Value" column) as a sentence.
 */
import type { Principal } from '../../../protocol/principal.js'
import { RestError } from '../../../protocol/errors.js'
import type { ListField, ListFieldMap } from '../../../store/list-query.js'
import type { Db } from '../../../store/schema.js'
import { permissionsOf } from '../../../crm/permissions/index.js'
import { canChangeCrmSettings, isIntranetUser } from '../dictionary-common.js'

/** An error in the form the get / update / delete / list / entity.items pages show: the message is the code. */
export function statusError(message: string, description: string): RestError {
  return new RestError(message, description, 400)
}

/** An error in the form crm.status.add shows: empty code, the message as the description. */
export function statusAddError(message: string): RestError {
  return new RestError('', message, 400)
}

export const ACCESS_DENIED = 'Access denied.'
export const ACCESS_DENIED_DESCRIPTION = 'No permission to perform the operation.'

/**
 * Reading dictionaries: "any user with permission to read at least one CRM object" (crm-status-list.md,
 * crm-status-get.md): intranet users with a read right somewhere (src/crm/permissions/).
 */
export async function requireStatusRead(db: Db, principal: Principal): Promise<void> {
  if (!isIntranetUser(principal) || !(await permissionsOf(db, principal)).hasCrmAccess) {
    throw statusError(ACCESS_DENIED, ACCESS_DENIED_DESCRIPTION)
  }
}

/** Writing: "Only an administrator or a user with the 'Allow to modify settings' permission" (status/index.md). */
export function canWriteStatuses(db: Db, principal: Principal): Promise<boolean> {
  return canChangeCrmSettings(db, principal)
}

function statusField(column: string, type: ListField['type']): ListField {
  return { column, type }
}

/** crm.status.list filter and order fields: those of crm.status.fields, EXTRA excepted. */
export const STATUS_LIST_FIELDS: ListFieldMap = new Map<string, ListField>([
  ['ID', statusField('id', 'integer')],
  ['ENTITY_ID', statusField('entity_id', 'string')],
  ['STATUS_ID', statusField('status_id', 'string')],
  ['SORT', statusField('sort', 'integer')],
  ['NAME', statusField('name', 'string')],
  ['NAME_INIT', statusField('name_init', 'string')],
  ['SYSTEM', statusField('system', 'boolean')],
  ['CATEGORY_ID', statusField('category_id', 'integer')],
  ['COLOR', statusField('color', 'string')],
  ['SEMANTICS', statusField('semantics', 'string')],
])

interface FieldDescription {
  type: string
  isRequired: boolean
  isReadOnly: boolean
  isImmutable: boolean
  isMultiple: boolean
  isDynamic: boolean
  title: string
}

function describe(
  type: string,
  title: string,
  flags: { required?: boolean; readOnly?: boolean; immutable?: boolean } = {},
): FieldDescription {
  return {
    type,
    isRequired: flags.required === true,
    isReadOnly: flags.readOnly === true,
    isImmutable: flags.immutable === true,
    isMultiple: false,
    isDynamic: false,
    title,
  }
}

/** crm.status.fields, as crm-status-fields.md shows it (titles included). */
export function statusFieldDescriptions(): Record<string, FieldDescription> {
  return {
    ID: describe('integer', 'ID', { readOnly: true }),
    ENTITY_ID: describe('string', 'Entity ID', { required: true, immutable: true }),
    STATUS_ID: describe('string', 'Status', { required: true, immutable: true }),
    SORT: describe('integer', 'Sorting'),
    NAME: describe('string', 'Name', { required: true }),
    NAME_INIT: describe('string', 'Default Name', { readOnly: true }),
    SYSTEM: describe('char', 'System', { readOnly: true }),
    CATEGORY_ID: describe('integer', 'CATEGORY_ID', { immutable: true }),
    COLOR: describe('string', 'COLOR'),
    SEMANTICS: describe('char', 'SEMANTICS', { immutable: true }),
    EXTRA: describe('crm_status_extra', 'Additional Fields'),
  }
}
