/**
 * Funnels (`crm.category.*`) a new portal has, the defaults of a new funnel, and the wire shape of a funnel.
 * Citations are paths under spec/b24restdocs/.
 */

import {
  ENTITY_TYPE,
  FIRST_DYNAMIC_ENTITY_TYPE_ID,
  FRESH_PORTAL_SMART_INVOICE_CATEGORY_ID,
} from './statuses.js'

export interface CategorySeed {
  id: number
  entityTypeId: number
  name: string
  sort: number
  isDefault: boolean
  /** system funnels of contacts and companies (vendors) carry isSystem and code */
  isSystem?: boolean
  code?: string
  /** additional deal funnels carry originId / originatorId ('' unless set) */
  originId?: string
  originatorId?: string
}

/**
 * The default deal funnel: id 0, "General", isDefault "Y" (api-reference/crm/universal/category/crm-category-list.md:322-328).
 * Its sort is 300 there and in tutorials/crm/how-to-get-lists/how-to-get-elements-by-stage-filter.md:181-185, but
 * 100 in tutorials/crm/how-to-get-lists/how-to-get-deal-funnels.md:112-116; the reference page wins.
 */
export const DEFAULT_DEAL_CATEGORY: Readonly<CategorySeed> = {
  id: 0,
  entityTypeId: ENTITY_TYPE.deal,
  name: 'General',
  sort: 300,
  isDefault: true,
}

/**
 * A funnel's name and sort when crm.category.add leaves them out: name "-", sort 500
 * (api-reference/crm/universal/category/crm-category-add.md:51,57). A negative sort becomes 0 (same page, 55).
 */
export const NEW_CATEGORY_DEFAULTS = { name: '-', sort: 500 } as const

/**
 * The default funnel a smart process (and the smart invoice) gets when it is created: "General", sort 500,
 * isDefault — as crm.status.entity.types shows it for type 177 (crm-status-entity-types.md:341-353:
 * CATEGORY_NAME "General", CATEGORY_SORT 500, IS_DEFAULT_CATEGORY true).
 */
export const DEFAULT_FUNNEL_NAME = 'General'

export function defaultFunnelFor(entityTypeId: number, id: number): CategorySeed {
  if (entityTypeId !== ENTITY_TYPE.smartInvoice && entityTypeId < FIRST_DYNAMIC_ENTITY_TYPE_ID) {
    throw new Error(`entity type ${entityTypeId} has no created default funnel`)
  }
  return { id, entityTypeId, name: DEFAULT_FUNNEL_NAME, sort: NEW_CATEGORY_DEFAULTS.sort, isDefault: true }
}

/**
 * The smart-invoice default funnel of a new portal. Its id is inferred: funnel ids come from one per-portal
 * sequence (the docs' portal has deal funnels 9-11 next to smart-process funnels 7 and 87), and the smart invoice
 * is set up with the portal, so it takes the first id.
 */
export const DEFAULT_SMART_INVOICE_CATEGORY: Readonly<CategorySeed> = defaultFunnelFor(
  ENTITY_TYPE.smartInvoice,
  FRESH_PORTAL_SMART_INVOICE_CATEGORY_ID,
)

/**
 * The default funnel of contacts and of companies: id 0. "The pipeline list includes the default pipeline with
 * `id = 0` and custom pipelines" (tutorials/crm/how-to-edit-crm-objects/how-to-make-contact-edit-card.md:235);
 * a contact created without `categoryId` lands in "the general category" (how-to-add-contractor.md:172).
 * Inferred: the name "General" (as for deals) and sort 100 (below the 500 of new funnels, so it lists first).
 * Their vendor funnels (code CATALOG_CONTRACTOR_CONTACT, how-to-get-contractors.md:144-160) appear only once
 * inventory management is on, so a new portal does not have them.
 */
export function defaultClientCategory(entityTypeId: 3 | 4): CategorySeed {
  return { id: 0, entityTypeId, name: 'General', sort: 100, isDefault: true, isSystem: false }
}

/** The funnels of a new portal. Ids are per object type (the table key is portal, entityTypeId, id). */
export const FRESH_PORTAL_CATEGORIES: readonly Readonly<CategorySeed>[] = [
  DEFAULT_DEAL_CATEGORY,
  defaultClientCategory(ENTITY_TYPE.contact),
  defaultClientCategory(ENTITY_TYPE.company),
  DEFAULT_SMART_INVOICE_CATEGORY,
]

/** The first id crm.category.add may hand out on a new portal (one id sequence for every object's funnels). */
export const FIRST_FREE_CATEGORY_ID = Math.max(...FRESH_PORTAL_CATEGORIES.map((c) => c.id)) + 1

/**
 * Objects that have funnels: deals, contacts, companies, smart invoices and smart processes
 * (api-reference/crm/universal/category/index.md, "Which Objects Support Funnels"); others answer
 * ENTITY_TYPE_NOT_SUPPORTED.
 */
export function supportsCategories(entityTypeId: number): boolean {
  return (
    entityTypeId === ENTITY_TYPE.deal ||
    entityTypeId === ENTITY_TYPE.contact ||
    entityTypeId === ENTITY_TYPE.company ||
    entityTypeId === ENTITY_TYPE.smartInvoice ||
    entityTypeId >= FIRST_DYNAMIC_ENTITY_TYPE_ID
  )
}

export interface CategoryWire {
  id: number
  name: string
  sort: number
  entityTypeId: number
  isDefault: 'Y' | 'N'
  originId?: string
  originatorId?: string
  isSystem?: 'Y' | 'N'
  code?: string
}

/**
 * A funnel as crm.category.list / get / add return it. The key set depends on the object, as in the docs:
 * additional deal funnels add originId / originatorId (crm-category-list.md:295-320, crm-category-get.md);
 * the default deal funnel does not (crm-category-list.md:322-328); smart-process funnels have neither
 * (crm-category-add.md, how-to-add-category-to-spa.md:231-243); contact and company funnels add isSystem and code
 * (how-to-get-contractors.md:148-156).
 */
export function categoryToWire(c: Readonly<CategorySeed>): CategoryWire {
  const wire: CategoryWire = {
    id: c.id,
    name: c.name,
    sort: c.sort,
    entityTypeId: c.entityTypeId,
    isDefault: c.isDefault ? 'Y' : 'N',
  }
  if (c.entityTypeId === ENTITY_TYPE.deal && c.id !== 0) {
    wire.originId = c.originId ?? ''
    wire.originatorId = c.originatorId ?? ''
  }
  if (c.entityTypeId === ENTITY_TYPE.contact || c.entityTypeId === ENTITY_TYPE.company) {
    wire.isSystem = c.isSystem === true ? 'Y' : 'N'
    if (c.code !== undefined) wire.code = c.code
  }
  return wire
}
