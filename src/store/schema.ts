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

/** Anything that runs queries: the database handle or an open transaction. */
export type Db = Kysely<Database> | Transaction<Database>
