/**
 * What the userfieldconfig.* methods share (api-reference/crm/universal/userfieldconfig/): the module check,
 * the second scope, the `field` object's keys and the error dialect — an empty code with the message, HTTP 400.
 *
 * "In all userfieldconfig.* methods, moduleId is passed, which determines the module context and access
 * permissions for the fields. Therefore, the application requires not only the userfieldconfig scope but also
 * the module scope from moduleId" (userfieldconfig/index.md). Only `crm` has custom fields here; another
 * module is "No settings for UserFieldAccess".
 */
import { RestError } from '../../protocol/errors.js'
import { scopeGranted } from '../../auth/scopes.js'
import type { CallContext } from '../define-method.js'
import { isPlainObject, missingParameter } from '../crm/dictionary-common.js'
import type { EntityTypeDescriptor } from '../../crm/entity-types/entity-type.js'
import { permissionsOf } from '../../crm/permissions/index.js'
import { UserFieldError } from '../../crm/user-fields/user-field-store.js'

export function configError(message: string): RestError {
  return new RestError('', message, 400)
}

/** `moduleId` must be given and be `crm`; the caller must also hold the `crm` scope. */
export function requireCrmModule(params: Record<string, unknown>, ctx: CallContext): void {
  const moduleId = params['moduleId']
  if (moduleId === undefined || moduleId === null || moduleId === '') throw missingParameter('moduleId')
  if (moduleId !== 'crm') throw configError('No settings for UserFieldAccess')
  if (!scopeGranted('crm', ctx.principal.scopes))
    throw configError('The current method required more scopes. (crm)')
}

/** The `field` object (an action argument: missing or not an object is the binder's error 100). */
export function fieldParam(params: Record<string, unknown>): Record<string, unknown> {
  const value = params['field']
  if (isPlainObject(value)) return value
  if (Array.isArray(value) && value.length === 0) return {}
  throw missingParameter('field')
}

/** May the caller read custom fields of the type (its read right)? */
export async function mayRead(ctx: CallContext, type: EntityTypeDescriptor): Promise<boolean> {
  return (await permissionsOf(ctx.store.db, ctx.principal)).canType('read', type)
}

/** The core's messages for a definition the field object describes badly. */
export function configUserFieldError(error: UserFieldError): RestError {
  switch (error.kind) {
    case 'fieldNameMissing':
      return configError("The 'FIELD_NAME' field is not found")
    case 'userTypeMissing':
      return configError("The 'USER_TYPE_ID' field is not found")
    case 'duplicateName':
      return configError(`Field ${error.subject} already exists`)
    case 'duplicateEnumXmlId':
      return configError('Fail to save enumeration field values')
    case 'fieldNameTooLong':
    case 'fieldNameInvalid':
    case 'userTypeUnknown':
      return configError('Fail to create new user field')
  }
}
