import { describe, expect, it } from 'vitest'
import { applyBindingChanges } from './binding-rules.js'
import { applyMultifieldOperations, invalidEmails } from './multifield-rules.js'
import { decideStage, isFinal, toSemantics, type StageInfo, type StageInput } from './stage-rules.js'

const C9: StageInfo[] = [
  { statusId: 'C9:NEW', semantics: 'P' },
  { statusId: 'C9:UC_NYL06U', semantics: 'P' },
  { statusId: 'C9:WON', semantics: 'S' },
  { statusId: 'C9:LOSE', semantics: 'F' },
]
const ONLY_PROCESS: StageInfo[] = [{ statusId: 'C5:NEW', semantics: 'P' }]

function stage(input: Partial<StageInput>) {
  return decideStage({
    categoryChanged: false,
    currentStageId: 'C9:NEW',
    currentSemantics: 'P',
    given: undefined,
    targetStages: C9,
    givenForeignSemantics: undefined,
    ...input,
  })
}

describe('decideStage (server-behaviour §1.E item 39)', () => {
  it('a stage of the item funnel is taken; the same stage is no change', () => {
    expect(stage({ given: 'C9:UC_NYL06U' })).toEqual({ kind: 'set', stageId: 'C9:UC_NYL06U' })
    expect(stage({ given: 'C9:NEW' })).toEqual({ kind: 'keep' })
  })

  it('a stage that exists nowhere is an invalid value', () => {
    expect(stage({ given: 'C9:NOPE' })).toEqual({ kind: 'invalid' })
  })

  it('"24.8+: such a stage is silently reverted to the previous stage" (foreign stage, funnel unchanged)', () => {
    expect(stage({ given: 'WON', givenForeignSemantics: 'S' })).toEqual({ kind: 'keep' })
  })

  it('an emptied stage keeps the current stage', () => {
    expect(stage({ given: null })).toEqual({ kind: 'keep' })
  })

  it('funnel change: "the first stage of the new category with the same semantics is used"', () => {
    // given stage from the old funnel, success semantics → the new funnel's success stage
    expect(stage({ categoryChanged: true, given: 'WON', givenForeignSemantics: 'S' })).toEqual({
      kind: 'set',
      stageId: 'C9:WON',
    })
    // nothing given: the current stage's semantics decide
    expect(stage({ categoryChanged: true, currentStageId: 'LOSE', currentSemantics: 'F' })).toEqual({
      kind: 'set',
      stageId: 'C9:LOSE',
    })
    // a stage of the new funnel is taken as given
    expect(stage({ categoryChanged: true, currentStageId: 'NEW', given: 'C9:WON' })).toEqual({
      kind: 'set',
      stageId: 'C9:WON',
    })
  })

  it('funnel change without a stage of the same semantics: "Stage in new category is not found"', () => {
    expect(
      stage({
        categoryChanged: true,
        currentStageId: 'WON',
        currentSemantics: 'S',
        targetStages: ONLY_PROCESS,
      }),
    ).toEqual({ kind: 'notFoundInNewCategory' })
  })

  it('add (no stage yet): the first stage of the funnel', () => {
    expect(stage({ categoryChanged: true, currentStageId: null, currentSemantics: undefined })).toEqual({
      kind: 'set',
      stageId: 'C9:NEW',
    })
  })

  it('closed exactly for S and F; unknown semantics are P', () => {
    expect([isFinal('P'), isFinal('S'), isFinal('F')]).toEqual([false, true, true])
    expect([toSemantics(null), toSemantics('S'), toSemantics('X')]).toEqual(['P', 'S', 'P'])
  })
})

describe('applyBindingChanges (§1.B item 17)', () => {
  const current = { ids: [4, 5], primary: 5 }

  it('"Setting contactId = X replaces all bindings with just [X]; with 0 or empty, every binding is removed"', () => {
    expect(applyBindingChanges(current, [{ kind: 'single', id: 9 }])).toEqual({ ids: [9], primary: 9 })
    expect(applyBindingChanges(current, [{ kind: 'single', id: null }])).toEqual({ ids: [], primary: null })
  })

  it('"Setting contactIds = [...] replaces the set"; duplicates removed', () => {
    expect(applyBindingChanges(current, [{ kind: 'list', ids: [6, 4, 6] }])).toEqual({
      ids: [6, 4],
      primary: 6,
    })
  })

  it('"the current primary stays primary if it is still bound. Otherwise the first one becomes primary"', () => {
    expect(applyBindingChanges(current, [{ kind: 'list', ids: [4, 5, 6] }])).toEqual({
      ids: [4, 5, 6],
      primary: 5,
    })
    expect(applyBindingChanges(current, [{ kind: 'list', ids: [7, 4] }])).toEqual({ ids: [7, 4], primary: 7 })
  })

  it('"an explicitly marked primary wins"', () => {
    expect(
      applyBindingChanges(current, [
        {
          kind: 'bindings',
          list: [
            { id: 5, isPrimary: false },
            { id: 4, isPrimary: true },
          ],
        },
      ]),
    ).toEqual({ ids: [5, 4], primary: 4 })
  })

  it('"If both keys are sent … contactIds comes after contactId, so it effectively wins"', () => {
    expect(
      applyBindingChanges(current, [
        { kind: 'single', id: 9 },
        { kind: 'list', ids: [1, 2] },
      ]),
    ).toEqual({ ids: [1, 2], primary: 1 })
  })
})

describe('applyMultifieldOperations (§1.B item 20)', () => {
  const current = [
    { id: 15, typeId: 'PHONE', valueType: 'WORK', value: '+1' },
    { id: 16, typeId: 'EMAIL', valueType: 'HOME', value: 'a@b.c' },
  ]

  it('adds, changes by id, deletes by id with an empty value; records not mentioned are kept', () => {
    const result = applyMultifieldOperations(current, [
      { kind: 'add', typeId: 'EMAIL', value: 'n@b.c' },
      { kind: 'set', id: 15, typeId: 'PHONE', valueType: 'MOBILE', value: '+2' },
      { kind: 'set', id: 16, typeId: 'EMAIL', value: '' },
    ])
    expect(result).toEqual([
      { id: 15, typeId: 'PHONE', valueType: 'MOBILE', value: '+2' },
      { id: 0, typeId: 'EMAIL', valueType: 'WORK', value: 'n@b.c' },
    ])
  })

  it('"A new entry appeared instead of a change — the contact has no entry with the id you passed"', () => {
    const result = applyMultifieldOperations(current, [
      { kind: 'set', id: 99, typeId: 'WEB', value: 'x.org' },
    ])
    expect(result.at(-1)).toEqual({ id: 0, typeId: 'WEB', valueType: 'WORK', value: 'x.org' })
    expect(applyMultifieldOperations(current, [{ kind: 'set', id: 99, typeId: 'WEB', value: '' }])).toEqual(
      current,
    )
  })

  it('a change without valueType keeps the record value type', () => {
    const result = applyMultifieldOperations(current, [
      { kind: 'set', id: 16, typeId: 'EMAIL', value: 'z@z' },
    ])
    expect(result[1]).toEqual({ id: 16, typeId: 'EMAIL', valueType: 'HOME', value: 'z@z' })
  })

  it('e-mail values must look like an address', () => {
    expect(
      invalidEmails([...current, { id: 2, typeId: 'EMAIL', valueType: 'WORK', value: 'nope' }]),
    ).toHaveLength(1)
  })
})
