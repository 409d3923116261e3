import { DEAL_USERFIELDS, legacyUserFieldGet } from './legacy-userfield-methods.js'

/** crm.deal.userfield.get (api-reference/crm/deals/user-defined-fields/crm-deal-userfield-get.md); the rules: legacy-userfield-methods.ts. */
export default legacyUserFieldGet(DEAL_USERFIELDS)
