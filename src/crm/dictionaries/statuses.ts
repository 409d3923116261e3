/**
 * The CRM dictionaries (`crm.status.*`) a new Bitrix24 portal starts with, and the stage set a new funnel gets.
 *
 * Pure data: storage seeds these rows into every new portal and the crm.status.* methods serialise them with
 * `statusToWire`. Citations are paths under spec/b24restdocs/. Where the docs are silent the value is what a
 * fresh English-locale portal has, marked "inferred" next to it.
 */

/** Short stage semantics as stored: `P` in progress (the wire shows `null`), `S` success, `F` failure. */
export type StageSemantics = 'P' | 'S' | 'F'

/**
 * Text semantics in `EXTRA.SEMANTICS`. `apology` is what the docs show for the APOLOGY deal stage
 * (api-reference/crm/status/crm-status-list.md:520-532, tutorials/crm/how-to-get-lists/how-to-get-elements-by-stage-filter.md:407-419).
 */
export type ExtraSemantics = 'process' | 'success' | 'failure' | 'apology'

export interface StatusSeed {
  entityId: string
  statusId: string
  name: string
  /**
   * NAME_INIT, the default name. System values carry their own name; optional deal and lead stages have ''
   * (crm-status-list.md:408-435); smart-process template stages all carry their name (how-to-add-category-to-spa.md:327-385).
   */
  nameInit: string
  sort: number
  system: boolean
  color?: string
  /** only for stage dictionaries; absent on plain dictionaries such as SOURCE (wire `SEMANTICS: null`) */
  semantics?: StageSemantics
  /** funnel id for funnel-scoped stages (DEAL_STAGE_n, SMART_INVOICE_STAGE_n, DYNAMIC_t_STAGE_n) */
  categoryId?: number
  /** overrides the text semantics derived from `semantics` (only APOLOGY uses it) */
  extraSemantics?: ExtraSemantics
}

/** A seeded row: the seed plus its numeric ID (crm.status.get/update/delete address rows by it). */
export interface StatusRow extends StatusSeed {
  id: number
}

/** Entity type ids of the objects that own stage dictionaries (api-reference/crm/data-types.md, object_type). */
export const ENTITY_TYPE = {
  lead: 1,
  deal: 2,
  contact: 3,
  company: 4,
  quote: 7,
  smartInvoice: 31,
  smartDocument: 36,
} as const

/** The lowest entityTypeId of a smart process (api-reference/crm/universal/category/index.md: "from 128"). */
export const FIRST_DYNAMIC_ENTITY_TYPE_ID = 128

/**
 * A funnel-scoped STATUS_ID is cut at 21 characters: `C10:PREPAYMENT_INVOIC`
 * (tutorials/crm/how-to-get-lists/how-to-get-elements-by-stage-filter.md:289).
 */
export const FUNNEL_STATUS_ID_MAX_LENGTH = 21

// ---------------------------------------------------------------------------------------------------------
// Lead stages, ENTITY_ID `STATUS`.
// NEW / CONVERTED / JUNK (names, sort, colors, system) are quoted from
// tutorials/crm/how-to-get-lists/how-to-get-stages-with-semantics.md:122-168.
// IN_PROCESS / PROCESSED names from api-reference/crm/leads/crm-lead-add.md:147-152 ("Default stages").
// Inferred: sort 20/30 and colors of IN_PROCESS / PROCESSED; NAME_INIT '' for them (as for optional deal stages).
// ---------------------------------------------------------------------------------------------------------
const LEAD_STAGES: readonly StatusSeed[] = [
  stage('STATUS', 'NEW', 'Not processed', 10, true, '#00FFFF', 'P'),
  stage('STATUS', 'IN_PROCESS', 'In process', 20, false, '#2FC6F6', 'P'),
  stage('STATUS', 'PROCESSED', 'Processed', 30, false, '#55D0E0', 'P'),
  stage('STATUS', 'CONVERTED', 'Converted', 50, true, '#37B44A', 'S'),
  stage('STATUS', 'JUNK', 'Low-quality lead', 60, true, '#F54819', 'F'),
]

// ---------------------------------------------------------------------------------------------------------
// Deal stage template. The default funnel (`DEAL_STAGE`, api-reference/crm/status/crm-status-list.md:405-534)
// and a new funnel (`DEAL_STAGE_10`, tutorials/crm/how-to-get-lists/how-to-get-elements-by-stage-filter.md:292-423)
// have the same eight stages, names, sorts and colors. APOLOGY's EXTRA.SEMANTICS is "apology" in both.
// ---------------------------------------------------------------------------------------------------------
interface TemplateStage {
  code: string
  name: string
  sort: number
  system: boolean
  color: string
  semantics: StageSemantics
  /** NAME_INIT differs from NAME only by being empty for optional stages */
  nameInitEmpty?: boolean
  extraSemantics?: ExtraSemantics
}

const DEAL_STAGE_TEMPLATE: readonly TemplateStage[] = [
  { code: 'NEW', name: 'New', sort: 10, system: true, color: '#39A8EF', semantics: 'P' },
  {
    code: 'PREPARATION',
    name: 'Document preparation',
    sort: 20,
    system: false,
    color: '#2FC6F6',
    semantics: 'P',
    nameInitEmpty: true,
  },
  {
    code: 'PREPAYMENT_INVOICE',
    name: 'Prepayment invoice',
    sort: 30,
    system: false,
    color: '#55D0E0',
    semantics: 'P',
    nameInitEmpty: true,
  },
  {
    code: 'EXECUTING',
    name: 'In progress',
    sort: 40,
    system: false,
    color: '#47E4C2',
    semantics: 'P',
    nameInitEmpty: true,
  },
  {
    code: 'FINAL_INVOICE',
    name: 'Final invoice',
    sort: 50,
    system: false,
    color: '#FFA900',
    semantics: 'P',
    nameInitEmpty: true,
  },
  { code: 'WON', name: 'Deal successful', sort: 60, system: true, color: '#7BD500', semantics: 'S' },
  { code: 'LOSE', name: 'Deal failed', sort: 70, system: true, color: '#FF5752', semantics: 'F' },
  {
    code: 'APOLOGY',
    name: 'Failure reason analysis',
    sort: 80,
    system: false,
    color: '#FF5752',
    semantics: 'F',
    nameInitEmpty: true,
    extraSemantics: 'apology',
  },
]

// ---------------------------------------------------------------------------------------------------------
// Smart-process stage template, `DYNAMIC_{entityTypeId}_STAGE_{categoryId}` with ids `DT{t}_{c}:{code}`.
// Quoted from tutorials/crm/how-to-add-crm-objects/how-to-add-category-to-spa.md:323-387 (a new funnel of type 177)
// and api-reference/crm/status/crm-status-get.md:259-272 (DT1038_37:SUCCESS). Every stage carries NAME_INIT.
// ---------------------------------------------------------------------------------------------------------
const DYNAMIC_STAGE_TEMPLATE: readonly TemplateStage[] = [
  { code: 'NEW', name: 'Start', sort: 10, system: true, color: '#22B9FF', semantics: 'P' },
  { code: 'PREPARATION', name: 'Preparation', sort: 20, system: false, color: '#88B9FF', semantics: 'P' },
  { code: 'CLIENT', name: 'Approval', sort: 30, system: false, color: '#10e5fc', semantics: 'P' },
  { code: 'SUCCESS', name: 'Success', sort: 40, system: true, color: '#00ff00', semantics: 'S' },
  { code: 'FAIL', name: 'Failure', sort: 50, system: true, color: '#ff0000', semantics: 'F' },
]

// ---------------------------------------------------------------------------------------------------------
// Smart-invoice stage template, `SMART_INVOICE_STAGE_{categoryId}` with ids `DT31_{c}:{code}`.
// Documented: the code `N` = "New" (api-reference/crm/universal/crm-item-add.md:1038, `'DT31_13:N' = 'New'`).
// Inferred: S/P/D (the old invoice status codes the smart invoice kept), their names, sorts, colors (the
// smart-process palette) and SYSTEM flags.
// ---------------------------------------------------------------------------------------------------------
const SMART_INVOICE_STAGE_TEMPLATE: readonly TemplateStage[] = [
  { code: 'N', name: 'New', sort: 10, system: true, color: '#22B9FF', semantics: 'P' },
  { code: 'S', name: 'Sent to client', sort: 20, system: false, color: '#88B9FF', semantics: 'P' },
  { code: 'P', name: 'Paid', sort: 30, system: true, color: '#00ff00', semantics: 'S' },
  { code: 'D', name: 'Declined', sort: 40, system: true, color: '#ff0000', semantics: 'F' },
]

// ---------------------------------------------------------------------------------------------------------
// Quote stages, `QUOTE_STATUS`. Documented: DRAFT is the start, APPROVED the success and DECLAINED (sic) the
// failure stage (api-reference/crm/status/crm-status-entity-types.md:312-321); SENT exists
// (api-reference/crm/quote/crm-quote-get.md:255). Inferred: RECEIVED, all names, sorts and colors.
// ---------------------------------------------------------------------------------------------------------
const QUOTE_STAGES: readonly StatusSeed[] = [
  stage('QUOTE_STATUS', 'DRAFT', 'Draft', 10, true, '#39A8EF', 'P'),
  stage('QUOTE_STATUS', 'SENT', 'Sent to client', 20, false, '#2FC6F6', 'P'),
  stage('QUOTE_STATUS', 'RECEIVED', 'Received', 30, false, '#55D0E0', 'P'),
  stage('QUOTE_STATUS', 'APPROVED', 'Approved', 40, true, '#7BD500', 'S'),
  stage('QUOTE_STATUS', 'DECLAINED', 'Declined', 50, true, '#FF5752', 'F'),
]

// ---------------------------------------------------------------------------------------------------------
// Plain dictionaries (no stages, no colors, no semantics). The docs name each dictionary
// (api-reference/crm/status/index.md "List of Reference Guides") and use some of the codes in examples:
// SOURCE: WEB, CALL, CALLBACK, ADVERTISING, TRADE_SHOW (crm-item-get.md:365, crm-deal-get.md:311, …);
// CONTACT_TYPE: PARTNER (crm-contact-get.md:245); COMPANY_TYPE: CUSTOMER (how-to-add-company.md:451);
// INDUSTRY: IT, MANUFACTURING; EMPLOYEES: EMPLOYEES_1..3; DEAL_TYPE: SALE, COMPLEX, GOODS, SERVICE.
// Inferred: the full lists, names (English locale), sorts, SYSTEM flags and NAME_INIT.
// ---------------------------------------------------------------------------------------------------------
const SOURCES: readonly StatusSeed[] = plain('SOURCE', [
  ['CALL', 'Call'],
  ['EMAIL', 'E-Mail'],
  ['WEB', 'Website'],
  ['ADVERTISING', 'Advertising'],
  ['PARTNER', 'Existing client'],
  ['RECOMMENDATION', 'By recommendation'],
  ['TRADE_SHOW', 'Show/Exhibition'],
  ['WEBFORM', 'CRM form', true],
  ['CALLBACK', 'Callback', true],
  ['RC_GENERATOR', 'Sales boost', true],
  ['STORE', 'Online Store', true],
  ['OTHER', 'Other', true],
])

const CONTACT_TYPES: readonly StatusSeed[] = plain('CONTACT_TYPE', [
  ['CLIENT', 'Clients'],
  ['SUPPLIER', 'Suppliers'],
  ['PARTNER', 'Partners'],
  ['OTHER', 'Other'],
])

const COMPANY_TYPES: readonly StatusSeed[] = plain('COMPANY_TYPE', [
  ['CUSTOMER', 'Client'],
  ['SUPPLIER', 'Supplier'],
  ['COMPETITOR', 'Competitor'],
  ['PARTNER', 'Partner'],
  ['OTHER', 'Other'],
])

const EMPLOYEES: readonly StatusSeed[] = plain('EMPLOYEES', [
  ['EMPLOYEES_1', 'Less than 50'],
  ['EMPLOYEES_2', '50-250'],
  ['EMPLOYEES_3', '250-500'],
  ['EMPLOYEES_4', 'More than 500'],
])

const INDUSTRIES: readonly StatusSeed[] = plain('INDUSTRY', [
  ['IT', 'Information Technology'],
  ['TELECOM', 'Telecommunication'],
  ['MANUFACTURING', 'Manufacturing'],
  ['BANKING', 'Banking Services'],
  ['CONSULTING', 'Consulting'],
  ['FINANCE', 'Finance'],
  ['GOVERNMENT', 'Government'],
  ['DELIVERY', 'Delivery'],
  ['ENTERTAINMENT', 'Entertainment'],
  ['NOTPROFIT', 'Not For Profit'],
  ['OTHER', 'Other'],
])

const DEAL_TYPES: readonly StatusSeed[] = plain('DEAL_TYPE', [
  ['SALE', 'Sales'],
  ['COMPLEX', 'Complex sale'],
  ['GOODS', 'Sale of goods'],
  ['SERVICES', 'Sale of services'],
  ['SERVICE', 'After-sales service'],
])

// The docs' examples use `HNR_RU_1` (api-reference/crm/contacts/crm-contact-add.md:256), a Russian-locale portal.
// An English-locale portal has the HNR_EN_* set instead (inferred, with the names).
const HONORIFICS: readonly StatusSeed[] = plain('HONORIFIC', [
  ['HNR_EN_1', 'Mr.'],
  ['HNR_EN_2', 'Mrs.'],
  ['HNR_EN_3', 'Ms.'],
  ['HNR_EN_4', 'Dr.'],
])

// Call-list statuses, quoted from api-reference/crm/call-list/crm-calllist-statuslist.md:234-259.
// Inferred: SYSTEM flags.
const CALL_LIST_STATUSES: readonly StatusSeed[] = plain('CALL_LIST', [
  ['IN_WORK', 'In Progress'],
  ['SUCCESS', 'Successful'],
  ['WRONG_NUMBER', 'Wrong Number'],
  ['STOP_CALLING', 'Do Not Call Again'],
])

/**
 * The smart-invoice funnel a new portal has (see categories.ts). Kept here as a plain number so the status
 * seed does not depend on the category module.
 */
export const FRESH_PORTAL_SMART_INVOICE_CATEGORY_ID = 1

/**
 * Every crm.status row of a new portal, in the order the rows get their IDs. Leads come first so the lead
 * stage NEW has ID 1, as in how-to-get-stages-with-semantics.md:124.
 */
export const FRESH_PORTAL_STATUSES: readonly StatusSeed[] = [
  ...LEAD_STAGES,
  ...SOURCES,
  ...CONTACT_TYPES,
  ...COMPANY_TYPES,
  ...EMPLOYEES,
  ...INDUSTRIES,
  ...DEAL_TYPES,
  ...newFunnelStages('smart_invoice', ENTITY_TYPE.smartInvoice, FRESH_PORTAL_SMART_INVOICE_CATEGORY_ID),
  ...newFunnelStages('deal', ENTITY_TYPE.deal, 0),
  ...QUOTE_STAGES,
  ...HONORIFICS,
  ...CALL_LIST_STATUSES,
]

/** The rows with IDs 1..n assigned in seed order; the portal's status id counter continues after them. */
export function freshPortalStatusRows(): StatusRow[] {
  return FRESH_PORTAL_STATUSES.map((seed, index) => ({ ...seed, id: index + 1 }))
}

export type FunnelEntity = 'deal' | 'smart_invoice' | 'dynamic'

/**
 * The stages a funnel gets when it is created (tutorials/crm/how-to-add-crm-objects/how-to-add-category-to-spa.md:245:
 * "Bitrix24 immediately fills the new funnel with default stages"). Deal funnel 0 is the default funnel
 * (`DEAL_STAGE`, bare ids, CATEGORY_ID null on the wire); funnel n > 0 gets `DEAL_STAGE_n` and `Cn:` ids.
 */
export function newFunnelStages(
  entity: FunnelEntity,
  entityTypeId: number,
  categoryId: number,
): StatusSeed[] {
  if (!Number.isInteger(categoryId) || categoryId < 0) throw new Error(`invalid funnel id ${categoryId}`)
  let template: readonly TemplateStage[]
  if (entity === 'deal') {
    if (entityTypeId !== ENTITY_TYPE.deal) {
      throw new Error(`deal funnels belong to entity type 2, not ${entityTypeId}`)
    }
    template = DEAL_STAGE_TEMPLATE
  } else if (entity === 'smart_invoice') {
    if (entityTypeId !== ENTITY_TYPE.smartInvoice) {
      throw new Error(`smart-invoice funnels belong to entity type 31, not ${entityTypeId}`)
    }
    template = SMART_INVOICE_STAGE_TEMPLATE
  } else {
    if (!Number.isInteger(entityTypeId) || entityTypeId < FIRST_DYNAMIC_ENTITY_TYPE_ID) {
      throw new Error(`a smart process has an entity type id from 128, not ${entityTypeId}`)
    }
    template = DYNAMIC_STAGE_TEMPLATE
  }
  const entityId = stageEntityId(entityTypeId, categoryId)
  const prefix = stagePrefix(entityTypeId, categoryId)
  const isDefaultDealFunnel = entity === 'deal' && categoryId === 0
  return template.map((t) => {
    const seed: StatusSeed = {
      entityId,
      statusId: prefixStatusId(prefix, t.code),
      name: t.name,
      nameInit: t.nameInitEmpty ? '' : t.name,
      sort: t.sort,
      system: t.system,
      color: t.color,
      semantics: t.semantics,
    }
    if (!isDefaultDealFunnel) seed.categoryId = categoryId
    if (t.extraSemantics !== undefined) seed.extraSemantics = t.extraSemantics
    return seed
  })
}

/**
 * The dictionary code of a funnel's stages (api-reference/crm/status/index.md, "Stages"): `DEAL_STAGE` /
 * `DEAL_STAGE_n`, `SMART_INVOICE_STAGE_n`, `SMART_DOCUMENT_STAGE_n`, `DYNAMIC_t_STAGE_n`; leads `STATUS`, quotes
 * `QUOTE_STATUS`.
 */
export function stageEntityId(entityTypeId: number, categoryId: number): string {
  switch (entityTypeId) {
    case ENTITY_TYPE.lead:
      return 'STATUS'
    case ENTITY_TYPE.quote:
      return 'QUOTE_STATUS'
    case ENTITY_TYPE.deal:
      return categoryId === 0 ? 'DEAL_STAGE' : `DEAL_STAGE_${categoryId}`
    case ENTITY_TYPE.smartInvoice:
      return `SMART_INVOICE_STAGE_${categoryId}`
    case ENTITY_TYPE.smartDocument:
      return `SMART_DOCUMENT_STAGE_${categoryId}`
    default:
      if (entityTypeId >= FIRST_DYNAMIC_ENTITY_TYPE_ID) return `DYNAMIC_${entityTypeId}_STAGE_${categoryId}`
      throw new Error(`entity type ${entityTypeId} has no stages`)
  }
}

/**
 * The stage-id prefix of a funnel, as crm.status.entity.types shows it in PREFIX
 * (crm-status-entity-types.md:274-352): `C1`, `DT31_5`, `DT177_7`; none for the default deal funnel, leads, quotes.
 */
export function stagePrefix(entityTypeId: number, categoryId: number): string | undefined {
  if (entityTypeId === ENTITY_TYPE.deal) return categoryId === 0 ? undefined : `C${categoryId}`
  if (entityTypeId === ENTITY_TYPE.lead || entityTypeId === ENTITY_TYPE.quote) return undefined
  return `DT${entityTypeId}_${categoryId}`
}

/**
 * Puts a funnel prefix in front of a stage code unless it is already there: `DECISION` → `C1:DECISION`, and
 * `C1:DECISION` stays as is (api-reference/crm/status/crm-status-add.md:62-65). Funnel ids are cut at
 * FUNNEL_STATUS_ID_MAX_LENGTH characters.
 */
export function prefixStatusId(prefix: string | undefined, code: string): string {
  if (prefix === undefined) return code
  const full = code.startsWith(`${prefix}:`) ? code : `${prefix}:${code}`
  return full.slice(0, FUNNEL_STATUS_ID_MAX_LENGTH)
}

export type StatusEntityKind =
  | { kind: 'lead'; entityTypeId: 1 }
  | { kind: 'quote'; entityTypeId: 7 }
  | { kind: 'deal'; entityTypeId: 2; categoryId: number }
  | { kind: 'smart_invoice'; entityTypeId: 31; categoryId: number }
  | { kind: 'smart_document'; entityTypeId: 36; categoryId: number }
  | { kind: 'dynamic'; entityTypeId: number; categoryId: number }
  | { kind: 'dictionary' }

/** Tells what an ENTITY_ID names: a stage dictionary (with its funnel) or a plain dictionary. */
export function parseStatusEntityId(entityId: string): StatusEntityKind {
  if (entityId === 'STATUS') return { kind: 'lead', entityTypeId: 1 }
  if (entityId === 'QUOTE_STATUS') return { kind: 'quote', entityTypeId: 7 }
  if (entityId === 'DEAL_STAGE') return { kind: 'deal', entityTypeId: 2, categoryId: 0 }
  let m = /^DEAL_STAGE_(\d+)$/.exec(entityId)
  if (m) return { kind: 'deal', entityTypeId: 2, categoryId: Number(m[1]) }
  m = /^SMART_INVOICE_STAGE_(\d+)$/.exec(entityId)
  if (m) return { kind: 'smart_invoice', entityTypeId: 31, categoryId: Number(m[1]) }
  m = /^SMART_DOCUMENT_STAGE_(\d+)$/.exec(entityId)
  if (m) return { kind: 'smart_document', entityTypeId: 36, categoryId: Number(m[1]) }
  m = /^DYNAMIC_(\d+)_STAGE_(\d+)$/.exec(entityId)
  if (m) return { kind: 'dynamic', entityTypeId: Number(m[1]), categoryId: Number(m[2]) }
  return { kind: 'dictionary' }
}

/**
 * crm.status.list adds `EXTRA` only for leads, deals and quotes
 * (tutorials/crm/how-to-get-lists/how-to-get-stages-with-semantics.md:180); smart-process rows have no EXTRA key
 * (same page, 196-241).
 */
export function entityHasExtra(entityId: string): boolean {
  const kind = parseStatusEntityId(entityId).kind
  return kind === 'lead' || kind === 'deal' || kind === 'quote'
}

/** `null`→process, `S`→success, `F`→failure (how-to-get-stages-with-semantics.md:190-195), unless overridden. */
export function extraSemanticsOf(seed: Pick<StatusSeed, 'semantics' | 'extraSemantics'>): ExtraSemantics {
  if (seed.extraSemantics !== undefined) return seed.extraSemantics
  if (seed.semantics === 'S') return 'success'
  if (seed.semantics === 'F') return 'failure'
  return 'process'
}

/** One element of crm.status.list / crm.status.get, every value a string or null as the docs show. */
export interface StatusWire {
  ID: string
  ENTITY_ID: string
  STATUS_ID: string
  NAME: string
  NAME_INIT: string
  SORT: string
  SYSTEM: 'Y' | 'N'
  CATEGORY_ID: string | null
  COLOR: string | null
  SEMANTICS: 'S' | 'F' | null
  EXTRA?: { SEMANTICS: ExtraSemantics; COLOR: string | null }
}

/** Serialises a row the way crm.status.list returns it (api-reference/crm/status/crm-status-list.md:405-534). */
export function statusToWire(row: StatusRow): StatusWire {
  const wire: StatusWire = {
    ID: String(row.id),
    ENTITY_ID: row.entityId,
    STATUS_ID: row.statusId,
    NAME: row.name,
    NAME_INIT: row.nameInit,
    SORT: String(row.sort),
    SYSTEM: row.system ? 'Y' : 'N',
    CATEGORY_ID: row.categoryId === undefined ? null : String(row.categoryId),
    COLOR: row.color ?? null,
    SEMANTICS: row.semantics === 'S' || row.semantics === 'F' ? row.semantics : null,
  }
  if (entityHasExtra(row.entityId))
    wire.EXTRA = { SEMANTICS: extraSemanticsOf(row), COLOR: row.color ?? null }
  return wire
}

/** One element of crm.status.entity.items: NAME, SORT as a number, STATUS_ID (crm-status-entity-items.md). */
export function statusToEntityItem(row: StatusSeed): { NAME: string; SORT: number; STATUS_ID: string } {
  return { NAME: row.name, SORT: row.sort, STATUS_ID: row.statusId }
}

function stage(
  entityId: string,
  statusId: string,
  name: string,
  sort: number,
  system: boolean,
  color: string,
  semantics: StageSemantics,
): StatusSeed {
  return { entityId, statusId, name, nameInit: system ? name : '', sort, system, color, semantics }
}

/**
 * Plain dictionary values sorted 10, 20, 30 …. NAME_INIT follows the rule the stage examples show for deals and
 * leads: a system value keeps its default name, an optional one has '' (inferred for plain dictionaries).
 */
function plain(entityId: string, values: ReadonlyArray<readonly [string, string, boolean?]>): StatusSeed[] {
  return values.map(([statusId, name, system], index) => ({
    entityId,
    statusId,
    name,
    nameInit: system === true ? name : '',
    sort: (index + 1) * 10,
    system: system ?? false,
  }))
}
