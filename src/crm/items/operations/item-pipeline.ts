/**
 * The steps crm.item.add and crm.item.update share (research/server-behaviour.md §1.C–1.F): applying the
 * read patch to the item, funnel and stage rules, bindings, multifields, parent relations, value validation
 * against the portal's dictionaries, users and items, stage side effects and the required-field check.
 * add-item.ts and update-item.ts put them in the documented order.
 */
import type { EntityTypeDescriptor } from '../../entity-types/entity-type.js'
import type { FieldDescriptor, RelationStorage } from '../../entity-types/field.js'
import { parentFieldName } from '../../entity-types/field-names.js'
import {
  cachedCategories,
  cachedDefaultCategory,
  cachedFindStatus,
  cachedGetCategory,
  cachedGetCurrency,
  cachedStatuses,
  cachedUserIds,
} from '../../config-reads.js'
import type { Db } from '../../../store/schema.js'
import type { Store } from '../../../store/store.js'
import type { Portal } from '../../../portal/portal.js'
import type { User } from '../../../portal/users.js'
import { formatIsoWithOffset, storedInstant } from '../../../lib/format-date.js'
import type { Item, Multifield } from '../item.js'
import { applyBindingChanges, type BindingChange } from './binding-rules.js'
import { ItemOperationError } from './errors.js'
import { applyMultifieldOperations, invalidEmails } from './multifield-rules.js'
import type { BindingInput, FieldPatch, IgnoredKey } from './read-fields.js'
import { decideStage, isFinal, toSemantics, type Semantics, type StageInfo } from './stage-rules.js'
import { permissionItemOfValues, permissionsFor } from '../../permissions/index.js'

/** A parent type of the item's type: one `parentId{N}` field (the methods know them from crm.type relations). */
export interface ParentType {
  readonly parentEntityTypeId: number
  readonly title: string
}

/** Who writes, where and when; `db` is the operation's transaction. */
export interface WriteContext {
  readonly store: Store
  readonly db: Db
  readonly portal: Portal
  readonly user: User
  readonly nowMs: number
  readonly parentTypes: readonly ParentType[]
}

type BindingRelation = Extract<RelationStorage, 'contactBindings' | 'contactCompanies'>

export interface Applied {
  after: Item
  /** The funnel changed (always on add: the item enters its funnel). */
  categoryChanged: boolean
  /** The stage changed (always on add for types with stages). */
  stageChanged: boolean
  /** The semantics of the item's stage after the change, for types with stages. */
  stageSemantics: Semantics | undefined
  /** The semantics of the stage before the change (undefined on add). */
  previousSemantics: Semantics | undefined
  /** The first stage of the item's funnel, when the stage was looked at. */
  firstStageId?: string
}

const CONTACT = 3
const COMPANY = 4

const ENTITY_OF_FIELD_TYPE: Readonly<Record<string, number>> = {
  crm_lead: 1,
  crm_deal: 2,
  crm_contact: 3,
  crm_company: 4,
  crm_quote: 7,
}

/**
 * The copy of an item the operation changes. Shallow: the steps replace values (a new list, a new `fm`),
 * they never change a loaded value in place, so a value left alone stays the very value loaded — which
 * lets the store and the no-op check settle it with one comparison (item-store.ts saveItem).
 */
export function cloneItem(item: Item): Item {
  return {
    entityTypeId: item.entityTypeId,
    id: item.id,
    values: { ...item.values },
    uf: { ...item.uf },
    parents: { ...item.parents },
  }
}

const fieldsByRule = new WeakMap<EntityTypeDescriptor, ReadonlyMap<string, FieldDescriptor>>()

/** The type's field with the rule (the first one), looked up once per descriptor. */
export function fieldWithRule(type: EntityTypeDescriptor, rule: string): FieldDescriptor | undefined {
  let byRule = fieldsByRule.get(type)
  if (byRule === undefined) {
    const map = new Map<string, FieldDescriptor>()
    for (const field of type.fields)
      if (field.rule !== undefined && !map.has(field.rule)) map.set(field.rule, field)
    fieldsByRule.set(type, (byRule = map))
  }
  return byRule.get(rule)
}

/** Sets a value only when the type has the field (smart processes lack many, depending on their toggles). */
export function setIfField(type: EntityTypeDescriptor, item: Item, name: string, value: unknown): void {
  if (type.fieldIndex.byName(name) !== undefined) item.values[name] = value
}

/** Today (plus `plusDays`) in the portal's time zone, as a stored date `YYYY-MM-DD`. */
export function portalDate(ctx: WriteContext, plusDays = 0): string {
  return formatIsoWithOffset(ctx.nowMs + plusDays * 86_400_000, ctx.portal.timeZoneOffset).slice(0, 10)
}

export function nowInstant(ctx: WriteContext): string {
  return storedInstant(ctx.nowMs)
}

/**
 * Applies the patch onto a copy of `before` in the type's field order, then the binding, multifield,
 * parent, funnel and stage rules. Values are validated afterwards ({@link validateValues}).
 */
export async function applyPatch(
  ctx: WriteContext,
  type: EntityTypeDescriptor,
  before: Item,
  patch: FieldPatch,
  ignored: IgnoredKey[],
  operation: 'add' | 'update',
): Promise<Applied> {
  const after = cloneItem(before)
  const bindingChanges = new Map<BindingRelation, BindingChange[]>()
  const pushBinding = (relation: BindingRelation, change: BindingChange) =>
    bindingChanges.set(relation, [...(bindingChanges.get(relation) ?? []), change])

  for (const field of type.fields) {
    if (!(field.name in patch.values)) continue
    const value = patch.values[field.name]
    const storage = field.storage
    if (storage.kind === 'primaryBinding') {
      pushBinding(storage.relation, { kind: 'single', id: value as number | null })
      continue
    }
    if (
      storage.kind === 'relation' &&
      (storage.relation === 'contactBindings' || storage.relation === 'contactCompanies')
    ) {
      if (field.exposure === 'fieldsOnly') {
        pushBinding(storage.relation, { kind: 'bindings', list: value as BindingInput[] | null })
      } else {
        pushBinding(storage.relation, { kind: 'list', ids: value as number[] | null })
      }
      continue
    }
    if (field.rule === 'stage' || field.rule === 'category') continue
    // "CanNotBeEmptied emptied on update: silently reset to the previous value" (§1.E item 35; U8).
    if (operation === 'update' && field.canNotBeEmptied && isEmptyValue(value)) {
      ignored.push({ key: field.name, reason: 'cannotBeEmptied' })
      continue
    }
    after.values[field.name] =
      field.isMultiple && value === null ? [] : field.rule === 'bbcode' ? stripHtml(value) : value
  }

  for (const [relation, changes] of bindingChanges) applyBindings(type, before, after, relation, changes)

  if (patch.multifields !== undefined) {
    const fmField = type.fields.find(
      (f) => f.storage.kind === 'relation' && f.storage.relation === 'multifields',
    )
    if (fmField !== undefined) {
      const next = applyMultifieldOperations(
        (before.values[fmField.name] as Multifield[] | undefined) ?? [],
        patch.multifields,
      )
      // how-to-add-contact.md: CRM_FIELD_ERROR_VALUE_NOT_VALID — "Check the email address".
      if (invalidEmails(next).length > 0) throw valueNotValid({ name: fmField.name, title: 'E-mail' })
      after.values[fmField.name] = next
    }
  }

  await applyParents(ctx, before, after, patch, ignored)
  const { categoryChanged } = await applyCategory(ctx, type, before, after, patch, operation)
  const stage = await applyStage(ctx, type, before, after, patch, categoryChanged)
  return { after, categoryChanged, ...stage }
}

/**
 * `comments`: "HTML tags stripped (content kept), BBCode kept as is" (how-to-make-contact-edit-card.md;
 * the crm-item-add.md sample stores BBCode verbatim).
 */
export function stripHtml(value: unknown): unknown {
  return typeof value === 'string' ? value.replace(/<\/?[A-Za-z!][^<>]*>/g, '') : value
}

function applyBindings(
  type: EntityTypeDescriptor,
  before: Item,
  after: Item,
  relation: BindingRelation,
  changes: BindingChange[],
): void {
  const listField = type.fields.find(
    (f) => f.storage.kind === 'relation' && f.storage.relation === relation && f.exposure !== 'fieldsOnly',
  )
  const primaryField = type.fields.find(
    (f) => f.storage.kind === 'primaryBinding' && f.storage.relation === relation,
  )
  const currentIds =
    listField === undefined ? [] : ((before.values[listField.name] as number[] | undefined) ?? [])
  const currentPrimary = primaryField === undefined ? 0 : Number(before.values[primaryField.name] ?? 0)
  const next = applyBindingChanges(
    { ids: [...currentIds], primary: currentPrimary > 0 ? currentPrimary : null },
    changes,
  )
  if (listField !== undefined) after.values[listField.name] = next.ids
  if (primaryField !== undefined) after.values[primaryField.name] = next.primary ?? 0
}

/**
 * `parentId{N}` (§1.B item 19): "These exist only for custom, non-predefined relations" — N must be a parent
 * type of the item's type (`ctx.parentTypes`), otherwise the key is ignored. An id binds that parent,
 * replacing the previous one of the type; empty unbinds. The parent item must exist, otherwise
 * CRM_FIELD_ERROR_VALUE_NOT_VALID (docs/compatibility.md).
 */
async function applyParents(
  ctx: WriteContext,
  before: Item,
  after: Item,
  patch: FieldPatch,
  ignored: IgnoredKey[],
): Promise<void> {
  for (const [key, id] of Object.entries(patch.parents)) {
    const parentTypeId = Number(key)
    const parent = ctx.parentTypes.find((p) => p.parentEntityTypeId === parentTypeId)
    if (parent === undefined) {
      ignored.push({ key: parentFieldName(parentTypeId), reason: 'unknownParentType' })
      continue
    }
    if (id === null) {
      delete after.parents[parentTypeId]
      continue
    }
    if (before.parents[parentTypeId] !== id && !(await itemsExist(ctx, parentTypeId, [id]))) {
      throw valueNotValid({ name: parentFieldName(parentTypeId), title: parent.title })
    }
    after.parents[parentTypeId] = id
  }
}

/** The funnel id of a type's default funnel (deals 0; contacts and companies 0 when no funnel row exists). */
async function defaultCategoryId(ctx: WriteContext, type: EntityTypeDescriptor): Promise<number> {
  return (await cachedDefaultCategory(ctx.db, ctx.portal.id, type.entityTypeId))?.id ?? 0
}

async function categoryExists(ctx: WriteContext, type: EntityTypeDescriptor, id: number): Promise<boolean> {
  if (!Number.isSafeInteger(id) || id < 0) return false
  if (await cachedGetCategory(ctx.db, ctx.portal.id, type.entityTypeId, id)) return true
  // Contacts and companies always have the general funnel 0, which has no funnel row
  // (dictionaries/categories.ts: a fresh portal lists no contact or company funnel).
  return id === 0 && (type.entityTypeId === CONTACT || type.entityTypeId === COMPANY)
}

/**
 * The funnel (§1.E item 40): the new `categoryId` must exist for the type, otherwise
 * CRM_FIELD_ERROR_VALUE_NOT_VALID ("Invalid value for field \"Category\"", how-to-add-contractor.md). An
 * emptied funnel (`categoryId: 0` reads as empty) is the default funnel — the general funnel 0 of deals.
 */
async function applyCategory(
  ctx: WriteContext,
  type: EntityTypeDescriptor,
  before: Item,
  after: Item,
  patch: FieldPatch,
  operation: 'add' | 'update',
): Promise<{ categoryChanged: boolean }> {
  const field = fieldWithRule(type, 'category')
  if (field === undefined) return { categoryChanged: operation === 'add' }
  const given = patch.values[field.name]
  const current = before.values[field.name] as number | null | undefined
  let target: number
  if (given === undefined) {
    target =
      operation === 'add' || current === null || current === undefined
        ? await defaultCategoryId(ctx, type)
        : current
  } else if (given === null) {
    target = await defaultCategoryId(ctx, type)
  } else {
    target = given as number
  }
  const changed = operation === 'add' || target !== current
  if (changed && !(await categoryExists(ctx, type, target))) throw valueNotValid(field)
  after.values[field.name] = target
  return { categoryChanged: changed }
}

async function applyStage(
  ctx: WriteContext,
  type: EntityTypeDescriptor,
  before: Item,
  after: Item,
  patch: FieldPatch,
  categoryChanged: boolean,
): Promise<Pick<Applied, 'stageChanged' | 'stageSemantics' | 'previousSemantics' | 'firstStageId'>> {
  const field = fieldWithRule(type, 'stage')
  const none = { stageChanged: false, stageSemantics: undefined, previousSemantics: undefined }
  if (field === undefined || !type.hasStages) return none
  const givenRaw = patch.values[field.name]
  const given = givenRaw === undefined ? undefined : givenRaw === null ? null : String(givenRaw)
  // Neither a stage nor a funnel change asked for: the stage stays, nothing to look up.
  if (!categoryChanged && typeof given !== 'string') return none
  const categoryId = Number(after.values['categoryId'] ?? 0)
  const entityId = type.stageEntityId(categoryId)
  if (entityId === null) return none
  const targetStages: StageInfo[] = (await cachedStatuses(ctx.db, ctx.portal.id, entityId)).map((s) => ({
    statusId: s.statusId,
    semantics: toSemantics(s.semantics),
  }))
  const inTarget = (statusId: string) => targetStages.find((s) => s.statusId === statusId)?.semantics
  const currentStageId = (before.values[field.name] as string | null | undefined) ?? null
  const currentSemantics =
    currentStageId === null
      ? undefined
      : (inTarget(currentStageId) ?? (await stageSemanticsAnywhere(ctx, type, currentStageId)))
  const givenForeignSemantics =
    typeof given === 'string' && inTarget(given) === undefined
      ? await stageSemanticsAnywhere(ctx, type, given)
      : undefined
  const decision = decideStage({
    categoryChanged,
    currentStageId,
    currentSemantics,
    given,
    targetStages,
    givenForeignSemantics,
  })
  if (decision.kind === 'invalid') throw valueNotValid(field)
  if (decision.kind === 'notFoundInNewCategory')
    throw new ItemOperationError({ kind: 'stageNotFoundInNewCategory' })
  const stageId = decision.kind === 'set' ? decision.stageId : currentStageId
  after.values[field.name] = stageId
  const semantics = stageId === null ? undefined : (inTarget(stageId) ?? currentSemantics)
  return {
    stageChanged: stageId !== currentStageId,
    stageSemantics: semantics,
    previousSemantics: currentSemantics,
    ...(targetStages[0] === undefined ? {} : { firstStageId: targetStages[0].statusId }),
  }
}

/**
 * The semantics of a stage in any funnel of the type (two queries: the funnels, then the stage among their
 * dictionaries), or undefined when the type has no such stage.
 */
async function stageSemanticsAnywhere(
  ctx: WriteContext,
  type: EntityTypeDescriptor,
  stageId: string,
): Promise<Semantics | undefined> {
  // Leads and quotes have one stage dictionary; the others one per funnel.
  const categoryIds =
    fieldWithRule(type, 'category') === undefined
      ? [0]
      : (await cachedCategories(ctx.db, ctx.portal.id, type.entityTypeId)).map((c) => c.id)
  const entityIds = categoryIds.map((id) => type.stageEntityId(id)).filter((id): id is string => id !== null)
  if (entityIds.length === 0) return undefined
  const row = await ctx.db
    .selectFrom('crm_status')
    .select('semantics')
    .where('portal_id', '=', ctx.portal.id)
    .where('status_id', '=', stageId)
    .where('entity_id', 'in', entityIds)
    .executeTakeFirst()
  return row === undefined ? undefined : toSemantics(row.semantics)
}

/**
 * Stage side effects (§1.E item 38): on a stage change `movedTime` = now, `movedBy` = the caller, smart
 * processes keep `previousStageId`; `stageSemanticId` and `closed` follow the stage; a move into a final
 * stage sets `closedate` to today unless the call sets it; a lead's `dateClosed` is stamped likewise. Deals
 * are `isNew` while on the first stage of their funnel.
 */
export function applyStageEffects(
  ctx: WriteContext,
  type: EntityTypeDescriptor,
  before: Item,
  after: Item,
  applied: Applied,
  patch: FieldPatch,
  operation: 'add' | 'update',
): void {
  if (!applied.stageChanged || applied.stageSemantics === undefined) return
  const semantics = applied.stageSemantics
  const final = isFinal(semantics)
  for (const field of type.fields) {
    switch (field.rule) {
      case 'movedTime':
        after.values[field.name] = nowInstant(ctx)
        break
      case 'movedBy':
        after.values[field.name] = ctx.user.id
        break
      case 'previousStage':
        after.values[field.name] = operation === 'add' ? null : (before.values['stageId'] ?? null)
        break
      case 'stageSemantic':
        after.values[field.name] = semantics
        break
      case 'closed':
        after.values[field.name] = final
        break
    }
  }
  const wasFinal = applied.previousSemantics !== undefined && isFinal(applied.previousSemantics)
  if (final && !wasFinal) {
    // "On a move into a final stage, closedate is set to now" unless this call sets it.
    if (type.fieldIndex.byName('closedate') !== undefined && !('closedate' in patch.values)) {
      after.values['closedate'] = portalDate(ctx)
    }
    if (type.fieldIndex.byName('dateClosed') !== undefined) after.values['dateClosed'] = nowInstant(ctx)
  }
  if (type.fieldIndex.byName('isNew') !== undefined) {
    after.values['isNew'] =
      applied.firstStageId !== undefined && applied.firstStageId === after.values['stageId']
  }
}

/**
 * Lead `isReturnCustomer` "automatically takes the value Y if you specify a value for COMPANY_ID or
 * CONTACT_ID" (crm-lead-update.md, crm-lead-add.md).
 */
export function applyReturnCustomer(type: EntityTypeDescriptor, after: Item, patch: FieldPatch): void {
  const field = fieldWithRule(type, 'returnCustomer')
  if (field === undefined) return
  const bound = ['companyId', 'contactId', 'contactIds', 'contacts'].some((name) => {
    const value = patch.values[name]
    return Array.isArray(value) ? value.length > 0 : value !== undefined && value !== null
  })
  if (bound) after.values[field.name] = true
}

// ---------------------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------------------

export function valueNotValid(field: { name: string; title: string }): ItemOperationError {
  return new ItemOperationError({ kind: 'valueNotValid', field: field.name, title: field.title })
}

/**
 * Checks the values that changed, in field order (§1.E item 35 "Invalid value"; the edit-form tutorials:
 * "stage or source code, currency, company, contact, or user identifier"): dictionary values must exist in
 * their dictionary, currencies among the portal's currencies, users among its users, bound items among its
 * items. Values that did not change are not checked, so an item bound to a since-deleted record can still
 * be edited. The funnel and the stage were checked when they were applied.
 */
export async function validateValues(
  ctx: WriteContext,
  type: EntityTypeDescriptor,
  before: Item,
  after: Item,
): Promise<void> {
  for (const field of type.fields) {
    if (field.rule === 'stage' || field.rule === 'category') continue
    if (field.exposure === 'disabled' || field.isReadOnly) continue
    const value = after.values[field.name]
    const previous = before.values[field.name]
    if (value === undefined || value === null || sameValue(field, value, previous)) continue
    if (!(await isValidValue(ctx, field, value, previous))) throw valueNotValid(field)
  }
}

async function isValidValue(
  ctx: WriteContext,
  field: FieldDescriptor,
  value: unknown,
  previous: unknown,
): Promise<boolean> {
  if (field.storage.kind === 'primaryBinding') return true // checked through its list field
  if (field.dictionary?.kind === 'fixed') {
    return (
      (await cachedFindStatus(ctx.db, ctx.portal.id, field.dictionary.entityId, String(value))) !== undefined
    )
  }
  if (field.type === 'crm_currency')
    return (await cachedGetCurrency(ctx.db, ctx.portal.id, String(value))) !== undefined
  const ids = Array.isArray(value) ? (value as number[]) : [value as number]
  // Only newly added ids of a list are checked.
  const old = new Set(Array.isArray(previous) ? (previous as number[]) : [])
  const fresh = ids.filter((id) => !old.has(id))
  if (fresh.length === 0) return true
  if (field.type === 'user') return usersExist(ctx, fresh)
  const entityTypeId = ENTITY_OF_FIELD_TYPE[field.type]
  if (entityTypeId !== undefined) return itemsExist(ctx, entityTypeId, fresh)
  return true
}

async function usersExist(ctx: WriteContext, ids: readonly number[]): Promise<boolean> {
  const wanted = [...new Set(ids)]
  if (wanted.some((id) => !Number.isSafeInteger(id) || id <= 0)) return false
  const users = await cachedUserIds(ctx.db, ctx.portal.id)
  return wanted.every((id) => users.has(id))
}

async function itemsExist(ctx: WriteContext, entityTypeId: number, ids: readonly number[]): Promise<boolean> {
  const wanted = [...new Set(ids)]
  if (wanted.some((id) => !Number.isSafeInteger(id) || id <= 0)) return false
  const rows = await ctx.db
    .selectFrom('crm_item')
    .select('id')
    .where('portal_id', '=', ctx.portal.id)
    .where('entity_type_id', '=', entityTypeId)
    .where('id', 'in', wanted)
    .execute()
  return rows.length === wanted.length
}

// ---------------------------------------------------------------------------------------------------------
// Required fields (§1.F)
// ---------------------------------------------------------------------------------------------------------

/** Empty for the required check. Booleans are never empty: N is a value (docs/compatibility.md). */
function isEmptyForRequired(field: FieldDescriptor, value: unknown): boolean {
  if (field.type === 'boolean') return false
  return isEmptyValue(value)
}

export function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === 0) return true
  return Array.isArray(value) && value.length === 0
}

/**
 * Required fields (§1.F item 43): on add all of them; on update all of them when the stage changed within
 * the same funnel — unless the new stage is a failure stage — otherwise only the required fields that
 * changed. Groups of alternatives (contact name / lastName, how-to-make-contact-edit-card.md) fail on update
 * when a member changed and every member is empty.
 */
export function checkRequired(
  type: EntityTypeDescriptor,
  before: Item,
  after: Item,
  applied: Applied,
  operation: 'add' | 'update',
): void {
  const checkAll =
    operation === 'add' ||
    (applied.stageChanged && !applied.categoryChanged && applied.stageSemantics !== 'F')
  for (const field of type.fields) {
    if (!field.isRequired || field.isReadOnly || field.exposure === 'disabled') continue
    const value = after.values[field.name]
    if (!checkAll && sameValue(field, value, before.values[field.name])) continue
    if (isEmptyForRequired(field, value)) {
      throw new ItemOperationError({ kind: 'required', fields: [{ field: field.name, title: field.title }] })
    }
  }
  if (operation === 'update') {
    for (const group of type.requireOneOf) {
      const fields = group
        .map((name) => type.fieldIndex.byName(name))
        .filter((f): f is FieldDescriptor => f !== undefined)
      const touched = fields.some((f) => !sameValue(f, after.values[f.name], before.values[f.name]))
      if (touched && fields.every((f) => isEmptyValue(after.values[f.name]))) {
        throw new ItemOperationError({
          kind: 'required',
          fields: fields.map((f) => ({ field: f.name, title: f.title })),
        })
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Changes
// ---------------------------------------------------------------------------------------------------------

/** Equal for no-op detection: booleans compare null as false, lists and records compare by content. */
export function sameValue(field: FieldDescriptor, a: unknown, b: unknown): boolean {
  // Most values of an update are the very values loaded (cloneItem).
  if (a === b) return true
  if (field.type === 'boolean') return Boolean(a) === Boolean(b)
  const x = a === undefined ? null : a
  const y = b === undefined ? null : b
  if (x === y) return true
  if (typeof x === 'object' || typeof y === 'object') return JSON.stringify(x) === JSON.stringify(y)
  if (typeof x === 'number' && typeof y === 'number') return x === y
  // A single binding loads as 0 when unbound; the operation writes 0 too, but be lenient with null.
  if ((x === 0 && y === null) || (x === null && y === 0)) return field.storage.kind === 'primaryBinding'
  return false
}

/**
 * The names of the fields whose value differs, plus `parentId{N}` for changed parents and custom-field
 * names for changed custom values. No-op detection (§1.C item 24) treats an empty list as "nothing changed".
 */
export function changedFieldNames(type: EntityTypeDescriptor, before: Item, after: Item): string[] {
  const changed: string[] = []
  for (const field of type.fields) {
    if (field.storage.kind === 'none' || field.storage.kind === 'multifieldAlias') continue
    if (field.exposure === 'fieldsOnly') continue
    if (!sameValue(field, after.values[field.name], before.values[field.name])) changed.push(field.name)
  }
  const parentTypes = new Set([...Object.keys(before.parents), ...Object.keys(after.parents)].map(Number))
  for (const parentType of [...parentTypes].sort((a, b) => a - b)) {
    if ((before.parents[parentType] ?? null) !== (after.parents[parentType] ?? null)) {
      changed.push(parentFieldName(parentType))
    }
  }
  for (const name of new Set([...Object.keys(before.uf), ...Object.keys(after.uf)])) {
    const previous = before.uf[name]
    const next = after.uf[name]
    if (previous === next) continue
    if (JSON.stringify(previous ?? null) !== JSON.stringify(next ?? null)) changed.push(name)
  }
  return changed
}

// ---------------------------------------------------------------------------------------------------------
// Access hooks
// ---------------------------------------------------------------------------------------------------------

/**
 * The plan restriction on smart-process items (crm-item-add.md / crm-item-update.md:
 * CREATE_/UPDATE_DYNAMIC_ITEM_RESTRICTED), switched on per portal with `restrictDynamicItems`.
 */
export function assertNotRestricted(
  portal: Portal,
  type: EntityTypeDescriptor,
  operation: 'add' | 'update',
): void {
  if (type.isDynamic && portal.settings.restrictDynamicItems === true) {
    throw new ItemOperationError({ kind: 'restricted', operation })
  }
}

/** Who is checked: the caller on its portal; `db` is the operation's transaction (or the store). */
export interface AccessSubject {
  readonly db: Db
  readonly portal: Portal
  readonly user: User
}

/**
 * Permission to add / change items of the type (crm/permissions/): "access permissions are checked" comes
 * first in both pipelines (crm-item-add.md, crm-item-update.md). On add without an item, the add right in
 * some funnel of the type; on add with the item (its funnel settled), the add right in that funnel — also
 * the check when an update moves an item into another funnel (§1.C item 22b, permission check 2). On update,
 * the write right over the stored item (§1.A item 5, permission check 1). Failure: ACCESS_DENIED.
 */
export async function assertMayWrite(
  subject: AccessSubject,
  type: EntityTypeDescriptor,
  operation: 'add' | 'update',
  item?: Item,
): Promise<void> {
  const permissions = await permissionsFor(subject.db, subject.portal, subject.user)
  const allowed =
    operation === 'add'
      ? permissions.canType(
          'add',
          type,
          item === undefined ? undefined : (permissionItemOfValues(item.values).categoryId ?? 0),
        )
      : item !== undefined && permissions.canItem('write', type, permissionItemOfValues(item.values))
  if (!allowed) throw new ItemOperationError({ kind: 'accessDenied' })
}

/**
 * Permission to move an item between stages of its funnel (§1.C item 22f): a role that may change the item
 * must allow the target stage. The failure is the error with an empty code (crm-item-update.md shows code
 * "-"): "Insufficient permission to change stage.".
 */
export async function assertMayChangeStage(
  subject: AccessSubject,
  type: EntityTypeDescriptor,
  categoryId: unknown,
  _fromStageId: unknown,
  toStageId: unknown,
): Promise<void> {
  if (typeof toStageId !== 'string') return
  const permissions = await permissionsFor(subject.db, subject.portal, subject.user)
  const category = typeof categoryId === 'number' ? categoryId : null
  if (!permissions.mayMoveToStage(type, category, toStageId)) {
    throw new ItemOperationError({ kind: 'stageChangeDenied' })
  }
}
