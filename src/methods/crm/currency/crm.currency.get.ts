import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { getCurrency } from '../../../crm/dictionaries/dictionary-store.js'
import { legacyParam, scalarString } from '../dictionary-common.js'
import { currencyError, currencyRecordToWire, requireCurrencyRead } from './currency-wire.js'

/**
 * crm.currency.get (api-reference/crm/currency/crm-currency-get.md): the currency localized in the portal's
 * language plus every localization in LANG. The code matches in any case (`usd`). A missing `id` is the
 * old CRM REST "ID is not defined or invalid."; an unknown one "Not found".
 */
export default defineMethod({
  name: 'crm.currency.get',
  scope: 'crm',
  summary: 'One currency by its ISO code, with its localizations.',
  reference: 'api-reference/crm/currency/crm-currency-get.md',
  parity: 'full',
  params: wireRecord,
  handler: async (params, ctx) => {
    requireCurrencyRead(ctx.principal)
    const id = scalarString(legacyParam(params, 'id')) ?? ''
    if (id.trim() === '') throw currencyError('ID is not defined or invalid.')
    const record = await getCurrency(ctx.store.db, ctx.principal.portal.id, id)
    if (record === undefined) throw currencyError('Not found')
    return currencyRecordToWire(record, ctx.principal.portal.timeZoneOffset, true)
  },
})
