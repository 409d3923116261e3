import { z } from 'zod'
import type { Store } from '../store/store.js'
import type { Db } from '../store/schema.js'
import { KNOWN_SCOPES } from '../auth/scopes.js'
import {
  createPortal,
  findPortalByDomain,
  getPortal,
  listPortals,
  updatePortalSettings,
  type Portal,
  type PortalSettings,
} from '../portal/portal.js'
import { createUser, getUser, listUsers, type User } from '../portal/users.js'
import {
  createWebhook,
  deleteWebhook,
  findWebhookByCode,
  listWebhooks,
  type Webhook,
} from '../portal/webhooks.js'
import {
  ACCESS_TOKEN_TTL_S,
  createOAuthApp,
  deleteOAuthApp,
  findOAuthAppByClientId,
  getOAuthApp,
  listOAuthApps,
  mintTokenPair,
  setOAuthAppInstalled,
  tokenResponseBody,
  type OAuthApp,
} from '../auth/oauth.js'
import { portalLimitsInput } from '../rate-limit/policy.js'
import {
  ROOT_DEPARTMENT_ID,
  createDepartment,
  deleteDepartment,
  departmentMemberCount,
  getDepartment,
  listDepartments,
  setUserDepartments,
  updateDepartment,
  withSubdepartments,
  type Department,
} from '../portal/departments.js'
import {
  createRole,
  deleteRole,
  dropAccessCodes,
  getRole,
  listCrmAdmins,
  listRoles,
  setCrmAdmins,
  sortCodes,
  updateRole,
  type Role,
  type RolePermission,
} from '../crm/permissions/role-store.js'
import {
  ACCESS_CODE,
  ACTIONS,
  parseLevel,
  type Level,
  type PermissionAction,
} from '../crm/permissions/levels.js'
import { resolveEntityType } from '../crm/entity-type-resolver.js'

/**
 * The administrative operations behind both the admin HTTP API (http/admin-api.ts) and the CLI (cli/):
 * one input schema, one set of rules and one output shape per operation, so `POST /_admin/portals` and
 * `b24crm portal create` cannot drift apart. Inputs arrive as `unknown` and are validated here.
 */

export type AdminErrorCode =
  | 'INVALID_INPUT'
  | 'PORTAL_NOT_FOUND'
  | 'USER_NOT_FOUND'
  | 'WEBHOOK_NOT_FOUND'
  | 'PORTAL_EXISTS'
  | 'WEBHOOK_CODE_TAKEN'
  | 'APP_NOT_FOUND'
  | 'APP_NOT_INSTALLED'
  | 'USER_INACTIVE'
  | 'DEPARTMENT_NOT_FOUND'
  | 'DEPARTMENT_IN_USE'
  | 'ROLE_NOT_FOUND'

const STATUS: Record<AdminErrorCode, number> = {
  INVALID_INPUT: 400,
  PORTAL_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  WEBHOOK_NOT_FOUND: 404,
  PORTAL_EXISTS: 409,
  WEBHOOK_CODE_TAKEN: 409,
  APP_NOT_FOUND: 404,
  APP_NOT_INSTALLED: 409,
  USER_INACTIVE: 409,
  DEPARTMENT_NOT_FOUND: 404,
  DEPARTMENT_IN_USE: 409,
  ROLE_NOT_FOUND: 404,
}

/** One problem with an input field; `path` is the field's dotted name (`scopes.0`), empty for the whole input. */
export interface InputIssue {
  path: string
  message: string
}

export class AdminError extends Error {
  readonly status: number

  constructor(
    readonly code: AdminErrorCode,
    message: string,
    readonly issues: readonly InputIssue[] = [],
  ) {
    super(message)
    this.name = 'AdminError'
    this.status = STATUS[code]
  }
}

// ---------------------------------------------------------------------------------------------------------
// Input schemas

/** Webhook codes go into URLs (`/rest/1/<code>/`); the same alphabet B24_BOOTSTRAP_WEBHOOK accepts. */
const WEBHOOK_CODE = /^[A-Za-z0-9_-]{1,128}$/
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/

const text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`)

const settingsInput = z.strictObject({
  requireHttps: z.boolean({ error: 'must be true or false' }).optional(),
  restrictDynamicItems: z.boolean({ error: 'must be true or false' }).optional(),
  limits: portalLimitsInput.optional(),
})

const portalInput = z.strictObject({
  domain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(HOST_NAME, 'must be a host name such as acme.b24crm.local')
    .optional(),
  name: text(255).min(1, 'must not be empty').optional(),
  // Minutes east of UTC, from UTC−12:00 to UTC+14:00: every zone a portal can be set to.
  timeZoneOffset: z
    .int({ error: 'must be a whole number of minutes east of UTC' })
    .min(-720, 'must be between -720 and 840 minutes')
    .max(840, 'must be between -720 and 840 minutes')
    .optional(),
  settings: settingsInput.optional(),
  admin: z
    .strictObject({
      name: text(255).optional(),
      lastName: text(255).optional(),
      email: z.email('must be an e-mail address').optional(),
    })
    .optional(),
})

const userInput = z
  .strictObject({
    name: text(255).optional(),
    lastName: text(255).optional(),
    secondName: text(255).optional(),
    email: z.email('must be an e-mail address').optional(),
    isAdmin: z.boolean({ error: 'must be true or false' }).optional(),
    active: z.boolean({ error: 'must be true or false' }).optional(),
    userType: z.enum(['employee', 'extranet'], { error: 'must be "employee" or "extranet"' }).optional(),
    departments: z
      .array(z.int({ error: 'must be a department id' }).positive('must be a department id'))
      .max(100, 'at most 100 departments')
      .optional(),
    workPosition: text(255).optional(),
    workPhone: text(255).optional(),
    personalMobile: text(255).optional(),
    personalCity: text(255).optional(),
    personalGender: z.enum(['', 'M', 'F'], { error: 'must be "M", "F" or ""' }).optional(),
    xmlId: text(255).optional(),
  })
  .superRefine((user, ctx) => {
    // Extranet users sit outside the company structure and cannot administer the portal (user.get USER_TYPE).
    if (user.userType !== 'extranet') return
    if (user.departments !== undefined && user.departments.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['departments'],
        message: 'extranet users belong to no department',
      })
    }
    if (user.isAdmin === true) {
      ctx.addIssue({
        code: 'custom',
        path: ['isAdmin'],
        message: 'an extranet user cannot be an administrator',
      })
    }
  })

const webhookInput = z.strictObject({
  userId: z.int({ error: 'must be the id of a user of the portal' }).positive('must be a user id'),
  scopes: z
    .array(
      z.enum(KNOWN_SCOPES, {
        error: (issue) =>
          `unknown scope ${JSON.stringify(issue.input)}; known scopes: ${KNOWN_SCOPES.join(', ')}`,
      }),
    )
    .optional(),
  title: text(255).optional(),
  expiresAt: z.iso
    .datetime({ offset: true, error: 'must be an ISO 8601 date-time such as 2026-12-31T23:59:59Z' })
    .optional(),
  code: z
    .string()
    .regex(
      WEBHOOK_CODE,
      'may contain only letters, digits, "_" and "-" (1 to 128 of them); it goes into URLs',
    )
    .optional(),
})

export type PortalInput = z.input<typeof portalInput>
export type UserInput = z.input<typeof userInput>
export type WebhookInput = z.input<typeof webhookInput>
export type SettingsInput = z.input<typeof settingsInput>

function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input ?? {})
  if (parsed.success) return parsed.data
  const issues = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }))
  const message = issues.map((issue) =>
    issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`,
  )
  throw new AdminError('INVALID_INPUT', message.join('; '), issues)
}

// ---------------------------------------------------------------------------------------------------------
// Output shapes (the admin API's JSON and the CLI's --json)

export interface PortalView {
  id: number
  domain: string
  memberId: string
  name: string
  timeZoneOffset: number
  settings: PortalSettings
  /** createPortal makes the administrator first, so it is user 1 of every portal, as on a fresh Bitrix24 */
  adminUserId: number
}

export interface UserView {
  id: number
  portalId: number
  active: boolean
  isAdmin: boolean
  userType: string
  name: string
  lastName: string
  secondName: string
  email: string
  departments: number[]
  workPosition: string
  xmlId: string
}

export interface WebhookView {
  id: number
  portalId: number
  userId: number
  title: string
  scopes: string[]
  /** ISO 8601 UTC, or null for a webhook that never expires */
  expiresAt: string | null
  expired: boolean
  active: boolean
}

/** A webhook just made: the only answer that ever carries its code (only the hash is stored). */
export interface CreatedWebhook extends WebhookView {
  code: string
  /** `/rest/<userId>/<code>/`, to be prefixed with the server's base URL */
  path: string
}

const ADMIN_USER_ID = 1

function portalView(portal: Portal): PortalView {
  // configVersion is the configuration cache's (store/config-cache.ts), not part of the portal's description.
  const { configVersion: _configVersion, ...shown } = portal
  return { ...shown, settings: { ...portal.settings }, adminUserId: ADMIN_USER_ID }
}

function userView(user: User): UserView {
  return {
    id: user.id,
    portalId: user.portalId,
    active: user.active,
    isAdmin: user.isAdmin,
    userType: user.userType,
    name: user.name,
    lastName: user.lastName,
    secondName: user.secondName,
    email: user.email,
    departments: user.departments,
    workPosition: user.row.work_position,
    xmlId: user.row.xml_id,
  }
}

function webhookView(webhook: Webhook, nowMs: number): WebhookView {
  return {
    id: webhook.id,
    portalId: webhook.portalId,
    userId: webhook.userId,
    title: webhook.title,
    scopes: webhook.scopes,
    expiresAt: webhook.expiresAtMs === undefined ? null : new Date(webhook.expiresAtMs).toISOString(),
    expired: webhook.expiresAtMs !== undefined && webhook.expiresAtMs <= nowMs,
    active: webhook.active,
  }
}

export function webhookPath(userId: number, code: string): string {
  return `/rest/${userId}/${code}/`
}

// ---------------------------------------------------------------------------------------------------------
// Operations

export async function portalList(store: Store): Promise<PortalView[]> {
  return (await listPortals(store.db)).map(portalView)
}

export async function portalShow(store: Store, portalId: number): Promise<PortalView> {
  return portalView(await requirePortal(store.db, portalId))
}

export async function portalCreate(store: Store, input: unknown, nowMs: number): Promise<PortalView> {
  const data = parseInput(portalInput, input)
  const conflict = async (): Promise<AdminError | undefined> =>
    data.domain !== undefined && (await findPortalByDomain(store.db, data.domain)) !== undefined
      ? new AdminError('PORTAL_EXISTS', `A portal with domain ${data.domain} already exists`)
      : undefined
  const known = await conflict()
  if (known !== undefined) throw known
  try {
    return portalView(await createPortal(store, data, nowMs))
  } catch (error) {
    // Another writer took the domain between the check and the insert: report it like the check would.
    throw (await conflict()) ?? error
  }
}

/** Merges the given switches into the portal's settings; absent keys keep their value. */
export async function portalUpdateSettings(
  store: Store,
  portalId: number,
  input: unknown,
): Promise<PortalView> {
  const data = parseInput(settingsInput, input)
  return store.transaction(async (tx) => {
    const portal = await requirePortal(tx, portalId)
    const settings: PortalSettings = { ...portal.settings }
    for (const [key, value] of Object.entries(data)) {
      if (value === undefined) continue
      // Nested switches merge one level deep too: setting limits.queryLimit keeps limits.operatingLimit.
      const current: unknown = settings[key as keyof PortalSettings]
      const merged = isPlainObject(value) && isPlainObject(current) ? { ...current, ...value } : value
      Object.assign(settings, { [key]: merged })
    }
    await updatePortalSettings(tx, portalId, settings)
    return portalView({ ...portal, settings })
  })
}

export async function userList(store: Store, portalId: number): Promise<UserView[]> {
  await requirePortal(store.db, portalId)
  return (await listUsers(store.db, portalId)).map(userView)
}

export async function userCreate(
  store: Store,
  portalId: number,
  input: unknown,
  nowMs: number,
): Promise<UserView> {
  const data = parseInput(userInput, input)
  return store.transaction(async (tx) => {
    await requirePortal(tx, portalId)
    return userView(await createUser(store, tx, portalId, data, nowMs))
  })
}

export async function webhookList(store: Store, portalId: number, nowMs: number): Promise<WebhookView[]> {
  await requirePortal(store.db, portalId)
  return (await listWebhooks(store.db, portalId)).map((webhook) => webhookView(webhook, nowMs))
}

export async function webhookCreate(
  store: Store,
  portalId: number,
  input: unknown,
  nowMs: number,
): Promise<CreatedWebhook> {
  const data = parseInput(webhookInput, input)
  const codeTaken = async (db: Db): Promise<AdminError | undefined> =>
    data.code !== undefined && (await findWebhookByCode(db, data.code)) !== undefined
      ? new AdminError(
          'WEBHOOK_CODE_TAKEN',
          'Another webhook already uses this code; pick another or omit it',
        )
      : undefined
  const created = await (async () => {
    try {
      return await store.transaction(async (tx) => {
        await requirePortal(tx, portalId)
        if ((await getUser(tx, portalId, data.userId)) === undefined) {
          throw new AdminError('USER_NOT_FOUND', `Portal ${portalId} has no user ${data.userId}`)
        }
        const taken = await codeTaken(tx)
        if (taken !== undefined) throw taken
        return createWebhook(
          tx,
          {
            portalId,
            userId: data.userId,
            ...(data.code === undefined ? {} : { code: data.code }),
            ...(data.title === undefined ? {} : { title: data.title }),
            // Stored in catalog order, without repeats, so lists read the same however they were typed.
            ...(data.scopes === undefined
              ? {}
              : { scopes: KNOWN_SCOPES.filter((s) => data.scopes?.includes(s)) }),
            ...(data.expiresAt === undefined ? {} : { expiresAtMs: Date.parse(data.expiresAt) }),
          },
          nowMs,
        )
      })
    } catch (error) {
      if (error instanceof AdminError) throw error
      // The code's unique index fired: another writer registered the same code meanwhile.
      throw (await codeTaken(store.db)) ?? error
    }
  })()
  return {
    ...webhookView(created.webhook, nowMs),
    code: created.code,
    path: webhookPath(created.webhook.userId, created.code),
  }
}

export async function webhookDelete(store: Store, portalId: number, webhookId: number): Promise<void> {
  await requirePortal(store.db, portalId)
  if (!(await deleteWebhook(store.db, portalId, webhookId))) {
    throw new AdminError('WEBHOOK_NOT_FOUND', `Portal ${portalId} has no webhook ${webhookId}`)
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

async function requirePortal(db: Db, portalId: number): Promise<Portal> {
  const portal = Number.isSafeInteger(portalId) && portalId > 0 ? await getPortal(db, portalId) : undefined
  if (portal === undefined) throw new AdminError('PORTAL_NOT_FOUND', `There is no portal ${portalId}`)
  return portal
}

/**
 * Resolves how a person names a portal — its id or its domain — to its id. The HTTP API takes ids only; the
 * CLI also accepts domains because that is what people remember.
 */
export async function resolvePortalRef(store: Store, ref: string): Promise<number> {
  const trimmed = ref.trim()
  if (/^\d+$/.test(trimmed)) return (await requirePortal(store.db, Number(trimmed))).id
  const portal = await findPortalByDomain(store.db, trimmed.toLowerCase())
  if (portal === undefined)
    throw new AdminError('PORTAL_NOT_FOUND', `There is no portal ${JSON.stringify(ref)}`)
  return portal.id
}

// ---------------------------------------------------------------------------------------------------------
// OAuth applications (settings/oauth/, local-integrations/local-apps.md)

const appInput = z.strictObject({
  title: text(255).optional(),
  scopes: z
    .array(
      z.enum(KNOWN_SCOPES, {
        error: (issue) =>
          `unknown scope ${JSON.stringify(issue.input)}; known scopes: ${KNOWN_SCOPES.join(', ')}`,
      }),
    )
    .optional(),
  // The handler the user returns to after /oauth/authorize/ (index.md); http is fine on a laptop.
  redirectUri: z
    .string()
    .trim()
    .max(2000, 'must be at most 2000 characters')
    .refine(isHttpUrl, 'must be an absolute http:// or https:// URL')
    .optional(),
  users: z
    .array(z.int({ error: 'must be a user id' }).positive('must be a user id'))
    .max(1000, 'at most 1000 users')
    .optional(),
  install: z.boolean({ error: 'must be true or false' }).optional(),
})

/** Tokens straight from the admin: no browser, no code (tests, scripts, users without a browser). */
const tokenInput = z.strictObject({
  userId: z.int({ error: 'must be the id of a user of the portal' }).positive('must be a user id').optional(),
  // 0 mints a pair whose access token has already expired: what a client meets an hour later.
  expiresIn: z
    .int({ error: 'must be a whole number of seconds' })
    .min(0, 'must be 0 (already expired) or more seconds')
    .max(31_536_000, 'must be at most 31536000 seconds (a year)')
    .optional(),
})

export type AppInput = z.input<typeof appInput>
export type TokenInput = z.input<typeof tokenInput>

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== ''
  } catch {
    return false
  }
}

export interface AppView {
  id: number
  portalId: number
  /** `local.<14 hex>.<8 digits>`, the application code of the local-application form */
  clientId: string
  title: string
  scopes: string[]
  /** null when the card has none: /oauth/authorize/ then shows the code instead of redirecting */
  redirectUri: string | null
  /** what event handlers receive as `auth[application_token]` */
  applicationToken: string
  /** user ids the application is restricted to; empty = every user */
  users: number[]
  installed: boolean
  status: string
  createdAt: string
}

/** An application just made: the only answer that ever carries its client secret. */
export interface CreatedApp extends AppView {
  clientSecret: string
}

/** A minted pair, exactly as /oauth/token/ would answer it. */
export type TokenPairView = Record<string, unknown>

function appView(app: OAuthApp): AppView {
  return {
    id: app.id,
    portalId: app.portalId,
    clientId: app.clientId,
    title: app.title,
    scopes: app.scopes,
    redirectUri: app.redirectUri === '' ? null : app.redirectUri,
    applicationToken: app.applicationToken,
    users: app.allowedUsers,
    installed: app.installed,
    status: app.status,
    createdAt: new Date(app.createdAtMs).toISOString(),
  }
}

export async function appList(store: Store, portalId: number): Promise<AppView[]> {
  await requirePortal(store.db, portalId)
  return (await listOAuthApps(store.db, portalId)).map(appView)
}

export async function appShow(store: Store, portalId: number, appId: number): Promise<AppView> {
  return appView(await requireApp(store.db, portalId, appId))
}

export async function appCreate(
  store: Store,
  portalId: number,
  input: unknown,
  nowMs: number,
): Promise<CreatedApp> {
  const data = parseInput(appInput, input)
  return store.transaction(async (tx) => {
    await requirePortal(tx, portalId)
    const users = [...new Set(data.users ?? [])].sort((a, b) => a - b)
    for (const userId of users) {
      if ((await getUser(tx, portalId, userId)) === undefined) {
        throw new AdminError('USER_NOT_FOUND', `Portal ${portalId} has no user ${userId}`)
      }
    }
    const { app, clientSecret } = await createOAuthApp(
      tx,
      {
        portalId,
        ...(data.title === undefined ? {} : { title: data.title }),
        // Catalog order without repeats, as for webhooks.
        ...(data.scopes === undefined
          ? {}
          : { scopes: KNOWN_SCOPES.filter((s) => data.scopes?.includes(s)) }),
        ...(data.redirectUri === undefined ? {} : { redirectUri: data.redirectUri }),
        allowedUsers: users,
        install: data.install ?? true,
      },
      nowMs,
    )
    return { ...appView(app), clientSecret }
  })
}

/** Installs (true) or uninstalls (false) an application; uninstalling revokes all its tokens at once. */
export async function appSetInstalled(
  store: Store,
  portalId: number,
  appId: number,
  installed: boolean,
  nowMs: number,
): Promise<AppView> {
  return store.transaction(async (tx) => {
    await requireApp(tx, portalId, appId)
    await setOAuthAppInstalled(tx, portalId, appId, installed, nowMs)
    return appView(await requireApp(tx, portalId, appId))
  })
}

export async function appDelete(store: Store, portalId: number, appId: number): Promise<void> {
  await store.transaction(async (tx) => {
    await requireApp(tx, portalId, appId)
    await deleteOAuthApp(tx, portalId, appId)
  })
}

/**
 * Mints a token pair for a user (the portal's administrator, user 1, by default). `origin` is the base URL
 * the endpoints in the answer name (`http://127.0.0.1:8080`).
 */
export async function appMintTokens(
  store: Store,
  portalId: number,
  appId: number,
  input: unknown,
  nowMs: number,
  origin: string,
): Promise<TokenPairView> {
  const data = parseInput(tokenInput, input)
  const app = await requireApp(store.db, portalId, appId)
  if (!app.installed) {
    throw new AdminError('APP_NOT_INSTALLED', `Application ${appId} is not installed; install it first`)
  }
  const userId = data.userId ?? ADMIN_USER_ID
  const user = await getUser(store.db, portalId, userId)
  if (user === undefined) throw new AdminError('USER_NOT_FOUND', `Portal ${portalId} has no user ${userId}`)
  if (!user.active) throw new AdminError('USER_INACTIVE', `User ${userId} of portal ${portalId} is inactive`)
  const issued = await mintTokenPair(store, app, userId, nowMs, data.expiresIn ?? ACCESS_TOKEN_TTL_S)
  return tokenResponseBody(issued, origin)
}

async function requireApp(db: Db, portalId: number, appId: number): Promise<OAuthApp> {
  await requirePortal(db, portalId)
  const app = Number.isSafeInteger(appId) && appId > 0 ? await getOAuthApp(db, appId) : undefined
  if (app === undefined || app.portalId !== portalId) {
    throw new AdminError('APP_NOT_FOUND', `Portal ${portalId} has no application ${appId}`)
  }
  return app
}

/** The CLI names an application by its id or its client id (what people copy from the create output). */
export async function resolveAppRef(store: Store, portalId: number, ref: string): Promise<number> {
  const trimmed = ref.trim()
  if (/^\d+$/.test(trimmed)) return (await requireApp(store.db, portalId, Number(trimmed))).id
  const app = await findOAuthAppByClientId(store.db, trimmed)
  if (app === undefined || app.portalId !== portalId) {
    throw new AdminError('APP_NOT_FOUND', `Portal ${portalId} has no application ${JSON.stringify(ref)}`)
  }
  return app.id
}

// ---------------------------------------------------------------------------------------------------------
// Company structure and CRM roles (src/portal/departments.ts, src/crm/permissions/)

const departmentName = text(255).min(1, 'must not be empty')
const departmentId = z.int({ error: 'must be a department id' }).positive('must be a department id')
const userRef = z.int({ error: 'must be the id of a user of the portal' }).positive('must be a user id')

const departmentInput = z.strictObject({
  name: departmentName,
  // Under the root (1) unless said otherwise.
  parentId: departmentId.optional(),
  sort: z.int({ error: 'must be a whole number' }).min(0, 'must be 0 or more').optional(),
  headUserId: userRef.nullable().optional(),
})

const departmentPatchInput = z.strictObject({
  name: departmentName.optional(),
  parentId: departmentId.optional(),
  sort: z.int({ error: 'must be a whole number' }).min(0, 'must be 0 or more').optional(),
  headUserId: userRef.nullable().optional(),
})

const userDepartmentsInput = z.strictObject({
  departments: z.array(departmentId).max(100, 'at most 100 departments'),
})

const LEVEL_HELP =
  'must be a level: "" (none), A (own), D (department), F (department and subdepartments), O (all open) or X (all); or none, own, department, subdepartments, open, all'

const levelInput = z.string({ error: LEVEL_HELP }).transform((value, ctx): Level => {
  const level = parseLevel(value)
  if (level === undefined) {
    ctx.addIssue({ code: 'custom', message: LEVEL_HELP })
    return z.NEVER
  }
  return level
})

const accessCodeInput = z
  .string({ error: 'must be an access code' })
  .trim()
  .toUpperCase()
  .regex(
    ACCESS_CODE,
    'must be an access code: AU (all employees), U<user id>, D<department id> (its members) or DR<department id> (with subdepartments)',
  )

const permissionLineInput = z
  .strictObject({
    // Left out or null: every type; categoryId left out or null: every funnel of the type.
    entityTypeId: z
      .int({ error: 'must be an entity type id' })
      .positive('must be an entity type id')
      .nullable()
      .optional(),
    categoryId: z.int({ error: 'must be a funnel id' }).min(0, 'must be a funnel id').nullable().optional(),
    // `all` sets the six rights at once; a right named too wins over it.
    all: levelInput.optional(),
    read: levelInput.optional(),
    add: levelInput.optional(),
    write: levelInput.optional(),
    delete: levelInput.optional(),
    export: levelInput.optional(),
    import: levelInput.optional(),
    // The stages items may be moved to; null = any stage.
    stages: z
      .array(text(100).min(1, 'must not be empty'))
      .max(500, 'at most 500 stages')
      .nullable()
      .optional(),
  })
  .superRefine((line, ctx) => {
    if (line.categoryId !== undefined && line.categoryId !== null && (line.entityTypeId ?? null) === null) {
      ctx.addIssue({ code: 'custom', path: ['categoryId'], message: 'a funnel needs its entityTypeId' })
    }
  })

const roleInput = z.strictObject({
  name: text(255).min(1, 'must not be empty'),
  allowSettings: z.boolean({ error: 'must be true or false' }).optional(),
  permissions: z.array(permissionLineInput).max(1000, 'at most 1000 lines').optional(),
  assignedTo: z.array(accessCodeInput).max(1000, 'at most 1000 access codes').optional(),
})

const rolePatchInput = z.strictObject({
  name: text(255).min(1, 'must not be empty').optional(),
  allowSettings: z.boolean({ error: 'must be true or false' }).optional(),
  permissions: z.array(permissionLineInput).max(1000, 'at most 1000 lines').optional(),
  assignedTo: z.array(accessCodeInput).max(1000, 'at most 1000 access codes').optional(),
})

const crmAdminsInput = z.strictObject({
  codes: z.array(accessCodeInput).max(1000, 'at most 1000 access codes'),
})

export type DepartmentInput = z.input<typeof departmentInput>
export type RoleInputView = z.input<typeof roleInput>

export interface DepartmentView {
  id: number
  portalId: number
  name: string
  sort: number
  /** null for the root */
  parentId: number | null
  headUserId: number | null
  /** ids of the users in the department (directly) */
  members: number[]
}

export interface PermissionLineView {
  /** null: every type */
  entityTypeId: number | null
  /** null: every funnel of the type */
  categoryId: number | null
  read?: Level
  add?: Level
  write?: Level
  delete?: Level
  export?: Level
  import?: Level
  /** the stages items may be moved to; null = any; absent = not set on this line */
  stages?: string[] | null
}

export interface RoleView {
  id: number
  portalId: number
  name: string
  allowSettings: boolean
  permissions: PermissionLineView[]
  /** access codes: AU (all employees), U<id>, D<id>, DR<id> */
  assignedTo: string[]
}

export interface CrmAdminsView {
  portalId: number
  /** access codes whose holders are CRM administrators (portal administrators always are) */
  crmAdmins: string[]
}

function roleView(role: Role): RoleView {
  return {
    id: role.id,
    portalId: role.portalId,
    name: role.name,
    allowSettings: role.allowSettings,
    permissions: role.permissions.map((line) => ({
      entityTypeId: line.entityTypeId,
      categoryId: line.categoryId,
      ...line.rights,
      ...(line.stages === undefined ? {} : { stages: line.stages === null ? null : [...line.stages] }),
    })),
    assignedTo: role.assignedTo,
  }
}

async function departmentViews(db: Db, portalId: number): Promise<DepartmentView[]> {
  const departments = await listDepartments(db, portalId)
  const links = await db
    .selectFrom('user_department')
    .select(['user_id', 'department_id'])
    .where('portal_id', '=', portalId)
    .orderBy('user_id')
    .execute()
  return departments.map((d) => ({
    id: d.id,
    portalId: d.portalId,
    name: d.name,
    sort: d.sort,
    parentId: d.parentId,
    headUserId: d.headUserId,
    members: links.filter((l) => l.department_id === d.id).map((l) => l.user_id),
  }))
}

async function departmentView(db: Db, portalId: number, id: number): Promise<DepartmentView> {
  const view = (await departmentViews(db, portalId)).find((d) => d.id === id)
  if (view === undefined) throw departmentNotFound(portalId, id)
  return view
}

function departmentNotFound(portalId: number, id: number): AdminError {
  return new AdminError('DEPARTMENT_NOT_FOUND', `Portal ${portalId} has no department ${id}`)
}

async function requireDepartment(db: Db, portalId: number, id: number): Promise<Department> {
  const department = Number.isSafeInteger(id) && id > 0 ? await getDepartment(db, portalId, id) : undefined
  if (department === undefined) throw departmentNotFound(portalId, id)
  return department
}

async function requireUser(db: Db, portalId: number, userId: number): Promise<User> {
  const user = Number.isSafeInteger(userId) && userId > 0 ? await getUser(db, portalId, userId) : undefined
  if (user === undefined) throw new AdminError('USER_NOT_FOUND', `Portal ${portalId} has no user ${userId}`)
  return user
}

export async function departmentList(store: Store, portalId: number): Promise<DepartmentView[]> {
  await requirePortal(store.db, portalId)
  return departmentViews(store.db, portalId)
}

export async function departmentCreate(
  store: Store,
  portalId: number,
  input: unknown,
): Promise<DepartmentView> {
  const data = parseInput(departmentInput, input)
  return store.transaction(async (tx) => {
    await requirePortal(tx, portalId)
    await requireDepartment(tx, portalId, data.parentId ?? ROOT_DEPARTMENT_ID)
    if (data.headUserId !== undefined && data.headUserId !== null)
      await requireUser(tx, portalId, data.headUserId)
    const created = await createDepartment(store, tx, portalId, {
      name: data.name,
      parentId: data.parentId ?? ROOT_DEPARTMENT_ID,
      ...(data.sort === undefined ? {} : { sort: data.sort }),
      ...(data.headUserId === undefined ? {} : { headUserId: data.headUserId }),
    })
    return departmentView(tx, portalId, created.id)
  })
}

export async function departmentUpdate(
  store: Store,
  portalId: number,
  id: number,
  input: unknown,
): Promise<DepartmentView> {
  const data = parseInput(departmentPatchInput, input)
  return store.transaction(async (tx) => {
    await requirePortal(tx, portalId)
    const department = await requireDepartment(tx, portalId, id)
    if (data.parentId !== undefined) {
      if (department.parentId === null) {
        throw new AdminError('INVALID_INPUT', 'parentId: the root department has no parent', [
          { path: 'parentId', message: 'the root department has no parent' },
        ])
      }
      await requireDepartment(tx, portalId, data.parentId)
      // A department cannot move under itself or one of its own subdepartments.
      if (withSubdepartments(await listDepartments(tx, portalId), [id]).includes(data.parentId)) {
        throw new AdminError('INVALID_INPUT', 'parentId: a department cannot be moved under itself', [
          { path: 'parentId', message: 'a department cannot be moved under itself' },
        ])
      }
    }
    if (data.headUserId !== undefined && data.headUserId !== null)
      await requireUser(tx, portalId, data.headUserId)
    await updateDepartment(tx, portalId, id, data)
    return departmentView(tx, portalId, id)
  })
}

/** Deletes an empty department: not the root, no subdepartments, no members. Its role assignments go too. */
export async function departmentDelete(store: Store, portalId: number, id: number): Promise<void> {
  await store.transaction(async (tx) => {
    await requirePortal(tx, portalId)
    const department = await requireDepartment(tx, portalId, id)
    if (department.parentId === null) {
      throw new AdminError('DEPARTMENT_IN_USE', 'The root department cannot be deleted')
    }
    if ((await listDepartments(tx, portalId)).some((d) => d.parentId === id)) {
      throw new AdminError(
        'DEPARTMENT_IN_USE',
        `Department ${id} has subdepartments; move or delete them first`,
      )
    }
    if ((await departmentMemberCount(tx, portalId, id)) > 0) {
      throw new AdminError('DEPARTMENT_IN_USE', `Department ${id} has members; move them first`)
    }
    await deleteDepartment(tx, portalId, id)
    await dropAccessCodes(tx, portalId, [`D${id}`, `DR${id}`])
  })
}

/** Puts a user into exactly the given departments (an empty list takes them out of the structure). */
export async function userSetDepartments(
  store: Store,
  portalId: number,
  userId: number,
  input: unknown,
): Promise<UserView> {
  const data = parseInput(userDepartmentsInput, input)
  return store.transaction(async (tx) => {
    await requirePortal(tx, portalId)
    const user = await requireUser(tx, portalId, userId)
    if (user.userType !== 'employee' && data.departments.length > 0) {
      throw new AdminError('INVALID_INPUT', 'departments: extranet users belong to no department', [
        { path: 'departments', message: 'extranet users belong to no department' },
      ])
    }
    for (const id of data.departments) await requireDepartment(tx, portalId, id)
    await setUserDepartments(tx, portalId, userId, data.departments)
    return userView(await requireUser(tx, portalId, userId))
  })
}

/** The users and departments access codes name must exist. */
async function checkAccessCodes(db: Db, portalId: number, codes: readonly string[]): Promise<void> {
  for (const code of codes) {
    const user = /^U(\d+)$/.exec(code)
    if (user?.[1] !== undefined) await requireUser(db, portalId, Number(user[1]))
    const department = /^DR?(\d+)$/.exec(code)
    if (department?.[1] !== undefined) await requireDepartment(db, portalId, Number(department[1]))
  }
}

type PermissionLineInput = z.output<typeof permissionLineInput>

async function permissionLines(
  db: Db,
  portalId: number,
  lines: readonly PermissionLineInput[],
): Promise<RolePermission[]> {
  const result: RolePermission[] = []
  for (const [index, line] of lines.entries()) {
    const entityTypeId = line.entityTypeId ?? null
    if (entityTypeId !== null && (await resolveEntityType(db, portalId, entityTypeId)).kind !== 'found') {
      throw new AdminError(
        'INVALID_INPUT',
        `permissions.${index}.entityTypeId: portal ${portalId} has no CRM type ${entityTypeId}`,
        [
          {
            path: `permissions.${index}.entityTypeId`,
            message: `portal ${portalId} has no CRM type ${entityTypeId}`,
          },
        ],
      )
    }
    const rights: Partial<Record<PermissionAction, Level>> = {}
    for (const action of ACTIONS) {
      const level = line[action] ?? line.all
      if (level !== undefined) rights[action] = level
    }
    result.push({
      entityTypeId,
      categoryId: entityTypeId === null ? null : (line.categoryId ?? null),
      rights,
      ...(line.stages === undefined ? {} : { stages: line.stages }),
    })
  }
  return result
}

async function requireRole(db: Db, portalId: number, id: number): Promise<Role> {
  const role = Number.isSafeInteger(id) && id > 0 ? await getRole(db, portalId, id) : undefined
  if (role === undefined) throw new AdminError('ROLE_NOT_FOUND', `Portal ${portalId} has no CRM role ${id}`)
  return role
}

export async function roleList(store: Store, portalId: number): Promise<RoleView[]> {
  await requirePortal(store.db, portalId)
  return (await listRoles(store.db, portalId)).map(roleView)
}

export async function roleShow(store: Store, portalId: number, id: number): Promise<RoleView> {
  await requirePortal(store.db, portalId)
  return roleView(await requireRole(store.db, portalId, id))
}

export async function roleCreate(store: Store, portalId: number, input: unknown): Promise<RoleView> {
  const data = parseInput(roleInput, input)
  return store.transaction(async (tx) => {
    await requirePortal(tx, portalId)
    await checkAccessCodes(tx, portalId, data.assignedTo ?? [])
    const role = await createRole(store, tx, portalId, {
      name: data.name,
      allowSettings: data.allowSettings ?? false,
      permissions: await permissionLines(tx, portalId, data.permissions ?? []),
      assignedTo: data.assignedTo ?? [],
    })
    return roleView(role)
  })
}

/** Changes what is given; `permissions` and `assignedTo` replace the role's whole list. */
export async function roleUpdate(
  store: Store,
  portalId: number,
  id: number,
  input: unknown,
): Promise<RoleView> {
  const data = parseInput(rolePatchInput, input)
  return store.transaction(async (tx) => {
    await requirePortal(tx, portalId)
    await requireRole(tx, portalId, id)
    if (data.assignedTo !== undefined) await checkAccessCodes(tx, portalId, data.assignedTo)
    await updateRole(tx, portalId, id, {
      ...(data.name === undefined ? {} : { name: data.name }),
      ...(data.allowSettings === undefined ? {} : { allowSettings: data.allowSettings }),
      ...(data.permissions === undefined
        ? {}
        : { permissions: await permissionLines(tx, portalId, data.permissions) }),
      ...(data.assignedTo === undefined ? {} : { assignedTo: data.assignedTo }),
    })
    return roleView(await requireRole(tx, portalId, id))
  })
}

export async function roleDelete(store: Store, portalId: number, id: number): Promise<void> {
  await store.transaction(async (tx) => {
    await requirePortal(tx, portalId)
    await requireRole(tx, portalId, id)
    await deleteRole(tx, portalId, id)
  })
}

export async function crmAdminList(store: Store, portalId: number): Promise<CrmAdminsView> {
  await requirePortal(store.db, portalId)
  return { portalId, crmAdmins: sortCodes(await listCrmAdmins(store.db, portalId)) }
}

/** Replaces the list of CRM administrators. */
export async function crmAdminSet(store: Store, portalId: number, input: unknown): Promise<CrmAdminsView> {
  const data = parseInput(crmAdminsInput, input)
  return store.transaction(async (tx) => {
    await requirePortal(tx, portalId)
    await checkAccessCodes(tx, portalId, data.codes)
    await setCrmAdmins(tx, portalId, data.codes)
    return { portalId, crmAdmins: sortCodes(await listCrmAdmins(tx, portalId)) }
  })
}
