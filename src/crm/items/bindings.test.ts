import { describe, expect, it } from 'vitest'
import BetterSqlite3 from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { planAdd, planRemove, planSet } from './bindings.js'
import { sameRows, withOnePrimary, type BindingRow } from './binding-store.js'
import * as m0001 from '../../store/migrations/0001-foundation.js'
import * as m0002 from '../../store/migrations/0002-crm.js'
import * as m0006 from '../../store/migrations/0006-history.js'
import type { Database } from '../../store/schema.js'

/** The primary and sort rules of the binding methods (bindings.ts), as pure functions. */

const row = (id: number, sort: number, isPrimary = false): BindingRow => ({ id, sort, isPrimary })

describe('planAdd', () => {
  it('the first binding is primary; later ones are not unless IS_PRIMARY=Y, which takes the primary over', () => {
    const one = planAdd('dealContact', [], { id: 5, isPrimary: false })
    expect(one).toEqual([row(5, 10, true)])
    const two = planAdd('dealContact', one!, { id: 6, isPrimary: false })
    expect(two).toEqual([row(5, 10, true), row(6, 20)])
    expect(planAdd('dealContact', two!, { id: 7, isPrimary: true, sort: 15 })).toEqual([
      row(5, 10),
      row(7, 15, true),
      row(6, 20),
    ])
  })

  it('an item already bound: null (nothing changes), whatever the flags', () => {
    expect(planAdd('contactCompany', [row(5, 10, true)], { id: 5, isPrimary: true, sort: 1 })).toBeNull()
  })

  it('default SORT: 10 for leads (crm-lead-contact-add.md), max + 10 for the others', () => {
    expect(planAdd('leadContact', [row(1, 40, true)], { id: 2, isPrimary: false })).toEqual([
      row(2, 10),
      row(1, 40, true),
    ])
    for (const kind of ['dealContact', 'contactCompany', 'companyContact'] as const) {
      expect(planAdd(kind, [row(1, 40, true)], { id: 2, isPrimary: false })).toEqual([
        row(1, 40, true),
        row(2, 50),
      ])
    }
  })
})

describe('planRemove', () => {
  it('removing the primary makes the first remaining (by sort) primary; an unbound id gives null', () => {
    const rows = [row(1, 30, true), row(2, 20), row(3, 10)]
    expect(planRemove(rows, 1)).toEqual([row(3, 10, true), row(2, 20)])
    expect(planRemove(rows, 2)).toEqual([row(3, 10), row(1, 30, true)])
    expect(planRemove(rows, 9)).toBeNull()
    expect(planRemove([row(1, 10, true)], 1)).toEqual([])
  })
})

describe('planSet', () => {
  const entries = (...list: { id: number; sort?: number; isPrimary?: boolean }[]) =>
    list.map((e, index) => ({
      id: e.id,
      isPrimary: e.isPrimary ?? false,
      index,
      ...(e.sort === undefined ? {} : { sort: e.sort }),
    }))

  it('no Y → the first is primary; several Y → the first Y', () => {
    expect(planSet('dealContact', [], entries({ id: 1 }, { id: 2 }))).toEqual([row(1, 10, true), row(2, 20)])
    expect(
      planSet('dealContact', [], entries({ id: 1 }, { id: 2, isPrimary: true }, { id: 3, isPrimary: true })),
    ).toEqual([row(1, 10), row(2, 20, true), row(3, 30)])
  })

  it('leads and deals: SORT defaults to (i + 1) * 10 with i the position in items', () => {
    expect(planSet('leadContact', [row(9, 500, true)], entries({ id: 1, sort: 7 }, { id: 2 }))).toEqual([
      row(1, 7, true),
      row(2, 20),
    ])
  })

  it('contacts and companies: an existing binding keeps its sort; new ones get max(existing, given) + 10, + 20 …', () => {
    const existing = [row(1, 50, true), row(2, 60)]
    expect(
      planSet('contactCompany', existing, entries({ id: 2 }, { id: 3 }, { id: 4, sort: 100 }, { id: 5 })),
    ).toEqual([row(2, 60, true), row(4, 100), row(3, 110), row(5, 120)])
    expect(planSet('companyContact', [], entries({ id: 3 }, { id: 4 }))).toEqual([
      row(3, 10, true),
      row(4, 20),
    ])
  })
})

describe('binding rows', () => {
  it('withOnePrimary keeps the first primary, else makes the first row primary', () => {
    expect(withOnePrimary([row(1, 10), row(2, 20)])).toEqual([row(1, 10, true), row(2, 20)])
    expect(withOnePrimary([row(1, 10, true), row(2, 20, true)])).toEqual([row(1, 10, true), row(2, 20)])
  })

  it('sameRows compares as sets in list order', () => {
    expect(sameRows([row(2, 20), row(1, 10, true)], [row(1, 10, true), row(2, 20)])).toBe(true)
    expect(sameRows([row(1, 10, true)], [row(1, 10)])).toBe(false)
  })
})

describe('migration 0006: the company side of existing contact ↔ company rows', () => {
  it('contacts in id order with sorts 10, 20, …, the first one primary', async () => {
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }),
    })
    const raw = db as unknown as Kysely<unknown>
    await m0001.up(raw, 'sqlite')
    await m0002.up(raw, 'sqlite')
    for (const [contactId, companyId] of [
      [5, 1],
      [3, 1],
      [9, 1],
      [3, 2],
    ] as const) {
      await (raw as Kysely<{ crm_contact_company: Record<string, number> }>)
        .insertInto('crm_contact_company')
        .values({ portal_id: 1, contact_id: contactId, company_id: companyId, sort: 10, is_primary: 1 })
        .execute()
    }
    await m0006.up(raw, 'sqlite')
    const rows = await db
      .selectFrom('crm_contact_company')
      .select(['company_id', 'contact_id', 'company_sort', 'company_is_primary'])
      .orderBy('company_id')
      .orderBy('company_sort')
      .execute()
    expect(rows.map((r) => [r.company_id, r.contact_id, r.company_sort, r.company_is_primary])).toEqual([
      [1, 3, 10, 1],
      [1, 5, 20, 0],
      [1, 9, 30, 0],
      [2, 3, 10, 1],
    ])
    await db.destroy()
  })
})
