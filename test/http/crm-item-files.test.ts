import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, createTestApp, type CallResult, type TestApp } from '../helpers/test-app.js'
import { STORE_KINDS } from '../helpers/test-store.js'
import { itemOf, userHook } from '../helpers/item-fixtures.js'

/**
 * File custom fields through HTTP, step by step as the seed walks through them (shared/spec/seeds/000_*.txt,
 * 001_*.txt "How to Update a File Type Custom Field"; api-reference/crm/universal/crm-item-update.md):
 *  1. upload a new file instead of the old one — the old one is deleted;
 *  2. remove the value with '';
 *  3. keep it with `{id}` — a different id resets the field and deletes the file;
 *  4. multiple fields: every element follows the same rules; `[12, 255, 44]` → keep 12 and 44, replace 255.
 * Plus the download links (`{id, url, urlMachine}`, object-fields.md) served back with the caller's
 * credentials, size and extension limits, and the system photo (how-to-make-contact-edit-card.md).
 */

type Body = Record<string, unknown>
type FileValue = { id: number; url: string; urlMachine: string }

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64')

function errorOf(response: CallResult): { status: number; error: unknown; description: unknown } {
  return {
    status: response.status,
    error: response.body['error'],
    description: response.body['error_description'],
  }
}

describe.each(STORE_KINDS)('file custom fields (%s)', (storeKind) => {
  let t: TestApp
  /** The seed's `ufCrm1617027453943`, as a deal field: UF_CRM_1617027453943 is `ufCrm_1617027453943`. */
  const SINGLE = 'ufCrm_1617027453943'
  const MULTI = 'ufCrm_1617027453944'
  let dealId: number

  const update = (fields: Body, extra: Body = {}) =>
    t.call('crm.item.update', { entityTypeId: 2, id: dealId, fields, ...extra })
  const updated = async (fields: Body) => itemOf(await update(fields))
  const current = async () => itemOf(await t.call('crm.item.get', { entityTypeId: 2, id: dealId }))
  /** GET a link as a client would: path and query of the absolute URL. */
  const download = async (link: string, headers: Record<string, string> = {}) => {
    const url = new URL(link)
    return t.inject({ method: 'GET', url: url.pathname + url.search, headers })
  }
  const fileRows = async () =>
    (await t.app.store.db.selectFrom('crm_file').select('id').orderBy('id').execute()).map((r) =>
      Number(r.id),
    )

  beforeEach(async () => {
    t = await createTestApp({ store: storeKind })
    for (const [name, multiple] of [
      ['1617027453943', 'N'],
      ['1617027453944', 'Y'],
    ] as const) {
      const added = await t.call('crm.deal.userfield.add', {
        fields: { FIELD_NAME: name, USER_TYPE_ID: 'file', MULTIPLE: multiple, LABEL: `Files ${name}` },
      })
      expect(added.status).toBe(200)
    }
    dealId = itemOf(await t.call('crm.item.add', { entityTypeId: 2, fields: { title: 'With files' } }))[
      'id'
    ] as number
  })
  afterEach(async () => {
    await t.close()
  })

  it('prints an empty single field as null and an empty multiple field as []', async () => {
    const deal = await current()
    expect(deal[SINGLE]).toBeNull()
    expect(deal[MULTI]).toEqual([])
  })

  it('uploads [name, base64] and serves it back under url and urlMachine (object-fields.md)', async () => {
    const deal = await updated({ [SINGLE]: ['myfile.pdf', b64('%PDF-1.4 first')] })
    const file = deal[SINGLE] as FileValue
    expect(Object.keys(file)).toEqual(['id', 'url', 'urlMachine'])
    expect(file.url).toBe(
      `http://localhost:80/bitrix/services/main/ajax.php?action=crm.controller.item.getFile&SITE_ID=s1&entityTypeId=2&id=${dealId}&fieldName=UF_CRM_1617027453943&fileId=${file.id}`,
    )
    // "urlMachine … may contain a valid webhook token in the path /rest/{user_id}/{token}/".
    expect(file.urlMachine).toBe(
      `http://localhost:80/rest/1/testhooksecret/crm.controller.item.getFile/?entityTypeId=2&id=${dealId}&fieldName=UF_CRM_1617027453943&fileId=${file.id}`,
    )
    const got = await download(file.urlMachine)
    expect(got.statusCode).toBe(200)
    expect(got.headers['content-type']).toBe('application/pdf')
    expect(String(got.headers['content-disposition'])).toContain('filename="myfile.pdf"')
    expect(got.body).toBe('%PDF-1.4 first')
    // `url` is the portal's browser link: without a session it needs credentials.
    expect((await download(file.url)).statusCode).toBe(401)
    expect((await current())[SINGLE]).toEqual(file)
  })

  it('step 1: a new upload replaces the file of a single field and deletes the old one', async () => {
    const first = (await updated({ [SINGLE]: ['myfile.pdf', b64('first')] }))[SINGLE] as FileValue
    const second = (await updated({ [SINGLE]: ['myfile.pdf', b64('second')] }))[SINGLE] as FileValue
    expect(second.id).not.toBe(first.id)
    expect((await download(second.urlMachine)).body).toBe('second')
    // "The old one will be automatically deleted."
    expect((await download(first.urlMachine)).statusCode).toBe(404)
    expect(await fileRows()).toEqual([second.id])
  })

  it("step 2: '' removes the value of a single field and deletes its file", async () => {
    const file = (await updated({ [SINGLE]: ['a.txt', b64('x')] }))[SINGLE] as FileValue
    expect((await updated({ [SINGLE]: '' }))[SINGLE]).toBeNull()
    expect(await fileRows()).toEqual([])
    expect((await download(file.urlMachine)).statusCode).toBe(404)
  })

  it('step 3: {id} of the current file keeps it; another id resets the field and deletes the file', async () => {
    const file = (await updated({ [SINGLE]: ['a.txt', b64('keep me')] }))[SINGLE] as FileValue
    const kept = await update({ [SINGLE]: { id: file.id } })
    expect(itemOf(kept)[SINGLE]).toEqual(file)
    // Nothing changed: no save (updatedTime unchanged, crm-item-update.md).
    expect(await fileRows()).toEqual([file.id])
    // "If a value different from the current one is passed in id, the field value will be reset and the file
    // will be deleted."
    expect((await updated({ [SINGLE]: { id: file.id + 100 } }))[SINGLE]).toBeNull()
    expect(await fileRows()).toEqual([])
  })

  it('step 4: a multiple field keeps [{id: 12}, {id: 44}] and replaces 255 with a new upload', async () => {
    const three = (
      await updated({
        [MULTI]: [
          ['one.txt', b64('12')],
          ['two.txt', b64('255')],
          ['three.txt', b64('44')],
        ],
      })
    )[MULTI] as FileValue[]
    expect(three).toHaveLength(3)
    const [f12, f255, f44] = three as [FileValue, FileValue, FileValue]
    const after = (
      await updated({ [MULTI]: [{ id: f12.id }, { id: f44.id }, ['myNewFile.pdf', b64('new')]] })
    )[MULTI] as FileValue[]
    expect(after.map((f) => f.id).slice(0, 2)).toEqual([f12.id, f44.id])
    const fresh = after[2] as FileValue
    expect(fresh.id).toBeGreaterThan(f44.id)
    expect((await download(fresh.urlMachine)).body).toBe('new')
    expect((await download(f255.urlMachine)).statusCode).toBe(404)
    expect(await fileRows()).toEqual([f12.id, f44.id, fresh.id])
  })

  it('multiple fields: foreign ids are dropped, [] keeps the files, [""] clears them', async () => {
    const other = itemOf(
      await t.call('crm.item.add', { entityTypeId: 2, fields: { [MULTI]: [['other.txt', b64('other')]] } }),
    )
    const foreign = (other[MULTI] as FileValue[])[0] as FileValue
    const mine = (await updated({ [MULTI]: [['mine.txt', b64('mine')]] }))[MULTI] as FileValue[]
    const mixed = (await updated({ [MULTI]: [{ id: foreign.id }, { id: mine[0]?.id }] }))[
      MULTI
    ] as FileValue[]
    expect(mixed.map((f) => f.id)).toEqual([mine[0]?.id])
    // The foreign file still belongs to the other deal and is not served under this one.
    const foreignHere = mixed[0]?.urlMachine.replace(`fileId=${mine[0]?.id}`, `fileId=${foreign.id}`) ?? ''
    expect((await download(foreignHere)).statusCode).toBe(404)
    expect((await download(foreign.urlMachine)).body).toBe('other')
    expect(((await updated({ [MULTI]: [] }))[MULTI] as FileValue[]).length).toBe(1)
    expect((await updated({ [MULTI]: [''] }))[MULTI]).toEqual([])
  })

  it('a pair [name, base64] given to a multiple field is one upload', async () => {
    const files = (await updated({ [MULTI]: ['report.csv', b64('a,b\n1,2\n')] }))[MULTI] as FileValue[]
    expect(files).toHaveLength(1)
    const got = await download((files[0] as FileValue).urlMachine)
    expect([got.headers['content-type'], got.body]).toEqual(['text/csv', 'a,b\n1,2\n'])
  })

  it('unreadable uploads are skipped: empty or non-Base64 content, {fileData} on crm.item.*', async () => {
    for (const value of [['a.txt', ''], ['a.txt', '***not base64***'], { fileData: ['a.txt', b64('x')] }]) {
      const response = await update({ [SINGLE]: value })
      expect(response.status, JSON.stringify(value)).toBe(200)
      // how-to-make-contact-edit-card.md: "The fileData variant succeeds without an error, but the field remains
      // empty".
      expect(itemOf(response)[SINGLE]).toBeNull()
    }
    expect(await fileRows()).toEqual([])
  })

  it('size and extension limits fail the call with CRM_CONTROLLER_BASE_UPLOAD_FILE_ERROR', async () => {
    const fields = (
      await t.call('crm.deal.userfield.list', { filter: { FIELD_NAME: 'UF_CRM_1617027453943' } })
    ).body['result'] as Body[]
    const id = fields[0]?.['ID']
    await t.call('crm.deal.userfield.update', {
      id,
      fields: { SETTINGS: { MAX_ALLOWED_SIZE: 10, EXTENSIONS: ['txt', 'pdf'] } },
    })
    expect(errorOf(await update({ [SINGLE]: ['big.txt', b64('x'.repeat(11))] }))).toEqual({
      status: 400,
      error: 'CRM_CONTROLLER_BASE_UPLOAD_FILE_ERROR',
      description: 'File "big.txt" is 11 bytes; the field "Files 1617027453943" accepts files up to 10 bytes',
    })
    expect(errorOf(await update({ [SINGLE]: ['run.exe', b64('MZ')] })).error).toBe(
      'CRM_CONTROLLER_BASE_UPLOAD_FILE_ERROR',
    )
    expect((await updated({ [SINGLE]: ['ok.txt', b64('x'.repeat(10))] }))[SINGLE]).not.toBeNull()
  })

  it('useOriginalUfNames=Y takes and prints UF_CRM_ names', async () => {
    const response = await update(
      { UF_CRM_1617027453943: ['up.txt', b64('upper')] },
      { useOriginalUfNames: 'Y' },
    )
    const file = itemOf(response)['UF_CRM_1617027453943'] as FileValue
    expect((await download(file.urlMachine)).body).toBe('upper')
  })

  it('links check the credentials, the item, the field and the read right', async () => {
    const file = (await updated({ [SINGLE]: ['a.txt', b64('secret')] }))[SINGLE] as FileValue
    const wrongCode = file.urlMachine.replace('/testhooksecret/', '/wrongsecret/')
    expect((await download(wrongCode)).statusCode).toBe(401)
    expect(
      (
        await download(
          file.urlMachine.replace('fieldName=UF_CRM_1617027453943', 'fieldName=UF_CRM_1617027453944'),
        )
      ).statusCode,
    ).toBe(404)
    expect((await download(file.urlMachine.replace(`&id=${dealId}&`, `&id=${dealId + 1}&`))).statusCode).toBe(
      404,
    )
    // Another user's webhook: the same link works for a user who may read the deal, as any REST read does.
    const { prefix } = await userHook(t, { name: 'Reader', isAdmin: true })
    const theirs = file.urlMachine.replace('/rest/1/testhooksecret/', prefix)
    expect((await download(theirs)).body).toBe('secret')
    // The `url` form with a Bearer token: none here, so the webhook path is the machine way in.
    expect((await download(file.url, { authorization: 'Bearer nope' })).statusCode).toBe(401)
  })

  it('deleting the deal deletes its files', async () => {
    await updated({ [SINGLE]: ['a.txt', b64('1')], [MULTI]: [['b.txt', b64('2')]] })
    expect(await fileRows()).toHaveLength(2)
    expect((await t.call('crm.item.delete', { entityTypeId: 2, id: dealId })).status).toBe(200)
    expect(await fileRows()).toEqual([])
  })

  it('crm.item.* refuses the contact photo (how-to-make-contact-edit-card.md) and prints a stored one as an id', async () => {
    const contact = itemOf(await t.call('crm.item.add', { entityTypeId: 3, fields: { name: 'Klaus' } }))
    expect(contact['photo']).toBeNull()
    for (const photo of [['photo.jpg', b64('jpeg')], { fileData: ['photo.jpg', b64('jpeg')] }]) {
      const refused = await t.call('crm.item.update', {
        entityTypeId: 3,
        id: contact['id'],
        fields: { photo },
      })
      expect(errorOf(refused).error).toBe('CRM_FIELD_ERROR_VALUE_NOT_VALID')
    }
  })

  /** An OAuth access token of user 1 (admin API app → /oauth/authorize/ → /oauth/token/). */
  const oauthToken = async (): Promise<string> => {
    const app = await t.inject({
      method: 'POST',
      url: '/_admin/portals/1/apps',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      payload: JSON.stringify({
        title: 'Files',
        scopes: ['crm'],
        redirectUri: 'https://app.example.test/cb',
      }),
    })
    const { clientId, clientSecret } = app.json() as { clientId: string; clientSecret: string }
    const authorized = await t.inject({ method: 'GET', url: `/oauth/authorize/?client_id=${clientId}` })
    const code = new URL(String(authorized.headers['location'])).searchParams.get('code') ?? ''
    const tokens = await t.inject({
      method: 'GET',
      url: `/oauth/token/?${new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, client_secret: clientSecret, code }).toString()}`,
    })
    return String((tokens.json() as Body)['access_token'])
  }

  it('OAuth calls get urlMachine with auth={token}; the token opens url as well', async () => {
    const token = await oauthToken()
    const response = await t.call(
      'crm.item.update',
      { entityTypeId: 2, id: dealId, fields: { [SINGLE]: ['o.txt', b64('oauth')] }, auth: token },
      { prefix: '/rest/' },
    )
    const file = itemOf(response)[SINGLE] as FileValue
    expect(file.urlMachine).toBe(
      `http://localhost:80/rest/crm.controller.item.getFile/?auth=${token}&entityTypeId=2&id=${dealId}&fieldName=UF_CRM_1617027453943&fileId=${file.id}`,
    )
    expect((await download(file.urlMachine)).body).toBe('oauth')
    expect((await download(`${file.url}&auth=${token}`)).body).toBe('oauth')
    expect((await download(file.url, { authorization: `Bearer ${token}` })).body).toBe('oauth')
  })

  describe('the legacy methods: {fileData} (how-to-add-lead-with-files.md)', () => {
    beforeEach(async () => {
      for (const [name, multiple] of [
        ['LEAD_FILE', 'N'],
        ['LEAD_FILES', 'Y'],
      ] as const) {
        await t.call('crm.lead.userfield.add', {
          fields: { FIELD_NAME: name, USER_TYPE_ID: 'file', MULTIPLE: multiple },
        })
      }
    })
    const legacyLead = async (id: number) => (await t.call('crm.lead.get', { id })).body['result'] as Body
    type LegacyFile = { id: number; showUrl: string; downloadUrl: string }

    it('crm.lead.add uploads {fileData}; crm.lead.get prints {id, showUrl, downloadUrl}; crm.item.get agrees', async () => {
      const added = await t.call('crm.lead.add', {
        fields: {
          TITLE: 'From website: Klaus Weber',
          UF_CRM_LEAD_FILE: { fileData: ['cv.pdf', b64('%PDF cv')] },
          UF_CRM_LEAD_FILES: [{ fileData: ['a.txt', b64('a')] }, { fileData: ['b.txt', b64('b')] }],
        },
      })
      const id = added.body['result'] as number
      const lead = await legacyLead(id)
      const single = lead['UF_CRM_LEAD_FILE'] as LegacyFile
      expect(single).toEqual({
        id: single.id,
        showUrl: `/bitrix/components/bitrix/crm.lead.show/show_file.php?ownerId=${id}&fieldName=UF_CRM_LEAD_FILE&dynamic=Y&fileId=${single.id}`,
        downloadUrl: `/bitrix/components/bitrix/crm.lead.show/show_file.php?auth=&ownerId=${id}&fieldName=UF_CRM_LEAD_FILE&dynamic=Y&fileId=${single.id}`,
      })
      const many = lead['UF_CRM_LEAD_FILES'] as LegacyFile[]
      expect(many).toHaveLength(2)
      const item = itemOf(await t.call('crm.item.get', { entityTypeId: 1, id }))
      expect((item['ufCrmLeadFile'] as FileValue).id).toBe(single.id)
      expect((item['ufCrmLeadFiles'] as FileValue[]).map((f) => f.id)).toEqual(many.map((f) => f.id))
      expect((await download((item['ufCrmLeadFile'] as FileValue).urlMachine)).body).toBe('%PDF cv')
      // The relative links carry no webhook: with a token they open (auth= or Bearer).
      const token = await oauthToken()
      const shown = await t.inject({
        method: 'GET',
        url: single.showUrl,
        headers: { authorization: `Bearer ${token}` },
      })
      expect(shown.body).toBe('%PDF cv')
      expect((await t.inject({ method: 'GET', url: single.downloadUrl })).statusCode).toBe(401)
      const viaToken = await t.call('crm.lead.get', { id, auth: token }, { prefix: '/rest/' })
      const tokenLink = (viaToken.body['result'] as Body)['UF_CRM_LEAD_FILE'] as LegacyFile
      expect(tokenLink.downloadUrl).toContain(`show_file.php?auth=${token}&ownerId=${id}`)
      expect((await t.inject({ method: 'GET', url: tokenLink.downloadUrl })).body).toBe('%PDF cv')
    })

    it('empty: a multiple field prints [], a single one is left out; a list on a single field is not kept', async () => {
      const id = (await t.call('crm.lead.add', { fields: { TITLE: 'No files' } })).body['result'] as number
      const lead = await legacyLead(id)
      expect(lead['UF_CRM_LEAD_FILES']).toEqual([])
      expect(lead).not.toHaveProperty('UF_CRM_LEAD_FILE')
      await t.call('crm.lead.update', {
        id,
        fields: {
          UF_CRM_LEAD_FILE: [{ fileData: ['a.txt', b64('a')] }],
          UF_CRM_LEAD_FILES: { fileData: ['one.txt', b64('1')] },
        },
      })
      const after = await legacyLead(id)
      expect(after).not.toHaveProperty('UF_CRM_LEAD_FILE')
      // "one fileData object in a multiple field is retained as an array of one file".
      expect(after['UF_CRM_LEAD_FILES']).toHaveLength(1)
    })

    it('{id, remove: Y} deletes a file; {id} keeps it', async () => {
      const id = (
        await t.call('crm.lead.add', { fields: { UF_CRM_LEAD_FILE: { fileData: ['a.txt', b64('a')] } } })
      ).body['result'] as number
      const file = (await legacyLead(id))['UF_CRM_LEAD_FILE'] as LegacyFile
      await t.call('crm.lead.update', { id, fields: { UF_CRM_LEAD_FILE: { id: file.id } } })
      expect(((await legacyLead(id))['UF_CRM_LEAD_FILE'] as LegacyFile).id).toBe(file.id)
      await t.call('crm.lead.update', { id, fields: { UF_CRM_LEAD_FILE: { id: file.id, remove: 'Y' } } })
      expect(await legacyLead(id)).not.toHaveProperty('UF_CRM_LEAD_FILE')
      expect(await fileRows()).toEqual([])
    })

    it('crm.contact.update sets the PHOTO; crm.item.get prints it as the file id (how-to-make-contact-edit-card.md)', async () => {
      const contact = itemOf(await t.call('crm.item.add', { entityTypeId: 3, fields: { name: 'Klaus' } }))
      const id = contact['id'] as number
      const set = await t.call('crm.contact.update', {
        id,
        fields: { PHOTO: { fileData: ['photo.jpg', b64('jpeg')] } },
      })
      expect(set.body['result']).toBe(true)
      const photoId = itemOf(await t.call('crm.item.get', { entityTypeId: 3, id }))['photo'] as number
      expect(photoId).toBeGreaterThan(0)
      const machine = `http://localhost:80/rest/1/testhooksecret/crm.controller.item.getFile/?entityTypeId=3&id=${id}&fieldName=PHOTO&fileId=${photoId}`
      const got = await download(machine)
      expect([got.headers['content-type'], got.body]).toEqual(['image/jpeg', 'jpeg'])
      // A new photo replaces the old one, whose file is deleted.
      await t.call('crm.contact.update', { id, fields: { PHOTO: { fileData: ['new.png', b64('png')] } } })
      expect((await download(machine)).statusCode).toBe(404)
      expect(await fileRows()).toHaveLength(1)
    })
  })
})
