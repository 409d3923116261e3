// Runs @bitrix24/b24jssdk against a running b24crm over HTTPS, exactly as an integration would, and prints
// what it saw as one JSON line. The parent test (jssdk.test.ts) starts the server and sets
// NODE_EXTRA_CA_CERTS to the server's local CA — the SDK refuses http:// webhook URLs.
import { B24Hook } from '@bitrix24/b24jssdk'

const webhookUrl = process.argv[2]
const b24 = B24Hook.fromWebhookUrl(webhookUrl)
b24.offClientSideWarning()

const seen = {}

const time = await b24.actions.v2.call.make({ method: 'server.time', params: {} })
seen.serverTime = { ok: time.isSuccess, result: time.getData()?.result }

const me = await b24.actions.v2.call.make({ method: 'user.current', params: {} })
seen.userCurrent = { ok: me.isSuccess, id: me.getData()?.result?.ID, name: me.getData()?.result?.NAME }

const batch = await b24.actions.v2.batch.make({
  calls: {
    me: ['user.current', {}],
    same: ['user.get', { ID: '$result[me][ID]' }],
    page: ['user.get', { filter: { '>ID': 100 }, order: { ID: 'ASC' } }],
    first: ['user.get', { ID: '$result[page][0][ID]' }],
  },
  options: { isHaltOnError: true, returnAjaxResult: true },
})
const commands = batch.getData() ?? {}
seen.batch = {
  ok: batch.isSuccess,
  same: commands.same?.getData()?.result?.map((u) => u.ID),
  pageIds: commands.page?.getData()?.result?.map((u) => u.ID),
  first: commands.first?.getData()?.result?.map((u) => u.ID),
}

const all = await b24.actions.v2.callList.make({ method: 'user.get', params: {}, idKey: 'ID' })
seen.callList = { ok: all.isSuccess, ids: (all.getData() ?? []).map((u) => Number(u.ID)) }

const pages = []
for await (const page of b24.actions.v2.fetchList.make({
  method: 'user.get',
  params: { filter: { ACTIVE: true } },
  idKey: 'ID',
})) {
  pages.push(page.length)
}
seen.fetchList = { pages }

const missing = await b24.actions.v2.call
  .make({ method: 'crm.no.such.method', params: {} })
  .catch((error) => ({
    thrown: true,
    code: error.code ?? error.answerError?.error,
    status: error.status,
  }))
seen.unknownMethod = missing.thrown ? missing : { thrown: false, ok: missing.isSuccess }

process.stdout.write(`${JSON.stringify(seen)}\n`)
