/**
 * The wire form of the item write errors on `crm.item.add` / `crm.item.update`: the codes, texts and
 * statuses of the crm-item-add.md / crm-item-update.md error tables. Only the first error is sent, with
 * HTTP 400 (research/server-behaviour.md §1.A item 10).
 */
import { RestError } from '../../../protocol/errors.js'
import { isItemOperationError, type ItemOperationErrorKind } from '../../../crm/items/operations/errors.js'
import { itemNotFound } from './item-wire.js'

export function itemWriteRestError(detail: ItemOperationErrorKind): RestError {
  switch (detail.kind) {
    case 'itemNotFound':
      return itemNotFound()
    case 'accessDenied':
      return new RestError('ACCESS_DENIED', 'Access denied', 400)
    case 'restricted':
      return detail.operation === 'add'
        ? new RestError(
            'CREATE_DYNAMIC_ITEM_RESTRICTED',
            'You cannot create a new item due to your plan restrictions',
            400,
          )
        : new RestError(
            'UPDATE_DYNAMIC_ITEM_RESTRICTED',
            'You cannot change the item due to your plan restrictions',
            400,
          )
    case 'valueNotValid':
    case 'fileNotAccepted':
      // 'Invalid value for field "`field`"' (error tables), with the field title: 'Invalid value for field
      // "Category"' (how-to-add-contractor.md).
      return new RestError(
        'CRM_FIELD_ERROR_VALUE_NOT_VALID',
        `Invalid value for field "${detail.title}"`,
        400,
      )
    case 'required': {
      // 'The "Name" field is required' (crm-item-batch-import.md example).
      const names = detail.fields.map((f) => `"${f.title}"`).join(' or ')
      return new RestError('CRM_FIELD_ERROR_REQUIRED', `The ${names} field is required`, 400)
    }
    case 'multipleExpected':
      // The code is the string "100": the docs' controller examples print `"error": "100"`
      // (crm-calllist-list.md, crm-timeline-logmessage-list.md …), and @bitrix24/b24jssdk reads only string
      // codes (core/http/parse-error-payload) — a numeric 100 reaches its caller as a bare ERR_BAD_REQUEST.
      return new RestError(
        '100',
        `Expected iterable value for multiple field, but got ${detail.gotType} instead`,
        400,
      )
    case 'stageNotFoundInNewCategory':
      return new RestError('CRM_FIELD_ERROR_VALUE_NOT_VALID', 'Stage in new category is not found', 400)
    case 'uploadFailed':
      // The controller's upload error (research/server-behaviour.md §1.B item 15).
      return new RestError('CRM_CONTROLLER_BASE_UPLOAD_FILE_ERROR', detail.message, 400)
    case 'stageChangeDenied':
      // An error without a code (§1.C item 22f); the docs' table shows "-".
      return new RestError('', 'Insufficient permission to change stage.', 400)
  }
}

/** Runs a write operation, turning its semantic errors into the family's wire errors. */
export async function withItemWriteErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (isItemOperationError(error)) throw itemWriteRestError(error.detail)
    throw error
  }
}
