import { sql, type Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/** Portals, users, departments, webhooks, id counters and the outbox. */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const idType = dialect === 'postgres' ? 'serial' : 'integer'
  const autoIncrement = dialect === 'sqlite'

  await db.schema
    .createTable('portal')
    .addColumn('id', idType, (c) => (autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('domain', 'text', (c) => c.notNull().unique())
    .addColumn('member_id', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('time_zone_offset', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('portal_user')
    .addColumn('portal_id', 'integer', (c) => c.notNull().references('portal.id').onDelete('cascade'))
    .addColumn('id', 'integer', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('user_type', 'text', (c) => c.notNull().defaultTo('employee'))
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('last_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('second_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('email', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('xml_id', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('personal_gender', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('personal_birthday', 'text')
    .addColumn('personal_www', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('personal_mobile', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('personal_phone', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('personal_city', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('work_company', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('work_position', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('work_phone', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('uf_phone_inner', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('uf_employment_date', 'text')
    .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('is_online', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('date_register', 'text', (c) => c.notNull())
    .addColumn('last_login', 'text')
    .addColumn('last_activity_date', 'text')
    .addColumn('timestamp_x', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('portal_user_pk', ['portal_id', 'id'])
    .execute()

  await db.schema
    .createTable('user_department')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('department_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_department_pk', ['portal_id', 'user_id', 'department_id'])
    .execute()
  await db.schema
    .createIndex('user_department_by_department')
    .on('user_department')
    .columns(['portal_id', 'department_id'])
    .execute()

  await db.schema
    .createTable('webhook')
    .addColumn('id', idType, (c) => (autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('portal_id', 'integer', (c) => c.notNull().references('portal.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('id_counter')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('value', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('id_counter_pk', ['portal_id', 'name'])
    .execute()

  await db.schema
    .createTable('outbox')
    .addColumn('id', idType, (c) => (autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('processed_at', 'text')
    .execute()
  // Consumers claim unprocessed rows in id order.
  await sql`create index outbox_pending on outbox (id) where processed_at is null`.execute(db)
}
