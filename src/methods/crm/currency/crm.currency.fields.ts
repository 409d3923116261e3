import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { currencyFieldDescriptions, requireCurrencyRead } from './currency-wire.js'

/** crm.currency.fields (api-reference/crm/currency/crm-currency-fields.md). */
export default defineMethod({
  name: 'crm.currency.fields',
  scope: 'crm',
  summary: 'Descriptions of the fields of a currency.',
  reference: 'api-reference/crm/currency/crm-currency-fields.md',
  parity: 'full',
  params: wireRecord,
  handler: (_params, ctx) => {
    requireCurrencyRead(ctx.principal)
    return Promise.resolve(currencyFieldDescriptions())
  },
})
