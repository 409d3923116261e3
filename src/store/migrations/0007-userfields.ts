import type { Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/**
 * Custom fields (`UF_CRM_…`) and the files CRM items carry.
 *
 * - `crm_userfield`: one row per custom-field definition (crm.lead.userfield.add, userfieldconfig.add, …),
 *   bound to a CRM object by ENTITY_ID (`CRM_LEAD`, `CRM_DEAL`, …, `CRM_{smart process id}`). Settings and
 *   the five label maps are JSON. The values themselves live in `crm_item.uf`.
 * - `crm_userfield_enum`: the list values of `enumeration` fields (their ids are what items store).
 * - `crm_file`: uploaded file contents. They are kept **in the database** (bytea / blob), not in the data
 *   folder: a file is written in the same transaction as the item that references it (an upload and the
 *   item change commit or roll back together), backups of the database are complete, and several server
 *   processes sharing one PostgreSQL database all see every file (the data folder is per process). Files are
 *   bounded by the request body limit, so rows stay a few MB. The owner columns name the item and field the
 *   file was uploaded into; the download routes check them, and deleting an item deletes its files.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('crm_userfield')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('id', 'integer', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('field_name', 'text', (c) => c.notNull())
    .addColumn('user_type_id', 'text', (c) => c.notNull())
    .addColumn('xml_id', 'text')
    .addColumn('sort', 'integer', (c) => c.notNull())
    .addColumn('multiple', 'integer', (c) => c.notNull())
    .addColumn('mandatory', 'integer', (c) => c.notNull())
    .addColumn('show_filter', 'text', (c) => c.notNull())
    .addColumn('show_in_list', 'integer', (c) => c.notNull())
    .addColumn('edit_in_list', 'integer', (c) => c.notNull())
    .addColumn('is_searchable', 'integer', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('crm_userfield_pk', ['portal_id', 'id'])
    .addUniqueConstraint('crm_userfield_name', ['portal_id', 'entity_id', 'field_name'])
    .execute()
  await db.schema
    .createIndex('crm_userfield_by_entity')
    .on('crm_userfield')
    .columns(['portal_id', 'entity_id', 'sort', 'id'])
    .execute()

  await db.schema
    .createTable('crm_userfield_enum')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('id', 'integer', (c) => c.notNull())
    .addColumn('field_id', 'integer', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('def', 'integer', (c) => c.notNull())
    .addColumn('sort', 'integer', (c) => c.notNull())
    .addColumn('xml_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('crm_userfield_enum_pk', ['portal_id', 'id'])
    .execute()
  await db.schema
    .createIndex('crm_userfield_enum_by_field')
    .on('crm_userfield_enum')
    .columns(['portal_id', 'field_id', 'sort', 'id'])
    .execute()

  await db.schema
    .createTable('crm_file')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('id', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('content', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('entity_type_id', 'integer')
    .addColumn('item_id', 'integer')
    .addColumn('field_name', 'text')
    .addColumn('created_by', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('crm_file_pk', ['portal_id', 'id'])
    .execute()
  await db.schema
    .createIndex('crm_file_by_owner')
    .on('crm_file')
    .columns(['portal_id', 'entity_type_id', 'item_id'])
    .execute()
}
