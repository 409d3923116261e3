import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { baseCurrency } from '../../../crm/dictionaries/dictionary-store.js'

/** crm.currency.base.get (api-reference/crm/currency/crm-currency-base-get.md): any user, e.g. `"USD"`. */
export default defineMethod({
  name: 'crm.currency.base.get',
  scope: 'crm',
  summary: 'The code of the base currency.',
  reference: 'api-reference/crm/currency/crm-currency-base-get.md',
  parity: 'full',
  params: wireRecord,
  handler: (_params, ctx) => baseCurrency(ctx.store.db, ctx.principal.portal.id),
})
