/**
 * What the crm.type.* methods share (api-reference/crm/universal/user-defined-object-types/): rights, reading
 * the `fields` of add / update, the wire shape of a type (api-reference/crm/data-types.md#type), the list
 * fields and crm.type.fields.
 */
import type { CallContext } from '../../define-method.js'
import { RestError } from '../../../protocol/errors.js'
import { parseWireBool } from '../../../protocol/params/scalars.js'
import type { ListField, ListFieldMap } from '../../../store/list-query.js'
import type { Db } from '../../../store/schema.js'
import { formatIsoWithOffset } from '../../../lib/format-date.js'
import { builtInEntityType } from '../../../crm/entity-types/registry.js'
import type { SmartProcessFlags } from '../../../crm/entity-types/dynamic.js'
import {
  LINKED_USER_FIELD_KEYS,
  SMART_PROCESS_FLAG_NAMES,
  flagColumn,
  getTypeByEntityTypeId,
  type SmartProcessTypeRecord,
  type TypeRelation,
} from '../../../crm/dictionaries/dictionary-store.js'
import { ENTITY_TYPE } from '../../../crm/dictionaries/statuses.js'
import { permissionsOf } from '../../../crm/permissions/index.js'
import {
  asPhpArray,
  canChangeCrmSettings,
  isPlainObject,
  requireIntranet,
  scalarString,
} from '../dictionary-common.js'

/** The wording of the crm.type pages' intranet error (crm-type-add.md … error tables). */
export const INTRANET_ONLY = 'Action allowed only for intranet users'

/**
 * The caller checks of every crm.type method: intranet users only, and for everything but get /
 * getByEntityTypeId ("administrative access to the SPA, or read access") a CRM administrator.
 * crm.type.fields spells it "Access Denied" (crm-type-fields.md).
 */
export async function requireTypeCaller(
  ctx: CallContext,
  admin: 'required' | 'not required',
  denied = 'Access denied',
): Promise<void> {
  requireIntranet(ctx.principal, INTRANET_ONLY)
  if (admin === 'required' && !(await canChangeCrmSettings(ctx.store.db, ctx.principal))) {
    throw new RestError('ACCESS_DENIED', denied, 400)
  }
}

/**
 * crm.type.get / getByEntityTypeId: "any user with administrative access to the SPA, or a user with read
 * access to the SPA" — the read right for its items in some funnel.
 */
export async function requireTypeRead(ctx: CallContext, entityTypeId: number): Promise<void> {
  const permissions = await permissionsOf(ctx.store.db, ctx.principal)
  if (permissions.canChangeSettings || permissions.canType('read', { entityTypeId, hasCategories: true }))
    return
  throw new RestError('ACCESS_DENIED', 'Access denied', 400)
}

/** `{"error":0,…}`: "SPA not found", "Smart process not found" (crm-type-get.md and the others). */
export function typeError(description: string): RestError {
  return new RestError(0, description, 400)
}

/** The flags a client may set: those of crm.type.add (isPaymentsEnabled and isCountersEnabled are system). */
const WRITABLE_FLAGS = SMART_PROCESS_FLAG_NAMES.filter(
  (n) => n !== 'isPaymentsEnabled' && n !== 'isCountersEnabled',
)

/**
 * Relation and linkedUserFields values: "Values Y and N do not work. You must pass "true" or "false""
 * (crm-type-add.md). Read as PHP's FILTER_VALIDATE_BOOLEAN: true, 1, on, yes are true; anything else false.
 */
export function strictTrue(value: unknown): boolean {
  if (value === true || value === 1) return true
  return typeof value === 'string' && ['true', '1', 'on', 'yes'].includes(value.trim().toLowerCase())
}

export interface TypeInput {
  title?: string
  code?: string
  flags: Partial<Record<keyof SmartProcessFlags, boolean>>
  relations?: { parent: TypeRelation[]; child: TypeRelation[] }
  linkedUserFields?: Record<string, boolean>
  isExternal: boolean
  customSectionId?: number | null
}

/**
 * Reads the `fields` of crm.type.add / update. Flags take `Y`/`N` (and the other spellings of a boolean);
 * relations to types the portal does not have are dropped without an error ("If an error occurs while
 * trying to save the passed link settings, it will not be displayed", crm-type-update.md).
 */
export async function readTypeInput(
  db: Db,
  portalId: number,
  fields: Record<string, unknown>,
): Promise<TypeInput> {
  const input: TypeInput = { flags: {}, isExternal: parseWireBool(fields['isExternal']) === true }
  if ('title' in fields) input.title = scalarString(fields['title']) ?? ''
  if ('code' in fields) input.code = scalarString(fields['code']) ?? ''
  for (const name of WRITABLE_FLAGS) {
    const value = parseWireBool(fields[name])
    if (value !== undefined) input.flags[name] = value
  }
  if ('relations' in fields) {
    const relations = asPhpArray(fields['relations']) ?? {}
    input.relations = {
      parent: await readRelations(db, portalId, relations['parent']),
      child: await readRelations(db, portalId, relations['child']),
    }
  }
  if ('linkedUserFields' in fields) {
    const linked = asPhpArray(fields['linkedUserFields']) ?? {}
    input.linkedUserFields = Object.fromEntries(
      LINKED_USER_FIELD_KEYS.filter((key) => key in linked).map((key) => [key, strictTrue(linked[key])]),
    )
  }
  if ('customSectionId' in fields) {
    const raw = scalarString(fields['customSectionId'])
    input.customSectionId =
      raw !== undefined && /^\s*\d+\s*$/.test(raw) && Number(raw) > 0 ? Number(raw) : null
  }
  return input
}

async function readRelations(db: Db, portalId: number, raw: unknown): Promise<TypeRelation[]> {
  const list = asPhpArray(raw)
  if (list === undefined) return []
  const result: TypeRelation[] = []
  for (const entry of Object.values(list)) {
    if (!isPlainObject(entry)) continue
    const id = Number(scalarString(entry['entityTypeId']) ?? Number.NaN)
    if (!Number.isSafeInteger(id) || result.some((r) => r.entityTypeId === id)) continue
    const known =
      builtInEntityType(id) !== undefined || (await getTypeByEntityTypeId(db, portalId, id)) !== undefined
    if (!known) continue
    result.push({ entityTypeId: id, isChildrenListEnabled: strictTrue(entry['isChildrenListEnabled']) })
  }
  return result
}

/** "Select a workplace where the SPA will be located": isExternal without a digital workplace. */
export function checkWorkplace(input: TypeInput, current: number | null): void {
  const section = input.customSectionId === undefined ? current : input.customSectionId
  if (input.isExternal && section === null)
    throw typeError('Select a workplace where the SPA will be located')
}

/** The title is the type's one required field (crm-type-fields.md `title.isRequired`); an ORM-style error. */
export function checkTitle(title: string | undefined): void {
  if (title !== undefined && title.trim() === '') {
    throw new RestError('BX_EMPTY_REQUIRED', 'Field "Title" is required', 400)
  }
}

type YN = 'Y' | 'N'

interface RelationWire {
  entityTypeId: number
  isChildrenListEnabled: YN
  isPredefined: YN
}

const yn = (value: boolean): YN => (value ? 'Y' : 'N')

/**
 * Relations as crm.type.get shows them: with the Client field on, contacts and companies are predefined
 * parents (`isPredefined: Y`, first), then the ones the client set (crm-type-add.md example; the
 * crm-type-update.md example has the field off and no predefined parents).
 */
function relationsToWire(record: SmartProcessTypeRecord): { parent: RelationWire[]; child: RelationWire[] } {
  const predefined = record.settings.isClientEnabled ? [ENTITY_TYPE.contact, ENTITY_TYPE.company] : []
  const user = (r: TypeRelation): RelationWire => ({
    entityTypeId: r.entityTypeId,
    isChildrenListEnabled: yn(r.isChildrenListEnabled),
    isPredefined: 'N',
  })
  return {
    parent: [
      ...predefined.map((id) => ({
        entityTypeId: id,
        isChildrenListEnabled: 'Y' as YN,
        isPredefined: 'Y' as YN,
      })),
      ...record.relations.parent.filter((r) => !(predefined as number[]).includes(r.entityTypeId)).map(user),
    ],
    child: record.relations.child.map(user),
  }
}

/** linkedUserFields: every key, `Y` only while isUseInUserfieldEnabled is on ("only be considered if …"). */
function linkedToWire(record: SmartProcessTypeRecord): Record<string, YN> {
  const on = record.settings.isUseInUserfieldEnabled
  return Object.fromEntries(
    LINKED_USER_FIELD_KEYS.map((key) => [key, yn(on && record.linkedUserFields[key] === true)]),
  )
}

function flagsToWire(record: SmartProcessTypeRecord): Record<string, YN> {
  return Object.fromEntries(SMART_PROCESS_FLAG_NAMES.map((name) => [name, yn(record.settings[name])]))
}

/**
 * A type on the wire. Key sets and order follow the docs: `get` (crm.type.get / getByEntityTypeId / update
 * examples), `list` (crm.type.list: no relations, linkedUserFields, customSections), `add` (crm.type.add:
 * no `code`, title after updatedBy, customSectionId last).
 */
export function typeToWire(
  record: SmartProcessTypeRecord,
  offsetMinutes: number,
  shape: 'get' | 'list' | 'add',
): Record<string, unknown> {
  const { settings } = record
  const time = (stored: string) => formatIsoWithOffset(Date.parse(stored), offsetMinutes)
  const stamps = {
    createdTime: time(record.createdTime),
    updatedTime: time(record.updatedTime),
    updatedBy: record.updatedBy,
  }
  if (shape === 'add') {
    return {
      id: settings.id,
      createdBy: record.createdBy,
      entityTypeId: settings.entityTypeId,
      ...flagsToWire(record),
      ...stamps,
      title: settings.title,
      relations: relationsToWire(record),
      linkedUserFields: linkedToWire(record),
      customSections: [],
      customSectionId: record.customSectionId,
    }
  }
  const wire: Record<string, unknown> = {
    id: settings.id,
    title: settings.title,
    code: record.code,
    createdBy: record.createdBy,
    entityTypeId: settings.entityTypeId,
    customSectionId: record.customSectionId,
    ...flagsToWire(record),
    ...stamps,
  }
  if (shape === 'get') {
    wire['relations'] = relationsToWire(record)
    wire['linkedUserFields'] = linkedToWire(record)
    wire['customSections'] = []
  }
  return wire
}

function column(name: string, type: ListField['type']): ListField {
  return { column: name, type }
}

/** crm.type.list `filter` / `order` fields: the scalar fields of the type object (crm-type-list.md). */
export const TYPE_LIST_FIELDS: ListFieldMap = new Map<string, ListField>([
  ['id', column('id', 'integer')],
  ['title', column('title', 'string')],
  ['code', column('code', 'string')],
  ['createdBy', column('created_by', 'integer')],
  ['entityTypeId', column('entity_type_id', 'integer')],
  ['customSectionId', column('custom_section_id', 'integer')],
  ...SMART_PROCESS_FLAG_NAMES.map((name): [string, ListField] => [name, column(flagColumn(name), 'char')]),
  ['createdTime', column('created_time', 'datetime')],
  ['updatedTime', column('updated_time', 'datetime')],
  ['updatedBy', column('updated_by', 'integer')],
])

interface FieldDescription {
  type: string
  isRequired: boolean
  isReadOnly: boolean
  isImmutable: boolean
  isMultiple: boolean
  isDynamic: boolean
  title: string
  upperName: string
}

/** crm.type.fields, as crm-type-fields.md shows it (isPaymentsEnabled / isCountersEnabled are not listed). */
export function typeFieldDescriptions(): Record<string, FieldDescription> {
  const d = (
    type: string,
    title: string,
    upperName: string,
    flags: { required?: boolean; readOnly?: boolean; immutable?: boolean } = {},
  ): FieldDescription => ({
    type,
    isRequired: flags.required === true,
    isReadOnly: flags.readOnly === true,
    isImmutable: flags.immutable === true,
    isMultiple: false,
    isDynamic: false,
    title,
    upperName,
  })
  const flag = (title: string, upperName: string) => d('boolean', title, upperName)
  return {
    id: d('integer', 'ID', 'ID', { readOnly: true }),
    title: d('string', 'Title', 'TITLE', { required: true }),
    code: d('string', 'Symbolic Code', 'CODE'),
    createdBy: d('user', 'Created By', 'CREATED_BY', { readOnly: true }),
    entityTypeId: d('integer', 'Type Identifier', 'ENTITY_TYPE_ID', { required: true, immutable: true }),
    customSectionId: d('integer', 'Digital Workspace', 'CUSTOM_SECTION_ID', { immutable: true }),
    isCategoriesEnabled: flag(
      'Use custom funnels and sales tunnels in the smart process',
      'IS_CATEGORIES_ENABLED',
    ),
    isStagesEnabled: flag('Use custom stages and Kanban in the smart process', 'IS_STAGES_ENABLED'),
    isBeginCloseDatesEnabled: flag("Fields 'Start Date' and 'End Date'", 'IS_BEGIN_CLOSE_DATES_ENABLED'),
    isClientEnabled: flag("Field 'Client'", 'IS_CLIENT_ENABLED'),
    isUseInUserfieldEnabled: flag('Use in user field', 'IS_USE_IN_USERFIELD_ENABLED'),
    isLinkWithProductsEnabled: flag('Link with catalog products', 'IS_LINK_WITH_PRODUCTS_ENABLED'),
    isMycompanyEnabled: flag("Field 'Your Company Details'", 'IS_MYCOMPANY_ENABLED'),
    isDocumentsEnabled: flag('Document Printing', 'IS_DOCUMENTS_ENABLED'),
    isSourceEnabled: flag("Fields 'Source' and 'Additional Information about Source'", 'IS_SOURCE_ENABLED'),
    isObserversEnabled: flag("Field 'Observers'", 'IS_OBSERVERS_ENABLED'),
    isRecyclebinEnabled: flag('Use Recycle Bin', 'IS_RECYCLEBIN_ENABLED'),
    isAutomationEnabled: flag(
      'Use Automation rules and triggers in the smart process',
      'IS_AUTOMATION_ENABLED',
    ),
    isBizProcEnabled: flag('Use business process designer in the smart process', 'IS_BIZ_PROC_ENABLED'),
    isSetOpenPermissions: flag('Make new funnels available to everyone', 'IS_SET_OPEN_PERMISSIONS'),
    createdTime: d('datetime', 'Creation Date', 'CREATED_TIME'),
    updatedTime: d('datetime', 'Modification Date', 'UPDATED_TIME'),
    updatedBy: d('user', 'Modified By', 'UPDATED_BY', { readOnly: true }),
  }
}
