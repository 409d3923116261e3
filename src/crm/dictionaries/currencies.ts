/**
 * Currencies (`crm.currency.*`) of a new English-locale portal, their localizations, and the wire shape.
 * Citations are paths under spec/b24restdocs/.
 *
 * Base currency USD: every currency page of the docs shows USD as the base (crm-currency-get.md:293-299,
 * `BASE: "Y"`, `AMOUNT: "1.0000"`; crm-currency-base-get.md returns `"USD"`), and USD is the base an
 * English-locale portal is created with. The set itself (USD and EUR) is inferred: the docs' list example
 * (crm-currency-list.md:364-421) comes from a portal whose base was translated to USD from another currency
 * (it lists USD twice), so it does not show a fresh English set.
 */

/** How the thousands separator is chosen (api-reference/crm/data-types.md, crm_currency_localization). */
export type ThousandsVariant = 'N' | 'C' | 'D' | 'S' | 'B'

export interface CurrencyLocalization {
  fullName: string
  formatString: string
  decPoint: string
  /** the custom separator; the docs show null when a variant such as `C` decides it */
  thousandsSep: string | null
  thousandsVariant: ThousandsVariant
  decimals: number
  hideZero: boolean
}

export interface CurrencySeed {
  /** ISO 4217 code, the currency's only identifier (api-reference/crm/currency/index.md) */
  currency: string
  /** nominal the rate is given for; 1 for the base currency */
  amountCnt: number
  /** rate to the base currency for `amountCnt` units; 1 for the base currency */
  amount: number
  sort: number
  base: boolean
  /** localizations by language id */
  lang: Readonly<Record<string, CurrencyLocalization>>
}

/** The interface language of a new portal; crm.currency.list shows this localization and names it in LID. */
export const FRESH_PORTAL_LANGUAGE = 'en'

export const FRESH_PORTAL_BASE_CURRENCY = 'USD'

/** The separator each variant stands for (data-types.md, THOUSANDS_VARIANT); `N` means none. */
export const THOUSANDS_SEPARATOR_BY_VARIANT: Readonly<Record<ThousandsVariant, string>> = {
  N: '',
  C: ',',
  D: '.',
  S: ' ',
  B: '&nbsp;',
}

/**
 * Localization defaults for a language the currency has no localization for (data-types.md,
 * crm_currency_localization): DECIMALS 2, DEC_POINT ".", FORMAT_STRING "#", FULL_NAME = the code, HIDE_ZERO N,
 * THOUSANDS_SEP " ", THOUSANDS_VARIANT S.
 */
export function defaultLocalization(currency: string): CurrencyLocalization {
  return {
    fullName: currency,
    formatString: '#',
    decPoint: '.',
    thousandsSep: ' ',
    thousandsVariant: 'S',
    decimals: 2,
    hideZero: false,
  }
}

export const FRESH_PORTAL_CURRENCIES: readonly CurrencySeed[] = [
  {
    // crm-currency-get.md:293-314: CURRENCY USD, AMOUNT_CNT 1, AMOUNT 1.0000, SORT 100, BASE Y and the `en`
    // localization ($#, ".", THOUSANDS_SEP null, DECIMALS 2, THOUSANDS_VARIANT C, HIDE_ZERO Y).
    currency: 'USD',
    amountCnt: 1,
    amount: 1,
    sort: 100,
    base: true,
    lang: {
      en: {
        fullName: 'United States Dollar',
        formatString: '$#',
        decPoint: '.',
        thousandsSep: null,
        thousandsVariant: 'C',
        decimals: 2,
        hideZero: true,
      },
    },
  },
  {
    // FULL_NAME "Euro" from crm-currency-list.md:395-408. The rate is the docs' EUR/USD ratio from the same
    // example (78.32 / 68.79 ≈ 1.1385); SORT 200 and the `en` localization mirror USD's (inferred).
    currency: 'EUR',
    amountCnt: 1,
    amount: 1.1385,
    sort: 200,
    base: false,
    lang: {
      en: {
        fullName: 'Euro',
        formatString: '€#',
        decPoint: '.',
        thousandsSep: null,
        thousandsVariant: 'C',
        decimals: 2,
        hideZero: true,
      },
    },
  },
]

/** AMOUNT is printed with 4 decimals ("1.0000", data-types.md: "Precision — 4 decimal places"). */
export function formatCurrencyAmount(amount: number): string {
  return amount.toFixed(4)
}

export interface CurrencyLocalizationWire {
  FORMAT_STRING: string
  FULL_NAME: string
  DEC_POINT: string
  THOUSANDS_SEP: string | null
  DECIMALS: string
  THOUSANDS_VARIANT: ThousandsVariant
  HIDE_ZERO: 'Y' | 'N'
}

/** One entry of LANG / of crm.currency.localizations.get (crm-currency-get.md:305-324), key order included. */
export function localizationToWire(l: CurrencyLocalization): CurrencyLocalizationWire {
  return {
    FORMAT_STRING: l.formatString,
    FULL_NAME: l.fullName,
    DEC_POINT: l.decPoint,
    THOUSANDS_SEP: l.thousandsSep,
    DECIMALS: String(l.decimals),
    THOUSANDS_VARIANT: l.thousandsVariant,
    HIDE_ZERO: l.hideZero ? 'Y' : 'N',
  }
}

export interface CurrencyWire {
  CURRENCY: string
  AMOUNT_CNT: string
  AMOUNT: string
  SORT: string
  BASE: 'Y' | 'N'
  FULL_NAME: string
  LID: string
  FORMAT_STRING: string
  DEC_POINT: string
  THOUSANDS_SEP: string | null
  DECIMALS: string
  DATE_UPDATE: string
  LANG?: Record<string, CurrencyLocalizationWire>
}

/**
 * A currency as crm.currency.list (without LANG) and crm.currency.get (with LANG) return it: every scalar a string,
 * the localization of `lid` flattened in (crm-currency-list.md:367-380, crm-currency-get.md:291-325).
 * `dateUpdate` is already formatted in the portal's offset.
 */
export function currencyToWire(
  c: CurrencySeed,
  options: { lid: string; dateUpdate: string; withLang: boolean },
): CurrencyWire {
  const local = c.lang[options.lid] ?? defaultLocalization(c.currency)
  const wire: CurrencyWire = {
    CURRENCY: c.currency,
    AMOUNT_CNT: String(c.amountCnt),
    AMOUNT: formatCurrencyAmount(c.amount),
    SORT: String(c.sort),
    BASE: c.base ? 'Y' : 'N',
    FULL_NAME: local.fullName,
    LID: options.lid,
    FORMAT_STRING: local.formatString,
    DEC_POINT: local.decPoint,
    THOUSANDS_SEP: local.thousandsSep,
    DECIMALS: String(local.decimals),
    DATE_UPDATE: options.dateUpdate,
  }
  if (options.withLang) {
    wire.LANG = Object.fromEntries(Object.entries(c.lang).map(([lid, l]) => [lid, localizationToWire(l)]))
  }
  return wire
}
