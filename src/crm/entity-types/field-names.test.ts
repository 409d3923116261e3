/**
 * Name conversion, checked against every documented example:
 * - api-reference/crm/universal/index.md "Field Naming Conventions" (table and text);
 * - research/server-behaviour.md §1.D items 28–29;
 * - names appearing in the docs' requests and responses (crm-item-*.md, tutorials).
 */
import { describe, expect, it } from 'vitest'

import {
  camelToUpper,
  FieldNameIndex,
  parentFieldName,
  parentFieldUpperName,
  parseParentFieldName,
  regularUpperToCamel,
  resolveUserFieldNames,
  upperToCamel,
  usesSimplifiedUfRule,
} from './field-names.js'

/** [UPPER, camel, rule] — the table of universal/index.md plus the examples in its text. */
const DOCUMENTED_UF_NAMES: readonly (readonly [string, string, 'regular' | 'simplified'])[] = [
  ['UF_CRM_3_DIGIT', 'ufCrm3Digit', 'regular'],
  ['UF_CRM_3_1747309727', 'ufCrm3_1747309727', 'regular'],
  ['UF_CRM_3_DIGIT10', 'ufCrm_3_DIGIT10', 'simplified'],
  ['UF_CRM_3_DIGIT_10', 'ufCrm_3_DIGIT_10', 'simplified'],
  ['UF_CRM_1747309879', 'ufCrm_1747309879', 'simplified'],
  ['UF_CRM_10_5186744711', 'ufCrm10_5186744711', 'regular'],
  ['UF_CRM_10_DIGIT', 'ufCrm10Digit', 'regular'],
  ['UF_CRM_10_DIGIT10', 'ufCrm_10_DIGIT10', 'simplified'],
  // useOriginalUfNames descriptions (crm-item-*.md) and research §1.D.
  ['UF_CRM_2_1639669411830', 'ufCrm2_1639669411830', 'regular'],
  ['UF_CRM_5_1623745', 'ufCrm5_1623745', 'regular'],
  // Custom fields of the docs' samples.
  ['UF_CRM_44_1721812760630', 'ufCrm44_1721812760630', 'regular'],
  ['UF_CRM_1721244707107', 'ufCrm_1721244707107', 'simplified'],
  ['UF_CRM_1720019876534', 'ufCrm_1720019876534', 'simplified'],
  ['UF_CRM_1746431727372', 'ufCrm_1746431727372', 'simplified'],
  // Legacy hash-style names (companies/crm-company-fields.md) mix letters and digits: simplified.
  ['UF_CRM_64A29A1CD5CC2', 'ufCrm_64A29A1CD5CC2', 'simplified'],
]

describe('custom field names', () => {
  it.each(DOCUMENTED_UF_NAMES)('%s ↔ %s (%s)', (upper, camel, rule) => {
    expect(usesSimplifiedUfRule(upper)).toBe(rule === 'simplified')
    expect(upperToCamel(upper)).toBe(camel)
    expect(camelToUpper(camel)).toBe(upper)
  })

  it('applies the simplified prefix rule to UF_CRMx and UF_x names (research §1.D item 28)', () => {
    expect(upperToCamel('UF_CRMX1')).toBe('ufCrmX1')
    expect(camelToUpper('ufCrmX1')).toBe('UF_CRMX1')
    expect(upperToCamel('UF_1A')).toBe('uf1A')
    expect(camelToUpper('uf1A')).toBe('UF_1A')
  })

  it('converts letter-only names regularly: the company document-generator fields', () => {
    expect(upperToCamel('UF_LOGO')).toBe('ufLogo')
    expect(upperToCamel('UF_DIRECTOR_SIGN')).toBe('ufDirectorSign')
    expect(camelToUpper('ufAccountantSign')).toBe('UF_ACCOUNTANT_SIGN')
  })

  it('keeps the original UPPER name when the camel name is already taken', () => {
    const names = resolveUserFieldNames(
      ['UF_LOGO', 'UF_CRM_CAL_EVENT', 'UF_CRM_CAL__EVENT'],
      ['ufLogo', 'title'],
    )
    expect([...names]).toEqual([
      ['UF_LOGO', 'UF_LOGO'],
      ['UF_CRM_CAL_EVENT', 'ufCrmCalEvent'],
      // Converts to ufCrmCalEvent too, which the previous custom field already holds.
      ['UF_CRM_CAL__EVENT', 'UF_CRM_CAL__EVENT'],
    ])
  })
})

describe('system field names', () => {
  const pairs: readonly (readonly [string, string])[] = [
    ['ASSIGNED_BY_ID', 'assignedById'],
    ['ID', 'id'],
    ['XML_ID', 'xmlId'],
    ['CREATED_TIME', 'createdTime'],
    ['IS_MANUAL_OPPORTUNITY', 'isManualOpportunity'],
    ['MYCOMPANY_ID', 'mycompanyId'],
    ['BEGINDATE', 'begindate'],
    ['BEGINDATE_SHORT', 'begindateShort'],
    ['LAST_ACTIVITY_BY', 'lastActivityBy'],
    ['CLIENT_TPA_ID', 'clientTpaId'],
    ['PARENT_ID_2', 'parentId2'],
    ['PARENT_ID_1248', 'parentId1248'],
  ]
  it.each(pairs)('%s ↔ %s', (upper, camel) => {
    expect(regularUpperToCamel(upper)).toBe(camel)
    expect(upperToCamel(upper)).toBe(camel)
    expect(camelToUpper(camel)).toBe(upper)
  })

  it('leaves a name that already is UPPER_CASE alone', () => {
    expect(camelToUpper('TITLE')).toBe('TITLE')
    expect(camelToUpper('UF_CRM_5_123')).toBe('UF_CRM_5_123')
  })
})

describe('parent fields', () => {
  it('names parentId{N} ↔ PARENT_ID_{N}', () => {
    expect(parentFieldName(1220)).toBe('parentId1220')
    expect(parentFieldUpperName(1220)).toBe('PARENT_ID_1220')
    expect(parseParentFieldName('parentId1220')).toBe(1220)
    expect(parseParentFieldName('PARENT_ID_2')).toBe(2)
  })

  it('rejects anything else', () => {
    for (const name of [
      'parentId',
      'parentId0',
      'parentId01',
      'PARENT_ID_',
      'parentid2',
      'parentId2x',
      'ufCrm_2',
    ]) {
      expect(parseParentFieldName(name), name).toBeNull()
    }
  })
})

describe('FieldNameIndex', () => {
  it('finds an entry by either spelling, exact case only', () => {
    const index = new FieldNameIndex([{ name: 'assignedById', upperName: 'ASSIGNED_BY_ID' }])
    expect(index.find('assignedById')?.upperName).toBe('ASSIGNED_BY_ID')
    expect(index.find('ASSIGNED_BY_ID')?.name).toBe('assignedById')
    expect(index.find('AssignedById')).toBeUndefined()
    expect(index.byName('ASSIGNED_BY_ID')).toBeUndefined()
  })
})
