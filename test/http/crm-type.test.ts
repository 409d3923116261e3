import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { createTestApp, TEST_START_MS, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import { createUser, type NewUser } from '../../src/portal/users.js'
import { createWebhook } from '../../src/portal/webhooks.js'

/**
 * crm.type.* (api-reference/crm/universal/user-defined-object-types/) through the HTTP edge, on every store
 * this run covers. The tests share one portal and run in order: types created early are used later.
 */

type Row = Record<string, unknown>

const FLAGS = [
  'isCategoriesEnabled',
  'isStagesEnabled',
  'isBeginCloseDatesEnabled',
  'isClientEnabled',
  'isUseInUserfieldEnabled',
  'isLinkWithProductsEnabled',
  'isMycompanyEnabled',
  'isDocumentsEnabled',
  'isSourceEnabled',
  'isObserversEnabled',
  'isRecyclebinEnabled',
  'isAutomationEnabled',
  'isBizProcEnabled',
  'isSetOpenPermissions',
  'isPaymentsEnabled',
  'isCountersEnabled',
]

/** The crm-type-add.md request, verbatim. */
const DOC_ADD_FIELDS = {
  title: 'SPA',
  entityTypeId: 2024,
  isAutomationEnabled: 'Y',
  isBeginCloseDatesEnabled: 'Y',
  isBizProcEnabled: 'Y',
  isCategoriesEnabled: 'Y',
  isClientEnabled: 'Y',
  isDocumentsEnabled: 'Y',
  isLinkWithProductsEnabled: 'Y',
  isMycompanyEnabled: 'Y',
  isObserversEnabled: 'Y',
  isRecyclebinEnabled: 'Y',
  isSetOpenPermissions: 'Y',
  isSourceEnabled: 'Y',
  isStagesEnabled: 'Y',
  isUseInUserfieldEnabled: 'Y',
  linkedUserFields: { 'CALENDAR_EVENT|UF_CRM_CAL_EVENT': 'true', 'TASKS_TASK|UF_CRM_TASK': 'true' },
  relations: {
    parent: [
      { entityTypeId: 1, isChildrenListEnabled: 'true' },
      { entityTypeId: 2, isChildrenListEnabled: 'true' },
      { entityTypeId: 31, isChildrenListEnabled: 'true' },
    ],
    child: [{ entityTypeId: 3, isChildrenListEnabled: 'true' }, { entityTypeId: 4 }],
  },
}

/** The relations and linked fields of the crm-type-add.md / crm-type-get.md responses. */
const DOC_RELATIONS = {
  parent: [
    { entityTypeId: 3, isChildrenListEnabled: 'Y', isPredefined: 'Y' },
    { entityTypeId: 4, isChildrenListEnabled: 'Y', isPredefined: 'Y' },
    { entityTypeId: 1, isChildrenListEnabled: 'Y', isPredefined: 'N' },
    { entityTypeId: 2, isChildrenListEnabled: 'Y', isPredefined: 'N' },
    { entityTypeId: 31, isChildrenListEnabled: 'Y', isPredefined: 'N' },
  ],
  child: [
    { entityTypeId: 3, isChildrenListEnabled: 'Y', isPredefined: 'N' },
    { entityTypeId: 4, isChildrenListEnabled: 'N', isPredefined: 'N' },
  ],
}
const DOC_LINKED = {
  'CALENDAR_EVENT|UF_CRM_CAL_EVENT': 'Y',
  'TASKS_TASK|UF_CRM_TASK': 'Y',
  'TASKS_TASK_TEMPLATE|UF_CRM_TASK': 'N',
}

const T0 = '2026-01-15T10:00:00+00:00'

function allFlags(value: 'Y' | 'N', overrides: Record<string, 'Y' | 'N'> = {}): Record<string, 'Y' | 'N'> {
  return { ...Object.fromEntries(FLAGS.map((f) => [f, value])), ...overrides }
}

describe.each(STORE_KINDS)('crm.type.* on %s', (storeKind) => {
  let t: TestApp
  let employee: string
  let extranet: string
  /** the crm-type-add.md type */
  let docType: Row

  async function hookFor(input: NewUser): Promise<string> {
    const store = t.app.store
    const user = await createUser(store, store.db, 1, input, TEST_START_MS)
    const { code } = await createWebhook(store.db, { portalId: 1, userId: user.id }, TEST_START_MS)
    return `/rest/${user.id}/${code}/`
  }

  async function ok(method: string, params: Row = {}, prefix?: string): Promise<Row> {
    const { status, body } = await t.call(method, params, prefix === undefined ? {} : { prefix })
    expect(status, JSON.stringify(body)).toBe(200)
    return body
  }

  async function fails(method: string, params: Row, status: number, error: Row, prefix?: string) {
    const res = await t.call(method, params, prefix === undefined ? {} : { prefix })
    expect(res.status, `${method} ${JSON.stringify(params)}`).toBe(status)
    expect(res.body, `${method} ${JSON.stringify(params)}`).toStrictEqual(error)
  }

  async function addType(fields: Row): Promise<Row> {
    return ((await ok('crm.type.add', { fields }))['result'] as { type: Row }).type
  }

  beforeAll(async () => {
    t = await createTestApp({ store: storeKind })
    employee = await hookFor({ name: 'Eve' })
    extranet = await hookFor({ name: 'Ext', userType: 'extranet' })
  })

  afterAll(async () => {
    await t.close()
  })

  it('crm.type.fields answers the crm-type-fields.md example to CRM admins only', async () => {
    const body = await ok('crm.type.fields')
    const fields = (body['result'] as { fields: Record<string, Row> }).fields
    expect(Object.keys(fields)).toEqual([
      'id',
      'title',
      'code',
      'createdBy',
      'entityTypeId',
      'customSectionId',
      ...FLAGS.slice(0, 14),
      'createdTime',
      'updatedTime',
      'updatedBy',
    ])
    expect(fields['title']).toStrictEqual({
      type: 'string',
      isRequired: true,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Title',
      upperName: 'TITLE',
    })
    expect(fields['entityTypeId']).toMatchObject({
      isRequired: true,
      isImmutable: true,
      title: 'Type Identifier',
    })
    expect(fields['isBizProcEnabled']).toMatchObject({
      type: 'boolean',
      title: 'Use business process designer in the smart process',
      upperName: 'IS_BIZ_PROC_ENABLED',
    })
    expect(fields['createdBy']).toMatchObject({ type: 'user', isReadOnly: true, upperName: 'CREATED_BY' })
    await fails(
      'crm.type.fields',
      {},
      400,
      { error: 'ACCESS_DENIED', error_description: 'Access Denied' },
      employee,
    )
    await fails(
      'crm.type.fields',
      {},
      403,
      { error: 'allowed_only_intranet_user', error_description: 'Action allowed only for intranet users' },
      extranet,
    )
  })

  it('crm.type.add without entityTypeId takes the next even id from 1030, with the default flags', async () => {
    const type = await addType({ title: 'Auto' })
    expect(type).toStrictEqual({
      id: 1,
      createdBy: 1,
      entityTypeId: 1030,
      ...allFlags('N', { isSetOpenPermissions: 'Y' }),
      createdTime: T0,
      updatedTime: T0,
      updatedBy: 1,
      title: 'Auto',
      relations: { parent: [], child: [] },
      linkedUserFields: {
        'CALENDAR_EVENT|UF_CRM_CAL_EVENT': 'N',
        'TASKS_TASK|UF_CRM_TASK': 'N',
        'TASKS_TASK_TEMPLATE|UF_CRM_TASK': 'N',
      },
      customSections: [],
      customSectionId: null,
    })
  })

  it('crm.type.add answers the crm-type-add.md example', async () => {
    t.clock.advance(60_000)
    docType = await addType(DOC_ADD_FIELDS)
    const expected = {
      id: 2,
      createdBy: 1,
      entityTypeId: 2024,
      ...allFlags('Y', { isPaymentsEnabled: 'N', isCountersEnabled: 'N' }),
      createdTime: '2026-01-15T10:01:00+00:00',
      updatedTime: '2026-01-15T10:01:00+00:00',
      updatedBy: 1,
      title: 'SPA',
      relations: DOC_RELATIONS,
      linkedUserFields: DOC_LINKED,
      customSections: [],
      customSectionId: null,
    }
    expect(docType).toStrictEqual(expected)
    expect(Object.keys(docType)).toEqual(Object.keys(expected))
    // the next automatic id follows the highest one
    expect((await addType({ title: 'Auto 2' }))['entityTypeId']).toBe(2026)
  })

  it('gives a new type its default funnel and stages', async () => {
    const categories = await ok('crm.category.list', { entityTypeId: 2024 })
    const [general] = (categories['result'] as { categories: Row[] }).categories
    expect(general).toMatchObject({ name: 'General', sort: 500, entityTypeId: 2024, isDefault: 'Y' })
    const id = general!['id'] as number
    const stages = await ok('crm.status.list', { filter: { ENTITY_ID: `DYNAMIC_2024_STAGE_${id}` } })
    expect(
      (stages['result'] as Row[]).map((s) => [s['STATUS_ID'], s['NAME'], s['SEMANTICS'], s['CATEGORY_ID']]),
    ).toEqual([
      [`DT2024_${id}:NEW`, 'Start', null, String(id)],
      [`DT2024_${id}:PREPARATION`, 'Preparation', null, String(id)],
      [`DT2024_${id}:CLIENT`, 'Approval', null, String(id)],
      [`DT2024_${id}:SUCCESS`, 'Success', 'S', String(id)],
      [`DT2024_${id}:FAIL`, 'Failure', 'F', String(id)],
    ])
    const types = (await ok('crm.status.entity.types'))['result'] as Row[]
    expect(types.find((x) => x['ID'] === `DYNAMIC_2024_STAGE_${id}`)).toStrictEqual({
      ID: `DYNAMIC_2024_STAGE_${id}`,
      NAME: 'SPA (General)',
      SEMANTIC_INFO: [],
      PREFIX: `DT2024_${id}`,
      FIELD_ATTRIBUTE_SCOPE: `category_${id}`,
      ENTITY_TYPE_ID: 2024,
      IS_ENABLED: true,
      CATEGORY_ID: id,
      CATEGORY_NAME: 'General',
      CATEGORY_SORT: 500,
      IS_DEFAULT_CATEGORY: true,
    })
    // a type with stages switched off keeps its funnel; its stage dictionary is listed as not enabled
    const auto = await ok('crm.category.list', { entityTypeId: 1030 })
    const autoFunnel = (auto['result'] as { categories: Row[] }).categories[0]!['id'] as number
    expect(types.find((x) => x['ID'] === `DYNAMIC_1030_STAGE_${autoFunnel}`)).toMatchObject({
      IS_ENABLED: false,
    })
  })

  it('crm.type.get and getByEntityTypeId answer as crm-type-get.md shows, for any intranet user', async () => {
    const expected = {
      id: 2,
      title: 'SPA',
      code: '',
      createdBy: 1,
      entityTypeId: 2024,
      customSectionId: null,
      ...allFlags('Y', { isPaymentsEnabled: 'N', isCountersEnabled: 'N' }),
      createdTime: '2026-01-15T10:01:00+00:00',
      updatedTime: '2026-01-15T10:01:00+00:00',
      updatedBy: 1,
      relations: DOC_RELATIONS,
      linkedUserFields: DOC_LINKED,
      customSections: [],
    }
    const get = await ok('crm.type.get', { id: 2 }, employee)
    expect(get['result']).toStrictEqual({ type: expected })
    expect(Object.keys((get['result'] as { type: Row }).type)).toEqual(Object.keys(expected))
    const byEntity = await ok('crm.type.getByEntityTypeId', { entityTypeId: '2024' }, employee)
    expect(byEntity['result']).toStrictEqual({ type: expected })
    const viaGet = await t.call('crm.type.get', { id: 2 }, { via: 'get' })
    expect(viaGet.body['result']).toStrictEqual({ type: expected })
  })

  it('crm.type.get / getByEntityTypeId errors', async () => {
    await fails('crm.type.get', { id: 999 }, 400, { error: 0, error_description: 'SPA not found' })
    await fails('crm.type.get', {}, 400, {
      error: '100',
      error_description: 'Could not find value for parameter {id}',
    })
    await fails('crm.type.getByEntityTypeId', { entityTypeId: 2030 }, 400, {
      error: 0,
      error_description: 'Smart process not found',
    })
    await fails('crm.type.getByEntityTypeId', { id: 2 }, 400, {
      error: '100',
      error_description: 'Could not find value for parameter {entityTypeId}',
    })
    const intranet = {
      error: 'allowed_only_intranet_user',
      error_description: 'Action allowed only for intranet users',
    }
    await fails('crm.type.get', { id: 2 }, 403, intranet, extranet)
    await fails('crm.type.getByEntityTypeId', { entityTypeId: 2024 }, 403, intranet, extranet)
  })

  it('crm.type.add takes entityTypeId 128–192 or even from 1030, each once', async () => {
    for (const entityTypeId of [127, 193, 1028, 1031, 2025, -130, 'abc', 150.5]) {
      await fails('crm.type.add', { fields: { title: 'X', entityTypeId } }, 400, {
        error: 'INVALID_ARG_VALUE',
        error_description: 'entityTypeId is out of allowed range',
      })
    }
    expect((await addType({ title: 'Low', entityTypeId: 128 }))['entityTypeId']).toBe(128)
    expect((await addType({ title: 'High', entityTypeId: '192' }))['entityTypeId']).toBe(192)
    await fails('crm.type.add', { fields: { title: 'Again', entityTypeId: 128 } }, 400, {
      error: 'BX_ERROR',
      error_description: 'A smart process with entityTypeId 128 already exists',
    })
  })

  it('crm.type.add errors as crm-type-add.md lists them', async () => {
    await fails('crm.type.add', {}, 400, {
      error: '100',
      error_description: 'Could not find value for parameter {fields}',
    })
    await fails('crm.type.add', { fields: 'x' }, 400, {
      error: '100',
      error_description: 'Could not find value for parameter {fields}',
    })
    await fails('crm.type.add', { fields: { isClientEnabled: 'Y' } }, 400, {
      error: 'BX_EMPTY_REQUIRED',
      error_description: 'Field "Title" is required',
    })
    await fails('crm.type.add', { fields: { title: 'Ext', isExternal: 'true' } }, 400, {
      error: 0,
      error_description: 'Select a workplace where the SPA will be located',
    })
    await fails(
      'crm.type.add',
      { fields: { title: 'X' } },
      400,
      { error: 'ACCESS_DENIED', error_description: 'Access denied' },
      employee,
    )
    await fails(
      'crm.type.add',
      { fields: { title: 'X' } },
      403,
      { error: 'allowed_only_intranet_user', error_description: 'Action allowed only for intranet users' },
      extranet,
    )
  })

  it('crm.type.add reads a form body (PHP clients) like JSON', async () => {
    const { status, body } = await t.call(
      'crm.type.add',
      {
        fields: {
          title: 'Form',
          entityTypeId: 1100,
          isClientEnabled: 'Y',
          isUseInUserfieldEnabled: 'N',
          linkedUserFields: { 'TASKS_TASK|UF_CRM_TASK': 'true' },
          relations: { parent: [{ entityTypeId: 2024, isChildrenListEnabled: 'Y' }, { entityTypeId: 9999 }] },
        },
      },
      { via: 'form' },
    )
    expect(status, JSON.stringify(body)).toBe(200)
    const type = (body['result'] as { type: Row }).type
    expect(type).toMatchObject({ entityTypeId: 1100, isClientEnabled: 'Y', isUseInUserfieldEnabled: 'N' })
    // "Y" does not switch a relation flag on; unknown types are dropped; linked fields need the userfield switch
    expect(type['relations']).toStrictEqual({
      parent: [
        { entityTypeId: 3, isChildrenListEnabled: 'Y', isPredefined: 'Y' },
        { entityTypeId: 4, isChildrenListEnabled: 'Y', isPredefined: 'Y' },
        { entityTypeId: 2024, isChildrenListEnabled: 'N', isPredefined: 'N' },
      ],
      child: [],
    })
    expect(type['linkedUserFields']).toMatchObject({ 'TASKS_TASK|UF_CRM_TASK': 'N' })
  })

  describe('crm.type.list', () => {
    const titles = [
      'Smart Process #5',
      'Smart Process #10',
      'Smart Process #15',
      'Smart Process #20',
      'Smart Process #7',
    ]

    beforeAll(async () => {
      for (const [i, title] of titles.entries()) {
        t.clock.advance(60_000)
        await addType({
          title,
          isAutomationEnabled: i % 2 === 0 ? 'Y' : 'N',
          isBizProcEnabled: 'Y',
          isCategoriesEnabled: 'Y',
          isClientEnabled: i === 4 ? 'N' : 'Y',
        })
      }
    })

    async function listTypes(
      params: Row,
      via: 'json' | 'form' = 'json',
    ): Promise<{ types: Row[]; body: Row }> {
      const { status, body } = await t.call('crm.type.list', params, { via })
      expect(status, JSON.stringify(body)).toBe(200)
      return { types: (body['result'] as { types: Row[] }).types, body }
    }

    it('runs example 1 of crm-type-list.md: an OR group of title substrings, id descending', async () => {
      const params = {
        filter: { '0': { logic: 'OR', '0': { '%title': '5' }, '1': { '%title': '0' } } },
        order: { id: 'DESC' },
        start: 0,
      }
      for (const via of ['json', 'form'] as const) {
        const { types, body } = await listTypes(params, via)
        expect(types.map((x) => x['title'])).toEqual([
          'Smart Process #20',
          'Smart Process #15',
          'Smart Process #10',
          'Smart Process #5',
        ])
        expect(body['total']).toBe(4)
      }
    })

    it('runs example 2: flags Y, each type without relations, linked fields and workplaces', async () => {
      const { types, body } = await listTypes({
        filter: {
          isAutomationEnabled: 'Y',
          isBizProcEnabled: 'Y',
          isCategoriesEnabled: 'Y',
          isClientEnabled: 'Y',
        },
      })
      expect(types.map((x) => x['title'])).toEqual(['SPA', 'Smart Process #5', 'Smart Process #15'])
      expect(body['total']).toBe(3)
      expect(Object.keys(types[0]!)).toEqual([
        'id',
        'title',
        'code',
        'createdBy',
        'entityTypeId',
        'customSectionId',
        ...FLAGS,
        'createdTime',
        'updatedTime',
        'updatedBy',
      ])
    })

    it('filters dates, ids and UPPER_CASE names; orders by any field', async () => {
      const later = await listTypes({ filter: { '>=createdTime': '2026-01-15T13:04:00+03:00' } })
      expect(later.types.map((x) => x['title'])).toEqual([
        'Smart Process #15',
        'Smart Process #20',
        'Smart Process #7',
      ])
      const upper = await listTypes({ filter: { TITLE: 'SPA', '@ENTITY_TYPE_ID': [2024, 128] } })
      expect(upper.types.map((x) => x['id'])).toEqual([2])
      const all = await listTypes({ order: { entityTypeId: 'asc' } })
      const ids = all.types.map((x) => x['entityTypeId'] as number)
      expect(ids).toEqual([...ids].sort((a, b) => a - b))
      expect(all.body['total']).toBe(all.types.length)
      expect(
        (await listTypes({ filter: { '!isClientEnabled': 'Y', '%title': 'Smart' } })).types.map(
          (x) => x['title'],
        ),
      ).toEqual(['Smart Process #7'])
    })

    it('pages by 50', async () => {
      const before = (await listTypes({})).body['total'] as number
      for (let i = 0; i < 55 - before; i++) await addType({ title: `Bulk ${i}` })
      const first = await listTypes({})
      expect(first.types).toHaveLength(50)
      expect(first.body['total']).toBe(55)
      expect(first.body['next']).toBe(50)
      const second = await listTypes({ start: 50 })
      expect(second.types).toHaveLength(5)
      expect(second.body).not.toHaveProperty('next')
    })

    it('answers the documented INVALID_ARG_VALUE texts and refuses non-admins', async () => {
      const cases: Array<[Row, string]> = [
        [{ filter: { nope: 1 } }, "Invalid filter: field 'nope' is not allowed in filter"],
        [
          { filter: { isClientEnabled: 'maybe' } },
          "Invalid filter: field 'isClientEnabled' has invalid value",
        ],
        [{ order: { relations: 'ASC' } }, "Invalid order: field 'relations' is not allowed in order"],
        [
          { order: { id: 'UP' } },
          "Invalid order: allowed sort directions are ASC, DESC. But got 'UP' for field 'id'",
        ],
      ]
      for (const [params, description] of cases) {
        await fails('crm.type.list', params, 400, {
          error: 'INVALID_ARG_VALUE',
          error_description: description,
        })
      }
      await fails(
        'crm.type.list',
        {},
        400,
        { error: 'ACCESS_DENIED', error_description: 'Access denied' },
        employee,
      )
      await fails(
        'crm.type.list',
        {},
        403,
        { error: 'allowed_only_intranet_user', error_description: 'Action allowed only for intranet users' },
        extranet,
      )
    })
  })

  it('crm.type.update changes only what is passed (crm-type-update.md examples)', async () => {
    t.clock.set(Date.UTC(2026, 0, 16, 8, 0, 0))
    const body = await ok('crm.type.update', {
      id: 2,
      fields: {
        isAutomationEnabled: 'N',
        isBeginCloseDatesEnabled: 'N',
        isClientEnabled: 'N',
        isObserversEnabled: 'N',
        isSourceEnabled: 'Y',
        isStagesEnabled: 'Y',
        isUseInUserfieldEnabled: 'Y',
        linkedUserFields: { 'TASKS_TASK|UF_CRM_TASK': 'true' },
        title: 'SPA #3',
        code: 'spa3',
      },
    })
    const type = (body['result'] as { type: Row }).type
    expect(type).toMatchObject({
      id: 2,
      title: 'SPA #3',
      code: 'spa3',
      entityTypeId: 2024,
      isAutomationEnabled: 'N',
      isBeginCloseDatesEnabled: 'N',
      isClientEnabled: 'N',
      isObserversEnabled: 'N',
      isCategoriesEnabled: 'Y',
      isDocumentsEnabled: 'Y',
      createdTime: '2026-01-15T10:01:00+00:00',
      updatedTime: '2026-01-16T08:00:00+00:00',
      updatedBy: 1,
      linkedUserFields: {
        'CALENDAR_EVENT|UF_CRM_CAL_EVENT': 'N',
        'TASKS_TASK|UF_CRM_TASK': 'Y',
        'TASKS_TASK_TEMPLATE|UF_CRM_TASK': 'N',
      },
      customSections: [],
    })
    // with the Client field off, contacts and companies are no longer predefined parents
    expect(type['relations']).toStrictEqual({
      parent: [
        { entityTypeId: 1, isChildrenListEnabled: 'Y', isPredefined: 'N' },
        { entityTypeId: 2, isChildrenListEnabled: 'Y', isPredefined: 'N' },
        { entityTypeId: 31, isChildrenListEnabled: 'Y', isPredefined: 'N' },
      ],
      child: DOC_RELATIONS.child,
    })
    // relations are replaced as a whole
    const relations = await ok('crm.type.update', {
      id: 2,
      fields: {
        relations: {
          parent: [],
          child: [
            { entityTypeId: 1, isChildrenListEnabled: 'true' },
            { entityTypeId: 2, isChildrenListEnabled: 'false' },
          ],
        },
      },
    })
    expect((relations['result'] as { type: Row }).type['relations']).toStrictEqual({
      parent: [],
      child: [
        { entityTypeId: 1, isChildrenListEnabled: 'Y', isPredefined: 'N' },
        { entityTypeId: 2, isChildrenListEnabled: 'N', isPredefined: 'N' },
      ],
    })
    // the entityTypeId cannot change; the stage dictionaries show the new title
    await ok('crm.type.update', { id: 2, fields: { entityTypeId: 2030 } })
    expect(((await ok('crm.type.get', { id: 2 }))['result'] as { type: Row }).type['entityTypeId']).toBe(2024)
    const types = (await ok('crm.status.entity.types'))['result'] as Row[]
    expect(types.filter((x) => x['ENTITY_TYPE_ID'] === 2024).map((x) => x['NAME'])).toEqual([
      'SPA #3 (General)',
    ])
  })

  it('crm.type.update errors', async () => {
    await fails('crm.type.update', { id: 999, fields: { title: 'x' } }, 400, {
      error: 0,
      error_description: 'SPA not found',
    })
    await fails('crm.type.update', { fields: { title: 'x' } }, 400, {
      error: '100',
      error_description: 'Could not find value for parameter {id}',
    })
    await fails('crm.type.update', { id: 2, fields: { title: ' ' } }, 400, {
      error: 'BX_EMPTY_REQUIRED',
      error_description: 'Field "Title" is required',
    })
    await fails('crm.type.update', { id: 2, fields: { isExternal: 'Y' } }, 400, {
      error: 0,
      error_description: 'Select a workplace where the SPA will be located',
    })
    await fails(
      'crm.type.update',
      { id: 2, fields: { title: 'x' } },
      400,
      { error: 'ACCESS_DENIED', error_description: 'Access denied' },
      employee,
    )
    await fails(
      'crm.type.update',
      { id: 2, fields: { title: 'x' } },
      403,
      { error: 'allowed_only_intranet_user', error_description: 'Action allowed only for intranet users' },
      extranet,
    )
  })

  it('crm.type.delete refuses a type with items, then deletes it with its funnels and stages', async () => {
    const funnels = (await ok('crm.category.list', { entityTypeId: 2024 }))['result'] as { categories: Row[] }
    const funnelId = funnels.categories[0]!['id'] as number
    await sql`insert into crm_item (portal_id, entity_type_id, id, category_id) values (1, 2024, 1, ${funnelId})`.execute(
      t.app.store.db,
    )
    await fails('crm.type.delete', { id: 2 }, 400, {
      error: 'BX_ERROR',
      error_description: 'You cannot delete an entity type that has elements',
    })
    await sql`delete from crm_item where portal_id = 1`.execute(t.app.store.db)
    await fails(
      'crm.type.delete',
      { id: 2 },
      400,
      { error: 'ACCESS_DENIED', error_description: 'Access denied' },
      employee,
    )
    const deleted = await ok('crm.type.delete', { id: 2 })
    expect(deleted['result']).toEqual([])
    await fails('crm.type.get', { id: 2 }, 400, { error: 0, error_description: 'SPA not found' })
    await fails('crm.category.list', { entityTypeId: 2024 }, 400, {
      error: 'NOT_FOUND',
      error_description: 'Smart process not found',
    })
    const stages = await ok('crm.status.list', { filter: { ENTITY_ID: `DYNAMIC_2024_STAGE_${funnelId}` } })
    expect(stages['total']).toBe(0)
    const types = (await ok('crm.status.entity.types'))['result'] as Row[]
    expect(types.some((x) => x['ENTITY_TYPE_ID'] === 2024)).toBe(false)
    await fails('crm.type.delete', { id: 2 }, 400, { error: 0, error_description: 'Smart process not found' })
    // "If result returns null, it is likely that the required parameter id was not provided"
    expect((await ok('crm.type.delete', {}))['result']).toBeNull()
  })
})
