import { COMPANY_USERFIELDS, legacyUserFieldUpdate } from './legacy-userfield-methods.js'

/** crm.company.userfield.update (api-reference/crm/companies/userfields/crm-company-userfield-update.md); the rules: legacy-userfield-methods.ts. */
export default legacyUserFieldUpdate(COMPANY_USERFIELDS)
