/**
 * A CRM item in domain form: the shape the item store loads and saves, the write pipeline transforms and
 * item-output.ts serialises. Values are keyed by the universal (camelCase) field names of the type's
 * descriptor (src/crm/entity-types/).
 */

/** A CRM item in domain form: values by universal field name. */
export interface Item {
  entityTypeId: number
  id: number
  /**
   * System field values by universal (camelCase) name. Domain value forms:
   * - ids / integers / users → number | null;
   * - double → number | null;
   * - string / text / crm_status / crm_currency → string | null;
   * - boolean → boolean | null;
   * - date → 'YYYY-MM-DD' | null;
   * - datetime → stored UTC 'YYYY-MM-DDTHH:MM:SSZ' | null;
   * - relation fields: observers / contactIds / companyIds → number[]; fm → Multifield[];
   * - jsonColumn fields (quote storageElementIds) → number[].
   */
  values: Record<string, unknown>
  /** Custom-field values by UPPER name (UF_CRM_…), JSON values; empty until custom fields land. */
  uf: Record<string, unknown>
  /** parentId{N}: parent entityTypeId → parent item id. */
  parents: Record<number, number>
}

/** One phone / e-mail / web / messenger value (`fm`; crm-item-get.md "fm"). */
export interface Multifield {
  id: number
  /** PHONE, EMAIL, WEB, IM, LINK. */
  typeId: string
  /** WORK, MOBILE, HOME, … */
  valueType: string
  value: string
}
