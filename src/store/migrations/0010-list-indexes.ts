import { sql, type Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/**
 * Composite indexes for the CRM lists people filter most (issue "Benchmarks and reliability tests": a
 * filtered, ordered page of 50 from 1M items in 20 ms; docs/performance.md):
 *
 * - "my items in stage S, most recently changed first": assignee + stage, ordered by `updatedTime` DESC and
 *   the `id` tie-breaker list-query.ts appends. The page is the first 50 entries of one index range and the
 *   `total` a count over the same range, read from the index alone. Before, SQLite walked the assignee index
 *   and read every row of the assignee to check the stage (the count as much again: 170 ms at 1M leads).
 * - "items of funnel F in stage S" (deal boards): funnel + stage, then `id`.
 * - dates: on PostgreSQL, `order by … desc nulls last` (MySQL's NULL order, list-query.ts applyOrder) cannot
 *   use an ascending index whose NULLs sort last; the created/updated indexes are rebuilt with NULLs first,
 *   which a forward scan reads in ascending and a backward scan in descending order. SQLite sorts NULLs
 *   that way already.
 *
 * The order of the columns in each index is `portal_id, entity_type_id`, the equality filters, then the
 * order. On PostgreSQL the NULL order of each ordered column is spelled out to match the queries.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const pg = dialect === 'postgres'
  await sql`create index crm_item_by_assignee_stage on crm_item
    (portal_id, entity_type_id, assigned_by_id, stage_id, updated_time desc ${sql.raw(pg ? 'nulls last' : '')}, id)`.execute(
    db,
  )
  await sql`create index crm_item_by_category_stage on crm_item
    (portal_id, entity_type_id, category_id, stage_id, id)`.execute(db)
  if (pg) {
    // Same names and columns as 0002's, NULLs first: ascending pages read them forwards, descending backwards.
    for (const column of ['created_time', 'updated_time']) {
      await sql`drop index ${sql.raw(`crm_item_by_${column}`)}`.execute(db)
      await sql`create index ${sql.raw(`crm_item_by_${column}`)} on crm_item
        (portal_id, entity_type_id, ${sql.raw(column)} nulls first, id)`.execute(db)
    }
  }
}
