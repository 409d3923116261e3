import { describe, expect, it } from 'vitest'
import { ItemOperationError } from '../items/operations/errors.js'
import { emptyLabels, type UserFieldDefinition } from './user-field.js'
import { userTypeSpec } from './user-field-types.js'
import {
  crmBindingSymbols,
  legacyUserFieldValue,
  readMoney,
  readUserFieldValue,
  type UserFieldDialect,
  type UserFieldRead,
} from './user-field-values.js'

function def(userTypeId: string, options: Partial<UserFieldDefinition> = {}): UserFieldDefinition {
  return {
    id: 1,
    entityId: 'CRM_DEAL',
    fieldName: 'UF_CRM_X',
    userTypeId,
    xmlId: null,
    sort: 100,
    multiple: false,
    mandatory: false,
    showFilter: 'N',
    showInList: true,
    editInList: true,
    isSearchable: false,
    settings: userTypeSpec(userTypeId)?.defaultSettings() ?? {},
    labels: { ...emptyLabels(), EDIT_FORM_LABEL: { en: 'X field' } },
    enumItems: [],
    ...options,
  }
}

const read = (d: UserFieldDefinition, raw: unknown, dialect: UserFieldDialect = 'universal'): UserFieldRead =>
  readUserFieldValue(d, raw, { dialect, timeZoneOffsetMinutes: 180 })

const value = (d: UserFieldDefinition, raw: unknown, dialect: UserFieldDialect = 'universal'): unknown => {
  const result = read(d, raw, dialect)
  if (!result.ok) return `skipped:${result.reason}`
  return result.write.kind === 'set' ? result.write.value : result.write.elements
}

function errorKind(run: () => unknown): string | undefined {
  try {
    run()
  } catch (error) {
    if (error instanceof ItemOperationError) return error.detail.kind
    throw error
  }
  return undefined
}

describe('custom-field values: reading (user-field-values.ts)', () => {
  it('integers and doubles take PHP casts; doubles round to PRECISION; MIN/MAX are checked', () => {
    expect(value(def('integer'), '12abc')).toBe(12)
    expect(value(def('integer'), 'abc')).toBe(0)
    expect(value(def('integer'), 7.9)).toBe(7)
    expect(value(def('double'), '3.14159')).toBe(3.14)
    expect(value(def('double', { settings: { PRECISION: 0 } }), '2.5')).toBe(3)
    const ranged = def('integer', { settings: { MIN_VALUE: 5, MAX_VALUE: 10 } })
    expect(errorKind(() => value(ranged, 4))).toBe('valueNotValid')
    expect(errorKind(() => value(ranged, 11))).toBe('valueNotValid')
    expect(value(ranged, 10)).toBe(10)
  })

  it('PHP-empty values clear a single field (0 and "0" too)', () => {
    for (const empty of ['', 0, '0', null, false, []]) expect(value(def('integer'), empty)).toBeNull()
    expect(value(def('string'), '')).toBeNull()
  })

  it('strings: PHP string cast, MIN_LENGTH / MAX_LENGTH / REGEXP', () => {
    expect(value(def('string'), 42)).toBe('42')
    expect(value(def('string'), true)).toBe('1')
    const checked = def('string', { settings: { MIN_LENGTH: 2, MAX_LENGTH: 4, REGEXP: '/^[a-z]+$/i' } })
    expect(value(checked, 'Abc')).toBe('Abc')
    expect(errorKind(() => value(checked, 'a'))).toBe('valueNotValid')
    expect(errorKind(() => value(checked, 'abcde'))).toBe('valueNotValid')
    expect(errorKind(() => value(checked, 'ab1'))).toBe('valueNotValid')
  })

  it('booleans: universal Y/true/"true"/"y"; legacy also 1 and "1"; empty is 0', () => {
    const flag = def('boolean')
    expect([true, 'true', 'y', 'Y', 'N', 1, '1', 'yes'].map((v) => value(flag, v))).toEqual([
      1, 1, 1, 1, 0, 0, 0, 0,
    ])
    expect([1, '1', 'Y', 'N', '0', ''].map((v) => value(flag, v, 'legacy'))).toEqual([1, 1, 1, 0, 0, 0])
    expect(value(flag, '')).toBe(0)
  })

  it('dates drop the time; datetimes read the offset; unreadable ones are skipped', () => {
    expect(value(def('date'), '2025-04-29T23:59:00+03:00')).toBe('2025-04-29')
    expect(value(def('date'), '29.04.2025')).toBe('2025-04-29')
    expect(value(def('datetime'), '2025-04-29T13:03:20+03:00')).toBe('2025-04-29T10:03:20Z')
    // No offset: the portal's (+03:00).
    expect(value(def('datetime'), '2025-04-29T13:03:20')).toBe('2025-04-29T10:03:20Z')
    expect(value(def('date'), 'soon')).toBe('skipped:invalidDate')
    expect(value(def('date', { multiple: true }), ['2025-01-01', 'bad', '2025-01-02'])).toEqual([
      '2025-01-01',
      '2025-01-02',
    ])
  })

  it('enumerations take their value ids; another id is not valid', () => {
    const list = def('enumeration', {
      enumItems: [
        { id: 5, value: 'A', def: false, sort: 10, xmlId: 'a' },
        { id: 6, value: 'B', def: false, sort: 20, xmlId: 'b' },
      ],
    })
    expect(value(list, '6')).toBe(6)
    expect(errorKind(() => value(list, 7))).toBe('valueNotValid')
    // PHP's int cast of a text is 0: no value.
    expect(value(list, 'A')).toBeNull()
  })

  it('money: a bare amount waits for the currency; no amount clears', () => {
    expect(readMoney('1234.56')).toBe('1234.56|')
    expect(readMoney(300)).toBe('300|')
    expect(readMoney(' 1 234,5 | eur ')).toBe('1234.5|EUR')
    expect(readMoney('1234.56|XXX')).toBe('1234.56|XXX')
    for (const empty of ['|EUR', 'EUR', 'abc|EUR']) expect(readMoney(empty)).toBeNull()
  })

  it('crm bindings: prefixes of the enabled types; a one-type field stores the bare id', () => {
    const many = def('crm', {
      settings: { LEAD: 'N', CONTACT: 'Y', COMPANY: 'Y', DEAL: 'N', DYNAMIC_1220: 'Y' },
    })
    expect(crmBindingSymbols(many)).toEqual(['C', 'CO', 'T4c4'])
    expect(value(many, 'CO_3')).toBe('CO_3')
    expect(value(many, 't4C4_6')).toBe('T4c4_6')
    expect(errorKind(() => value(many, 'D_1'))).toBe('valueNotValid')
    expect(errorKind(() => value(many, '5'))).toBe('valueNotValid')
    const one = def('crm', { settings: { LEAD: 'Y', CONTACT: 'N' } })
    expect(value(one, '7')).toBe('7')
    expect(value(one, 'L_8')).toBe('8')
  })

  it('multiple fields: lists (or objects) of values, empties and duplicates dropped; a scalar is error 100', () => {
    const tags = def('string', { multiple: true })
    expect(value(tags, ['a', '', 'b', 'a', null])).toEqual(['a', 'b'])
    expect(value(tags, { x: 'a', y: 'b' })).toEqual(['a', 'b'])
    expect(value(tags, [false])).toEqual([])
    expect(value(tags, [])).toBe('skipped:emptyMultipleKept')
    expect(value(tags, [], 'legacy')).toEqual([])
    expect(errorKind(() => value(tags, 'a'))).toBe('multipleExpected')
    expect(errorKind(() => value(tags, [['nested']]))).toBe('valueNotValid')
  })
})

describe('custom-field values: files', () => {
  const b64 = Buffer.from('hello').toString('base64')
  const single = def('file')
  const multiple = def('file', { multiple: true })

  it('universal: [name, base64] uploads, {id} keeps, "" clears, unreadable uploads are skipped', () => {
    expect(value(single, ['a.txt', b64])).toEqual([
      { kind: 'upload', upload: { name: 'a.txt', content: Buffer.from('hello') } },
    ])
    expect(value(single, { id: 5 })).toEqual([{ kind: 'keep', id: 5 }])
    expect(value(single, '')).toEqual([])
    expect(value(single, ['a.txt', ''])).toBe('skipped:invalidUpload')
    expect(value(single, ['a.txt', '!!'])).toBe('skipped:invalidUpload')
    expect(value(single, { fileData: ['a.txt', b64] })).toBe('skipped:invalidUpload')
  })

  it('universal multiple: each element by the same rules; a bare pair is one upload; [] keeps', () => {
    const elements = value(multiple, [{ id: 12 }, { id: 44 }, ['new.pdf', b64], ''])
    expect(elements).toEqual([
      { kind: 'keep', id: 12 },
      { kind: 'keep', id: 44 },
      { kind: 'upload', upload: { name: 'new.pdf', content: Buffer.from('hello') } },
    ])
    expect((value(multiple, ['new.pdf', b64]) as unknown[]).length).toBe(1)
    expect(value(multiple, [])).toBe('skipped:emptyMultipleKept')
    expect(value(multiple, [''])).toEqual([])
    expect(errorKind(() => value(multiple, 'x'))).toBe('multipleExpected')
  })

  it('legacy: {fileData}, {id, remove: Y}; a list on a single field is ignored, one upload on a multiple is a list', () => {
    expect(value(single, { fileData: ['a.txt', b64] }, 'legacy')).toEqual([
      { kind: 'upload', upload: { name: 'a.txt', content: Buffer.from('hello') } },
    ])
    expect(value(single, { fileData: b64 }, 'legacy')).toEqual([
      { kind: 'upload', upload: { name: 'file', content: Buffer.from('hello') } },
    ])
    expect(value(single, { id: 3, remove: 'Y' }, 'legacy')).toEqual([{ kind: 'remove', id: 3 }])
    expect(value(single, [{ fileData: ['a.txt', b64] }], 'legacy')).toBe('skipped:singleFieldGotList')
    expect(value(multiple, { fileData: ['a.txt', b64] }, 'legacy')).toEqual([
      { kind: 'upload', upload: { name: 'a.txt', content: Buffer.from('hello') } },
    ])
    expect(value(single, ['a.txt', b64], 'legacy')).toBe('skipped:singleFieldGotList')
  })

  it('uploaded names lose directories; an unnamed PNG gets file.png', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1]).toString('base64')
    expect(value(single, ['../../etc/passwd', b64])).toEqual([
      { kind: 'upload', upload: { name: 'passwd', content: Buffer.from('hello') } },
    ])
    expect(
      (value(single, { fileData: png }, 'legacy') as { upload: { name: string } }[])[0]?.upload.name,
    ).toBe('file.png')
  })
})

describe('custom-field values: legacy output', () => {
  const options = {
    timeZoneOffsetMinutes: 120,
    fileUrls: (id: number) => ({ showUrl: `/show/${id}`, downloadUrl: `/download/${id}` }),
  }

  it('numbers as strings, booleans as JSON booleans, dates with the ConvertDate time', () => {
    expect(legacyUserFieldValue(def('integer'), 267, options)).toBe('267')
    expect(legacyUserFieldValue(def('double'), 200.05, options)).toBe('200.05')
    expect(legacyUserFieldValue(def('boolean'), 0, options)).toBe(false)
    expect(legacyUserFieldValue(def('boolean'), 1, options)).toBe(true)
    expect(legacyUserFieldValue(def('date'), '2025-04-29', options)).toBe('2025-04-29T02:00:00+02:00')
    expect(legacyUserFieldValue(def('string'), undefined, options)).toBeNull()
    expect(legacyUserFieldValue(def('string', { multiple: true }), undefined, options)).toEqual([])
  })

  it('files as {id, showUrl, downloadUrl}; an empty single file field is left out', () => {
    expect(legacyUserFieldValue(def('file'), 5, options)).toEqual({
      id: 5,
      showUrl: '/show/5',
      downloadUrl: '/download/5',
    })
    expect(legacyUserFieldValue(def('file'), null, options)).toBeUndefined()
    expect(legacyUserFieldValue(def('file', { multiple: true }), [5, 6], options)).toEqual([
      { id: 5, showUrl: '/show/5', downloadUrl: '/download/5' },
      { id: 6, showUrl: '/show/6', downloadUrl: '/download/6' },
    ])
  })
})
