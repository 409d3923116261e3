/**
 * crm.item.add's domain operation (crm-item-add.md: "access permissions are checked — mandatory fields are
 * checked — stage-dependent mandatory fields are checked — field data validity is checked — default values
 * are assigned to fields — automation rules are triggered after saving"; research/server-behaviour.md §1.C
 * for the shared skeleton):
 *
 *  1. write permission; read `fields` (error 100, unknown keys ignored); plan restriction for smart
 *     processes (CREATE_DYNAMIC_ITEM_RESTRICTED);
 *  2. a new id; the values applied onto an empty item: bindings, observers, multifields, parents, the funnel
 *     (default funnel unless given) and its stage (first stage unless given);
 *  3. validation (CRM_FIELD_ERROR_VALUE_NOT_VALID);
 *  4. defaults (crm-item-add.md "Default —" of every field), system stamps, stage side effects;
 *  5. required fields (CRM_FIELD_ERROR_REQUIRED);
 *  6. insert, then the after-save step (stage and event history, outbox) in the same transaction.
 */
import type { EntityTypeDescriptor } from '../../entity-types/entity-type.js'
import { defaultItemTitle } from '../../entity-types/entity-type.js'
import type { DefaultValueRule, FieldDescriptor } from '../../entity-types/field.js'
import { baseCurrency, listStatuses } from '../../dictionaries/dictionary-store.js'
import { emptyItem, insertItem, nextItemId, storedItem } from '../item-store.js'
import type { Item } from '../item.js'
import { afterSave } from './after-save.js'
import {
  applyPatch,
  applyReturnCustomer,
  applyStageEffects,
  assertMayWrite,
  assertNotRestricted,
  changedFieldNames,
  checkRequired,
  isEmptyValue,
  nowInstant,
  portalDate,
  validateValues,
  type WriteContext,
} from './item-pipeline.js'
import type { FieldPatch } from './read-fields.js'
import { readFields } from './read-fields.js'
import { userFieldsOfType } from '../../user-fields/user-field-store.js'
import {
  applyUserFieldDefaults,
  applyUserFieldWrites,
  checkRequiredUserFields,
} from '../../user-fields/user-field-apply.js'
import type { ItemWriteInput, ItemWriteResult } from './update-item.js'

/**
 * The name a contact gets when it is created with neither first nor last name ("When creating a contact
 * with empty name and lastName, Bitrix24 assigns a default name", how-to-make-contact-edit-card.md). The
 * vendor's English text is not quoted in the docs; see docs/compatibility.md.
 */
export const UNNAMED_CONTACT = 'Untitled'

/** Quote storage type when nothing is given: disk (3), which every cloud portal has (crm-item-add.md). */
const STORAGE_TYPE_DISK = 3

export async function addItem(input: ItemWriteInput): Promise<ItemWriteResult> {
  const { store, portal, user, type } = input
  await assertMayWrite({ db: store.db, portal, user }, type, 'add')
  const userFields = input.userFields ?? (await userFieldsOfType(store.db, portal.id, type))
  const { patch, ignored } = readFields(type, input.fields, {
    operation: 'add',
    useOriginalUfNames: input.useOriginalUfNames,
    timeZoneOffsetMinutes: portal.timeZoneOffset,
    userFields,
    ...(input.dialect === undefined ? {} : { dialect: input.dialect }),
  })
  assertNotRestricted(portal, type, 'add')

  return store.transaction(async (tx) => {
    const ctx: WriteContext = {
      store,
      db: tx,
      portal,
      user,
      nowMs: input.nowMs,
      parentTypes: input.parentTypes,
    }
    const id = await nextItemId(store, tx, portal.id, type.entityTypeId)
    const blank = emptyItem(type, id)
    const applied = await applyPatch(ctx, type, blank, patch, ignored, 'add')
    const { after } = applied
    // The funnel is settled now: the add right must cover it.
    await assertMayWrite(ctx, type, 'add', after)
    await validateValues(ctx, type, blank, after)
    await applyUserFieldWrites(ctx, type, userFields, blank, after, patch)
    await applyDefaults(ctx, type, after, patch)
    await applyUserFieldDefaults(ctx, userFields, after, patch)
    stampCreation(ctx, type, after)
    applyStageEffects(ctx, type, blank, after, applied, patch, 'add')
    applyReturnCustomer(type, after, patch)
    checkRequired(type, blank, after, applied, 'add')
    checkRequiredUserFields(ctx, userFields, blank, after, applied, 'add')

    const written = await insertItem(tx, portal.id, type, after)
    const changedFields = changedFieldNames(type, blank, after)
    await afterSave(tx, {
      portalId: portal.id,
      type,
      operation: 'add',
      id,
      changedFields,
      categoryChanged: false,
      userId: user.id,
      nowMs: input.nowMs,
      before: undefined,
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

/**
 * "HasDefaultValue: applied only to new items" (§1.E item 35): every field left out or empty gets the
 * default crm-item-add.md names for it. Booleans the client gave keep their value (N is a value). The
 * funnel and the stage were settled when they were applied.
 */
async function applyDefaults(
  ctx: WriteContext,
  type: EntityTypeDescriptor,
  item: Item,
  patch: FieldPatch,
): Promise<void> {
  for (const field of type.fields) {
    const rule = field.defaultOnAdd
    if (rule === undefined || field.rule === 'stage' || field.rule === 'category') continue
    if (field.type === 'boolean' ? field.name in patch.values : !isEmptyValue(item.values[field.name]))
      continue
    const value = await defaultValue(ctx, type, field, rule, item)
    if (value !== undefined) item.values[field.name] = value
  }
  // Booleans nobody set are N, not null (the add sample: isNew, isRecurring, isReturnCustomer … "N").
  for (const field of type.fields) {
    if (field.type === 'boolean' && field.storage.kind === 'column' && item.values[field.name] === null) {
      item.values[field.name] = false
    }
  }
  if (type.requireOneOf.length > 0 && type.entityTypeId === 3) {
    if (isEmptyValue(item.values['name']) && isEmptyValue(item.values['lastName']))
      item.values['name'] = UNNAMED_CONTACT
  }
}

async function defaultValue(
  ctx: WriteContext,
  type: EntityTypeDescriptor,
  field: FieldDescriptor,
  rule: DefaultValueRule,
  item: Item,
): Promise<unknown> {
  switch (rule.kind) {
    case 'titleTemplate':
      // "generated according to the template {entityTypeName} #{id}" — "Deal #351", "Lead #13".
      return defaultItemTitle(type, item.id)
    case 'currentUser':
      return ctx.user.id
    case 'openedSetting':
      // "Default — Y. The default value can be changed in the CRM settings" (no such setting here yet).
      return true
    case 'firstStatus': {
      if (field.dictionary?.kind !== 'fixed') return undefined
      return (await listStatuses(ctx.db, ctx.portal.id, field.dictionary.entityId))[0]?.statusId ?? null
    }
    case 'defaultCurrency':
      return baseCurrency(ctx.db, ctx.portal.id)
    case 'creationDate':
      return portalDate(ctx, rule.plusDays)
    case 'firstMyCompany': {
      const row = await ctx.db
        .selectFrom('crm_item')
        .select('id')
        .where('portal_id', '=', ctx.portal.id)
        .where('entity_type_id', '=', 4)
        .where('is_my_company', '=', 1)
        .orderBy('id')
        .limit(1)
        .executeTakeFirst()
      return row?.id ?? null
    }
    case 'storageType':
      return STORAGE_TYPE_DISK
    case 'literal':
      if (field.type === 'boolean') return rule.value === 'Y'
      return rule.value
    case 'defaultCategory':
      return undefined
  }
}

/**
 * Creation stamps: created/updated at and by, and the last-activity pair (the add sample shows
 * `lastActivityBy: 1`, `lastActivityTime` = the creation time). movedBy/movedTime come with the stage.
 */
function stampCreation(ctx: WriteContext, type: EntityTypeDescriptor, item: Item): void {
  const now = nowInstant(ctx)
  for (const field of type.fields) {
    switch (field.name) {
      case 'createdTime':
      case 'updatedTime':
      case 'lastActivityTime':
        item.values[field.name] = now
        break
      case 'createdBy':
      case 'updatedBy':
      case 'lastActivityBy':
        item.values[field.name] = ctx.user.id
        break
    }
  }
}
