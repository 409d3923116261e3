import { COMPANY_USERFIELDS, legacyUserFieldList } from './legacy-userfield-methods.js'

/** crm.company.userfield.list (api-reference/crm/companies/userfields/crm-company-userfield-list.md); the rules: legacy-userfield-methods.ts. */
export default legacyUserFieldList(COMPANY_USERFIELDS)
