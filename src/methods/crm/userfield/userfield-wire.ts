/**
 * What the custom-field methods share on the wire: reading labels, list values and flags from a request, and
 * the error dialects of the two families.
 *
 * - legacy `crm.{lead,deal,contact,company}.userfield.*` (crm-lead-userfield-*.md): empty code + message,
 *   `ERROR_CORE` for the core's checks, `ERROR_NOT_FOUND` "The entity with ID '5' is not found.", HTTP 403 for
 *   "Access denied." (the pages' tables list 403 for it);
 * - `userfieldconfig.*` (userfieldconfig-*.md): empty code + message, HTTP 400.
 */
import { RestError } from '../../../protocol/errors.js'
import { isPlainObject } from '../dictionary-common.js'
import { portalLanguage } from '../../../crm/dictionaries/dictionary-store.js'
import { LABEL_LANGUAGES, type LangMap } from '../../../crm/user-fields/user-field.js'
import { isYes } from '../../../crm/user-fields/user-field-types.js'
import { UserFieldError, type EnumItemInput } from '../../../crm/user-fields/user-field-store.js'

export const ACCESS_DENIED = 'Access denied.'

/** A legacy error: empty code (or ERROR_CORE / ERROR_NOT_FOUND), HTTP 400 unless given. */
export function legacyUfError(message: string, code = '', status = 400): RestError {
  return new RestError(code, message, status)
}

export function legacyAccessDenied(): RestError {
  return legacyUfError(ACCESS_DENIED, '', 403)
}

export function legacyNotFound(id: number): RestError {
  return legacyUfError(`The entity with ID '${id}' is not found.`, 'ERROR_NOT_FOUND', 404)
}

/** The legacy texts of the definition checks (crm-lead-userfield-add.md / -update.md error tables). */
export function legacyUserFieldError(error: UserFieldError, operation: 'add' | 'update'): RestError {
  switch (error.kind) {
    case 'fieldNameMissing':
      return legacyUfError("The 'FIELD_NAME' field is not found.")
    case 'fieldNameTooLong':
      return legacyUfError('Field name is too long (more than 50 characters).', 'ERROR_CORE')
    case 'fieldNameInvalid':
      return legacyUfError(
        'Field name contains invalid characters. Allowed characters are: A-Z, 0-9 and _.',
        'ERROR_CORE',
      )
    case 'userTypeMissing':
      return legacyUfError("The 'USER_TYPE_ID' field is not found.")
    case 'userTypeUnknown':
      return legacyUfError('Invalid custom type specified.', 'ERROR_CORE')
    case 'duplicateName':
      return legacyUfError(`Field ${error.subject} already exists.`, 'ERROR_CORE')
    case 'duplicateEnumXmlId':
      return operation === 'add'
        ? legacyUfError(`List item with XML_ID=${error.subject} already exists.`, 'ERROR_CORE')
        : legacyUfError(`List item with value XML_ID='${error.subject}' already exists`, 'ERROR_CORE')
  }
}

/** Runs a definition change, turning UserFieldError into the legacy wire error. */
export async function withLegacyUserFieldErrors<T>(
  operation: 'add' | 'update',
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (error instanceof UserFieldError) throw legacyUserFieldError(error, operation)
    throw error
  }
}

/** The spellings a legacy array parameter is found under: exact, UPPER, lower, Capitalised, `ar`+Capitalised. */
export function legacyArrayParam(
  params: Record<string, unknown>,
  name: string,
): { present: boolean; value: unknown } {
  const capitalised = name.charAt(0).toUpperCase() + name.slice(1)
  for (const key of [name, name.toUpperCase(), name.toLowerCase(), capitalised, `ar${capitalised}`]) {
    if (key in params) return { present: true, value: params[key] }
  }
  return { present: false, value: undefined }
}

/** A PHP array as an object (`[]` and lists count), or undefined. */
export function phpArray(value: unknown): Record<string, unknown> | undefined {
  if (isPlainObject(value)) return value
  if (Array.isArray(value)) return Object.fromEntries(value.map((v, i) => [String(i), v]))
  return undefined
}

/** `id` (or `ID`) as a positive integer, else undefined. */
export function idParam(params: Record<string, unknown>): number | undefined {
  const raw = 'ID' in params ? params['ID'] : params['id']
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0) return raw
  if (typeof raw === 'string') {
    const match = /^\s*(\d+)/.exec(raw)
    const n = match === null ? 0 : Number(match[1])
    if (Number.isSafeInteger(n) && n > 0) return n
  }
  return undefined
}

export function flag(value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined
  return isYes(value)
}

export function intValue(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value)
  if (typeof value === 'string' && /^\s*-?\d+/.test(value)) return Math.trunc(Number.parseInt(value, 10))
  return undefined
}

export function textValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return undefined
}

/** A label given as a string or a `lang_map` (`{en: …, de: …}`), as a map of the languages given. */
export function labelInput(
  value: unknown,
): { kind: 'string'; text: string } | { kind: 'map'; map: LangMap } | undefined {
  if (typeof value === 'string' || typeof value === 'number') return { kind: 'string', text: String(value) }
  const record = phpArray(value)
  if (record === undefined) return undefined
  const map: LangMap = {}
  for (const [lang, text] of Object.entries(record)) {
    if (/^[a-z]{2}$/i.test(lang) && (typeof text === 'string' || typeof text === 'number')) {
      map[lang.toLowerCase()] = String(text)
    }
  }
  return { kind: 'map', map }
}

/** Every label language set to one text. */
export function allLanguages(text: string): LangMap {
  return Object.fromEntries(LABEL_LANGUAGES.map((lang) => [lang, text]))
}

/**
 * A label on legacy add: "When a string is provided, it will be set for all language identifiers. When a
 * lang_map type value is provided, the value from LABEL will be set for all languages that were not
 * provided. By default, the value passed in LABEL is set for all language identifiers".
 */
export function labelOnLegacyAdd(value: unknown, label: string | undefined): LangMap {
  const input = labelInput(value)
  if (input?.kind === 'string') return allLanguages(input.text)
  const base = label === undefined ? {} : allLanguages(label)
  return input === undefined ? base : { ...base, ...input.map }
}

/**
 * A label on legacy update: "When passing a string, it is set for each language. For languages where no value
 * is explicitly specified, it will be recorded as ''. The field completely overwrites the previous value".
 */
export function labelOnLegacyUpdate(value: unknown): LangMap | undefined {
  const input = labelInput(value)
  if (input === undefined) return undefined
  if (input.kind === 'string') return allLanguages(input.text)
  return { ...allLanguages(''), ...input.map }
}

/** A userfieldconfig label: a string is the general value (the portal's language), a map by language. */
export function labelOnConfig(value: unknown): LangMap | undefined {
  const input = labelInput(value)
  if (input === undefined) return undefined
  return input.kind === 'string' ? { [portalLanguage()]: input.text } : input.map
}

/**
 * List values: legacy `LIST` elements `{ID, VALUE, SORT, DEF, XML_ID, DEL}` or userfieldconfig `enum`
 * elements `{id, value, sort, def, xmlId, del}` (data-types.md uf_enum_element: "Methods of the
 * *.userfieldconfig.* group use camelCase notation for the same fields").
 */
export function enumItemsInput(value: unknown): EnumItemInput[] | undefined {
  const list = phpArray(value)
  if (list === undefined) return undefined
  const items: EnumItemInput[] = []
  for (const element of Object.values(list)) {
    const e = phpArray(element)
    if (e === undefined) continue
    const pick = (upper: string, camel: string) => (upper in e ? e[upper] : e[camel])
    const item: EnumItemInput = {}
    const id = intValue(pick('ID', 'id'))
    if (id !== undefined && id > 0) item.id = id
    const text = textValue(pick('VALUE', 'value'))
    if (text !== undefined) item.value = text
    const def = flag(pick('DEF', 'def'))
    if (def !== undefined) item.def = def
    const sort = intValue(pick('SORT', 'sort'))
    if (sort !== undefined) item.sort = Math.max(0, sort)
    const xmlId = textValue(pick('XML_ID', 'xmlId'))
    if (xmlId !== undefined) item.xmlId = xmlId
    if (flag(pick('DEL', 'del')) === true) item.del = true
    items.push(item)
  }
  return items
}
