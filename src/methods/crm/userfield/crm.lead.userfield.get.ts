import { LEAD_USERFIELDS, legacyUserFieldGet } from './legacy-userfield-methods.js'

/** crm.lead.userfield.get (api-reference/crm/leads/userfield/crm-lead-userfield-get.md); the rules: legacy-userfield-methods.ts. */
export default legacyUserFieldGet(LEAD_USERFIELDS)
