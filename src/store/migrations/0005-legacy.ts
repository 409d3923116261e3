import type { Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/**
 * The deprecated address fields the legacy methods keep (crm.lead|contact|company.*: ADDRESS, ADDRESS_2 …
 * ADDRESS_LOC_ADDR_ID, and the companies' REG_ADDRESS_2 … REG_ADDRESS_LOC_ADDR_ID; the legal address's first
 * line is the existing `address_legal`). src/crm/entity-types/legacy-address.ts declares them as item fields.
 */
export const LEGACY_ITEM_COLUMNS = {
  address: 'text',
  address_2: 'text',
  address_city: 'text',
  address_postal_code: 'text',
  address_region: 'text',
  address_province: 'text',
  address_country: 'text',
  address_country_code: 'text',
  address_loc_addr_id: 'int',
  reg_address_2: 'text',
  reg_address_city: 'text',
  reg_address_postal_code: 'text',
  reg_address_region: 'text',
  reg_address_province: 'text',
  reg_address_country: 'text',
  reg_address_country_code: 'text',
  reg_address_loc_addr_id: 'int',
} as const

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  // One statement per column: SQLite's ALTER TABLE adds a single column at a time.
  for (const [column, kind] of Object.entries(LEGACY_ITEM_COLUMNS)) {
    await db.schema
      .alterTable('crm_item')
      .addColumn(column, kind === 'int' ? 'integer' : 'text')
      .execute()
  }
}
