/**
 * Semantic errors of the item write operations (add, update). They carry what went wrong, not how a method
 * family words it: `crm.item.*` maps them to the codes, texts and statuses of the crm-item-add.md /
 * crm-item-update.md error tables (src/methods/crm/item/item-write-errors.ts); the legacy `crm.deal.*` …
 * adapters will map the same errors their own way (DESIGN.md "Errors are one catalog").
 */

export type ItemOperationErrorKind =
  /** No item of the type has that id. */
  | { kind: 'itemNotFound' }
  /** The caller may not add / modify items of the type. */
  | { kind: 'accessDenied' }
  /** The plan does not allow creating / changing smart-process items (portal setting `restrictDynamicItems`). */
  | { kind: 'restricted'; operation: 'add' | 'update' }
  /** A value the field cannot take: an unknown stage, source, currency, user, bound item … */
  | { kind: 'valueNotValid'; field: string; title: string }
  /** A required field is empty. `fields` names the alternatives when one of several suffices. */
  | { kind: 'required'; fields: readonly { field: string; title: string }[] }
  /** A scalar given to a multiple field; `gotType` is PHP's gettype() of the value. */
  | { kind: 'multipleExpected'; field: string; gotType: string }
  /** A funnel change found no stage with the same semantics in the new funnel. */
  | { kind: 'stageNotFoundInNewCategory' }
  /** The stage-move permission check failed: no role of the caller allows the target stage. */
  | { kind: 'stageChangeDenied' }
  /** The contact `photo` / company `logo` system file fields take no value through crm.item.*. */
  | { kind: 'fileNotAccepted'; field: string; title: string }
  /** An upload into a file field failed: too large, an extension the field refuses (user-field-apply.ts). */
  | { kind: 'uploadFailed'; field: string; message: string }

export class ItemOperationError extends Error {
  constructor(readonly detail: ItemOperationErrorKind) {
    super(detail.kind)
    this.name = 'ItemOperationError'
  }
}

export function isItemOperationError(error: unknown): error is ItemOperationError {
  return error instanceof ItemOperationError
}
