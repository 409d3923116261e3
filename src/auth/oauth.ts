import { randomBytes, randomInt } from 'node:crypto'
import type { Selectable } from 'kysely'
import type { Db, OAuthAppTable } from '../store/schema.js'
import type { Store } from '../store/store.js'
import { storedInstant } from '../lib/format-date.js'
import { RestError } from '../protocol/errors.js'
import { getPortal, notedPortal, portalFromRow, type Portal } from '../portal/portal.js'
import { getUser, type User } from '../portal/users.js'
import { hashSecret, sameDigest } from './secrets.js'
import { ALL_SCOPES } from './scopes.js'
import { cachedCredential } from './credential-cache.js'
import { param, runPrepared } from '../store/prepared.js'

/**
 * OAuth 2.0 applications, the domain half (the HTTP half is http/oauth-routes.ts): application cards,
 * installation, one-time codes, token pairs with rotation, and the access-token check every REST call with
 * a token goes through. Lifetimes and codes are the documented ones (settings/oauth/index.md,
 * auto-renewal.md, error-codes.md); the REST-side errors are the server's (server-behaviour.md §3 item 63).
 *
 * Here one server plays both Bitrix24 (the portal that shows /oauth/authorize/ and answers REST calls) and
 * oauth.bitrix.info (the authorization server behind /oauth/token/).
 */

/** access_token lives one hour (index.md "Lifetime — one hour") */
export const ACCESS_TOKEN_TTL_S = 3600
/** refresh_token lives 180 days (auto-renewal.md) */
export const REFRESH_TOKEN_TTL_MS = 180 * 24 * 3600 * 1000
/** "The lifetime of the authorization code `code` is 30 seconds." (index.md) */
export const CODE_TTL_MS = 30_000
/** Local applications have status L (simple-way.md, auth-params-in-events.md). */
export const LOCAL_APP_STATUS = 'L'

export interface OAuthApp {
  id: number
  portalId: number
  clientId: string
  title: string
  scopes: string[]
  /** '' when the card has none: /oauth/authorize/ then shows the code instead of redirecting */
  redirectUri: string
  applicationToken: string
  /** user ids the application is restricted to; empty = every user of the portal */
  allowedUsers: number[]
  installed: boolean
  status: string
  createdAtMs: number
}

/**
 * An error of the authorization server (error-codes.md): `{"error","error_description"}` with an HTTP
 * status, 400 unless said otherwise (invalid_client is 401, as client-contract.md §11 asks).
 */
export class OAuthError extends Error {
  constructor(
    readonly code:
      'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'user_access_error',
    message: string,
    readonly status = code === 'invalid_client' ? 401 : code === 'user_access_error' ? 403 : 400,
  ) {
    super(message)
    this.name = 'OAuthError'
  }
}

/** A freshly issued pair: the only moment the tokens are known in clear. */
export interface IssuedTokens {
  accessToken: string
  refreshToken: string
  accessExpiresAtMs: number
  /** the lifetime the pair was issued with, in seconds (3600 unless minted otherwise) */
  expiresIn: number
  scopes: string[]
  userId: number
  portal: Portal
  app: OAuthApp
}

// ---------------------------------------------------------------------------------------------------------
// Applications

export interface NewOAuthApp {
  portalId: number
  title?: string
  scopes?: readonly string[]
  redirectUri?: string
  allowedUsers?: readonly number[]
  /** saving a local application's form installs it (local-integrations/serverside-local-app-with-no-ui.md) */
  install?: boolean
}

/** Creates an application card; the client secret is returned once and only its hash is kept. */
export async function createOAuthApp(
  db: Db,
  input: NewOAuthApp,
  nowMs: number,
): Promise<{ app: OAuthApp; clientSecret: string }> {
  const clientSecret = randomText(50, ALPHANUMERIC)
  const row = await db
    .insertInto('oauth_app')
    .values({
      portal_id: input.portalId,
      client_id: localClientId(),
      client_secret_hash: hashSecret(clientSecret),
      title: input.title ?? '',
      scopes: (input.scopes ?? ALL_SCOPES).join(','),
      redirect_uri: input.redirectUri ?? '',
      application_token: randomBytes(16).toString('hex'),
      allowed_users: (input.allowedUsers ?? []).join(','),
      created_at: storedInstant(nowMs),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  if (input.install !== false) await setOAuthAppInstalled(db, input.portalId, row.id, true, nowMs)
  const app = await getOAuthApp(db, row.id)
  if (app === undefined) throw new Error('application vanished right after its insert')
  return { app, clientSecret }
}

/**
 * Local application codes look like `local.5c8bb1b0891cf2.87252039`: 14 hex digits and 8 decimal ones (the
 * form's "Application ID"; the docs' mass-market example is `app.573ad8a0346747.09223434`).
 */
function localClientId(): string {
  const digits = String(randomInt(0, 100_000_000)).padStart(8, '0')
  return `local.${randomBytes(7).toString('hex')}.${digits}`
}

export async function getOAuthApp(db: Db, id: number): Promise<OAuthApp | undefined> {
  const row = await appQuery(db).where('oauth_app.id', '=', id).executeTakeFirst()
  return row === undefined ? undefined : appFromRow(row)
}

export async function findOAuthAppByClientId(db: Db, clientId: string): Promise<OAuthApp | undefined> {
  const row = await appQuery(db).where('oauth_app.client_id', '=', clientId).executeTakeFirst()
  return row === undefined ? undefined : appFromRow(row)
}

export async function listOAuthApps(db: Db, portalId: number): Promise<OAuthApp[]> {
  const rows = await appQuery(db)
    .where('oauth_app.portal_id', '=', portalId)
    .orderBy('oauth_app.id')
    .execute()
  return rows.map(appFromRow)
}

/**
 * Installs or uninstalls an application on its portal. Uninstalling revokes every token it holds: a
 * removed application can neither call nor refresh (auto-renewal.md: "the application was removed").
 */
export async function setOAuthAppInstalled(
  db: Db,
  portalId: number,
  appId: number,
  installed: boolean,
  nowMs: number,
): Promise<void> {
  await db
    .insertInto('oauth_install')
    .values({
      portal_id: portalId,
      app_id: appId,
      installed: installed ? 1 : 0,
      status: LOCAL_APP_STATUS,
      updated_at: storedInstant(nowMs),
    })
    .onConflict((oc) =>
      oc.columns(['portal_id', 'app_id']).doUpdateSet({
        installed: installed ? 1 : 0,
        updated_at: storedInstant(nowMs),
      }),
    )
    .execute()
  if (!installed) {
    await db
      .updateTable('oauth_token')
      .set({ revoked_at: storedInstant(nowMs), revoked_reason: 'revoked' })
      .where('app_id', '=', appId)
      .where('revoked_at', 'is', null)
      .execute()
    await db.updateTable('oauth_code').set({ used: 1 }).where('app_id', '=', appId).execute()
  }
}

/** Deletes an application with its installation, codes and tokens. False when the portal has no such app. */
export async function deleteOAuthApp(db: Db, portalId: number, appId: number): Promise<boolean> {
  // Children first: the foreign keys cascade on both stores, but saying it keeps the order obvious.
  await db.deleteFrom('oauth_token').where('app_id', '=', appId).where('portal_id', '=', portalId).execute()
  await db.deleteFrom('oauth_code').where('app_id', '=', appId).where('portal_id', '=', portalId).execute()
  await db.deleteFrom('oauth_install').where('app_id', '=', appId).where('portal_id', '=', portalId).execute()
  const deleted = await db
    .deleteFrom('oauth_app')
    .where('portal_id', '=', portalId)
    .where('id', '=', appId)
    .returning('id')
    .executeTakeFirst()
  return deleted !== undefined
}

function appQuery(db: Db) {
  return db
    .selectFrom('oauth_app')
    .leftJoin('oauth_install', (join) =>
      join
        .onRef('oauth_install.app_id', '=', 'oauth_app.id')
        .onRef('oauth_install.portal_id', '=', 'oauth_app.portal_id'),
    )
    .selectAll('oauth_app')
    .select(['oauth_install.installed', 'oauth_install.status'])
}

function appFromRow(
  row: Selectable<OAuthAppTable> & { installed: number | null; status: string | null },
): OAuthApp {
  return {
    id: row.id,
    portalId: row.portal_id,
    clientId: row.client_id,
    title: row.title,
    scopes: splitList(row.scopes),
    redirectUri: row.redirect_uri,
    applicationToken: row.application_token,
    allowedUsers: splitList(row.allowed_users).map(Number),
    installed: row.installed === 1,
    status: row.status ?? LOCAL_APP_STATUS,
    createdAtMs: Date.parse(row.created_at),
  }
}

/** Does the application's access list let this user in? (user_access_error in system-errors.md) */
export function userMayUseApp(app: OAuthApp, userId: number): boolean {
  return app.allowedUsers.length === 0 || app.allowedUsers.includes(userId)
}

// ---------------------------------------------------------------------------------------------------------
// The authorization server: client authentication, codes, token pairs

/**
 * Checks `client_id` + `client_secret`. A wrong pair and an application that is not installed are the same
 * `invalid_client` (error-codes.md: "Check client_id and client_secret, and make sure that the application
 * is installed").
 */
export async function authenticateClient(db: Db, clientId: string, clientSecret: string): Promise<OAuthApp> {
  const row = await db
    .selectFrom('oauth_app')
    .select(['id', 'client_secret_hash'])
    .where('client_id', '=', clientId)
    .executeTakeFirst()
  // Hash the presented secret even for an unknown client, so both answers take the same time.
  const digest = hashSecret(clientSecret)
  if (row === undefined || !sameDigest(row.client_secret_hash, digest)) {
    throw new OAuthError('invalid_client', 'The client credentials are invalid')
  }
  const app = await getOAuthApp(db, row.id)
  if (app === undefined || !app.installed) {
    throw new OAuthError('invalid_client', 'The application is not installed on the portal')
  }
  return app
}

/**
 * The user said yes on /oauth/authorize/: a one-time code for `app` and `userId`, valid 30 seconds. The
 * caller has checked the application (installed) and the user (active, allowed).
 */
export async function issueAuthorizationCode(
  db: Db,
  app: OAuthApp,
  userId: number,
  nowMs: number,
): Promise<{ code: string; expiresAtMs: number }> {
  const code = randomText(32, LOWER_ALPHANUMERIC)
  const expiresAtMs = nowMs + CODE_TTL_MS
  await db
    .insertInto('oauth_code')
    .values({
      code_hash: hashSecret(code),
      app_id: app.id,
      portal_id: app.portalId,
      user_id: userId,
      scopes: app.scopes.join(','),
      grant_id: randomBytes(12).toString('hex'),
      expires_at: storedInstant(expiresAtMs),
      used: 0,
      created_at: storedInstant(nowMs),
    })
    .execute()
  return { code, expiresAtMs }
}

/**
 * grant_type=authorization_code. A code works once: presenting it again is `invalid_grant` and revokes the
 * pairs it produced (RFC 6749 §4.1.2: the code may have leaked).
 */
export async function exchangeAuthorizationCode(
  store: Store,
  app: OAuthApp,
  code: string,
  nowMs: number,
): Promise<IssuedTokens> {
  const digest = hashSecret(code)
  const outcome = await store.transaction(async (tx) => {
    const row = await tx
      .selectFrom('oauth_code')
      .selectAll()
      .where('code_hash', '=', digest)
      .executeTakeFirst()
    if (row === undefined || !sameDigest(row.code_hash, digest) || row.app_id !== app.id) {
      throw new OAuthError('invalid_grant', "Code doesn't exist or is invalid for the client")
    }
    if (row.used === 1) {
      await revokeGrant(tx, row.grant_id, nowMs)
      return 'replayed' as const
    }
    if (Date.parse(row.expires_at) <= nowMs) {
      throw new OAuthError('invalid_grant', 'The authorization code has expired')
    }
    // Claim the code; a concurrent exchange of the same code updates nothing and loses.
    const claimed = await tx
      .updateTable('oauth_code')
      .set({ used: 1 })
      .where('code_hash', '=', digest)
      .where('used', '=', 0)
      .executeTakeFirst()
    if (Number(claimed.numUpdatedRows) !== 1) {
      throw new OAuthError('invalid_grant', 'The authorization code has already been used')
    }
    const { portal } = await requireActiveUser(tx, row.portal_id, row.user_id)
    return issuePair(tx, {
      app,
      portal,
      userId: row.user_id,
      scopes: splitList(row.scopes),
      grantId: row.grant_id,
      nowMs,
      accessTtlS: ACCESS_TOKEN_TTL_S,
    })
  })
  // Thrown only now, so that the revocation above has committed.
  if (outcome === 'replayed') {
    throw new OAuthError('invalid_grant', 'The authorization code has already been used')
  }
  return outcome
}

/**
 * grant_type=refresh_token: the pair is rotated. The new access token works at once; the old access token
 * and the old refresh token stop (auto-renewal.md: "Retain it instead of the previous one").
 */
export async function refreshTokenPair(
  store: Store,
  app: OAuthApp,
  refreshToken: string,
  nowMs: number,
): Promise<IssuedTokens> {
  const digest = hashSecret(refreshToken)
  return store.transaction(async (tx) => {
    const row = await tx
      .selectFrom('oauth_token')
      .selectAll()
      .where('refresh_token_hash', '=', digest)
      .executeTakeFirst()
    if (row === undefined || !sameDigest(row.refresh_token_hash, digest) || row.app_id !== app.id) {
      throw new OAuthError('invalid_grant', 'Invalid refresh token')
    }
    if (row.revoked_at !== null) {
      throw new OAuthError(
        'invalid_grant',
        row.revoked_reason === 'rotated'
          ? 'The refresh token has already been used; use the one issued with it'
          : 'The refresh token has been revoked',
      )
    }
    if (Date.parse(row.refresh_expires_at) <= nowMs) {
      throw new OAuthError('invalid_grant', 'The refresh token has expired; authorize again')
    }
    const { portal } = await requireActiveUser(tx, row.portal_id, row.user_id)
    const rotated = await tx
      .updateTable('oauth_token')
      .set({ revoked_at: storedInstant(nowMs), revoked_reason: 'rotated' })
      .where('id', '=', row.id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    if (Number(rotated.numUpdatedRows) !== 1) {
      throw new OAuthError(
        'invalid_grant',
        'The refresh token has already been used; use the one issued with it',
      )
    }
    return issuePair(tx, {
      app,
      portal,
      userId: row.user_id,
      scopes: splitList(row.scopes),
      grantId: row.grant_id,
      nowMs,
      accessTtlS: ACCESS_TOKEN_TTL_S,
    })
  })
}

/**
 * A pair issued without the browser flow (admin API, CLI): for tests and for users with no browser.
 * `accessTtlS` 0 gives a pair whose access token has already expired — what a client meets after an hour.
 */
export async function mintTokenPair(
  store: Store,
  app: OAuthApp,
  userId: number,
  nowMs: number,
  accessTtlS = ACCESS_TOKEN_TTL_S,
): Promise<IssuedTokens> {
  return store.transaction(async (tx) => {
    const { portal } = await requireActiveUser(tx, app.portalId, userId)
    return issuePair(tx, {
      app,
      portal,
      userId,
      scopes: app.scopes,
      grantId: randomBytes(12).toString('hex'),
      nowMs,
      accessTtlS,
    })
  })
}

async function requireActiveUser(
  db: Db,
  portalId: number,
  userId: number,
): Promise<{ portal: Portal; user: User }> {
  const portal = await getPortal(db, portalId)
  const user = portal === undefined ? undefined : await getUser(db, portalId, userId)
  if (portal === undefined || user === undefined || !user.active) {
    throw new OAuthError('invalid_grant', 'The user of this authorization is no longer active')
  }
  return { portal, user }
}

async function issuePair(
  db: Db,
  input: {
    app: OAuthApp
    portal: Portal
    userId: number
    scopes: string[]
    grantId: string
    nowMs: number
    accessTtlS: number
  },
): Promise<IssuedTokens> {
  const accessToken = randomText(32, LOWER_ALPHANUMERIC)
  const refreshToken = randomText(32, LOWER_ALPHANUMERIC)
  // Whole seconds, so `expires` (unix seconds) and the stored instant name the same moment.
  const accessExpiresAtMs = Math.floor(input.nowMs / 1000) * 1000 + input.accessTtlS * 1000
  await db
    .insertInto('oauth_token')
    .values({
      access_token_hash: hashSecret(accessToken),
      refresh_token_hash: hashSecret(refreshToken),
      app_id: input.app.id,
      portal_id: input.portal.id,
      user_id: input.userId,
      scopes: input.scopes.join(','),
      grant_id: input.grantId,
      access_expires_at: storedInstant(accessExpiresAtMs),
      refresh_expires_at: storedInstant(input.nowMs + REFRESH_TOKEN_TTL_MS),
      revoked_at: null,
      revoked_reason: null,
      created_at: storedInstant(input.nowMs),
    })
    .execute()
  return {
    accessToken,
    refreshToken,
    accessExpiresAtMs,
    expiresIn: input.accessTtlS,
    scopes: input.scopes,
    userId: input.userId,
    portal: input.portal,
    app: input.app,
  }
}

async function revokeGrant(db: Db, grantId: string, nowMs: number): Promise<void> {
  await db
    .updateTable('oauth_token')
    .set({ revoked_at: storedInstant(nowMs), revoked_reason: 'revoked' })
    .where('grant_id', '=', grantId)
    .where('revoked_at', 'is', null)
    .execute()
}

/**
 * The token endpoint's answer, in the docs' field order (auto-renewal.md), with every field some SDK
 * requires (client-contract.md §7: jssdk reads `expires`, phpsdk needs `domain` and `status`, pysdk
 * `user_id` and `scope`). `origin` is how the client reached us (`http://127.0.0.1:8080`): this server is
 * both the portal (`client_endpoint`) and the authorization server (`server_endpoint`, `domain`).
 */
export function tokenResponseBody(issued: IssuedTokens, origin: string): Record<string, unknown> {
  return {
    access_token: issued.accessToken,
    client_endpoint: `${origin}/rest/`,
    domain: origin.replace(/^https?:\/\//, ''),
    expires: Math.floor(issued.accessExpiresAtMs / 1000),
    expires_in: issued.expiresIn,
    member_id: issued.portal.memberId,
    refresh_token: issued.refreshToken,
    scope: issued.scopes.join(','),
    server_endpoint: `${origin}/rest/`,
    status: issued.app.status,
    user_id: issued.userId,
  }
}

// ---------------------------------------------------------------------------------------------------------
// The REST side: what a call's access token stands for

export interface AccessGrant {
  app: OAuthApp
  portal: Portal
  user: User
  scopes: string[]
}

/**
 * Resolves an access token to its application, portal, user and scopes, or throws the error the server
 * gives (server-behaviour.md §3 item 63):
 * - a token nobody issued, or one a refresh has replaced: 401 `invalid_token` (docs/compatibility.md);
 * - its application uninstalled: 401 `APPLICATION_NOT_FOUND` (tokens of a deleted application are gone);
 * - past its hour: 401 `expired_token`, which makes every SDK refresh and retry;
 * - its user gone or deactivated: 401 `authorization_error`;
 * - the application restricted to other users: 403 `user_access_error`.
 */
export async function resolveAccessToken(store: Store, token: string, nowMs: number): Promise<AccessGrant> {
  // What the token stands for, read once and then kept while nothing it was read from changes
  // (credential-cache.ts); the checks below run on every call, in the order the errors take precedence.
  const digest = hashSecret(token)
  const found = await cachedCredential(store, `token:${digest}`, (known: AccessTokenFacts | undefined) =>
    readAccessToken(store.db, digest, known),
  )
  if (found === undefined) throw RestError.system('invalid_token')
  const { token: row, app } = found
  // The application first: refreshing cannot help a removed application, so say what is wrong.
  if (app === undefined || !app.installed || app.portalId !== row.portalId) {
    throw new RestError('APPLICATION_NOT_FOUND', 'Application not found', 401)
  }
  if (row.revoked) throw RestError.system('invalid_token')
  if (row.accessExpiresAtMs <= nowMs) throw RestError.system('expired_token')
  const { portal, user } = found
  // A cached portal row reports its configuration version as a read would (store/config-cache.ts).
  if (portal !== undefined) notedPortal(store.db, portal)
  if (portal === undefined || user === undefined || !user.active) {
    throw new RestError('authorization_error', 'Unable to authorize user', 401)
  }
  if (!userMayUseApp(app, user.id)) throw RestError.system('user_access_error')
  return { app, portal, user, scopes: row.scopes }
}

/** An access token as stored, and what it refers to; the user only for a token that can pass. */
interface AccessTokenFacts {
  token: { portalId: number; userId: number; scopes: string[]; revoked: boolean; accessExpiresAtMs: number }
  app: OAuthApp | undefined
  portal: Portal | undefined
  user?: User | undefined
}

/**
 * The token with its application and portal in one query; the user in two more, unless `known` (what an
 * earlier call read for the same token) has it at the portal's current configuration version: every write to
 * `portal_user` and `user_department` moves that version (store/migrations/0011-config-version.ts).
 */
async function readAccessToken(
  db: Db,
  digest: string,
  known: AccessTokenFacts | undefined,
): Promise<AccessTokenFacts | undefined> {
  const build = () =>
    db
      .selectFrom('oauth_token as t')
      .leftJoin('oauth_app as a', 'a.id', 't.app_id')
      .leftJoin('oauth_install as i', (join) =>
        join.onRef('i.app_id', '=', 'a.id').onRef('i.portal_id', '=', 'a.portal_id'),
      )
      .leftJoin('portal as p', 'p.id', 't.portal_id')
      .select([
        't.access_token_hash',
        't.portal_id',
        't.user_id',
        't.scopes',
        't.revoked_at',
        't.access_expires_at',
        'a.id as a_id',
        'a.portal_id as a_portal_id',
        'a.client_id as a_client_id',
        'a.client_secret_hash as a_client_secret_hash',
        'a.title as a_title',
        'a.scopes as a_scopes',
        'a.redirect_uri as a_redirect_uri',
        'a.application_token as a_application_token',
        'a.allowed_users as a_allowed_users',
        'a.created_at as a_created_at',
        'i.installed',
        'i.status',
        'p.id as p_id',
        'p.domain as p_domain',
        'p.member_id as p_member_id',
        'p.name as p_name',
        'p.time_zone_offset as p_time_zone_offset',
        'p.settings as p_settings',
        'p.config_version as p_config_version',
      ])
      .where('t.access_token_hash', '=', param<string>('digest'))
  const { rows } = await runPrepared(db, 'access-token', build, { digest })
  const row = rows[0]
  if (row === undefined || !sameDigest(row.access_token_hash, digest)) return undefined
  const token = {
    portalId: row.portal_id,
    userId: row.user_id,
    scopes: splitList(row.scopes),
    revoked: row.revoked_at !== null,
    accessExpiresAtMs: Date.parse(row.access_expires_at),
  }
  const app =
    row.a_id === null
      ? undefined
      : appFromRow({
          id: row.a_id,
          portal_id: row.a_portal_id ?? 0,
          client_id: row.a_client_id ?? '',
          client_secret_hash: row.a_client_secret_hash ?? '',
          title: row.a_title ?? '',
          scopes: row.a_scopes ?? '',
          redirect_uri: row.a_redirect_uri ?? '',
          application_token: row.a_application_token ?? '',
          allowed_users: row.a_allowed_users ?? '',
          created_at: row.a_created_at ?? '',
          installed: row.installed,
          status: row.status,
        })
  const portal =
    row.p_id === null
      ? undefined
      : notedPortal(
          db,
          portalFromRow({
            id: row.p_id,
            domain: row.p_domain ?? '',
            member_id: row.p_member_id ?? '',
            name: row.p_name ?? '',
            time_zone_offset: row.p_time_zone_offset ?? 0,
            settings: row.p_settings ?? '{}',
            config_version: row.p_config_version ?? 0,
          }),
        )
  // The checks before the user's (resolveAccessToken) fail whatever the user: no need to read it.
  if (app === undefined || !app.installed || app.portalId !== token.portalId || token.revoked) {
    return { token, app, portal }
  }
  if (portal === undefined) return { token, app, portal }
  const user =
    known?.user !== undefined &&
    known.user.id === token.userId &&
    known.portal?.id === portal.id &&
    known.portal.configVersion === portal.configVersion
      ? known.user
      : await getUser(db, portal.id, token.userId)
  return { token, app, portal, user }
}

// ---------------------------------------------------------------------------------------------------------

const LOWER_ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789'
const ALPHANUMERIC = `ABCDEFGHIJKLMNOPQRSTUVWXYZ${LOWER_ALPHANUMERIC}`

/** Uniform random text (rejection sampling, so no character is likelier than another). */
function randomText(length: number, alphabet: string): string {
  const limit = 256 - (256 % alphabet.length)
  let out = ''
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit) out += alphabet[byte % alphabet.length]
      if (out.length === length) break
    }
  }
  return out
}

function splitList(value: string): string[] {
  return value === '' ? [] : value.split(',')
}
