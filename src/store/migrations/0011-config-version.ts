import { sql, type Kysely } from 'kysely'
import type { Dialect } from '../store.js'
import { CONFIG_TABLES } from '../config-cache.js'

/**
 * `portal.config_version`: a counter every write to a portal's configuration tables moves (dictionaries,
 * funnels, currencies, smart-process types, custom fields, users, departments, CRM roles), so that server
 * processes can cache configuration and still see every change, whoever made it (store/config-cache.ts).
 * Triggers keep it, so no write path — another process, the CLI, a future method — can forget to.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable('portal')
    .addColumn('config_version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  if (dialect === 'postgres') {
    await sql`create function b24_bump_config_version() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          update portal set config_version = config_version + 1 where id = old.portal_id;
          return old;
        end if;
        update portal set config_version = config_version + 1 where id = new.portal_id;
        return new;
      end $$`.execute(db)
    for (const table of CONFIG_TABLES) {
      await sql`create trigger ${sql.raw(`${table}_config_version`)}
        after insert or update or delete on ${sql.table(table)}
        for each row execute function b24_bump_config_version()`.execute(db)
    }
    return
  }
  for (const table of CONFIG_TABLES) {
    for (const [event, row] of [
      ['insert', 'new'],
      ['update', 'new'],
      ['delete', 'old'],
    ] as const) {
      await sql`create trigger ${sql.raw(`${table}_config_version_${event}`)}
        after ${sql.raw(event)} on ${sql.table(table)}
        begin
          update portal set config_version = config_version + 1 where id = ${sql.raw(row)}.portal_id;
        end`.execute(db)
    }
  }
}
