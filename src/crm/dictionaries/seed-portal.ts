/**
 * The CRM dictionaries a new portal starts with: statuses and stages (statuses.ts), funnels (categories.ts)
 * and currencies (currencies.ts). createPortal runs this inside its transaction.
 */
import type { Db } from '../../store/schema.js'
import type { Store } from '../../store/store.js'
import { FIRST_FREE_CATEGORY_ID, FRESH_PORTAL_CATEGORIES } from './categories.js'
import { FRESH_PORTAL_CURRENCIES } from './currencies.js'
import { SEQUENCE, insertCategoryRows, insertCurrencies, insertStatusRows } from './dictionary-store.js'
import { freshPortalStatusRows } from './statuses.js'

/**
 * Seeds the dictionaries and moves the `crm_status` and `crm_category` sequences past the seeded ids, so
 * the next crm.status.add / crm.category.add continue after them. Does nothing when the portal already has
 * statuses, so running it again (e.g. for a portal created before the CRM existed) is harmless.
 */
export async function seedCrmDictionaries(
  store: Store,
  db: Db,
  portalId: number,
  nowMs: number,
): Promise<void> {
  const existing = await db
    .selectFrom('crm_status')
    .select('id')
    .where('portal_id', '=', portalId)
    .limit(1)
    .executeTakeFirst()
  if (existing !== undefined) return
  const statuses = freshPortalStatusRows()
  await insertStatusRows(db, portalId, statuses)
  await insertCategoryRows(db, portalId, FRESH_PORTAL_CATEGORIES, nowMs)
  await insertCurrencies(db, portalId, FRESH_PORTAL_CURRENCIES, nowMs)
  await moveSequence(store, db, portalId, SEQUENCE.status, Math.max(...statuses.map((s) => s.id)))
  await moveSequence(store, db, portalId, SEQUENCE.category, FIRST_FREE_CATEGORY_ID - 1)
}

/**
 * Makes the sequence's last value at least `value`: one `nextId` creates the counter row (the store's
 * portable upsert), then the row is raised in place. The next `nextId` answers `value + 1`.
 */
async function moveSequence(
  store: Store,
  db: Db,
  portalId: number,
  name: string,
  value: number,
): Promise<void> {
  const current = await store.nextId(db, portalId, name)
  if (current >= value) return
  await db
    .updateTable('id_counter')
    .set({ value })
    .where('portal_id', '=', portalId)
    .where('name', '=', name)
    .execute()
}
