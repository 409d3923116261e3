/**
 * The custom-field types the CRM offers (api-reference/crm/universal/user-defined-fields/crm-userfield-types.md),
 * as data: their titles (crm.userfield.types), descriptions (userfieldconfig.getTypes), default settings (the
 * `settings` blocks of crm-item-add.md "Custom fields used in the example" and crm-lead-userfield-list.md),
 * the settings crm.userfield.settings.fields describes, and how values compare in lists.
 *
 * Application types (`rest_{appId}_{type}`, registered with userfieldtype.add) do not exist here: such a
 * USER_TYPE_ID is refused as an unknown type.
 */
import type { ListFieldType } from '../../store/list-query.js'

export type UserTypeId =
  | 'string'
  | 'integer'
  | 'double'
  | 'boolean'
  | 'enumeration'
  | 'datetime'
  | 'date'
  | 'money'
  | 'url'
  | 'address'
  | 'file'
  | 'employee'
  | 'crm_status'
  | 'iblock_section'
  | 'iblock_element'
  | 'crm'

export interface SettingDescription {
  readonly type: string
  readonly title: string
}

export interface UserTypeSpec {
  readonly id: UserTypeId
  /** crm.userfield.types `title`. */
  readonly title: string
  /** userfieldconfig.getTypes `description`. */
  readonly description: string
  /** "Fields of type boolean cannot be multiple" (crm-lead-userfield-add.md MULTIPLE). */
  readonly canBeMultiple: boolean
  /** The settings a new field starts with; given keys override them. */
  readonly defaultSettings: () => Record<string, unknown>
  /** crm.userfield.settings.fields for this type. */
  readonly settingsFields: Readonly<Record<string, SettingDescription>>
  /** How a value compares in crm.item.list filters and orders. */
  readonly listType: ListFieldType
}

const DEFAULT_VALUE = 'Default Value'

const spec = (s: UserTypeSpec): UserTypeSpec => Object.freeze(s)

/** In crm.userfield.types order. */
export const USER_TYPES: readonly UserTypeSpec[] = Object.freeze([
  spec({
    id: 'string',
    title: 'String',
    description: 'String',
    canBeMultiple: true,
    defaultSettings: () => ({
      SIZE: 20,
      ROWS: 1,
      REGEXP: '',
      MIN_LENGTH: 0,
      MAX_LENGTH: 0,
      DEFAULT_VALUE: '',
    }),
    settingsFields: {
      DEFAULT_VALUE: { type: 'string', title: DEFAULT_VALUE },
      ROWS: { type: 'int', title: 'Number of rows' },
      SIZE: { type: 'int', title: 'Input field size' },
      REGEXP: { type: 'string', title: 'Regular expression' },
      MIN_LENGTH: { type: 'int', title: 'Minimum length' },
      MAX_LENGTH: { type: 'int', title: 'Maximum length' },
    },
    listType: 'string',
  }),
  spec({
    id: 'integer',
    title: 'Integer',
    description: 'Integer',
    canBeMultiple: true,
    defaultSettings: () => ({ SIZE: 20, MIN_VALUE: 0, MAX_VALUE: 0, DEFAULT_VALUE: null }),
    settingsFields: {
      DEFAULT_VALUE: { type: 'int', title: DEFAULT_VALUE },
      SIZE: { type: 'int', title: 'Input field size' },
      MIN_VALUE: { type: 'int', title: 'Minimum value' },
      MAX_VALUE: { type: 'int', title: 'Maximum value' },
    },
    listType: 'integer',
  }),
  spec({
    id: 'double',
    title: 'Number',
    description: 'Number',
    canBeMultiple: true,
    defaultSettings: () => ({ PRECISION: 2, SIZE: 20, MIN_VALUE: 0, MAX_VALUE: 0, DEFAULT_VALUE: null }),
    // The documented answer for `double` (crm-userfield-settings-fields.md).
    settingsFields: {
      DEFAULT_VALUE: { type: 'double', title: DEFAULT_VALUE },
      PRECISION: { type: 'int', title: 'Precision' },
    },
    listType: 'double',
  }),
  spec({
    id: 'boolean',
    title: 'Yes/No',
    description: 'Yes/No',
    canBeMultiple: false,
    defaultSettings: () => ({ DEFAULT_VALUE: 0, DISPLAY: 'CHECKBOX', LABEL: ['', ''], LABEL_CHECKBOX: '' }),
    settingsFields: {
      DEFAULT_VALUE: { type: 'int', title: DEFAULT_VALUE },
      DISPLAY: { type: 'string', title: 'Appearance' },
    },
    listType: 'boolean',
  }),
  spec({
    id: 'enumeration',
    title: 'List',
    description: 'List',
    canBeMultiple: true,
    defaultSettings: () => ({ DISPLAY: 'LIST', LIST_HEIGHT: 1, CAPTION_NO_VALUE: '', SHOW_NO_VALUE: 'Y' }),
    settingsFields: {
      DISPLAY: { type: 'string', title: 'Appearance' },
      LIST_HEIGHT: { type: 'int', title: 'List height' },
      CAPTION_NO_VALUE: { type: 'string', title: 'Caption for empty value' },
      SHOW_NO_VALUE: { type: 'char', title: 'Show empty value' },
    },
    listType: 'integer',
  }),
  spec({
    id: 'datetime',
    title: 'Date/Time',
    description: 'Date with time',
    canBeMultiple: true,
    defaultSettings: () => ({
      DEFAULT_VALUE: { TYPE: 'NONE', VALUE: '' },
      USE_SECOND: 'Y',
      USE_TIMEZONE: 'N',
    }),
    settingsFields: {
      DEFAULT_VALUE: { type: 'datetime', title: DEFAULT_VALUE },
      USE_SECOND: { type: 'char', title: 'Use seconds' },
      USE_TIMEZONE: { type: 'char', title: 'Use time zone' },
    },
    listType: 'datetime',
  }),
  spec({
    id: 'date',
    title: 'Date',
    description: 'Date',
    canBeMultiple: true,
    defaultSettings: () => ({ DEFAULT_VALUE: { TYPE: 'NONE', VALUE: '' } }),
    settingsFields: { DEFAULT_VALUE: { type: 'date', title: DEFAULT_VALUE } },
    listType: 'date',
  }),
  spec({
    id: 'money',
    title: 'Money',
    description: 'Money',
    canBeMultiple: true,
    defaultSettings: () => ({ DEFAULT_VALUE: '' }),
    settingsFields: { DEFAULT_VALUE: { type: 'string', title: DEFAULT_VALUE } },
    listType: 'string',
  }),
  spec({
    id: 'url',
    title: 'Link',
    description: 'Link',
    canBeMultiple: true,
    defaultSettings: () => ({
      POPUP: 'Y',
      SIZE: 20,
      MIN_LENGTH: 0,
      MAX_LENGTH: 0,
      DEFAULT_VALUE: '',
      ROWS: 1,
    }),
    settingsFields: {
      POPUP: { type: 'char', title: 'Open in new window' },
      SIZE: { type: 'int', title: 'Input field size' },
      MIN_LENGTH: { type: 'int', title: 'Minimum length' },
      MAX_LENGTH: { type: 'int', title: 'Maximum length' },
      DEFAULT_VALUE: { type: 'string', title: DEFAULT_VALUE },
      ROWS: { type: 'int', title: 'Number of rows' },
    },
    listType: 'string',
  }),
  spec({
    id: 'address',
    title: 'Google Maps Address',
    description: 'Address',
    canBeMultiple: true,
    defaultSettings: () => ({ SHOW_MAP: 'Y' }),
    settingsFields: { SHOW_MAP: { type: 'char', title: 'Show map' } },
    listType: 'string',
  }),
  spec({
    id: 'file',
    title: 'File',
    description: 'File',
    canBeMultiple: true,
    defaultSettings: () => ({
      SIZE: 20,
      LIST_WIDTH: 0,
      LIST_HEIGHT: 0,
      MAX_SHOW_SIZE: 0,
      MAX_ALLOWED_SIZE: 0,
      EXTENSIONS: [],
      TARGET_BLANK: 'Y',
    }),
    settingsFields: {
      SIZE: { type: 'int', title: 'Input field size' },
      LIST_WIDTH: { type: 'int', title: 'Preview width in list' },
      LIST_HEIGHT: { type: 'int', title: 'Preview height in list' },
      MAX_SHOW_SIZE: { type: 'int', title: 'Maximum size to show' },
      MAX_ALLOWED_SIZE: { type: 'int', title: 'Maximum allowed size' },
      EXTENSIONS: { type: 'string', title: 'Allowed extensions' },
      TARGET_BLANK: { type: 'char', title: 'Open in new tab' },
    },
    listType: 'integer',
  }),
  spec({
    id: 'employee',
    title: 'Binding to User',
    description: 'Linked to employee',
    canBeMultiple: true,
    defaultSettings: () => ({}),
    settingsFields: {},
    listType: 'integer',
  }),
  spec({
    id: 'crm_status',
    title: 'Binding to CRM Directories',
    description: 'Linked to CRM directories',
    canBeMultiple: true,
    defaultSettings: () => ({ ENTITY_TYPE: '' }),
    settingsFields: { ENTITY_TYPE: { type: 'string', title: 'Directory type' } },
    listType: 'string',
  }),
  spec({
    id: 'iblock_section',
    title: 'Binding to Information Block Sections',
    description: 'Linked to information block sections',
    canBeMultiple: true,
    defaultSettings: iblockDefaults,
    settingsFields: iblockSettingsFields(),
    listType: 'integer',
  }),
  spec({
    id: 'iblock_element',
    title: 'Binding to Information Block Elements',
    description: 'Linked to information block elements',
    canBeMultiple: true,
    defaultSettings: iblockDefaults,
    settingsFields: iblockSettingsFields(),
    listType: 'integer',
  }),
  spec({
    id: 'crm',
    title: 'Binding to CRM Entities',
    description: 'Linked to CRM entities',
    canBeMultiple: true,
    // "If none of the following options are provided, the link to leads will be enabled by default" (add pages).
    defaultSettings: () => ({ LEAD: 'Y', CONTACT: 'N', COMPANY: 'N', DEAL: 'N' }),
    settingsFields: {
      LEAD: { type: 'char', title: 'Leads' },
      CONTACT: { type: 'char', title: 'Contacts' },
      COMPANY: { type: 'char', title: 'Companies' },
      DEAL: { type: 'char', title: 'Deals' },
    },
    listType: 'string',
  }),
])

function iblockDefaults(): Record<string, unknown> {
  return {
    IBLOCK_TYPE_ID: '',
    IBLOCK_ID: 0,
    DEFAULT_VALUE: '',
    DISPLAY: 'LIST',
    LIST_HEIGHT: 1,
    ACTIVE_FILTER: 'N',
  }
}

function iblockSettingsFields(): Record<string, SettingDescription> {
  return {
    IBLOCK_TYPE_ID: { type: 'string', title: 'Information block type' },
    IBLOCK_ID: { type: 'int', title: 'Information block' },
    DEFAULT_VALUE: { type: 'string', title: DEFAULT_VALUE },
    DISPLAY: { type: 'string', title: 'Appearance' },
    LIST_HEIGHT: { type: 'int', title: 'List height' },
    ACTIVE_FILTER: { type: 'char', title: 'Active elements only' },
  }
}

const BY_ID = new Map(USER_TYPES.map((t) => [t.id, t]))

export function userTypeSpec(id: string): UserTypeSpec | undefined {
  return BY_ID.get(id as UserTypeId)
}

/**
 * The `crm` type's binding keys besides the four documented on the legacy pages: userfieldconfig-add.md adds
 * QUOTE, ORDER, SMART_INVOICE and DYNAMIC_{entityTypeId}.
 */
export const CRM_BINDING_KEY = /^(LEAD|CONTACT|COMPANY|DEAL|QUOTE|ORDER|SMART_INVOICE|DYNAMIC_\d+)$/

/**
 * Settings of a new field: the type's defaults, overridden by the given keys the type knows. Values keep the
 * type of the default they replace where that is a number (`"3"` → 3 for ROWS). For `crm` fields, any given
 * binding key switches the lead default off unless LEAD itself is given.
 */
export function settingsForNewField(
  type: UserTypeSpec,
  given: Record<string, unknown>,
): Record<string, unknown> {
  const settings = type.defaultSettings()
  if (type.id === 'crm' && Object.keys(given).some((k) => CRM_BINDING_KEY.test(k))) settings['LEAD'] = 'N'
  return mergeSettings(type, settings, given)
}

/** `SETTINGS` on update: "The field only overwrites the values that are passed" (crm-lead-userfield-update.md). */
export function mergeSettings(
  type: UserTypeSpec,
  current: Record<string, unknown>,
  given: Record<string, unknown>,
): Record<string, unknown> {
  const known = new Set([...Object.keys(type.defaultSettings()), ...Object.keys(type.settingsFields)])
  const result = { ...current }
  for (const [key, value] of Object.entries(given)) {
    if (!known.has(key) && !(type.id === 'crm' && CRM_BINDING_KEY.test(key))) continue
    result[key] = normaliseSetting(type, key, value, current[key])
  }
  return result
}

function normaliseSetting(type: UserTypeSpec, key: string, value: unknown, previous: unknown): unknown {
  if (type.id === 'crm' && CRM_BINDING_KEY.test(key)) return isYes(value) ? 'Y' : 'N'
  if (type.id === 'boolean' && key === 'DEFAULT_VALUE') return Number(value) >= 1 || value === 'Y' ? 1 : 0
  if (key === 'EXTENSIONS') {
    if (Array.isArray(value)) return value.map(String)
    if (typeof value === 'object' && value !== null) return Object.values(value).map(String)
    return typeof value === 'string' && value !== '' ? value.split(/[\s,]+/).filter(Boolean) : []
  }
  if (key === 'DEFAULT_VALUE' && (type.id === 'date' || type.id === 'datetime')) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const v = value as Record<string, unknown>
      const kind = String(v['TYPE'] ?? 'NONE').toUpperCase()
      return {
        TYPE: ['NONE', 'NOW', 'FIXED'].includes(kind) ? kind : 'NONE',
        VALUE: String(v['VALUE'] ?? ''),
      }
    }
    return previous
  }
  if (key === 'DEFAULT_VALUE' && (type.id === 'integer' || type.id === 'double')) {
    if (value === null || value === '' || value === undefined) return null
    const n = Number(value)
    if (!Number.isFinite(n)) return null
    return type.id === 'integer' ? Math.trunc(n) : n
  }
  if (typeof previous === 'number' && previous !== null) {
    const n = Number(value)
    return Number.isFinite(n) ? n : previous
  }
  if (typeof value === 'boolean') return value ? 'Y' : 'N'
  if (typeof value === 'number' || typeof value === 'string') return value
  return value
}

export function isYes(value: unknown): boolean {
  if (value === true || value === 1) return true
  if (typeof value !== 'string') return false
  const v = value.trim().toUpperCase()
  return v === 'Y' || v === '1' || v === 'TRUE'
}
