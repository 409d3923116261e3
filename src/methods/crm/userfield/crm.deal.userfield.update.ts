import { DEAL_USERFIELDS, legacyUserFieldUpdate } from './legacy-userfield-methods.js'

/** crm.deal.userfield.update (api-reference/crm/deals/user-defined-fields/crm-deal-userfield-update.md); the rules: legacy-userfield-methods.ts. */
export default legacyUserFieldUpdate(DEAL_USERFIELDS)
