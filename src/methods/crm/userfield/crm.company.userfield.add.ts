import { COMPANY_USERFIELDS, legacyUserFieldAdd } from './legacy-userfield-methods.js'

/** crm.company.userfield.add (api-reference/crm/companies/userfields/crm-company-userfield-add.md); the rules: legacy-userfield-methods.ts. */
export default legacyUserFieldAdd(COMPANY_USERFIELDS)
