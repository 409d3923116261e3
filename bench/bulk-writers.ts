/**
 * Bulk writers for benchmark data: copies of a template item (made through crm.item.add, so every column
 * holds what the server itself writes), with the columns that vary between items overridden, plus their
 * observer and phone rows. One transaction per chunk; the server is stopped while they write.
 * - SQLite: better-sqlite3 prepared multi-row INSERTs (a few dozen rows per statement run), synchronous=OFF
 *   for the load only. (Dropping the secondary indexes and rebuilding them at the end was not faster.)
 * - PostgreSQL: one INSERT … SELECT … FROM unnest($1::int[], …) per chunk, the template row joined in.
 */
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'

export const PORTAL_ID = 1

export type ColumnType = 'integer' | 'text' | 'double precision'

/** One generated item: its id, the columns that differ from the template, its phone values. */
export interface GeneratedItem {
  readonly id: number
  readonly columns: Readonly<Record<string, string | number>>
  readonly phones: readonly string[]
}

export interface Template {
  /** every column of the template row, in table order */
  readonly columns: readonly string[]
  readonly observers: readonly number[]
  readonly phones: readonly { readonly typeId: string; readonly valueType: string }[]
}

export interface BulkWriter {
  template(entityTypeId: number, templateId: number): Promise<Template>
  counter(name: string): Promise<number>
  setCounter(name: string, value: number): Promise<void>
  /**
   * Writes items (same override columns each), observers and phones in one transaction; phone ids are
   * consecutive from `firstPhoneId`.
   */
  insert(
    entityTypeId: number,
    templateId: number,
    template: Template,
    items: readonly GeneratedItem[],
    types: Readonly<Record<string, ColumnType>>,
    firstPhoneId: number,
  ): Promise<void>
  close(): Promise<void>
}

export function sqliteWriter(file: string): BulkWriter {
  const db = new BetterSqlite3(file)
  db.pragma('synchronous = OFF')
  db.pragma('cache_size = -262144')
  const templates = new Map<string, Record<string, unknown>>()
  const statements = new Map<string, BetterSqlite3.Statement>()
  const prepared = (sql: string): BetterSqlite3.Statement => {
    let statement = statements.get(sql)
    if (statement === undefined) statements.set(sql, (statement = db.prepare(sql)))
    return statement
  }
  return {
    template: (entityTypeId, templateId) => {
      const row = db
        .prepare('SELECT * FROM crm_item WHERE portal_id = ? AND entity_type_id = ? AND id = ?')
        .get(PORTAL_ID, entityTypeId, templateId) as Record<string, unknown> | undefined
      if (row === undefined) throw new Error(`template item ${entityTypeId}/${templateId} not found`)
      templates.set(`${entityTypeId}/${templateId}`, row)
      const observers = db
        .prepare(
          'SELECT user_id FROM crm_item_observer WHERE portal_id = ? AND entity_type_id = ? AND item_id = ? ORDER BY sort',
        )
        .pluck()
        .all(PORTAL_ID, entityTypeId, templateId) as number[]
      const phones = db
        .prepare(
          "SELECT type_id AS typeId, value_type AS valueType FROM crm_multifield WHERE portal_id = ? AND entity_type_id = ? AND item_id = ? AND type_id = 'PHONE' ORDER BY id",
        )
        .all(PORTAL_ID, entityTypeId, templateId) as { typeId: string; valueType: string }[]
      return Promise.resolve({ columns: Object.keys(row), observers, phones })
    },
    counter: (name) =>
      Promise.resolve(
        Number(
          db
            .prepare('SELECT value FROM id_counter WHERE portal_id = ? AND name = ?')
            .pluck()
            .get(PORTAL_ID, name) ?? 0,
        ),
      ),
    setCounter: (name, value) => {
      db.prepare(
        'INSERT INTO id_counter (portal_id, name, value) VALUES (?, ?, ?) ON CONFLICT (portal_id, name) DO UPDATE SET value = max(value, excluded.value)',
      ).run(PORTAL_ID, name, value)
      return Promise.resolve()
    },
    insert: (entityTypeId, templateId, template, items, _types, firstPhoneId) => {
      const base = templates.get(`${entityTypeId}/${templateId}`)
      if (base === undefined) throw new Error('call template() first')
      const columns = template.columns
      const baseValues = columns.map((c) => base[c])
      const itemRows = new RowBuffer(prepared, `crm_item (${columns.join(', ')})`, columns.length)
      const observerRows = new RowBuffer(
        prepared,
        'crm_item_observer (portal_id, entity_type_id, item_id, user_id, sort)',
        5,
      )
      const phoneRows = new RowBuffer(
        prepared,
        'crm_multifield (portal_id, id, entity_type_id, item_id, type_id, value_type, value)',
        7,
      )
      let phoneId = firstPhoneId
      db.transaction(() => {
        for (const item of items) {
          itemRows.add(
            columns.map((column, i) => (column === 'id' ? item.id : (item.columns[column] ?? baseValues[i]))),
          )
          template.observers.forEach((userId, i) =>
            observerRows.add([PORTAL_ID, entityTypeId, item.id, userId, (i + 1) * 10]),
          )
          template.phones.forEach((phone, i) =>
            phoneRows.add([
              PORTAL_ID,
              phoneId++,
              entityTypeId,
              item.id,
              phone.typeId,
              phone.valueType,
              item.phones[i] ?? '',
            ]),
          )
        }
        itemRows.flush()
        observerRows.flush()
        phoneRows.flush()
      })()
      return Promise.resolve()
    },
    close: () => {
      db.pragma('wal_checkpoint(TRUNCATE)')
      db.close()
      return Promise.resolve()
    },
  }
}

/** Rows collected into multi-row `INSERT … VALUES (…), (…)` statements of up to 8,000 parameters. */
class RowBuffer {
  private readonly perStatement: number
  private values: unknown[] = []
  private rows = 0

  constructor(
    private readonly prepared: (sql: string) => BetterSqlite3.Statement,
    private readonly target: string,
    private readonly width: number,
  ) {
    this.perStatement = Math.max(1, Math.floor(8000 / width))
  }

  add(row: readonly unknown[]): void {
    this.values.push(...row)
    if (++this.rows === this.perStatement) this.flush()
  }

  flush(): void {
    if (this.rows === 0) return
    const tuple = `(${Array.from({ length: this.width }, () => '?').join(', ')})`
    this.prepared(
      `INSERT INTO ${this.target} VALUES ${Array.from({ length: this.rows }, () => tuple).join(', ')}`,
    ).run(this.values)
    this.values = []
    this.rows = 0
  }
}

export function postgresWriter(url: string): BulkWriter {
  const pool = new pg.Pool({ connectionString: url, max: 1 })
  const query = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> =>
    (await pool.query<R>(text, values)).rows
  return {
    template: async (entityTypeId, templateId) => {
      const key = [PORTAL_ID, entityTypeId, templateId]
      const [row] = await query(
        'SELECT * FROM crm_item WHERE portal_id = $1 AND entity_type_id = $2 AND id = $3',
        key,
      )
      if (row === undefined) throw new Error(`template item ${entityTypeId}/${templateId} not found`)
      const observers = await query<{ user_id: number }>(
        'SELECT user_id FROM crm_item_observer WHERE portal_id = $1 AND entity_type_id = $2 AND item_id = $3 ORDER BY sort',
        key,
      )
      const phones = await query<{ typeId: string; valueType: string }>(
        `SELECT type_id AS "typeId", value_type AS "valueType" FROM crm_multifield WHERE portal_id = $1 AND entity_type_id = $2 AND item_id = $3 AND type_id = 'PHONE' ORDER BY id`,
        key,
      )
      return { columns: Object.keys(row), observers: observers.map((r) => r.user_id), phones }
    },
    counter: async (name) => {
      const [row] = await query<{ value: string }>(
        'SELECT value FROM id_counter WHERE portal_id = $1 AND name = $2',
        [PORTAL_ID, name],
      )
      return Number(row?.value ?? 0)
    },
    setCounter: async (name, value) => {
      await query(
        'INSERT INTO id_counter (portal_id, name, value) VALUES ($1, $2, $3) ON CONFLICT (portal_id, name) DO UPDATE SET value = greatest(id_counter.value, excluded.value)',
        [PORTAL_ID, name, value],
      )
    },
    insert: async (entityTypeId, templateId, template, items, types, firstPhoneId) => {
      const first = items[0]
      if (first === undefined) return
      const varying = ['id', ...Object.keys(first.columns).filter((c) => c !== 'id')].filter((c) =>
        template.columns.includes(c),
      )
      const arrays = varying.map((c) => items.map((item) => (c === 'id' ? item.id : item.columns[c])))
      const n = varying.length
      const select = template.columns.map((c) => (varying.includes(c) ? `v.${c}` : `t.${c}`)).join(', ')
      const unnest = varying.map((c, i) => `$${i + 1}::${c === 'id' ? 'integer' : (types[c] ?? 'text')}[]`)
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        await client.query(
          `INSERT INTO crm_item (${template.columns.join(', ')}) SELECT ${select} FROM crm_item t CROSS JOIN unnest(${unnest.join(', ')}) AS v(${varying.join(', ')}) WHERE t.portal_id = $${n + 1} AND t.entity_type_id = $${n + 2} AND t.id = $${n + 3}`,
          [...arrays, PORTAL_ID, entityTypeId, templateId],
        )
        if (template.observers.length > 0) {
          const ids = items.flatMap((item) => template.observers.map(() => item.id))
          const users = items.flatMap(() => template.observers)
          const sorts = items.flatMap(() => template.observers.map((_, i) => (i + 1) * 10))
          await client.query(
            'INSERT INTO crm_item_observer (portal_id, entity_type_id, item_id, user_id, sort) SELECT $1, $2, * FROM unnest($3::integer[], $4::integer[], $5::integer[])',
            [PORTAL_ID, entityTypeId, ids, users, sorts],
          )
        }
        if (template.phones.length > 0) {
          const count = items.length * template.phones.length
          await client.query(
            'INSERT INTO crm_multifield (portal_id, entity_type_id, id, item_id, type_id, value_type, value) SELECT $1, $2, * FROM unnest($3::integer[], $4::integer[], $5::text[], $6::text[], $7::text[])',
            [
              PORTAL_ID,
              entityTypeId,
              Array.from({ length: count }, (_, i) => firstPhoneId + i),
              items.flatMap((item) => template.phones.map(() => item.id)),
              items.flatMap(() => template.phones.map((p) => p.typeId)),
              items.flatMap(() => template.phones.map((p) => p.valueType)),
              items.flatMap((item) => template.phones.map((_, i) => item.phones[i] ?? '')),
            ],
          )
        }
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK')
        throw error
      } finally {
        client.release()
      }
    },
    close: async () => {
      // A fresh bulk load has no planner statistics and no visibility map yet; autovacuum would do both
      // within a minute (PostgreSQL 13+ vacuums after inserts too), the run should not depend on when.
      // Without the visibility map a count read from an index visits every row anyway (`total` of a
      // filtered list: 340 ms instead of 12 ms at 1M leads).
      await query('VACUUM ANALYZE')
      await pool.end()
    },
  }
}
