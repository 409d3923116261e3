import { CONTACT_USERFIELDS, legacyUserFieldGet } from './legacy-userfield-methods.js'

/** crm.contact.userfield.get (api-reference/crm/contacts/userfield/crm-contact-userfield-get.md); the rules: legacy-userfield-methods.ts. */
export default legacyUserFieldGet(CONTACT_USERFIELDS)
