import { describe, expect, it } from 'vitest'
import { LEGACY_ENTITIES, legacyEntityOf } from './registry.js'
import { MULTIFIELDS, PARENTS, USER_FIELDS } from './legacy-entity.js'

/**
 * The legacy catalogues against the universal descriptors: every field a descriptor gives a legacy name is in
 * its type's catalogue (so a descriptor change cannot silently drop a legacy field), and the catalogues are
 * self-consistent.
 */
describe.each(LEGACY_ENTITIES.map((e) => [e.type.name, e] as const))('%s', (_name, entity) => {
  it('lists every descriptor field that has a legacy name, linked to it', () => {
    for (const field of entity.type.fields) {
      if (field.legacyName === null) continue
      const spec = entity.byName.get(field.legacyName)
      expect(spec?.item, `${field.name} → ${field.legacyName}`).toBe(field.name)
    }
  })

  it('links every field to a descriptor field, multifields to fm', () => {
    for (const spec of entity.fields) {
      if (spec.multifield !== undefined) {
        expect(spec.type).toBe('crm_multifield')
        expect(entity.type.fieldIndex.byName('fm')).toBeDefined()
      } else {
        expect(entity.itemField(spec).name).toBe(spec.item)
      }
    }
  })

  it('prints every field once, with the placeholders where the samples have them', () => {
    const names = entity.output.filter((n) => ![PARENTS, USER_FIELDS, MULTIFIELDS].includes(n))
    expect(new Set(names).size).toBe(names.length)
    for (const spec of entity.fields) {
      if (spec.multifield !== undefined) expect(entity.output).toContain(MULTIFIELDS)
      else if (spec.output !== 'never') expect(entity.output, spec.name).toContain(spec.name)
    }
    expect(entity.output[0]).toBe('ID')
    expect(entity.output).toContain(PARENTS)
    expect(entity.output).toContain(USER_FIELDS)
  })
})

it('serves exactly lead, deal, contact and company', () => {
  expect([1, 2, 3, 4, 7, 31].map((id) => legacyEntityOf(id)?.type.name)).toEqual([
    'LEAD',
    'DEAL',
    'CONTACT',
    'COMPANY',
    undefined,
    undefined,
  ])
})
