import type { Generated, Kysely, Transaction } from 'kysely'

/**
 * Table types for Kysely. Both adapters (SQLite, PostgreSQL) share this schema; booleans are stored as
 * integers 0/1 and instants as ISO-8601 UTC text (`2026-01-02T03:04:05.000Z`) so values compare and sort the
 * same way in both dialects.
 */
export interface Database {
  portal: PortalTable
  portal_user: PortalUserTable
  user_department: UserDepartmentTable
  webhook: WebhookTable
  id_counter: IdCounterTable
  outbox: OutboxTable
  crm_item: CrmItemTable
  crm_item_observer: CrmItemObserverTable
  crm_contact_binding: CrmContactBindingTable
  crm_contact_company: CrmContactCompanyTable
  crm_multifield: CrmMultifieldTable
  crm_relation: CrmRelationTable
  crm_status: CrmStatusTable
  crm_category: CrmCategoryTable
  crm_type: CrmTypeTable
  crm_currency: CrmCurrencyTable
  oauth_app: OAuthAppTable
  oauth_install: OAuthInstallTable
  oauth_code: OAuthCodeTable
  oauth_token: OAuthTokenTable
  rate_bucket: RateBucketTable
  operating_bucket: OperatingBucketTable
  crm_userfield: CrmUserFieldTable
  crm_userfield_enum: CrmUserFieldEnumTable
  crm_file: CrmFileTable
  department: DepartmentTable
  crm_role: CrmRoleTable
  crm_role_relation: CrmRoleRelationTable
  crm_role_permission: CrmRolePermissionTable
  crm_admin: CrmAdminTable
  crm_history: CrmHistoryTable
  crm_stage_history: CrmStageHistoryTable
  auth_failure: AuthFailureTable
  server_setting: ServerSettingTable
}

export interface PortalTable {
  id: Generated<number>
  domain: string
  member_id: string
  name: string
  /** minutes east of UTC; every date on the wire is printed in this offset */
  time_zone_offset: number
  /** JSON object of portal switches (require HTTPS, plan restrictions, limits …) */
  settings: string
  created_at: string
  /** moved by triggers on every configuration write (migrations/0011-config-version.ts, store/config-cache.ts) */
  config_version: Generated<number>
}

export interface PortalUserTable {
  portal_id: number
  id: number
  active: number
  is_admin: number
  /** 'employee' | 'extranet' | 'email' (user.get USER_TYPE) */
  user_type: string
  name: string
  last_name: string
  second_name: string
  email: string
  xml_id: string
  personal_gender: string
  personal_birthday: string | null
  personal_www: string
  personal_mobile: string
  personal_phone: string
  personal_city: string
  work_company: string
  work_position: string
  work_phone: string
  uf_phone_inner: string
  uf_employment_date: string | null
  time_zone: string
  is_online: number
  date_register: string
  last_login: string | null
  last_activity_date: string | null
  timestamp_x: string
}

export interface UserDepartmentTable {
  portal_id: number
  user_id: number
  department_id: number
}

export interface WebhookTable {
  id: Generated<number>
  portal_id: number
  user_id: number
  /** sha256 of the secret code, hex; the code itself is never stored */
  code_hash: string
  title: string
  /** comma-separated scope names */
  scopes: string
  expires_at: string | null
  active: number
  created_at: string
}

/** Per-portal id sequences (users, items …): one row per (portal, name), bumped under a row lock. */
export interface IdCounterTable {
  portal_id: number
  name: string
  value: number
}

/**
 * The after-save outbox: written in the same transaction as the change it reports (DESIGN.md "After save is
 * one named step"); event delivery, automation and history consume it.
 */
export interface OutboxTable {
  id: Generated<number>
  portal_id: number
  topic: string
  payload: string
  created_at: string
  processed_at: string | null
}

/**
 * One CRM item of any entity type (migrations/0002-crm.ts). Columns are the union of the descriptors' column
 * fields; a type uses the ones its descriptor names. `uf` holds custom-field values as JSON.
 */
export interface CrmItemTable {
  portal_id: number
  entity_type_id: number
  id: number
  account_number: string | null
  actual_date: string | null
  additional_info: string | null
  address_legal: string | null
  assigned_by_id: number | null
  banking_details: string | null
  begindate: string | null
  birthdate: string | null
  birthday_sort: number | null
  category_id: number | null
  client_addr: string | null
  client_contact: string | null
  client_email: string | null
  client_phone: string | null
  client_title: string | null
  client_tp_id: string | null
  client_tpa_id: string | null
  closed: number | null
  closedate: string | null
  comments: string | null
  comments_type: number | null
  company_id: number | null
  company_title: string | null
  content: string | null
  content_type: number | null
  created_by: number | null
  created_time: string | null
  currency_id: string | null
  date_closed: string | null
  deal_id: number | null
  employees: string | null
  event_date: string | null
  event_description: string | null
  event_id: string | null
  export: number | null
  full_name: string | null
  has_email: number | null
  has_imol: number | null
  has_phone: number | null
  honorific: string | null
  industry: string | null
  is_manual_opportunity: number | null
  is_my_company: number | null
  is_new: number | null
  is_recurring: number | null
  is_repeated_approach: number | null
  is_return_customer: number | null
  last_activity_by: number | null
  last_activity_time: string | null
  last_communication_time: string | null
  last_name: string | null
  lead_id: number | null
  location_id: number | null
  logo: number | null
  moved_by: number | null
  moved_time: string | null
  mycompany_id: number | null
  name: string | null
  opened: number | null
  opportunity: number | null
  order_stage: string | null
  origin_id: string | null
  origin_version: string | null
  originator_id: string | null
  person_type_id: number | null
  photo: number | null
  post: string | null
  previous_stage_id: string | null
  probability: number | null
  quote_id: number | null
  quote_number: string | null
  revenue: number | null
  search_content: string | null
  second_name: string | null
  source_description: string | null
  source_id: string | null
  stage_id: string | null
  stage_semantic_id: string | null
  status_description: string | null
  storage_element_ids: string | null
  storage_type_id: number | null
  tax_value: number | null
  terms: string | null
  terms_type: number | null
  title: string | null
  type_id: string | null
  uf_accountant_sign: number | null
  uf_director_sign: number | null
  uf_logo: number | null
  uf_stamp: number | null
  updated_by: number | null
  updated_time: string | null
  utm_campaign: string | null
  utm_content: string | null
  utm_medium: string | null
  utm_source: string | null
  utm_term: string | null
  webform_id: number | null
  xml_id: string | null
  uf: string
  // Deprecated address fields of the legacy methods (migrations/0005-legacy.ts).
  address: string | null
  address_2: string | null
  address_city: string | null
  address_postal_code: string | null
  address_region: string | null
  address_province: string | null
  address_country: string | null
  address_country_code: string | null
  address_loc_addr_id: number | null
  reg_address_2: string | null
  reg_address_city: string | null
  reg_address_postal_code: string | null
  reg_address_region: string | null
  reg_address_province: string | null
  reg_address_country: string | null
  reg_address_country_code: string | null
  reg_address_loc_addr_id: number | null
}

export interface CrmItemObserverTable {
  portal_id: number
  entity_type_id: number
  item_id: number
  user_id: number
  sort: number
}

export interface CrmContactBindingTable {
  portal_id: number
  entity_type_id: number
  item_id: number
  contact_id: number
  sort: number
  is_primary: number
}

export interface CrmContactCompanyTable {
  portal_id: number
  contact_id: number
  company_id: number
  /** The contact's side: the order of its companies and its primary company (contact `companyIds` / `companyId`). */
  sort: number
  is_primary: number
  /** The company's side: the order of its contacts and its primary contact (migrations/0006-history.ts). */
  company_sort: Generated<number>
  company_is_primary: Generated<number>
}

export interface CrmMultifieldTable {
  portal_id: number
  id: number
  entity_type_id: number
  item_id: number
  /** PHONE | EMAIL | WEB | IM | LINK */
  type_id: string
  value_type: string
  value: string
}

export interface CrmRelationTable {
  portal_id: number
  child_entity_type_id: number
  child_id: number
  parent_entity_type_id: number
  parent_id: number
}

export interface CrmStatusTable {
  portal_id: number
  id: number
  entity_id: string
  status_id: string
  name: string
  name_init: string
  sort: number
  system: number
  color: string | null
  /** P | S | F, or null for plain dictionaries */
  semantics: string | null
  category_id: number | null
  /** JSON of the EXTRA block, or null */
  extra: string | null
}

export interface CrmCategoryTable {
  portal_id: number
  id: number
  entity_type_id: number
  name: string
  sort: number
  is_default: number
  is_system: number
  code: string | null
  origin_id: string | null
  originator_id: string | null
  created_time: string
}

export interface CrmTypeTable {
  portal_id: number
  id: number
  entity_type_id: number
  title: string
  code: string | null
  /** JSON: the is…Enabled flags, relations, linked user fields … as crm.type.add takes them */
  settings: string
  created_by: number
  created_time: string
  updated_by: number
  updated_time: string
}

export interface CrmCurrencyTable {
  portal_id: number
  currency: string
  amount_cnt: number
  /** decimal text, e.g. "1.0000" */
  amount: string
  sort: number
  base: number
  date_update: string
  /** JSON: localizations by language id (FULL_NAME, FORMAT_STRING, DEC_POINT, THOUSANDS_SEP, DECIMALS …) */
  lang: string
}

/** The request-rate leaky bucket of one (portal, source IP) (rate-limit/limiter.ts, migrations/0004-limits.ts). */
export interface RateBucketTable {
  portal_id: number
  source_ip: string
  level: number
  updated_at_ms: number
}

/** Failed authentications from one source address (auth/auth-throttle.ts, migrations/0009-auth-throttle.ts). */
export interface AuthFailureTable {
  /** an IPv4 address or an IPv6 /64 prefix */
  source: string
  /** epoch ms of the first failure of the current window */
  window_start_ms: number
  failures: number
  /** epoch ms until which the source is refused; 0 when it never was */
  blocked_until_ms: number
}

/** A named server-wide value (`admin_token_hash`: http/admin-token.ts). */
export interface ServerSettingTable {
  name: string
  value: string
}

/** One one-minute basket of the operating-time limiter, per (portal, credential, method, minute). */
export interface OperatingBucketTable {
  portal_id: number
  /** Principal.credentialKey (`webhook:12`) */
  credential: string
  method: string
  /** epoch minutes of the basket */
  minute: number
  first_call_ms: number
  seconds: number
}

/** An OAuth application's card (migrations/0003-oauth.ts); local applications belong to one portal. */
export interface OAuthAppTable {
  id: Generated<number>
  portal_id: number
  /** `local.<14 hex>.<8 digits>`, as Bitrix24 issues local-application codes */
  client_id: string
  /** sha256 of the client secret, hex */
  client_secret_hash: string
  title: string
  /** comma-separated scope names */
  scopes: string
  /** where /oauth/authorize/ sends the user back; '' shows the code instead */
  redirect_uri: string
  /** the value event handlers get as `auth[application_token]` */
  application_token: string
  /** comma-separated user ids the application is restricted to; '' = every user of the portal */
  allowed_users: string
  created_at: string
}

export interface OAuthInstallTable {
  portal_id: number
  app_id: number
  installed: number
  /** app status: L (local), F, D, T, P (simple-way.md) */
  status: string
  updated_at: string
}

/** A one-time authorization code (30 s); `grant_id` names the token chain it starts. */
export interface OAuthCodeTable {
  code_hash: string
  app_id: number
  portal_id: number
  user_id: number
  scopes: string
  grant_id: string
  expires_at: string
  used: number
  created_at: string
}

/** One access/refresh pair. A refresh revokes the pair (`rotated`) and issues the next one in the grant. */
export interface OAuthTokenTable {
  id: Generated<number>
  access_token_hash: string
  refresh_token_hash: string
  app_id: number
  portal_id: number
  user_id: number
  scopes: string
  grant_id: string
  access_expires_at: string
  refresh_expires_at: string
  revoked_at: string | null
  /** 'rotated' | 'revoked' */
  revoked_reason: string | null
  created_at: string
}

/**
 * The event history and live feed of CRM items (migrations/0006-history.ts; written by
 * crm/items/operations/after-save.ts). Values are JSON of the domain form.
 */
export interface CrmHistoryTable {
  portal_id: number
  id: number
  entity_type_id: number
  item_id: number
  /** 'history' | 'livefeed' */
  channel: string
  /** history: 'add' | 'update' | 'delete'; livefeed: 'add' | 'progress' | 'responsible' | 'client' */
  event: string
  field: string | null
  old_value: string | null
  new_value: string | null
  user_id: number
  created_at: string
}

/** Stage moves of leads, deals, invoices and smart processes (crm.stagehistory.list). */
export interface CrmStageHistoryTable {
  portal_id: number
  id: number
  entity_type_id: number
  owner_id: number
  /** 1 creation, 2 intermediate stage, 3 final stage, 5 funnel change */
  type_id: number
  category_id: number | null
  stage_semantic_id: string
  stage_id: string
  created_time: string
}

/** A department of the company structure (migrations/0008-permissions.ts); 1 is the root. */
export interface DepartmentTable {
  portal_id: number
  id: number
  name: string
  sort: number
  /** null for the root */
  parent_id: number | null
  /** the department head (department.get UF_HEAD), or null */
  head_user_id: number | null
}

/** A CRM role (crm/permissions/): a named set of rights, assigned through crm_role_relation. */
export interface CrmRoleTable {
  portal_id: number
  id: number
  name: string
  /** "Allow to modify settings": dictionaries, funnels, smart processes, custom fields */
  allow_settings: number
}

/** Who has a role: an access code — U{userId}, D{departmentId}, DR{departmentId} (with subdepartments), AU. */
export interface CrmRoleRelationTable {
  portal_id: number
  role_id: number
  access_code: string
}

/**
 * One right of a role: `perm_type` READ / ADD / WRITE / DELETE / EXPORT / IMPORT at level `attr` ('' none,
 * A own, D department, F department and subdepartments, O all open, X all), or TRANSITION with the stages
 * items may be moved to (`stages`, a JSON array; null = any). `entity_type_id` 0 = every type, `category_id`
 * -1 = every funnel of the type.
 */
export interface CrmRolePermissionTable {
  portal_id: number
  role_id: number
  entity_type_id: number
  category_id: number
  perm_type: string
  attr: string
  stages: string | null
}

/** CRM administrators, by access code: they pass every CRM permission check. */
export interface CrmAdminTable {
  portal_id: number
  access_code: string
}

/** A custom-field definition (migrations/0007-userfields.ts); settings and labels are JSON. */
export interface CrmUserFieldTable {
  portal_id: number
  id: number
  /** CRM_LEAD, CRM_DEAL, CRM_CONTACT, CRM_COMPANY, CRM_QUOTE, CRM_SMART_INVOICE, CRM_{smart process id} */
  entity_id: string
  field_name: string
  user_type_id: string
  xml_id: string | null
  sort: number
  multiple: number
  mandatory: number
  /** N | I | E | S */
  show_filter: string
  show_in_list: number
  edit_in_list: number
  is_searchable: number
  settings: string
  /** JSON: {EDIT_FORM_LABEL: {lang: text}, LIST_COLUMN_LABEL, LIST_FILTER_LABEL, ERROR_MESSAGE, HELP_MESSAGE} */
  labels: string
  created_at: string
}

/** One list value of an `enumeration` custom field. */
export interface CrmUserFieldEnumTable {
  portal_id: number
  id: number
  field_id: number
  value: string
  def: number
  sort: number
  xml_id: string
}

/** An uploaded file; the owner columns name the item and field it belongs to (null until attached). */
export interface CrmFileTable {
  portal_id: number
  id: number
  name: string
  size: number
  content_type: string
  content: Buffer
  entity_type_id: number | null
  item_id: number | null
  field_name: string | null
  created_by: number
  created_at: string
}

/** Anything that runs queries: the database handle or an open transaction. */
export type Db = Kysely<Database> | Transaction<Database>
