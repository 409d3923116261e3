/**
 * The custom-field steps of the item operations (add-item.ts, update-item.ts), inside their transaction:
 * applying the read values (uploads stored, files no longer referenced deleted, users and dictionary values
 * checked, the portal's currency added to bare money amounts), the defaults of a new item, and the required
 * check (crm-item-add.md / crm-item-update.md: "required fields are checked", §1.F item 43).
 */
import type { EntityTypeDescriptor } from '../entity-types/entity-type.js'
import type { Item } from '../items/item.js'
import type { FieldPatch } from '../items/operations/read-fields.js'
import { ItemOperationError } from '../items/operations/errors.js'
import type { Applied, WriteContext } from '../items/operations/item-pipeline.js'
import { baseCurrency, findStatus } from '../dictionaries/dictionary-store.js'
import { toStoredDate, toStoredDateTime } from '../../store/list-query.js'
import { storedInstant } from '../../lib/format-date.js'
import { formatIsoWithOffset } from '../../lib/format-date.js'
import { deleteFiles, extensionOf, insertFile, MAX_FILE_SIZE, type Upload } from '../files/file-store.js'
import { userFieldDescription, type UserFieldDefinition } from './user-field.js'
import { readMoney, type FileElement } from './user-field-values.js'

function title(def: UserFieldDefinition): string {
  return userFieldDescription(def).title
}

function notValid(def: UserFieldDefinition): ItemOperationError {
  return new ItemOperationError({ kind: 'valueNotValid', field: def.fieldName, title: title(def) })
}

/** File ids a stored value holds (a single id or a list). */
export function fileIdsOf(value: unknown): number[] {
  const list = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value]
  return list.map(Number).filter((n) => Number.isSafeInteger(n) && n > 0)
}

/**
 * Writes the patch's custom-field values onto `after` (field order). Uploads are stored owned by the item and
 * field; files the field held before and no longer holds are deleted (the transaction makes both final).
 */
export async function applyUserFieldWrites(
  ctx: WriteContext,
  type: EntityTypeDescriptor,
  defs: readonly UserFieldDefinition[],
  before: Item,
  after: Item,
  patch: FieldPatch,
): Promise<void> {
  let currency: string | undefined
  const portalCurrency = async () => (currency ??= await baseCurrency(ctx.db, ctx.portal.id))
  for (const [name, elements] of Object.entries(patch.files ?? {})) {
    const field = type.fieldIndex.byName(name)
    if (field?.type !== 'file') continue
    after.values[name] = await applySystemFile(
      ctx,
      type,
      field.upperName,
      before.values[name],
      after.id,
      elements,
    )
  }
  for (const def of defs) {
    const write = patch.uf[def.fieldName]
    if (write === undefined) continue
    if (write.kind === 'files') {
      after.uf[def.fieldName] = await applyFiles(ctx, type, def, before, after.id, write.elements)
      continue
    }
    let value = write.value
    if (def.userTypeId === 'money') value = await withCurrency(value, portalCurrency)
    if (def.multiple && value === null) value = []
    await checkReferences(ctx, def, value, before.uf[def.fieldName])
    after.uf[def.fieldName] = value
  }
}

async function withCurrency(value: unknown, currency: () => Promise<string>): Promise<unknown> {
  const fill = async (v: unknown) =>
    typeof v === 'string' && v.endsWith('|') ? `${v}${await currency()}` : v
  if (Array.isArray(value)) return Promise.all(value.map(fill))
  return fill(value)
}

/** Employees must be users of the portal; directory values must exist in their directory. */
async function checkReferences(
  ctx: WriteContext,
  def: UserFieldDefinition,
  value: unknown,
  previous: unknown,
): Promise<void> {
  const values = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value]
  const old = new Set(Array.isArray(previous) ? previous : [previous])
  const fresh = values.filter((v) => !old.has(v))
  if (fresh.length === 0) return
  if (def.userTypeId === 'employee') {
    const ids = [...new Set(fresh.map(Number))]
    const rows = await ctx.db
      .selectFrom('portal_user')
      .select('id')
      .where('portal_id', '=', ctx.portal.id)
      .where('id', 'in', ids)
      .execute()
    if (rows.length !== ids.length) throw notValid(def)
  }
  if (def.userTypeId === 'crm_status') {
    const entityId = def.settings['ENTITY_TYPE']
    if (typeof entityId !== 'string' || entityId === '') return
    for (const statusId of fresh) {
      if ((await findStatus(ctx.db, ctx.portal.id, entityId, String(statusId))) === undefined)
        throw notValid(def)
    }
  }
}

async function applyFiles(
  ctx: WriteContext,
  type: EntityTypeDescriptor,
  def: UserFieldDefinition,
  before: Item,
  itemId: number,
  elements: readonly FileElement[],
): Promise<unknown> {
  const current = fileIdsOf(before.uf[def.fieldName])
  const next: number[] = []
  let unchanged = false
  const upload = async (file: Upload) => {
    checkUpload(def, file)
    return insertFile(
      ctx.store,
      ctx.db,
      ctx.portal.id,
      file,
      { entityTypeId: type.entityTypeId, itemId, fieldName: def.fieldName },
      ctx.user.id,
      ctx.nowMs,
    )
  }
  if (!def.multiple) {
    const [element] = elements
    if (element === undefined) {
      // '' clears the field.
    } else if (element.kind === 'upload') {
      next.push(await upload(element.upload))
    } else if (element.kind === 'keep') {
      // "If a value different from the current one is passed in id, the field value will be reset".
      if (current.includes(element.id)) next.push(element.id)
    } else if (!current.includes(element.id)) {
      unchanged = true
    }
  } else {
    for (const element of elements) {
      if (element.kind === 'upload') next.push(await upload(element.upload))
      // Foreign ids are dropped silently (§1.B item 15); `remove` leaves the file out.
      else if (element.kind === 'keep' && current.includes(element.id) && !next.includes(element.id)) {
        next.push(element.id)
      }
    }
  }
  if (unchanged) return before.uf[def.fieldName] ?? null
  await deleteFiles(
    ctx.db,
    ctx.portal.id,
    current.filter((id) => !next.includes(id)),
  )
  return def.multiple ? next : (next[0] ?? null)
}

/**
 * A system file field (contact PHOTO, company LOGO): an upload replaces the file, `{id}` of the current file
 * keeps it, a removal of the current file or an empty value clears it; the replaced file is deleted.
 */
async function applySystemFile(
  ctx: WriteContext,
  type: EntityTypeDescriptor,
  upperName: string,
  previous: unknown,
  itemId: number,
  elements: readonly FileElement[],
): Promise<number | null> {
  const [current] = fileIdsOf(previous)
  const [element] = elements
  let next: number | null = null
  if (element?.kind === 'upload') {
    if (element.upload.content.length > MAX_FILE_SIZE) {
      throw new ItemOperationError({
        kind: 'uploadFailed',
        field: upperName,
        message: `File "${element.upload.name}" is ${element.upload.content.length} bytes; files up to ${MAX_FILE_SIZE} bytes are accepted`,
      })
    }
    next = await insertFile(
      ctx.store,
      ctx.db,
      ctx.portal.id,
      element.upload,
      { entityTypeId: type.entityTypeId, itemId, fieldName: upperName },
      ctx.user.id,
      ctx.nowMs,
    )
  } else if (element?.kind === 'keep') {
    // `{id}` (without `remove`) leaves the field as it is.
    next = current ?? null
  } else if (element?.kind === 'remove' && element.id !== current) {
    next = current ?? null
  }
  if (current !== undefined && current !== next) await deleteFiles(ctx.db, ctx.portal.id, [current])
  return next
}

/**
 * The field's MAX_ALLOWED_SIZE (0 = no limit) and EXTENSIONS, and the server's own limit: an upload beyond
 * them fails the call (CRM_CONTROLLER_BASE_UPLOAD_FILE_ERROR, §1.B item 15).
 */
function checkUpload(def: UserFieldDefinition, file: Upload): void {
  const maxAllowed = Number(def.settings['MAX_ALLOWED_SIZE'] ?? 0)
  const limit =
    Number.isFinite(maxAllowed) && maxAllowed > 0 ? Math.min(maxAllowed, MAX_FILE_SIZE) : MAX_FILE_SIZE
  if (file.content.length > limit) {
    throw new ItemOperationError({
      kind: 'uploadFailed',
      field: def.fieldName,
      message: `File "${file.name}" is ${file.content.length} bytes; the field "${title(def)}" accepts files up to ${limit} bytes`,
    })
  }
  const extensions = def.settings['EXTENSIONS']
  const allowed = Array.isArray(extensions)
    ? extensions.map((e) => String(e).trim().replace(/^\./, '').toLowerCase()).filter((e) => e !== '')
    : []
  if (allowed.length > 0 && !allowed.includes(extensionOf(file.name))) {
    throw new ItemOperationError({
      kind: 'uploadFailed',
      field: def.fieldName,
      message: `File "${file.name}" has an extension the field "${title(def)}" does not accept (${allowed.join(', ')})`,
    })
  }
}

// ---------------------------------------------------------------------------------------------------------
// Defaults (crm.item.add)
// ---------------------------------------------------------------------------------------------------------

/**
 * "Default values are assigned to fields" on add (crm-item-add.md): every custom field the call left out gets
 * its SETTINGS.DEFAULT_VALUE — enumerations their `DEF = Y` values, dates `NOW` (today / now) or `FIXED`,
 * booleans 0/1 (a boolean nobody set is "N"), money its default amount.
 */
export async function applyUserFieldDefaults(
  ctx: WriteContext,
  defs: readonly UserFieldDefinition[],
  item: Item,
  patch: FieldPatch,
): Promise<void> {
  for (const def of defs) {
    if (def.fieldName in patch.uf) continue
    let value = defaultValueOf(ctx, def)
    if (value === undefined) continue
    if (def.userTypeId === 'money') {
      value = await withCurrency(value, () => baseCurrency(ctx.db, ctx.portal.id))
    }
    item.uf[def.fieldName] = def.multiple ? (Array.isArray(value) ? value : [value]) : value
  }
}

function defaultValueOf(ctx: WriteContext, def: UserFieldDefinition): unknown {
  const raw = def.settings['DEFAULT_VALUE']
  switch (def.userTypeId) {
    case 'boolean':
      return Number(raw) >= 1 ? 1 : 0
    case 'enumeration': {
      const ids = def.enumItems.filter((e) => e.def).map((e) => e.id)
      if (ids.length === 0) return undefined
      return def.multiple ? ids : ids[0]
    }
    case 'integer':
    case 'double': {
      if (raw === null || raw === undefined || raw === '') return undefined
      const n = Number(raw)
      return Number.isFinite(n) ? (def.userTypeId === 'integer' ? Math.trunc(n) : n) : undefined
    }
    case 'date':
    case 'datetime': {
      if (typeof raw !== 'object' || raw === null) return undefined
      const spec = raw as { TYPE?: unknown; VALUE?: unknown }
      const kind = String(spec.TYPE ?? 'NONE').toUpperCase()
      const offset = ctx.portal.timeZoneOffset
      if (kind === 'NOW') {
        return def.userTypeId === 'date'
          ? formatIsoWithOffset(ctx.nowMs, offset).slice(0, 10)
          : storedInstant(ctx.nowMs)
      }
      if (kind === 'FIXED') {
        const text = String(spec.VALUE ?? '')
        const value =
          def.userTypeId === 'date'
            ? toStoredDate(text, { timeZoneOffsetMinutes: offset })
            : toStoredDateTime(text, { timeZoneOffsetMinutes: offset })
        return value ?? undefined
      }
      return undefined
    }
    case 'money':
      return raw === undefined || raw === null || raw === '' ? undefined : (readMoney(raw) ?? undefined)
    case 'string':
    case 'url':
      return typeof raw === 'string' && raw !== '' ? raw : undefined
    default:
      return undefined
  }
}

// ---------------------------------------------------------------------------------------------------------
// Required custom fields
// ---------------------------------------------------------------------------------------------------------

function isEmptyUserValue(def: UserFieldDefinition, value: unknown): boolean {
  if (def.userTypeId === 'boolean') return false
  if (value === undefined || value === null || value === '') return true
  return Array.isArray(value) && value.length === 0
}

/**
 * MANDATORY custom fields, by the rule of the system ones (§1.F item 43): on add all of them; on update all of
 * them when the stage moved within the funnel to a stage that is not a failure, otherwise those that changed.
 * The portal setting `checkRequiredUserFields: false` switches the check off, as the CRM setting "check
 * required custom fields for REST" does (§1.A item 8).
 */
export function checkRequiredUserFields(
  ctx: WriteContext,
  defs: readonly UserFieldDefinition[],
  before: Item,
  after: Item,
  applied: Applied,
  operation: 'add' | 'update',
): void {
  if (ctx.portal.settings.checkRequiredUserFields === false) return
  const checkAll =
    operation === 'add' ||
    (applied.stageChanged && !applied.categoryChanged && applied.stageSemantics !== 'F')
  for (const def of defs) {
    if (!def.mandatory) continue
    const value = after.uf[def.fieldName]
    const changed = JSON.stringify(value ?? null) !== JSON.stringify(before.uf[def.fieldName] ?? null)
    if (!checkAll && !changed) continue
    if (isEmptyUserValue(def, value)) {
      throw new ItemOperationError({
        kind: 'required',
        fields: [{ field: def.fieldName, title: title(def) }],
      })
    }
  }
}
