import { COMPANY_USERFIELDS, legacyUserFieldDelete } from './legacy-userfield-methods.js'

/** crm.company.userfield.delete (api-reference/crm/companies/userfields/crm-company-userfield-delete.md); the rules: legacy-userfield-methods.ts. */
export default legacyUserFieldDelete(COMPANY_USERFIELDS)
