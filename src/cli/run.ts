import { parseArgs, type ParseArgsConfig } from 'node:util'
import { loadConfig, type Config } from '../config.js'
import { storeLocation } from '../app.js'
import { openStore, type Store } from '../store/store.js'
import { ensureDefaultPortal } from '../portal/bootstrap.js'
import {
  checkAdminToken,
  ensureAdminToken,
  readAdminTokenFile,
  recordAdminToken,
} from '../http/admin-token.js'
import { DEFAULT_OPERATING_LIMIT_SECONDS } from '../rate-limit/policy.js'
import {
  AdminError,
  portalCreate,
  portalList,
  portalShow,
  portalUpdateSettings,
  resolvePortalRef,
  userCreate,
  userList,
  webhookCreate,
  webhookDelete,
  webhookList,
  appCreate,
  appDelete,
  appList,
  appMintTokens,
  appSetInstalled,
  resolveAppRef,
  crmAdminList,
  crmAdminSet,
  departmentCreate,
  departmentDelete,
  departmentList,
  departmentUpdate,
  roleCreate,
  roleDelete,
  roleList,
  roleShow,
  roleUpdate,
  userSetDepartments,
} from '../admin/operations.js'
import {
  createdWebhookText,
  portalsTable,
  portalText,
  userText,
  usersTable,
  webhooksTable,
  appText,
  appsTable,
  createdAppText,
  tokenPairText,
  crmAdminsText,
  departmentText,
  departmentsTable,
  roleText,
  rolesTable,
} from './output.js'

/**
 * `b24crm …`: the admin operations (admin/operations.ts, shared with the admin HTTP API) run directly on the
 * store the server's environment names (B24_DATA_DIR / B24_DATABASE_URL), so the CLI works whether or not a
 * server is running (SQLite in WAL mode and PostgreSQL both take a second writer).
 *
 * Every command that opens the store needs the admin token (requireAdminToken).
 *
 * Exit codes: 0 done, 1 the operation failed (unknown portal, code taken, store unreachable), 2 usage error or
 * no valid admin token.
 */
export interface CliIo {
  stdout(text: string): void
  stderr(text: string): void
}

export interface CliOptions {
  /** epoch ms for "now"; tests pin it */
  now?: () => number
}

type OptionSpec = NonNullable<ParseArgsConfig['options']>
type Values = Record<string, string | boolean | string[] | boolean[] | undefined>

interface Output {
  json: unknown
  text: string
}

interface CommandContext {
  config: Config
  /** opened on first use and closed when the command ends */
  store(): Promise<Store>
  now(): number
}

interface Command {
  words: string[]
  args: string
  summary: string
  options: OptionSpec
  run(ctx: CommandContext, values: Values): Promise<Output>
}

class UsageError extends Error {}

/** The store is guarded by an admin token and none, or a wrong one, was given (exit 2). */
class AdminTokenRefused extends Error {}

const GLOBAL_OPTIONS: OptionSpec = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'data-dir': { type: 'string' },
  'database-url': { type: 'string' },
  'admin-token': { type: 'string' },
}

const PORTAL_OPTION: OptionSpec = { portal: { type: 'string' } }

const COMMANDS: Command[] = [
  {
    words: ['portal', 'create'],
    args: '[--domain D] [--name N] [--tz-offset MIN] [--require-https]',
    summary: 'Create a portal (with its administrator, user 1)',
    options: {
      domain: { type: 'string' },
      name: { type: 'string' },
      'tz-offset': { type: 'string' },
      'require-https': { type: 'boolean' },
    },
    run: async (ctx, v) => {
      const input = {
        ...(v['domain'] === undefined ? {} : { domain: str(v, 'domain') }),
        ...(v['name'] === undefined ? {} : { name: str(v, 'name') }),
        ...(v['tz-offset'] === undefined ? {} : { timeZoneOffset: int(v, 'tz-offset') }),
        ...(v['require-https'] === true ? { settings: { requireHttps: true } } : {}),
      }
      const portal = await portalCreate(await ctx.store(), input, ctx.now())
      return {
        json: portal,
        text: `${portalText(portal)}\nNext: b24crm webhook create --portal ${portal.id} --user ${portal.adminUserId}`,
      }
    },
  },
  {
    words: ['portal', 'list'],
    args: '',
    summary: 'List the portals',
    options: {},
    run: async (ctx) => {
      const portals = await portalList(await ctx.store())
      return { json: portals, text: portalsTable(portals) }
    },
  },
  {
    words: ['portal', 'show'],
    args: '[--portal ID|DOMAIN]',
    summary: 'Show one portal',
    options: PORTAL_OPTION,
    run: async (ctx, v) => {
      const store = await ctx.store()
      const portal = await portalShow(store, await portalOf(ctx, v))
      return { json: portal, text: portalText(portal) }
    },
  },
  {
    words: ['portal', 'settings'],
    args: '[--portal ID|DOMAIN] [--require-https on|off] [--query-limit off|standard|enterprise|BURST,PER_SECOND] [--operating-limit off|on|SECONDS]',
    summary: "Change a portal's switches (and show them)",
    options: {
      ...PORTAL_OPTION,
      'require-https': { type: 'string' },
      'query-limit': { type: 'string' },
      'operating-limit': { type: 'string' },
    },
    run: async (ctx, v) => {
      const store = await ctx.store()
      const limits = {
        ...(v['query-limit'] === undefined ? {} : { queryLimit: queryLimitArg(v) }),
        ...(v['operating-limit'] === undefined ? {} : { operatingLimit: operatingLimitArg(v) }),
      }
      const input = {
        ...(v['require-https'] === undefined ? {} : { requireHttps: onOff(v, 'require-https') }),
        ...(Object.keys(limits).length === 0 ? {} : { limits }),
      }
      const portal = await portalUpdateSettings(store, await portalOf(ctx, v), input)
      return { json: portal, text: portalText(portal) }
    },
  },
  {
    words: ['user', 'create'],
    args: '[--portal ID|DOMAIN] [--name N] [--last-name N] [--email E] [--admin] [--extranet] [--inactive] [--department N]… [--position P]',
    summary: 'Create a user',
    options: {
      ...PORTAL_OPTION,
      name: { type: 'string' },
      'last-name': { type: 'string' },
      'second-name': { type: 'string' },
      email: { type: 'string' },
      admin: { type: 'boolean' },
      extranet: { type: 'boolean' },
      inactive: { type: 'boolean' },
      department: { type: 'string', multiple: true },
      position: { type: 'string' },
    },
    run: async (ctx, v) => {
      const store = await ctx.store()
      const departments = list(v, 'department').map((value) => {
        if (!/^\d+$/.test(value))
          throw new UsageError(`--department takes department ids, got ${JSON.stringify(value)}`)
        return Number(value)
      })
      const input = {
        ...(v['name'] === undefined ? {} : { name: str(v, 'name') }),
        ...(v['last-name'] === undefined ? {} : { lastName: str(v, 'last-name') }),
        ...(v['second-name'] === undefined ? {} : { secondName: str(v, 'second-name') }),
        ...(v['email'] === undefined ? {} : { email: str(v, 'email') }),
        ...(v['admin'] === true ? { isAdmin: true } : {}),
        ...(v['extranet'] === true ? { userType: 'extranet' } : {}),
        ...(v['inactive'] === true ? { active: false } : {}),
        ...(v['department'] === undefined ? {} : { departments }),
        ...(v['position'] === undefined ? {} : { workPosition: str(v, 'position') }),
      }
      const user = await userCreate(store, await portalOf(ctx, v), input, ctx.now())
      return { json: user, text: `Created ${userText(user)}` }
    },
  },
  {
    words: ['user', 'list'],
    args: '[--portal ID|DOMAIN]',
    summary: "List a portal's users",
    options: PORTAL_OPTION,
    run: async (ctx, v) => {
      const store = await ctx.store()
      const users = await userList(store, await portalOf(ctx, v))
      return { json: users, text: usersTable(users) }
    },
  },
  {
    words: ['webhook', 'create'],
    args: '[--portal ID|DOMAIN] --user ID [--scope S]… [--code C] [--expires ISO] [--title T]',
    summary: 'Create an incoming webhook; prints its URL and code (shown once)',
    options: {
      ...PORTAL_OPTION,
      user: { type: 'string' },
      scope: { type: 'string', multiple: true },
      code: { type: 'string' },
      expires: { type: 'string' },
      title: { type: 'string' },
    },
    run: async (ctx, v) => {
      if (v['user'] === undefined)
        throw new UsageError('--user is required: the id of the user the webhook acts as')
      const store = await ctx.store()
      const input = {
        userId: int(v, 'user'),
        ...(v['scope'] === undefined ? {} : { scopes: list(v, 'scope') }),
        ...(v['code'] === undefined ? {} : { code: str(v, 'code') }),
        ...(v['expires'] === undefined ? {} : { expiresAt: str(v, 'expires') }),
        ...(v['title'] === undefined ? {} : { title: str(v, 'title') }),
      }
      const webhook = await webhookCreate(store, await portalOf(ctx, v), input, ctx.now())
      const urls = baseUrls(ctx.config).map((base) => `${base}${webhook.path}`)
      return { json: { ...webhook, url: urls[0] ?? null, urls }, text: createdWebhookText(webhook, urls) }
    },
  },
  {
    words: ['webhook', 'list'],
    args: '[--portal ID|DOMAIN]',
    summary: "List a portal's webhooks (codes are never shown again)",
    options: PORTAL_OPTION,
    run: async (ctx, v) => {
      const store = await ctx.store()
      const webhooks = await webhookList(store, await portalOf(ctx, v), ctx.now())
      return { json: webhooks, text: webhooksTable(webhooks) }
    },
  },
  {
    words: ['webhook', 'delete'],
    args: '[--portal ID|DOMAIN] --id N',
    summary: 'Delete a webhook; its URL stops working at once',
    options: { ...PORTAL_OPTION, id: { type: 'string' } },
    run: async (ctx, v) => {
      if (v['id'] === undefined)
        throw new UsageError('--id is required: the webhook id (b24crm webhook list)')
      const store = await ctx.store()
      const id = int(v, 'id')
      const portalId = await portalOf(ctx, v)
      await webhookDelete(store, portalId, id)
      return { json: { id, portalId, deleted: true }, text: `Webhook ${id} of portal ${portalId} deleted` }
    },
  },
  {
    words: ['app', 'create'],
    args: '[--portal ID|DOMAIN] [--title T] [--scope S]… [--redirect-uri URL] [--allow-user ID]… [--no-install]',
    summary: 'Create a local OAuth application; prints its client id and secret (shown once)',
    options: {
      ...PORTAL_OPTION,
      title: { type: 'string' },
      scope: { type: 'string', multiple: true },
      'redirect-uri': { type: 'string' },
      'allow-user': { type: 'string', multiple: true },
      'no-install': { type: 'boolean' },
    },
    run: async (ctx, v) => {
      const store = await ctx.store()
      const users = list(v, 'allow-user').map((value) => {
        if (!/^\d+$/.test(value))
          throw new UsageError(`--allow-user takes user ids, got ${JSON.stringify(value)}`)
        return Number(value)
      })
      const input = {
        ...(v['title'] === undefined ? {} : { title: str(v, 'title') }),
        ...(v['scope'] === undefined ? {} : { scopes: list(v, 'scope') }),
        ...(v['redirect-uri'] === undefined ? {} : { redirectUri: str(v, 'redirect-uri') }),
        ...(v['allow-user'] === undefined ? {} : { users }),
        ...(v['no-install'] === true ? { install: false } : {}),
      }
      const app = await appCreate(store, await portalOf(ctx, v), input, ctx.now())
      return { json: app, text: createdAppText(app, baseUrls(ctx.config)) }
    },
  },
  {
    words: ['app', 'list'],
    args: '[--portal ID|DOMAIN]',
    summary: "List a portal's OAuth applications (secrets are never shown again)",
    options: PORTAL_OPTION,
    run: async (ctx, v) => {
      const store = await ctx.store()
      const apps = await appList(store, await portalOf(ctx, v))
      return { json: apps, text: appsTable(apps) }
    },
  },
  {
    words: ['app', 'install'],
    args: '[--portal ID|DOMAIN] --app ID|CLIENT_ID',
    summary: 'Install an OAuth application on its portal',
    options: { ...PORTAL_OPTION, app: { type: 'string' } },
    run: async (ctx, v) => {
      const { store, portalId, appId } = await appOf(ctx, v)
      const app = await appSetInstalled(store, portalId, appId, true, ctx.now())
      return { json: app, text: appText(app) }
    },
  },
  {
    words: ['app', 'uninstall'],
    args: '[--portal ID|DOMAIN] --app ID|CLIENT_ID',
    summary: 'Uninstall an OAuth application; its tokens stop working at once',
    options: { ...PORTAL_OPTION, app: { type: 'string' } },
    run: async (ctx, v) => {
      const { store, portalId, appId } = await appOf(ctx, v)
      const app = await appSetInstalled(store, portalId, appId, false, ctx.now())
      return { json: app, text: appText(app) }
    },
  },
  {
    words: ['app', 'delete'],
    args: '[--portal ID|DOMAIN] --app ID|CLIENT_ID',
    summary: 'Delete an OAuth application with its tokens',
    options: { ...PORTAL_OPTION, app: { type: 'string' } },
    run: async (ctx, v) => {
      const { store, portalId, appId } = await appOf(ctx, v)
      await appDelete(store, portalId, appId)
      return {
        json: { id: appId, portalId, deleted: true },
        text: `Application ${appId} of portal ${portalId} deleted`,
      }
    },
  },
  {
    words: ['app', 'token'],
    args: '[--portal ID|DOMAIN] --app ID|CLIENT_ID [--user ID] [--expires-in SECONDS]',
    summary: 'Mint an access/refresh token pair for a user without the browser flow',
    options: {
      ...PORTAL_OPTION,
      app: { type: 'string' },
      user: { type: 'string' },
      'expires-in': { type: 'string' },
    },
    run: async (ctx, v) => {
      const input = {
        ...(v['user'] === undefined ? {} : { userId: int(v, 'user') }),
        ...(v['expires-in'] === undefined ? {} : { expiresIn: int(v, 'expires-in') }),
      }
      const { store, portalId, appId } = await appOf(ctx, v)
      const origin = baseUrls(ctx.config)[0] ?? 'http://127.0.0.1:8080'
      const pair = await appMintTokens(store, portalId, appId, input, ctx.now(), origin)
      return { json: pair, text: tokenPairText(pair) }
    },
  },
  {
    words: ['user', 'departments'],
    args: '[--portal ID|DOMAIN] --user ID --department N|none…',
    summary: 'Put a user into exactly these departments (none: out of the structure)',
    options: { ...PORTAL_OPTION, user: { type: 'string' }, department: { type: 'string', multiple: true } },
    run: async (ctx, v) => {
      if (v['user'] === undefined) throw new UsageError('--user is required: the user id (b24crm user list)')
      if (v['department'] === undefined) {
        throw new UsageError('--department is required: department ids, or none (b24crm department list)')
      }
      const store = await ctx.store()
      const user = await userSetDepartments(store, await portalOf(ctx, v), int(v, 'user'), {
        departments: idList(v, 'department'),
      })
      return { json: user, text: userText(user) }
    },
  },
  {
    words: ['department', 'list'],
    args: '[--portal ID|DOMAIN]',
    summary: "List a portal's departments (the company structure)",
    options: PORTAL_OPTION,
    run: async (ctx, v) => {
      const store = await ctx.store()
      const departments = await departmentList(store, await portalOf(ctx, v))
      return { json: departments, text: departmentsTable(departments) }
    },
  },
  {
    words: ['department', 'create'],
    args: '[--portal ID|DOMAIN] --name N [--parent ID] [--sort N] [--head USER_ID]',
    summary: 'Create a department (under the root department 1 unless --parent says otherwise)',
    options: {
      ...PORTAL_OPTION,
      name: { type: 'string' },
      parent: { type: 'string' },
      sort: { type: 'string' },
      head: { type: 'string' },
    },
    run: async (ctx, v) => {
      if (v['name'] === undefined) throw new UsageError('--name is required')
      const store = await ctx.store()
      const department = await departmentCreate(store, await portalOf(ctx, v), departmentFields(v))
      return { json: department, text: `Created ${departmentText(department)}` }
    },
  },
  {
    words: ['department', 'update'],
    args: '[--portal ID|DOMAIN] --id N [--name N] [--parent ID] [--sort N] [--head USER_ID|none]',
    summary: 'Rename, move or re-head a department',
    options: {
      ...PORTAL_OPTION,
      id: { type: 'string' },
      name: { type: 'string' },
      parent: { type: 'string' },
      sort: { type: 'string' },
      head: { type: 'string' },
    },
    run: async (ctx, v) => {
      if (v['id'] === undefined) throw new UsageError('--id is required: the department id')
      const store = await ctx.store()
      const department = await departmentUpdate(
        store,
        await portalOf(ctx, v),
        int(v, 'id'),
        departmentFields(v),
      )
      return { json: department, text: departmentText(department) }
    },
  },
  {
    words: ['department', 'delete'],
    args: '[--portal ID|DOMAIN] --id N',
    summary: 'Delete an empty department (no members, no subdepartments)',
    options: { ...PORTAL_OPTION, id: { type: 'string' } },
    run: async (ctx, v) => {
      if (v['id'] === undefined) throw new UsageError('--id is required: the department id')
      const store = await ctx.store()
      const id = int(v, 'id')
      const portalId = await portalOf(ctx, v)
      await departmentDelete(store, portalId, id)
      return { json: { id, portalId, deleted: true }, text: `Department ${id} of portal ${portalId} deleted` }
    },
  },
  {
    words: ['role', 'list'],
    args: '[--portal ID|DOMAIN]',
    summary: "List a portal's CRM roles",
    options: PORTAL_OPTION,
    run: async (ctx, v) => {
      const store = await ctx.store()
      const roles = await roleList(store, await portalOf(ctx, v))
      return { json: roles, text: rolesTable(roles) }
    },
  },
  {
    words: ['role', 'show'],
    args: '[--portal ID|DOMAIN] --id N',
    summary: 'Show a CRM role with its rights and assignments',
    options: { ...PORTAL_OPTION, id: { type: 'string' } },
    run: async (ctx, v) => {
      if (v['id'] === undefined) throw new UsageError('--id is required: the role id (b24crm role list)')
      const store = await ctx.store()
      const role = await roleShow(store, await portalOf(ctx, v), int(v, 'id'))
      return { json: role, text: roleText(role) }
    },
  },
  {
    words: ['role', 'create'],
    args: '[--portal ID|DOMAIN] --name N [--settings] [--assign CODE]… [--perm TARGET:RIGHTS]…',
    summary: 'Create a CRM role (codes: AU, U<id>, D<id>, DR<id>; rights e.g. deal/5:read=A,write=A)',
    options: {
      ...PORTAL_OPTION,
      name: { type: 'string' },
      settings: { type: 'boolean' },
      assign: { type: 'string', multiple: true },
      perm: { type: 'string', multiple: true },
    },
    run: async (ctx, v) => {
      if (v['name'] === undefined) throw new UsageError('--name is required')
      const store = await ctx.store()
      const input = {
        name: str(v, 'name'),
        ...(v['settings'] === true ? { allowSettings: true } : {}),
        ...(v['assign'] === undefined ? {} : { assignedTo: noneOrList(v, 'assign') }),
        ...(v['perm'] === undefined ? {} : { permissions: permArgs(v) }),
      }
      const role = await roleCreate(store, await portalOf(ctx, v), input)
      return { json: role, text: `Created ${roleText(role)}` }
    },
  },
  {
    words: ['role', 'update'],
    args: '[--portal ID|DOMAIN] --id N [--name N] [--settings on|off] [--assign CODE|none]… [--perm TARGET:RIGHTS|none]…',
    summary: "Change a CRM role; --assign and --perm replace the role's whole list",
    options: {
      ...PORTAL_OPTION,
      id: { type: 'string' },
      name: { type: 'string' },
      settings: { type: 'string' },
      assign: { type: 'string', multiple: true },
      perm: { type: 'string', multiple: true },
    },
    run: async (ctx, v) => {
      if (v['id'] === undefined) throw new UsageError('--id is required: the role id (b24crm role list)')
      const store = await ctx.store()
      const input = {
        ...(v['name'] === undefined ? {} : { name: str(v, 'name') }),
        ...(v['settings'] === undefined ? {} : { allowSettings: onOff(v, 'settings') }),
        ...(v['assign'] === undefined ? {} : { assignedTo: noneOrList(v, 'assign') }),
        ...(v['perm'] === undefined ? {} : { permissions: permArgs(v) }),
      }
      const role = await roleUpdate(store, await portalOf(ctx, v), int(v, 'id'), input)
      return { json: role, text: roleText(role) }
    },
  },
  {
    words: ['role', 'delete'],
    args: '[--portal ID|DOMAIN] --id N',
    summary: 'Delete a CRM role; its holders lose its rights at once',
    options: { ...PORTAL_OPTION, id: { type: 'string' } },
    run: async (ctx, v) => {
      if (v['id'] === undefined) throw new UsageError('--id is required: the role id (b24crm role list)')
      const store = await ctx.store()
      const id = int(v, 'id')
      const portalId = await portalOf(ctx, v)
      await roleDelete(store, portalId, id)
      return { json: { id, portalId, deleted: true }, text: `CRM role ${id} of portal ${portalId} deleted` }
    },
  },
  {
    words: ['crm-admin', 'list'],
    args: '[--portal ID|DOMAIN]',
    summary: 'Show who is a CRM administrator (besides the portal administrators)',
    options: PORTAL_OPTION,
    run: async (ctx, v) => {
      const store = await ctx.store()
      const admins = await crmAdminList(store, await portalOf(ctx, v))
      return { json: admins, text: crmAdminsText(admins) }
    },
  },
  {
    words: ['crm-admin', 'set'],
    args: '[--portal ID|DOMAIN] --code CODE|none…',
    summary: 'Replace the list of CRM administrators (codes: U<id>, D<id>, DR<id>, AU)',
    options: { ...PORTAL_OPTION, code: { type: 'string', multiple: true } },
    run: async (ctx, v) => {
      if (v['code'] === undefined) throw new UsageError('--code is required: access codes, or none')
      const store = await ctx.store()
      const admins = await crmAdminSet(store, await portalOf(ctx, v), { codes: noneOrList(v, 'code') })
      return { json: admins, text: crmAdminsText(admins) }
    },
  },
  {
    words: ['admin-token'],
    args: '',
    summary: "Print the admin API's token (B24_ADMIN_TOKEN, else <data>/admin-token, created if missing)",
    options: {},
    run: async (ctx) => {
      const token = await ensureAdminToken(ctx.config)
      return { json: token, text: token.token }
    },
  },
]

/** Input field → the flag that sets it, so the shared validation messages name what the user typed. */
const FLAG_OF: Record<string, string> = {
  domain: '--domain',
  name: '--name',
  timeZoneOffset: '--tz-offset',
  requireHttps: '--require-https',
  queryLimit: '--query-limit',
  burst: '--query-limit',
  perSecond: '--query-limit',
  operatingLimit: '--operating-limit',
  seconds: '--operating-limit',
  lastName: '--last-name',
  secondName: '--second-name',
  email: '--email',
  isAdmin: '--admin',
  userType: '--extranet',
  active: '--inactive',
  departments: '--department',
  workPosition: '--position',
  userId: '--user',
  scopes: '--scope',
  code: '--code',
  expiresAt: '--expires',
  title: '--title',
  redirectUri: '--redirect-uri',
  users: '--allow-user',
  install: '--no-install',
  expiresIn: '--expires-in',
  parentId: '--parent',
  headUserId: '--head',
  sort: '--sort',
  allowSettings: '--settings',
  assignedTo: '--assign',
  codes: '--code',
  permissions: '--perm',
  entityTypeId: '--perm',
  categoryId: '--perm',
  stages: '--perm',
  all: '--perm',
  read: '--perm',
  add: '--perm',
  write: '--perm',
  delete: '--perm',
  export: '--perm',
  import: '--perm',
}

export async function runCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CliIo,
  options: CliOptions = {},
): Promise<number> {
  const [first, second] = argv
  if (first === undefined) {
    io.stderr(`${generalHelp()}\n`)
    return 2
  }
  if (first === 'help' || first === '--help' || first === '-h') {
    const topic = argv.slice(1).filter((word) => !word.startsWith('-'))
    const command = topic.length === 0 ? undefined : findCommand(topic[0], topic[1])
    io.stdout(`${command === undefined ? generalHelp() : commandHelp(command)}\n`)
    return 0
  }
  const command = findCommand(first, second)
  if (command === undefined) {
    const group = COMMANDS.filter((c) => c.words.length > 1 && c.words[0] === first)
    if (group.length === 0) {
      io.stderr(`b24crm: unknown command "${first}". Run "b24crm help" for the list.\n`)
      return 2
    }
    const usage = `usage:\n${group.map(usageLine).join('\n')}\n`
    if (second === '--help' || second === '-h') {
      io.stdout(usage)
      return 0
    }
    io.stderr(
      `b24crm ${first}: ${second === undefined ? 'which one?' : `unknown subcommand "${second}".`}\n${usage}`,
    )
    return 2
  }

  let values: Values
  try {
    values = parseArgs({
      args: argv.slice(command.words.length) as string[],
      options: { ...GLOBAL_OPTIONS, ...command.options },
      strict: true,
      allowPositionals: false,
    }).values as Values
  } catch (error) {
    io.stderr(
      `b24crm ${command.words.join(' ')}: ${errorMessage(error)}\nusage: ${usageLine(command).trim()}\n`,
    )
    return 2
  }
  if (values['help'] === true) {
    io.stdout(`${commandHelp(command)}\n`)
    return 0
  }

  const json = values['json'] === true
  let store: Store | undefined
  try {
    const config = loadConfig({
      ...env,
      ...(typeof values['data-dir'] === 'string' ? { B24_DATA_DIR: values['data-dir'] } : {}),
      ...(typeof values['database-url'] === 'string' ? { B24_DATABASE_URL: values['database-url'] } : {}),
    })
    const now = options.now ?? Date.now
    const ctx: CommandContext = {
      config,
      now,
      store: async () => {
        if (store === undefined) {
          store = await openStore(storeLocation(config))
          await requireAdminToken(store, config, values['admin-token'])
          // A fresh data folder gets its default portal here just as on the server's first start, so
          // `b24crm webhook create --user 1` works before the server has ever run.
          await ensureDefaultPortal(store, now())
        }
        return store
      },
    }
    const output = await command.run(ctx, values)
    io.stdout(json ? `${JSON.stringify(output.json, null, 2)}\n` : `${output.text}\n`)
    return 0
  } catch (error) {
    if (error instanceof AdminTokenRefused) {
      io.stderr(`b24crm ${command.words.join(' ')}: ${error.message}\n`)
      return 2
    }
    if (error instanceof UsageError) {
      io.stderr(`b24crm ${command.words.join(' ')}: ${error.message}\nusage: ${usageLine(command).trim()}\n`)
      return 2
    }
    if (error instanceof AdminError) {
      const problems =
        error.issues.length === 0
          ? [error.message]
          : error.issues.map((issue) => `${flagOf(issue.path)}${issue.message}`)
      io.stderr(`b24crm ${command.words.join(' ')}: ${problems.join('\n  ')}\n`)
      return error.code === 'INVALID_INPUT' ? 2 : 1
    }
    io.stderr(`b24crm ${command.words.join(' ')} failed: ${errorMessage(error)}\n`)
    return 1
  } finally {
    await (store as Store | undefined)?.close()
  }
}

/**
 * The CLI changes the store directly, so it asks for what the admin API asks for: the admin token, from
 * --admin-token, else B24_ADMIN_TOKEN, else <data>/admin-token (readable by whoever owns the data folder, as
 * with SQLite), in the order the server itself picks its token. It is checked against the hash the server
 * records at start (http/admin-token.ts recordAdminToken). A store no server has started on yet has no hash:
 * the CLI then does what that first start would do — takes the given token or creates <data>/admin-token — and
 * records it, as it creates the default portal.
 */
async function requireAdminToken(store: Store, config: Config, flag: Values[string]): Promise<void> {
  const given =
    typeof flag === 'string' && flag.trim() !== ''
      ? { token: flag.trim(), source: '--admin-token' }
      : config.adminToken !== undefined
        ? { token: config.adminToken, source: 'B24_ADMIN_TOKEN' }
        : await readAdminTokenFile(config.dataDir)
  const state = await checkAdminToken(store, given?.token)
  if (state === 'match') return
  if (state === 'unset') {
    await recordAdminToken(store, (given ?? (await ensureAdminToken(config))).token)
    return
  }
  throw new AdminTokenRefused(
    given === undefined
      ? 'this store needs the admin token: pass --admin-token TOKEN, set B24_ADMIN_TOKEN, or run where ' +
          `${config.dataDir}/admin-token is readable (\`b24crm admin-token\` on the server's machine prints it)`
      : `the admin token from ${given.source} is not this store's (the server records its token at start)`,
  )
}

function findCommand(first: string | undefined, second: string | undefined): Command | undefined {
  return COMMANDS.find((c) => c.words[0] === first && (c.words.length === 1 || c.words[1] === second))
}

function flagOf(path: string): string {
  const field = path
    .split('.')
    .filter((segment) => !/^\d+$/.test(segment))
    .pop()
  const flag = field === undefined ? undefined : FLAG_OF[field]
  return flag === undefined ? (path === '' ? '' : `${path}: `) : `${flag}: `
}

async function portalOf(ctx: CommandContext, values: Values): Promise<number> {
  const store = await ctx.store()
  const ref = values['portal']
  if (typeof ref === 'string') return resolvePortalRef(store, ref)
  // No --portal: the default portal, the one the server's bootstrap webhook belongs to.
  return (await ensureDefaultPortal(store, ctx.now())).id
}

async function appOf(
  ctx: CommandContext,
  values: Values,
): Promise<{ store: Store; portalId: number; appId: number }> {
  if (values['app'] === undefined) {
    throw new UsageError('--app is required: the application id or client id (b24crm app list)')
  }
  const store = await ctx.store()
  const portalId = await portalOf(ctx, values)
  return { store, portalId, appId: await resolveAppRef(store, portalId, str(values, 'app')) }
}

function str(values: Values, name: string): string {
  const value = values[name]
  if (typeof value !== 'string') throw new UsageError(`--${name} needs a value`)
  return value
}

function int(values: Values, name: string): number {
  const value = str(values, name).trim()
  if (!/^-?\d{1,15}$/.test(value))
    throw new UsageError(`--${name} takes a whole number, got ${JSON.stringify(value)}`)
  return Number(value)
}

/** Repeatable flags also take comma-separated lists: `--scope crm,user` = `--scope crm --scope user`. */
function list(values: Values, name: string): string[] {
  const value = values[name]
  const items = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : []
  return items
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '')
}

/** A repeatable flag of access codes or ids where `none` stands for the empty list. */
function noneOrList(values: Values, name: string): string[] {
  const items = list(values, name)
  return items.length === 1 && items[0]?.toLowerCase() === 'none' ? [] : items
}

function idList(values: Values, name: string): number[] {
  return noneOrList(values, name).map((value) => {
    if (!/^\d{1,15}$/.test(value))
      throw new UsageError(`--${name} takes ids or none, got ${JSON.stringify(value)}`)
    return Number(value)
  })
}

function departmentFields(values: Values): Record<string, unknown> {
  const head = values['head'] === undefined ? undefined : str(values, 'head').trim().toLowerCase()
  return {
    ...(values['name'] === undefined ? {} : { name: str(values, 'name') }),
    ...(values['parent'] === undefined ? {} : { parentId: int(values, 'parent') }),
    ...(values['sort'] === undefined ? {} : { sort: int(values, 'sort') }),
    ...(head === undefined ? {} : { headUserId: head === 'none' ? null : int(values, 'head') }),
  }
}

/** Entity types by the names people use (`deal/5`), besides their ids. */
const TYPE_NAMES: Readonly<Record<string, number>> = {
  lead: 1,
  deal: 2,
  contact: 3,
  company: 4,
  quote: 7,
  estimate: 7,
  invoice: 31,
}

const RIGHT_NAMES = ['all', 'read', 'add', 'write', 'delete', 'export', 'import']

/**
 * `--perm TARGET:RIGHTS`: TARGET is `*` (every type), a type id or name, optionally `/FUNNEL`; RIGHTS are
 * `right=LEVEL` pairs separated by commas (right: all, read, add, write, delete, export, import; level: a
 * letter or none/own/department/subdepartments/open/all) and `stages=S1+S2` (or any / none), e.g.
 * `deal/5:read=A,write=A,stages=C5:NEW+C5:WON`. `--perm none` clears the rights.
 */
function permArgs(values: Values): Record<string, unknown>[] {
  const raw = values['perm']
  const specs = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? [raw] : []
  if (specs.length === 1 && specs[0]?.trim().toLowerCase() === 'none') return []
  return specs.map((spec) => {
    const colon = spec.indexOf(':')
    const usage = `--perm takes TARGET:RIGHTS such as "*:all=X" or "deal/5:read=A,write=A,stages=C5:NEW+C5:WON", got ${JSON.stringify(spec)}`
    if (colon < 0) throw new UsageError(usage)
    const target = spec.slice(0, colon).trim().toLowerCase()
    const line: Record<string, unknown> = {}
    if (target !== '*') {
      const match = /^([a-z]+|\d+)(?:\/(\d+))?$/.exec(target)
      const typeRef = match?.[1]
      const type =
        typeRef === undefined ? undefined : /^\d+$/.test(typeRef) ? Number(typeRef) : TYPE_NAMES[typeRef]
      if (type === undefined) throw new UsageError(usage)
      line['entityTypeId'] = type
      if (match?.[2] !== undefined) line['categoryId'] = Number(match[2])
    }
    for (const part of spec.slice(colon + 1).split(',')) {
      if (part.trim() === '') continue
      const eq = part.indexOf('=')
      if (eq < 0) throw new UsageError(usage)
      const key = part.slice(0, eq).trim().toLowerCase()
      const value = part.slice(eq + 1).trim()
      if (key === 'stages') {
        const lower = value.toLowerCase()
        line['stages'] =
          lower === 'any'
            ? null
            : lower === 'none' || value === ''
              ? []
              : value
                  .split('+')
                  .map((s) => s.trim())
                  .filter((s) => s !== '')
      } else if (RIGHT_NAMES.includes(key)) {
        line[key] = value
      } else {
        throw new UsageError(
          `--perm: unknown right ${JSON.stringify(key)}; rights: ${RIGHT_NAMES.join(', ')}, stages`,
        )
      }
    }
    return line
  })
}

function onOff(values: Values, name: string): boolean {
  const value = str(values, name).trim().toLowerCase()
  if (['on', 'true', '1', 'yes'].includes(value)) return true
  if (['off', 'false', '0', 'no'].includes(value)) return false
  throw new UsageError(`--${name} takes on or off, got ${JSON.stringify(value)}`)
}

/**
 * `--query-limit`: a plan name (limits.md: standard = 50 then 2/s, enterprise = 250 then 5/s), `off`, or
 * `BURST,PER_SECOND` for other numbers. The numbers' ranges are checked by the shared settings schema.
 */
function queryLimitArg(values: Values): unknown {
  const value = str(values, 'query-limit').trim().toLowerCase()
  if (['off', 'standard', 'enterprise'].includes(value)) return value
  const custom = /^(\d+)\s*,\s*(\d+(?:\.\d+)?)$/.exec(value)
  if (custom?.[1] === undefined || custom[2] === undefined) {
    throw new UsageError(
      `--query-limit takes off, standard, enterprise or BURST,PER_SECOND (e.g. 50,2), got ${JSON.stringify(value)}`,
    )
  }
  return { burst: Number(custom[1]), perSecond: Number(custom[2]) }
}

/** `--operating-limit`: `off`, `on` (the documented default of 420 s) or a number of seconds. */
function operatingLimitArg(values: Values): unknown {
  const value = str(values, 'operating-limit').trim().toLowerCase()
  if (value === 'off') return 'off'
  if (value === 'on') return { seconds: DEFAULT_OPERATING_LIMIT_SECONDS }
  if (!/^\d+(?:\.\d+)?$/.test(value)) {
    throw new UsageError(`--operating-limit takes off, on (420 s) or SECONDS, got ${JSON.stringify(value)}`)
  }
  return { seconds: Number(value) }
}

/** Where the server listens, as the server's environment says; wildcard binds are reached over loopback. */
function baseUrls(config: Config): string[] {
  const host =
    config.host === '0.0.0.0'
      ? '127.0.0.1'
      : config.host === '::'
        ? '[::1]'
        : config.host.includes(':')
          ? `[${config.host}]`
          : config.host
  const urls: string[] = []
  if (config.httpPort !== 0) urls.push(`http://${host}:${config.httpPort}`)
  if (config.httpsPort !== undefined) urls.push(`https://${host}:${config.httpsPort}`)
  return urls
}

function usageLine(command: Command): string {
  return `  b24crm ${command.words.join(' ')} ${command.args}`.trimEnd()
}

function commandHelp(command: Command): string {
  return [`usage: ${usageLine(command).trim()} [--json]`, '', command.summary + '.', '', ENVIRONMENT].join(
    '\n',
  )
}

function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.words.join(' ').length))
  return [
    'usage: b24crm <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.words.join(' ').padEnd(width)}  ${c.summary}`),
    `  ${'help [command]'.padEnd(width)}  Show this help, or a command's options`,
    '',
    'Options for every command: --json (machine-readable output), --data-dir DIR, --database-url URL,',
    "--admin-token TOKEN (else B24_ADMIN_TOKEN, else the data folder's admin-token file).",
    '--portal takes a portal id or domain and defaults to the default portal (the first one).',
    '',
    ENVIRONMENT,
  ].join('\n')
}

const ENVIRONMENT = [
  'The CLI works on the store the server uses, with or without a running server:',
  '  B24_DATA_DIR      data folder (default ./data), SQLite file b24crm.sqlite in it',
  '  B24_DATABASE_URL  PostgreSQL instead of SQLite',
  '  B24_ADMIN_TOKEN   the admin token (else <data>/admin-token); commands on the store need it',
  '  B24_HOST, B24_PORT, B24_HTTPS_PORT  used to print webhook URLs',
].join('\n')

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
