import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, runClient as runE2eClient, type E2eServer } from './e2e-server.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore, type Store } from '../../src/store/store.js'
import { ensureBootstrap } from '../../src/portal/bootstrap.js'
import { createUser } from '../../src/portal/users.js'
import { createFunnel, createType, insertStatuses } from '../../src/crm/dictionaries/dictionary-store.js'
import { SMART_PROCESS_DEFAULT_FLAGS } from '../../src/crm/entity-types/dynamic.js'
import { smartProcessEntityType } from '../../src/crm/entity-types/registry.js'
import { emptyItem, insertItem } from '../../src/crm/items/item-store.js'
import { DEAL } from '../../src/crm/entity-types/deal.js'
import { SEED_SEARCH_CONTENT, seedDeal351 } from '../helpers/item-fixtures.js'

/**
 * The seed page's JS sample run by the official JS SDK against the real server process over HTTPS
 * (shared/spec/seeds/001_*.txt, "Update a deal with id = 351"). The portal is prepared before the server
 * starts with what the sample assumes: a +02:00 portal, users 1–6, deal funnel 9 with the stage UC_NYL06U,
 * smart process 1220 (parent of deals) with an item 2, and deal 351 in funnel 9. Needs `npm run build`
 * (npm test runs it first through `pretest`).
 */
const CODE = 'e2eseedhook'
const PORTAL = 1

let dataDir: string
let server: E2eServer
let httpsBase: string

async function preparePortal(store: Store): Promise<void> {
  const now = Date.now()
  await ensureBootstrap(store, CODE, now)
  for (let i = 2; i <= 6; i += 1) await createUser(store, store.db, PORTAL, { name: `User${i}` }, now)
  await store.db.updateTable('portal').set({ time_zone_offset: 120 }).where('id', '=', PORTAL).execute()
  // Funnel 9: move the funnel sequence so the new funnel gets id 9, then add the sample's stage.
  await store.db
    .updateTable('id_counter')
    .set({ value: 8 })
    .where('portal_id', '=', PORTAL)
    .where('name', '=', 'crm_category')
    .execute()
  const { category } = await createFunnel(
    store,
    store.db,
    PORTAL,
    { entityTypeId: 2, name: 'Funnel 9', sort: 500, isDefault: false },
    now,
  )
  if (category.id !== 9) throw new Error(`funnel got id ${category.id}`)
  await insertStatuses(store, store.db, PORTAL, [
    {
      entityId: 'DEAL_STAGE_9',
      statusId: 'C9:UC_NYL06U',
      name: 'Sample stage',
      nameInit: '',
      sort: 15,
      system: false,
      semantics: 'P',
      categoryId: 9,
    },
  ])
  const spa = await createType(
    store,
    store.db,
    PORTAL,
    {
      entityTypeId: 1220,
      title: 'Seed SPA',
      code: '',
      flags: SMART_PROCESS_DEFAULT_FLAGS,
      relations: { parent: [], child: [{ entityTypeId: 2, isChildrenListEnabled: true }] },
      linkedUserFields: {},
      customSectionId: null,
      userId: 1,
    },
    now,
  )
  const spaType = smartProcessEntityType(spa.settings)
  const parent = emptyItem(spaType, 2)
  Object.assign(parent.values, {
    title: 'Parent of deal 351',
    createdBy: 1,
    updatedBy: 1,
    assignedById: 1,
    opened: true,
  })
  await insertItem(store.db, PORTAL, spaType, parent)
  await insertItem(store.db, PORTAL, DEAL, seedDeal351())
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'b24crm-e2e-seed-'))
  const store = await openStore({ kind: 'sqlite', file: join(dataDir, 'b24crm.sqlite') })
  await preparePortal(store)
  await store.close()

  server = await startServer(dataDir, CODE)
  httpsBase = server.httpsBase
}, 60_000)

afterAll(() => {
  server.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

function runClient(): Promise<Record<string, unknown>> {
  return runE2eClient<Record<string, unknown>>('jssdk-seed-client.mjs', [httpsBase], dataDir)
}

describe('@bitrix24/b24jssdk runs the seed page sample over HTTPS', () => {
  it('"Updated item #351 (REST Deal #1)" with the response the page shows', async () => {
    const seen = await runClient()
    expect(seen['errors']).toEqual([])
    expect(seen['logs']).toEqual(['Updated item #351 (REST Deal #1)'])
    const item = seen['item'] as Record<string, unknown>
    const offsetTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+02:00$/
    expect(item).toMatchObject({
      id: 351,
      createdTime: '2024-07-23T19:10:26+02:00',
      createdBy: 1,
      updatedBy: 1,
      assignedById: 6,
      opened: 'N',
      companyId: 0,
      contactId: 0,
      title: 'REST Deal #1',
      categoryId: 9,
      stageId: 'C9:UC_NYL06U',
      stageSemanticId: 'P',
      isNew: 'N',
      closed: 'N',
      typeId: 'SERVICE',
      opportunity: 10000,
      isManualOpportunity: 'N',
      taxValue: 0,
      currencyId: 'USD',
      begindate: '2024-07-23T02:00:00+02:00',
      closedate: '2024-07-31T02:00:00+02:00',
      additionalInfo: 'Update a deal via REST',
      searchContent: SEED_SEARCH_CONTENT,
      movedBy: 1,
      lastActivityTime: '2024-07-23T18:10:26+02:00',
      parentId1220: 2,
      utmSource: 'google',
      observers: [1, 2, 3],
      contactIds: [],
      entityTypeId: 2,
    })
    // The server's clock is the real one: the update stamps now, printed in the portal's +02:00.
    expect(item['updatedTime']).toMatch(offsetTime)
    expect(item['movedTime']).toBe(item['updatedTime'])
    // The custom field of the sample does not exist yet: ignored, as an unknown field is.
    expect(item).not.toHaveProperty('ufCrm_1721244707107')
    // The SDK reads the server's error: the code-100 answer for a scalar given to a multiple field.
    expect(seen['multipleError']).toEqual({
      thrown: true,
      code: '100',
      message: 'Expected iterable value for multiple field, but got integer instead',
    })
  }, 120_000)
})
