/**
 * The deprecated address fields of leads, contacts and companies, as stored item fields.
 *
 * `crm.item.*` does not show them: object-fields.md lists a single `address` ("Deprecated. Field is disabled")
 * and nothing else. The legacy methods do: crm.lead.fields / crm.contact.fields / crm.company.fields list
 * ADDRESS, ADDRESS_2, ADDRESS_CITY, ADDRESS_POSTAL_CODE, ADDRESS_REGION, ADDRESS_PROVINCE, ADDRESS_COUNTRY,
 * ADDRESS_COUNTRY_CODE and ADDRESS_LOC_ADDR_ID as writable, and the companies' legal address REG_ADDRESS_…
 * too; crm.lead.get / crm.contact.get / crm.company.get print them ("only used in compatibility mode",
 * crm-contact-update.md "Deprecated fields").
 *
 * So the values are item fields like any other — stored in `crm_item` columns (migrations/0005-legacy.ts),
 * counted by the change detection, carried by the after-save step — but `hidden` from the universal wire,
 * with a legacy name. The first line, ADDRESS, is the disabled `address` field the descriptors already have
 * (null in crm.item.*), given a column; the legal address's first line is the company's `addressLegal`.
 */
import { field, type FieldDescriptor } from './field.js'

/** Titles as crm.lead.fields / crm.contact.fields / crm.company.fields give them. */
const PARTS = [
  ['2', 'string', 'Address (Line 2)'],
  ['City', 'string', 'City'],
  ['PostalCode', 'string', 'Postal Code'],
  ['Region', 'string', 'Region'],
  ['Province', 'string', 'Province'],
  ['Country', 'string', 'Country'],
  ['CountryCode', 'string', 'Country Code'],
  ['LocAddrId', 'integer', 'Location Address ID'],
] as const

/**
 * The address lines after the first: `address2` (ADDRESS_2) … `addressLocAddrId` (ADDRESS_LOC_ADDR_ID), or
 * with `prefix: 'regAddress'` the legal address REG_ADDRESS_2 … REG_ADDRESS_LOC_ADDR_ID. Columns follow the
 * UPPER names (`address_2`, `reg_address_city`, …).
 */
export function legacyAddressFields(prefix: 'address' | 'regAddress' = 'address'): FieldDescriptor[] {
  return PARTS.map(([suffix, type, title]) =>
    field(`${prefix}${suffix}`, type, prefix === 'address' ? title : `Legal Address ${title}`, {
      legacy: true,
      exposure: 'hidden',
    }),
  )
}

/** Storage of the first address line (ADDRESS), the descriptors' disabled `address` field. */
export const ADDRESS_COLUMN = { kind: 'column', column: 'address' } as const
