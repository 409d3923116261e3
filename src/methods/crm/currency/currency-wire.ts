/**
 * What the crm.currency.* methods share (api-reference/crm/currency/): rights, the wire form of a stored
 * currency and the field descriptions. These are old CRM REST methods: errors have an empty code and the
 * message as the description (`{"error":"","error_description":"Access denied."}`, crm-currency-list.md).
 */
import type { Principal } from '../../../protocol/principal.js'
import { RestError } from '../../../protocol/errors.js'
import { formatIsoWithOffset } from '../../../lib/format-date.js'
import { currencyToWire, type CurrencyWire } from '../../../crm/dictionaries/currencies.js'
import { portalLanguage, type CurrencyRecord } from '../../../crm/dictionaries/dictionary-store.js'
import { isIntranetUser } from '../dictionary-common.js'

export function currencyError(description: string): RestError {
  return new RestError('', description, 400)
}

/**
 * "Any user with access to CRM settings" (crm-currency-list.md, -get.md, -fields.md): reading the settings
 * is open to every intranet user here; extranet users have no CRM.
 */
export function requireCurrencyRead(principal: Principal): void {
  if (!isIntranetUser(principal)) throw currencyError('Access denied.')
}

/** A currency localized in the portal's language, DATE_UPDATE in the portal's offset. */
export function currencyRecordToWire(
  record: CurrencyRecord,
  offsetMinutes: number,
  withLang: boolean,
): CurrencyWire {
  return currencyToWire(record, {
    lid: portalLanguage(),
    dateUpdate: formatIsoWithOffset(Date.parse(record.dateUpdate), offsetMinutes),
    withLang,
  })
}

interface FieldDescription {
  type: string
  isRequired: boolean
  isReadOnly: boolean
  isImmutable: boolean
  isMultiple: boolean
  isDynamic: boolean
  title: string
}

/** crm.currency.fields, as crm-currency-fields.md shows it. */
export function currencyFieldDescriptions(): Record<string, FieldDescription> {
  const d = (type: string, title: string, readOnly = false, multiple = false): FieldDescription => ({
    type,
    isRequired: false,
    isReadOnly: readOnly,
    isImmutable: false,
    isMultiple: multiple,
    isDynamic: false,
    title,
  })
  return {
    CURRENCY: d('string', 'Currency'),
    AMOUNT_CNT: d('int', 'Face value'),
    AMOUNT: d('double', 'Exchange rate'),
    BASE: d('char', 'Base currency', true),
    SORT: d('int', 'Sorting'),
    DATE_UPDATE: d('datetime', 'Date modified', true),
    LID: d('string', 'Website', true),
    FORMAT_STRING: d('string', 'Currency output format string', true),
    FULL_NAME: d('string', 'Name', true),
    DEC_POINT: d('string', 'Decimal point for output', true),
    THOUSANDS_SEP: d('string', 'Custom thousands separator for output', true),
    DECIMALS: d('int', 'Number of decimal places', true),
    LANG: d('currency_localization', 'Language binding', false, true),
  }
}
