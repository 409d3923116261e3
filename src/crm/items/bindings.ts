/**
 * The client-binding operations behind `crm.lead.contact.*`, `crm.deal.contact.*`, `crm.contact.company.*`
 * and `crm.company.contact.*` (api-reference/crm/leads/management-communication/, deals/contacts/,
 * contacts/company/, companies/contacts/): add one binding, remove one, replace the set, clear it. They
 * work on the rows `contactIds` / `companyIds` of crm.item.* read (binding-store.ts), so both APIs always
 * agree.
 *
 * Primary and sort rules (the pages; binding-rules.ts for the item fields):
 * - add: "A connection becomes primary if you pass IS_PRIMARY: Y, or if the lead does not yet have a primary
 *   contact" (leads/management-communication/index.md; crm-deal-contact-add.md; "Passing IS_PRIMARY = Y for
 *   a new and not first link overrides the existing primary link", crm-contact-company-add.md). An item
 *   that is already bound changes nothing ("If the contact is already linked to the deal, the method returns
 *   false and changes nothing", deals/contacts/index.md). SORT: the lead page's default 10; for the others
 *   the largest sort of the owner's bindings + 10 (crm-contact-company-add.md, crm-company-contact-add.md).
 * - remove: "If the primary binding is removed, the first available binding will become the new primary";
 *   an item that is not bound changes nothing (false).
 * - set: "Contacts not included in the provided list will be unlinked"; "If there is no binding with
 *   IS_PRIMARY = Y, it will be set for the first binding … the first binding with IS_PRIMARY = Y will be
 *   considered primary". SORT: leads and deals `(i + 1) * 10` (crm-deal-contact-items-set.md); contacts and
 *   companies "max of existing and provided bindings + 10", an existing binding without SORT keeps its
 *   sort (crm-contact-company-items-set.md).
 * - clear: every binding goes.
 *
 * A change is saved like an update of the owner (research/server-behaviour.md §2: the legacy binding calls
 * update the owner): when the owner's `contactIds` / `contactId` / `companyIds` / `companyId` changed, its
 * `updatedTime` / `updatedBy` are stamped and the after-save step records the history rows and the
 * `crm.item.updated` outbox row (ONCRMDEALUPDATE …). The lead's `isReturnCustomer` is not recalculated
 * ("The crm.lead.contact.* methods do not change the repeat lead indicator", management-communication/
 * index.md). A change that only moves rows the owner's item fields do not show (a company's primary
 * contact) is saved without an update event.
 */
import type { Store } from '../../store/store.js'
import type { Db } from '../../store/schema.js'
import type { Portal } from '../../portal/portal.js'
import type { User } from '../../portal/users.js'
import { sql } from 'kysely'
import { storedInstant } from '../../lib/format-date.js'
import type { EntityTypeDescriptor } from '../entity-types/entity-type.js'
import { builtInEntityType } from '../entity-types/registry.js'
import { permissionItemOfValues, permissionsFor } from '../permissions/index.js'
import { loadItem } from './item-store.js'
import type { Item } from './item.js'
import { afterSave } from './operations/after-save.js'
import { ItemOperationError } from './operations/errors.js'
import { assertMayWrite, changedFieldNames } from './operations/item-pipeline.js'
import {
  BINDING_SORT_STEP,
  RELATIONS,
  readBindingRows,
  sameRows,
  sortRows,
  withOnePrimary,
  writeBindingRows,
  type BindingRow,
  type RelationKind,
} from './binding-store.js'

export { RELATIONS, type BindingRow, type RelationKind } from './binding-store.js'

/** The lead page's default SORT of a new binding ("Defaults to `10`", crm-lead-contact-add.md). */
const LEAD_DEFAULT_SORT = 10

/** One binding as a method gives it (`fields` of `.add`, an entry of `items` of `.items.set`). */
export interface BindingInput {
  id: number
  /** undefined: the default of the relation. */
  sort?: number
  isPrimary: boolean
}

export type BindingChange =
  | { op: 'add'; binding: BindingInput }
  | { op: 'remove'; id: number }
  | { op: 'set'; bindings: readonly BindingInput[] }
  | { op: 'clear' }

export interface BindingOperationInput {
  readonly store: Store
  readonly portal: Portal
  readonly user: User
  readonly nowMs: number
  readonly kind: RelationKind
  readonly ownerId: number
  readonly change: BindingChange
}

/** The owner's entity type (lead, deal, contact, company). */
export function ownerTypeOf(kind: RelationKind): EntityTypeDescriptor {
  const type = builtInEntityType(RELATIONS[kind].ownerEntityTypeId)
  if (type === undefined) throw new Error(`no descriptor for ${kind}`)
  return type
}

function boundTypeOf(kind: RelationKind): EntityTypeDescriptor {
  const type = builtInEntityType(RELATIONS[kind].boundEntityTypeId)
  if (type === undefined) throw new Error(`no descriptor for ${kind}`)
  return type
}

// ---------------------------------------------------------------------------------------------------------
// Rules (pure)
// ---------------------------------------------------------------------------------------------------------

function maxSort(rows: readonly { sort?: number | undefined }[]): number {
  return rows.reduce((max, r) => (r.sort === undefined ? max : Math.max(max, r.sort)), 0)
}

/** The bindings after adding one, or null when the item is already bound (nothing changes). */
export function planAdd(
  kind: RelationKind,
  rows: readonly BindingRow[],
  input: BindingInput,
): BindingRow[] | null {
  if (rows.some((r) => r.id === input.id)) return null
  const sort = input.sort ?? (kind === 'leadContact' ? LEAD_DEFAULT_SORT : maxSort(rows) + BINDING_SORT_STEP)
  const primary = input.isPrimary || !rows.some((r) => r.isPrimary)
  const kept = rows.map((r) => (primary ? { ...r, isPrimary: false } : { ...r }))
  return sortRows([...kept, { id: input.id, sort, isPrimary: primary }])
}

/** The bindings after removing one, or null when the item is not bound. */
export function planRemove(rows: readonly BindingRow[], id: number): BindingRow[] | null {
  if (!rows.some((r) => r.id === id)) return null
  return withOnePrimary(sortRows(rows.filter((r) => r.id !== id)))
}

/** The bindings after replacing the set (entries already deduplicated, ids valid). */
export function planSet(
  kind: RelationKind,
  rows: readonly BindingRow[],
  bindings: readonly (BindingInput & { index: number })[],
): BindingRow[] {
  const primary = (bindings.find((b) => b.isPrimary) ?? bindings[0])?.id
  const perIndex = kind === 'leadContact' || kind === 'dealContact'
  let max = Math.max(maxSort(rows), maxSort(bindings))
  const next = bindings.map((b) => {
    let sort = b.sort
    if (sort === undefined) {
      if (perIndex) sort = (b.index + 1) * BINDING_SORT_STEP
      else {
        const existing = rows.find((r) => r.id === b.id)
        if (existing !== undefined) sort = existing.sort
        else {
          max += BINDING_SORT_STEP
          sort = max
        }
      }
    }
    return { id: b.id, sort, isPrimary: b.id === primary }
  })
  return sortRows(next)
}

// ---------------------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------------------

/**
 * Applies one change in a transaction. Returns false when `add` found the item already bound or `remove`
 * found it not bound (the methods answer `result: false`), true otherwise.
 *
 * Errors (ItemOperationError): `itemNotFound` — no such owner; `accessDenied` — the caller may not modify
 * the owner or read a bound item (contacts/company/index.md: "changing the links requires the 'modify'
 * permission for the contact and the 'read' permission for the company being added or removed");
 * `valueNotValid` (field = the bound key) — `add` names an item that does not exist. `set` drops ids of
 * items that do not exist.
 */
export async function changeBindings(input: BindingOperationInput): Promise<boolean> {
  const { store, portal, user, kind, ownerId } = input
  const type = ownerTypeOf(kind)
  return store.transaction(async (tx) => {
    // Concurrent changes of one owner queue up here on PostgreSQL; SQLite serialises write transactions.
    if (store.dialect === 'postgres') {
      await sql`select 1 from crm_item where portal_id = ${portal.id} and entity_type_id = ${type.entityTypeId} and id = ${ownerId} for update`.execute(
        tx,
      )
    }
    const before = await loadItem(tx, portal.id, type, ownerId)
    if (before === undefined) throw new ItemOperationError({ kind: 'itemNotFound' })
    await assertMayWrite({ db: tx, portal, user }, type, 'update', before)
    const rows = await readBindingRows(tx, portal.id, kind, ownerId)
    const next = await plan(tx, input, rows)
    if (next === null) return false
    if (sameRows(rows, next)) return true
    await writeBindingRows(tx, portal.id, kind, ownerId, rows, next)
    await saveOwnerChange(tx, input, type, before)
    return true
  })
}

async function plan(
  db: Db,
  input: BindingOperationInput,
  rows: readonly BindingRow[],
): Promise<BindingRow[] | null> {
  const { change, kind } = input
  switch (change.op) {
    case 'add': {
      if (rows.some((r) => r.id === change.binding.id)) return null
      const found = await readableItems(db, input, [change.binding.id])
      if (!found.includes(change.binding.id)) {
        const key = RELATIONS[kind].boundKey
        throw new ItemOperationError({ kind: 'valueNotValid', field: key, title: key })
      }
      return planAdd(kind, rows, change.binding)
    }
    case 'remove':
      if (change.id < 1) {
        const key = RELATIONS[kind].boundKey
        throw new ItemOperationError({ kind: 'valueNotValid', field: key, title: key })
      }
      if (!rows.some((r) => r.id === change.id)) return null
      await readableItems(db, input, [change.id])
      return planRemove(rows, change.id)
    case 'set': {
      const unique: (BindingInput & { index: number })[] = []
      change.bindings.forEach((b, index) => {
        if (b.id > 0 && !unique.some((u) => u.id === b.id)) unique.push({ ...b, index })
      })
      const found = new Set(
        await readableItems(
          db,
          input,
          unique.map((b) => b.id),
        ),
      )
      return planSet(
        kind,
        rows,
        unique.filter((b) => found.has(b.id)),
      )
    }
    case 'clear':
      return []
  }
}

/**
 * The ids among `ids` that are items of the bound type; each must be readable by the caller
 * (ItemOperationError accessDenied otherwise).
 */
async function readableItems(
  db: Db,
  input: BindingOperationInput,
  ids: readonly number[],
): Promise<number[]> {
  if (ids.length === 0) return []
  const boundType = boundTypeOf(input.kind)
  const rows = await db
    .selectFrom('crm_item')
    .select(['id', 'category_id', 'assigned_by_id', 'opened'])
    .where('portal_id', '=', input.portal.id)
    .where('entity_type_id', '=', boundType.entityTypeId)
    .where('id', 'in', [...ids])
    .execute()
  const permissions = await permissionsFor(db, input.portal, input.user)
  for (const row of rows) {
    const item = { categoryId: row.category_id, assignedById: row.assigned_by_id, opened: row.opened === 1 }
    if (!permissions.canItem('read', boundType, item)) throw new ItemOperationError({ kind: 'accessDenied' })
  }
  return rows.map((r) => r.id)
}

/**
 * The owner after its bindings changed: when its item fields show the change, `updatedTime` / `updatedBy`
 * are stamped and the after-save step runs (history rows, outbox), as for an update of the item.
 */
async function saveOwnerChange(
  db: Db,
  input: BindingOperationInput,
  type: EntityTypeDescriptor,
  before: Item,
): Promise<void> {
  const { portal, user } = input
  const reloaded = await loadItem(db, portal.id, type, before.id)
  if (reloaded === undefined) throw new Error('item vanished inside its own transaction')
  const changedFields = changedFieldNames(type, before, reloaded)
  if (changedFields.length === 0) return
  const now = storedInstant(input.nowMs)
  await db
    .updateTable('crm_item')
    .set({ updated_time: now, updated_by: user.id })
    .where('portal_id', '=', portal.id)
    .where('entity_type_id', '=', type.entityTypeId)
    .where('id', '=', before.id)
    .execute()
  reloaded.values['updatedTime'] = now
  reloaded.values['updatedBy'] = user.id
  await afterSave(db, {
    portalId: portal.id,
    type,
    operation: 'update',
    id: before.id,
    changedFields,
    categoryChanged: false,
    userId: user.id,
    nowMs: input.nowMs,
    before,
    after: reloaded,
    stageSemantics: undefined,
    // The binding calls take no params: history as the legacy default, no live-feed post.
    registerHistory: true,
    registerSonet: false,
    companySideWritten: true,
  })
}

/**
 * The owner's bindings for `.items.get`, or undefined when there is no such owner. `accessDenied` when the
 * caller may not read it.
 */
export async function getBindings(
  db: Db,
  portal: Portal,
  user: User,
  kind: RelationKind,
  ownerId: number,
): Promise<BindingRow[] | undefined> {
  const type = ownerTypeOf(kind)
  const owner = await db
    .selectFrom('crm_item')
    .select(['category_id', 'assigned_by_id', 'opened'])
    .where('portal_id', '=', portal.id)
    .where('entity_type_id', '=', type.entityTypeId)
    .where('id', '=', ownerId)
    .executeTakeFirst()
  if (owner === undefined) return undefined
  const permissions = await permissionsFor(db, portal, user)
  const item = permissionItemOfValues({
    categoryId: owner.category_id,
    assignedById: owner.assigned_by_id,
    opened: owner.opened === 1,
  })
  if (!permissions.canItem('read', type, item)) throw new ItemOperationError({ kind: 'accessDenied' })
  return readBindingRows(db, portal.id, kind, ownerId)
}

/**
 * Whether the caller may read the owner (deal `.items.delete` needs "read" and "modify",
 * crm-deal-contact-items-delete.md); undefined when there is no such owner.
 */
export async function mayReadOwner(
  db: Db,
  portal: Portal,
  user: User,
  kind: RelationKind,
  ownerId: number,
): Promise<boolean | undefined> {
  try {
    return (await getBindings(db, portal, user, kind, ownerId)) !== undefined ? true : undefined
  } catch (error) {
    if (error instanceof ItemOperationError && error.detail.kind === 'accessDenied') return false
    throw error
  }
}
