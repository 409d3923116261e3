/**
 * The rows of the four client relations the `crm.{lead,deal}.contact.*`, `crm.contact.company.*` and
 * `crm.company.contact.*` methods manage, read and written with their sort and primary flag. They are the
 * same tables `contactIds` / `companyIds` of crm.item.* use (migrations/0002-crm.ts, item-store.ts):
 *
 * - lead → contacts, deal → contacts: `crm_contact_binding` (`sort`, `is_primary`; the primary one is the
 *   item's `contactId`);
 * - contact → companies: `crm_contact_company` on the contact's side (`sort`, `is_primary`; the primary is
 *   the contact's `companyId`);
 * - company → contacts: `crm_contact_company` on the company's side (`company_sort`, `company_is_primary`,
 *   migrations/0006-history.ts).
 *
 * A row added from one side gets the other side's defaults: the end of the other owner's list ("max + 10",
 * crm-contact-company-add.md / crm-company-contact-add.md), primary when the other owner had no binding. A
 * row removed from one side that was the other side's primary makes the other owner's first remaining row
 * primary ("If the primary binding is removed, the first available binding will become the new primary").
 */
import type { EntityTypeDescriptor } from '../entity-types/entity-type.js'
import type { Db } from '../../store/schema.js'
import type { Item } from './item.js'

const CONTACT = 3
const COMPANY = 4

/** Sort step of binding lists (server-behaviour.md §1.B item 18: "a sort of 10, 20, …"). */
export const BINDING_SORT_STEP = 10

export type RelationKind = 'leadContact' | 'dealContact' | 'contactCompany' | 'companyContact'

export interface RelationDescriptor {
  readonly kind: RelationKind
  /** The owner's entity type (the `id` of the methods). */
  readonly ownerEntityTypeId: number
  /** The bound entity's type. */
  readonly boundEntityTypeId: number
  /** The key naming the bound entity in `fields`, `items` and the answers. */
  readonly boundKey: 'CONTACT_ID' | 'COMPANY_ID'
}

export const RELATIONS: Readonly<Record<RelationKind, RelationDescriptor>> = {
  leadContact: {
    kind: 'leadContact',
    ownerEntityTypeId: 1,
    boundEntityTypeId: CONTACT,
    boundKey: 'CONTACT_ID',
  },
  dealContact: {
    kind: 'dealContact',
    ownerEntityTypeId: 2,
    boundEntityTypeId: CONTACT,
    boundKey: 'CONTACT_ID',
  },
  contactCompany: {
    kind: 'contactCompany',
    ownerEntityTypeId: CONTACT,
    boundEntityTypeId: COMPANY,
    boundKey: 'COMPANY_ID',
  },
  companyContact: {
    kind: 'companyContact',
    ownerEntityTypeId: COMPANY,
    boundEntityTypeId: CONTACT,
    boundKey: 'CONTACT_ID',
  },
}

/** One binding seen from its owner. */
export interface BindingRow {
  /** The bound item's id. */
  id: number
  sort: number
  isPrimary: boolean
}

/**
 * The owner's bindings in list order (sort, then id). Exactly one is primary when any exist: rows written
 * without a primary flag present their first row as the primary one, as item-store.ts reads them.
 */
export async function readBindingRows(
  db: Db,
  portalId: number,
  kind: RelationKind,
  ownerId: number,
): Promise<BindingRow[]> {
  let rows: BindingRow[]
  if (kind === 'leadContact' || kind === 'dealContact') {
    const found = await db
      .selectFrom('crm_contact_binding')
      .select(['contact_id', 'sort', 'is_primary'])
      .where('portal_id', '=', portalId)
      .where('entity_type_id', '=', RELATIONS[kind].ownerEntityTypeId)
      .where('item_id', '=', ownerId)
      .execute()
    rows = found.map((r) => ({
      id: r.contact_id,
      sort: Number(r.sort),
      isPrimary: Number(r.is_primary) === 1,
    }))
  } else if (kind === 'contactCompany') {
    const found = await db
      .selectFrom('crm_contact_company')
      .select(['company_id', 'sort', 'is_primary'])
      .where('portal_id', '=', portalId)
      .where('contact_id', '=', ownerId)
      .execute()
    rows = found.map((r) => ({
      id: r.company_id,
      sort: Number(r.sort),
      isPrimary: Number(r.is_primary) === 1,
    }))
  } else {
    const found = await db
      .selectFrom('crm_contact_company')
      .select(['contact_id', 'company_sort', 'company_is_primary'])
      .where('portal_id', '=', portalId)
      .where('company_id', '=', ownerId)
      .execute()
    rows = found.map((r) => ({
      id: r.contact_id,
      sort: Number(r.company_sort),
      isPrimary: Number(r.company_is_primary) === 1,
    }))
  }
  return withOnePrimary(sortRows(rows))
}

export function sortRows(rows: readonly BindingRow[]): BindingRow[] {
  return [...rows].sort((a, b) => a.sort - b.sort || a.id - b.id)
}

/** The first primary row stays primary; without one, the first row is. */
export function withOnePrimary(rows: readonly BindingRow[]): BindingRow[] {
  const primary = rows.find((r) => r.isPrimary)?.id ?? rows[0]?.id
  return rows.map((r) => ({ ...r, isPrimary: r.id === primary }))
}

export function sameRows(a: readonly BindingRow[], b: readonly BindingRow[]): boolean {
  const x = sortRows(a)
  const y = sortRows(b)
  return (
    x.length === y.length &&
    x.every((r, i) => r.id === y[i]?.id && r.sort === y[i]?.sort && r.isPrimary === y[i]?.isPrimary)
  )
}

/**
 * Replaces the owner's bindings with `next` (sorts and primary flags as given). Rows the owner keeps are
 * updated in place, so the other side of a contact ↔ company row keeps its own order and primary.
 */
export async function writeBindingRows(
  db: Db,
  portalId: number,
  kind: RelationKind,
  ownerId: number,
  current: readonly BindingRow[],
  next: readonly BindingRow[],
): Promise<void> {
  if (kind === 'leadContact' || kind === 'dealContact') {
    const entityTypeId = RELATIONS[kind].ownerEntityTypeId
    await db
      .deleteFrom('crm_contact_binding')
      .where('portal_id', '=', portalId)
      .where('entity_type_id', '=', entityTypeId)
      .where('item_id', '=', ownerId)
      .execute()
    if (next.length === 0) return
    await db
      .insertInto('crm_contact_binding')
      .values(
        next.map((r) => ({
          portal_id: portalId,
          entity_type_id: entityTypeId,
          item_id: ownerId,
          contact_id: r.id,
          sort: r.sort,
          is_primary: r.isPrimary ? 1 : 0,
        })),
      )
      .execute()
    return
  }
  const ownerIsContact = kind === 'contactCompany'
  const nextIds = new Set(next.map((r) => r.id))
  const currentIds = new Set(current.map((r) => r.id))
  const removed = current.filter((r) => !nextIds.has(r.id)).map((r) => r.id)
  for (const otherId of removed) {
    const pair = ownerIsContact
      ? { contactId: ownerId, companyId: otherId }
      : { contactId: otherId, companyId: ownerId }
    const row = await db
      .selectFrom('crm_contact_company')
      .select(['is_primary', 'company_is_primary'])
      .where('portal_id', '=', portalId)
      .where('contact_id', '=', pair.contactId)
      .where('company_id', '=', pair.companyId)
      .executeTakeFirst()
    await db
      .deleteFrom('crm_contact_company')
      .where('portal_id', '=', portalId)
      .where('contact_id', '=', pair.contactId)
      .where('company_id', '=', pair.companyId)
      .execute()
    // The other owner lost this row: if it was its primary one, its first remaining row becomes primary.
    if (ownerIsContact && Number(row?.company_is_primary) === 1)
      await ensureCompanyPrimary(db, portalId, otherId)
    if (!ownerIsContact && Number(row?.is_primary) === 1) await ensureContactPrimary(db, portalId, otherId)
  }
  for (const r of next) {
    if (currentIds.has(r.id)) {
      const pair = ownerIsContact
        ? { contactId: ownerId, companyId: r.id }
        : { contactId: r.id, companyId: ownerId }
      const update = db
        .updateTable('crm_contact_company')
        .where('portal_id', '=', portalId)
        .where('contact_id', '=', pair.contactId)
        .where('company_id', '=', pair.companyId)
      await (
        ownerIsContact
          ? update.set({ sort: r.sort, is_primary: r.isPrimary ? 1 : 0 })
          : update.set({ company_sort: r.sort, company_is_primary: r.isPrimary ? 1 : 0 })
      ).execute()
      continue
    }
    // A new row: the other owner's side goes to the end of its list, primary if it had no binding.
    const other = await otherSideTail(db, portalId, ownerIsContact ? 'company' : 'contact', r.id)
    await db
      .insertInto('crm_contact_company')
      .values(
        ownerIsContact
          ? {
              portal_id: portalId,
              contact_id: ownerId,
              company_id: r.id,
              sort: r.sort,
              is_primary: r.isPrimary ? 1 : 0,
              company_sort: other.maxSort + BINDING_SORT_STEP,
              company_is_primary: other.count === 0 ? 1 : 0,
            }
          : {
              portal_id: portalId,
              contact_id: r.id,
              company_id: ownerId,
              sort: other.maxSort + BINDING_SORT_STEP,
              is_primary: other.count === 0 ? 1 : 0,
              company_sort: r.sort,
              company_is_primary: r.isPrimary ? 1 : 0,
            },
      )
      .execute()
  }
}

/** How many rows a company (its side) or a contact (its side) has, and its largest sort. */
async function otherSideTail(
  db: Db,
  portalId: number,
  side: 'company' | 'contact',
  id: number,
): Promise<{ count: number; maxSort: number }> {
  const rows =
    side === 'company'
      ? (
          await db
            .selectFrom('crm_contact_company')
            .select('company_sort as sort')
            .where('portal_id', '=', portalId)
            .where('company_id', '=', id)
            .execute()
        ).map((r) => Number(r.sort))
      : (
          await db
            .selectFrom('crm_contact_company')
            .select('sort')
            .where('portal_id', '=', portalId)
            .where('contact_id', '=', id)
            .execute()
        ).map((r) => Number(r.sort))
  return { count: rows.length, maxSort: rows.reduce((max, s) => Math.max(max, s), 0) }
}

/** A contact without a primary company: its first company (by sort) becomes primary. */
async function ensureContactPrimary(db: Db, portalId: number, contactId: number): Promise<void> {
  const rows = await readBindingRows(db, portalId, 'contactCompany', contactId)
  const primary = rows.find((r) => r.isPrimary)
  if (primary === undefined) return
  await db
    .updateTable('crm_contact_company')
    .set({ is_primary: 1 })
    .where('portal_id', '=', portalId)
    .where('contact_id', '=', contactId)
    .where('company_id', '=', primary.id)
    .where('is_primary', '=', 0)
    .execute()
}

/** A company without a primary contact: its first contact (by its sort) becomes primary. */
async function ensureCompanyPrimary(db: Db, portalId: number, companyId: number): Promise<void> {
  const rows = await readBindingRows(db, portalId, 'companyContact', companyId)
  const primary = rows.find((r) => r.isPrimary)
  if (primary === undefined) return
  await db
    .updateTable('crm_contact_company')
    .set({ company_is_primary: 1 })
    .where('portal_id', '=', portalId)
    .where('company_id', '=', companyId)
    .where('contact_id', '=', primary.id)
    .where('company_is_primary', '=', 0)
    .execute()
}

/** Sets a company's side to `rows` (ids already bound; sorts and primary as given). */
async function writeCompanySide(
  db: Db,
  portalId: number,
  companyId: number,
  rows: readonly BindingRow[],
): Promise<void> {
  for (const r of rows) {
    await db
      .updateTable('crm_contact_company')
      .set({ company_sort: r.sort, company_is_primary: r.isPrimary ? 1 : 0 })
      .where('portal_id', '=', portalId)
      .where('company_id', '=', companyId)
      .where('contact_id', '=', r.id)
      .execute()
  }
}

/**
 * The company side of contact ↔ company rows item-store.ts wrote for a crm.item.* save (it keeps the
 * contact side only):
 * - a company whose `contactIds` changed gets its contacts in the order of `contactIds`, sorts 10, 20, …
 *   (like every other binding list the item operations write: §1.B item 18); its primary contact stays
 *   primary while still bound, else the first one is (binding-rules.ts);
 * - a contact whose `companyIds` changed: each company that gained the contact puts it at the end of its
 *   list ("max + 10"), primary if it had no other contact; a company that lost its primary contact gets
 *   its first remaining one as primary.
 */
export async function normaliseCompanySide(
  db: Db,
  portalId: number,
  type: EntityTypeDescriptor,
  before: Item | undefined,
  after: Item,
): Promise<void> {
  if (type.entityTypeId === COMPANY) {
    const order = idsOf(after.values['contactIds'])
    if (before !== undefined && sameIds(order, idsOf(before.values['contactIds']))) return
    const current = await readBindingRows(db, portalId, 'companyContact', after.id)
    const currentIds = current.map((r) => r.id)
    const ids = [
      ...order.filter((id) => currentIds.includes(id)),
      ...currentIds.filter((id) => !order.includes(id)),
    ]
    const stored = await storedPrimary(db, portalId, after.id)
    const settled = stored !== undefined && !current.some((r) => r.sort === 0) && sameIds(currentIds, ids)
    if (settled) return
    const primary = stored !== undefined && ids.includes(stored) ? stored : ids[0]
    await writeCompanySide(
      db,
      portalId,
      after.id,
      ids.map((id, i) => ({ id, sort: (i + 1) * BINDING_SORT_STEP, isPrimary: id === primary })),
    )
    return
  }
  if (type.entityTypeId !== CONTACT) return
  const now = idsOf(after.values['companyIds'])
  const then = before === undefined ? [] : idsOf(before.values['companyIds'])
  const touched = [...now.filter((id) => !then.includes(id)), ...then.filter((id) => !now.includes(id))]
  for (const companyId of touched) await settleCompany(db, portalId, companyId)
}

/**
 * After rows of a company were added or removed from the contact side: rows without a company sort go to the
 * end of its list in contact-id order, and the company has one primary contact.
 */
export async function settleCompany(db: Db, portalId: number, companyId: number): Promise<void> {
  const rows = await db
    .selectFrom('crm_contact_company')
    .select(['contact_id', 'company_sort', 'company_is_primary'])
    .where('portal_id', '=', portalId)
    .where('company_id', '=', companyId)
    .orderBy('contact_id')
    .execute()
  let max = rows.reduce((m, r) => Math.max(m, Number(r.company_sort)), 0)
  const stored: BindingRow[] = rows.map((r) => ({
    id: r.contact_id,
    sort: Number(r.company_sort),
    isPrimary: Number(r.company_is_primary) === 1,
  }))
  const placed = stored.map((r) => {
    if (r.sort !== 0) return r
    max += BINDING_SORT_STEP
    return { ...r, sort: max }
  })
  const next = withOnePrimary(sortRows(placed))
  const changed = next.filter((r) => {
    const old = stored.find((o) => o.id === r.id)
    return old === undefined || old.sort !== r.sort || old.isPrimary !== r.isPrimary
  })
  if (changed.length > 0) await writeCompanySide(db, portalId, companyId, changed)
}

async function storedPrimary(db: Db, portalId: number, companyId: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('crm_contact_company')
    .select('contact_id')
    .where('portal_id', '=', portalId)
    .where('company_id', '=', companyId)
    .where('company_is_primary', '=', 1)
    .orderBy('company_sort')
    .orderBy('contact_id')
    .limit(1)
    .executeTakeFirst()
  return row?.contact_id
}

function idsOf(value: unknown): number[] {
  return Array.isArray(value) ? value.map(Number).filter((n) => Number.isSafeInteger(n) && n > 0) : []
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i])
}
