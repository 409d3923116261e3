import { DEAL_USERFIELDS, legacyUserFieldDelete } from './legacy-userfield-methods.js'

/** crm.deal.userfield.delete (api-reference/crm/deals/user-defined-fields/crm-deal-userfield-delete.md); the rules: legacy-userfield-methods.ts. */
export default legacyUserFieldDelete(DEAL_USERFIELDS)
