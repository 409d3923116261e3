import { LEAD_USERFIELDS, legacyUserFieldList } from './legacy-userfield-methods.js'

/** crm.lead.userfield.list (api-reference/crm/leads/userfield/crm-lead-userfield-list.md); the rules: legacy-userfield-methods.ts. */
export default legacyUserFieldList(LEAD_USERFIELDS)
