import { defineMethod, ListPage, type CallContext } from '../define-method.js'
import { wireRecord } from '../../protocol/params/scalars.js'
import { LIST_PAGE_SIZE } from '../../store/list-query.js'
import { isIntranetUser } from '../crm/dictionary-common.js'
import { BUILT_IN_ENTITY_TYPES, smartProcessEntityType } from '../../crm/entity-types/registry.js'
import type { EntityTypeDescriptor } from '../../crm/entity-types/entity-type.js'
import { listTypes } from '../../crm/dictionaries/dictionary-store.js'
import { userFieldConfigRecord } from '../../crm/user-fields/user-field.js'
import { listUserFieldsOfEntities } from '../../crm/user-fields/user-field-store.js'
import { phpArray, textValue } from '../crm/userfield/userfield-wire.js'
import { configError, mayRead, requireCrmModule } from './userfieldconfig-wire.js'

const FILTER_KEYS = new Set([
  'id',
  'entityId',
  'fieldName',
  'userTypeId',
  'xmlId',
  'sort',
  'multiple',
  'mandatory',
  'showFilter',
  'showInList',
  'editInList',
  'isSearchable',
])
const ORDER_KEYS = new Set(['id', 'entityId', 'fieldName', 'userTypeId', 'xmlId', 'sort'])
const NUMERIC = new Set(['id', 'sort'])

/**
 * userfieldconfig.list (api-reference/crm/universal/userfieldconfig/userfieldconfig-list.md): the custom fields
 * of the CRM objects the caller may read, `{fields: […]}` with `total` and `next` in pages of 50.
 * - `filter`: exact values of id, entityId, fieldName, userTypeId, xmlId, sort and the Y/N flags (AND);
 * - `order`: id, fieldName, userTypeId, xmlId, sort (default id ascending);
 * - `select`: `*` or field names; `language` (`select: {"0": "*", "language": "de"}`) prints the labels of
 *   that language only (null where there is none), as the page's example shows.
 */
export default defineMethod({
  name: 'userfieldconfig.list',
  scope: 'userfieldconfig',
  summary: 'The custom fields of the CRM objects, filtered, sorted and paged.',
  reference: 'api-reference/crm/universal/userfieldconfig/userfieldconfig-list.md',
  parity: 'full',
  params: wireRecord,
  handler: async (params, ctx) => {
    requireCrmModule(params, ctx)
    if (!isIntranetUser(ctx.principal))
      throw configError('You do not have permission to view user field settings')
    const select = phpArray(params['select']) ?? {}
    const language = textValue(select['language'])?.toLowerCase()
    const names = Object.entries(select)
      .filter(([key, value]) => key !== 'language' && typeof value === 'string')
      .map(([, value]) => value as string)
    const filter = phpArray(params['filter']) ?? {}
    const order = phpArray(params['order']) ?? {}
    const start = Math.max(0, Number.parseInt(String(params['start'] ?? 0), 10) || 0)

    const readable = await readableEntities(ctx)
    const defs = await listUserFieldsOfEntities(ctx.store.db, ctx.principal.portal.id, [...readable])
    const records = defs.map((def) => userFieldConfigRecord(def, language))
    const matching = records.filter((record) => matches(record, filter))
    sortRecords(matching, order)
    const page = matching.slice(start, start + LIST_PAGE_SIZE).map((record) => project(record, names))
    const next = start + LIST_PAGE_SIZE < matching.length ? start + LIST_PAGE_SIZE : undefined
    return new ListPage({ fields: page }, matching.length, next)
  },
})

/** The ENTITY_IDs of the CRM objects the caller may read. */
async function readableEntities(ctx: CallContext): Promise<Set<string>> {
  const types: EntityTypeDescriptor[] = [...BUILT_IN_ENTITY_TYPES]
  for (const record of await listTypes(ctx.store.db, ctx.principal.portal.id)) {
    types.push(smartProcessEntityType(record.settings))
  }
  const result = new Set<string>()
  for (const type of types) if (await mayRead(ctx, type)) result.add(type.userFieldEntityId)
  return result
}

function matches(record: Record<string, unknown>, filter: Record<string, unknown>): boolean {
  for (const [key, expected] of Object.entries(filter)) {
    if (!FILTER_KEYS.has(key)) continue
    const wanted = Array.isArray(expected) ? expected : [expected]
    const text = (v: unknown) => (v === null || v === undefined ? '' : String(v).toUpperCase())
    if (!wanted.some((w) => text(w) === text(record[key]))) return false
  }
  return true
}

function sortRecords(records: Record<string, unknown>[], order: Record<string, unknown>): void {
  const items = Object.entries(order)
    .filter(([key]) => ORDER_KEYS.has(key))
    .map(([key, direction]) => ({ key, desc: String(direction).toUpperCase() === 'DESC' }))
  if (items.length === 0) items.push({ key: 'id', desc: false })
  records.sort((a, b) => {
    for (const { key, desc } of items) {
      const cmp = NUMERIC.has(key)
        ? Number(a[key]) - Number(b[key])
        : String(a[key] ?? '').localeCompare(String(b[key] ?? ''))
      if (cmp !== 0) return desc ? -cmp : cmp
    }
    return Number(a['id']) - Number(b['id'])
  })
}

/** `select` names: `*` (or nothing) keeps every key; otherwise the names given, `id` always. */
function project(record: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  if (names.length === 0 || names.includes('*')) return record
  const keep = new Set(['id', ...names])
  return Object.fromEntries(Object.entries(record).filter(([key]) => keep.has(key)))
}
