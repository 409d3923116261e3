/**
 * Items and field lists in the legacy dialect (`crm.lead|deal|contact|company.get / .list / .fields`): the
 * legacy `externalizeFields` (research/server-behaviour.md §2 item 59) over the one domain item.
 *
 * - keys are the legacy UPPER names, in the order of the type's get/list samples (legacy-entity.ts `output`);
 * - numbers are strings (`"ID": "43"`, `"ASSIGNED_BY_ID": "1"`); amounts keep two decimals
 *   (`"OPPORTUNITY": "12500.00"`, `"0.00"` when unset, crm-lead-get.md) — other doubles print like PHP
 *   (`"REVENUE": "0"`, crm-company-get.md); an unbound company, contact, lead or user is null;
 * - flags are `Y`/`N`;
 * - date-times are ISO-8601 in the portal's offset, dates midnight UTC in that offset (the ConvertDate quirk,
 *   §1.D item 31: `"BIRTHDATE": "2001-11-11T02:00:00+02:00"`); an unset date or date-time is `""`
 *   (`"BIRTHDATE": ""`, `"DATE_CLOSED": ""`, crm-lead-get.md);
 * - PHONE / EMAIL / WEB / IM / LINK are lists of `{ID, VALUE_TYPE, VALUE, TYPE_ID}`, present only when the
 *   item has such values (crm-contact-get.md: "only present when non-empty");
 * - files are `{id, showUrl, downloadUrl}`; binding lists (CONTACT_IDS …) are lists of ids.
 */
import type { ParentFieldDescription } from '../entity-types/fields-output.js'
import { dateTimeToWire, dateToWire } from '../items/item-output.js'
import type { Item, Multifield } from '../items/item.js'
import type { LoadParts } from '../items/item-store.js'
import type { UserFieldDefinition } from '../user-fields/user-field.js'
import { legacyFieldsEntry } from '../user-fields/user-field.js'
import { legacyUserFieldValue } from '../user-fields/user-field-values.js'
import {
  FM_FIELD,
  MULTIFIELD_TYPES,
  MULTIFIELDS,
  PARENTS,
  USER_FIELDS,
  type LegacyEntity,
  type LegacyFieldSpec,
} from './legacy-entity.js'

/** `{showUrl, downloadUrl}` of a file of an item field (`PHOTO`, `LOGO`, `UF_…`). */
export type LegacyFileUrls = (
  fieldName: string,
  itemId: number,
  fileId: number,
) => {
  showUrl: string
  downloadUrl: string
}

export interface LegacyRenderOptions {
  /** The portal's offset, minutes east of UTC. */
  readonly timeZoneOffsetMinutes: number
  readonly userFields: readonly UserFieldDefinition[]
  /** The type's parent relations: the PARENT_ID_{N} fields, ascending. */
  readonly parentEntityTypeIds: readonly number[]
  readonly fileUrls: LegacyFileUrls
}

/** What the selection is resolved against. */
export interface LegacySelectContext {
  readonly userFields: readonly UserFieldDefinition[]
  readonly parentEntityTypeIds: readonly number[]
}

const parentKey = (entityTypeId: number) => `PARENT_ID_${entityTypeId}`

/** Output names that are neither fields nor placeholders: constant null (the contact's FACE_ID). */
function isConstant(entity: LegacyEntity, name: string): boolean {
  return !entity.byName.has(name) && ![PARENTS, USER_FIELDS, MULTIFIELDS].includes(name)
}

/** The names `select: ['*']` stands for: every standard field, the parent relations — no custom fields, no multifields. */
function starNames(entity: LegacyEntity, context: LegacySelectContext): string[] {
  const names: string[] = []
  for (const name of entity.output) {
    if (name === PARENTS) names.push(...context.parentEntityTypeIds.map(parentKey))
    else if (isConstant(entity, name) || entity.byName.get(name)?.output === 'star') names.push(name)
  }
  return names
}

/**
 * The keys a list `select` asks for (crm-lead-list.md, crm-deal-list.md, crm-contact-list.md):
 * - nothing: `*` + `UF_*` ("By default, all fields are taken — '*' + Custom fields — 'UF_*'");
 * - `*`: every standard field (no custom fields, no multifields, no binding lists);
 * - `UF_*`: every custom field;
 * - names, in any case: standard fields, PARENT_ID_{N}, custom fields, and PHONE / EMAIL / WEB / IM / LINK or
 *   a binding list (CONTACT_IDS, COMPANY_IDS) only this way ("There are no masks for selecting multiple
 *   fields"); a deal's CONTACT_IDS never; unknown names are dropped;
 * - ID is always there.
 */
export function resolveLegacySelect(
  entity: LegacyEntity,
  raw: unknown,
  context: LegacySelectContext,
): ReadonlySet<string> {
  let entries: unknown[]
  if (typeof raw === 'string') entries = [raw]
  else if (Array.isArray(raw)) entries = raw
  else if (typeof raw === 'object' && raw !== null) entries = Object.values(raw)
  else entries = []
  let names = entries
    .filter((e): e is string => typeof e === 'string' && e.trim() !== '')
    .map((e) => e.trim().toUpperCase())
  if (names.length === 0) names = ['*', 'UF_*']
  const ufNames = new Set(context.userFields.map((d) => d.fieldName))
  const parents = new Set(context.parentEntityTypeIds.map(parentKey))
  const selected = new Set<string>(['ID'])
  for (const name of names) {
    if (name === '*') {
      for (const key of starNames(entity, context)) selected.add(key)
    } else if (name === 'UF_*') {
      for (const key of ufNames) selected.add(key)
    } else if (parents.has(name) || ufNames.has(name)) {
      selected.add(name)
    } else {
      const spec = entity.byName.get(name)
      if (spec !== undefined && spec.output !== 'never') selected.add(name)
      else if (spec === undefined && isConstant(entity, name) && entity.output.includes(name))
        selected.add(name)
    }
  }
  return selected
}

/** What `*.get` prints: `*`, `UF_*` and the multifields the item has (crm-lead-get.md, crm-contact-get.md). */
export function legacyGetSelection(entity: LegacyEntity, context: LegacySelectContext): ReadonlySet<string> {
  const selected = new Set(starNames(entity, context))
  for (const def of context.userFields) selected.add(def.fieldName)
  for (const spec of entity.fields) if (spec.multifield !== undefined) selected.add(spec.name)
  return selected
}

/** The side tables a selection needs. */
export function legacyLoadParts(entity: LegacyEntity, selected: ReadonlySet<string>): LoadParts {
  let contactBindings = false
  let contactCompanies = false
  let multifields = false
  for (const name of selected) {
    const spec = entity.byName.get(name)
    if (spec === undefined) continue
    if (spec.multifield !== undefined) {
      multifields = true
      continue
    }
    const storage = entity.itemField(spec).storage
    if (storage.kind === 'relation' || storage.kind === 'primaryBinding') {
      if (storage.relation === 'contactBindings') contactBindings = true
      if (storage.relation === 'contactCompanies') contactCompanies = true
    }
  }
  return {
    observers: false,
    contactBindings,
    contactCompanies,
    multifields,
    parents: [...selected].some((name) => name.startsWith('PARENT_ID_')),
  }
}

/** One item in the legacy dialect, with the selected keys in output order. */
export function itemToLegacyWire(
  entity: LegacyEntity,
  item: Item,
  selected: ReadonlySet<string>,
  options: LegacyRenderOptions,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const name of entity.output) {
    if (name === PARENTS) {
      for (const parentType of options.parentEntityTypeIds) {
        const key = parentKey(parentType)
        if (!selected.has(key)) continue
        const parent = item.parents[parentType]
        out[key] = parent === undefined || parent === 0 ? null : String(parent)
      }
      continue
    }
    if (name === USER_FIELDS) {
      for (const def of options.userFields) {
        if (!selected.has(def.fieldName)) continue
        const value = legacyUserFieldValue(def, item.uf[def.fieldName], {
          timeZoneOffsetMinutes: options.timeZoneOffsetMinutes,
          fileUrls: (fileId) => options.fileUrls(def.fieldName, item.id, fileId),
        })
        if (value !== undefined) out[def.fieldName] = value
      }
      continue
    }
    if (name === MULTIFIELDS) {
      const fm = Array.isArray(item.values[FM_FIELD]) ? (item.values[FM_FIELD] as Multifield[]) : []
      for (const typeId of MULTIFIELD_TYPES) {
        if (!selected.has(typeId)) continue
        const records = fm.filter((m) => m.typeId === typeId)
        if (records.length === 0) continue
        out[typeId] = records.map((m) => ({
          ID: String(m.id),
          VALUE_TYPE: m.valueType,
          VALUE: m.value,
          TYPE_ID: m.typeId,
        }))
      }
      continue
    }
    if (!selected.has(name)) continue
    if (name === 'ID') {
      out[name] = String(item.id)
      continue
    }
    const spec = entity.byName.get(name)
    out[name] = spec === undefined ? null : legacyValue(entity, spec, item, options)
  }
  return out
}

function legacyValue(
  entity: LegacyEntity,
  spec: LegacyFieldSpec,
  item: Item,
  options: LegacyRenderOptions,
): unknown {
  const field = entity.itemField(spec)
  const value = item.values[field.name]
  if (spec.isMultiple) return Array.isArray(value) ? value.map(Number) : []
  const empty = value === null || value === undefined
  switch (spec.type) {
    case 'char':
      return value === true || value === 1 ? 'Y' : 'N'
    case 'date':
      return empty ? '' : (dateToWire(value, options.timeZoneOffsetMinutes) ?? '')
    case 'datetime':
      return empty ? '' : (dateTimeToWire(value, options.timeZoneOffsetMinutes) ?? '')
    case 'double':
      if (spec.money) return (empty ? 0 : Number(value)).toFixed(2)
      return empty ? null : String(Number(value))
    case 'integer':
    case 'crm_category':
      return empty ? null : String(Math.trunc(Number(value)))
    case 'user':
    case 'crm_company':
    case 'crm_contact':
    case 'crm_lead':
    case 'crm_quote':
    case 'crm_entity':
    case 'location':
      return empty || Number(value) === 0 ? null : String(value)
    case 'file': {
      const fileId = Number(
        typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : value,
      )
      if (!Number.isSafeInteger(fileId) || fileId <= 0) return null
      return { id: fileId, ...options.fileUrls(spec.name, item.id, fileId) }
    }
    default:
      if (empty) return null
      // LAST_COMMUNICATION_TIME is listed as a string but holds a date-time.
      if (field.type === 'datetime') return dateTimeToWire(value, options.timeZoneOffsetMinutes)
      return typeof value === 'number' ? String(value) : value
  }
}

// ---------------------------------------------------------------------------------------------------------
// *.fields
// ---------------------------------------------------------------------------------------------------------

/**
 * The `result` of crm.lead.fields … crm.company.fields: the type's legacy fields in the page's order, the
 * parent relations after UTM_TERM (crm-company-fields.md `PARENT_ID_156`), the custom fields last. Key order
 * inside a description as in the samples: type, isRequired, isReadOnly, isImmutable, isMultiple, isDynamic,
 * [isDeprecated], [statusType], title, [settings].
 */
export function renderLegacyFields(
  entity: LegacyEntity,
  context: {
    readonly userFields: readonly UserFieldDefinition[]
    readonly parentFields: readonly ParentFieldDescription[]
  },
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const parents = () => {
    for (const parent of context.parentFields) {
      out[parentKey(parent.parentEntityTypeId)] = {
        type: 'crm_entity',
        isRequired: false,
        isReadOnly: false,
        isImmutable: false,
        isMultiple: false,
        isDynamic: false,
        title: parent.title,
        settings: { parentEntityTypeId: parent.parentEntityTypeId },
      }
    }
  }
  for (const spec of entity.fields) {
    out[spec.name] = {
      type: spec.type,
      isRequired: spec.isRequired,
      isReadOnly: spec.isReadOnly,
      isImmutable: spec.isImmutable,
      isMultiple: spec.isMultiple,
      isDynamic: false,
      ...(spec.isDeprecated ? { isDeprecated: true } : {}),
      ...(spec.statusType === undefined ? {} : { statusType: spec.statusType }),
      title: spec.title,
      ...(spec.settings === undefined ? {} : { settings: spec.settings }),
    }
    if (spec.name === 'UTM_TERM') parents()
  }
  if (!entity.byName.has('UTM_TERM')) parents()
  for (const def of context.userFields) out[def.fieldName] = legacyFieldsEntry(def)
  return out
}
