/**
 * crm.item.update's domain operation, in the order of research/server-behaviour.md §1.A and §1.C (the seed
 * page, crm-item-update.md: "access permissions are checked — required fields … if the item's stage has
 * changed within the same direction — field values are checked for correctness — default values are
 * assigned — if no field values have been changed before saving, the save is not performed — automation
 * rules are triggered after saving"):
 *
 *  1. load the item (NOT_FOUND) and check the write permission;
 *  2. read `fields` (key conversion, processFields: error 100, unknown keys ignored);
 *  3. plan restriction for smart processes (UPDATE_DYNAMIC_ITEM_RESTRICTED);
 *  4. apply the values: read-only, immutable and cannot-be-emptied fields silently kept; bindings,
 *     observers, multifields, parents; funnel and stage rules;
 *  5. validate changed values (CRM_FIELD_ERROR_VALUE_NOT_VALID);
 *  6. stage side effects; required fields (CRM_FIELD_ERROR_REQUIRED); stage-move permission;
 *  7. no-op detection: nothing changed → no save, updatedTime/updatedBy untouched, no outbox row;
 *  8. save, then the after-save step (stage and event history, outbox) in the same transaction.
 *
 * The allowed_only_intranet_user prefilter and the type lookup come first; the method does them.
 */
import type { EntityTypeDescriptor } from '../../entity-types/entity-type.js'
import type { Store } from '../../../store/store.js'
import type { Portal } from '../../../portal/portal.js'
import type { User } from '../../../portal/users.js'
import { param, runPrepared } from '../../../store/prepared.js'
import { loadItem, saveItem, storedItem } from '../item-store.js'
import type { Item } from '../item.js'
import { afterSave } from './after-save.js'
import { ItemOperationError } from './errors.js'
import {
  applyPatch,
  applyReturnCustomer,
  applyStageEffects,
  assertMayChangeStage,
  assertMayWrite,
  assertNotRestricted,
  changedFieldNames,
  checkRequired,
  nowInstant,
  validateValues,
  type ParentType,
  type WriteContext,
} from './item-pipeline.js'
import { readFields, type IgnoredKey } from './read-fields.js'
import type { UserFieldDefinition } from '../../user-fields/user-field.js'
import { userFieldsOfType } from '../../user-fields/user-field-store.js'
import type { UserFieldDialect } from '../../user-fields/user-field-values.js'
import { applyUserFieldWrites, checkRequiredUserFields } from '../../user-fields/user-field-apply.js'

export interface ItemWriteInput {
  readonly store: Store
  readonly portal: Portal
  readonly user: User
  readonly nowMs: number
  readonly type: EntityTypeDescriptor
  readonly fields: Record<string, unknown>
  readonly useOriginalUfNames: boolean
  /** The type's parent types (its `parentId{N}` fields); other `parentId…` keys are ignored. */
  readonly parentTypes: readonly ParentType[]
  /** The type's custom fields; loaded by the operation when absent. */
  readonly userFields?: readonly UserFieldDefinition[]
  /**
   * The value forms custom fields take (read-fields.ts): `universal` for crm.item.*, `legacy` for the
   * crm.lead|deal|contact|company.* methods (`{fileData}` uploads, booleans `1`/`Y`). Default universal.
   */
  readonly dialect?: UserFieldDialect
  /**
   * Record the change in the item's event history (after-save.ts). Legacy methods pass
   * `params.REGISTER_HISTORY_EVENT` (after-save.ts legacyRegisterFlag); default true (crm.item.*).
   */
  readonly registerHistory?: boolean
  /**
   * Post the change to the live feed (activity stream). Legacy methods pass `params.REGISTER_SONET_EVENT`
   * with their documented default; default true (crm.item.*).
   */
  readonly registerSonet?: boolean
}

export interface ItemWriteResult {
  /** The item as stored after the operation (the unchanged item after a no-op update). */
  item: Item
  /** false for a no-op update: nothing was saved. */
  saved: boolean
  changedFields: string[]
  /** Keys of `fields` that changed nothing, with the reason (a future strict mode reports them). */
  ignored: IgnoredKey[]
}

export async function updateItem(input: ItemWriteInput & { readonly id: number }): Promise<ItemWriteResult> {
  const { store, portal, user, type } = input
  return store.transaction(async (tx) => {
    const ctx: WriteContext = {
      store,
      db: tx,
      portal,
      user,
      nowMs: input.nowMs,
      parentTypes: input.parentTypes,
    }
    // Concurrent updates of one item queue up here on PostgreSQL; SQLite serialises write transactions.
    if (store.dialect === 'postgres') {
      await runPrepared(
        tx,
        'item-lock',
        () =>
          tx
            .selectFrom('crm_item')
            .select('id')
            .where('portal_id', '=', param('portalId'))
            .where('entity_type_id', '=', param('entityTypeId'))
            .where('id', '=', param('id'))
            .forUpdate(),
        { portalId: portal.id, entityTypeId: type.entityTypeId, id: input.id },
      )
    }
    const before = await loadItem(tx, portal.id, type, input.id)
    if (before === undefined) throw new ItemOperationError({ kind: 'itemNotFound' })
    await assertMayWrite(ctx, type, 'update', before)

    const userFields = input.userFields ?? (await userFieldsOfType(tx, portal.id, type))
    const { patch, ignored } = readFields(type, input.fields, {
      operation: 'update',
      useOriginalUfNames: input.useOriginalUfNames,
      timeZoneOffsetMinutes: portal.timeZoneOffset,
      userFields,
      ...(input.dialect === undefined ? {} : { dialect: input.dialect }),
      current: before,
    })
    assertNotRestricted(portal, type, 'update')

    const applied = await applyPatch(ctx, type, before, patch, ignored, 'update')
    const { after } = applied
    // Permission check 2: moving the item into another funnel needs the add right there.
    if (applied.categoryChanged) await assertMayWrite(ctx, type, 'add', after)
    await validateValues(ctx, type, before, after)
    await applyUserFieldWrites(ctx, type, userFields, before, after, patch)
    applyStageEffects(ctx, type, before, after, applied, patch, 'update')
    applyReturnCustomer(type, after, patch)
    checkRequired(type, before, after, applied, 'update')
    checkRequiredUserFields(ctx, userFields, before, after, applied, 'update')
    if (applied.stageChanged && !applied.categoryChanged) {
      await assertMayChangeStage(
        ctx,
        type,
        after.values['categoryId'],
        before.values['stageId'],
        after.values['stageId'],
      )
    }

    const changedFields = changedFieldNames(type, before, after)
    // "If it turns out that no field values have been changed before saving, the save is not performed."
    if (changedFields.length === 0) return { item: before, saved: false, changedFields, ignored }

    after.values['updatedTime'] = nowInstant(ctx)
    after.values['updatedBy'] = user.id
    const written = await saveItem(tx, portal.id, type, before, after)
    await afterSave(tx, {
      portalId: portal.id,
      type,
      operation: 'update',
      id: before.id,
      changedFields,
      categoryChanged: applied.categoryChanged,
      userId: user.id,
      nowMs: input.nowMs,
      before,
      after,
      stageSemantics: applied.stageSemantics,
      registerHistory: input.registerHistory ?? true,
      registerSonet: input.registerSonet ?? true,
    })
    // The answer is the item as stored, derived from what was written (item-store.ts WrittenItem).
    const saved = await storedItem(tx, portal.id, type, written)
    return { item: saved, saved: true, changedFields, ignored }
  })
}
