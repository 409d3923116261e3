import { LEAD_USERFIELDS, legacyUserFieldUpdate } from './legacy-userfield-methods.js'

/** crm.lead.userfield.update (api-reference/crm/leads/userfield/crm-lead-userfield-update.md); the rules: legacy-userfield-methods.ts. */
export default legacyUserFieldUpdate(LEAD_USERFIELDS)
