import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'

/**
 * crm.userfield.fields (api-reference/crm/universal/user-defined-fields/crm-userfield-fields.md): the
 * characteristics of a custom field, as the page's answer lists them.
 */
export const USER_FIELD_FIELDS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  ID: { type: 'int', title: 'ID', isReadOnly: true },
  ENTITY_ID: { type: 'string', title: 'Object', isImmutable: true },
  FIELD_NAME: { type: 'string', title: 'Code', isImmutable: true },
  USER_TYPE_ID: { type: 'string', title: 'Data Type', isImmutable: true },
  XML_ID: { type: 'string', title: 'External ID (XML ID)' },
  SORT: { type: 'int', title: 'Sorting' },
  MULTIPLE: { type: 'char', title: 'Multiple' },
  MANDATORY: { type: 'char', title: 'Mandatory' },
  SHOW_FILTER: { type: 'char', title: 'Show in list filter' },
  SHOW_IN_LIST: { type: 'char', title: 'Show in list' },
  EDIT_IN_LIST: { type: 'char', title: 'Allow user editing' },
  IS_SEARCHABLE: { type: 'char', title: 'Field values are searchable' },
  EDIT_FORM_LABEL: { type: 'string', title: 'Label in edit form' },
  LIST_COLUMN_LABEL: { type: 'string', title: 'Header in list' },
  LIST_FILTER_LABEL: { type: 'string', title: 'Filter label in list' },
  ERROR_MESSAGE: { type: 'string', title: 'Error message' },
  HELP_MESSAGE: { type: 'string', title: 'Help' },
  LIST: { type: 'uf_enum_element', title: 'List elements', isMultiple: true },
  SETTINGS: { type: 'object', title: 'Additional settings (dependent on type)' },
}

export default defineMethod({
  name: 'crm.userfield.fields',
  scope: 'crm',
  summary:
    'The characteristics of a custom field: ENTITY_ID, FIELD_NAME, USER_TYPE_ID, flags, labels, LIST, SETTINGS.',
  reference: 'api-reference/crm/universal/user-defined-fields/crm-userfield-fields.md',
  parity: 'full',
  params: wireRecord,
  handler: () => Promise.resolve(USER_FIELD_FIELDS),
})
