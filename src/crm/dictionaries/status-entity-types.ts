/**
 * The answer of `crm.status.entity.types`: one entry per dictionary that exists on the portal. The fixed
 * dictionaries are always there; each funnel of deals, smart invoices and smart processes adds one stage
 * dictionary. Shapes, names and key order are quoted from api-reference/crm/status/crm-status-entity-types.md:234-368.
 */

import { FRESH_PORTAL_CATEGORIES } from './categories.js'
import { ENTITY_TYPE, stageEntityId, stagePrefix } from './statuses.js'

/** SEMANTIC_INFO of the classic stage dictionaries; smart invoices and smart processes show `[]`. */
export interface SemanticInfo {
  START_FIELD: string
  FINAL_SUCCESS_FIELD: string
  FINAL_UNSUCCESS_FIELD: string
  FINAL_SORT: number
}

/** One element of the crm.status.entity.types result; optional keys are absent, not null, when not shown. */
export interface StatusEntityType {
  ID: string
  NAME: string
  PARENT_ID?: string
  SEMANTIC_INFO?: SemanticInfo | []
  PREFIX?: string
  FIELD_ATTRIBUTE_SCOPE?: string
  ENTITY_TYPE_ID?: number
  IS_ENABLED?: boolean
  /** a number everywhere except additional deal funnels, where the docs show a string ("1") */
  CATEGORY_ID?: number | string
  CATEGORY_NAME?: string
  CATEGORY_SORT?: number
  IS_DEFAULT_CATEGORY?: boolean
}

export interface FunnelRef {
  id: number
  name: string
  sort: number
  isDefault: boolean
}

/** What the portal has right now; crm.status.entity.types is computed from it on every call. */
export interface StatusEntityTypesInput {
  /** deal funnels including the default funnel 0 */
  dealCategories: readonly FunnelRef[]
  smartInvoiceCategories: readonly FunnelRef[]
  smartProcesses: readonly {
    entityTypeId: number
    title: string
    categories: readonly FunnelRef[]
    /**
     * The type's isStagesEnabled; shown as IS_ENABLED (inferred: the key appears only on the dictionaries of
     * types whose stages can be switched off, smart invoices and smart processes). Default true.
     */
    isStagesEnabled?: boolean
  }[]
}

// crm-status-entity-types.md:239-249 (STATUS)
const LEAD_STAGES_TYPE: StatusEntityType = {
  ID: 'STATUS',
  NAME: 'Lead stages',
  SEMANTIC_INFO: {
    START_FIELD: 'NEW',
    FINAL_SUCCESS_FIELD: 'CONVERTED',
    FINAL_UNSUCCESS_FIELD: 'JUNK',
    FINAL_SORT: 0,
  },
  ENTITY_TYPE_ID: ENTITY_TYPE.lead,
}

// crm-status-entity-types.md:250-273 — names of the plain dictionaries, in the order the page lists them.
const PLAIN_BEFORE_STAGES: readonly StatusEntityType[] = [
  { ID: 'SOURCE', NAME: 'Sources' },
  { ID: 'CONTACT_TYPE', NAME: 'Contact type' },
  { ID: 'COMPANY_TYPE', NAME: 'Company type' },
  { ID: 'EMPLOYEES', NAME: 'Number of employees' },
  { ID: 'INDUSTRY', NAME: 'Industry' },
  { ID: 'DEAL_TYPE', NAME: 'Deal type' },
]

// crm-status-entity-types.md:312-322 (QUOTE_STATUS; DECLAINED is the real code, misspelling included)
const QUOTE_STAGES_TYPE: StatusEntityType = {
  ID: 'QUOTE_STATUS',
  NAME: 'Quote stages',
  SEMANTIC_INFO: {
    START_FIELD: 'DRAFT',
    FINAL_SUCCESS_FIELD: 'APPROVED',
    FINAL_UNSUCCESS_FIELD: 'DECLAINED',
    FINAL_SORT: 0,
  },
  ENTITY_TYPE_ID: ENTITY_TYPE.quote,
}

// crm-status-entity-types.md:323-330 ("Inquiries" is the docs' name for HONORIFIC)
const PLAIN_AFTER_STAGES: readonly StatusEntityType[] = [
  { ID: 'HONORIFIC', NAME: 'Inquiries' },
  { ID: 'CALL_LIST', NAME: 'Call statuses' },
]

/**
 * Builds the list in the order the docs show it: leads, plain dictionaries, smart-invoice funnels, additional
 * deal funnels, the default deal funnel, quotes, honorifics and call statuses, then the smart processes.
 */
export function buildStatusEntityTypes(input: StatusEntityTypesInput): StatusEntityType[] {
  const result: StatusEntityType[] = [LEAD_STAGES_TYPE, ...PLAIN_BEFORE_STAGES]
  for (const c of sortFunnels(input.smartInvoiceCategories)) result.push(smartInvoiceStagesType(c.id))
  const deals = sortFunnels(input.dealCategories)
  for (const c of deals) if (c.id !== 0) result.push(dealStagesType(c.id, c.name))
  const defaultDeal = deals.find((c) => c.id === 0)
  if (defaultDeal !== undefined) result.push(dealStagesType(0, defaultDeal.name))
  result.push(QUOTE_STAGES_TYPE, ...PLAIN_AFTER_STAGES)
  for (const type of input.smartProcesses) {
    for (const c of sortFunnels(type.categories))
      result.push(smartProcessStagesType(type.entityTypeId, type.title, c, type.isStagesEnabled ?? true))
  }
  return result.map((t) => structuredClone(t))
}

/** crm.status.entity.types of a new portal: the fixed dictionaries plus the default deal and invoice funnels. */
export function freshPortalStatusEntityTypes(): StatusEntityType[] {
  const funnels = (entityTypeId: number): FunnelRef[] =>
    FRESH_PORTAL_CATEGORIES.filter((c) => c.entityTypeId === entityTypeId).map((c) => ({
      id: c.id,
      name: c.name,
      sort: c.sort,
      isDefault: c.isDefault,
    }))
  return buildStatusEntityTypes({
    dealCategories: funnels(ENTITY_TYPE.deal),
    smartInvoiceCategories: funnels(ENTITY_TYPE.smartInvoice),
    smartProcesses: [],
  })
}

/**
 * Deal funnel stages. Default funnel: crm-status-entity-types.md:299-310 ("General deal stages", no PREFIX,
 * FIELD_ATTRIBUTE_SCOPE "", CATEGORY_ID 0). Funnel n: 284-298 ("Newest deal stages", PARENT_ID DEAL_STAGE,
 * PREFIX Cn, FIELD_ATTRIBUTE_SCOPE category_n, CATEGORY_ID as a string).
 */
export function dealStagesType(categoryId: number, categoryName: string): StatusEntityType {
  const prefix = stagePrefix(ENTITY_TYPE.deal, categoryId)
  const p = prefix === undefined ? '' : `${prefix}:`
  const semanticInfo: SemanticInfo = {
    START_FIELD: `${p}NEW`,
    FINAL_SUCCESS_FIELD: `${p}WON`,
    FINAL_UNSUCCESS_FIELD: `${p}LOSE`,
    FINAL_SORT: 0,
  }
  const name = `${categoryName} deal stages`
  if (prefix === undefined) {
    return {
      ID: 'DEAL_STAGE',
      NAME: name,
      SEMANTIC_INFO: semanticInfo,
      FIELD_ATTRIBUTE_SCOPE: '',
      ENTITY_TYPE_ID: ENTITY_TYPE.deal,
      CATEGORY_ID: 0,
    }
  }
  return {
    ID: stageEntityId(ENTITY_TYPE.deal, categoryId),
    NAME: name,
    PARENT_ID: 'DEAL_STAGE',
    SEMANTIC_INFO: semanticInfo,
    PREFIX: prefix,
    FIELD_ATTRIBUTE_SCOPE: `category_${categoryId}`,
    ENTITY_TYPE_ID: ENTITY_TYPE.deal,
    CATEGORY_ID: String(categoryId),
  }
}

/** Smart-invoice funnel stages: crm-status-entity-types.md:274-283 ("Invoice stages", no category name). */
export function smartInvoiceStagesType(categoryId: number): StatusEntityType {
  return {
    ID: stageEntityId(ENTITY_TYPE.smartInvoice, categoryId),
    NAME: 'Invoice stages',
    SEMANTIC_INFO: [],
    PREFIX: stagePrefix(ENTITY_TYPE.smartInvoice, categoryId) ?? '',
    FIELD_ATTRIBUTE_SCOPE: `category_${categoryId}`,
    ENTITY_TYPE_ID: ENTITY_TYPE.smartInvoice,
    IS_ENABLED: true,
    CATEGORY_ID: categoryId,
  }
}

/**
 * Smart-process funnel stages: crm-status-entity-types.md:341-366 — NAME is "{type title} ({funnel name})",
 * with CATEGORY_NAME, CATEGORY_SORT and IS_DEFAULT_CATEGORY.
 */
export function smartProcessStagesType(
  entityTypeId: number,
  title: string,
  category: FunnelRef,
  isEnabled = true,
): StatusEntityType {
  return {
    ID: stageEntityId(entityTypeId, category.id),
    NAME: `${title} (${category.name})`,
    SEMANTIC_INFO: [],
    PREFIX: stagePrefix(entityTypeId, category.id) ?? '',
    FIELD_ATTRIBUTE_SCOPE: `category_${category.id}`,
    ENTITY_TYPE_ID: entityTypeId,
    IS_ENABLED: isEnabled,
    CATEGORY_ID: category.id,
    CATEGORY_NAME: category.name,
    CATEGORY_SORT: category.sort,
    IS_DEFAULT_CATEGORY: category.isDefault,
  }
}

/** Funnels in the order crm.category.list gives them: by sort, then id (inferred tie-break). */
function sortFunnels(funnels: readonly FunnelRef[]): FunnelRef[] {
  return [...funnels].sort((a, b) => a.sort - b.sort || a.id - b.id)
}
