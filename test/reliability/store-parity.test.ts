import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type CallResult, type TestApp } from '../helpers/test-app.js'
import { POSTGRES_URL } from '../helpers/test-store.js'

/**
 * Values the fuzzer found that PostgreSQL answered with a 500 where SQLite gave a Bitrix answer (scenario 4,
 * test/http/fuzz.test.ts on postgres; `npm run reliability` fuzz on postgres): integers beyond the 32-bit
 * `integer` columns (PostgreSQL refuses to compare or store them: "value out of range for type integer"),
 * and strings holding NUL (PostgreSQL text cannot store U+0000). SQLite's answer is the reference: the same
 * request must get the same status and error code from both stores.
 */
const BIG = 10_000_000_000

const CASES: [string, Record<string, unknown>][] = [
  ['crm.item.get', { entityTypeId: 2, id: BIG }],
  ['crm.item.update', { entityTypeId: 2, id: BIG, fields: { title: 'x' } }],
  ['crm.item.delete', { entityTypeId: 2, id: BIG }],
  ['crm.item.list', { entityTypeId: 2, filter: { id: BIG } }],
  ['crm.item.list', { entityTypeId: 2, filter: { assignedById: BIG } }],
  ['crm.item.add', { entityTypeId: 2, fields: { assignedById: BIG } }],
  ['crm.item.add', { entityTypeId: 2, fields: { probability: BIG } }],
  ['crm.item.add', { entityTypeId: 2, fields: { contactIds: [BIG] } }],
  ['crm.item.add', { entityTypeId: 2, fields: { categoryId: BIG } }],
  ['user.get', { ID: BIG }],
  ['crm.status.get', { id: BIG }],
  ['crm.status.add', { fields: { ENTITY_ID: 'STATUS', STATUS_ID: 'PARITY_BIG', NAME: 'n', SORT: BIG } }],
  ['crm.category.get', { entityTypeId: 2, id: BIG }],
  ['crm.type.get', { id: BIG }],
  ['crm.item.add', { entityTypeId: 2, fields: { title: 'a\u0000b' } }],
  ['crm.item.list', { entityTypeId: 2, filter: { title: 'a\u0000b' } }],
  ['crm.status.add', { fields: { ENTITY_ID: 'STATUS', STATUS_ID: 'PARITY_NUL', NAME: 'a\u0000b' } }],
  ['crm.category.add', { entityTypeId: 2, fields: { name: 'a\u0000b' } }],
]

function outcome(answer: CallResult): string {
  return `${answer.status} ${String(answer.body['error'] ?? 'ok')}`
}

describe.skipIf(POSTGRES_URL === undefined)(
  'PostgreSQL answers out-of-range integers and NUL like SQLite',
  () => {
    let sqlite: TestApp
    let postgres: TestApp
    beforeAll(async () => {
      sqlite = await createTestApp({ store: 'sqlite' })
      postgres = await createTestApp({ store: 'postgres' })
    })
    afterAll(async () => {
      await sqlite?.close()
      await postgres?.close()
    })

    it.each(CASES)('%s %j', async (method, params) => {
      const reference = await sqlite.call(method, params)
      const answer = await postgres.call(method, params)
      expect(reference.status).toBeLessThan(500)
      expect(outcome(answer)).toBe(outcome(reference))
    })
  },
)
