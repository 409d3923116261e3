import { COMPANY_USERFIELDS, legacyUserFieldGet } from './legacy-userfield-methods.js'

/** crm.company.userfield.get (api-reference/crm/companies/userfields/crm-company-userfield-get.md); the rules: legacy-userfield-methods.ts. */
export default legacyUserFieldGet(COMPANY_USERFIELDS)
