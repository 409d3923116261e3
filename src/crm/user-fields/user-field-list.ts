/**
 * Custom fields in crm.item.list `filter` and `order` (crm-item-list.md: "To filter by custom fields of type
 * boolean, pass 1 or 0"; custom fields are filtered and sorted like system ones). Values live in the JSON
 * column `crm_item.uf`; each field becomes a list field whose SQL reads its key:
 * - SQLite: `json_extract(uf, '$."UF_CRM_…"')`, which yields the stored JSON type (integer, real, text);
 * - PostgreSQL: `uf::jsonb ->> 'UF_CRM_…'` (text), cast to numeric for numbers and booleans so they compare
 *   as numbers.
 * Single fields filter and sort on that expression; multiple fields match when any of their values does
 * (an `exists` over the JSON array) and cannot be sorted. Dates are stored `YYYY-MM-DD` and datetimes UTC
 * ISO text, so they compare as text like the system columns. Field names only ever come from definitions
 * (`A-Z0-9_`), and are still bound as parameters.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { Dialect } from '../../store/store.js'
import type { FieldFilterContext, ListField, ListFieldType } from '../../store/list-query.js'
import type { UserFieldDefinition } from './user-field.js'
import { userTypeSpec } from './user-field-types.js'

const UF_COLUMN = sql.ref('crm_item.uf')

function listTypeOf(def: UserFieldDefinition): ListFieldType {
  return userTypeSpec(def.userTypeId)?.listType ?? 'string'
}

function isNumeric(type: ListFieldType): boolean {
  return type === 'integer' || type === 'double' || type === 'boolean'
}

/** The value of a single field, typed for comparison. */
export function userFieldValueSql(dialect: Dialect, def: UserFieldDefinition): RawBuilder<unknown> {
  const type = listTypeOf(def)
  if (dialect === 'postgres') {
    const text = sql`(cast(${UF_COLUMN} as jsonb) ->> ${def.fieldName})`
    return isNumeric(type) ? sql`cast(${text} as numeric)` : text
  }
  return sql`json_extract(${UF_COLUMN}, ${`$."${def.fieldName}"`})`
}

/** The elements of a multiple field as rows of a one-column sub-select aliased `j(value)`. */
function elementsSql(dialect: Dialect, def: UserFieldDefinition): RawBuilder<unknown> {
  if (dialect === 'postgres') {
    const array = sql`(cast(${UF_COLUMN} as jsonb) -> ${def.fieldName})`
    return sql`jsonb_array_elements_text(case when jsonb_typeof(${array}) = 'array' then ${array} else '[]'::jsonb end) as j(value)`
  }
  return sql`json_each(${UF_COLUMN}, ${`$."${def.fieldName}"`}) as j`
}

function elementValueSql(dialect: Dialect, def: UserFieldDefinition): RawBuilder<unknown> {
  const value = sql.ref('j.value')
  return dialect === 'postgres' && isNumeric(listTypeOf(def)) ? sql`cast(${value} as numeric)` : value
}

/** The alias the base query selects a single field's value under, so `order` can name it. */
export function userFieldSortAlias(index: number): string {
  return `uf_sort_${index}`
}

/**
 * List fields for the type's custom fields, keyed by UPPER name (crm.item.list converts camel keys to UPPER).
 * `index` of each field is its position in `defs`: the base query selects the sort values under
 * {@link userFieldSortAlias}.
 */
export function userFieldListFields(
  dialect: Dialect,
  defs: readonly UserFieldDefinition[],
): Map<string, ListField> {
  const fields = new Map<string, ListField>()
  defs.forEach((def, index) => {
    const type = listTypeOf(def)
    if (def.multiple) {
      fields.set(def.fieldName, {
        column: 'crm_item.id',
        type,
        multiple: true,
        sortable: false,
        filter: (ctx) => multipleFilter(dialect, def, ctx),
      })
      return
    }
    const value = userFieldValueSql(dialect, def)
    fields.set(def.fieldName, {
      column: userFieldSortAlias(index),
      type,
      filter: (ctx) => {
        const condition = ctx.condition(value)
        return ctx.negated ? sql<SqlBool>`(${condition}) is not true` : condition
      },
    })
  })
  return fields
}

/**
 * A multiple field matches when one of its values does; an empty value (`''`, null) also matches items that
 * have none. Negated operators take the complement of the whole condition.
 */
function multipleFilter(
  dialect: Dialect,
  def: UserFieldDefinition,
  ctx: FieldFilterContext,
): RawBuilder<SqlBool> {
  const values = Array.isArray(ctx.value) ? ctx.value : [ctx.value]
  const emptyAllowed = (ctx.positiveOp === 'eq' || ctx.positiveOp === 'in') && values.some((v) => v === null)
  const elements = elementsSql(dialect, def)
  const matching = sql<SqlBool>`exists (select 1 from ${elements} where ${ctx.condition(elementValueSql(dialect, def))})`
  const none = sql<SqlBool>`not exists (select 1 from ${elements})`
  const positive = emptyAllowed ? sql<SqlBool>`(${matching} or ${none})` : matching
  return ctx.negated ? sql<SqlBool>`not ${positive}` : positive
}
