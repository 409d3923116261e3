// The crm.contact.update page's "Working with Multiple Fields" walkthrough (seed 004) through
// @bitrix24/b24jssdk against a running b24crm over HTTPS, with the page's literal requests: the parent test
// (jssdk-multifield.test.ts) moves the portal's multifield sequence before the server starts, so the
// contact's phones get the page's ids 222, 223, 224 (and the appended one 225). Prints what it saw as one
// JSON line.
import { B24Hook } from '@bitrix24/b24jssdk'

const webhookUrl = process.argv[2]
const b24 = B24Hook.fromWebhookUrl(webhookUrl)
b24.offClientSideWarning()

const call = async (method, params) => {
  const response = await b24.actions.v2.call.make({ method, params })
  if (!response.isSuccess) throw new Error(`${method}: ${response.getErrorMessages().join('; ')}`)
  return response.getData().result
}
const phones = async (id) => (await call('crm.contact.get', { id })).PHONE

const seen = {}

seen.fields = await call('crm.multifield.fields', {})

// "Suppose there are the following values for the PHONE field": 222, 223, 224.
const id = await call('crm.contact.add', {
  fields: {
    NAME: 'Walkthrough',
    PHONE: [
      { VALUE: '111111', VALUE_TYPE: 'WORK' },
      { VALUE: '222222', VALUE_TYPE: 'WORK' },
      { VALUE: '333333', VALUE_TYPE: 'WORK' },
    ],
  },
})
seen.created = await phones(id)

// "To change the value of the phone with ID = 223, pass the following fields parameter".
seen.updateResult = await call('crm.contact.update', {
  id,
  fields: { PHONE: [{ ID: 223, VALUE: '444444', VALUE_TYPE: 'MOBILE' }] },
})
seen.updated = await phones(id)

// The delete example's starting point: 223 back at 222222 / WORK, and a fourth phone 44444 (→ 225).
await call('crm.contact.update', {
  id,
  fields: {
    PHONE: [
      { ID: 223, VALUE: '222222', VALUE_TYPE: 'WORK' },
      { VALUE: '44444', VALUE_TYPE: 'WORK' },
    ],
  },
})
seen.fourPhones = await phones(id)

// "Let's consider ways to delete all values except for the phone with ID = 225".
seen.deleteResult = await call('crm.contact.update', {
  id,
  fields: { PHONE: [{ ID: 222, DELETE: 'Y' }, { ID: 223, VALUE: '' }, { ID: 224 }] },
})
seen.remaining = await phones(id)

// "Example of adding a new value 55555".
seen.addResult = await call('crm.contact.update', {
  id,
  fields: { PHONE: [{ VALUE: '55555', VALUE_TYPE: 'WORK' }] },
})
seen.final = await phones(id)

// The same contact found by its new phone, and seen through crm.item.get.
seen.foundByPhone = await call('crm.contact.list', {
  filter: { PHONE: '55555' },
  select: ['ID', 'HAS_PHONE'],
})
seen.fm = (await call('crm.item.get', { entityTypeId: 3, id })).item.fm
seen.id = id

process.stdout.write(`${JSON.stringify(seen)}\n`)
