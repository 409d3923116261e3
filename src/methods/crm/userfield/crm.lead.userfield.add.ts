import { LEAD_USERFIELDS, legacyUserFieldAdd } from './legacy-userfield-methods.js'

/** crm.lead.userfield.add (api-reference/crm/leads/userfield/crm-lead-userfield-add.md); the rules: legacy-userfield-methods.ts. */
export default legacyUserFieldAdd(LEAD_USERFIELDS)
