import { sql, type Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/**
 * Cheaper writes of items (crm.item.update / add and the legacy methods; docs/performance.md):
 *
 * 1. `crm_history` ids are assigned by the database in the statement that inserts the rows
 *    (crm/items/history-log.ts historyId) instead of coming from the per-portal `id_counter` row, which cost
 *    a statement per write and, on PostgreSQL, locked that row until commit — every concurrent writer of the
 *    portal queued behind it. No client sees these ids: they only order an item's log.
 *    - SQLite: the table becomes a rowid table, `id integer primary key`. A NULL id takes one past the
 *      largest (rows are never deleted, so no id comes back), under the database's single write lock, and
 *      the row goes to the end of the table: one B-tree fewer to write than the `(portal_id, id)` key, whose
 *      index every insert also updated. Rows are copied in `(portal_id, id)` order: each item's log keeps
 *      its order.
 *    - PostgreSQL: a sequence, started past every id already written; it hands out values to concurrent
 *      transactions without a lock.
 * 2. Stage-history ids stay per portal, from the `crm_stage_history` id_counter row (clients see them; an id
 *    is never handed out again, even after its row went with its item), but take one statement: on SQLite
 *    the INSERT reads the counter and a trigger moves it (crm/items/stage-history.ts insertStageRow);
 *    PostgreSQL does it with a common table expression.
 * 3. SQLite: observers and stage history become WITHOUT ROWID tables, stored in their primary key. A rowid
 *    table with a composite key is two B-trees (the rows, and the key's index) that every insert and delete
 *    writes, and that a commit writes out page by page; an update that changes the observers rewrote both.
 *    Reads by the key (an item's observers, a portal's stage rows by id) no longer go from the index to the
 *    table either. Nothing to do on PostgreSQL, whose tables are heaps with a key index anyway.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') {
    await sql`create sequence crm_history_id_seq as bigint`.execute(db)
    await sql`select setval('crm_history_id_seq', coalesce((select max(id) from crm_history), 0) + 1, false)`.execute(
      db,
    )
    return
  }

  await rebuild(
    db,
    'crm_history',
    sql`id integer primary key,
      portal_id integer not null,
      entity_type_id integer not null,
      item_id integer not null,
      channel text not null,
      event text not null,
      field text,
      old_value text,
      new_value text,
      user_id integer not null,
      created_at text not null`,
    sql`portal_id, entity_type_id, item_id, channel, event, field, old_value, new_value, user_id, created_at`,
    sql`order by portal_id, id`,
  )
  // Every SQLite index ends in the rowid: an item's rows come out of it in id order.
  await sql`create index crm_history_by_item on crm_history (portal_id, entity_type_id, item_id)`.execute(db)

  await rebuild(
    db,
    'crm_item_observer',
    sql`portal_id integer not null,
      entity_type_id integer not null,
      item_id integer not null,
      user_id integer not null,
      sort integer not null,
      constraint crm_item_observer_pk primary key (portal_id, entity_type_id, item_id, user_id)`,
    sql`portal_id, entity_type_id, item_id, user_id, sort`,
    sql``,
    'without rowid',
  )

  await rebuild(
    db,
    'crm_stage_history',
    sql`portal_id integer not null,
      id integer not null,
      entity_type_id integer not null,
      owner_id integer not null,
      type_id integer not null,
      category_id integer,
      stage_semantic_id text not null,
      stage_id text not null,
      created_time text not null,
      constraint crm_stage_history_pk primary key (portal_id, id)`,
    sql`portal_id, id, entity_type_id, owner_id, type_id, category_id, stage_semantic_id, stage_id, created_time`,
    sql``,
    'without rowid',
  )
  await sql`create index crm_stage_history_by_owner on crm_stage_history (portal_id, entity_type_id, owner_id)`.execute(
    db,
  )
  await sql`create trigger crm_stage_history_id_counter after insert on crm_stage_history begin
      insert into id_counter (portal_id, name, value) values (new.portal_id, 'crm_stage_history', new.id)
        on conflict (portal_id, name) do update set value = max(value, excluded.value);
    end`.execute(db)
}

/**
 * SQLite cannot change a table's key: the table is made anew under a temporary name, filled from the old
 * one, and takes its name. Indexes of the old table go with it; the caller creates them again.
 */
async function rebuild(
  db: Kysely<unknown>,
  table: string,
  definition: ReturnType<typeof sql>,
  columns: ReturnType<typeof sql>,
  order: ReturnType<typeof sql>,
  options = '',
): Promise<void> {
  const fresh = `${table}_rebuilt`
  await sql`create table ${sql.table(fresh)} (${definition}) ${sql.raw(options)}`.execute(db)
  await sql`insert into ${sql.table(fresh)} (${columns}) select ${columns} from ${sql.table(table)} ${order}`.execute(
    db,
  )
  await sql`drop table ${sql.table(table)}`.execute(db)
  await sql`alter table ${sql.table(fresh)} rename to ${sql.table(table)}`.execute(db)
}
