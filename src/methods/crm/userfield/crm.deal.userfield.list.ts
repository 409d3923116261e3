import { DEAL_USERFIELDS, legacyUserFieldList } from './legacy-userfield-methods.js'

/** crm.deal.userfield.list (api-reference/crm/deals/user-defined-fields/crm-deal-userfield-list.md); the rules: legacy-userfield-methods.ts. */
export default legacyUserFieldList(DEAL_USERFIELDS)
