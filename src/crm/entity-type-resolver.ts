/**
 * What an `entityTypeId` parameter names on a portal: one of the built-in types (lead 1, deal 2, contact 3,
 * company 4, quote 7, smart invoice 31), a smart process the portal has (crm_type), a CRM type the
 * universal methods do not serve, or nothing.
 */
import type { Db } from '../store/schema.js'
import type { EntityTypeDescriptor } from './entity-types/entity-type.js'
import { builtInEntityType, classifyEntityTypeId, smartProcessEntityType } from './entity-types/registry.js'
import { cachedTypes } from './config-reads.js'

export type ResolvedEntityType =
  | { kind: 'found'; type: EntityTypeDescriptor }
  /** no such type: NOT_FOUND "Smart process not found" / "SPA not found" on the universal methods */
  | { kind: 'notFound' }
  /** a CRM type the universal methods do not serve (old invoices 5, requisites 8, orders 14) */
  | { kind: 'notSupported' }

export async function resolveEntityType(
  db: Db,
  portalId: number,
  entityTypeId: number,
): Promise<ResolvedEntityType> {
  switch (classifyEntityTypeId(entityTypeId)) {
    case 'builtIn': {
      const type = builtInEntityType(entityTypeId)
      return type === undefined ? { kind: 'notFound' } : { kind: 'found', type }
    }
    case 'smartProcess': {
      const settings = (await cachedTypes(db, portalId)).find(
        (record) => record.settings.entityTypeId === entityTypeId,
      )?.settings
      return settings === undefined
        ? { kind: 'notFound' }
        : { kind: 'found', type: smartProcessEntityType(settings) }
    }
    case 'notSupported':
      return { kind: 'notSupported' }
    case 'unknown':
      return { kind: 'notFound' }
  }
}

/**
 * The `entityTypeName` of a type id, as `CCrmOwnerType::ResolveName` gives it (api-reference/crm/data-types.md
 * object_type): used in "Entity type `{entityTypeName}` is not supported".
 */
export function entityTypeName(entityTypeId: number): string {
  const names: Readonly<Record<number, string>> = {
    1: 'LEAD',
    2: 'DEAL',
    3: 'CONTACT',
    4: 'COMPANY',
    5: 'INVOICE',
    7: 'QUOTE',
    8: 'REQUISITE',
    14: 'ORDER',
    31: 'SMART_INVOICE',
  }
  return names[entityTypeId] ?? `DYNAMIC_${entityTypeId}`
}
