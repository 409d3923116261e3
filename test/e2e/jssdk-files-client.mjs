// The seed's file walkthrough (crm.item.update "How to Update a File Type Custom Field") through
// @bitrix24/b24jssdk against a running b24crm over HTTPS, plus the downloads of urlMachine. Prints what it saw
// as one JSON line; the parent test (jssdk-files.test.ts) starts the server and checks it.
import { B24Hook } from '@bitrix24/b24jssdk'

/* global fetch */

const webhookUrl = process.argv[2]
const b24 = B24Hook.fromWebhookUrl(webhookUrl)
b24.offClientSideWarning()

const b64 = (text) => Buffer.from(text, 'utf8').toString('base64')
const call = async (method, params) => {
  const response = await b24.actions.v2.call.make({ method, params })
  if (!response.isSuccess) throw new Error(`${method}: ${response.getErrorMessages().join('; ')}`)
  return response.getData().result
}
const download = async (file) => {
  const response = await fetch(file.urlMachine)
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() }
}
const ids = (files) => files.map((f) => f.id)

const seen = {}

seen.fieldIds = [
  await call('crm.deal.userfield.add', {
    fields: { FIELD_NAME: 'CONTRACT', USER_TYPE_ID: 'file', LABEL: 'Contract' },
  }),
  await call('crm.deal.userfield.add', {
    fields: { FIELD_NAME: 'SCANS', USER_TYPE_ID: 'file', MULTIPLE: 'Y', LABEL: 'Scans' },
  }),
]
const fields = (await call('crm.item.fields', { entityTypeId: 2 })).fields
seen.fieldTypes = [fields.ufCrmContract?.type, fields.ufCrmScans?.isMultiple]

// Upload: [name, base64] for the single field, a list of them for the multiple one.
const added = (
  await call('crm.item.add', {
    entityTypeId: 2,
    fields: {
      title: 'Files via jssdk',
      ufCrmContract: ['contract.pdf', b64('contract v1')],
      ufCrmScans: [
        ['a.txt', b64('scan 12')],
        ['b.txt', b64('scan 255')],
        ['c.txt', b64('scan 44')],
      ],
    },
  })
).item
const id = added.id
seen.added = { contractKeys: Object.keys(added.ufCrmContract), scans: added.ufCrmScans.length }
seen.firstDownload = await download(added.ufCrmContract)

// 1. A new file instead of the old one: the old one is deleted.
const replaced = (
  await call('crm.item.update', {
    entityTypeId: 2,
    id,
    fields: { ufCrmContract: ['contract.pdf', b64('contract v2')] },
  })
).item
seen.replace = {
  newId: replaced.ufCrmContract.id !== added.ufCrmContract.id,
  newBody: (await download(replaced.ufCrmContract)).body,
  oldStatus: (await download(added.ufCrmContract)).status,
}

// 3. {id} keeps the file; 4. keep 12 and 44, upload a new one instead of 255.
const [s12, s255, s44] = added.ufCrmScans
const kept = (
  await call('crm.item.update', {
    entityTypeId: 2,
    id,
    fields: {
      ufCrmContract: { id: replaced.ufCrmContract.id },
      ufCrmScans: [{ id: s12.id }, { id: s44.id }, ['myNewFile.pdf', b64('new scan')]],
    },
  })
).item
seen.keep = {
  contractSame: kept.ufCrmContract.id === replaced.ufCrmContract.id,
  firstTwo: ids(kept.ufCrmScans).slice(0, 2).join(',') === ids([s12, s44]).join(','),
  count: kept.ufCrmScans.length,
  newBody: (await download(kept.ufCrmScans[2])).body,
  removedStatus: (await download(s255)).status,
}

// A different id resets the single field.
const reset = (
  await call('crm.item.update', {
    entityTypeId: 2,
    id,
    fields: { ufCrmContract: { id: replaced.ufCrmContract.id + 1000 } },
  })
).item
seen.reset = { value: reset.ufCrmContract, oldStatus: (await download(replaced.ufCrmContract)).status }

// 2. '' removes the value (on the multiple field, [''] clears it).
await call('crm.item.update', { entityTypeId: 2, id, fields: { ufCrmContract: ['x.txt', b64('x')] } })
const cleared = (
  await call('crm.item.update', { entityTypeId: 2, id, fields: { ufCrmContract: '', ufCrmScans: [''] } })
).item
seen.cleared = { contract: cleared.ufCrmContract, scans: cleared.ufCrmScans }

// The same walkthrough's result read back with the original names.
const got = (await call('crm.item.get', { entityTypeId: 2, id, useOriginalUfNames: 'Y' })).item
seen.original = { contract: got.UF_CRM_CONTRACT, scans: got.UF_CRM_SCANS }

process.stdout.write(`${JSON.stringify(seen)}\n`)
