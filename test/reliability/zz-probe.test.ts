import { it } from 'vitest'
import { createTestApp, TEST_WEBHOOK_CODE } from '../helpers/test-app.js'
import { rng } from '../reliability/helpers.js'
import { randomRequest } from '../reliability/fuzz-cases.js'
it('probe', async () => {
  const t = await createTestApp({ env: { B24_BODY_LIMIT: String(256 * 1024) } })
  const random = rng(20261121)
  const by = new Map<string, Map<string, number>>()
  for (let i = 0; i < 3000; i++) {
    const r = randomRequest(random, { webhookCode: TEST_WEBHOOK_CODE, bodyLimit: 256 * 1024 })
    const res = await t.inject({ method: r.method, url: r.url, headers: r.contentType ? { 'content-type': r.contentType } : {}, ...(r.payload === undefined ? {} : { payload: r.payload }) })
    const m = /\/([A-Za-z.]+?)(?:\.json|\/|\.xml)?(?:\?|$)/.exec(r.url)?.[1] ?? '?'
    const body = res.json() as any
    const key = res.statusCode === 200 ? '200' : `${res.statusCode} ${typeof body.error === 'string' ? body.error : JSON.stringify(body.error)}`
    const inner = by.get(m) ?? new Map(); by.set(m, inner); inner.set(key, (inner.get(key) ?? 0) + 1)
  }
  for (const [m, inner] of [...by].sort()) console.log(m, JSON.stringify([...inner].sort((a,b)=>b[1]-a[1]).slice(0,6)))
  await t.close()
}, 120000)
