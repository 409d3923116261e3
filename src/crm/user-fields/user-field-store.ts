/**
 * Storage of custom-field definitions and their list values (migrations/0007-userfields.ts), and the rules
 * every creating / changing method shares: field-name normalisation, settings defaults, list values with
 * `DEL`, labels. The method families (legacy `crm.*.userfield.*`, `userfieldconfig.*`) word their errors
 * their own way from the {@link UserFieldError} kinds.
 */
import { randomBytes } from 'node:crypto'
import { sql, type Selectable } from 'kysely'
import type { CrmUserFieldEnumTable, CrmUserFieldTable, Db } from '../../store/schema.js'
import type { Store } from '../../store/store.js'
import { storedInstant } from '../../lib/format-date.js'
import type { EntityTypeDescriptor } from '../entity-types/entity-type.js'
import { BUILT_IN_ENTITY_TYPES, smartProcessEntityType } from '../entity-types/registry.js'
import { getTypeById } from '../dictionaries/dictionary-store.js'
import {
  emptyLabels,
  LABEL_KINDS,
  type EnumItem,
  type LabelKind,
  type LangMap,
  type UserFieldDefinition,
  type UserFieldLabels,
} from './user-field.js'
import { mergeSettings, settingsForNewField, userTypeSpec, type UserTypeSpec } from './user-field-types.js'

export const USER_FIELD_SEQUENCE = 'crm_userfield'
export const USER_FIELD_ENUM_SEQUENCE = 'crm_userfield_enum'

/** "The length limit is 50 characters including the prefix" (crm-lead-userfield-add.md FIELD_NAME). */
export const MAX_FIELD_NAME_LENGTH = 50

export type UserFieldErrorKind =
  | 'fieldNameMissing'
  | 'fieldNameTooLong'
  | 'fieldNameInvalid'
  | 'userTypeMissing'
  | 'userTypeUnknown'
  | 'duplicateName'
  | 'duplicateEnumXmlId'

export class UserFieldError extends Error {
  constructor(
    readonly kind: UserFieldErrorKind,
    /** The value the error is about: a field name, an XML_ID. */
    readonly subject = '',
  ) {
    super(kind)
    this.name = 'UserFieldError'
  }
}

type Row = Selectable<CrmUserFieldTable>

function parseJson<T>(text: string, fallback: T): T {
  try {
    const value: unknown = JSON.parse(text)
    return value === null || value === undefined ? fallback : (value as T)
  } catch {
    return fallback
  }
}

function labelsFromJson(text: string): UserFieldLabels {
  const stored = parseJson<Partial<Record<LabelKind, LangMap>>>(text, {})
  const labels = emptyLabels()
  for (const kind of LABEL_KINDS) {
    const map = stored[kind]
    if (typeof map === 'object' && map !== null) labels[kind] = { ...map }
  }
  return labels
}

function definitionFromRow(
  row: Row,
  enums: readonly Selectable<CrmUserFieldEnumTable>[],
): UserFieldDefinition {
  return {
    id: Number(row.id),
    entityId: row.entity_id,
    fieldName: row.field_name,
    userTypeId: row.user_type_id,
    xmlId: row.xml_id,
    sort: Number(row.sort),
    multiple: Number(row.multiple) === 1,
    mandatory: Number(row.mandatory) === 1,
    showFilter: row.show_filter,
    showInList: Number(row.show_in_list) === 1,
    editInList: Number(row.edit_in_list) === 1,
    isSearchable: Number(row.is_searchable) === 1,
    settings: parseJson<Record<string, unknown>>(row.settings, {}),
    labels: labelsFromJson(row.labels),
    enumItems: enums.map((e) => ({
      id: Number(e.id),
      value: e.value,
      def: Number(e.def) === 1,
      sort: Number(e.sort),
      xmlId: e.xml_id,
    })),
  }
}

async function withEnums(db: Db, portalId: number, rows: readonly Row[]): Promise<UserFieldDefinition[]> {
  const enumFields = rows.filter((r) => r.user_type_id === 'enumeration').map((r) => Number(r.id))
  const enums =
    enumFields.length === 0
      ? []
      : await db
          .selectFrom('crm_userfield_enum')
          .selectAll()
          .where('portal_id', '=', portalId)
          .where('field_id', 'in', enumFields)
          .orderBy('field_id')
          .orderBy('sort')
          .orderBy('id')
          .execute()
  return rows.map((row) =>
    definitionFromRow(
      row,
      enums.filter((e) => Number(e.field_id) === Number(row.id)),
    ),
  )
}

/** The custom fields of one CRM object (ENTITY_ID), in field order: SORT, then id. */
export async function listUserFieldsOfEntity(
  db: Db,
  portalId: number,
  entityId: string,
): Promise<UserFieldDefinition[]> {
  const rows = await db
    .selectFrom('crm_userfield')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('entity_id', '=', entityId)
    .orderBy('sort')
    .orderBy('id')
    .execute()
  return withEnums(db, portalId, rows)
}

/** The custom fields of an entity type (its `userFieldEntityId`). */
export function userFieldsOfType(
  db: Db,
  portalId: number,
  type: EntityTypeDescriptor,
): Promise<UserFieldDefinition[]> {
  return listUserFieldsOfEntity(db, portalId, type.userFieldEntityId)
}

/** The custom fields of several CRM objects at once (userfieldconfig.list), by id. */
export async function listUserFieldsOfEntities(
  db: Db,
  portalId: number,
  entityIds: readonly string[],
): Promise<UserFieldDefinition[]> {
  if (entityIds.length === 0) return []
  const rows = await db
    .selectFrom('crm_userfield')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('entity_id', 'in', [...entityIds])
    .orderBy('id')
    .execute()
  return withEnums(db, portalId, rows)
}

export async function getUserField(
  db: Db,
  portalId: number,
  id: number,
): Promise<UserFieldDefinition | undefined> {
  if (!Number.isSafeInteger(id) || id <= 0) return undefined
  const row = await db
    .selectFrom('crm_userfield')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('id', '=', id)
    .executeTakeFirst()
  if (row === undefined) return undefined
  const [definition] = await withEnums(db, portalId, [row])
  return definition
}

// ---------------------------------------------------------------------------------------------------------
// The CRM objects custom fields attach to
// ---------------------------------------------------------------------------------------------------------

/**
 * The entity type behind an ENTITY_ID: the built-in types' fixed ids (CRM_LEAD … CRM_SMART_INVOICE) and
 * `CRM_{id}` of a smart process, where id is the crm.type `id`, not its entityTypeId
 * (userfieldconfig/index.md "Identifiers for entityId"). Undefined for anything else.
 */
export async function entityTypeOfUserFieldEntity(
  db: Db,
  portalId: number,
  entityId: string,
): Promise<EntityTypeDescriptor | undefined> {
  const builtIn = BUILT_IN_ENTITY_TYPES.find((t) => t.userFieldEntityId === entityId)
  if (builtIn !== undefined) return builtIn
  const match = /^CRM_([1-9]\d*)$/.exec(entityId)
  if (match === null) return undefined
  const record = await getTypeById(db, portalId, Number(match[1]))
  return record === undefined ? undefined : smartProcessEntityType(record.settings)
}

// ---------------------------------------------------------------------------------------------------------
// Creating
// ---------------------------------------------------------------------------------------------------------

/**
 * A legacy FIELD_NAME as crm.{entity}.userfield.add builds it (crm-lead-userfield-add.md): upper-cased;
 * `X` → `UF_CRM_X`, `UF_X` → `UF_CRM_X`, `UF_CRM_X` kept; at most 50 characters, `A-Z0-9_` only.
 */
export function legacyFieldName(raw: unknown): string {
  const text = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim().toUpperCase() : ''
  if (text === '') throw new UserFieldError('fieldNameMissing')
  const name = text.startsWith('UF_CRM_')
    ? text
    : text.startsWith('UF_')
      ? `UF_CRM_${text.slice(3)}`
      : `UF_CRM_${text}`
  checkFieldName(name)
  return name
}

/** `A-Z`, `0-9`, `_`, at most 50 characters, something after the prefix. */
export function checkFieldName(name: string): void {
  if (name.length > MAX_FIELD_NAME_LENGTH) throw new UserFieldError('fieldNameTooLong', name)
  if (!/^[A-Z0-9_]+$/.test(name) || !/^UF_[A-Z0-9_]*[A-Z0-9]/.test(name)) {
    throw new UserFieldError('fieldNameInvalid', name)
  }
}

/** One list value as a client describes it (legacy `LIST` element or userfieldconfig `enum` element). */
export interface EnumItemInput {
  id?: number
  value?: string
  def?: boolean
  sort?: number
  xmlId?: string
  del?: boolean
}

export interface NewUserField {
  entityId: string
  fieldName: string
  userTypeId: string
  xmlId?: string | null
  sort?: number
  multiple?: boolean
  mandatory?: boolean
  showFilter?: string
  showInList?: boolean
  editInList?: boolean
  isSearchable?: boolean
  settings?: Record<string, unknown>
  labels?: UserFieldLabels
  enumItems?: readonly EnumItemInput[]
}

/** The type of a USER_TYPE_ID, or the documented error. */
export function requireUserType(raw: unknown): UserTypeSpec {
  const id = typeof raw === 'string' ? raw.trim() : ''
  if (id === '') throw new UserFieldError('userTypeMissing')
  const type = userTypeSpec(id)
  if (type === undefined) throw new UserFieldError('userTypeUnknown', id)
  return type
}

/** SHOW_FILTER: `N`, `I`, `E`, `S`; `Y` reads as `E` (the mask filter the UI sets for "show in filter"). */
export function normaliseShowFilter(value: unknown): string {
  const text = typeof value === 'string' ? value.trim().toUpperCase() : value === true ? 'Y' : 'N'
  if (text === 'Y') return 'E'
  return ['N', 'I', 'E', 'S'].includes(text) ? text : 'N'
}

export async function createUserField(
  store: Store,
  db: Db,
  portalId: number,
  input: NewUserField,
  nowMs: number,
): Promise<UserFieldDefinition> {
  const type = requireUserType(input.userTypeId)
  checkFieldName(input.fieldName)
  // "Fields of type boolean cannot be multiple" (crm-lead-userfield-add.md MULTIPLE): the flag is dropped.
  const multiple = (input.multiple ?? false) && type.canBeMultiple
  const existing = await db
    .selectFrom('crm_userfield')
    .select('id')
    .where('portal_id', '=', portalId)
    .where('entity_id', '=', input.entityId)
    .where('field_name', '=', input.fieldName)
    .executeTakeFirst()
  if (existing !== undefined) throw new UserFieldError('duplicateName', input.fieldName)
  const id = await store.nextId(db, portalId, USER_FIELD_SEQUENCE)
  const sort = input.sort !== undefined && input.sort > 0 ? input.sort : 100
  await db
    .insertInto('crm_userfield')
    .values({
      portal_id: portalId,
      id,
      entity_id: input.entityId,
      field_name: input.fieldName,
      user_type_id: type.id,
      xml_id: input.xmlId === undefined || input.xmlId === '' ? null : input.xmlId,
      sort,
      multiple: multiple ? 1 : 0,
      mandatory: input.mandatory === true ? 1 : 0,
      show_filter: input.showFilter ?? 'N',
      show_in_list: input.showInList === false ? 0 : 1,
      edit_in_list: input.editInList === false ? 0 : 1,
      is_searchable: input.isSearchable === true ? 1 : 0,
      settings: JSON.stringify(settingsForNewField(type, input.settings ?? {})),
      labels: JSON.stringify(input.labels ?? emptyLabels()),
      created_at: storedInstant(nowMs),
    })
    .execute()
  if (type.id === 'enumeration' && input.enumItems !== undefined) {
    await applyEnumChanges(store, db, portalId, id, [], input.enumItems, multiple)
  }
  const created = await getUserField(db, portalId, id)
  if (created === undefined) throw new Error('user field vanished inside its own transaction')
  return created
}

// ---------------------------------------------------------------------------------------------------------
// Changing
// ---------------------------------------------------------------------------------------------------------

export interface UserFieldPatch {
  xmlId?: string | null
  sort?: number
  mandatory?: boolean
  showFilter?: string
  showInList?: boolean
  editInList?: boolean
  isSearchable?: boolean
  /** Merged into the current settings (only the given keys change). */
  settings?: Record<string, unknown>
  /** Replaces the label maps of the kinds given. */
  labels?: Partial<UserFieldLabels>
  enumItems?: readonly EnumItemInput[]
}

export async function updateUserField(
  store: Store,
  db: Db,
  portalId: number,
  current: UserFieldDefinition,
  patch: UserFieldPatch,
): Promise<UserFieldDefinition> {
  const type = userTypeSpec(current.userTypeId)
  const changes: Partial<Record<keyof CrmUserFieldTable, unknown>> = {}
  if (patch.xmlId !== undefined) changes.xml_id = patch.xmlId === '' ? null : patch.xmlId
  if (patch.sort !== undefined && patch.sort > 0) changes.sort = patch.sort
  if (patch.mandatory !== undefined) changes.mandatory = patch.mandatory ? 1 : 0
  if (patch.showFilter !== undefined) changes.show_filter = patch.showFilter
  if (patch.showInList !== undefined) changes.show_in_list = patch.showInList ? 1 : 0
  if (patch.editInList !== undefined) changes.edit_in_list = patch.editInList ? 1 : 0
  if (patch.isSearchable !== undefined) changes.is_searchable = patch.isSearchable ? 1 : 0
  if (patch.settings !== undefined && type !== undefined) {
    changes.settings = JSON.stringify(mergeSettings(type, { ...current.settings }, patch.settings))
  }
  if (patch.labels !== undefined) {
    const labels: UserFieldLabels = { ...current.labels }
    for (const kind of LABEL_KINDS) {
      const map = patch.labels[kind]
      if (map !== undefined) labels[kind] = map
    }
    changes.labels = JSON.stringify(labels)
  }
  if (Object.keys(changes).length > 0) {
    await db
      .updateTable('crm_userfield')
      .set(changes as Partial<CrmUserFieldTable>)
      .where('portal_id', '=', portalId)
      .where('id', '=', current.id)
      .execute()
  }
  if (patch.enumItems !== undefined && current.userTypeId === 'enumeration') {
    await applyEnumChanges(
      store,
      db,
      portalId,
      current.id,
      current.enumItems,
      patch.enumItems,
      current.multiple,
    )
  }
  const updated = await getUserField(db, portalId, current.id)
  if (updated === undefined) throw new Error('user field vanished inside its own transaction')
  return updated
}

/** A 32-character hex XML_ID, as the list values of the docs' examples carry. */
function generatedXmlId(): string {
  return randomBytes(16).toString('hex')
}

/**
 * List values (crm-lead-userfield-add.md / -update.md `LIST`, userfieldconfig `enum`): an element with the id
 * of an existing value changes it (`DEL: Y` deletes it); an element without id adds a value unless its VALUE
 * is empty ("List items with an empty or missing VALUE will be ignored"); values not mentioned stay. XML_IDs
 * must be unique within the field. A single-valued field keeps only the first `DEF: Y`.
 */
async function applyEnumChanges(
  store: Store,
  db: Db,
  portalId: number,
  fieldId: number,
  current: readonly EnumItem[],
  changes: readonly EnumItemInput[],
  multiple: boolean,
): Promise<void> {
  type Draft = { id: number | undefined; value: string; def: boolean; sort: number; xmlId: string }
  const drafts: Draft[] = current.map((e) => ({ ...e }))
  const deleted = new Set<number>()
  for (const change of changes) {
    const existing = change.id === undefined ? undefined : drafts.find((d) => d.id === change.id)
    if (existing !== undefined && existing.id !== undefined) {
      if (change.del === true) {
        deleted.add(existing.id)
        continue
      }
      if (change.value !== undefined && change.value.trim() !== '') existing.value = change.value
      if (change.def !== undefined) existing.def = change.def
      if (change.sort !== undefined) existing.sort = change.sort
      if (change.xmlId !== undefined && change.xmlId !== '') existing.xmlId = change.xmlId
      continue
    }
    if (change.del === true || change.value === undefined || change.value.trim() === '') continue
    drafts.push({
      id: undefined,
      value: change.value,
      def: change.def ?? false,
      sort: change.sort ?? 0,
      xmlId: change.xmlId !== undefined && change.xmlId !== '' ? change.xmlId : generatedXmlId(),
    })
  }
  const kept = drafts.filter((d) => d.id === undefined || !deleted.has(d.id))
  const seen = new Set<string>()
  for (const d of kept) {
    if (seen.has(d.xmlId)) throw new UserFieldError('duplicateEnumXmlId', d.xmlId)
    seen.add(d.xmlId)
  }
  if (!multiple) {
    let defaultSeen = false
    for (const d of kept) {
      if (d.def && defaultSeen) d.def = false
      if (d.def) defaultSeen = true
    }
  }
  if (deleted.size > 0) {
    await db
      .deleteFrom('crm_userfield_enum')
      .where('portal_id', '=', portalId)
      .where('id', 'in', [...deleted])
      .execute()
  }
  for (const d of kept) {
    const row = {
      value: d.value,
      def: d.def ? 1 : 0,
      sort: d.sort,
      xml_id: d.xmlId,
    }
    if (d.id === undefined) {
      const id = await store.nextId(db, portalId, USER_FIELD_ENUM_SEQUENCE)
      await db
        .insertInto('crm_userfield_enum')
        .values({ portal_id: portalId, id, field_id: fieldId, ...row })
        .execute()
    } else {
      const before = current.find((e) => e.id === d.id)
      if (
        before !== undefined &&
        before.value === d.value &&
        before.def === d.def &&
        before.sort === d.sort &&
        before.xmlId === d.xmlId
      ) {
        continue
      }
      await db
        .updateTable('crm_userfield_enum')
        .set(row)
        .where('portal_id', '=', portalId)
        .where('id', '=', d.id)
        .execute()
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Deleting
// ---------------------------------------------------------------------------------------------------------

/**
 * Deletes a definition with its list values, the values items hold for it and the files uploaded into it
 * (Bitrix drops the field's column, so nothing of it survives; a new field of the same name starts empty).
 */
export async function deleteUserField(
  db: Db,
  dialect: 'sqlite' | 'postgres',
  portalId: number,
  def: UserFieldDefinition,
): Promise<void> {
  await db.deleteFrom('crm_userfield').where('portal_id', '=', portalId).where('id', '=', def.id).execute()
  await db
    .deleteFrom('crm_userfield_enum')
    .where('portal_id', '=', portalId)
    .where('field_id', '=', def.id)
    .execute()
  const type = await entityTypeOfUserFieldEntity(db, portalId, def.entityId)
  if (type === undefined) return
  const name = def.fieldName
  const removeKey =
    dialect === 'postgres'
      ? sql<string>`(cast(uf as jsonb) - ${name})::text`
      : sql<string>`json_remove(uf, ${`$."${name}"`})`
  const hasKey =
    dialect === 'postgres'
      ? sql<boolean>`jsonb_exists(cast(uf as jsonb), ${name})`
      : sql<boolean>`json_type(uf, ${`$."${name}"`}) is not null`
  await db
    .updateTable('crm_item')
    .set({ uf: removeKey })
    .where('portal_id', '=', portalId)
    .where('entity_type_id', '=', type.entityTypeId)
    .where(hasKey)
    .execute()
  await db
    .deleteFrom('crm_file')
    .where('portal_id', '=', portalId)
    .where('entity_type_id', '=', type.entityTypeId)
    .where('field_name', '=', name)
    .execute()
}
