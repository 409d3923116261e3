/**
 * Legacy field groups several types share, with the titles of their `*.fields` pages.
 */
import { legacyField as f, type LegacyFieldSpec } from './legacy-entity.js'

/** The read-only bookkeeping fields every type lists (crm-lead-fields.md … crm-company-fields.md). */
export const ID = f('ID', 'integer', 'ID', { readOnly: true })

/** UTM_SOURCE … UTM_TERM; the wording of UTM_TERM's title differs per type. */
export function utm(termTitle: string): LegacyFieldSpec[] {
  return [
    f('UTM_SOURCE', 'string', 'Advertising System'),
    f('UTM_MEDIUM', 'string', 'Traffic Type'),
    f('UTM_CAMPAIGN', 'string', 'Campaign Identifier'),
    f('UTM_CONTENT', 'string', 'Campaign Content'),
    f('UTM_TERM', 'string', termTitle),
  ]
}

/**
 * The deprecated address block (ADDRESS … ADDRESS_LOC_ADDR_ID; crm-lead-fields.md, crm-contact-fields.md,
 * crm-company-fields.md), or the company's legal one (REG_ADDRESS …). The first line's title differs.
 */
export function addressBlock(firstTitle: string, line2Title = 'Address (Line 2)'): LegacyFieldSpec[] {
  return [
    f('ADDRESS', 'string', firstTitle),
    f('ADDRESS_2', 'string', line2Title),
    f('ADDRESS_CITY', 'string', 'City'),
    f('ADDRESS_POSTAL_CODE', 'string', 'Postal Code'),
    f('ADDRESS_REGION', 'string', 'Region'),
    f('ADDRESS_PROVINCE', 'string', 'Province'),
    f('ADDRESS_COUNTRY', 'string', 'Country'),
    f('ADDRESS_COUNTRY_CODE', 'string', 'Country Code'),
    f('ADDRESS_LOC_ADDR_ID', 'integer', 'Location Address ID'),
  ]
}

/** PHONE, EMAIL, WEB, IM, LINK: `crm_multifield`, multiple. */
export const MULTIFIELD_SPECS: readonly LegacyFieldSpec[] = [
  f('PHONE', 'crm_multifield', 'Phone'),
  f('EMAIL', 'crm_multifield', 'E-mail'),
  f('WEB', 'crm_multifield', 'Website'),
  f('IM', 'crm_multifield', 'Messenger'),
  f('LINK', 'crm_multifield', 'LINK'),
]

/** The address keys in output order. */
export const ADDRESS_OUTPUT = [
  'ADDRESS',
  'ADDRESS_2',
  'ADDRESS_CITY',
  'ADDRESS_POSTAL_CODE',
  'ADDRESS_REGION',
  'ADDRESS_PROVINCE',
  'ADDRESS_COUNTRY',
  'ADDRESS_COUNTRY_CODE',
  'ADDRESS_LOC_ADDR_ID',
] as const

export const UTM_OUTPUT = ['UTM_SOURCE', 'UTM_MEDIUM', 'UTM_CAMPAIGN', 'UTM_CONTENT', 'UTM_TERM'] as const
