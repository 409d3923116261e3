/**
 * Field-name conversion between the two spellings the CRM API uses.
 *
 * The database and the legacy methods use UPPER_CASE (`ASSIGNED_BY_ID`); `crm.item.*` uses camelCase
 * (`assignedById`). Custom fields (`UF_…`) follow the "regular" rule when it is reversible and the
 * "simplified" rule otherwise (api-reference/crm/universal/index.md "Field Naming Conventions";
 * research/server-behaviour.md §1.D items 28–29).
 */

/**
 * An underscore separates words unless it sits between two digits: `UF_CRM_3_1747309727` keeps `3_1747309727`
 * as one word, so the regular rule yields `ufCrm3_1747309727`.
 */
const WORD_SEPARATOR = /_(?!\d)|(?<!\d)_/

/**
 * The regular UPPER → camel rule: lower-case, split on word separators, capitalise every word but the
 * first, join. `ASSIGNED_BY_ID → assignedById`, `PARENT_ID_1220 → parentId1220`, `UF_CRM_3_DIGIT → ufCrm3Digit`.
 */
export function regularUpperToCamel(upper: string): string {
  const words = upper
    .toLowerCase()
    .split(WORD_SEPARATOR)
    .filter((w) => w !== '')
  return words.map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('')
}

/** `UF_` names the regular rule converts reversibly (server-behaviour.md §1.D item 28). */
const REGULAR_UF_PATTERNS: readonly RegExp[] = [
  /^UF_[A-Z_]+$/, // only letters and underscores: UF_LOGO, UF_CRM_CAL_EVENT
  /^UF_CRM_\d{1,4}_[\d_]+$/, // UF_CRM_3_1747309727
  /^UF_CRM_\d{1,4}_[A-Z_]+$/, // UF_CRM_3_DIGIT
]

export function isUserFieldUpperName(name: string): boolean {
  return name.startsWith('UF_')
}

/** Does `UF_…` take the simplified rule (only the prefix changes)? */
export function usesSimplifiedUfRule(upper: string): boolean {
  return isUserFieldUpperName(upper) && !REGULAR_UF_PATTERNS.some((re) => re.test(upper))
}

/**
 * UPPER → camel for any field name, custom or system. Custom fields whose name mixes letters and digits
 * keep their tail verbatim so the conversion stays reversible:
 * `UF_CRM_3_DIGIT10 → ufCrm_3_DIGIT10`, `UF_CRM_1747309879 → ufCrm_1747309879`, `UF_CRMx → ufCrmx`, `UF_x → ufx`.
 * Collisions are resolved by {@link resolveUserFieldNames}, not here.
 */
export function upperToCamel(upper: string): string {
  if (usesSimplifiedUfRule(upper)) {
    if (upper.startsWith('UF_CRM_')) return 'ufCrm_' + upper.slice('UF_CRM_'.length)
    if (upper.startsWith('UF_CRM')) return 'ufCrm' + upper.slice('UF_CRM'.length)
    return 'uf' + upper.slice('UF_'.length)
  }
  return regularUpperToCamel(upper)
}

/** camel names produced by the regular rule from a REGULAR_UF_PATTERNS name. */
const REGULAR_UF_CAMEL_PATTERNS: readonly RegExp[] = [
  /^uf[A-Z][A-Za-z]*$/, // ufLogo, ufCrmCalEvent
  /^ufCrm\d{1,4}_[\d_]+$/, // ufCrm3_1747309727
  /^ufCrm\d{1,4}[A-Z][A-Za-z]*$/, // ufCrm3Digit
]

/**
 * The regular camel → UPPER rule: an underscore goes in at every lower→Upper, letter→digit and
 * digit→letter boundary, then everything is upper-cased. `parentId2 → PARENT_ID_2`,
 * `ufCrm5_1623745 → UF_CRM_5_1623745`, `ufCrm10Digit → UF_CRM_10_DIGIT`.
 */
export function regularCamelToUpper(camel: string): string {
  return camel
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .replace(/([A-Za-z])(\d)/g, '$1_$2')
    .replace(/(\d)([A-Za-z])/g, '$1_$2')
    .toUpperCase()
}

/**
 * camel → UPPER without knowledge of the type's fields. Callers that know the type first look the name up
 * among its fields (see {@link FieldNameIndex}); this is the fallback for names that are not known, e.g. a
 * custom field of another type. A name that already is UPPER_CASE is returned unchanged.
 */
export function camelToUpper(camel: string): string {
  if (/^[A-Z0-9_]+$/.test(camel)) return camel
  if (camel.startsWith('uf') && !REGULAR_UF_CAMEL_PATTERNS.some((re) => re.test(camel))) {
    if (camel.startsWith('ufCrm_')) return 'UF_CRM_' + camel.slice('ufCrm_'.length)
    if (camel.startsWith('ufCrm')) return 'UF_CRM' + camel.slice('ufCrm'.length)
    return 'UF_' + camel.slice('uf'.length)
  }
  return regularCamelToUpper(camel)
}

/**
 * The camel names of a type's custom fields. A custom field whose converted name is already taken by
 * another field of the item keeps its original UPPER name (universal/index.md: "If the converted name is
 * already taken by another field of the object, the field is returned in its original UPPER_CASE form").
 * `takenNames` are the camel names of the type's system fields; custom fields are processed in order, so
 * the first custom field to claim a name wins.
 */
export function resolveUserFieldNames(
  ufUpperNames: readonly string[],
  takenNames: Iterable<string>,
): Map<string, string> {
  const taken = new Set(takenNames)
  const result = new Map<string, string>()
  for (const upper of ufUpperNames) {
    const camel = upperToCamel(upper)
    const name = taken.has(camel) ? upper : camel
    taken.add(name)
    result.set(upper, name)
  }
  return result
}

/** `parentId{N}`: the parent-relation field for parent entity type N (universal/object-fields.md). */
export function parentFieldName(parentEntityTypeId: number): string {
  return `parentId${parentEntityTypeId}`
}

/** `PARENT_ID_{N}`: the UPPER form of {@link parentFieldName}. */
export function parentFieldUpperName(parentEntityTypeId: number): string {
  return `PARENT_ID_${parentEntityTypeId}`
}

/** The parent entity type id named by `parentId{N}` or `PARENT_ID_{N}`, or null for any other name. */
export function parseParentFieldName(name: string): number | null {
  const match = /^(?:parentId|PARENT_ID_)([1-9]\d*)$/.exec(name)
  return match?.[1] === undefined ? null : Number(match[1])
}

/**
 * Name lookup for one entity type: both spellings of every known field map to the field's entry. This is
 * the converter cache of server-behaviour.md §1.D item 29 ("the factory's names are pre-registered, so any
 * known field converts exactly").
 */
export class FieldNameIndex<T extends { readonly name: string; readonly upperName: string }> {
  readonly #byName = new Map<string, T>()
  readonly #byUpper = new Map<string, T>()

  constructor(entries: Iterable<T>) {
    for (const entry of entries) {
      this.#byName.set(entry.name, entry)
      this.#byUpper.set(entry.upperName, entry)
    }
  }

  /** The entry for a camelCase or UPPER_CASE name (exact case), or undefined. */
  find(name: string): T | undefined {
    return this.#byName.get(name) ?? this.#byUpper.get(name)
  }

  byName(name: string): T | undefined {
    return this.#byName.get(name)
  }

  byUpperName(upperName: string): T | undefined {
    return this.#byUpper.get(upperName)
  }
}
