import { CONTACT_USERFIELDS, legacyUserFieldList } from './legacy-userfield-methods.js'

/** crm.contact.userfield.list (api-reference/crm/contacts/userfield/crm-contact-userfield-list.md); the rules: legacy-userfield-methods.ts. */
export default legacyUserFieldList(CONTACT_USERFIELDS)
