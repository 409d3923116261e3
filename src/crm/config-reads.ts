/**
 * The configuration the item methods read on every call — smart-process types (parent relations), custom
 * fields, dictionaries and stages, funnels, currencies, users — through the store's configuration cache
 * (store/config-cache.ts): read from the database once per change, not once per call. Each function answers
 * exactly what its uncached twin in dictionary-store.ts / user-field-store.ts answers.
 *
 * Values are shared and frozen: callers copy before they change anything.
 */
import type { Db } from '../store/schema.js'
import { configCached } from '../store/config-cache.js'
import {
  listCategories,
  listCurrencies,
  listStatuses,
  listTypes,
  type CategoryRecord,
  type CurrencyRecord,
  type SmartProcessTypeRecord,
  type StatusRow,
} from './dictionaries/dictionary-store.js'
import type { EntityTypeDescriptor } from './entity-types/entity-type.js'
import type { UserFieldDefinition } from './user-fields/user-field.js'
import { userFieldsOfType } from './user-fields/user-field-store.js'

/** listTypes: every smart-process type of the portal. */
export function cachedTypes(db: Db, portalId: number): Promise<readonly SmartProcessTypeRecord[]> {
  return configCached(db, portalId, 'types', () => listTypes(db, portalId))
}

/** userFieldsOfType: the custom fields of a type. */
export function cachedUserFields(
  db: Db,
  portalId: number,
  type: EntityTypeDescriptor,
): Promise<readonly UserFieldDefinition[]> {
  return configCached(db, portalId, `userFields:${type.userFieldEntityId}`, () =>
    userFieldsOfType(db, portalId, type),
  )
}

/** listStatuses: one dictionary or one funnel's stages, by SORT then ID. */
export function cachedStatuses(db: Db, portalId: number, entityId: string): Promise<readonly StatusRow[]> {
  return configCached(db, portalId, `statuses:${entityId}`, () => listStatuses(db, portalId, entityId))
}

/** findStatus: a value of a dictionary by STATUS_ID (unique per dictionary; compared as stored). */
export async function cachedFindStatus(
  db: Db,
  portalId: number,
  entityId: string,
  statusId: string,
): Promise<StatusRow | undefined> {
  return (await cachedStatuses(db, portalId, entityId)).find((s) => s.statusId === statusId)
}

/** listCategories: the funnels of a type, by sort then id. */
export function cachedCategories(
  db: Db,
  portalId: number,
  entityTypeId: number,
): Promise<readonly CategoryRecord[]> {
  return configCached(db, portalId, `categories:${entityTypeId}`, () =>
    listCategories(db, portalId, entityTypeId),
  )
}

/** getCategory: a funnel of a type by id. */
export async function cachedGetCategory(
  db: Db,
  portalId: number,
  entityTypeId: number,
  categoryId: number,
): Promise<CategoryRecord | undefined> {
  return (await cachedCategories(db, portalId, entityTypeId)).find((c) => c.id === categoryId)
}

/** defaultCategory: the flagged funnel with the lowest id. */
export async function cachedDefaultCategory(
  db: Db,
  portalId: number,
  entityTypeId: number,
): Promise<CategoryRecord | undefined> {
  let found: CategoryRecord | undefined
  for (const category of await cachedCategories(db, portalId, entityTypeId)) {
    if (category.isDefault && (found === undefined || category.id < found.id)) found = category
  }
  return found
}

/** getCurrency: a currency by ISO code, matched case-insensitively. */
export async function cachedGetCurrency(
  db: Db,
  portalId: number,
  currency: string,
): Promise<CurrencyRecord | undefined> {
  const code = currency.trim().toUpperCase()
  const currencies = await configCached(db, portalId, 'currencies', () => listCurrencies(db, portalId))
  return currencies.find((c) => c.currency === code)
}

/** The ids of every user of the portal (active or not): user fields must name one of them. */
export function cachedUserIds(db: Db, portalId: number): Promise<ReadonlySet<number>> {
  return configCached(db, portalId, 'userIds', async () => {
    const rows = await db.selectFrom('portal_user').select('id').where('portal_id', '=', portalId).execute()
    return new Set(rows.map((r) => r.id))
  })
}
