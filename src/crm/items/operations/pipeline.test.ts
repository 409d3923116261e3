import { describe, expect, it } from 'vitest'
import { defineEntityType, legacyEvents } from '../../entity-types/entity-type.js'
import { common, field } from '../../entity-types/field.js'
import { DEAL } from '../../entity-types/deal.js'
import type { Item } from '../item.js'
import { ItemOperationError } from './errors.js'
import { changedFieldNames, checkRequired, sameValue, stripHtml, type Applied } from './item-pipeline.js'

/**
 * A type with a required text field. No system field of the real types can be empty and required at once
 * (company title cannot be emptied), so the required-field rules of research/server-behaviour.md §1.F are
 * shown on this one; custom fields will make them reachable through HTTP.
 */
const TYPE = defineEntityType({
  entityTypeId: 9001,
  name: 'DYNAMIC_9001',
  title: 'Test',
  symbolCode: 'T',
  userFieldEntityId: 'CRM_9001',
  isDynamic: true,
  hasCategories: true,
  hasStages: true,
  hasMultifields: false,
  hasProductRows: false,
  stageEntityId: (c) => `DYNAMIC_9001_STAGE_${c}`,
  stagePrefix: (c) => `DT9001_${c}`,
  events: legacyEvents('TEST'),
  fields: [
    common.id(),
    common.title(),
    field('contract', 'string', 'Contract', { required: true }),
    common.opened(),
    common.categoryId(),
    common.stageId(),
  ],
})

function item(values: Record<string, unknown>): Item {
  return { entityTypeId: 9001, id: 1, values, uf: {}, parents: {} }
}

function applied(partial: Partial<Applied>): Applied {
  return {
    after: item({}),
    categoryChanged: false,
    stageChanged: false,
    stageSemantics: 'P',
    previousSemantics: 'P',
    ...partial,
  }
}

function requiredError(fn: () => void): unknown {
  try {
    fn()
  } catch (error) {
    if (error instanceof ItemOperationError) return error.detail
    throw error
  }
  return undefined
}

describe('checkRequired (server-behaviour §1.F item 43)', () => {
  const before = item({ title: 'T', contract: null, opened: false, categoryId: 1, stageId: 'DT9001_1:NEW' })

  it('"if the stage changed within the same category, all required fields" are checked', () => {
    const after = item({ ...before.values, stageId: 'DT9001_1:NEXT' })
    expect(
      requiredError(() => checkRequired(TYPE, before, after, applied({ stageChanged: true }), 'update')),
    ).toEqual({
      kind: 'required',
      fields: [{ field: 'contract', title: 'Contract' }],
    })
  })

  it('"otherwise only the required fields that changed": an untouched empty required field passes', () => {
    const after = item({ ...before.values, title: 'Other' })
    expect(requiredError(() => checkRequired(TYPE, before, after, applied({}), 'update'))).toBeUndefined()
  })

  it('"if the category changed, only the required fields that changed"', () => {
    const after = item({ ...before.values, categoryId: 2, stageId: 'DT9001_2:NEW' })
    const a = applied({ stageChanged: true, categoryChanged: true })
    expect(requiredError(() => checkRequired(TYPE, before, after, a, 'update'))).toBeUndefined()
  })

  it('"This check is skipped when the item moves to a failure stage"', () => {
    const after = item({ ...before.values, stageId: 'DT9001_1:FAIL' })
    const a = applied({ stageChanged: true, stageSemantics: 'F' })
    expect(requiredError(() => checkRequired(TYPE, before, after, a, 'update'))).toBeUndefined()
  })

  it('a required field emptied by the update fails even without a stage change', () => {
    const filled = item({ ...before.values, contract: 'C-1' })
    const after = item({ ...filled.values, contract: null })
    expect(requiredError(() => checkRequired(TYPE, filled, after, applied({}), 'update'))).toMatchObject({
      kind: 'required',
    })
  })

  it('on add every required field is checked; booleans are never empty (N is a value)', () => {
    const blank = item({})
    expect(
      requiredError(() => checkRequired(TYPE, blank, item({ opened: false }), applied({}), 'add')),
    ).toMatchObject({
      kind: 'required',
      fields: [{ field: 'contract', title: 'Contract' }],
    })
    expect(
      requiredError(() =>
        checkRequired(TYPE, blank, item({ opened: false, contract: 'x' }), applied({}), 'add'),
      ),
    ).toBeUndefined()
  })
})

describe('changes', () => {
  it('sameValue: booleans read null as N; lists compare by content', () => {
    const opened = DEAL.fieldIndex.byName('opened')!
    const observers = DEAL.fieldIndex.byName('observers')!
    expect(sameValue(opened, null, false)).toBe(true)
    expect(sameValue(opened, true, false)).toBe(false)
    expect(sameValue(observers, [1, 2], [1, 2])).toBe(true)
    expect(sameValue(observers, [1, 2], [2, 1])).toBe(false)
  })

  it('changedFieldNames lists changed fields, parents as parentId{N}', () => {
    const before: Item = {
      entityTypeId: 2,
      id: 1,
      values: { title: 'A', opened: true },
      uf: {},
      parents: { 1220: 2 },
    }
    const after: Item = {
      entityTypeId: 2,
      id: 1,
      values: { title: 'B', opened: true },
      uf: {},
      parents: { 1222: 5 },
    }
    expect(changedFieldNames(DEAL, before, after)).toEqual(['title', 'parentId1220', 'parentId1222'])
  })

  it('stripHtml keeps text, BBCode and lone angle brackets', () => {
    expect(stripHtml('<p>Hi <b>there</b></p> [B]x[/B] 1 < 2 > 0')).toBe('Hi there [B]x[/B] 1 < 2 > 0')
  })
})
