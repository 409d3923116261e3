/**
 * The `crm.item.fields` answer and the item key order, checked against the documented examples:
 * - the full SPA answer of api-reference/crm/universal/crm-item-fields.md (entityTypeId 1268);
 * - the verified excerpts of the edit-form tutorials (tutorials/crm/how-to-edit-crm-objects/);
 * - the custom-field descriptions of crm-item-add.md and how-to-set-paid-date-to-deal.md;
 * - the key order of the lead item in crm-item-get.md and the deal item in crm-item-add.md.
 */
import { describe, expect, it } from 'vitest'

import { dynamicTypeDescriptor, SMART_PROCESS_DEFAULT_FLAGS } from './dynamic.js'
import { itemOutputKeys, renderItemFields, type UserFieldDescription } from './fields-output.js'
import { builtInEntityType } from './registry.js'

function builtIn(entityTypeId: number) {
  const type = builtInEntityType(entityTypeId)
  if (type === undefined) throw new Error(`no type ${entityTypeId}`)
  return type
}

/** crm-item-fields.md, "Response Handling": `result` for entityTypeId 1268. */
const DOCUMENTED_SPA_FIELDS = {
  fields: {
    id: {
      type: 'integer',
      isRequired: false,
      isReadOnly: true,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'ID',
      upperName: 'ID',
    },
    title: {
      type: 'string',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Name',
      upperName: 'TITLE',
    },
    xmlId: {
      type: 'string',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'External code',
      upperName: 'XML_ID',
    },
    createdTime: {
      type: 'datetime',
      isRequired: false,
      isReadOnly: true,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Created at',
      upperName: 'CREATED_TIME',
    },
    updatedTime: {
      type: 'datetime',
      isRequired: false,
      isReadOnly: true,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Updated at',
      upperName: 'UPDATED_TIME',
    },
    createdBy: {
      type: 'user',
      isRequired: false,
      isReadOnly: true,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Created by',
      upperName: 'CREATED_BY',
    },
    updatedBy: {
      type: 'user',
      isRequired: false,
      isReadOnly: true,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Updated by',
      upperName: 'UPDATED_BY',
    },
    assignedById: {
      type: 'user',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Assigned to',
      upperName: 'ASSIGNED_BY_ID',
    },
    opened: {
      type: 'boolean',
      isRequired: true,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Publicly available',
      upperName: 'OPENED',
    },
    webformId: {
      type: 'integer',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Created by CRM form',
      upperName: 'WEBFORM_ID',
    },
    begindate: {
      type: 'date',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Start date',
      upperName: 'BEGINDATE',
    },
    closedate: {
      type: 'date',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'End date',
      upperName: 'CLOSEDATE',
    },
    companyId: {
      type: 'crm_company',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Company',
      settings: {
        parentEntityTypeId: 4,
      },
      upperName: 'COMPANY_ID',
    },
    contactId: {
      type: 'crm_contact',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      isDeprecated: true,
      title: 'Contact',
      upperName: 'CONTACT_ID',
    },
    contactIds: {
      type: 'crm_contact',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: true,
      isDynamic: false,
      title: 'CONTACT_IDS',
      upperName: 'CONTACT_IDS',
    },
    contacts: {
      type: 'crm_contact',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: true,
      isDynamic: false,
      title: 'CONTACTS',
      upperName: 'CONTACTS',
    },
    observers: {
      type: 'user',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: true,
      isDynamic: false,
      title: 'Observers',
      upperName: 'OBSERVERS',
    },
    categoryId: {
      type: 'crm_category',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Pipeline',
      upperName: 'CATEGORY_ID',
    },
    movedTime: {
      type: 'datetime',
      isRequired: false,
      isReadOnly: true,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Moved at',
      upperName: 'MOVED_TIME',
    },
    movedBy: {
      type: 'user',
      isRequired: false,
      isReadOnly: true,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Moved by',
      upperName: 'MOVED_BY',
    },
    stageId: {
      type: 'crm_status',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      statusType: 'DYNAMIC_1268_STAGE_52',
      title: 'Stage',
      upperName: 'STAGE_ID',
    },
    previousStageId: {
      type: 'crm_status',
      isRequired: false,
      isReadOnly: true,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      statusType: 'DYNAMIC_1268_STAGE_52',
      title: 'Previous stage',
      upperName: 'PREVIOUS_STAGE_ID',
    },
    sourceId: {
      type: 'crm_status',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      statusType: 'SOURCE',
      title: 'Source',
      upperName: 'SOURCE_ID',
    },
    sourceDescription: {
      type: 'text',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Additional source info',
      upperName: 'SOURCE_DESCRIPTION',
    },
    currencyId: {
      type: 'crm_currency',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Currency',
      upperName: 'CURRENCY_ID',
    },
    isManualOpportunity: {
      type: 'boolean',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Amount calculation mode',
      upperName: 'IS_MANUAL_OPPORTUNITY',
    },
    opportunity: {
      type: 'double',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Amount',
      upperName: 'OPPORTUNITY',
    },
    taxValue: {
      type: 'double',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Tax amount',
      upperName: 'TAX_VALUE',
    },
    mycompanyId: {
      type: 'crm_company',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Your company details',
      settings: {
        isMyCompany: true,
        parentEntityTypeId: 4,
        isEmbeddedEditorEnabled: true,
      },
      upperName: 'MYCOMPANY_ID',
    },
    lastActivityBy: {
      type: 'user',
      isRequired: false,
      isReadOnly: true,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Last activity in timeline by',
      upperName: 'LAST_ACTIVITY_BY',
    },
    lastActivityTime: {
      type: 'datetime',
      isRequired: false,
      isReadOnly: true,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Last activity',
      upperName: 'LAST_ACTIVITY_TIME',
    },
    parentId1: {
      type: 'crm_entity',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Lead',
      settings: {
        parentEntityTypeId: 1,
      },
      upperName: 'PARENT_ID_1',
    },
    parentId2: {
      type: 'crm_entity',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Deal',
      settings: {
        parentEntityTypeId: 2,
      },
      upperName: 'PARENT_ID_2',
    },
    parentId1248: {
      type: 'crm_entity',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Smart Process #16',
      settings: {
        parentEntityTypeId: 1248,
      },
      upperName: 'PARENT_ID_1248',
    },
  },
}

describe('crm.item.fields for a smart process', () => {
  const spa = dynamicTypeDescriptor({
    ...SMART_PROCESS_DEFAULT_FLAGS,
    id: 16,
    entityTypeId: 1268,
    title: 'Smart Process #17',
    isCategoriesEnabled: true,
    isStagesEnabled: true,
    isBeginCloseDatesEnabled: true,
    isClientEnabled: true,
    isLinkWithProductsEnabled: true,
    isMycompanyEnabled: true,
    isSourceEnabled: true,
    isObserversEnabled: true,
  })
  const result = renderItemFields(spa, {
    defaultCategoryId: 52,
    parentFields: [
      { parentEntityTypeId: 1, title: 'Lead' },
      { parentEntityTypeId: 2, title: 'Deal' },
      { parentEntityTypeId: 1248, title: 'Smart Process #16' },
    ],
  })

  it('matches the documented example field by field', () => {
    expect(result).toEqual(DOCUMENTED_SPA_FIELDS)
  })

  it('keeps the documented order of fields and of keys inside each description', () => {
    expect(JSON.stringify(result)).toBe(JSON.stringify(DOCUMENTED_SPA_FIELDS))
  })
})

describe("crm.item.fields: the tutorials' verified excerpts", () => {
  const pick = (entityTypeId: number, names: readonly string[], keys: readonly string[]) => {
    const { fields } = renderItemFields(builtIn(entityTypeId), { defaultCategoryId: 0 })
    return Object.fromEntries(
      names.map((n) => {
        const info = fields[n] as Record<string, unknown> | undefined
        return [
          n,
          info === undefined
            ? undefined
            : Object.fromEntries(keys.filter((k) => k in info).map((k) => [k, info[k]])),
        ]
      }),
    )
  }
  const base = ['type', 'isRequired', 'isReadOnly', 'isMultiple', 'statusType'] as const
  const flag = (type: string, extra: Record<string, unknown> = {}) => ({
    type,
    isRequired: false,
    isReadOnly: false,
    isMultiple: false,
    ...extra,
  })

  it('lead (how-to-generate-edit-form-for-lead.md)', () => {
    expect(pick(1, ['title'], [...base, 'title'])).toEqual({ title: flag('string', { title: 'Lead Name' }) })
    expect(
      pick(
        1,
        [
          'stageId',
          'sourceId',
          'companyId',
          'contactIds',
          'opportunity',
          'currencyId',
          'isManualOpportunity',
          'fm',
        ],
        base,
      ),
    ).toEqual({
      stageId: flag('crm_status', { statusType: 'STATUS' }),
      sourceId: flag('crm_status', { statusType: 'SOURCE' }),
      companyId: flag('crm_company'),
      contactIds: flag('crm_contact', { isMultiple: true }),
      opportunity: flag('double'),
      currencyId: flag('crm_currency'),
      isManualOpportunity: flag('boolean'),
      fm: flag('crm_multifield', { isMultiple: true }),
    })
  })

  it('deal (how-to-generate-edit-form-for-deal.md): stageId reports DEAL_STAGE', () => {
    expect(
      pick(
        2,
        [
          'title',
          'typeId',
          'categoryId',
          'stageId',
          'companyId',
          'contactIds',
          'opportunity',
          'isManualOpportunity',
        ],
        base,
      ),
    ).toEqual({
      title: flag('string'),
      typeId: flag('crm_status', { statusType: 'DEAL_TYPE' }),
      categoryId: flag('crm_category'),
      stageId: flag('crm_status', { statusType: 'DEAL_STAGE' }),
      companyId: flag('crm_company'),
      contactIds: flag('crm_contact', { isMultiple: true }),
      opportunity: flag('double'),
      isManualOpportunity: flag('boolean'),
    })
    const { fields } = renderItemFields(builtIn(2), { defaultCategoryId: 0 })
    expect(fields).not.toHaveProperty('fm')
    expect(fields.contacts).toMatchObject({ type: 'crm_contact', isMultiple: true })
  })

  it('contact (how-to-make-contact-edit-card.md)', () => {
    expect(pick(3, ['name', 'categoryId', 'companyIds', 'fm'], base)).toEqual({
      name: flag('string'),
      categoryId: flag('crm_category'),
      companyIds: flag('crm_company', { isMultiple: true }),
      fm: flag('crm_multifield', { isMultiple: true }),
    })
    const { fields } = renderItemFields(builtIn(3), { defaultCategoryId: 0 })
    expect(fields).not.toHaveProperty('fullName')
    expect(fields).not.toHaveProperty('birthdaySort')
    for (const name of [
      'hasPhone',
      'hasEmail',
      'hasImol',
      'id',
      'createdBy',
      'updatedBy',
      'createdTime',
      'updatedTime',
      'lastCommunicationTime',
    ]) {
      expect(fields[name], name).toMatchObject({ isReadOnly: true })
    }
    expect(fields.webformId).toMatchObject({ isImmutable: true, isReadOnly: false })
    expect(fields.opened).toMatchObject({ type: 'boolean', isRequired: true })
    expect(fields.honorific).toMatchObject({ type: 'crm_status', statusType: 'HONORIFIC' })
    expect(fields.typeId).toMatchObject({ type: 'crm_status', statusType: 'CONTACT_TYPE' })
    expect(fields.sourceId).toMatchObject({ type: 'crm_status', statusType: 'SOURCE' })
    expect(fields.companies).toMatchObject({ type: 'crm_company', isMultiple: true })
    expect(fields.photo).toMatchObject({ type: 'file' })
    expect(fields.leadId).toMatchObject({ type: 'crm_lead' })
  })

  it('company (how-to-generate-edit-form-for-company.md)', () => {
    expect(pick(4, ['title', 'createdTime', 'opened'], base)).toEqual({
      title: flag('string', { isRequired: true }),
      createdTime: flag('datetime', { isReadOnly: true }),
      opened: flag('boolean'),
    })
    const { fields } = renderItemFields(builtIn(4), { defaultCategoryId: 0 })
    expect(fields.contacts).toMatchObject({ type: 'crm_contact', isMultiple: true })
    expect(fields.fm).toMatchObject({ type: 'crm_multifield', isMultiple: true })
  })

  it("reports the default pipeline's stage dictionary for smart invoices and quotes", () => {
    expect(renderItemFields(builtIn(31), { defaultCategoryId: 5 }).fields.stageId).toMatchObject({
      statusType: 'SMART_INVOICE_STAGE_5',
    })
    expect(renderItemFields(builtIn(7), { defaultCategoryId: 0 }).fields.stageId).toMatchObject({
      statusType: 'QUOTE_STATUS',
    })
  })
})

describe('crm.item.fields: custom fields', () => {
  /** crm-item-add.md, "Custom fields used in the example" (smart process with crm.type id 44). */
  const stringField: UserFieldDescription = {
    fieldName: 'UF_CRM_44_1721812760630',
    type: 'string',
    isRequired: false,
    isMultiple: false,
    title: 'Custom field (string)',
    listLabel: 'Custom field (string)',
    formLabel: 'Custom field (string)',
    filterLabel: 'Custom field (string)',
    settings: { SIZE: 20, ROWS: 1, REGEXP: '', MIN_LENGTH: 0, MAX_LENGTH: 0, DEFAULT_VALUE: '' },
  }
  const listField: UserFieldDescription = {
    fieldName: 'UF_CRM_44_1721812814433',
    type: 'enumeration',
    isRequired: false,
    isMultiple: false,
    title: 'Custom field (list)',
    listLabel: 'Custom field (list)',
    formLabel: 'Custom field (list)',
    filterLabel: 'Custom field (list)',
    settings: { DISPLAY: 'LIST', LIST_HEIGHT: 1, CAPTION_NO_VALUE: '', SHOW_NO_VALUE: 'Y' },
    items: [
      { ID: '79', VALUE: 'List item #1' },
      { ID: '80', VALUE: 'List item #2' },
      { ID: '81', VALUE: 'List item #3' },
      { ID: '82', VALUE: 'List item #4' },
    ],
  }
  const spa = dynamicTypeDescriptor({
    ...SMART_PROCESS_DEFAULT_FLAGS,
    id: 44,
    entityTypeId: 1040,
    title: 'SPA',
  })

  it('renders the documented shape and key order under the camelCase key', () => {
    const { fields } = renderItemFields(spa, { defaultCategoryId: 1, userFields: [stringField, listField] })
    expect(JSON.stringify(fields.ufCrm44_1721812760630)).toBe(
      JSON.stringify({
        type: 'string',
        isRequired: false,
        isReadOnly: false,
        isImmutable: false,
        isMultiple: false,
        isDynamic: true,
        title: 'Custom field (string)',
        listLabel: 'Custom field (string)',
        formLabel: 'Custom field (string)',
        filterLabel: 'Custom field (string)',
        settings: { SIZE: 20, ROWS: 1, REGEXP: '', MIN_LENGTH: 0, MAX_LENGTH: 0, DEFAULT_VALUE: '' },
        upperName: 'UF_CRM_44_1721812760630',
      }),
    )
    expect(Object.keys(fields.ufCrm44_1721812814433 ?? {})).toEqual([
      'type',
      'isRequired',
      'isReadOnly',
      'isImmutable',
      'isMultiple',
      'isDynamic',
      'items',
      'title',
      'listLabel',
      'formLabel',
      'filterLabel',
      'settings',
      'upperName',
    ])
    // Custom fields follow the system fields.
    expect(Object.keys(fields).slice(-2)).toEqual(['ufCrm44_1721812760630', 'ufCrm44_1721812814433'])
  })

  it('keys custom fields by their original names with useOriginalUfNames', () => {
    const { fields } = renderItemFields(spa, {
      defaultCategoryId: 1,
      userFields: [stringField],
      useOriginalUfNames: true,
    })
    expect(fields.UF_CRM_44_1721812760630).toMatchObject({
      upperName: 'UF_CRM_44_1721812760630',
      isDynamic: true,
    })
    expect(fields).not.toHaveProperty('ufCrm44_1721812760630')
  })

  it('names a deal date field as how-to-set-paid-date-to-deal.md shows', () => {
    const { fields } = renderItemFields(builtIn(2), {
      defaultCategoryId: 0,
      userFields: [
        {
          fieldName: 'UF_CRM_1746431727372',
          type: 'date',
          isRequired: false,
          isMultiple: false,
          title: 'Payment Date',
          listLabel: 'Payment Date',
          formLabel: 'Payment Date',
          filterLabel: 'Payment Date',
          settings: { DEFAULT_VALUE: { TYPE: 'NONE', VALUE: '' } },
        },
      ],
    })
    expect(fields.ufCrm_1746431727372).toEqual({
      type: 'date',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: true,
      title: 'Payment Date',
      listLabel: 'Payment Date',
      formLabel: 'Payment Date',
      filterLabel: 'Payment Date',
      settings: { DEFAULT_VALUE: { TYPE: 'NONE', VALUE: '' } },
      upperName: 'UF_CRM_1746431727372',
    })
  })

  it('keeps the UPPER name when the camel name is taken by a system field', () => {
    // Company has the system field ufLogo; a custom UF_LOGO-like name converting to it must stay UPPER.
    const { fields } = renderItemFields(builtIn(4), {
      defaultCategoryId: 0,
      userFields: [{ ...stringField, fieldName: 'UF__LOGO' }],
    })
    expect(fields).toHaveProperty('UF__LOGO')
    expect(fields.ufLogo).toMatchObject({ isDynamic: false, type: 'file' })
  })
})

describe('item key order', () => {
  it('matches the crm.item.get lead sample (crm-item-get.md)', () => {
    const parents = [1222, 1226, 1228, 1236, 1238, 1240, 1244, 1246, 1254, 1256].map((n) => `parentId${n}`)
    expect(
      itemOutputKeys(builtIn(1), { userFieldKeys: ['ufCrm_1720019876534'], parentFieldKeys: parents }),
    ).toEqual([
      'id',
      'createdTime',
      'dateCreateShort',
      'updatedTime',
      'dateModifyShort',
      'createdBy',
      'updatedBy',
      'assignedById',
      'opened',
      'companyId',
      'contactId',
      'stageId',
      'isConvert',
      'statusDescription',
      'stageSemanticId',
      'productId',
      'opportunity',
      'currencyId',
      'sourceId',
      'sourceDescription',
      'title',
      'name',
      'lastName',
      'secondName',
      'shortName',
      'companyTitle',
      'post',
      'address',
      'comments',
      'webformId',
      'originatorId',
      'originId',
      'dateClosed',
      'birthdate',
      'honorific',
      'hasPhone',
      'hasEmail',
      'hasImol',
      'login',
      'isReturnCustomer',
      'searchContent',
      'isManualOpportunity',
      'movedBy',
      'movedTime',
      'lastActivityBy',
      'lastActivityTime',
      'phoneMobile',
      'phoneWork',
      'phoneMailing',
      'emailHome',
      'emailWork',
      'emailMailing',
      'skype',
      'icq',
      'imol',
      'email',
      'phone',
      'fm',
      'ufCrm_1720019876534',
      ...parents,
      'utmSource',
      'utmMedium',
      'utmCampaign',
      'utmContent',
      'utmTerm',
      'observers',
      'contactIds',
      'entityTypeId',
    ])
  })

  it('matches the deal sample of crm.item.add / crm.item.update (crm-item-add.md)', () => {
    expect(
      itemOutputKeys(builtIn(2), {
        userFieldKeys: ['ufCrm_1721244707107'],
        parentFieldKeys: ['parentId1220'],
      }),
    ).toEqual([
      'id',
      'createdTime',
      'dateCreateShort',
      'updatedTime',
      'dateModifyShort',
      'createdBy',
      'updatedBy',
      'assignedById',
      'opened',
      'leadId',
      'companyId',
      'contactId',
      'quoteId',
      'title',
      'productId',
      'categoryId',
      'stageId',
      'stageSemanticId',
      'isNew',
      'isRecurring',
      'isReturnCustomer',
      'isRepeatedApproach',
      'closed',
      'typeId',
      'opportunity',
      'isManualOpportunity',
      'taxValue',
      'currencyId',
      'probability',
      'comments',
      'begindate',
      'begindateShort',
      'closedate',
      'closedateShort',
      'eventDate',
      'eventDateShort',
      'eventId',
      'eventDescription',
      'locationId',
      'webformId',
      'sourceId',
      'sourceDescription',
      'originatorId',
      'originId',
      'additionalInfo',
      'searchContent',
      'orderStage',
      'movedBy',
      'movedTime',
      'lastActivityBy',
      'lastActivityTime',
      'isWork',
      'isWon',
      'isLose',
      'receivedAmount',
      'lostAmount',
      'hasProducts',
      'ufCrm_1721244707107',
      'parentId1220',
      'utmSource',
      'utmMedium',
      'utmCampaign',
      'utmContent',
      'utmTerm',
      'observers',
      'contactIds',
      'entityTypeId',
    ])
  })
})
