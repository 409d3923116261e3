import { CONTACT_USERFIELDS, legacyUserFieldDelete } from './legacy-userfield-methods.js'

/** crm.contact.userfield.delete (api-reference/crm/contacts/userfield/crm-contact-userfield-delete.md); the rules: legacy-userfield-methods.ts. */
export default legacyUserFieldDelete(CONTACT_USERFIELDS)
