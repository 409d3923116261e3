// Runs @bitrix24/b24jssdk against a running b24crm whose portal has a tiny request-rate limit, fires several
// calls at once and prints one JSON line: whether every call succeeded in the end, and which HTTP statuses the
// SDK's own HTTP client met on the way (counted with an axios interceptor, so the 503s it retried are seen).
import { ApiVersion, B24Hook } from '@bitrix24/b24jssdk'

const webhookUrl = process.argv[2]
const parallel = Number(process.argv[3] ?? '6')
const b24 = B24Hook.fromWebhookUrl(webhookUrl)
b24.offClientSideWarning()

const statuses = []
const errors = []
b24.getHttpClient(ApiVersion.v2).ajaxClient.interceptors.response.use(
  (response) => (statuses.push(response.status), response),
  (error) => {
    statuses.push(error.response?.status ?? 0)
    if (error.response?.data?.error !== undefined) errors.push(error.response.data.error)
    return Promise.reject(error)
  },
)

const started = Date.now()
const results = await Promise.all(
  Array.from({ length: parallel }, () =>
    b24.actions.v2.call
      .make({ method: 'user.current', params: {} })
      .then((result) => ({ ok: result.isSuccess, id: result.getData()?.result?.ID }))
      .catch((error) => ({ ok: false, code: error.code ?? String(error) })),
  ),
)

process.stdout.write(`${JSON.stringify({ results, statuses, errors, elapsedMs: Date.now() - started })}\n`)
