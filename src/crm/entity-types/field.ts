/**
 * One system field of a CRM entity type, as data. The descriptor drives the `crm.item.fields` answer,
 * name conversion, the update pipeline's field rules, item output and storage.
 *
 * Sources: api-reference/crm/universal/crm-item-fields.md (shape and the SPA example),
 * universal/object-fields.md (which fields each type has), the crm.item.update seed (000/001: the fields
 * each type accepts), universal/crm-item-add.md (defaults), the edit-form tutorials under
 * tutorials/crm/how-to-edit-crm-objects/ (verified crm.item.fields excerpts), research/server-behaviour.md §1.
 */
import { regularCamelToUpper } from './field-names.js'

/** The `type` strings `crm.item.fields` reports for system fields. */
export type FieldType =
  | 'integer'
  | 'double'
  | 'string'
  | 'text'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'user'
  | 'file'
  | 'location'
  | 'crm_status'
  | 'crm_category'
  | 'crm_currency'
  | 'crm_company'
  | 'crm_contact'
  | 'crm_lead'
  | 'crm_deal'
  | 'crm_quote'
  | 'crm_entity'
  | 'crm_multifield'

/**
 * Where a field shows up.
 * - `visible`: in `crm.item.fields` and in items.
 * - `fieldsOnly`: in `crm.item.fields` only — the service binding fields `contacts` / `companies`
 *   (crm-item-fields.md example; the lead/deal/company/contact form tutorials skip them as "service fields").
 * - `outputOnly`: in items only — the flat multifield aliases `phoneWork`, `emailWork`… (crm-item-get.md:
 *   "flat aliases for convenient access to the first value of the corresponding type from fm").
 * - `disabled`: in items, always `null`; not in `crm.item.fields`; ignored on write (object-fields.md
 *   "Field is disabled"; crm-item-add.md "Disabled fields always return null"; the SPA example of
 *   crm-item-fields.md omits the disabled `*Account` fields).
 * - `hidden`: nowhere on the wire (contact `fullName`, `birthdaySort`: how-to-make-contact-edit-card.md).
 */
export type FieldExposure = 'visible' | 'fieldsOnly' | 'outputOnly' | 'disabled' | 'hidden'

/**
 * Item output order: `head` fields come before the custom and `parentId…` fields, `tail` fields after them
 * (crm-item-get.md lead sample and crm-item-add.md deal sample: …, `ufCrm…`, `parentId…`, `utm…`,
 * `observers`, `contactIds`, `entityTypeId`).
 */
export type OutputGroup = 'head' | 'tail'

/** Which `crm.status` dictionary a `crm_status` field draws from. */
export type Dictionary =
  /** A fixed dictionary: `SOURCE`, `HONORIFIC`, `DEAL_TYPE`, … */
  | { readonly kind: 'fixed'; readonly entityId: string }
  /**
   * The stage dictionary of the item's category (EntityTypeDescriptor.stageEntityId). `crm.item.fields`
   * reports the default category's dictionary: `DEAL_STAGE` for deals whatever the deal's pipeline
   * (how-to-generate-edit-form-for-deal.md), `DYNAMIC_1268_STAGE_52` in the crm-item-fields.md example.
   */
  | { readonly kind: 'stage' }

/** Where the value lives. The store implements these; the descriptor only declares them. */
export type FieldStorage =
  /** A column of the item row (snake_case of the UPPER name). */
  | { readonly kind: 'column'; readonly column: string }
  /** A JSON array column (quote `storageElementIds`). */
  | { readonly kind: 'jsonColumn'; readonly column: string }
  /** Side tables holding multiple values. */
  | { readonly kind: 'relation'; readonly relation: RelationStorage }
  /**
   * The single deprecated binding field mirrors the primary row of a binding relation: deal `contactId`
   * is the primary contact of `contactIds` (server-behaviour.md §1.B item 17).
   */
  | { readonly kind: 'primaryBinding'; readonly relation: 'contactBindings' | 'contactCompanies' }
  /** A multifield alias computed from `fm`: the first value of that type (and value type, if given). */
  | { readonly kind: 'multifieldAlias'; readonly typeId: string; readonly valueType?: string }
  /** Nothing is stored: disabled fields answer `null`. */
  | { readonly kind: 'none' }

export type RelationStorage =
  /** user ids, ordered (server-behaviour.md §1.B item 18). */
  | 'observers'
  /** item → contact bindings with sort and primary flag: lead, deal, quote, invoice, smart process. */
  | 'contactBindings'
  /** contact ↔ company bindings; contact `companyIds` and company `contactIds` are its two sides. */
  | 'contactCompanies'
  /** phones, e-mails, web sites, messengers (`fm`). */
  | 'multifields'

/** How `crm.item.add` fills a field the caller left out or empty (crm-item-add.md "Default —"). */
export type DefaultValueRule =
  /** `{entityTypeName} #{id}`, e.g. "Lead #13", "HR #13". Also used when `""` is passed. */
  | { readonly kind: 'titleTemplate' }
  /** The calling user. */
  | { readonly kind: 'currentUser' }
  /** `Y` unless the portal's CRM settings say otherwise. */
  | { readonly kind: 'openedSetting' }
  /** The first entry of the field's dictionary (first source, first deal type, first stage of the category…). */
  | { readonly kind: 'firstStatus' }
  /** The type's default category (0 for deals). */
  | { readonly kind: 'defaultCategory' }
  /** The portal's default currency. */
  | { readonly kind: 'defaultCurrency' }
  /** The creation date plus N days (begindate: 0, closedate / actualDate: 7). */
  | { readonly kind: 'creationDate'; readonly plusDays: number }
  /** The first "my company". */
  | { readonly kind: 'firstMyCompany' }
  /** Quote storage type: disk (3) if installed, else WebDAV (2), else file (1). */
  | { readonly kind: 'storageType' }
  /** A literal value. */
  | { readonly kind: 'literal'; readonly value: string | number }

/**
 * Behaviour the item pipeline attaches to a field (server-behaviour.md §1.B–1.E). One tag per field; the
 * pipeline switches on it. Sources are given where each tag is applied.
 */
export type FieldRule =
  /** Server-set on create/update: `id`, `createdTime`, `createdBy`, `updatedTime`, `updatedBy` (§1.E items 36–37). */
  | 'autoGenerated'
  /** Stage of the item's category; a change sets movedBy/movedTime (+ previousStageId), stageSemanticId, closed (§1.E 38–39). */
  | 'stage'
  /** Category (pipeline) move: validated, stage remapped by semantics (§1.E 40; how-to-generate-edit-form-for-deal.md). */
  | 'category'
  /** Derived from the stage: P/S/F (§1.E 38). */
  | 'stageSemantic'
  /** `Y` exactly when the stage is final (§1.E 38). */
  | 'closed'
  /** Set to the current user / now / the old stage when the stage changes (§1.E 38). */
  | 'movedBy'
  | 'movedTime'
  | 'previousStage'
  /** Recalculated from product rows after save unless `isManualOpportunity = Y` (§1.E 41; how-to-generate-edit-form-for-deal.md). */
  | 'opportunity'
  /** Derived from `fm`: `Y` when a value of that multifield type exists. */
  | 'hasPhone'
  | 'hasEmail'
  | 'hasImol'
  /** Lead: flips to `Y` when a company or contact is bound (crm-lead-update.md). */
  | 'returnCustomer'
  /** HTML tags stripped, BBCode kept (how-to-make-contact-edit-card.md). */
  | 'bbcode'
  /** Value in the past or set by the timeline; never written by the client. */
  | 'lastActivity'

export interface FieldDescriptor {
  /** Universal camelCase name (`crm.item.*`). */
  readonly name: string
  /** UPPER_CASE name: `crm.item.fields` `upperName` and the key `crm.item.*` accepts in UPPER form. */
  readonly upperName: string
  /**
   * Name in the legacy `crm.lead|deal|contact|company|quote.*` methods, or null when the legacy
   * `*.fields` page does not list the field. Differs from upperName for the timestamps
   * (`createdTime ↔ DATE_CREATE`), lead/quote stage (`stageId ↔ STATUS_ID`), company type
   * (`typeId ↔ COMPANY_TYPE`) and company contacts (`contactIds ↔ CONTACT_ID`).
   */
  readonly legacyName: string | null
  readonly type: FieldType
  /** English title as `crm.item.fields` returns it. */
  readonly title: string
  readonly isRequired: boolean
  readonly isReadOnly: boolean
  /** Settable on create only; an update silently keeps the previous value (how-to-make-contact-edit-card.md). */
  readonly isImmutable: boolean
  readonly isMultiple: boolean
  /** `crm.item.fields` `isDeprecated: true` (the single `contactId` binding). */
  readonly isDeprecated: boolean
  readonly dictionary?: Dictionary
  /** `crm.item.fields` `settings`, verbatim. */
  readonly settings?: Readonly<Record<string, unknown>>
  readonly exposure: FieldExposure
  readonly outputGroup: OutputGroup
  readonly storage: FieldStorage
  /** Emptying it on update silently keeps the old value (server-behaviour.md §1.E item 35; U8). */
  readonly canNotBeEmptied: boolean
  readonly defaultOnAdd?: DefaultValueRule
  readonly rule?: FieldRule
}

export interface FieldOptions {
  readonly upperName?: string
  /** The legacy name; `true` means the same as upperName. Absent: the field has no legacy counterpart. */
  readonly legacy?: string | true
  readonly required?: boolean
  readonly readOnly?: boolean
  readonly immutable?: boolean
  readonly multiple?: boolean
  readonly deprecated?: boolean
  readonly dictionary?: Dictionary
  readonly settings?: Readonly<Record<string, unknown>>
  readonly exposure?: FieldExposure
  readonly output?: OutputGroup
  readonly storage?: FieldStorage
  readonly canNotBeEmptied?: boolean
  readonly defaultOnAdd?: DefaultValueRule
  readonly rule?: FieldRule
  /** Overrides the field's title (common fields have the title of the crm-item-fields.md example). */
  readonly title?: string
}

/** Builds a field; the UPPER name and the storage column follow from the camel name unless given. */
export function field(
  name: string,
  type: FieldType,
  title: string,
  options: FieldOptions = {},
): FieldDescriptor {
  const upperName = options.upperName ?? regularCamelToUpper(name)
  const exposure = options.exposure ?? 'visible'
  const storage: FieldStorage =
    options.storage ??
    (exposure === 'disabled' ? { kind: 'none' } : { kind: 'column', column: upperName.toLowerCase() })
  const descriptor: FieldDescriptor = {
    name,
    upperName,
    legacyName: options.legacy === true ? upperName : (options.legacy ?? null),
    type,
    title: options.title ?? title,
    isRequired: options.required ?? false,
    isReadOnly: options.readOnly ?? false,
    isImmutable: options.immutable ?? false,
    isMultiple: options.multiple ?? false,
    isDeprecated: options.deprecated ?? false,
    exposure,
    outputGroup: options.output ?? 'head',
    storage,
    canNotBeEmptied: options.canNotBeEmptied ?? false,
    ...(options.dictionary === undefined ? {} : { dictionary: options.dictionary }),
    ...(options.settings === undefined ? {} : { settings: options.settings }),
    ...(options.defaultOnAdd === undefined ? {} : { defaultOnAdd: options.defaultOnAdd }),
    ...(options.rule === undefined ? {} : { rule: options.rule }),
  }
  return Object.freeze(descriptor)
}

/** A disabled field: always `null` in items, absent from `crm.item.fields`, ignored on write. */
export function disabledField(name: string, type: FieldType, title: string, options: FieldOptions = {}) {
  return field(name, type, title, { ...options, exposure: 'disabled', readOnly: true })
}

/** A read-only field. */
export function readOnlyField(name: string, type: FieldType, title: string, options: FieldOptions = {}) {
  return field(name, type, title, { ...options, readOnly: true })
}

export function fixedDictionary(entityId: string): Dictionary {
  return { kind: 'fixed', entityId }
}

export const STAGE_DICTIONARY: Dictionary = { kind: 'stage' }

/**
 * Fields shared by several types, with the titles and flags of the crm-item-fields.md example (the only
 * documented full `crm.item.fields` answer). Type files pass overrides where a type differs.
 */
export const common = {
  id: (o: FieldOptions = {}) => readOnlyField('id', 'integer', 'ID', { rule: 'autoGenerated', ...o }),
  title: (o: FieldOptions = {}) =>
    field('title', 'string', 'Name', {
      canNotBeEmptied: true,
      defaultOnAdd: { kind: 'titleTemplate' },
      ...o,
    }),
  xmlId: (o: FieldOptions = {}) => field('xmlId', 'string', 'External code', o),
  createdTime: (o: FieldOptions = {}) =>
    readOnlyField('createdTime', 'datetime', 'Created at', { rule: 'autoGenerated', ...o }),
  updatedTime: (o: FieldOptions = {}) =>
    readOnlyField('updatedTime', 'datetime', 'Updated at', { rule: 'autoGenerated', ...o }),
  createdBy: (o: FieldOptions = {}) =>
    readOnlyField('createdBy', 'user', 'Created by', { rule: 'autoGenerated', ...o }),
  updatedBy: (o: FieldOptions = {}) =>
    readOnlyField('updatedBy', 'user', 'Updated by', { rule: 'autoGenerated', ...o }),
  assignedById: (o: FieldOptions = {}) =>
    field('assignedById', 'user', 'Assigned to', {
      canNotBeEmptied: true,
      defaultOnAdd: { kind: 'currentUser' },
      ...o,
    }),
  opened: (o: FieldOptions = {}) =>
    field('opened', 'boolean', 'Publicly available', {
      required: true,
      defaultOnAdd: { kind: 'openedSetting' },
      ...o,
    }),
  webformId: (o: FieldOptions = {}) => field('webformId', 'integer', 'Created by CRM form', o),
  begindate: (o: FieldOptions = {}) =>
    field('begindate', 'date', 'Start date', { defaultOnAdd: { kind: 'creationDate', plusDays: 0 }, ...o }),
  closedate: (o: FieldOptions = {}) =>
    field('closedate', 'date', 'End date', { defaultOnAdd: { kind: 'creationDate', plusDays: 7 }, ...o }),
  companyId: (o: FieldOptions = {}) =>
    field('companyId', 'crm_company', 'Company', { settings: { parentEntityTypeId: 4 }, ...o }),
  /** The deprecated single contact binding; mirrors the primary of `contactIds`. */
  contactId: (o: FieldOptions = {}) =>
    field('contactId', 'crm_contact', 'Contact', {
      deprecated: true,
      storage: { kind: 'primaryBinding', relation: 'contactBindings' },
      ...o,
    }),
  contactIds: (o: FieldOptions = {}) =>
    field('contactIds', 'crm_contact', 'CONTACT_IDS', {
      multiple: true,
      output: 'tail',
      storage: { kind: 'relation', relation: 'contactBindings' },
      ...o,
    }),
  contacts: (o: FieldOptions = {}) =>
    field('contacts', 'crm_contact', 'CONTACTS', {
      multiple: true,
      exposure: 'fieldsOnly',
      storage: { kind: 'relation', relation: 'contactBindings' },
      ...o,
    }),
  observers: (o: FieldOptions = {}) =>
    field('observers', 'user', 'Observers', {
      multiple: true,
      output: 'tail',
      storage: { kind: 'relation', relation: 'observers' },
      ...o,
    }),
  categoryId: (o: FieldOptions = {}) =>
    field('categoryId', 'crm_category', 'Pipeline', {
      rule: 'category',
      defaultOnAdd: { kind: 'defaultCategory' },
      ...o,
    }),
  movedTime: (o: FieldOptions = {}) =>
    readOnlyField('movedTime', 'datetime', 'Moved at', { rule: 'movedTime', ...o }),
  movedBy: (o: FieldOptions = {}) => readOnlyField('movedBy', 'user', 'Moved by', { rule: 'movedBy', ...o }),
  stageId: (o: FieldOptions = {}) =>
    field('stageId', 'crm_status', 'Stage', {
      dictionary: STAGE_DICTIONARY,
      rule: 'stage',
      defaultOnAdd: { kind: 'firstStatus' },
      ...o,
    }),
  previousStageId: (o: FieldOptions = {}) =>
    readOnlyField('previousStageId', 'crm_status', 'Previous stage', {
      dictionary: STAGE_DICTIONARY,
      rule: 'previousStage',
      ...o,
    }),
  stageSemanticId: (o: FieldOptions = {}) =>
    readOnlyField('stageSemanticId', 'string', 'Stage group', { rule: 'stageSemantic', ...o }),
  closed: (o: FieldOptions = {}) => readOnlyField('closed', 'boolean', 'Closed', { rule: 'closed', ...o }),
  sourceId: (o: FieldOptions = {}) =>
    field('sourceId', 'crm_status', 'Source', {
      dictionary: fixedDictionary('SOURCE'),
      defaultOnAdd: { kind: 'firstStatus' },
      ...o,
    }),
  sourceDescription: (o: FieldOptions = {}) =>
    field('sourceDescription', 'text', 'Additional source info', o),
  currencyId: (o: FieldOptions = {}) =>
    field('currencyId', 'crm_currency', 'Currency', { defaultOnAdd: { kind: 'defaultCurrency' }, ...o }),
  isManualOpportunity: (o: FieldOptions = {}) =>
    field('isManualOpportunity', 'boolean', 'Amount calculation mode', {
      defaultOnAdd: { kind: 'literal', value: 'N' },
      ...o,
    }),
  opportunity: (o: FieldOptions = {}) =>
    field('opportunity', 'double', 'Amount', { rule: 'opportunity', ...o }),
  taxValue: (o: FieldOptions = {}) => field('taxValue', 'double', 'Tax amount', o),
  mycompanyId: (o: FieldOptions = {}) =>
    field('mycompanyId', 'crm_company', 'Your company details', {
      settings: { isMyCompany: true, parentEntityTypeId: 4, isEmbeddedEditorEnabled: true },
      defaultOnAdd: { kind: 'firstMyCompany' },
      ...o,
    }),
  lastActivityBy: (o: FieldOptions = {}) =>
    readOnlyField('lastActivityBy', 'user', 'Last activity in timeline by', { rule: 'lastActivity', ...o }),
  lastActivityTime: (o: FieldOptions = {}) =>
    readOnlyField('lastActivityTime', 'datetime', 'Last activity', { rule: 'lastActivity', ...o }),
  comments: (o: FieldOptions = {}) => field('comments', 'text', 'Comment', { rule: 'bbcode', ...o }),
  leadId: (o: FieldOptions = {}) =>
    field('leadId', 'crm_lead', 'Lead', { settings: { parentEntityTypeId: 1 }, ...o }),
  originatorId: (o: FieldOptions = {}) => field('originatorId', 'string', 'External Source', o),
  originId: (o: FieldOptions = {}) => field('originId', 'string', 'Identifier in External Source', o),
  originVersion: (o: FieldOptions = {}) => field('originVersion', 'string', 'Original Version', o),
  locationId: (o: FieldOptions = {}) => field('locationId', 'location', 'Location', o),
  searchContent: (o: FieldOptions = {}) => readOnlyField('searchContent', 'text', 'Search content', o),
  honorific: (o: FieldOptions = {}) =>
    field('honorific', 'crm_status', 'Salutation', { dictionary: fixedDictionary('HONORIFIC'), ...o }),
  hasPhone: (o: FieldOptions = {}) =>
    readOnlyField('hasPhone', 'boolean', 'Phone Set', { rule: 'hasPhone', ...o }),
  hasEmail: (o: FieldOptions = {}) =>
    readOnlyField('hasEmail', 'boolean', 'E-mail Set', { rule: 'hasEmail', ...o }),
  hasImol: (o: FieldOptions = {}) =>
    readOnlyField('hasImol', 'boolean', 'Open Line Set', { rule: 'hasImol', ...o }),
  fm: (o: FieldOptions = {}) =>
    field('fm', 'crm_multifield', 'FM', {
      multiple: true,
      storage: { kind: 'relation', relation: 'multifields' },
      ...o,
    }),
} as const

/**
 * UTM fields (object-fields.md common fields). Leads, deals, contacts, companies and quotes have them; smart
 * invoices and smart processes do not (neither their seed tables nor the crm-item-fields.md example list them).
 * Titles: the legacy `*.fields` pages, whose wording of `utmTerm` differs per type.
 */
export function utmFields(titles: { readonly term: string }): FieldDescriptor[] {
  const tail = { output: 'tail', legacy: true } as const
  return [
    field('utmSource', 'string', 'Advertising System', tail),
    field('utmMedium', 'string', 'Traffic Type', tail),
    field('utmCampaign', 'string', 'Campaign Identifier', tail),
    field('utmContent', 'string', 'Campaign Content', tail),
    field('utmTerm', 'string', titles.term, tail),
  ]
}

/**
 * The flat multifield aliases of items (crm-item-get.md lead sample; object-fields.md lead/contact/company).
 * Empty string when the type has no such value; `skype` / `icq` are disabled (always null in the sample).
 */
export function multifieldAliases(options: {
  readonly withSkypeIcq: boolean
  /** object-fields.md lists contact/company e-mails before phones; the lead sample lists phones first. */
  readonly emailsFirst: boolean
}): FieldDescriptor[] {
  const alias = (name: string, title: string, typeId: string, valueType?: string) =>
    field(name, 'string', title, {
      readOnly: true,
      exposure: 'outputOnly',
      storage:
        valueType === undefined
          ? { kind: 'multifieldAlias', typeId }
          : { kind: 'multifieldAlias', typeId, valueType },
    })
  const phones = [
    alias('phoneMobile', 'Mobile phone', 'PHONE', 'MOBILE'),
    alias('phoneWork', 'Work phone', 'PHONE', 'WORK'),
    alias('phoneMailing', 'Mailing phone', 'PHONE', 'MAILING'),
  ]
  const emails = [
    alias('emailHome', 'Personal E-mail', 'EMAIL', 'HOME'),
    alias('emailWork', 'Work E-mail', 'EMAIL', 'WORK'),
    alias('emailMailing', 'Mailing email', 'EMAIL', 'MAILING'),
  ]
  return [
    ...(options.emailsFirst ? [...emails, ...phones] : [...phones, ...emails]),
    ...(options.withSkypeIcq
      ? [disabledField('skype', 'string', 'Skype'), disabledField('icq', 'string', 'ICQ')]
      : []),
    alias('imol', 'IMOL', 'IM', 'IMOL'),
    alias('email', 'E-mail', 'EMAIL'),
    alias('phone', 'Phone', 'PHONE'),
  ]
}
