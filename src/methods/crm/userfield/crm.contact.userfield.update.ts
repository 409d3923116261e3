import { CONTACT_USERFIELDS, legacyUserFieldUpdate } from './legacy-userfield-methods.js'

/** crm.contact.userfield.update (api-reference/crm/contacts/userfield/crm-contact-userfield-update.md); the rules: legacy-userfield-methods.ts. */
export default legacyUserFieldUpdate(CONTACT_USERFIELDS)
