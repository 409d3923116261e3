import { LEAD_USERFIELDS, legacyUserFieldDelete } from './legacy-userfield-methods.js'

/** crm.lead.userfield.delete (api-reference/crm/leads/userfield/crm-lead-userfield-delete.md); the rules: legacy-userfield-methods.ts. */
export default legacyUserFieldDelete(LEAD_USERFIELDS)
