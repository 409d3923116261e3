import { sql, type Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/**
 * The CRM's memory of changes (src/crm/items/operations/after-save.ts writes it in the transaction of the
 * change it records):
 *
 * - `crm_history`: the event history and the live feed of items. One row per recorded fact: an item added
 *   or deleted, one field changed (old and new value as JSON), or a live-feed entry (legacy
 *   `params.REGISTER_SONET_EVENT`). Author and time on every row.
 * - `crm_stage_history`: the stage moves `crm.stagehistory.list` answers (api-reference/crm/
 *   crm-stage-history-list.md): creation, moves to an intermediate or final stage, funnel changes.
 *
 * It also gives contact ↔ company bindings their company side. A contact orders its companies and marks a
 * primary one (`sort`, `is_primary`, contact `companyIds` / `companyId`); a company orders its contacts
 * and marks a primary one independently (crm-company-contact-add.md: "For the first added element,
 * IS_PRIMARY defaults to Y … SORT defaults to max of existing links for the current company + 10").
 * Existing rows get their company side in contact-id order, the first one primary.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('crm_history')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('id', 'integer', (c) => c.notNull())
    .addColumn('entity_type_id', 'integer', (c) => c.notNull())
    .addColumn('item_id', 'integer', (c) => c.notNull())
    // 'history' (the item's event history) | 'livefeed' (the activity stream)
    .addColumn('channel', 'text', (c) => c.notNull())
    // history: add | update | delete; livefeed: add | progress | responsible | client
    .addColumn('event', 'text', (c) => c.notNull())
    // the universal field name of a changed field; null for whole-item events
    .addColumn('field', 'text')
    .addColumn('old_value', 'text')
    .addColumn('new_value', 'text')
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('crm_history_pk', ['portal_id', 'id'])
    .execute()
  await db.schema
    .createIndex('crm_history_by_item')
    .on('crm_history')
    .columns(['portal_id', 'entity_type_id', 'item_id'])
    .execute()

  await db.schema
    .createTable('crm_stage_history')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('id', 'integer', (c) => c.notNull())
    .addColumn('entity_type_id', 'integer', (c) => c.notNull())
    .addColumn('owner_id', 'integer', (c) => c.notNull())
    // 1 creation, 2 move to an intermediate stage, 3 move to a final stage, 5 funnel change
    .addColumn('type_id', 'integer', (c) => c.notNull())
    .addColumn('category_id', 'integer')
    .addColumn('stage_semantic_id', 'text', (c) => c.notNull())
    .addColumn('stage_id', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('crm_stage_history_pk', ['portal_id', 'id'])
    .execute()
  await db.schema
    .createIndex('crm_stage_history_by_owner')
    .on('crm_stage_history')
    .columns(['portal_id', 'entity_type_id', 'owner_id'])
    .execute()

  await db.schema
    .alterTable('crm_contact_company')
    .addColumn('company_sort', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema
    .alterTable('crm_contact_company')
    .addColumn('company_is_primary', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await sql`update crm_contact_company set company_sort = 10 * (
      select count(*) from crm_contact_company as other
      where other.portal_id = crm_contact_company.portal_id
        and other.company_id = crm_contact_company.company_id
        and other.contact_id <= crm_contact_company.contact_id)`.execute(db)
  await sql`update crm_contact_company set company_is_primary = 1 where not exists (
      select 1 from crm_contact_company as other
      where other.portal_id = crm_contact_company.portal_id
        and other.company_id = crm_contact_company.company_id
        and other.contact_id < crm_contact_company.contact_id)`.execute(db)
}
