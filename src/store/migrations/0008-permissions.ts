import { sql, type Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/**
 * Who may do what (src/crm/permissions/): the company structure (departments with their heads) and the CRM
 * roles — their rights per entity type and funnel, their assignments to users and departments — plus the
 * list of CRM administrators.
 *
 * Every existing portal gets what a fresh portal gets (portal/portal.ts createPortal → seedPermissions): the
 * root department 1, one more department row for every department id its users already name, and the role
 * "Full access" with every right at the "all" level for every type and funnel, assigned to all employees
 * (access code AU). So nothing that worked before this migration stops working.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('department')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('id', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('sort', 'integer', (c) => c.notNull().defaultTo(500))
    .addColumn('parent_id', 'integer')
    .addColumn('head_user_id', 'integer')
    .addPrimaryKeyConstraint('department_pk', ['portal_id', 'id'])
    .execute()

  await db.schema
    .createTable('crm_role')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('id', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('allow_settings', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('crm_role_pk', ['portal_id', 'id'])
    .execute()

  await db.schema
    .createTable('crm_role_relation')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('role_id', 'integer', (c) => c.notNull())
    .addColumn('access_code', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('crm_role_relation_pk', ['portal_id', 'role_id', 'access_code'])
    .execute()
  await db.schema
    .createIndex('crm_role_relation_by_code')
    .on('crm_role_relation')
    .columns(['portal_id', 'access_code'])
    .execute()

  await db.schema
    .createTable('crm_role_permission')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('role_id', 'integer', (c) => c.notNull())
    .addColumn('entity_type_id', 'integer', (c) => c.notNull())
    .addColumn('category_id', 'integer', (c) => c.notNull())
    .addColumn('perm_type', 'text', (c) => c.notNull())
    .addColumn('attr', 'text', (c) => c.notNull())
    .addColumn('stages', 'text')
    .addPrimaryKeyConstraint('crm_role_permission_pk', [
      'portal_id',
      'role_id',
      'entity_type_id',
      'category_id',
      'perm_type',
    ])
    .execute()

  await db.schema
    .createTable('crm_admin')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('access_code', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('crm_admin_pk', ['portal_id', 'access_code'])
    .execute()

  // Existing portals: the same seed a new portal gets, written in SQL so the migration does not depend on
  // application code that may change later.
  const portals = await sql<{ id: number; name: string }>`select id, name from portal order by id`.execute(db)
  for (const portal of portals.rows) {
    await sql`insert into department (portal_id, id, name, sort, parent_id, head_user_id)
      values (${portal.id}, 1, ${portal.name}, 500, null, null)`.execute(db)
    const named = await sql<{ department_id: number }>`select distinct department_id from user_department
      where portal_id = ${portal.id} and department_id <> 1 order by department_id`.execute(db)
    for (const row of named.rows) {
      await sql`insert into department (portal_id, id, name, sort, parent_id, head_user_id)
        values (${portal.id}, ${row.department_id}, ${`Department ${row.department_id}`}, 500, 1, null)`.execute(
        db,
      )
    }
    const top = Math.max(1, ...named.rows.map((r) => Number(r.department_id)))
    await sql`insert into id_counter (portal_id, name, value) values (${portal.id}, 'department', ${top})`.execute(
      db,
    )
    await sql`insert into crm_role (portal_id, id, name, allow_settings)
      values (${portal.id}, 1, 'Full access', 0)`.execute(db)
    await sql`insert into id_counter (portal_id, name, value) values (${portal.id}, 'crm_role', 1)`.execute(
      db,
    )
    await sql`insert into crm_role_relation (portal_id, role_id, access_code)
      values (${portal.id}, 1, 'AU')`.execute(db)
    for (const permType of ['READ', 'ADD', 'WRITE', 'DELETE', 'EXPORT', 'IMPORT']) {
      await sql`insert into crm_role_permission
        (portal_id, role_id, entity_type_id, category_id, perm_type, attr, stages)
        values (${portal.id}, 1, 0, -1, ${permType}, 'X', null)`.execute(db)
    }
  }
}
