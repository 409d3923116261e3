/**
 * Reads the `fields` of crm.lead|deal|contact|company.add / .update into the same FieldPatch the universal
 * reader produces, so both dialects run the one item pipeline (add-item.ts, update-item.ts). This is the
 * legacy `internalizeFields` (research/server-behaviour.md §2 items 49–55):
 *
 * - keys are the exact UPPER names of the type's `*.fields` list (src/crm/legacy/); `title` or `Title` name
 *   nothing. Unknown, read-only and (on update) immutable keys are dropped silently — a deal's CATEGORY_ID on
 *   update among them;
 * - values: ids and integers through PHP's int cast (0 unbinds), amounts with `,` as decimal mark, `Y`/`N`
 *   flags (also `true`/`false`, `1`/`0`: what JSON and form clients send), dates and date-times in ISO-8601 or
 *   the portal's short format — `''` clears them, an unreadable value is dropped; text as PHP's string cast
 *   (`''` and null clear);
 * - PHONE / EMAIL / WEB / IM / LINK: lists of `{ID?, VALUE, VALUE_TYPE?, DELETE?}` merged into the item's
 *   `fm` (§2 item 50; crm-contact-update.md "Working with Multiple Fields");
 * - CONTACT_IDS / COMPANY_IDS replace the bindings, the first one primary; a bare CONTACT_ID replaces them with
 *   itself unless that contact is bound already; 0 removes them all (§2 item 54);
 * - a lead's IS_RETURN_CUSTOMER is recomputed from the company and contacts it ends up with (§2 item 55);
 * - one address part given clears the parts not given: the block is written as a whole, which is why the
 *   docs say "pass the complete set of address fields when updating an address" (crm-lead-update.md);
 * - PARENT_ID_{N} as in crm.item (§1.B item 19); UF_… keys go to the custom-field reader under their
 *   original names.
 *
 * Pure, like read-fields.ts: the item before the update (`current`) comes in as data.
 */
import type { EntityTypeDescriptor } from '../../entity-types/entity-type.js'
import { parseParentFieldName } from '../../entity-types/field-names.js'
import {
  FM_FIELD,
  type LegacyEntity,
  type LegacyFieldSpec,
  type MultifieldType,
} from '../../legacy/legacy-entity.js'
import { legacyEntityOf } from '../../legacy/registry.js'
import { toStoredDate, toStoredDateTime } from '../../../store/list-query.js'
import type { Item, Multifield } from '../item.js'
import { ItemOperationError } from './errors.js'
import { invalidEmails } from './multifield-rules.js'
import { readSystemFileValue, readUserFieldValue } from '../../user-fields/user-field-values.js'
import {
  isPhpEmpty,
  phpFloat,
  phpInt,
  type BindingInput,
  type FieldPatch,
  type IgnoredKey,
  type MultifieldOperation,
  type ReadFieldsOptions,
  type ReadFieldsResult,
} from './read-fields.js'

const LEAD = 1

/** The value types' names in the core's e-mail check message ("The field `Work e-mail` contains …"). */
const EMAIL_TITLES: Readonly<Record<string, string>> = {
  WORK: 'Work e-mail',
  HOME: 'Personal e-mail',
  MAILING: 'Mailing e-mail',
  OTHER: 'Other e-mail',
}

export function readLegacyFields(
  type: EntityTypeDescriptor,
  rawFields: Record<string, unknown>,
  options: ReadFieldsOptions,
): ReadFieldsResult {
  const entity = legacyEntityOf(type.entityTypeId)
  if (entity === undefined) throw new Error(`${type.name} has no legacy dialect`)
  const patch: FieldPatch = { values: {}, parents: {}, uf: {} }
  const ignored: IgnoredKey[] = []
  const current = options.operation === 'update' ? options.current : undefined
  const userFields: Record<string, unknown> = {}
  const givenItemFields = new Set<string>()
  const multifields: MultifieldOperation[] = []

  for (const [key, raw] of Object.entries(rawFields)) {
    const spec = entity.byName.get(key)
    if (spec === undefined) {
      const parentTypeId = parseParentFieldName(key)
      if (parentTypeId !== null && key.startsWith('PARENT_ID_')) {
        patch.parents[parentTypeId] = readParentId(raw)
      } else if (key.startsWith('UF_')) {
        userFields[key] = raw
      } else {
        ignored.push({ key, reason: 'unknown' })
      }
      continue
    }
    if (spec.isReadOnly) {
      ignored.push({ key, reason: 'readOnly' })
      continue
    }
    if (spec.isImmutable && options.operation === 'update') {
      ignored.push({ key, reason: 'immutable' })
      continue
    }
    if (spec.writeIgnored !== undefined) {
      ignored.push({ key, reason: 'notSupported' })
      continue
    }
    if (spec.multifield !== undefined) {
      readMultifield(key, spec.multifield, raw, current, multifields, ignored)
      continue
    }
    if (spec.type === 'file') {
      // PHOTO / LOGO: `{fileData: [name, base64]}` uploads, `{id, remove: 'Y'}` deletes (§2 item 49);
      // stored by the item operation (user-fields/user-field-apply.ts).
      const file = readSystemFileValue(raw, 'legacy')
      if (file.ok) patch.files = { ...patch.files, [spec.item as string]: file.elements }
      else ignored.push({ key, reason: file.reason })
      continue
    }
    const read = readValue(spec, raw, options)
    if (!read.ok) {
      ignored.push({ key, reason: 'invalidDate' })
      continue
    }
    const itemField = spec.item as string
    givenItemFields.add(itemField)
    writeValue(entity, spec, read.value, patch, current)
  }

  completeAddressBlocks(entity, givenItemFields, patch)
  if (multifields.length > 0) {
    checkEmails(multifields, current)
    patch.multifields = multifields
  }
  if (type.entityTypeId === LEAD) recomputeReturnCustomer(patch, current, options.operation)
  readUserFields(userFields, options, patch, ignored)
  return { patch, ignored }
}

// ---------------------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------------------

type Read = { ok: true; value: unknown } | { ok: false }

/** PHP's string cast: true → "1", false and null → "", a list → "Array" (§2 item 49: non-scalars are cast). */
function phpString(value: unknown): string {
  if (value === null || value === undefined || value === false) return ''
  if (value === true) return '1'
  if (typeof value === 'object') return 'Array'
  return String(value)
}

/**
 * A Y/N flag. `Y` (any case) is yes; so are what JSON and form clients send for a true value — `true`, `1`,
 * `"1"`, `"true"` (client-contract.md §3: CRest sends `fields[OPENED]=1`). Everything else is no.
 */
export function readLegacyFlag(value: unknown): boolean {
  if (value === true || value === 1) return true
  if (typeof value !== 'string') return false
  const text = value.trim().toLowerCase()
  return text === 'y' || text === '1' || text === 'true'
}

function readValue(spec: LegacyFieldSpec, raw: unknown, options: ReadFieldsOptions): Read {
  if (spec.isMultiple) return { ok: true, value: readIdList(raw) }
  switch (spec.type) {
    case 'char':
      return { ok: true, value: readLegacyFlag(raw) }
    case 'integer':
    case 'crm_category':
      return { ok: true, value: raw === null || raw === '' ? null : phpInt(castScalar(raw)) }
    case 'user':
    case 'crm_company':
    case 'crm_contact':
    case 'crm_lead':
    case 'crm_quote':
    case 'crm_entity':
    case 'location': {
      const id = phpInt(castScalar(raw))
      return { ok: true, value: id > 0 ? id : null }
    }
    case 'double': {
      if (raw === null || raw === '') return { ok: true, value: null }
      const text = typeof raw === 'string' ? raw.replace(/\s+/g, '').replace(',', '.') : raw
      return { ok: true, value: phpFloat(castScalar(text)) }
    }
    case 'date':
    case 'datetime': {
      const text = phpString(raw)
      if (text === '') return { ok: true, value: null }
      const dates = {
        timeZoneOffsetMinutes: options.timeZoneOffsetMinutes,
        ...(options.dateFormat === undefined ? {} : { dateFormat: options.dateFormat }),
      }
      const stored = spec.type === 'date' ? toStoredDate(text, dates) : toStoredDateTime(text, dates)
      return stored === null ? { ok: false } : { ok: true, value: stored }
    }
    default: {
      const text = phpString(raw)
      return { ok: true, value: text === '' ? null : text }
    }
  }
}

/** PHP's int cast of a non-scalar: an empty array is 0, any other array 1. */
function castScalar(raw: unknown): unknown {
  if (typeof raw === 'object' && raw !== null) return Object.keys(raw).length > 0 ? 1 : 0
  return raw
}

/** A binding list (CONTACT_IDS, COMPANY_IDS, company CONTACT_ID): ids > 0, duplicates dropped; a bare id is a list of one. */
function readIdList(raw: unknown): number[] {
  const entries = typeof raw === 'object' && raw !== null ? Object.values(raw) : isPhpEmpty(raw) ? [] : [raw]
  const ids: number[] = []
  for (const entry of entries) {
    if (typeof entry === 'object') continue
    const id = phpInt(entry)
    if (id > 0 && !ids.includes(id)) ids.push(id)
  }
  return ids
}

function readParentId(raw: unknown): number | null {
  if (isPhpEmpty(raw) || typeof raw === 'object') return null
  const id = phpInt(raw)
  return id > 0 ? id : null
}

/**
 * Puts a read value into the patch under its item field. Binding lists go through the type's service field
 * (`contacts`, `companies`) with the first id marked primary — "the first entry becomes primary" (§2 item 54);
 * a bare CONTACT_ID naming a contact that is already bound changes nothing.
 */
function writeValue(
  entity: LegacyEntity,
  spec: LegacyFieldSpec,
  value: unknown,
  patch: FieldPatch,
  current: Item | undefined,
): void {
  const field = entity.itemField(spec)
  if (field.storage.kind === 'relation' && field.isMultiple) {
    const relation = field.storage.relation
    const service = entity.type.fields.find(
      (f) => f.exposure === 'fieldsOnly' && f.storage.kind === 'relation' && f.storage.relation === relation,
    )
    const ids = value as number[]
    // A company's contacts have no primary of the company's own: the list replaces them as it is.
    if (service === undefined || entity.type.entityTypeId === 4) {
      patch.values[field.name] = ids
      return
    }
    patch.values[service.name] = ids.map((id, i): BindingInput => ({ id, isPrimary: i === 0 }))
    return
  }
  if (field.storage.kind === 'primaryBinding' && typeof value === 'number' && current !== undefined) {
    const list = entity.type.fields.find(
      (f) =>
        f.storage.kind === 'relation' &&
        f.storage.relation === (field.storage as { relation: string }).relation &&
        f.exposure !== 'fieldsOnly',
    )
    const bound = list === undefined ? [] : ((current.values[list.name] as number[] | undefined) ?? [])
    if (bound.includes(value)) return
  }
  patch.values[field.name] = value
}

/**
 * "Pass the complete set of address fields": when any part of an address block is written, the parts not
 * given are cleared with it.
 */
function completeAddressBlocks(entity: LegacyEntity, given: ReadonlySet<string>, patch: FieldPatch): void {
  const touched = new Set(
    entity.fields
      .filter((s) => s.addressGroup !== undefined && given.has(s.item ?? ''))
      .map((s) => s.addressGroup),
  )
  for (const spec of entity.fields) {
    if (spec.addressGroup === undefined || !touched.has(spec.addressGroup) || spec.item === undefined)
      continue
    if (!given.has(spec.item)) patch.values[spec.item] = null
  }
}

// ---------------------------------------------------------------------------------------------------------
// Multifields
// ---------------------------------------------------------------------------------------------------------

/**
 * One multifield key (§2 item 50): each element is `{ID?, VALUE, VALUE_TYPE?, DELETE?}`, VALUE trimmed.
 * - no ID (or ID ≤ 0): a non-empty VALUE adds a value, an empty one is skipped;
 * - ID with DELETE = Y (any case), an empty VALUE or no VALUE: that value is deleted;
 * - ID with a VALUE: the value (and VALUE_TYPE, when given) is changed in place;
 * - an ID that is not one of the item's values of this kind changes nothing.
 * Values not mentioned are kept. A scalar instead of a list is ignored.
 */
function readMultifield(
  key: string,
  typeId: MultifieldType,
  raw: unknown,
  current: Item | undefined,
  operations: MultifieldOperation[],
  ignored: IgnoredKey[],
): void {
  if (typeof raw !== 'object' || raw === null) {
    if (!isPhpEmpty(raw)) ignored.push({ key, reason: 'multifieldNotIterable' })
    return
  }
  const existing = multifieldsOf(current).filter((m) => m.typeId === typeId)
  for (const [index, element] of Object.entries(raw)) {
    const where = `${key}.${index}`
    if (typeof element !== 'object' || element === null || Array.isArray(element)) {
      ignored.push({ key: where, reason: 'multifieldEmpty' })
      continue
    }
    const entry = element as Record<string, unknown>
    const id = phpInt(entry['ID'])
    const value = typeof entry['VALUE'] === 'object' ? '' : phpString(entry['VALUE']).trim()
    const rawType = entry['VALUE_TYPE']
    const valueType = isPhpEmpty(rawType) || typeof rawType === 'object' ? undefined : String(rawType)
    const deleted = typeof entry['DELETE'] === 'string' && entry['DELETE'].toUpperCase() === 'Y'
    const withType = valueType === undefined ? {} : { valueType }
    if (id > 0 && current !== undefined) {
      if (!existing.some((m) => m.id === id)) {
        ignored.push({ key: where, reason: 'multifieldEmpty' })
        continue
      }
      operations.push({ kind: 'set', id, typeId, value: deleted ? '' : value, ...withType })
      continue
    }
    if (value === '' || deleted) {
      ignored.push({ key: where, reason: 'multifieldEmpty' })
      continue
    }
    operations.push({ kind: 'add', typeId, value, ...withType })
  }
}

function multifieldsOf(item: Item | undefined): Multifield[] {
  const fm = item?.values[FM_FIELD]
  return Array.isArray(fm) ? (fm as Multifield[]) : []
}

/**
 * The core's e-mail check (crm-contact-update.md: ERROR_CORE "The field `Work e-mail` contains an invalid
 * address"), on the values this call adds or changes; the message names the value type.
 */
function checkEmails(operations: readonly MultifieldOperation[], current: Item | undefined): void {
  for (const op of operations) {
    if (op.typeId !== 'EMAIL' || op.value === '') continue
    const valueType = op.valueType ?? multifieldsOf(current).find((m) => m.id === op.id)?.valueType ?? 'WORK'
    const record: Multifield = { id: op.id ?? 0, typeId: 'EMAIL', valueType, value: op.value }
    if (invalidEmails([record]).length > 0) {
      throw new ItemOperationError({
        kind: 'valueNotValid',
        field: FM_FIELD,
        title: EMAIL_TITLES[valueType] ?? 'E-mail',
      })
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Lead: IS_RETURN_CUSTOMER
// ---------------------------------------------------------------------------------------------------------

/**
 * §2 item 55 (crm-lead-update.md: "this field automatically takes the value Y if you specify a value for
 * COMPANY_ID or CONTACT_ID"): Y when the lead ends up with a company or a contact, N otherwise — on update
 * only while the lead is not in a success stage. On add only a given company or contact counts.
 */
function recomputeReturnCustomer(
  patch: FieldPatch,
  current: Item | undefined,
  operation: 'add' | 'update',
): void {
  const values = patch.values
  const given = (name: string) => name in values
  if (operation === 'add' || current === undefined) {
    if (given('companyId') || given('contactId') || given('contacts')) {
      values['isReturnCustomer'] = hasCompany(values['companyId']) || hasContacts(values)
    }
    return
  }
  if (current.values['stageSemanticId'] === 'S') return
  const company = given('companyId') ? values['companyId'] : current.values['companyId']
  let contacts: boolean
  if (given('contacts') || (given('contactId') && values['contactId'] !== undefined)) {
    contacts = hasContacts(values)
  } else {
    contacts = ((current.values['contactIds'] as number[] | undefined) ?? []).length > 0
  }
  values['isReturnCustomer'] = hasCompany(company) || contacts
}

function hasCompany(value: unknown): boolean {
  return typeof value === 'number' && value > 0
}

function hasContacts(values: Record<string, unknown>): boolean {
  const list = values['contacts']
  if (Array.isArray(list)) return list.length > 0
  const single = values['contactId']
  return typeof single === 'number' && single > 0
}

// ---------------------------------------------------------------------------------------------------------
// Custom fields
// ---------------------------------------------------------------------------------------------------------

/**
 * `UF_…` keys: the custom fields' own reader (user-fields/user-field-values.ts) in its legacy forms
 * (`{fileData}` uploads, `1` / `Y` booleans), by the field's UPPER name; a name that is no custom field of the
 * type is dropped like any unknown key.
 */
function readUserFields(
  userFields: Record<string, unknown>,
  options: ReadFieldsOptions,
  patch: FieldPatch,
  ignored: IgnoredKey[],
): void {
  const defs = new Map((options.userFields ?? []).map((d) => [d.fieldName, d]))
  for (const [key, raw] of Object.entries(userFields)) {
    const def = defs.get(key)
    if (def === undefined) {
      ignored.push({ key, reason: 'unknown' })
      continue
    }
    const read = readUserFieldValue(def, raw, {
      dialect: 'legacy',
      timeZoneOffsetMinutes: options.timeZoneOffsetMinutes,
      ...(options.dateFormat === undefined ? {} : { dateFormat: options.dateFormat }),
    })
    if (read.ok) patch.uf[def.fieldName] = read.write
    else ignored.push({ key, reason: read.reason })
  }
}
