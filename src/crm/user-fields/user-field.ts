/**
 * A custom-field definition (`UF_CRM_…`) in domain form, and the ways the three method families print it:
 * - the legacy `crm.{lead,deal,contact,company}.userfield.*` record (UPPER keys, values as strings, labels as
 *   language maps: crm-lead-userfield-get.md, crm-lead-userfield-list.md);
 * - the `userfieldconfig.*` record (camelCase keys: userfieldconfig-get.md);
 * - the `crm.item.fields` description (fields-output.ts UserFieldDescription) and the legacy `crm.*.fields`
 *   entry (crm-company-fields.md: `UF_CRM_1687188367`).
 */
import type { UserFieldDescription } from '../entity-types/fields-output.js'
import { portalLanguage } from '../dictionaries/dictionary-store.js'

/** The language ids of label maps, in the order crm.lead.userfield.get prints them (crm-lead-userfield-get.md). */
export const LABEL_LANGUAGES = [
  'ar',
  'br',
  'de',
  'en',
  'fr',
  'hi',
  'id',
  'in',
  'it',
  'ja',
  'kz',
  'la',
  'ms',
  'pl',
  'ru',
  'sc',
  'tc',
  'th',
  'tr',
  'ua',
  'vn',
] as const

export const LABEL_KINDS = [
  'EDIT_FORM_LABEL',
  'LIST_COLUMN_LABEL',
  'LIST_FILTER_LABEL',
  'ERROR_MESSAGE',
  'HELP_MESSAGE',
] as const

export type LabelKind = (typeof LABEL_KINDS)[number]

/** Text by language id; languages never set are absent. */
export type LangMap = Record<string, string>

export type UserFieldLabels = Record<LabelKind, LangMap>

export interface EnumItem {
  readonly id: number
  readonly value: string
  readonly def: boolean
  readonly sort: number
  readonly xmlId: string
}

export interface UserFieldDefinition {
  readonly id: number
  /** CRM_LEAD, CRM_DEAL, CRM_CONTACT, CRM_COMPANY, CRM_QUOTE, CRM_SMART_INVOICE, CRM_{smart process id}. */
  readonly entityId: string
  /** Original UPPER name, `UF_CRM_…`. */
  readonly fieldName: string
  readonly userTypeId: string
  readonly xmlId: string | null
  readonly sort: number
  readonly multiple: boolean
  readonly mandatory: boolean
  /** N | I | E | S (crm-lead-userfield-list.md SHOW_FILTER). */
  readonly showFilter: string
  readonly showInList: boolean
  readonly editInList: boolean
  readonly isSearchable: boolean
  readonly settings: Readonly<Record<string, unknown>>
  readonly labels: UserFieldLabels
  /** `enumeration` fields only; in list order (sort, id). */
  readonly enumItems: readonly EnumItem[]
}

export function emptyLabels(): UserFieldLabels {
  return {
    EDIT_FORM_LABEL: {},
    LIST_COLUMN_LABEL: {},
    LIST_FILTER_LABEL: {},
    ERROR_MESSAGE: {},
    HELP_MESSAGE: {},
  }
}

const yn = (value: boolean): 'Y' | 'N' => (value ? 'Y' : 'N')

/** A label in the portal's language, else in any language, else ''. */
export function labelText(labels: UserFieldLabels, kind: LabelKind, language = portalLanguage()): string {
  const map = labels[kind]
  const own = map[language]
  if (own !== undefined && own !== '') return own
  for (const lang of LABEL_LANGUAGES) {
    const text = map[lang]
    if (text !== undefined && text !== '') return text
  }
  for (const text of Object.values(map)) if (text !== '') return text
  return ''
}

/**
 * The `crm.item.fields` description: title = the edit-form label (crm-item-add.md example: "Custom field
 * (string)" for all four), falling back to the field name; enumeration values as `items` `{ID, VALUE}`.
 */
export function userFieldDescription(def: UserFieldDefinition): UserFieldDescription {
  const formLabel = labelText(def.labels, 'EDIT_FORM_LABEL')
  const title = formLabel !== '' ? formLabel : def.fieldName
  const listLabel = labelText(def.labels, 'LIST_COLUMN_LABEL')
  const filterLabel = labelText(def.labels, 'LIST_FILTER_LABEL')
  return {
    fieldName: def.fieldName,
    type: def.userTypeId,
    isRequired: def.mandatory,
    isMultiple: def.multiple,
    title,
    listLabel: listLabel !== '' ? listLabel : title,
    formLabel: title,
    filterLabel: filterLabel !== '' ? filterLabel : title,
    settings: def.settings,
    ...(def.userTypeId === 'enumeration'
      ? { items: def.enumItems.map((e) => ({ ID: String(e.id), VALUE: e.value })) }
      : {}),
  }
}

/**
 * A custom field in the legacy `crm.{entity}.fields` answer: title is the field name, the labels come as
 * listLabel / formLabel / filterLabel (crm-company-fields.md `UF_CRM_1687188367`); enumeration values as
 * `items` `{ID, VALUE}`.
 */
export function legacyFieldsEntry(def: UserFieldDefinition): Record<string, unknown> {
  const description = userFieldDescription(def)
  return {
    type: def.userTypeId,
    isRequired: def.mandatory,
    isReadOnly: false,
    isImmutable: false,
    isMultiple: def.multiple,
    isDynamic: true,
    title: def.fieldName,
    listLabel: description.listLabel,
    formLabel: description.formLabel,
    filterLabel: description.filterLabel,
    ...(def.userTypeId === 'enumeration'
      ? { items: def.enumItems.map((e) => ({ ID: String(e.id), VALUE: e.value })) }
      : {}),
    settings: def.settings,
  }
}

/**
 * The legacy `crm.*.userfield.get` / `list` record. Numbers are strings, flags `Y`/`N`, XML_ID null when
 * unset (crm-lead-userfield-get.md). Labels: a full language map on `get` (every language, `''` when unset);
 * on `list` only with `filter.LANG`, as that language's text or null (crm-lead-userfield-list.md).
 */
export function legacyUserFieldRecord(
  def: UserFieldDefinition,
  labels: { kind: 'maps' } | { kind: 'language'; language: string } | { kind: 'none' },
): Record<string, unknown> {
  const record: Record<string, unknown> = {
    ID: String(def.id),
    ENTITY_ID: def.entityId,
    FIELD_NAME: def.fieldName,
    USER_TYPE_ID: def.userTypeId,
    XML_ID: def.xmlId,
    SORT: String(def.sort),
    MULTIPLE: yn(def.multiple),
    MANDATORY: yn(def.mandatory),
    SHOW_FILTER: def.showFilter,
    SHOW_IN_LIST: yn(def.showInList),
    EDIT_IN_LIST: yn(def.editInList),
    IS_SEARCHABLE: yn(def.isSearchable),
    SETTINGS: def.settings,
  }
  for (const kind of LABEL_KINDS) {
    if (labels.kind === 'maps') {
      record[kind] = Object.fromEntries(LABEL_LANGUAGES.map((lang) => [lang, def.labels[kind][lang] ?? '']))
    } else if (labels.kind === 'language') {
      const text = def.labels[kind][labels.language]
      record[kind] = text === undefined || text === '' ? null : text
    }
  }
  if (def.userTypeId === 'enumeration') {
    record['LIST'] = def.enumItems.map((e) => ({
      ID: String(e.id),
      SORT: String(e.sort),
      VALUE: e.value,
      DEF: yn(e.def),
      XML_ID: e.xmlId,
    }))
  }
  return record
}

/**
 * The `userfieldconfig.*` record (userfieldconfig-get.md): camelCase keys, numbers as strings, `languageId` =
 * the languages some label is set in, each label map over those languages (null where unset). With a
 * `language` (userfieldconfig.list `select.language`) only that language is printed, and a label without text
 * in it is null.
 */
export function userFieldConfigRecord(def: UserFieldDefinition, language?: string): Record<string, unknown> {
  const languages =
    language !== undefined
      ? [language]
      : LABEL_LANGUAGES.filter((lang) => LABEL_KINDS.some((kind) => (def.labels[kind][lang] ?? '') !== ''))
  const camel: Record<LabelKind, string> = {
    EDIT_FORM_LABEL: 'editFormLabel',
    LIST_COLUMN_LABEL: 'listColumnLabel',
    LIST_FILTER_LABEL: 'listFilterLabel',
    ERROR_MESSAGE: 'errorMessage',
    HELP_MESSAGE: 'helpMessage',
  }
  const record: Record<string, unknown> = {
    id: String(def.id),
    entityId: def.entityId,
    fieldName: def.fieldName,
    userTypeId: def.userTypeId,
    xmlId: def.xmlId,
    sort: String(def.sort),
    multiple: yn(def.multiple),
    mandatory: yn(def.mandatory),
    showFilter: def.showFilter,
    showInList: yn(def.showInList),
    editInList: yn(def.editInList),
    isSearchable: yn(def.isSearchable),
    settings: def.settings,
    languageId: Object.fromEntries(languages.map((lang) => [lang, lang])),
  }
  for (const kind of LABEL_KINDS) {
    const map = def.labels[kind]
    if (language !== undefined) {
      const text = map[language]
      record[camel[kind]] = text === undefined || text === '' ? null : { [language]: text }
    } else {
      record[camel[kind]] = Object.fromEntries(
        languages.map((lang) => [lang, map[lang] === undefined || map[lang] === '' ? null : map[lang]]),
      )
    }
  }
  if (def.userTypeId === 'enumeration') {
    record['enum'] = def.enumItems.map((e) => ({
      id: String(e.id),
      userFieldId: String(def.id),
      value: e.value,
      def: yn(e.def),
      sort: String(e.sort),
      xmlId: e.xmlId,
    }))
  }
  return record
}
