/**
 * `fm` (phones, e-mails, web sites, messengers) of leads, contacts and companies. The operations merge into
 * the item's records (research/server-behaviour.md §1.B item 20, the vendor's merge routine; DOCS
 * crm-item-update.md "fm", how-to-change-email-or-phone.md). Pure: new records get id 0 and the store
 * assigns ids when it saves.
 */
import type { Multifield } from '../item.js'
import type { MultifieldOperation } from './read-fields.js'

/**
 * The value type a new record gets when the client names none. The docs leave it open (spec-inventory.md §8
 * Q4); WORK is the first value type of phones, e-mails and web sites (crm/data-types.md#crm_multifield),
 * messengers and unknown types take OTHER, which every type has.
 */
export function defaultValueType(typeId: string): string {
  return typeId === 'PHONE' || typeId === 'EMAIL' || typeId === 'WEB' ? 'WORK' : 'OTHER'
}

/**
 * Applies fm operations in order:
 * - `add` appends a record;
 * - `set` with the id of one of the item's records changes its value and, when given, its value type;
 *   an empty value deletes it;
 * - `set` with an id the item does not have adds a new record ("If no multipool exists with this id, a new
 *   multipool will be created", crm-item-update.md), or does nothing when the value is empty.
 * Records not mentioned are kept: this is a merge, not a replace. Unknown type ids are stored as given
 * (how-to-change-email-or-phone.md: "The method does not validate such values"), and so are value types
 * outside the lists of crm/data-types.md#crm_multifield (no page names an error for them; both dialects).
 */
export function applyMultifieldOperations(
  current: readonly Multifield[],
  operations: readonly MultifieldOperation[],
): Multifield[] {
  let records = current.map((m) => ({ ...m }))
  for (const op of operations) {
    const existing = op.kind === 'set' ? records.find((m) => m.id === op.id && m.id !== 0) : undefined
    if (existing !== undefined) {
      if (op.value === '') {
        records = records.filter((m) => m !== existing)
      } else {
        existing.value = op.value
        if (op.valueType !== undefined) existing.valueType = op.valueType
      }
      continue
    }
    if (op.value === '') continue
    records.push({
      id: 0,
      typeId: op.typeId,
      valueType: op.valueType ?? defaultValueType(op.typeId),
      value: op.value,
    })
  }
  return records
}

/** The e-mail values that cannot be an address (CRM_FIELD_ERROR_VALUE_NOT_VALID, how-to-add-contact.md). */
export function invalidEmails(records: readonly Multifield[]): Multifield[] {
  return records.filter((m) => m.typeId === 'EMAIL' && !/^[^@\s]+@[^@\s]+$/.test(m.value.trim()))
}
