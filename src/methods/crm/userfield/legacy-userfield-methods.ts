/**
 * The legacy custom-field methods of leads, deals, contacts and companies — `crm.{entity}.userfield.add / get /
 * list / update / delete` (api-reference/crm/leads/userfield/, deals/user-defined-fields/, contacts/userfield/,
 * companies/userfields/). The four families behave alike; each method file builds its definition here.
 *
 * Rights: add / update / delete need "Allow to modify settings" (CRM administrators); get / list the read right
 * on the entity. A field of another entity is "Access denied." (the pages' 403 rows).
 */
import { defineMethod, ListPage, type CallContext, type MethodDefinition } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import type { EntityTypeDescriptor } from '../../../crm/entity-types/entity-type.js'
import { builtInEntityType } from '../../../crm/entity-types/registry.js'
import { permissionsOf } from '../../../crm/permissions/index.js'
import { canChangeCrmSettings, isIntranetUser } from '../dictionary-common.js'
import {
  LABEL_KINDS,
  legacyUserFieldRecord,
  type LabelKind,
  type UserFieldDefinition,
  type UserFieldLabels,
} from '../../../crm/user-fields/user-field.js'
import {
  createUserField,
  deleteUserField,
  getUserField,
  legacyFieldName,
  listUserFieldsOfEntity,
  normaliseShowFilter,
  requireUserType,
  updateUserField,
  type UserFieldPatch,
} from '../../../crm/user-fields/user-field-store.js'
import {
  enumItemsInput,
  flag,
  intValue,
  labelOnLegacyAdd,
  labelOnLegacyUpdate,
  legacyAccessDenied,
  legacyArrayParam,
  legacyNotFound,
  legacyUfError,
  phpArray,
  idParam,
  textValue,
  withLegacyUserFieldErrors,
} from './userfield-wire.js'

export interface LegacyUserFieldEntity {
  readonly entityTypeId: number
  /** `crm.lead`, `crm.deal`, … */
  readonly prefix: string
  /** The docs folder of the method pages: `leads/userfield`, `deals/user-defined-fields` … */
  readonly docsFolder: string
  /** `crm-lead` → crm-lead-userfield-add.md. */
  readonly docsStem: string
  readonly noun: string
}

export const LEAD_USERFIELDS: LegacyUserFieldEntity = {
  entityTypeId: 1,
  prefix: 'crm.lead',
  docsFolder: 'leads/userfield',
  docsStem: 'crm-lead',
  noun: 'leads',
}
export const DEAL_USERFIELDS: LegacyUserFieldEntity = {
  entityTypeId: 2,
  prefix: 'crm.deal',
  docsFolder: 'deals/user-defined-fields',
  docsStem: 'crm-deal',
  noun: 'deals',
}
export const CONTACT_USERFIELDS: LegacyUserFieldEntity = {
  entityTypeId: 3,
  prefix: 'crm.contact',
  docsFolder: 'contacts/userfield',
  docsStem: 'crm-contact',
  noun: 'contacts',
}
export const COMPANY_USERFIELDS: LegacyUserFieldEntity = {
  entityTypeId: 4,
  prefix: 'crm.company',
  docsFolder: 'companies/userfields',
  docsStem: 'crm-company',
  noun: 'companies',
}

function typeOf(entity: LegacyUserFieldEntity): EntityTypeDescriptor {
  const type = builtInEntityType(entity.entityTypeId)
  if (type === undefined) throw new Error(`no entity type ${entity.entityTypeId}`)
  return type
}

function reference(entity: LegacyUserFieldEntity, op: string): string {
  return `api-reference/crm/${entity.docsFolder}/${entity.docsStem}-userfield-${op}.md`
}

async function requireSettingsRight(ctx: CallContext): Promise<void> {
  if (!isIntranetUser(ctx.principal) || !(await canChangeCrmSettings(ctx.store.db, ctx.principal))) {
    throw legacyAccessDenied()
  }
}

async function requireReadRight(ctx: CallContext, type: EntityTypeDescriptor): Promise<void> {
  if (!isIntranetUser(ctx.principal)) throw legacyAccessDenied()
  if (!(await permissionsOf(ctx.store.db, ctx.principal)).canType('read', type)) throw legacyAccessDenied()
}

/** `fields`: must be an array when given ("Parameter 'fields' must be array."); missing is empty. */
function fieldsParam(params: Record<string, unknown>, name = 'fields'): Record<string, unknown> {
  const { present, value } = legacyArrayParam(params, name)
  if (!present || value === null || value === undefined || value === '') return {}
  const fields = phpArray(value)
  if (fields === undefined) throw legacyUfError(`Parameter '${name}' must be array.`)
  return fields
}

function requireId(params: Record<string, unknown>): number {
  const id = idParam(params)
  if (id === undefined) throw legacyUfError('ID is not defined or invalid.')
  return id
}

/** The field by id, when it belongs to the entity: another entity's field is "Access denied.". */
async function ownField(
  ctx: CallContext,
  type: EntityTypeDescriptor,
  id: number,
): Promise<UserFieldDefinition> {
  const def = await getUserField(ctx.store.db, ctx.principal.portal.id, id)
  if (def === undefined) throw legacyNotFound(id)
  if (def.entityId !== type.userFieldEntityId) throw legacyAccessDenied()
  return def
}

// ---------------------------------------------------------------------------------------------------------
// add
// ---------------------------------------------------------------------------------------------------------

export function legacyUserFieldAdd(entity: LegacyUserFieldEntity): MethodDefinition {
  return defineMethod({
    name: `${entity.prefix}.userfield.add`,
    scope: 'crm',
    summary: `Creates a custom field for ${entity.noun}; returns its id.`,
    reference: reference(entity, 'add'),
    parity: 'partial',
    limitations: [
      'Application field types (rest_*, userfieldtype.add) do not exist; iblock_section / iblock_element fields store the ids given (there are no information blocks).',
      'No ONCRM*USERFIELDADD event is sent.',
    ],
    params: wireRecord,
    handler: async (params, ctx) => {
      await requireSettingsRight(ctx)
      const type = typeOf(entity)
      const fields = fieldsParam(params)
      return withLegacyUserFieldErrors('add', async () => {
        const fieldName = legacyFieldName(fields['FIELD_NAME'])
        const userType = requireUserType(fields['USER_TYPE_ID'])
        const label = textValue(fields['LABEL'])
        const labels = {} as UserFieldLabels
        for (const kind of LABEL_KINDS) labels[kind] = labelOnLegacyAdd(fields[kind], label)
        const settings = phpArray(fields['SETTINGS']) ?? {}
        const enumItems = enumItemsInput(fields['LIST'])
        const sort = intValue(fields['SORT'])
        const xmlId = textValue(fields['XML_ID'])
        const created = await ctx.store.transaction((tx) =>
          createUserField(
            ctx.store,
            tx,
            ctx.principal.portal.id,
            {
              entityId: type.userFieldEntityId,
              fieldName,
              userTypeId: userType.id,
              multiple: flag(fields['MULTIPLE']) ?? false,
              mandatory: flag(fields['MANDATORY']) ?? false,
              showFilter: normaliseShowFilter(fields['SHOW_FILTER']),
              showInList: flag(fields['SHOW_IN_LIST']) ?? false,
              editInList: flag(fields['EDIT_IN_LIST']) ?? true,
              isSearchable: flag(fields['IS_SEARCHABLE']) ?? false,
              settings,
              labels,
              ...(sort === undefined ? {} : { sort }),
              ...(xmlId === undefined ? {} : { xmlId }),
              ...(enumItems === undefined ? {} : { enumItems }),
            },
            ctx.clock.now(),
          ),
        )
        return created.id
      })
    },
  })
}

// ---------------------------------------------------------------------------------------------------------
// get
// ---------------------------------------------------------------------------------------------------------

export function legacyUserFieldGet(entity: LegacyUserFieldEntity): MethodDefinition {
  return defineMethod({
    name: `${entity.prefix}.userfield.get`,
    scope: 'crm',
    summary: `A custom field of ${entity.noun} by id, with its labels in every language.`,
    reference: reference(entity, 'get'),
    parity: 'full',
    params: wireRecord,
    handler: async (params, ctx) => {
      const type = typeOf(entity)
      await requireReadRight(ctx, type)
      const def = await ownField(ctx, type, requireId(params))
      return legacyUserFieldRecord(def, { kind: 'maps' })
    },
  })
}

// ---------------------------------------------------------------------------------------------------------
// list
// ---------------------------------------------------------------------------------------------------------

const LIST_FILTER_KEYS = [
  'ID',
  'FIELD_NAME',
  'USER_TYPE_ID',
  'XML_ID',
  'SORT',
  'MULTIPLE',
  'MANDATORY',
  'SHOW_FILTER',
  'SHOW_IN_LIST',
  'EDIT_IN_LIST',
  'IS_SEARCHABLE',
] as const

const LIST_ORDER_KEYS = ['ID', 'FIELD_NAME', 'USER_TYPE_ID', 'XML_ID', 'SORT'] as const

export function legacyUserFieldList(entity: LegacyUserFieldEntity): MethodDefinition {
  return defineMethod({
    name: `${entity.prefix}.userfield.list`,
    scope: 'crm',
    summary: `The custom fields of ${entity.noun}, filtered and sorted; labels with filter.LANG.`,
    reference: reference(entity, 'list'),
    parity: 'full',
    params: wireRecord,
    handler: async (params, ctx) => {
      const type = typeOf(entity)
      const order = fieldsParam(params, 'order')
      const filter = fieldsParam(params, 'filter')
      await requireReadRight(ctx, type)
      const defs = await listUserFieldsOfEntity(ctx.store.db, ctx.principal.portal.id, type.userFieldEntityId)
      const language = textValue(filter['LANG'] ?? filter['lang'])
      const records = defs.map((def) =>
        legacyUserFieldRecord(
          def,
          language === undefined ? { kind: 'none' } : { kind: 'language', language: language.toLowerCase() },
        ),
      )
      const matching = records.filter((record) => matchesFilter(record, filter))
      sortRecords(matching, order)
      return new ListPage(matching, matching.length, undefined)
    },
  })
}

/** Exact match of every known key ("All conditions for individual fields are combined using AND"). */
function matchesFilter(record: Record<string, unknown>, filter: Record<string, unknown>): boolean {
  for (const [rawKey, expected] of Object.entries(filter)) {
    const key = rawKey.toUpperCase()
    if (!(LIST_FILTER_KEYS as readonly string[]).includes(key)) continue
    const actual = record[key]
    const wanted = Array.isArray(expected) ? expected : [expected]
    const normalise = (v: unknown) => (v === null || v === undefined ? '' : String(v).toUpperCase())
    if (!wanted.some((w) => normalise(w) === normalise(actual))) return false
  }
  return true
}

function sortRecords(records: Record<string, unknown>[], order: Record<string, unknown>): void {
  const items: { key: string; desc: boolean }[] = []
  for (const [rawKey, direction] of Object.entries(order)) {
    const key = rawKey.toUpperCase()
    if (!(LIST_ORDER_KEYS as readonly string[]).includes(key)) continue
    items.push({ key, desc: String(direction).toUpperCase() === 'DESC' })
  }
  if (items.length === 0) items.push({ key: 'SORT', desc: false }, { key: 'ID', desc: false })
  const numeric = new Set(['ID', 'SORT'])
  records.sort((a, b) => {
    for (const { key, desc } of items) {
      const x = a[key]
      const y = b[key]
      const cmp = numeric.has(key) ? Number(x) - Number(y) : String(x ?? '').localeCompare(String(y ?? ''))
      if (cmp !== 0) return desc ? -cmp : cmp
    }
    return Number(a['ID']) - Number(b['ID'])
  })
}

// ---------------------------------------------------------------------------------------------------------
// update
// ---------------------------------------------------------------------------------------------------------

export function legacyUserFieldUpdate(entity: LegacyUserFieldEntity): MethodDefinition {
  return defineMethod({
    name: `${entity.prefix}.userfield.update`,
    scope: 'crm',
    summary: `Changes a custom field of ${entity.noun}: flags, settings, labels, list values.`,
    reference: reference(entity, 'update'),
    parity: 'partial',
    limitations: ['No ONCRM*USERFIELDUPDATE event is sent.'],
    params: wireRecord,
    handler: async (params, ctx) => {
      const fields = fieldsParam(params)
      const id = requireId(params)
      await requireSettingsRight(ctx)
      const type = typeOf(entity)
      const def = await ownField(ctx, type, id)
      const patch: UserFieldPatch = {}
      const mandatory = flag(fields['MANDATORY'])
      if (mandatory !== undefined) patch.mandatory = mandatory
      if (fields['SHOW_FILTER'] !== undefined) patch.showFilter = normaliseShowFilter(fields['SHOW_FILTER'])
      const xmlId = textValue(fields['XML_ID'])
      if (xmlId !== undefined) patch.xmlId = xmlId
      const settings = phpArray(fields['SETTINGS'])
      if (settings !== undefined) patch.settings = settings
      const enumItems = enumItemsInput(fields['LIST'])
      if (enumItems !== undefined) patch.enumItems = enumItems
      const sort = intValue(fields['SORT'])
      if (sort !== undefined) patch.sort = sort
      const showInList = flag(fields['SHOW_IN_LIST'])
      if (showInList !== undefined) patch.showInList = showInList
      const editInList = flag(fields['EDIT_IN_LIST'])
      if (editInList !== undefined) patch.editInList = editInList
      const isSearchable = flag(fields['IS_SEARCHABLE'])
      if (isSearchable !== undefined) patch.isSearchable = isSearchable
      const labels: Partial<Record<LabelKind, Record<string, string>>> = {}
      for (const kind of LABEL_KINDS) {
        const map = labelOnLegacyUpdate(fields[kind])
        if (map !== undefined) labels[kind] = map
      }
      if (Object.keys(labels).length > 0) patch.labels = labels
      await withLegacyUserFieldErrors('update', () =>
        ctx.store.transaction((tx) => updateUserField(ctx.store, tx, ctx.principal.portal.id, def, patch)),
      )
      return true
    },
  })
}

// ---------------------------------------------------------------------------------------------------------
// delete
// ---------------------------------------------------------------------------------------------------------

export function legacyUserFieldDelete(entity: LegacyUserFieldEntity): MethodDefinition {
  return defineMethod({
    name: `${entity.prefix}.userfield.delete`,
    scope: 'crm',
    summary: `Deletes a custom field of ${entity.noun} with the values items hold in it.`,
    reference: reference(entity, 'delete'),
    parity: 'partial',
    limitations: ['No ONCRM*USERFIELDDELETE event is sent.'],
    params: wireRecord,
    handler: async (params, ctx) => {
      const id = requireId(params)
      await requireSettingsRight(ctx)
      const type = typeOf(entity)
      const def = await ownField(ctx, type, id)
      await ctx.store.transaction((tx) =>
        deleteUserField(tx, ctx.store.dialect, ctx.principal.portal.id, def),
      )
      return true
    },
  })
}
