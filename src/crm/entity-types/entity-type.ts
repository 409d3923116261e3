/**
 * A CRM entity type as data (DESIGN.md "Entity types are data"): lead 1, deal 2, contact 3, company 4,
 * quote 7, smart invoice 31 and smart processes. One descriptor per type drives field lists, name
 * conversion, dictionaries, stage/category traits and event names.
 *
 * Type ids, names, abbreviations and user-field entity ids: api-reference/crm/data-types.md#object_type.
 */
import type { FieldDescriptor } from './field.js'
import { FieldNameIndex } from './field-names.js'

export type BuiltInEntityTypeName = 'LEAD' | 'DEAL' | 'CONTACT' | 'COMPANY' | 'QUOTE' | 'SMART_INVOICE'
export type EntityTypeName = BuiltInEntityTypeName | `DYNAMIC_${number}`

export const ENTITY_TYPE_ID = {
  LEAD: 1,
  DEAL: 2,
  CONTACT: 3,
  COMPANY: 4,
  /** Old invoices: `crm.item.*` answers ENTITY_TYPE_NOT_SUPPORTED (universal/index.md). */
  INVOICE: 5,
  QUOTE: 7,
  REQUISITE: 8,
  ORDER: 14,
  SMART_INVOICE: 31,
} as const

/**
 * Outgoing event names (upper-cased, as stored and sent: server-behaviour.md §4 item 75). Each list is
 * every event one operation fires.
 */
export interface EntityEvents {
  readonly add: readonly string[]
  readonly update: readonly string[]
  readonly delete: readonly string[]
  /** Deals only: `ONCRMDEALMOVETOCATEGORY` on a pipeline change (server-behaviour.md §1.E item 40). */
  readonly moveToCategory: readonly string[]
}

export interface EntityTypeDescriptor {
  readonly entityTypeId: number
  /** `entityTypeName`: LEAD, DEAL, …, SMART_INVOICE, DYNAMIC_{entityTypeId}. */
  readonly name: EntityTypeName
  /** Name used in default item titles, `{title} #{id}`: "Lead #13", "Estimate #13", "HR #13" (crm-item-add.md). */
  readonly title: string
  /** `entityTypeAbbr`, the binding prefix of `crm`-type user-field values: L, D, C, CO, Q, SI, T{hex}. */
  readonly symbolCode: string
  /** `userFieldEntityId`: CRM_LEAD … CRM_SMART_INVOICE, CRM_{smart process id}. */
  readonly userFieldEntityId: string
  /** Smart process (created with crm.type.add). Smart invoices are not, though they share its events. */
  readonly isDynamic: boolean
  /** Supports pipelines (universal/category/index.md: deal, contact, company, invoice, smart processes). */
  readonly hasCategories: boolean
  readonly hasStages: boolean
  /** Has the `fm` multifield (lead, contact, company). */
  readonly hasMultifields: boolean
  /** Has product rows, so `opportunity` may be recalculated. */
  readonly hasProductRows: boolean
  /**
   * `crm.status` ENTITY_ID of the stage dictionary of a category, or null for types without stages.
   * STATUS (lead), DEAL_STAGE / DEAL_STAGE_{id} (deal), QUOTE_STATUS, SMART_INVOICE_STAGE_{id},
   * DYNAMIC_{entityTypeId}_STAGE_{id} (status/crm-status-entity-types.md).
   */
  stageEntityId(categoryId: number): string | null
  /**
   * Prefix of stage ids in a category, '' when stage ids are bare: `C1` → `C1:NEW`, `DT1220_30` →
   * `DT1220_30:NEW` (server-behaviour.md §1.E item 39; crm-status-entity-types.md PREFIX).
   */
  stagePrefix(categoryId: number): string
  readonly events: EntityEvents
  /**
   * Groups of fields of which at least one must stay non-empty on update, else CRM_FIELD_ERROR_REQUIRED
   * (contact name/lastName: how-to-make-contact-edit-card.md). On add the server fills a default instead.
   */
  readonly requireOneOf: readonly (readonly string[])[]
  /** Every system field, in `crm.item.fields` order (custom and `parentId…` fields are added per portal). */
  readonly fields: readonly FieldDescriptor[]
  /** Lookup by camelCase or UPPER_CASE name. */
  readonly fieldIndex: FieldNameIndex<FieldDescriptor>
}

export interface EntityTypeSpec extends Omit<EntityTypeDescriptor, 'fieldIndex' | 'requireOneOf' | 'events'> {
  readonly requireOneOf?: readonly (readonly string[])[]
  readonly events: Omit<EntityEvents, 'moveToCategory'> & { readonly moveToCategory?: readonly string[] }
}

/** Freezes a descriptor and builds its name index; a duplicate field name is a programming error. */
export function defineEntityType(spec: EntityTypeSpec): EntityTypeDescriptor {
  const seen = new Set<string>()
  for (const f of spec.fields) {
    for (const key of [f.name, f.upperName]) {
      if (seen.has(key)) throw new Error(`${spec.name}: duplicate field name ${key}`)
      seen.add(key)
    }
  }
  return Object.freeze({
    ...spec,
    requireOneOf: spec.requireOneOf ?? [],
    events: Object.freeze({ ...spec.events, moveToCategory: spec.events.moveToCategory ?? [] }),
    fields: Object.freeze([...spec.fields]),
    fieldIndex: new FieldNameIndex(spec.fields),
  })
}

/** Event names of a legacy-compatible type: ONCRM{X}ADD / UPDATE / DELETE. */
export function legacyEvents(entity: string): Omit<EntityEvents, 'moveToCategory'> {
  return {
    add: [`ONCRM${entity}ADD`],
    update: [`ONCRM${entity}UPDATE`],
    delete: [`ONCRM${entity}DELETE`],
  }
}

/**
 * Smart-process item events: the shared event and the per-type one with the `_{entityTypeId}` suffix
 * (universal/events/index.md; server-behaviour.md §4 item 77 — smart invoices fire them too).
 */
export function dynamicItemEvents(entityTypeId: number): Omit<EntityEvents, 'moveToCategory'> {
  const pair = (op: string) => [`ONCRMDYNAMICITEM${op}`, `ONCRMDYNAMICITEM${op}_${entityTypeId}`]
  return { add: pair('ADD'), update: pair('UPDATE'), delete: pair('DELETE') }
}

/** The full stage id for a status code in a category: `NEW`, `C1:NEW`, `DT1220_30:NEW`. */
export function stageIdFor(type: EntityTypeDescriptor, categoryId: number, statusCode: string): string {
  const prefix = type.stagePrefix(categoryId)
  return prefix === '' ? statusCode : `${prefix}:${statusCode}`
}

/** The default title of a new item: `{entityTypeName} #{id}` (crm-item-add.md). */
export function defaultItemTitle(type: EntityTypeDescriptor, id: number): string {
  return `${type.title} #${id}`
}

/** Fields listed by `crm.item.fields`. */
export function fieldsListed(type: EntityTypeDescriptor): FieldDescriptor[] {
  return type.fields.filter((f) => f.exposure === 'visible' || f.exposure === 'fieldsOnly')
}

/**
 * Fields a client may set through `crm.item.add` / `update`: listed, not read-only. Immutable fields are
 * included (settable on add only).
 */
export function fieldsWritable(type: EntityTypeDescriptor): FieldDescriptor[] {
  return fieldsListed(type).filter((f) => !f.isReadOnly)
}
