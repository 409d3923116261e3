// Runs the seed page's JS sample (shared/spec/seeds/001_*.txt, "JS (TS)" tab of "Update a deal with
// id = 351") against a running b24crm over HTTPS with @bitrix24/b24jssdk, and prints what it saw as one JSON
// line. The sample's `$b24` is "an already-initialized SDK instance": here a B24Hook on the server's webhook.
// The parent test (jssdk-seed.test.ts) prepares the portal and sets NODE_EXTRA_CA_CERTS.
import { B24Hook, Text } from '@bitrix24/b24jssdk'

const $b24 = B24Hook.fromWebhookUrl(process.argv[2])
$b24.offClientSideWarning()

const seen = { logs: [], errors: [] }
const console = {
  info: (message) => seen.logs.push(String(message)),
  error: (message) => seen.errors.push(String(message?.message ?? message)),
}

// ---- the sample, verbatim but for the TypeScript annotations ----
try {
  const response = await $b24.actions.v2.call.make({
    method: 'crm.item.update',
    params: {
      entityTypeId: 2,
      id: 351,
      fields: {
        title: 'REST Deal #1',
        stageId: 'C9:UC_NYL06U',
        assignedById: 6,
        observers: [1, 2, 3],
        opened: 'N',
        typeId: 'SERVICE',
        opportunity: 10000,
        currencyId: 'USD',
        additionalInfo: 'Update a deal via REST',
        isManualOpportunity: 'N',
        utmSource: 'google',
        ufCrm_1721244707107: 200.05,
        parentId1220: 2,
      },
    },
    requestId: Text.getUuidRfc4122(),
  })

  // The payload is available only on a successful response
  if (!response.isSuccess) {
    console.error(response.getErrorMessages().join('; '))
  } else {
    const result = response.getData().result
    console.info(`Updated item #${result.item.id} (${result.item.title})`)
    seen.item = result.item
  }
} catch (error) {
  // Thrown on transport or SDK failures (AjaxError, SdkError, etc.)
  console.error(error)
}
// ---- end of the sample ----

// A scalar for a multiple field (error 100): how the SDK surfaces the server's error.
const failed = await $b24.actions.v2.call
  .make({ method: 'crm.item.update', params: { entityTypeId: 2, id: 351, fields: { observers: 5 } } })
  .then(
    (response) => ({ thrown: false, ok: response.isSuccess, messages: response.getErrorMessages() }),
    (error) => ({ thrown: true, code: error.code ?? error.answerError?.error, message: error.message }),
  )
seen.multipleError = failed

process.stdout.write(`${JSON.stringify(seen)}\n`)
