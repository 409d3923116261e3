/**
 * Lookup of entity-type descriptors: the six built-in types by entityTypeId, smart processes from their
 * stored settings (the caller loads the crm.type row; this module holds no state — DESIGN.md: no
 * in-process state that breaks with two instances).
 */
import { COMPANY } from './company.js'
import { CONTACT } from './contact.js'
import { DEAL } from './deal.js'
import { dynamicTypeDescriptor, isSmartProcessEntityTypeId, type SmartProcessSettings } from './dynamic.js'
import { ENTITY_TYPE_ID, type EntityTypeDescriptor } from './entity-type.js'
import { LEAD } from './lead.js'
import { QUOTE } from './quote.js'
import { SMART_INVOICE } from './smart-invoice.js'

export const BUILT_IN_ENTITY_TYPES: readonly EntityTypeDescriptor[] = Object.freeze([
  LEAD,
  DEAL,
  CONTACT,
  COMPANY,
  QUOTE,
  SMART_INVOICE,
])

const BY_ID = new Map(BUILT_IN_ENTITY_TYPES.map((t) => [t.entityTypeId, t]))

/** The descriptor of a built-in type (1, 2, 3, 4, 7, 31), or undefined. */
export function builtInEntityType(entityTypeId: number): EntityTypeDescriptor | undefined {
  return BY_ID.get(entityTypeId)
}

const smartProcessDescriptors = new WeakMap<SmartProcessSettings, EntityTypeDescriptor>()

/**
 * The descriptor of a smart process, from its crm.type settings. Settings from the configuration cache are
 * shared (and frozen), so their descriptor is built once (and the store's per-descriptor plans with it).
 */
export function smartProcessEntityType(settings: SmartProcessSettings): EntityTypeDescriptor {
  if (!Object.isFrozen(settings)) return dynamicTypeDescriptor(settings)
  let descriptor = smartProcessDescriptors.get(settings)
  if (descriptor === undefined)
    smartProcessDescriptors.set(settings, (descriptor = dynamicTypeDescriptor(settings)))
  return descriptor
}

/**
 * What an entityTypeId names, before any storage lookup:
 * - `builtIn`: one of the six descriptors here;
 * - `smartProcess`: in a smart-process id range — NOT_FOUND "Smart process not found" unless the portal
 *   has such a type (crm-item-*.md error tables);
 * - `notSupported`: a CRM type `crm.item.*` does not serve — old invoices (5), requisites (8), orders (14)
 *   — ENTITY_TYPE_NOT_SUPPORTED (universal/index.md; spec-inventory.md §8 Q1);
 * - `unknown`: anything else (the methods answer NOT_FOUND, as for an unknown smart process).
 */
export type EntityTypeIdKind = 'builtIn' | 'smartProcess' | 'notSupported' | 'unknown'

export function classifyEntityTypeId(entityTypeId: number): EntityTypeIdKind {
  if (BY_ID.has(entityTypeId)) return 'builtIn'
  if (isSmartProcessEntityTypeId(entityTypeId)) return 'smartProcess'
  const notSupported: readonly number[] = [
    ENTITY_TYPE_ID.INVOICE,
    ENTITY_TYPE_ID.REQUISITE,
    ENTITY_TYPE_ID.ORDER,
  ]
  if (notSupported.includes(entityTypeId)) return 'notSupported'
  return 'unknown'
}
