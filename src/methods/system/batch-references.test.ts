import { describe, expect, it } from 'vitest'
import { resolveReferences, resolveString, type BatchResults } from './batch-references.js'

const time = { start: 1, finish: 2, duration: 1, processing: 0.5, date_start: 'a', date_finish: 'b' }

function results(): BatchResults {
  const page = Array.from({ length: 50 }, (_, i) => ({ ID: String(i + 1), NAME: `User ${i + 1}` }))
  return {
    result: new Map<string, unknown>([
      ['list', page],
      ['short', page.slice(0, 3)],
      ['me', { ID: '1', UF_DEPARTMENT: [1, 5], ACTIVE: true, ADMIN: false, NOTE: null, RATE: 200.05 }],
      ['items', { items: page.map((row) => ({ id: Number(row.ID) })) }],
      ['0', { ID: '7' }],
      ['flag', true],
    ]),
    next: new Map<string, unknown>([['list', 50]]),
    total: new Map<string, unknown>([['list', 120]]),
    time: new Map<string, unknown>([['me', time]]),
    error: new Map<string, unknown>([
      ['bad', { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' }],
    ]),
  }
}

describe('batch references', () => {
  it('inserts the raw value when the reference is the whole value', () => {
    const r = results()
    expect(resolveString('$result[me][ID]', r)).toBe('1')
    expect(resolveString('$result[me][UF_DEPARTMENT]', r)).toEqual([1, 5])
    expect(resolveString('$result[me][UF_DEPARTMENT][1]', r)).toBe(5)
    expect(resolveString('$result[me][ACTIVE]', r)).toBe(true)
    expect(resolveString('$result[me][NOTE]', r)).toBeNull()
    expect(resolveString('$result[me]', r)).toEqual(r.result.get('me'))
    expect(resolveString('$result[flag]', r)).toBe(true)
  })

  it('indexes list pages, including nested ones', () => {
    const r = results()
    expect(resolveString('$result[list][49][ID]', r)).toBe('50')
    expect(resolveString('$result[list][0][NAME]', r)).toBe('User 1')
    expect(resolveString('$result[items][items][49][id]', r)).toBe(50)
  })

  it('reads next, total, time and error of earlier commands', () => {
    const r = results()
    expect(resolveString('$next[list]', r)).toBe(50)
    expect(resolveString('$total[list]', r)).toBe(120)
    expect(resolveString('$time[me][start]', r)).toBe(1)
    expect(resolveString('$time[me]', r)).toEqual(time)
    expect(resolveString('$error[bad][error]', r)).toBe('ERROR_METHOD_NOT_FOUND')
  })

  it('resolves numeric command keys (cmd sent as a list)', () => {
    expect(resolveString('$result[0][ID]', results())).toBe('7')
  })

  it('substitutes embedded references only when they point at scalars, the PHP way', () => {
    const r = results()
    expect(resolveString('id-$result[me][ID]-x', r)).toBe('id-1-x')
    expect(resolveString('$result[list][0][ID],$result[list][1][ID]', r)).toBe('1,2')
    expect(resolveString('a $result[me][ACTIVE] b $result[me][ADMIN] c', r)).toBe('a 1 b  c')
    expect(resolveString('rate $result[me][RATE]', r)).toBe('rate 200.05')
    expect(resolveString('pages $total[list]/$next[list]', r)).toBe('pages 120/50')
    // arrays and null are not scalars: the text stays
    expect(resolveString('x $result[me][UF_DEPARTMENT]', r)).toBe('x $result[me][UF_DEPARTMENT]')
    expect(resolveString('x $result[me][NOTE]', r)).toBe('x $result[me][NOTE]')
  })

  it('leaves unresolvable references as literal text', () => {
    const r = results()
    expect(resolveString('$result[short][49][ID]', r)).toBe('$result[short][49][ID]')
    expect(resolveString('$result[nope][ID]', r)).toBe('$result[nope][ID]')
    expect(resolveString('$result[me][MISSING]', r)).toBe('$result[me][MISSING]')
    expect(resolveString('$result[me][ID][0]', r)).toBe('$result[me][ID][0]') // no indexing into strings
    expect(resolveString('$result[list][049][ID]', r)).toBe('$result[list][049][ID]') // not a list index
    expect(resolveString('$result[list][-1]', r)).toBe('$result[list][-1]')
    expect(resolveString('$result[me][toString]', r)).toBe('$result[me][toString]') // own keys only
    expect(resolveString('$error[me]', r)).toBe('$error[me]') // `me` succeeded: no error to read
    expect(resolveString('id $result[nope][ID] $result[me][ID]', r)).toBe('id $result[nope][ID] 1')
  })

  it('ignores text that only looks like a reference', () => {
    const r = results()
    for (const text of [
      '$result',
      '$result[]',
      '$results[me]',
      '$Result[me][ID]',
      'price $5',
      '$other[me]',
    ]) {
      expect(resolveString(text, r)).toBe(text)
    }
  })

  it('walks nested parameters and keeps keys untouched', () => {
    const r = results()
    const params = {
      filter: { '>ID': '$result[list][49][ID]', '@ID': ['$result[list][0][ID]', '$result[list][1][ID]'] },
      '$result[me][ID]': 'key is not substituted',
      ID: '$result[me][UF_DEPARTMENT]',
      order: { ID: 'ASC' },
    }
    expect(resolveReferences(params, r)).toEqual({
      filter: { '>ID': '50', '@ID': ['1', '2'] },
      '$result[me][ID]': 'key is not substituted',
      ID: [1, 5],
      order: { ID: 'ASC' },
    })
  })

  it('hands the next command a copy, so it cannot change the earlier result', () => {
    const r = results()
    const inserted = resolveString('$result[me][UF_DEPARTMENT]', r) as number[]
    inserted.push(99)
    expect((r.result.get('me') as { UF_DEPARTMENT: number[] }).UF_DEPARTMENT).toEqual([1, 5])
  })
})
