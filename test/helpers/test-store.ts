import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { openStore, type Store } from '../../src/store/store.js'

/**
 * Stores for tests. SQLite runs in memory; PostgreSQL runs when B24_TEST_DATABASE_URL points at a server
 * (`.ci/run` sets it to 127.0.0.1:5432): each store gets a database of its own, dropped on close.
 */
export type TestStoreKind = 'sqlite' | 'postgres'

export const POSTGRES_URL = process.env['B24_TEST_DATABASE_URL']

/** The store kinds this run covers: SQLite always, PostgreSQL when configured. */
export const STORE_KINDS: TestStoreKind[] = POSTGRES_URL === undefined ? ['sqlite'] : ['sqlite', 'postgres']

export async function openTestStore(kind: TestStoreKind): Promise<Store> {
  if (kind === 'sqlite') return openStore({ kind: 'sqlite', file: ':memory:' })
  if (POSTGRES_URL === undefined) throw new Error('B24_TEST_DATABASE_URL is not set')
  const name = `b24test_${randomBytes(6).toString('hex')}`
  await adminQuery(`create database ${name}`)
  const url = new URL(POSTGRES_URL)
  url.pathname = `/${name}`
  const store = await openStore({ kind: 'postgres', url: url.toString(), poolSize: 5 })
  return {
    ...store,
    close: async () => {
      await store.close()
      await adminQuery(`drop database if exists ${name}`)
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
