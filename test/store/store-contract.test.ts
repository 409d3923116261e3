import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { MIGRATION_NAMES, openStore, type Store } from '../../src/store/store.js'
import { createPortal, getPortal, listPortals, updatePortalSettings } from '../../src/portal/portal.js'
import { createUser, getUser } from '../../src/portal/users.js'
import { createWebhook, findWebhookByCode } from '../../src/portal/webhooks.js'
import { ensureBootstrap } from '../../src/portal/bootstrap.js'
import { STORE_KINDS, openTestStore } from '../helpers/test-store.js'

const NOW = Date.UTC(2026, 0, 15, 10, 0, 0)

/** One contract, every adapter: what the rest of the server may rely on from a Store. */
describe.each(STORE_KINDS)('store contract on %s', (kind) => {
  let store: Store
  beforeEach(async () => {
    store = await openTestStore(kind)
  })
  afterEach(async () => {
    await store.close()
  })

  it('creates a portal with its administrator as user 1', async () => {
    const portal = await createPortal(store, { domain: 'one.example', timeZoneOffset: 180 }, NOW)
    expect(portal).toMatchObject({ domain: 'one.example', timeZoneOffset: 180, settings: {} })
    expect(portal.memberId).toMatch(/^[0-9a-f]{32}$/)
    const admin = await getUser(store.db, portal.id, 1)
    expect(admin).toMatchObject({
      id: 1,
      isAdmin: true,
      active: true,
      userType: 'employee',
      departments: [1],
    })
  })

  it('numbers users per portal, independently', async () => {
    const a = await createPortal(store, { domain: 'a.example' }, NOW)
    const b = await createPortal(store, { domain: 'b.example' }, NOW)
    const a2 = await createUser(store, store.db, a.id, { name: 'Ann' }, NOW)
    const b2 = await createUser(store, store.db, b.id, { name: 'Bob' }, NOW)
    const a3 = await createUser(store, store.db, a.id, { name: 'Amy', userType: 'extranet' }, NOW)
    expect([a2.id, b2.id, a3.id]).toEqual([2, 2, 3])
    expect((await getUser(store.db, b.id, 2))?.name).toBe('Bob')
    expect(a3.departments).toEqual([])
  })

  it('hands out unique ids to concurrent writers', async () => {
    const portal = await createPortal(store, { domain: 'ids.example' }, NOW)
    const ids = await Promise.all(
      Array.from({ length: 40 }, () => store.transaction((tx) => store.nextId(tx, portal.id, 'deal'))),
    )
    expect([...ids].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
  })

  it('rolls back everything a failed transaction wrote, outbox included', async () => {
    const portal = await createPortal(store, { domain: 'tx.example' }, NOW)
    await expect(
      store.transaction(async (tx) => {
        await createUser(store, tx, portal.id, { name: 'Ghost' }, NOW)
        await tx
          .insertInto('outbox')
          .values({
            portal_id: portal.id,
            topic: 'user.added',
            payload: '{}',
            created_at: new Date(NOW).toISOString(),
            processed_at: null,
          })
          .execute()
        throw new Error('abort')
      }),
    ).rejects.toThrow('abort')
    expect(await getUser(store.db, portal.id, 2)).toBeUndefined()
    const outbox = await store.db.selectFrom('outbox').selectAll().execute()
    expect(outbox).toEqual([])
  })

  it('stores webhook codes hashed and finds them by code only', async () => {
    const portal = await createPortal(store, { domain: 'hooks.example' }, NOW)
    const { webhook, code } = await createWebhook(
      store.db,
      { portalId: portal.id, userId: 1, scopes: ['crm'] },
      NOW,
    )
    expect(code).toMatch(/^[a-z0-9]{16}$/)
    const row = await store.db
      .selectFrom('webhook')
      .selectAll()
      .where('id', '=', webhook.id)
      .executeTakeFirstOrThrow()
    expect(row.code_hash).not.toContain(code)
    expect(row.code_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(await findWebhookByCode(store.db, code)).toMatchObject({
      id: webhook.id,
      scopes: ['crm'],
      userId: 1,
    })
    expect(await findWebhookByCode(store.db, `${code}x`)).toBeUndefined()
  })

  it('keeps portal settings', async () => {
    const portal = await createPortal(store, { domain: 'settings.example' }, NOW)
    await updatePortalSettings(store.db, portal.id, { requireHttps: true })
    expect((await getPortal(store.db, portal.id))?.settings).toEqual({ requireHttps: true })
  })

  it('bootstraps idempotently', async () => {
    const first = await ensureBootstrap(store, 'bootcode', NOW)
    const second = await ensureBootstrap(store, 'bootcode', NOW)
    expect(second.portal.id).toBe(first.portal.id)
    expect(await listPortals(store.db)).toHaveLength(1)
    expect(await store.db.selectFrom('webhook').selectAll().execute()).toHaveLength(1)
  })

  it('folds case beyond ASCII in lower(), as list filters need', async () => {
    const portal = await createPortal(store, { domain: 'unicode.example' }, NOW)
    await createUser(store, store.db, portal.id, { name: 'Иван' }, NOW)
    const rows = await store.db
      .selectFrom('portal_user')
      .select('name')
      .where('portal_id', '=', portal.id)
      .where(sql<boolean>`lower(name) like lower(${'%ИВ%'})`)
      .execute()
    expect(rows.map((r) => r.name)).toEqual(['Иван'])
  })

  it('compares ISO instants as text the same way in both dialects', async () => {
    const portal = await createPortal(store, { domain: 'dates.example' }, NOW)
    for (const [name, when] of [
      ['early', '2026-01-01T00:00:00Z'],
      ['late', '2026-02-01T00:00:00Z'],
    ] as const) {
      const user = await createUser(store, store.db, portal.id, { name }, NOW)
      await store.db
        .updateTable('portal_user')
        .set({ date_register: when })
        .where('id', '=', user.id)
        .execute()
    }
    const rows = await store.db
      .selectFrom('portal_user')
      .select('name')
      .where('portal_id', '=', portal.id)
      .where('id', '>', 1)
      .where('date_register', '>', '2026-01-15T00:00:00Z')
      .execute()
    expect(rows.map((r) => r.name)).toEqual(['late'])
  })
})

describe('SQLite file store', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'b24crm-store-'))
  })
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  it('runs in WAL mode with crash-safe synchronous settings and migrates once', async () => {
    const file = join(dir, 'data', 'b24crm.sqlite')
    const first = await openStore({ kind: 'sqlite', file })
    const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(first.db)
    expect(mode.rows[0]?.journal_mode).toBe('wal')
    const sync = await sql<{ synchronous: number }>`pragma synchronous`.execute(first.db)
    // 1 = NORMAL: in WAL mode every commit survives a process crash (docs/compatibility.md)
    expect(sync.rows[0]?.synchronous).toBeGreaterThanOrEqual(1)
    await createPortal(first, { domain: 'kept.example' }, NOW)
    await first.close()

    const second = await openStore({ kind: 'sqlite', file })
    expect((await listPortals(second.db)).map((p) => p.domain)).toEqual(['kept.example'])
    const applied = await sql<{ name: string }>`select name from b24_migration`.execute(second.db)
    expect(applied.rows.map((r) => r.name)).toEqual([...MIGRATION_NAMES])
    expect(MIGRATION_NAMES[0]).toBe('0001-foundation')
    await second.close()
  })
})
