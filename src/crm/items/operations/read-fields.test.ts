import { describe, expect, it } from 'vitest'
import { COMPANY } from '../../entity-types/company.js'
import { CONTACT } from '../../entity-types/contact.js'
import { DEAL } from '../../entity-types/deal.js'
import { LEAD } from '../../entity-types/lead.js'
import { QUOTE } from '../../entity-types/quote.js'
import { ItemOperationError } from './errors.js'
import {
  isPhpEmpty,
  phpFloat,
  phpGetType,
  phpInt,
  readBoolean,
  readFields,
  type ReadFieldsOptions,
} from './read-fields.js'

const UPDATE: ReadFieldsOptions = {
  operation: 'update',
  useOriginalUfNames: false,
  timeZoneOffsetMinutes: 120,
}
const ADD: ReadFieldsOptions = { ...UPDATE, operation: 'add' }

function thrown(fn: () => unknown): ItemOperationError {
  try {
    fn()
  } catch (error) {
    if (error instanceof ItemOperationError) return error
    throw error
  }
  throw new Error('expected an ItemOperationError')
}

describe('readFields: keys (server-behaviour §1.A item 6, §1.B item 11)', () => {
  it('"clients may send title or TITLE": camelCase, UPPER and lower snake reach the same field', () => {
    for (const key of ['title', 'TITLE', 'Title']) {
      expect(readFields(DEAL, { [key]: 'x' }, UPDATE).patch.values).toEqual({ title: 'x' })
    }
    expect(readFields(DEAL, { assigned_by_id: 5 }, UPDATE).patch.values).toEqual({ assignedById: 5 })
    expect(readFields(DEAL, { ASSIGNED_BY_ID: 5 }, UPDATE).patch.values).toEqual({ assignedById: 5 })
  })

  it('"An incorrect field in fields will be ignored" — kept with reason unknown', () => {
    const { patch, ignored } = readFields(DEAL, { noSuchField: 1, title: 'x' }, UPDATE)
    expect(patch.values).toEqual({ title: 'x' })
    expect(ignored).toEqual([{ key: 'noSuchField', reason: 'unknown' }])
  })

  it('the same field twice: the later key wins, the earlier is reported', () => {
    const { patch, ignored } = readFields(DEAL, { title: 'a', TITLE: 'b' }, UPDATE)
    expect(patch.values).toEqual({ title: 'b' })
    expect(ignored).toEqual([{ key: 'title', reason: 'duplicate' }])
  })

  it('read-only and auto-generated fields have no effect and no error (§1.E item 36)', () => {
    const keys = ['id', 'createdTime', 'createdBy', 'updatedTime', 'updatedBy', 'movedTime', 'movedBy']
    const more = [
      'lastActivityTime',
      'lastActivityBy',
      'stageSemanticId',
      'closed',
      'isNew',
      'isReturnCustomer',
    ]
    const { patch, ignored } = readFields(
      DEAL,
      Object.fromEntries([...keys, ...more].map((k) => [k, 1])),
      UPDATE,
    )
    expect(patch.values).toEqual({})
    expect(ignored.map((i) => i.reason)).toEqual([...keys, ...more].map(() => 'readOnly'))
  })

  it('disabled fields are ignored (object-fields.md "Field is disabled")', () => {
    expect(readFields(DEAL, { isWork: 'Y' }, UPDATE).ignored).toEqual([{ key: 'isWork', reason: 'disabled' }])
  })

  it('hidden fields are ignored (contact fullName)', () => {
    expect(readFields(CONTACT, { fullName: 'x' }, UPDATE).ignored).toEqual([
      { key: 'fullName', reason: 'hidden' },
    ])
  })

  it('immutable fields are settable on add and ignored on update (webformId, how-to-make-contact-edit-card.md)', () => {
    expect(readFields(CONTACT, { webformId: 3 }, ADD).patch.values).toEqual({ webformId: 3 })
    expect(readFields(CONTACT, { webformId: 3 }, UPDATE).ignored).toEqual([
      { key: 'webformId', reason: 'immutable' },
    ])
  })

  it('UF_CRM_… keys are ignored while useOriginalUfNames = N; custom fields do not exist yet', () => {
    expect(readFields(DEAL, { UF_CRM_1721244707107: 1 }, UPDATE).ignored).toEqual([
      { key: 'UF_CRM_1721244707107', reason: 'ufWithoutOriginalNames' },
    ])
    expect(readFields(DEAL, { ufCrm_1721244707107: 200.05 }, UPDATE).ignored).toEqual([
      { key: 'ufCrm_1721244707107', reason: 'unknown' },
    ])
    expect(
      readFields(DEAL, { UF_CRM_1721244707107: 1 }, { ...UPDATE, useOriginalUfNames: true }).ignored,
    ).toEqual([{ key: 'UF_CRM_1721244707107', reason: 'unknown' }])
  })

  it('parentId{N} / PARENT_ID_{N}: > 0 binds, empty unbinds (§1.B item 19)', () => {
    const { patch } = readFields(
      DEAL,
      { parentId1220: 2, PARENT_ID_1222: '7', parentId1224: 0, parentId1226: '' },
      UPDATE,
    )
    expect(patch.parents).toEqual({ 1220: 2, 1222: 7, 1224: null, 1226: null })
  })
})

describe('readFields: values (§1.B items 12–16)', () => {
  it('PHP-empty ("", 0, "0", null, [], false) sets the field to null — companyId: 0 unbinds', () => {
    for (const empty of ['', 0, '0', null, [], false, {}]) {
      expect(readFields(DEAL, { companyId: empty, comments: empty }, UPDATE).patch.values).toEqual({
        companyId: null,
        comments: null,
      })
    }
  })

  it('booleans: only true, "true", "y", "Y" are true; "N", 1 and "1" are false (item 14)', () => {
    const cases: [unknown, boolean][] = [
      [true, true],
      ['true', true],
      ['y', true],
      ['Y', true],
      ['N', false],
      [1, false],
      ['1', false],
      ['yes', false],
      [false, false],
      ['', false],
    ]
    for (const [input, expected] of cases) {
      expect(readFields(DEAL, { opened: input }, UPDATE).patch.values, String(input)).toEqual({
        opened: expected,
      })
    }
  })

  it('integers and ids are cast like PHP (int): "12abc" → 12, "7" → 7, 12.9 → 12; an id that casts to 0 binds nothing', () => {
    expect(
      readFields(DEAL, { probability: '12abc', assignedById: '7', webformId: 12.9 }, ADD).patch.values,
    ).toEqual({
      probability: 12,
      assignedById: 7,
      webformId: 12,
    })
    expect(readFields(DEAL, { companyId: 'abc' }, UPDATE).patch.values).toEqual({ companyId: null })
  })

  it('doubles are cast like PHP (float): "999.99" → 999.99, "10 000" → 10', () => {
    expect(readFields(DEAL, { opportunity: '999.99', taxValue: '10 000' }, UPDATE).patch.values).toEqual({
      opportunity: 999.99,
      taxValue: 10,
    })
  })

  it('strings: numbers become text, true becomes "1"', () => {
    expect(readFields(DEAL, { title: 351, comments: true }, UPDATE).patch.values).toEqual({
      title: '351',
      comments: '1',
    })
  })

  it('dates: ISO, YYYY-MM-DD and the portal short formats; the time is dropped (data-types.md)', () => {
    const read = (value: string, dateFormat?: string) =>
      readFields(DEAL, { begindate: value }, dateFormat === undefined ? UPDATE : { ...UPDATE, dateFormat })
        .patch.values['begindate']
    expect(read('2025-04-29')).toBe('2025-04-29')
    expect(read('2025-04-29T23:59:00+03:00')).toBe('2025-04-29')
    expect(read('04/29/2025')).toBe('2025-04-29')
    expect(read('11.11.1999')).toBe('1999-11-11')
    expect(read('29/04/2025', 'DD/MM/YYYY')).toBe('2025-04-29')
  })

  it('"An unparseable value is silently not applied": the old value stays (item 13)', () => {
    const { patch, ignored } = readFields(DEAL, { closedate: 'next tuesday' }, UPDATE)
    expect(patch.values).toEqual({})
    expect(ignored).toEqual([{ key: 'closedate', reason: 'invalidDate' }])
  })

  it('a list given to a single-valued field is an invalid value', () => {
    const error = thrown(() => readFields(DEAL, { title: ['a', 'b'] }, UPDATE))
    expect(error.detail).toEqual({ kind: 'valueNotValid', field: 'title', title: 'Name' })
  })

  it('the contact photo takes no value through crm.item.* (how-to-make-contact-edit-card.md); empty clears it', () => {
    expect(thrown(() => readFields(CONTACT, { photo: ['a.png', 'AAAA'] }, UPDATE)).detail).toMatchObject({
      kind: 'fileNotAccepted',
      field: 'photo',
    })
    expect(readFields(CONTACT, { photo: '' }, UPDATE).patch.values).toEqual({ photo: null })
  })
})

describe('readFields: multiple fields', () => {
  it('error 100 "Expected iterable value for multiple field, but got string instead" for a scalar', () => {
    expect(thrown(() => readFields(DEAL, { observers: '5' }, UPDATE)).detail).toEqual({
      kind: 'multipleExpected',
      field: 'observers',
      gotType: 'string',
    })
    expect(thrown(() => readFields(DEAL, { contactIds: 5 }, UPDATE)).detail).toMatchObject({
      gotType: 'integer',
    })
    expect(thrown(() => readFields(QUOTE, { storageElementIds: 1.5 }, ADD)).detail).toMatchObject({
      gotType: 'double',
    })
  })

  it('observers "are normalised to ints and zeros are dropped"; order kept, duplicates removed', () => {
    expect(readFields(DEAL, { observers: ['3', 0, 1, '', 3, '2'] }, UPDATE).patch.values).toEqual({
      observers: [3, 1, 2],
    })
    expect(readFields(DEAL, { observers: { a: 4, b: 5 } }, UPDATE).patch.values).toEqual({
      observers: [4, 5],
    })
  })

  it('an empty list clears a multiple field', () => {
    expect(readFields(DEAL, { contactIds: [] }, UPDATE).patch.values).toEqual({ contactIds: null })
  })

  it('the service field contacts takes [{contactId, isPrimary}] ("an explicitly marked primary wins")', () => {
    expect(
      readFields(DEAL, { contacts: [{ contactId: 4 }, { contactId: '5', isPrimary: 'Y' }, 6] }, UPDATE).patch
        .values,
    ).toEqual({
      contacts: [
        { id: 4, isPrimary: false },
        { id: 5, isPrimary: true },
        { id: 6, isPrimary: false },
      ],
    })
  })

  it('contact companyIds and company contactIds are lists', () => {
    expect(readFields(CONTACT, { companyIds: [2, 3] }, UPDATE).patch.values).toEqual({ companyIds: [2, 3] })
    expect(readFields(COMPANY, { contactIds: [9] }, UPDATE).patch.values).toEqual({ contactIds: [9] })
  })
})

describe('readFields: fm (crm-item-update.md, how-to-change-email-or-phone.md)', () => {
  it('"n0", "n1" add; a numeric id changes or (empty value) deletes', () => {
    const { patch } = readFields(
      CONTACT,
      {
        fm: {
          n0: { typeId: 'PHONE', valueType: 'WORK', value: '+19991234567' },
          8553: { typeId: 'EMAIL', valueType: 'WORK', value: 'new@example.com' },
          8555: { typeId: 'EMAIL', value: '' },
        },
      },
      UPDATE,
    )
    // JS objects list integer keys first; the operations touch different records, so order does not matter.
    expect(patch.multifields).toEqual([
      { kind: 'set', id: 8553, typeId: 'EMAIL', valueType: 'WORK', value: 'new@example.com' },
      { kind: 'set', id: 8555, typeId: 'EMAIL', value: '' },
      { kind: 'add', typeId: 'PHONE', valueType: 'WORK', value: '+19991234567' },
    ])
  })

  it('a list is read as n0, n1… (appends); UPPER inner keys work too', () => {
    const { patch } = readFields(
      CONTACT,
      {
        FM: [
          { TYPE_ID: 'PHONE', VALUE: '1' },
          { typeId: 'EMAIL', value: 'a@b' },
        ],
      },
      ADD,
    )
    expect(patch.multifields).toEqual([
      { kind: 'add', typeId: 'PHONE', value: '1' },
      { kind: 'add', typeId: 'EMAIL', value: 'a@b' },
    ])
  })

  it('"typeId is required in every element… Without it, the method does not return an error"', () => {
    const { patch, ignored } = readFields(CONTACT, { fm: { 15: { value: 'x' } } }, UPDATE)
    expect(patch.multifields).toEqual([])
    expect(ignored).toEqual([{ key: 'fm.15', reason: 'multifieldWithoutType' }])
  })

  it('"If a string is passed in the fm field instead of an array, the method returns no error"', () => {
    const { patch, ignored } = readFields(CONTACT, { fm: '+1999' }, ADD)
    expect(patch.multifields).toBeUndefined()
    expect(ignored).toEqual([{ key: 'fm', reason: 'multifieldNotIterable' }])
  })

  it('deals have no fm: the key is unknown', () => {
    expect(readFields(DEAL, { fm: [] }, UPDATE).ignored).toEqual([{ key: 'fm', reason: 'unknown' }])
  })

  it('lead fm works the same way', () => {
    expect(
      readFields(LEAD, { fm: [{ typeId: 'IM', valueType: 'IMOL', value: 'x' }] }, ADD).patch.multifields,
    ).toHaveLength(1)
  })
})

describe('PHP helpers', () => {
  it('isPhpEmpty / phpGetType / phpInt / phpFloat / readBoolean', () => {
    expect([0, 0.0, '0', '', null, undefined, false, [], {}].every(isPhpEmpty)).toBe(true)
    expect(['0.0', ' ', 'a', 1, [0], { a: 0 }, true].some(isPhpEmpty)).toBe(false)
    expect([phpGetType('a'), phpGetType(1), phpGetType(1.5), phpGetType(true), phpGetType(null)]).toEqual([
      'string',
      'integer',
      'double',
      'boolean',
      'NULL',
    ])
    expect([phpInt(' 42 '), phpInt('-3x'), phpInt('x'), phpInt('1e3'), phpInt(true)]).toEqual([
      42, -3, 0, 1000, 1,
    ])
    expect([phpFloat('1.5e1'), phpFloat('.5'), phpFloat('abc')]).toEqual([15, 0.5, 0])
    expect(readBoolean('TRUE')).toBe(false)
  })
})
