import Database from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect, sql, type CompiledQuery } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  LIST_PAGE_SIZE,
  ListQueryError,
  applyFilter,
  applyOrder,
  escapeLike,
  normaliseRawLike,
  parseFilter,
  parseOrder,
  parseSelect,
  parseStart,
  runListPage,
  splitFilterKey,
  storedDateTimeToEpochMs,
  toStoredDate,
  toStoredDateTime,
  type FilterNode,
  type FilterOp,
  type ListField,
  type ListFieldMap,
  type ListPage,
  type ParseFilterOptions,
  type RunListPageOptions,
} from './list-query.js'
import { param } from './prepared.js'

// ---------------------------------------------------------------------------------------------------------
// Fixture: a small table with every field type
// ---------------------------------------------------------------------------------------------------------

interface ItemRow {
  id: number
  title: string | null
  amount: number
  opened: string
  flag: number
  birth: string | null
  created: string
  stage: string | null
}

interface TestDB {
  items: ItemRow
  phones: { item_id: number; value: string }
}

const ROW_COUNT = 120
const STAGES = ['NEW', 'IN_PROCESS', 'WON', null] as const

function makeRows(): ItemRow[] {
  const rows: ItemRow[] = []
  const base = Date.UTC(2024, 0, 1)
  for (let id = 1; id <= ROW_COUNT; id++) {
    let title: string | null = `Item ${String(id).padStart(3, '0')}`
    if (id % 7 === 0) title = `Sale 50% off ${id}`
    if (id % 11 === 0) title = `snake_case ${id}`
    if (id % 10 === 3) title = `ALPHA beta ${id}`
    if (id % 13 === 0) title = null
    if (id % 17 === 0) title = ''
    rows.push({
      id,
      title,
      amount: id * 1.5,
      opened: id % 2 === 1 ? 'Y' : 'N',
      flag: id % 3 === 0 ? 1 : 0,
      birth:
        id % 5 === 0
          ? null
          : `2000-${String((id % 12) + 1).padStart(2, '0')}-${String((id % 28) + 1).padStart(2, '0')}`,
      created: toStoredDateTime(new Date(base + id * 3_600_000)) as string,
      stage: STAGES[id % 4] ?? null,
    })
  }
  return rows
}

const ROWS = makeRows()
/** Item `id` has phones `+100<id>` and, for even ids, `+200<id>`. */
const PHONES = ROWS.flatMap((r) => [
  { item_id: r.id, value: `+100${r.id}` },
  ...(r.id % 2 === 0 ? [{ item_id: r.id, value: `+200${r.id}` }] : []),
])

const FIELDS: ListFieldMap = new Map<string, ListField>([
  ['ID', { column: 'id', type: 'integer' }],
  ['TITLE', { column: 'title', type: 'string' }],
  ['AMOUNT', { column: 'amount', type: 'double' }],
  ['OPENED', { column: 'opened', type: 'char' }],
  ['FLAG', { column: 'flag', type: 'boolean' }],
  ['BIRTHDATE', { column: 'birth', type: 'date' }],
  ['DATE_CREATE', { column: 'created', type: 'datetime' }],
  ['STAGE_ID', { column: 'stage', type: 'string' }],
  ['SECRET', { column: 'secret_column', type: 'string', filterable: false, sortable: false }],
  [
    'PHONE',
    {
      column: 'phones',
      type: 'string',
      multiple: true,
      filter: (ctx) => {
        const inner = sql`select 1 from ${sql.table('phones')} as ${sql.id('p')} where ${sql.ref('p.item_id')} = ${sql.ref('items.id')} and ${ctx.condition('p.value')}`
        return ctx.negated ? sql`not exists (${inner})` : sql`exists (${inner})`
      },
    },
  ],
])

const LEGACY: ParseFilterOptions = { allowOr: false, keyCase: 'upper', onUnknownField: 'ignore' }
const UNIVERSAL: ParseFilterOptions = { allowOr: true, keyCase: 'upper', onUnknownField: 'error' }

function cmp(field: string, op: FilterOp, value: unknown): FilterNode {
  return { kind: 'compare', field, op, value }
}

function thrown(fn: () => unknown): ListQueryError {
  try {
    fn()
  } catch (e) {
    if (e instanceof ListQueryError) return e
    throw e
  }
  throw new Error('expected a ListQueryError')
}

/** A Kysely instance that only compiles (for inspecting SQL text). */
const compiler = new Kysely<TestDB>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) })

function compileFilter(raw: unknown, options: ParseFilterOptions = LEGACY): CompiledQuery {
  const node = parseFilter(raw, FIELDS, options)
  return applyFilter(compiler.selectFrom('items').selectAll(), node, FIELDS).compile()
}

// ---------------------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------------------

describe('splitFilterKey', () => {
  it.each([
    ['ID', 'eq', 'ID'],
    ['=ID', 'eq', 'ID'],
    ['!=ID', 'neq', 'ID'],
    ['!ID', 'neq', 'ID'],
    ['>ID', 'gt', 'ID'],
    ['>=ID', 'gte', 'ID'],
    ['<ID', 'lt', 'ID'],
    ['<=ID', 'lte', 'ID'],
    ['@ID', 'in', 'ID'],
    ['!@ID', 'notIn', 'ID'],
    ['%TITLE', 'like', 'TITLE'],
    ['=%TITLE', 'likeRaw', 'TITLE'],
    ['%=TITLE', 'likeRaw', 'TITLE'],
    ['!%TITLE', 'notLike', 'TITLE'],
    ['!=%TITLE', 'notLikeRaw', 'TITLE'],
    ['!%=TITLE', 'notLikeRaw', 'TITLE'],
    ['><ID', 'between', 'ID'],
    ['!><ID', 'notBetween', 'ID'],
    ['>>ID', 'gt', '>ID'],
    ['', 'eq', ''],
  ] as const)('%s → %s %s', (key, op, name) => {
    expect(splitFilterKey(key)).toEqual({ op, name })
  })
})

describe('parseFilter', () => {
  it('treats missing, empty and [] filters as no filter', () => {
    for (const raw of [undefined, null, '', [], {}]) {
      expect(parseFilter(raw, FIELDS, UNIVERSAL)).toEqual({ kind: 'and', children: [] })
    }
  })

  it('rejects a filter that is not an array/object', () => {
    for (const raw of ['ID=1', 5, true]) {
      const e = thrown(() => parseFilter(raw, FIELDS, LEGACY))
      expect(e.kind).toBe('filter_not_array')
      expect(e.message).toBe("Parameter 'filter' must be array.")
    }
  })

  it('parses every operator prefix with coercion', () => {
    const node = parseFilter(
      {
        ID: '5',
        '=AMOUNT': '1.5',
        '!=STAGE_ID': 'WON',
        '!OPENED': 'y',
        '>ID': 1,
        '>=ID': '2',
        '<ID': 3.9,
        '<=ID': '4',
        '@ID': ['1', 2],
        '!@ID': [3],
        '%TITLE': 'a%b',
        '=%TITLE': 'mol%',
        '%=TITLE': '%mol',
        '!%TITLE': 'x',
        '!=%TITLE': 'y%',
        '!%=TITLE': '%z',
        '><ID': ['10', '20'],
        '!><AMOUNT': [1, '2.5'],
        FLAG: 'Y',
      },
      FIELDS,
      LEGACY,
    )
    expect(node).toEqual({
      kind: 'and',
      children: [
        cmp('ID', 'eq', 5),
        cmp('AMOUNT', 'eq', 1.5),
        cmp('STAGE_ID', 'neq', 'WON'),
        cmp('OPENED', 'neq', 'Y'),
        cmp('ID', 'gt', 1),
        cmp('ID', 'gte', 2),
        cmp('ID', 'lt', 3),
        cmp('ID', 'lte', 4),
        cmp('ID', 'in', [1, 2]),
        cmp('ID', 'notIn', [3]),
        cmp('TITLE', 'like', ['a%b']),
        cmp('TITLE', 'likeRaw', ['mol%']),
        cmp('TITLE', 'likeRaw', ['%mol']),
        cmp('TITLE', 'notLike', ['x']),
        cmp('TITLE', 'notLikeRaw', ['y%']),
        cmp('TITLE', 'notLikeRaw', ['%z']),
        cmp('ID', 'between', [10, 20]),
        cmp('AMOUNT', 'notBetween', [1, 2.5]),
        cmp('FLAG', 'eq', 1),
      ],
    })
  })

  it('turns eq/neq with an array into IN / NOT IN, also for PHP-style numeric-key objects', () => {
    expect(parseFilter({ ID: [1, '2'] }, FIELDS, LEGACY)).toEqual(cmp('ID', 'in', [1, 2]))
    expect(parseFilter({ '!ID': { 0: 1, 1: 2 } }, FIELDS, LEGACY)).toEqual(cmp('ID', 'notIn', [1, 2]))
    expect(parseFilter({ '@ID': 7 }, FIELDS, LEGACY)).toEqual(cmp('ID', 'in', [7]))
    expect(parseFilter({ '@ID': [] }, FIELDS, LEGACY)).toEqual(cmp('ID', 'in', []))
  })

  it('maps empty values to the "empty" marker', () => {
    expect(parseFilter({ '!=TITLE': '' }, FIELDS, LEGACY)).toEqual(cmp('TITLE', 'neq', null))
    expect(parseFilter({ BIRTHDATE: null }, FIELDS, LEGACY)).toEqual(cmp('BIRTHDATE', 'eq', null))
    expect(parseFilter({ '@STAGE_ID': ['NEW', ''] }, FIELDS, LEGACY)).toEqual(
      cmp('STAGE_ID', 'in', ['NEW', null]),
    )
  })

  it('upper-cases keys with keyCase upper, and supports exact / insensitive / function', () => {
    expect(parseFilter({ id: 1 }, FIELDS, LEGACY)).toEqual(cmp('ID', 'eq', 1))
    expect(parseFilter({ id: 1 }, FIELDS, { ...LEGACY, keyCase: 'exact' })).toEqual({
      kind: 'and',
      children: [],
    })
    expect(
      parseFilter({ '>Date_Create': '2024-01-01' }, FIELDS, { ...LEGACY, keyCase: 'insensitive' }),
    ).toEqual(cmp('DATE_CREATE', 'gt', '2024-01-01T00:00:00Z'))
    const camelToUpper = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()
    expect(parseFilter({ '@stageId': ['NEW'] }, FIELDS, { ...UNIVERSAL, keyCase: camelToUpper })).toEqual(
      cmp('STAGE_ID', 'in', ['NEW']),
    )
  })

  it('ignores or rejects unknown and non-filterable fields', () => {
    expect(parseFilter({ NOPE: 1, SECRET: 'x', ID: 2 }, FIELDS, LEGACY)).toEqual(cmp('ID', 'eq', 2))
    const e = thrown(() => parseFilter({ '>=nope': 1 }, FIELDS, UNIVERSAL))
    expect(e.kind).toBe('field_not_allowed')
    expect(e.field).toBe('NOPE')
    expect(e.message).toBe("Invalid filter: field 'NOPE' is not allowed in filter")
    expect(thrown(() => parseFilter({ SECRET: 1 }, FIELDS, UNIVERSAL)).field).toBe('SECRET')
  })

  it('parses the crm-item-list.md OR example', () => {
    const node = parseFilter(
      {
        0: { logic: 'OR', 0: { '!=title': '' }, 1: { '!=stage_id': '' } },
        '@stage_id': ['NEW', 'IN_PROCESS'],
        '>=amount': 5,
        opened: 'Y',
      },
      FIELDS,
      UNIVERSAL,
    )
    expect(node).toEqual({
      kind: 'and',
      children: [
        { kind: 'or', children: [cmp('TITLE', 'neq', null), cmp('STAGE_ID', 'neq', null)] },
        cmp('STAGE_ID', 'in', ['NEW', 'IN_PROCESS']),
        cmp('AMOUNT', 'gte', 5),
        cmp('OPENED', 'eq', 'Y'),
      ],
    })
  })

  it('supports nested groups, top-level logic, lower-case logic and array groups', () => {
    const node = parseFilter(
      {
        LOGIC: 'or',
        ID: 1,
        0: { 0: { ID: 2 }, 1: { logic: 'Or', ID: 3, '>AMOUNT': 100 }, STAGE_ID: 'WON' },
        1: [{ ID: 9 }],
      },
      FIELDS,
      UNIVERSAL,
    )
    expect(node).toEqual({
      kind: 'or',
      children: [
        {
          kind: 'and',
          children: [
            cmp('ID', 'eq', 2),
            { kind: 'or', children: [cmp('ID', 'eq', 3), cmp('AMOUNT', 'gt', 100)] },
            cmp('STAGE_ID', 'eq', 'WON'),
          ],
        },
        cmp('ID', 'eq', 9),
        cmp('ID', 'eq', 1),
      ],
    })
    expect(thrown(() => parseFilter({ logic: 'XOR', ID: 1 }, FIELDS, UNIVERSAL)).kind).toBe('invalid_value')
    expect(parseFilter({ 0: {}, 1: { logic: 'OR' } }, FIELDS, UNIVERSAL)).toEqual({
      kind: 'and',
      children: [],
    })
  })

  it('limits the nesting depth', () => {
    let deep: Record<string, unknown> = { ID: 1 }
    for (let i = 0; i < 40; i++) deep = { 0: deep }
    expect(thrown(() => parseFilter(deep, FIELDS, UNIVERSAL)).kind).toBe('invalid_value')
  })

  it('treats OR groups as unknown keys when allowOr is false (legacy lists)', () => {
    const raw = { logic: 'OR', 0: { ID: 1 }, 1: { ID: 2 }, STAGE_ID: 'NEW' }
    expect(parseFilter(raw, FIELDS, LEGACY)).toEqual(cmp('STAGE_ID', 'eq', 'NEW'))
    const e = thrown(() => parseFilter(raw, FIELDS, { ...LEGACY, onUnknownField: 'error' }))
    expect(e.kind).toBe('field_not_allowed')
    expect(e.field).toBe('0') // integer-like keys come first in JS objects
  })

  it.each([
    ['integer', { ID: 'abc' }],
    ['integer object', { ID: { a: 1 } }],
    ['integer too big', { ID: '99999999999999999999' }],
    ['double', { AMOUNT: '1,5' }],
    ['boolean', { FLAG: 'maybe' }],
    ['char', { OPENED: 2 }],
    ['date', { BIRTHDATE: '2000-02-30' }],
    ['datetime', { '>DATE_CREATE': 'yesterday' }],
    ['gt empty', { '>ID': '' }],
    ['gt array', { '>ID': [1, 2] }],
    ['between arity', { '><ID': [1] }],
    ['between empty bound', { '><ID': [1, ''] }],
    ['between scalar', { '><ID': 5 }],
    ['in element', { '@ID': [1, 'x'] }],
    ['like object', { '%TITLE': { a: 'b' } }],
  ])('rejects an invalid value: %s', (_name, raw) => {
    const e = thrown(() => parseFilter(raw, FIELDS, UNIVERSAL))
    expect(e.kind).toBe('invalid_value')
    expect(e.message).toMatch(/^Invalid filter: field '[A-Z_]+' has invalid value$/)
  })

  it('turns an invalid value into "no records" with onInvalidValue no_match (user.get dates)', () => {
    const node = parseFilter({ '>DATE_CREATE': 'garbage', ID: 1 }, FIELDS, {
      ...LEGACY,
      onInvalidValue: 'no_match',
    })
    expect(node).toEqual({ kind: 'and', children: [{ kind: 'or', children: [] }, cmp('ID', 'eq', 1)] })
  })

  it('coerces values per field type', () => {
    const one = (raw: Record<string, unknown>): unknown =>
      (parseFilter(raw, FIELDS, LEGACY) as { value: unknown }).value
    expect(one({ ID: ' 12 ' })).toBe(12)
    expect(one({ ID: '7.9' })).toBe(7)
    expect(one({ ID: -3 })).toBe(-3)
    expect(one({ AMOUNT: '2.5e1' })).toBe(25)
    expect(one({ TITLE: 15 })).toBe('15')
    for (const v of ['Y', 'y', '1', 1, true, 'true', 'TRUE']) expect(one({ FLAG: v })).toBe(1)
    for (const v of ['N', 'n', '0', 0, false, 'false']) expect(one({ FLAG: v })).toBe(0)
    for (const v of ['Y', 1, true, 'true']) expect(one({ OPENED: v })).toBe('Y')
    for (const v of ['N', 0, false, 'false']) expect(one({ OPENED: v })).toBe('N')
    expect(one({ BIRTHDATE: '2025-04-29T13:03:20+03:00' })).toBe('2025-04-29')
    expect(one({ BIRTHDATE: '11.11.1999' })).toBe('1999-11-11')
    expect(one({ BIRTHDATE: '04/29/2025' })).toBe('2025-04-29')
    expect(one({ DATE_CREATE: '2025-04-29T13:03:20+03:00' })).toBe('2025-04-29T10:03:20Z')
    expect(one({ DATE_CREATE: '2025-04-29' })).toBe('2025-04-29T00:00:00Z')
    const withZone = parseFilter({ DATE_CREATE: '2025-02-03T15:00:00' }, FIELDS, {
      ...LEGACY,
      timeZoneOffsetMinutes: 180,
    }) as { value: unknown }
    expect(withZone.value).toBe('2025-02-03T12:00:00Z')
    const dmy = parseFilter({ BIRTHDATE: '03/04/2025' }, FIELDS, { ...LEGACY, dateFormat: 'DD/MM/YYYY' }) as {
      value: unknown
    }
    expect(dmy.value).toBe('2025-04-03')
  })

  it('applies eqLike fields as wildcard searches (user.get NAME: "Iv%")', () => {
    const fields = new Map<string, ListField>([['NAME', { column: 'title', type: 'string', eqLike: true }]])
    expect(parseFilter({ NAME: 'Iv%' }, fields, LEGACY)).toEqual(cmp('NAME', 'likeRaw', ['Iv%']))
    expect(parseFilter({ '!NAME': 'Iv%' }, fields, LEGACY)).toEqual(cmp('NAME', 'notLikeRaw', ['Iv%']))
    expect(parseFilter({ NAME: 'Ivan' }, fields, LEGACY)).toEqual(cmp('NAME', 'eq', 'Ivan'))
  })

  it('caps the number of bound values', () => {
    const many = Array.from({ length: 40_000 }, (_, i) => i)
    expect(thrown(() => parseFilter({ '@ID': many }, FIELDS, LEGACY)).kind).toBe('invalid_value')
    expect(() => parseFilter({ '@ID': many.slice(0, 1000) }, FIELDS, LEGACY)).not.toThrow()
  })
})

describe('SQL injection through keys and values', () => {
  const hostileKeys = [
    'ID; DROP TABLE items',
    '1=1--',
    '>ID) OR (1=1',
    'ID" OR "1"="1',
    "TITLE' OR '1'='1",
    '%TITLE/**/OR/**/1=1',
    'id`; delete from items; --',
    '0',
    'items.id',
    'secret_column',
  ]

  it.each(hostileKeys)('never puts %j into SQL text', (key) => {
    const compiled = compileFilter({ [key]: 1, ID: 3 })
    expect(compiled.sql).toBe('select * from "items" where "id" = ?')
    expect(compiled.parameters).toEqual([3])
    const e = thrown(() => parseFilter({ [key]: 1 }, FIELDS, { ...UNIVERSAL, allowOr: false }))
    expect(e.kind).toBe('field_not_allowed')
  })

  it.each(hostileKeys)('never puts order key %j into SQL text', (key) => {
    const order = parseOrder({ [key]: 'ASC', ID: 'DESC' }, FIELDS, {
      keyCase: 'upper',
      onUnknownField: 'ignore',
    })
    const compiled = applyOrder(compiler.selectFrom('items').selectAll(), order, FIELDS).compile()
    expect(compiled.sql).toBe('select * from "items" order by "id" desc nulls last')
    expect(
      thrown(() => parseOrder({ [key]: 'ASC' }, FIELDS, { keyCase: 'upper', onUnknownField: 'error' })).kind,
    ).toBe('order_field_not_allowed')
  })

  it('binds hostile values as parameters', () => {
    const value = "x'); DROP TABLE items; --"
    const compiled = compileFilter({ TITLE: value, '%STAGE_ID': value, '@TITLE': [value, 'b'] })
    expect(compiled.sql).not.toContain('DROP')
    expect(compiled.parameters).toContain(value)
    expect(compiled.parameters).toContain(`%${value}%`)
  })

  it('drops unknown select entries', () => {
    expect(
      parseSelect(['ID', 'title', 'ID; DROP TABLE items', '1=1--', 'ID'], FIELDS, { keyCase: 'upper' }),
    ).toEqual(['ID', 'TITLE'])
  })
})

describe('compiled SQL shape', () => {
  it('uses an ESCAPE clause and case-insensitive LIKE', () => {
    const compiled = compileFilter({ '%TITLE': '50%_!' })
    expect(compiled.sql).toBe(
      `select * from "items" where lower("title") like lower(cast(? as text)) escape '!'`,
    )
    expect(compiled.parameters).toEqual(['%50!%!_!!%'])
  })

  it('casts non-text columns for LIKE', () => {
    expect(compileFilter({ '%ID': '1' }).sql).toContain('lower(cast("id" as text)) like')
  })

  it('negates with IS NOT TRUE so NULL rows are included', () => {
    expect(compileFilter({ '!STAGE_ID': 'WON' }).sql).toBe(
      'select * from "items" where ("stage" = ?) is not true',
    )
  })

  it('compiles empty matches', () => {
    expect(compileFilter({ TITLE: '' }).sql).toBe(
      `select * from "items" where ("title" is null or "title" = '')`,
    )
    expect(compileFilter({ BIRTHDATE: '' }).sql).toBe('select * from "items" where "birth" is null')
    expect(compileFilter({ '@ID': [] }).sql).toBe('select * from "items" where 1 = 0')
    expect(compileFilter({}).sql).toBe('select * from "items"')
  })

  it('accepts alias-qualified columns', () => {
    const fields = new Map<string, ListField>([['NAME', { column: 'i.title', type: 'string' }]])
    const node = parseFilter({ NAME: 'x' }, fields, LEGACY)
    const compiled = applyOrder(
      applyFilter(compiler.selectFrom('items as i').selectAll(), node, fields),
      [{ field: 'NAME', direction: 'asc' }],
      fields,
    ).compile()
    expect(compiled.sql).toBe(
      'select * from "items" as "i" where "i"."title" = ? order by "i"."title" asc nulls first',
    )
  })
})

describe('like helpers', () => {
  it('escapes substring patterns', () => {
    expect(escapeLike('a%b_c!d')).toBe('a!%b!_c!!d')
  })

  it('normalises raw patterns with MySQL backslash escapes', () => {
    expect(normaliseRawLike('mol%')).toBe('mol%')
    expect(normaliseRawLike('%a_b%')).toBe('%a_b%')
    expect(normaliseRawLike('50\\%%')).toBe('50!%%')
    expect(normaliseRawLike('x!y')).toBe('x!!y')
    expect(normaliseRawLike('end\\')).toBe('end\\')
  })
})

describe('parseOrder', () => {
  const opts = { keyCase: 'upper', onUnknownField: 'error' } as const

  it('parses directions case-insensitively', () => {
    expect(parseOrder({ stage_id: 'asc', ID: 'DESC', Title: ' Asc ' }, FIELDS, opts)).toEqual([
      { field: 'STAGE_ID', direction: 'asc' },
      { field: 'ID', direction: 'desc' },
      { field: 'TITLE', direction: 'asc' },
    ])
  })

  it('treats [] and non-objects as no order', () => {
    for (const raw of [[], {}, undefined, null, '', 'ID']) expect(parseOrder(raw, FIELDS, opts)).toEqual([])
  })

  it('rejects bad directions with the documented message', () => {
    const e = thrown(() => parseOrder({ ID: 'UP' }, FIELDS, opts))
    expect(e.kind).toBe('invalid_order_direction')
    expect(e.message).toBe(
      "Invalid order: allowed sort directions are ASC, DESC. But got 'UP' for field 'ID'",
    )
    expect(thrown(() => parseOrder({ ID: ['ASC'] }, FIELDS, opts)).value).toBe('["ASC"]')
  })

  it('rejects or ignores unknown and unsortable fields', () => {
    const e = thrown(() => parseOrder({ nope: 'ASC' }, FIELDS, opts))
    expect(e.message).toBe("Invalid order: field 'NOPE' is not allowed in order")
    expect(thrown(() => parseOrder({ PHONE: 'ASC' }, FIELDS, opts)).kind).toBe('order_field_not_allowed')
    expect(
      parseOrder({ nope: 'ASC', SECRET: 'ASC', ID: 'ASC' }, FIELDS, { ...opts, onUnknownField: 'ignore' }),
    ).toEqual([{ field: 'ID', direction: 'asc' }])
  })
})

describe('parseStart', () => {
  it.each([
    [undefined, 0],
    [null, 0],
    ['', 0],
    ['abc', 0],
    [0, 0],
    [49, 0],
    [50, 50],
    [73, 50],
    ['73', 50],
    ['73abc', 50],
    [100, 100],
    [149.9, 100],
    [-1, -1],
    ['-1', -1],
    [-50, -1],
    [Number.NaN, 0],
    [Number.POSITIVE_INFINITY, 0],
    [[50], 0],
  ])('%j → %j', (raw, expected) => {
    expect(parseStart(raw)).toBe(expected)
  })
})

describe('parseSelect', () => {
  it('expands * to every field, keeps order and drops duplicates', () => {
    expect(parseSelect(['title', '*'], FIELDS, { keyCase: 'upper' })).toEqual([
      'TITLE',
      ...[...FIELDS.keys()].filter((k) => k !== 'TITLE'),
    ])
  })

  it('uses the default select and the expand hook', () => {
    const expand = (entry: string): readonly string[] | undefined =>
      entry === '*' ? ['ID', 'TITLE'] : entry.toUpperCase() === 'UF_*' ? ['UF_CRM_1'] : undefined
    expect(
      parseSelect(undefined, FIELDS, { keyCase: 'upper', expand, defaultSelect: ['*', 'UF_*'] }),
    ).toEqual(['ID', 'TITLE', 'UF_CRM_1'])
    expect(parseSelect({ 0: 'amount', 1: 'uf_*' }, FIELDS, { keyCase: 'upper', expand })).toEqual([
      'AMOUNT',
      'UF_CRM_1',
    ])
    expect(parseSelect('id', FIELDS, { keyCase: 'upper', expand })).toEqual(['ID'])
  })
})

describe('stored dates', () => {
  it('normalises datetimes to UTC seconds', () => {
    expect(toStoredDateTime('2025-04-29T13:03:20+03:00')).toBe('2025-04-29T10:03:20Z')
    expect(toStoredDateTime('2025-04-29T13:03:20.987-0230')).toBe('2025-04-29T15:33:20Z')
    expect(toStoredDateTime('2025-04-29T13:03:20Z')).toBe('2025-04-29T13:03:20Z')
    expect(toStoredDateTime('2025-04-29 13:03')).toBe('2025-04-29T13:03:00Z')
    expect(toStoredDateTime('2025-01-01T01:00:00', { timeZoneOffsetMinutes: 120 })).toBe(
      '2024-12-31T23:00:00Z',
    )
    expect(toStoredDateTime('11.11.1999 14:30:05', { timeZoneOffsetMinutes: 60 })).toBe(
      '1999-11-11T13:30:05Z',
    )
    expect(toStoredDateTime('04/29/2025 2:05:00 pm')).toBe('2025-04-29T14:05:00Z')
    expect(toStoredDateTime('04/29/2025 12:05 am')).toBe('2025-04-29T00:05:00Z')
    expect(toStoredDateTime(new Date(Date.UTC(2020, 1, 29, 5, 6, 7, 999)))).toBe('2020-02-29T05:06:07Z')
    expect(toStoredDateTime('0050-01-01T00:00:00Z')).toBe('0050-01-01T00:00:00Z')
  })

  it('rejects non-dates', () => {
    for (const v of [
      '',
      'now',
      '2025-13-01',
      '2025-02-29',
      '2024-02-30T00:00:00',
      '2025-01-01T24:00:00',
      '2025-01-01T10:00:00+25:00',
      '31.02.2020',
      5,
      null,
      {},
      new Date(Number.NaN),
      '04/29/2025 13:00 pm',
    ]) {
      expect(toStoredDateTime(v)).toBeNull()
    }
    expect(toStoredDate('2024-02-29')).toBe('2024-02-29')
    expect(toStoredDate('1900-02-29')).toBeNull()
  })

  it('reads dates without converting the time zone', () => {
    expect(toStoredDate('2025-04-29T23:30:00-05:00')).toBe('2025-04-29')
    expect(toStoredDate('2000-1-2')).toBe('2000-01-02')
    expect(toStoredDate(new Date(Date.UTC(2025, 0, 1, 23)), { timeZoneOffsetMinutes: 120 })).toBe(
      '2025-01-02',
    )
  })

  it('sorts lexicographically in time order and round-trips', () => {
    const values = [
      '2024-12-31T23:59:59+00:00',
      '2025-01-01T00:30:00+02:00',
      '2025-01-01T00:00:00Z',
      '0999-05-05T00:00:00Z',
    ]
    const stored = values.map((v) => toStoredDateTime(v) as string)
    const byText = [...stored].sort()
    const byTime = [...stored].sort((a, b) => storedDateTimeToEpochMs(a) - storedDateTimeToEpochMs(b))
    expect(byText).toEqual(byTime)
    expect(storedDateTimeToEpochMs('2025-01-01T00:00:00Z')).toBe(Date.UTC(2025, 0, 1))
    expect(storedDateTimeToEpochMs('2025-01-01')).toBeNaN()
  })
})

// ---------------------------------------------------------------------------------------------------------
// Integration against real databases
// ---------------------------------------------------------------------------------------------------------

type Predicate = (r: ItemRow) => boolean
const phonesOf = (id: number): string[] => PHONES.filter((p) => p.item_id === id).map((p) => p.value)
const ci = (s: string | null): string => (s ?? '').toLowerCase()

/** Filters and the rows they must return (computed in JS over the fixture). */
const FILTER_CASES: Array<[string, unknown, Predicate, ParseFilterOptions?]> = [
  ['eq integer', { ID: '5' }, (r) => r.id === 5],
  ['eq string (exact)', { TITLE: 'Item 001' }, (r) => r.title === 'Item 001'],
  ['eq empty string', { TITLE: '' }, (r) => r.title === null || r.title === ''],
  ['neq empty string', { '!=TITLE': '' }, (r) => r.title !== null && r.title !== ''],
  ['eq null date', { BIRTHDATE: '' }, (r) => r.birth === null],
  ['neq includes NULL rows', { '!STAGE_ID': 'WON' }, (r) => r.stage !== 'WON'],
  ['!= same as !', { '!=STAGE_ID': 'WON' }, (r) => r.stage !== 'WON'],
  ['gt', { '>ID': 100 }, (r) => r.id > 100],
  ['gte', { '>=ID': '100' }, (r) => r.id >= 100],
  ['lt', { '<AMOUNT': 15 }, (r) => r.amount < 15],
  ['lte', { '<=AMOUNT': '15' }, (r) => r.amount <= 15],
  ['in', { '@ID': [3, '4', 500] }, (r) => [3, 4].includes(r.id)],
  ['in with empty', { '@STAGE_ID': ['WON', ''] }, (r) => r.stage === 'WON' || r.stage === null],
  ['in empty list', { '@ID': [] }, () => false],
  ['notIn', { '!@STAGE_ID': ['NEW', 'WON'] }, (r) => r.stage !== 'NEW' && r.stage !== 'WON'],
  ['notIn empty list', { '!@ID': [] }, () => true],
  ['eq array → IN', { ID: [1, 2, 3] }, (r) => r.id <= 3],
  ['neq array → NOT IN', { '!ID': [1, 2, 3] }, (r) => r.id > 3],
  ['like substring, case-insensitive', { '%TITLE': 'alpha B' }, (r) => ci(r.title).includes('alpha b')],
  ['like escapes %', { '%TITLE': '50%' }, (r) => ci(r.title).includes('50%')],
  ['like escapes _', { '%TITLE': 'e_c' }, (r) => ci(r.title).includes('e_c')],
  ['like on integer column', { '%ID': '11' }, (r) => String(r.id).includes('11')],
  [
    'like array = any',
    { '%TITLE': ['snake', 'sale'] },
    (r) => ci(r.title).includes('snake') || ci(r.title).includes('sale'),
  ],
  ['likeRaw prefix', { '=%TITLE': 'item 01%' }, (r) => ci(r.title).startsWith('item 01')],
  ['likeRaw suffix', { '%=TITLE': '%7' }, (r) => ci(r.title).endsWith('7') && r.title !== null],
  ['likeRaw _ wildcard', { '=%TITLE': 'item 0_1' }, (r) => /^item 0.1$/.test(ci(r.title))],
  ['likeRaw escaped %', { '=%TITLE': 'sale 50\\%%' }, (r) => ci(r.title).startsWith('sale 50%')],
  ['notLike includes NULL', { '!%TITLE': 'item' }, (r) => !ci(r.title).includes('item') || r.title === null],
  ['notLikeRaw', { '!=%TITLE': 'item%' }, (r) => !ci(r.title).startsWith('item')],
  ['notLikeRaw alt', { '!%=TITLE': '%5' }, (r) => !(r.title ?? '').endsWith('5') || r.title === null],
  ['between inclusive', { '><ID': [10, '20'] }, (r) => r.id >= 10 && r.id <= 20],
  ['notBetween', { '!><AMOUNT': [3, 150] }, (r) => r.amount < 3 || r.amount > 150],
  ['char', { OPENED: 'y' }, (r) => r.opened === 'Y'],
  ['char from boolean', { OPENED: false }, (r) => r.opened === 'N'],
  ['boolean Y', { FLAG: 'Y' }, (r) => r.flag === 1],
  ['boolean 0', { FLAG: 0 }, (r) => r.flag === 0],
  [
    'date range short formats',
    { '>=BIRTHDATE': '01.03.2000', '<BIRTHDATE': '05/01/2000' },
    (r) => r.birth !== null && r.birth >= '2000-03-01' && r.birth < '2000-05-01',
  ],
  [
    'datetime with offset',
    { '>=DATE_CREATE': '2024-01-02T05:00:00+03:00' },
    (r) => r.created >= '2024-01-02T02:00:00Z',
  ],
  [
    'datetime between dates',
    { '><DATE_CREATE': ['2024-01-02', '2024-01-03'] },
    (r) => r.created >= '2024-01-02T00:00:00Z' && r.created <= '2024-01-03T00:00:00Z',
  ],
  [
    'datetime no offset uses portal zone',
    { '<DATE_CREATE': '2024-01-01T05:00:00' },
    (r) => r.created < '2024-01-01T03:00:00Z',
    { ...LEGACY, timeZoneOffsetMinutes: 120 },
  ],
  [
    'invalid date → no records',
    { '>DATE_CREATE': 'garbage' },
    () => false,
    { ...LEGACY, onInvalidValue: 'no_match' },
  ],
  [
    'OR group (crm-item-list.md shape)',
    { 0: { logic: 'OR', 0: { '<ID': 5 }, 1: { '>ID': 115 } }, '!=TITLE': '' },
    (r) => (r.id < 5 || r.id > 115) && r.title !== null && r.title !== '',
    UNIVERSAL,
  ],
  [
    'nested OR inside AND inside OR',
    { logic: 'OR', 0: { STAGE_ID: 'NEW', 0: { logic: 'OR', ID: 4, '>ID': 110 } }, 1: { ID: 1 } },
    (r) => (r.stage === 'NEW' && (r.id === 4 || r.id > 110)) || r.id === 1,
    UNIVERSAL,
  ],
  ['OR ignored on legacy', { 0: { logic: 'OR', ID: 1 }, '<ID': 3 }, (r) => r.id < 3],
  ['multifield hook', { PHONE: '+2004' }, (r) => phonesOf(r.id).includes('+2004')],
  ['multifield hook like', { '%PHONE': '+20011' }, (r) => phonesOf(r.id).some((p) => p.includes('+20011'))],
  ['multifield hook negated', { '!%PHONE': '+200' }, (r) => !phonesOf(r.id).some((p) => p.includes('+200'))],
  ['multifield hook in', { '@PHONE': ['+1001', '+2002'] }, (r) => r.id === 1 || r.id === 2],
]

function defineIntegration(getDb: () => Kysely<TestDB>, queries: () => string[]): void {
  const base = () => baseQuery(getDb())
  const options: RunListPageOptions = { ...LEGACY, tieBreakerColumn: 'id' }
  const ids = (rows: ReadonlyArray<{ id: number | string }>): number[] => rows.map((r) => Number(r.id))
  const byId = ROWS.map((r) => r.id)

  it('pages through 120 rows with total and next', async () => {
    const page0 = await runListPage(base(), { start: 0 }, FIELDS, options)
    expect(ids(page0.rows)).toEqual(byId.slice(0, 50))
    expect(page0.total).toBe(120)
    expect(page0.next).toBe(50)

    const page1 = await runListPage(base(), { start: '50' }, FIELDS, options)
    expect(ids(page1.rows)).toEqual(byId.slice(50, 100))
    expect(page1).toMatchObject({ total: 120, next: 100 })

    const page2 = await runListPage(base(), { start: 100 }, FIELDS, options)
    expect(ids(page2.rows)).toEqual(byId.slice(100))
    expect(page2.total).toBe(120)
    expect(page2.next).toBeUndefined()

    const rounded = await runListPage(base(), { start: 73 }, FIELDS, options)
    expect(ids(rounded.rows)).toEqual(byId.slice(50, 100))
    expect(rounded).toMatchObject({ total: 120, next: 100 })

    const beyond = await runListPage(base(), { start: 200 }, FIELDS, options)
    expect(beyond.rows).toEqual([])
    expect(beyond.total).toBe(120)
    expect(beyond.next).toBeUndefined()
  })

  it('start=-1 returns the first 50 rows without total or next', async () => {
    const page = await runListPage(base(), { start: -1, order: { ID: 'DESC' } }, FIELDS, options)
    expect(ids(page.rows)).toEqual([...byId].reverse().slice(0, 50))
    expect('total' in page).toBe(false)
    expect('next' in page).toBe(false)
    const keyset = await runListPage(
      base(),
      { start: -1, order: { ID: 'ASC' }, filter: { '>ID': 100 } },
      FIELDS,
      options,
    )
    expect(ids(keyset.rows)).toEqual(byId.slice(100))
  })

  it('counts only when the page is full', async () => {
    queries().length = 0
    const small = await runListPage(base(), { filter: { '<ID': 11 } }, FIELDS, options)
    expect(small).toMatchObject({ total: 10 })
    expect(small.next).toBeUndefined()
    expect(queries()).toHaveLength(1)

    queries().length = 0
    const exact = await runListPage(base(), { filter: { '<=ID': 50 } }, FIELDS, options)
    expect(exact.total).toBe(50)
    expect(exact.next).toBeUndefined()
    expect(queries()).toHaveLength(2)
    expect(queries()[1]).toMatch(/^select count\(\*\) as "total" from "items" where/)
    expect(queries()[1]).not.toContain('order by')

    queries().length = 0
    const last = await runListPage(base(), { filter: { '<=ID': 51 }, start: 50 }, FIELDS, options)
    expect(last).toMatchObject({ total: 51 })
    expect(ids(last.rows)).toEqual([51])
    expect(queries()).toHaveLength(1)

    const none = await runListPage(base(), { filter: { ID: 0 } }, FIELDS, options)
    expect(none).toEqual({ rows: [], total: 0 })
  })

  it.each(FILTER_CASES)('filter: %s', async (_name, filter, predicate, parseOptions) => {
    const expected = ROWS.filter(predicate).map((r) => r.id)
    const collected: number[] = []
    let start: number | undefined = 0
    let total: number | undefined
    while (start !== undefined) {
      const page: ListPage<ItemRow> = await runListPage(
        base(),
        { filter, start, order: { ID: 'ASC' } },
        FIELDS,
        { ...(parseOptions ?? LEGACY), tieBreakerColumn: 'id' },
      )
      collected.push(...ids(page.rows))
      total = page.total
      start = page.next
    }
    expect(collected).toEqual(expected)
    expect(total).toBe(expected.length)
  })

  // The same cases through prepared queries (compiled once per filter shape, then bound): each runs twice,
  // the second time from the cache, and after a case of the same shape with other values.
  it.each(FILTER_CASES)('filter, prepared: %s', async (_name, filter, predicate, parseOptions) => {
    const expected = ROWS.filter(predicate).map((r) => r.id)
    for (let run = 0; run < 2; run++) {
      const collected: number[] = []
      let start: number | undefined = 0
      let total: number | undefined
      while (start !== undefined) {
        const page: ListPage<ItemRow> = await runListPage(
          base,
          { filter, start, order: { ID: 'ASC' } },
          FIELDS,
          {
            ...(parseOptions ?? LEGACY),
            tieBreakerColumn: 'id',
            prepared: { db: getDb(), key: 'items', values: {} },
          },
        )
        collected.push(...ids(page.rows))
        total = page.total
        start = page.next
      }
      expect(collected).toEqual(expected)
      expect(total).toBe(expected.length)
    }
  })

  it('binds base-query slots and keeps each shape apart in prepared lists', async () => {
    const prepared = (below: number) => ({
      ...options,
      prepared: { db: getDb(), key: 'items-below', values: { below } },
    })
    const below = () => base().where('id', '<', param('below'))
    const page = (limit: number, filter: object) =>
      runListPage(below, { filter, order: { ID: 'DESC' } }, FIELDS, prepared(limit))
    expect(ids((await page(5, {})).rows)).toEqual([4, 3, 2, 1])
    expect(ids((await page(3, {})).rows)).toEqual([2, 1])
    expect(ids((await page(100, { '@ID': [7, 8, 8, null] })).rows)).toEqual([8, 7])
    expect(ids((await page(100, { '@ID': [9, 10] })).rows)).toEqual([10, 9])
    expect(ids((await page(100, { '@ID': [11] })).rows)).toEqual([11])
    expect(ids((await page(100, { '><ID': [20, 22] })).rows)).toEqual([22, 21, 20])
    expect(ids((await page(100, { '!><ID': [2, 98] })).rows)).toEqual([99, 1])
    expect((await page(100, { TITLE: '' })).total).toBe(ROWS.filter((r) => !r.title && r.id < 100).length)
    expect((await page(100, { '!=TITLE': '' })).total).toBe(ROWS.filter((r) => r.title && r.id < 100).length)
  })

  it('orders by several fields with NULLs first ascending and last descending', async () => {
    const rows = (
      await runListPage(base(), { order: { stage_id: 'asc', id: 'desc' }, start: -1 }, FIELDS, options)
    ).rows
    const expected = [...ROWS]
      .sort((a, b) => {
        if (a.stage !== b.stage) {
          if (a.stage === null) return -1
          if (b.stage === null) return 1
          return a.stage < b.stage ? -1 : 1
        }
        return b.id - a.id
      })
      .slice(0, 50)
      .map((r) => r.id)
    expect(ids(rows)).toEqual(expected)

    const desc = (await runListPage(base(), { order: { BIRTHDATE: 'DESC' } }, FIELDS, options)).rows
    const lastPage = (
      await runListPage(base(), { order: { BIRTHDATE: 'DESC' }, start: 100 }, FIELDS, options)
    ).rows
    expect(desc[0]?.birth).not.toBeNull()
    expect(lastPage.at(-1)?.birth).toBeNull()
    const births = [...desc, ...lastPage].map((r) => r.birth).filter((b): b is string => b !== null)
    expect(births).toEqual([...births].sort().reverse())
  })

  it('orders datetimes chronologically and doubles numerically', async () => {
    const created = (
      await runListPage(base(), { order: { DATE_CREATE: 'DESC' }, start: -1 }, FIELDS, options)
    ).rows
    expect(ids(created)).toEqual([...byId].reverse().slice(0, 50))
    const amount = (
      await runListPage(base(), { order: { AMOUNT: 'ASC' }, filter: { '>ID': 95 } }, FIELDS, options)
    ).rows
    expect(ids(amount)).toEqual(byId.slice(95))
  })

  it('is stable across pages with a non-unique order (tie-breaker)', async () => {
    const seen: number[] = []
    for (const start of [0, 50, 100]) {
      const page = await runListPage(base(), { order: { OPENED: 'DESC' }, start }, FIELDS, options)
      seen.push(...ids(page.rows))
    }
    expect(seen).toHaveLength(120)
    expect(new Set(seen).size).toBe(120)
    expect(seen.slice(0, 60).every((id) => id % 2 === 1)).toBe(true)
  })

  it('uses the default order when none is given', async () => {
    const page = await runListPage(base(), { filter: { '<ID': 4 }, order: [] }, FIELDS, {
      ...options,
      defaultOrder: [{ field: 'ID', direction: 'desc' }],
    })
    expect(ids(page.rows)).toEqual([3, 2, 1])
  })

  it('throws parse errors before running SQL', async () => {
    queries().length = 0
    await expect(runListPage(base(), { filter: { NOPE: 1 } }, FIELDS, UNIVERSAL)).rejects.toMatchObject({
      kind: 'field_not_allowed',
    })
    await expect(
      runListPage(base(), { order: { ID: 'sideways' } }, FIELDS, UNIVERSAL),
    ).rejects.toBeInstanceOf(ListQueryError)
    expect(queries()).toHaveLength(0)
  })

  it('leaves the table intact after hostile keys and values', async () => {
    const hostile = {
      'ID; DROP TABLE items': 1,
      '1=1--': 1,
      '>ID) OR (1=1': 1,
      "%TITLE') OR 1=1; DROP TABLE items; --": 'x',
      TITLE: "'; DROP TABLE items; --",
    }
    const page = await runListPage(
      base(),
      { filter: hostile, order: { 'ID; DROP TABLE items': 'ASC' } },
      FIELDS,
      options,
    )
    expect(page).toEqual({ rows: [], total: 0 })
    const all = await runListPage(base(), {}, FIELDS, options)
    expect(all.total).toBe(120)
  })
}

function baseQuery(db: Kysely<TestDB>) {
  return db.selectFrom('items').selectAll()
}

async function createFixture(db: Kysely<TestDB>, textType: string): Promise<void> {
  const text = sql.raw(textType)
  await sql`create table items (
    id integer primary key,
    title ${text},
    amount double precision not null,
    opened ${text} not null,
    flag integer not null,
    birth ${text},
    created ${text} not null,
    stage ${text}
  )`.execute(db)
  await sql`create table phones (item_id integer not null, value ${text} not null)`.execute(db)
  for (let i = 0; i < ROWS.length; i += 40)
    await db
      .insertInto('items')
      .values(ROWS.slice(i, i + 40))
      .execute()
  for (let i = 0; i < PHONES.length; i += 100)
    await db
      .insertInto('phones')
      .values(PHONES.slice(i, i + 100))
      .execute()
}

describe('integration: SQLite (better-sqlite3)', () => {
  const log: string[] = []
  let db: Kysely<TestDB>
  beforeAll(async () => {
    db = new Kysely<TestDB>({
      dialect: new SqliteDialect({ database: new Database(':memory:') }),
      log: (event) => {
        if (event.level === 'query') log.push(event.query.sql)
      },
    })
    await createFixture(db, 'text')
  })
  afterAll(async () => {
    await db.destroy()
  })
  defineIntegration(
    () => db,
    () => log,
  )

  it('has a page size of 50', () => {
    expect(LIST_PAGE_SIZE).toBe(50)
  })
})

const pgUrl = process.env.B24_TEST_DATABASE_URL

describe.skipIf(!pgUrl)('integration: PostgreSQL', () => {
  const log: string[] = []
  const schema = `lq_test_${process.pid}_${Date.now()}`
  let db: Kysely<TestDB>
  let admin: pg.Pool
  beforeAll(async () => {
    admin = new pg.Pool({ connectionString: pgUrl, max: 1 })
    await admin.query(`create schema "${schema}"`)
    db = new Kysely<TestDB>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: pgUrl, max: 2, options: `-c search_path=${schema}` }),
      }),
      log: (event) => {
        if (event.level === 'query') log.push(event.query.sql)
      },
    })
    await createFixture(db, 'text collate "C"')
  })
  afterAll(async () => {
    await db?.destroy()
    await admin?.query(`drop schema if exists "${schema}" cascade`)
    await admin?.end()
  })
  defineIntegration(
    () => db,
    () => log,
  )
})
