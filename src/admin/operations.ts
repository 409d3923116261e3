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
  return { ...portal, settings: { ...portal.settings }, adminUserId: ADMIN_USER_ID }
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
