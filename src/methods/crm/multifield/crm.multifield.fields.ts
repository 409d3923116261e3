import { defineMethod } from '../../define-method.js'
import { wireRecord } from '../../../protocol/params/scalars.js'

/** One characteristic set of the page's answer, every key spelled out as the page prints it. */
function describe(type: string, title: string, isReadOnly: boolean): Readonly<Record<string, unknown>> {
  return {
    type,
    isRequired: false,
    isReadOnly,
    isImmutable: false,
    isMultiple: false,
    isDynamic: false,
    title,
  }
}

/**
 * The fields of one multifield value (`PHONE`, `EMAIL`, `WEB`, `IM`, `LINK` of leads, contacts and companies;
 * `fm` of crm.item.*), exactly as the "Response Handling" sample of crm-multifield-fields.md lists them: ID and
 * TYPE_ID read-only, VALUE and VALUE_TYPE writable — the kind of a value is fixed by the field it is written to
 * (crm-contact-update.md "Working with Multiple Fields").
 */
export const MULTIFIELD_FIELDS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  ID: describe('int', 'ID', true),
  TYPE_ID: describe('string', 'Field Type', true),
  VALUE: describe('string', 'Value', false),
  VALUE_TYPE: describe('string', 'Value Type', false),
}

/**
 * crm.multifield.fields (api-reference/crm/auxiliary/multifield/crm-multifield-fields.md): "No parameters";
 * "Who can execute the method: any user" — so no CRM permission is checked, only the `crm` scope.
 */
export default defineMethod({
  name: 'crm.multifield.fields',
  scope: 'crm',
  summary:
    'Describes the fields of a multifield value (phone, e-mail, website, messenger): ID, TYPE_ID, VALUE, VALUE_TYPE.',
  reference: 'api-reference/crm/auxiliary/multifield/crm-multifield-fields.md',
  parity: 'full',
  params: wireRecord,
  handler: () => Promise.resolve(MULTIFIELD_FIELDS),
})
