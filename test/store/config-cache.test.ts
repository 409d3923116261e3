import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import pino from 'pino'
import type { FastifyInstance } from 'fastify'
import { createApp, type App } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { buildHttpServer } from '../../src/http/server.js'
import { fixedClock } from '../../src/lib/clock.js'
import { ensureBootstrap } from '../../src/portal/bootstrap.js'
import { createUser } from '../../src/portal/users.js'
import { createWebhook } from '../../src/portal/webhooks.js'
import { roleList, roleUpdate } from '../../src/admin/operations.js'
import { openStore, type Store, type StoreLocation } from '../../src/store/store.js'
import { POSTGRES_URL, STORE_KINDS } from '../helpers/test-store.js'
import { TEST_START_MS } from '../helpers/test-app.js'

/**
 * The configuration cache (src/store/config-cache.ts) with two server instances on one database, as two
 * processes would run (DESIGN.md: several instances on one PostgreSQL; the CLI next to a server on SQLite):
 * a change one instance makes — a dictionary value, a smart process, a custom field, a role — is seen by
 * the other instance's next request, and by the next command of the batch that made it.
 */
type Body = Record<string, unknown>

interface Instance {
  app: App
  http: FastifyInstance
  call(method: string, params?: Body, prefix?: string): Promise<{ status: number; body: Body }>
}

const HOOK = 'cachetesthook'

async function instance(store: Store): Promise<Instance> {
  const clock = fixedClock(TEST_START_MS)
  const config = loadConfig({ B24_DATA_DIR: '/nonexistent-b24crm-test' })
  const app = await createApp(config, { clock, store, log: pino({ level: 'silent' }) })
  await ensureBootstrap(app.store, HOOK, clock.now())
  const http = buildHttpServer(app)
  await http.ready()
  return {
    app,
    http,
    call: async (method, params = {}, prefix = `/rest/1/${HOOK}/`) => {
      const response = await http.inject({
        method: 'POST',
        url: `${prefix}${method}`,
        payload: params,
        headers: { 'content-type': 'application/json' },
      })
      return { status: response.statusCode, body: response.json() as Body }
    },
  }
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

describe.each(STORE_KINDS)('configuration cache, two instances on one database (%s)', (kind) => {
  let a: Instance
  let b: Instance
  let dispose: () => Promise<void>

  beforeEach(async () => {
    let location: StoreLocation
    let cleanup: () => Promise<void>
    if (kind === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'b24-config-cache-'))
      location = { kind: 'sqlite', file: join(dir, 'b24crm.sqlite') }
      cleanup = () => Promise.resolve(rmSync(dir, { recursive: true, force: true }))
    } else {
      const name = `b24test_${randomBytes(6).toString('hex')}`
      await adminQuery(`create database ${name}`)
      const url = new URL(POSTGRES_URL ?? '')
      url.pathname = `/${name}`
      location = { kind: 'postgres', url: url.toString(), poolSize: 3 }
      cleanup = () => adminQuery(`drop database if exists ${name} with (force)`)
    }
    a = await instance(await openStore(location))
    b = await instance(await openStore(location))
    dispose = async () => {
      for (const i of [a, b]) {
        await i.http.close()
        await i.app.close()
      }
      await cleanup()
    }
  })
  afterEach(async () => {
    await dispose()
  })

  const addLead = async (via: Instance) => {
    const added = await via.call('crm.item.add', { entityTypeId: 1, fields: { title: 'Lead' } })
    expect(added.status, JSON.stringify(added.body)).toBe(200)
    return ((added.body['result'] as Body)['item'] as Body)['id'] as number
  }

  it('sees a lead status another instance added', async () => {
    const id = await addLead(a)
    const before = await a.call('crm.item.update', { entityTypeId: 1, id, fields: { stageId: 'CACHED' } })
    expect(before.status).toBe(400)
    const status = await b.call('crm.status.add', {
      fields: { ENTITY_ID: 'STATUS', STATUS_ID: 'CACHED', NAME: 'Cached', SORT: 25 },
    })
    expect(status.status, JSON.stringify(status.body)).toBe(200)
    const after = await a.call('crm.item.update', { entityTypeId: 1, id, fields: { stageId: 'CACHED' } })
    expect(after.status, JSON.stringify(after.body)).toBe(200)
    expect(((after.body['result'] as Body)['item'] as Body)['stageId']).toBe('CACHED')
  })

  it('sees a smart process, a custom field and a parent relation another instance made', async () => {
    expect((await a.call('crm.item.list', { entityTypeId: 1050 })).body['error']).toBe('NOT_FOUND')
    const type = await b.call('crm.type.add', {
      fields: { entityTypeId: 1050, title: 'Orders', relations: { parent: [{ entityTypeId: 1 }] } },
    })
    expect(type.status, JSON.stringify(type.body)).toBe(200)
    expect((await a.call('crm.item.list', { entityTypeId: 1050 })).status).toBe(200)
    const field = await b.call('crm.lead.userfield.add', {
      fields: { FIELD_NAME: 'CACHE', USER_TYPE_ID: 'string', EDIT_FORM_LABEL: 'Cache' },
    })
    expect(field.status, JSON.stringify(field.body)).toBe(200)
    const id = await addLead(a)
    const lead = await a.call('crm.item.update', { entityTypeId: 1, id, fields: { ufCrmCache: 'seen' } })
    expect(((lead.body['result'] as Body)['item'] as Body)['ufCrmCache']).toBe('seen')
    const child = await a.call('crm.item.add', { entityTypeId: 1050, fields: { title: 'O', parentId1: id } })
    expect(((child.body['result'] as Body)['item'] as Body)['parentId1']).toBe(id)
  })

  it('applies a role another instance changed to the next request', async () => {
    const user = await createUser(a.app.store, a.app.store.db, 1, { name: 'Emp' }, TEST_START_MS)
    const { code } = await createWebhook(a.app.store.db, { portalId: 1, userId: user.id }, TEST_START_MS)
    const prefix = `/rest/${user.id}/${code}/`
    const id = await addLead(a)
    const allowed = await a.call('crm.item.update', { entityTypeId: 1, id, fields: { title: 'x' } }, prefix)
    expect(allowed.status, JSON.stringify(allowed.body)).toBe(200)
    const [role] = await roleList(b.app.store, 1)
    await roleUpdate(b.app.store, 1, role?.id ?? 0, { permissions: [{ all: 'X', write: '' }] })
    const denied = await a.call('crm.item.update', { entityTypeId: 1, id, fields: { title: 'y' } }, prefix)
    expect(denied.body['error']).toBe('ACCESS_DENIED')
  })

  it('lets a batch command use what an earlier command of the batch added', async () => {
    const id = await addLead(a)
    // Warm the cache of instance a with the lead statuses first.
    await a.call('crm.item.update', { entityTypeId: 1, id, fields: { stageId: 'IN_PROCESS' } })
    const batch = await a.call('batch', {
      halt: 1,
      cmd: {
        status: 'crm.status.add?fields[ENTITY_ID]=STATUS&fields[STATUS_ID]=BATCHED&fields[NAME]=Batched',
        update: `crm.item.update?entityTypeId=1&id=${id}&fields[stageId]=BATCHED`,
      },
    })
    const result = batch.body['result'] as Body
    expect(result['result_error']).toEqual([])
    expect((((result['result'] as Body)['update'] as Body)['item'] as Body)['stageId']).toBe('BATCHED')
  })
})
