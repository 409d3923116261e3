/**
 * Set-up for the legacy CRM method tests (crm.lead|deal|contact|company.*): items with the ids the docs'
 * examples name, OAuth access tokens for the examples' `auth=` form, the docs' JSON samples, and the
 * recorded client requests (research/client-contract-harness/captures.jsonl).
 */
import { readFileSync } from 'node:fs'
import { expect } from 'vitest'
import { ADMIN_TOKEN, type CallResult, type TestApp } from './test-app.js'
import { setNextId } from './item-fixtures.js'

export const DOCS = new URL('../../../shared/spec/b24restdocs/api-reference/crm/', import.meta.url)

/** The `result` of a successful call, or a thrown error with the body. */
export function resultOf<T = unknown>(response: CallResult): T {
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${JSON.stringify(response.body)}`)
  return response.body['result'] as T
}

/** Creates an item through `{prefix}.add` with the given id (the type's id sequence is moved first). */
export async function addWithId(
  t: TestApp,
  prefix: 'crm.lead' | 'crm.deal' | 'crm.contact' | 'crm.company',
  id: number,
  fields: Record<string, unknown> = {},
): Promise<number> {
  const entityTypeId = { 'crm.lead': 1, 'crm.deal': 2, 'crm.contact': 3, 'crm.company': 4 }[prefix]
  await setNextId(t, `item:${entityTypeId}`, id)
  const created = resultOf<number>(await t.call(`${prefix}.add`, { fields }))
  expect(created).toBe(id)
  return created
}

/**
 * An OAuth access token of user 1, minted through the admin API (an installed application with the crm
 * scope): the examples' `"auth": "**put_access_token_here**"`.
 */
export async function mintAccessToken(t: TestApp): Promise<string> {
  const admin = async (url: string, body: unknown) => {
    const response = await t.inject({
      method: 'POST',
      url: `/_admin${url}`,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    })
    return response.json() as Record<string, unknown>
  }
  const app = await admin('/portals/1/apps', {
    title: 'Legacy examples',
    scopes: ['crm', 'user'],
    redirectUri: 'https://app.example.test/callback',
  })
  await admin(`/portals/1/apps/${String(app['id'])}/install`, {})
  const tokens = await admin(`/portals/1/apps/${String(app['id'])}/tokens`, { userId: 1 })
  return String(tokens['access_token'])
}

/** A JSON body posted to `/rest/{method}` with the token inside, as the cURL (OAuth) examples do. */
export async function callWithToken(
  t: TestApp,
  method: string,
  token: string,
  params: Record<string, unknown>,
): Promise<CallResult> {
  const response = await t.inject({
    method: 'POST',
    url: `/rest/${method}`,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    payload: JSON.stringify({ ...params, auth: token }),
  })
  return { status: response.statusCode, body: response.json() as Record<string, unknown> }
}

/** The first ```json block after "## Response Handling" of a docs page, parsed. */
export function docsResponse(page: string): Record<string, unknown> {
  const text = readFileSync(new URL(page, DOCS), 'utf8')
  const tail = text.slice(text.indexOf('## Response Handling'))
  const match = /```json\n([\s\S]*?)```/.exec(tail)
  if (match?.[1] === undefined) throw new Error(`no JSON sample in ${page}`)
  return JSON.parse(match[1]) as Record<string, unknown>
}

/** The envelope a successful call has (the docs' `time` object, whatever its values). */
export const SUCCESS_TIME = expect.objectContaining({
  start: expect.any(Number) as unknown,
  finish: expect.any(Number) as unknown,
  duration: expect.any(Number) as unknown,
  processing: expect.any(Number) as unknown,
  date_start: expect.any(String) as unknown,
  date_finish: expect.any(String) as unknown,
}) as unknown

// ---------------------------------------------------------------------------------------------------------
// Recorded client requests
// ---------------------------------------------------------------------------------------------------------

export interface Capture {
  seq: number
  label: string
  method: string
  url: string
  headers: Record<string, string | undefined>
  body: string
}

const CAPTURES = new URL('../../../shared/research/client-contract-harness/captures.jsonl', import.meta.url)

export function captures(predicate: (capture: Capture) => boolean): Capture[] {
  return readFileSync(CAPTURES, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Capture)
    .filter(predicate)
}

/**
 * Replays a recorded request against the test app: the same HTTP method, query, body and content type, with
 * the recorded webhook path (`/rest/1/abc123secret/`) swapped for the test app's webhook.
 */
export async function replay(t: TestApp, capture: Capture): Promise<CallResult> {
  const url = capture.url.replace(/^\/rest\/1\/abc123secret\//, t.hookPath)
  const contentType = capture.headers['content-type']
  const response = await t.inject({
    method: capture.method as 'GET' | 'POST',
    url,
    headers: {
      ...(contentType === undefined ? {} : { 'content-type': contentType }),
      ...(capture.headers['user-agent'] === undefined ? {} : { 'user-agent': capture.headers['user-agent'] }),
    },
    ...(capture.body === '' ? {} : { payload: capture.body }),
  })
  return { status: response.statusCode, body: response.json() as Record<string, unknown> }
}
