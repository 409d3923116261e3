/**
 * Deleting an item (crm-item-delete.md; the legacy crm-lead-delete.md … crm-company-delete.md: "deletes the
 * item and the objects linked to it"): the item and everything stored with it is removed (item-store.ts
 * deleteItem) and the after-delete step records it — stage history removed, a `delete` history row, the
 * `crm.item.deleted` outbox row (after-save.ts afterDelete) — in the caller's transaction.
 */
import type { EntityTypeDescriptor } from '../../entity-types/entity-type.js'
import type { Portal } from '../../../portal/portal.js'
import type { User } from '../../../portal/users.js'
import type { Db } from '../../../store/schema.js'
import type { Store } from '../../../store/store.js'
import { permissionItemOfValues, permissionsFor } from '../../permissions/index.js'
import { deleteItem, loadItem } from '../item-store.js'
import type { Item } from '../item.js'
import { afterDelete } from './after-save.js'
import { ItemOperationError } from './errors.js'

export interface DeleteRecordedInput {
  readonly portalId: number
  readonly type: EntityTypeDescriptor
  readonly id: number
  readonly userId: number
  readonly nowMs: number
  /** Write the `delete` row of the event history (default true). */
  readonly registerHistory?: boolean
}

/**
 * Deletes the item inside the caller's transaction `db` and runs the after-delete step. Returns false when
 * there is no such item (nothing is written then).
 */
export async function deleteItemRecorded(db: Db, input: DeleteRecordedInput): Promise<boolean> {
  const item = await loadItem(db, input.portalId, input.type, input.id)
  if (item === undefined) return false
  if (!(await deleteItem(db, input.portalId, input.type, input.id))) return false
  await afterDelete(db, {
    portalId: input.portalId,
    type: input.type,
    item,
    userId: input.userId,
    nowMs: input.nowMs,
    registerHistory: input.registerHistory ?? true,
  })
  return true
}

export interface ItemDeleteInput {
  readonly store: Store
  readonly portal: Portal
  readonly user: User
  readonly nowMs: number
  readonly type: EntityTypeDescriptor
  readonly id: number
  /** Write the `delete` row of the event history (default true). */
  readonly registerHistory?: boolean
}

/**
 * The whole delete operation in its own transaction: the item must exist (itemNotFound) and the caller's
 * delete right must cover it (accessDenied; src/crm/permissions/). Returns the item as it was.
 */
export async function deleteItemOperation(input: ItemDeleteInput): Promise<Item> {
  const { store, portal, user, type, id } = input
  return store.transaction(async (tx) => {
    const item = await loadItem(tx, portal.id, type, id)
    if (item === undefined) throw new ItemOperationError({ kind: 'itemNotFound' })
    const permissions = await permissionsFor(tx, portal, user)
    if (!permissions.canItem('delete', type, permissionItemOfValues(item.values))) {
      throw new ItemOperationError({ kind: 'accessDenied' })
    }
    const deleted = await deleteItemRecorded(tx, {
      portalId: portal.id,
      type,
      id,
      userId: user.id,
      nowMs: input.nowMs,
      ...(input.registerHistory === undefined ? {} : { registerHistory: input.registerHistory }),
    })
    if (!deleted) throw new ItemOperationError({ kind: 'itemNotFound' })
    return item
  })
}
