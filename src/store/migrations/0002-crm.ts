import type { Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/**
 * The CRM: dictionaries (statuses and stages, funnels, smart-process types, currencies) and items.
 *
 * Items of every entity type share one wide table, `crm_item`, keyed by (portal, entityTypeId, id): its
 * columns are the union of the system fields the entity-type descriptors store in a column
 * (src/crm/entity-types/, `storage: {kind: 'column'}`), frozen here for this migration. Values with more
 * than one entry live in side tables (observers, contact bindings, contact↔company bindings, multifields,
 * parent relations); custom-field values live in `uf` (JSON). Booleans are 0/1, dates `YYYY-MM-DD`,
 * datetimes UTC `YYYY-MM-DDTHH:MM:SSZ`.
 */
export const ITEM_COLUMNS = {
  account_number: 'text',
  actual_date: 'text',
  additional_info: 'text',
  address_legal: 'text',
  assigned_by_id: 'int',
  banking_details: 'text',
  begindate: 'text',
  birthdate: 'text',
  birthday_sort: 'int',
  category_id: 'int',
  client_addr: 'text',
  client_contact: 'text',
  client_email: 'text',
  client_phone: 'text',
  client_title: 'text',
  client_tp_id: 'text',
  client_tpa_id: 'text',
  closed: 'bool',
  closedate: 'text',
  comments: 'text',
  comments_type: 'int',
  company_id: 'int',
  company_title: 'text',
  content: 'text',
  content_type: 'int',
  created_by: 'int',
  created_time: 'text',
  currency_id: 'text',
  date_closed: 'text',
  deal_id: 'int',
  employees: 'text',
  event_date: 'text',
  event_description: 'text',
  event_id: 'text',
  export: 'bool',
  full_name: 'text',
  has_email: 'bool',
  has_imol: 'bool',
  has_phone: 'bool',
  honorific: 'text',
  industry: 'text',
  is_manual_opportunity: 'bool',
  is_my_company: 'bool',
  is_new: 'bool',
  is_recurring: 'bool',
  is_repeated_approach: 'bool',
  is_return_customer: 'bool',
  last_activity_by: 'int',
  last_activity_time: 'text',
  last_communication_time: 'text',
  last_name: 'text',
  lead_id: 'int',
  location_id: 'int',
  logo: 'int',
  moved_by: 'int',
  moved_time: 'text',
  mycompany_id: 'int',
  name: 'text',
  opened: 'bool',
  opportunity: 'real',
  order_stage: 'text',
  origin_id: 'text',
  origin_version: 'text',
  originator_id: 'text',
  person_type_id: 'int',
  photo: 'int',
  post: 'text',
  previous_stage_id: 'text',
  probability: 'int',
  quote_id: 'int',
  quote_number: 'text',
  revenue: 'real',
  search_content: 'text',
  second_name: 'text',
  source_description: 'text',
  source_id: 'text',
  stage_id: 'text',
  stage_semantic_id: 'text',
  status_description: 'text',
  storage_element_ids: 'json',
  storage_type_id: 'int',
  tax_value: 'real',
  terms: 'text',
  terms_type: 'int',
  title: 'text',
  type_id: 'text',
  uf_accountant_sign: 'int',
  uf_director_sign: 'int',
  uf_logo: 'int',
  uf_stamp: 'int',
  updated_by: 'int',
  updated_time: 'text',
  utm_campaign: 'text',
  utm_content: 'text',
  utm_medium: 'text',
  utm_source: 'text',
  utm_term: 'text',
  webform_id: 'int',
  xml_id: 'text',
} as const

type ColumnKind = (typeof ITEM_COLUMNS)[keyof typeof ITEM_COLUMNS]

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const columnType = (kind: ColumnKind): 'text' | 'integer' | 'double precision' | 'real' =>
    kind === 'int' || kind === 'bool'
      ? 'integer'
      : kind === 'real'
        ? dialect === 'postgres'
          ? 'double precision'
          : 'real'
        : 'text'

  let item = db.schema
    .createTable('crm_item')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('entity_type_id', 'integer', (c) => c.notNull())
    .addColumn('id', 'integer', (c) => c.notNull())
  for (const [column, kind] of Object.entries(ITEM_COLUMNS)) {
    item = item.addColumn(column, columnType(kind))
  }
  await item
    .addColumn('uf', 'text', (c) => c.notNull().defaultTo('{}'))
    .addPrimaryKeyConstraint('crm_item_pk', ['portal_id', 'entity_type_id', 'id'])
    .execute()
  // The filters and orders lists use most: by stage, assignee, dates, funnel, company (issue: "indexes so a
  // filtered page is fast at 1M items"). The primary key serves `>id` keyset paging.
  for (const column of [
    'stage_id',
    'assigned_by_id',
    'created_time',
    'updated_time',
    'category_id',
    'company_id',
    'title',
  ]) {
    await db.schema
      .createIndex(`crm_item_by_${column}`)
      .on('crm_item')
      .columns(['portal_id', 'entity_type_id', column, 'id'])
      .execute()
  }

  await db.schema
    .createTable('crm_item_observer')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('entity_type_id', 'integer', (c) => c.notNull())
    .addColumn('item_id', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('sort', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('crm_item_observer_pk', ['portal_id', 'entity_type_id', 'item_id', 'user_id'])
    .execute()

  // item → contacts (leads, deals, quotes, invoices, smart processes): `contactIds`, primary = `contactId`
  await db.schema
    .createTable('crm_contact_binding')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('entity_type_id', 'integer', (c) => c.notNull())
    .addColumn('item_id', 'integer', (c) => c.notNull())
    .addColumn('contact_id', 'integer', (c) => c.notNull())
    .addColumn('sort', 'integer', (c) => c.notNull())
    .addColumn('is_primary', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('crm_contact_binding_pk', [
      'portal_id',
      'entity_type_id',
      'item_id',
      'contact_id',
    ])
    .execute()
  await db.schema
    .createIndex('crm_contact_binding_by_contact')
    .on('crm_contact_binding')
    .columns(['portal_id', 'contact_id'])
    .execute()

  // contact ↔ company: contact `companyIds` (primary = `companyId`) and company `contactIds` are its two sides
  await db.schema
    .createTable('crm_contact_company')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('contact_id', 'integer', (c) => c.notNull())
    .addColumn('company_id', 'integer', (c) => c.notNull())
    .addColumn('sort', 'integer', (c) => c.notNull())
    .addColumn('is_primary', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('crm_contact_company_pk', ['portal_id', 'contact_id', 'company_id'])
    .execute()
  await db.schema
    .createIndex('crm_contact_company_by_company')
    .on('crm_contact_company')
    .columns(['portal_id', 'company_id'])
    .execute()

  // phones, e-mails, web sites, messengers (`fm`; legacy PHONE/EMAIL/WEB/IM/LINK)
  await db.schema
    .createTable('crm_multifield')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('id', 'integer', (c) => c.notNull())
    .addColumn('entity_type_id', 'integer', (c) => c.notNull())
    .addColumn('item_id', 'integer', (c) => c.notNull())
    .addColumn('type_id', 'text', (c) => c.notNull())
    .addColumn('value_type', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('crm_multifield_pk', ['portal_id', 'id'])
    .execute()
  await db.schema
    .createIndex('crm_multifield_by_item')
    .on('crm_multifield')
    // `id` last: loading an item's values in id order needs no sort and never strays onto the primary key
    .columns(['portal_id', 'entity_type_id', 'item_id', 'id'])
    .execute()
  await db.schema
    .createIndex('crm_multifield_by_value')
    .on('crm_multifield')
    .columns(['portal_id', 'type_id', 'value'])
    .execute()

  // `parentId{N}`: at most one parent of each type per item (server-behaviour.md §1.B item 19)
  await db.schema
    .createTable('crm_relation')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('child_entity_type_id', 'integer', (c) => c.notNull())
    .addColumn('child_id', 'integer', (c) => c.notNull())
    .addColumn('parent_entity_type_id', 'integer', (c) => c.notNull())
    .addColumn('parent_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('crm_relation_pk', [
      'portal_id',
      'child_entity_type_id',
      'child_id',
      'parent_entity_type_id',
    ])
    .execute()
  await db.schema
    .createIndex('crm_relation_by_parent')
    .on('crm_relation')
    .columns(['portal_id', 'parent_entity_type_id', 'parent_id'])
    .execute()

  // crm.status: every dictionary and every funnel's stages (ENTITY_ID + STATUS_ID)
  await db.schema
    .createTable('crm_status')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('id', 'integer', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('status_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_init', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('sort', 'integer', (c) => c.notNull())
    .addColumn('system', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('color', 'text')
    .addColumn('semantics', 'text')
    .addColumn('category_id', 'integer')
    .addColumn('extra', 'text')
    .addPrimaryKeyConstraint('crm_status_pk', ['portal_id', 'id'])
    .addUniqueConstraint('crm_status_entity_status', ['portal_id', 'entity_id', 'status_id'])
    .execute()

  // crm.category: funnels of deals, smart invoices, smart processes (and contacts/companies)
  await db.schema
    .createTable('crm_category')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('id', 'integer', (c) => c.notNull())
    .addColumn('entity_type_id', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('sort', 'integer', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_system', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('code', 'text')
    .addColumn('origin_id', 'text')
    .addColumn('originator_id', 'text')
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('crm_category_pk', ['portal_id', 'entity_type_id', 'id'])
    .execute()

  // crm.type: smart processes (and the smart-invoice type), their settings as JSON
  await db.schema
    .createTable('crm_type')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('id', 'integer', (c) => c.notNull())
    .addColumn('entity_type_id', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('code', 'text')
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'integer', (c) => c.notNull())
    .addColumn('updated_time', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('crm_type_pk', ['portal_id', 'id'])
    .addUniqueConstraint('crm_type_entity_type', ['portal_id', 'entity_type_id'])
    .execute()

  // crm.currency
  await db.schema
    .createTable('crm_currency')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount_cnt', 'integer', (c) => c.notNull())
    .addColumn('amount', 'text', (c) => c.notNull())
    .addColumn('sort', 'integer', (c) => c.notNull())
    .addColumn('base', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('date_update', 'text', (c) => c.notNull())
    .addColumn('lang', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('crm_currency_pk', ['portal_id', 'currency'])
    .execute()
}
