import type { CompiledQuery } from 'kysely'
import { defineMethod, ListPage } from '../../define-method.js'
import { RestError } from '../../../protocol/errors.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { ListQueryError, runListPage, type OrderItem } from '../../../store/list-query.js'
import { param } from '../../../store/prepared.js'
import type { EntityTypeDescriptor } from '../../../crm/entity-types/entity-type.js'
import {
  camelToUpper,
  parentFieldUpperName,
  parseParentFieldName,
} from '../../../crm/entity-types/field-names.js'
import {
  itemListBaseKey,
  itemListBaseQuery,
  itemListFieldMap,
  itemsFromRows,
  type LoadParts,
} from '../../../crm/items/item-store.js'
import { itemToWire, resolveItemSelect } from '../../../crm/items/item-output.js'
import { permissionsOf } from '../../../crm/permissions/index.js'
import {
  itemWireOptions,
  loadItemTypeContext,
  type ItemTypeContext,
  readUseOriginalUfNames,
  requiredIntParam,
  requireItemIntranetUser,
  resolveItemType,
  userFieldKeysOf,
} from './item-wire.js'

const DEFAULT_ORDER: readonly OrderItem[] = [{ field: 'ID', direction: 'asc' }]

/**
 * crm.item.list (api-reference/crm/universal/crm-item-list.md): a page of 50 items of a type as
 * `{items: […]}` with `total` and `next` (src/store/list-query.ts).
 *
 * - `filter`: every operator prefix of the page, nested `logic: 'OR'` groups; keys in camelCase or
 *   UPPER_CASE (the controller converts them to UPPER: research/server-behaviour.md §3 item 71); a field that
 *   cannot be filtered or a value of the wrong type is 400 INVALID_ARG_VALUE with the page's texts;
 * - `order`: `{field: ASC|DESC}`, default by id; a tie-break on id keeps pages stable;
 * - `select`: see resolveItemSelect (`*` or nothing = whole items with `fm`; `id` always);
 * - `start`: offset in steps of 50; `-1` skips the count (no `total`), for `>id` keyset paging.
 * What each field supports: src/crm/items/item-store.ts itemListFieldMap.
 *
 * "CRM object items will not be included in the final selection if the user does not have read permission
 * for those items": the caller's read right is one more condition of the query (src/crm/permissions/), so
 * `total` and paging count only what the caller may see.
 */
export default defineMethod({
  name: 'crm.item.list',
  scope: 'crm',
  summary: 'A filtered, sorted page of CRM items of one type, with the selected fields.',
  reference: 'api-reference/crm/universal/crm-item-list.md',
  parity: 'partial',
  limitations: [
    'Multiple custom fields can be filtered (a match on any value) but not sorted.',
    'fm and its flat aliases cannot be filtered; `contactId`, `companyId` (of contacts), `observers`, `contactIds`, `companyIds` can be filtered but not sorted.',
  ],
  params: wireRecord,
  handler: async (params, ctx) => {
    requireItemIntranetUser(ctx)
    const entityTypeId = requiredIntParam(params, 'entityTypeId')
    const useOriginalUfNames = readUseOriginalUfNames(params)
    const type = await resolveItemType(ctx, entityTypeId)
    const portalId = ctx.principal.portal.id
    const context = await loadItemTypeContext(ctx.store.db, portalId, type)
    const listOptions = {
      parentEntityTypeIds: context.parentEntityTypeIds,
      userFields: context.userFieldDefinitions,
      dialect: ctx.store.dialect,
    }
    const fields = itemListFieldMap(type, listOptions)
    const db = ctx.store.db
    const readable = (await permissionsOf(db, ctx.principal)).itemFilter('read', type)
    const base = () => {
      const query = itemListBaseQuery(db, param('portalId'), type, listOptions)
      return readable === undefined ? query : query.where(readable)
    }
    // The read right is part of the SQL: its text and values name the query too.
    const readableKey = readable === undefined ? '' : compiledKey(readable.compile(db))

    let page
    try {
      page = await runListPage(
        base,
        { filter: params['filter'], order: params['order'], start: params['start'] },
        fields,
        {
          keyCase: (name) => upperFieldName(type, name),
          onUnknownField: 'error',
          allowOr: true,
          onInvalidValue: 'error',
          timeZoneOffsetMinutes: ctx.principal.portal.timeZoneOffset,
          defaultOrder: DEFAULT_ORDER,
          tieBreakerColumn: 'crm_item.id',
          prepared: { db, key: `${itemListBaseKey(type)}|${readableKey}`, values: { portalId } },
        },
      )
    } catch (error) {
      if (error instanceof ListQueryError) throw new RestError('INVALID_ARG_VALUE', error.message, 400)
      throw error
    }

    const select = resolveItemSelect(type, params['select'], {
      userFieldKeys: userFieldKeysOf(context, useOriginalUfNames),
      parentEntityTypeIds: context.parentEntityTypeIds,
    })
    const items = await itemsFromRows(
      ctx.store.db,
      portalId,
      type,
      page.rows,
      partsFor(type, select, context),
    )
    const options = itemWireOptions(ctx, context, useOriginalUfNames, select)
    return new ListPage(
      { items: items.map((item) => itemToWire(type, item, options)) },
      page.total,
      page.next,
    )
  },
})

function compiledKey(compiled: CompiledQuery): string {
  return `${compiled.sql}|${JSON.stringify(compiled.parameters)}`
}

/**
 * A filter/order key in the UPPER form the field map uses: a known field by either spelling, `parentId{N}`,
 * anything else by the generic camel → UPPER rule (then not found unless it is a declared field).
 */
function upperFieldName(type: EntityTypeDescriptor, name: string): string {
  const field = type.fieldIndex.find(name)
  if (field !== undefined) return field.upperName
  const parentType = parseParentFieldName(name)
  if (parentType !== null) return parentFieldUpperName(parentType)
  return camelToUpper(name)
}

/**
 * The side tables a selection needs: all for whole items, but parent relations only when the type has some
 * (only `parentId{N}` fields print them).
 */
function partsFor(
  type: EntityTypeDescriptor,
  select: readonly string[] | undefined,
  context: ItemTypeContext,
): LoadParts {
  if (select === undefined) return { parents: context.parentEntityTypeIds.length > 0 }
  const wants = new Set(select)
  const storageOf = (name: string) => type.fieldIndex.byName(name)?.storage
  let observers = false
  let contactBindings = false
  let contactCompanies = false
  let multifields = false
  for (const name of wants) {
    const storage = storageOf(name)
    if (storage === undefined) continue
    if (storage.kind === 'multifieldAlias') multifields = true
    if (storage.kind === 'relation' || storage.kind === 'primaryBinding') {
      const relation = storage.relation
      if (relation === 'observers') observers = true
      if (relation === 'contactBindings') contactBindings = true
      if (relation === 'contactCompanies') contactCompanies = true
      if (relation === 'multifields') multifields = true
    }
  }
  return {
    observers,
    contactBindings,
    contactCompanies,
    multifields,
    parents: select.some((key) => parseParentFieldName(key) !== null),
  }
}
