import { defineMethod, ListPage } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { listCurrencies } from '../../../crm/dictionaries/dictionary-store.js'
import type { CurrencyWire } from '../../../crm/dictionaries/currencies.js'
import { asPhpArray, legacyParam } from '../dictionary-common.js'
import { currencyRecordToWire, requireCurrencyRead } from './currency-wire.js'

/** Fields `order` may name, compared as numbers where the wire carries numbers as strings. */
const NUMERIC = new Set(['AMOUNT_CNT', 'AMOUNT', 'SORT', 'DECIMALS'])

/**
 * crm.currency.list (api-reference/crm/currency/crm-currency-list.md): every currency, localized in the
 * portal's language, without LANG. `order` is `{field: asc|desc}` over the fields of crm_currency (any case;
 * unknown fields are ignored, any direction but DESC sorts ascending); by default SORT, then CURRENCY.
 * `total` "Currently always has a value of 0".
 */
export default defineMethod({
  name: 'crm.currency.list',
  scope: 'crm',
  summary: 'Every currency of the portal, localized in the portal language.',
  reference: 'api-reference/crm/currency/crm-currency-list.md',
  parity: 'full',
  params: wireRecord,
  handler: async (params, ctx) => {
    requireCurrencyRead(ctx.principal)
    const offset = ctx.principal.portal.timeZoneOffset
    const rows = (await listCurrencies(ctx.store.db, ctx.principal.portal.id)).map((c) =>
      currencyRecordToWire(c, offset, false),
    )
    const order = Object.entries(asPhpArray(legacyParam(params, 'order')) ?? {})
      .map(([field, dir]) => ({
        field: field.toUpperCase() as keyof CurrencyWire,
        desc: typeof dir === 'string' && dir.trim().toUpperCase() === 'DESC',
      }))
      .filter((o) => rows.length === 0 || o.field in rows[0]!)
    if (order.length > 0) {
      rows.sort((a, b) => {
        for (const { field, desc } of order) {
          const cmp = compare(a[field], b[field], NUMERIC.has(field))
          if (cmp !== 0) return desc ? -cmp : cmp
        }
        return 0
      })
    }
    return new ListPage(rows, 0, undefined)
  },
})

function compare(a: unknown, b: unknown, numeric: boolean): number {
  if (a === b) return 0
  if (a === null || a === undefined) return -1
  if (b === null || b === undefined) return 1
  if (numeric) return Number(a) - Number(b)
  const x = String(a)
  const y = String(b)
  return x < y ? -1 : x > y ? 1 : 0
}
