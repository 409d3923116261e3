import { DEAL_USERFIELDS, legacyUserFieldAdd } from './legacy-userfield-methods.js'

/** crm.deal.userfield.add (api-reference/crm/deals/user-defined-fields/crm-deal-userfield-add.md); the rules: legacy-userfield-methods.ts. */
export default legacyUserFieldAdd(DEAL_USERFIELDS)
