import { CONTACT_USERFIELDS, legacyUserFieldAdd } from './legacy-userfield-methods.js'

/** crm.contact.userfield.add (api-reference/crm/contacts/userfield/crm-contact-userfield-add.md); the rules: legacy-userfield-methods.ts. */
export default legacyUserFieldAdd(CONTACT_USERFIELDS)
