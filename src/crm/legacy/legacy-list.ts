/**
 * What the legacy lists (`crm.lead|deal|contact|company.list`) filter and sort on: the item list field map
 * (item-store.ts itemListFieldMap) under the legacy names — STATUS_ID is the lead's stage column, DATE_CREATE
 * the creation time, COMPANY_TYPE the company's type … — plus the multifields by value.
 *
 * - PHONE / EMAIL / WEB / IM / LINK filter on the item's values of that kind ("Filters for these fields only
 *   work on exact matches", crm-contact-list.md, crm-company-list.md; crm-lead-list.md `{"PHONE": "555888"}`);
 *   they cannot sort. See {@link multifieldFilter} for what each prefix does;
 * - a deal's CONTACT_IDS is not there ("The filter does not support the field CONTACT_IDS", crm-deal-list.md);
 * - custom fields (UF_…) and PARENT_ID_{N} keep their names.
 * Every client value is bound; SQL text comes from these declarations only (store/list-query.ts).
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { ListField, ListFieldMap } from '../../store/list-query.js'
import { itemListFieldMap, type ItemListOptions } from '../items/item-store.js'
import type { LegacyEntity, MultifieldType } from './legacy-entity.js'

const item = (column: string) => sql.ref(`crm_item.${column}`)

/**
 * A multifield key: `exists (one of the item's values of this kind equals one of the given values)`.
 * - "Filters for these fields only work on exact matches": the whole value is compared, with no phone
 *   normalisation and no substring search — a LIKE or range prefix (`%PHONE`, `>PHONE`) compares exactly like
 *   the bare key; `@PHONE` takes a list (any of them);
 * - the comparison ignores letter case, as the vendor's MySQL collation does (`EMAIL: "Special-For@…"` finds
 *   `special-for@…`);
 * - an empty value (`''`, null) matches items with no value of this kind;
 * - the negated prefixes (`!`, `!=`, `!@`, `!%` …) take the complement: items with no such value.
 */
function multifieldFilter(typeId: MultifieldType): ListField {
  return {
    column: 'crm_item.id',
    type: 'string',
    sortable: false,
    filter: (ctx) => {
      const given = Array.isArray(ctx.value) ? (ctx.value as unknown[]) : [ctx.value]
      const wanted = [
        ...new Set(
          given
            .filter((v) => v !== null && v !== undefined && v !== '')
            .map((v) => String(v as string | number)),
        ),
      ]
      const emptyWanted = given.some((v) => v === null || v === undefined || v === '')
      const ofKind = (condition: RawBuilder<SqlBool>) =>
        sql<SqlBool>`exists (select 1 from crm_multifield as m where m.portal_id = ${item('portal_id')} and m.entity_type_id = ${item('entity_type_id')} and m.item_id = ${item('id')} and m.type_id = ${typeId} and ${condition})`
      const parts: RawBuilder<SqlBool>[] = []
      if (wanted.length > 0) {
        // lower() on both sides: the same folding whatever the store's lower() covers (SQLite: ASCII only).
        const lowered = wanted.map((v) => sql`lower(cast(${v} as text))`)
        parts.push(ofKind(sql<SqlBool>`lower(m.value) in (${sql.join(lowered)})`))
      }
      if (emptyWanted) parts.push(sql<SqlBool>`not ${ofKind(sql<SqlBool>`1 = 1`)}`)
      const positive =
        parts.length === 0
          ? sql<SqlBool>`1 = 0`
          : parts.length === 1
            ? (parts[0] as RawBuilder<SqlBool>)
            : sql<SqlBool>`(${sql.join(parts, sql` or `)})`
      return ctx.negated ? sql<SqlBool>`not ${positive}` : positive
    },
  }
}

export function legacyListFieldMap(entity: LegacyEntity, options: ItemListOptions = {}): ListFieldMap {
  const base = itemListFieldMap(entity.type, options)
  const map = new Map<string, ListField>()
  const id = base.get('ID')
  if (id !== undefined) map.set('ID', id)
  for (const spec of entity.fields) {
    if (spec.name === 'ID' || spec.output === 'never') continue
    if (spec.multifield !== undefined) {
      map.set(spec.name, multifieldFilter(spec.multifield))
      continue
    }
    const entry = base.get(entity.itemField(spec).upperName)
    if (entry !== undefined) map.set(spec.name, entry)
  }
  for (const [name, entry] of base) {
    if (name.startsWith('UF_') || name.startsWith('PARENT_ID_')) map.set(name, entry)
  }
  return map
}
