import type {
  CrmAdminsView,
  DepartmentView,
  PermissionLineView,
  RoleView,
  AppView,
  CreatedApp,
  CreatedWebhook,
  PortalView,
  TokenPairView,
  UserView,
  WebhookView,
} from '../admin/operations.js'

/** Human-readable renderings of the admin views; `--json` prints the views themselves instead. */

export function portalText(portal: PortalView): string {
  return [
    `Portal ${portal.id}  ${portal.domain}`,
    `  name        ${portal.name}`,
    `  member id   ${portal.memberId}`,
    `  time zone   ${utcOffset(portal.timeZoneOffset)}`,
    `  settings    ${settingsText(portal.settings)}`,
    `  admin       user ${portal.adminUserId}`,
  ].join('\n')
}

export function portalsTable(portals: PortalView[]): string {
  if (portals.length === 0) return 'No portals yet (b24crm portal create)'
  return table(
    ['ID', 'DOMAIN', 'NAME', 'TIME ZONE', 'SETTINGS'],
    portals.map((p) => [
      String(p.id),
      p.domain,
      p.name,
      utcOffset(p.timeZoneOffset),
      settingsText(p.settings),
    ]),
  )
}

export function userText(user: UserView): string {
  const email = user.email === '' ? '' : ` <${user.email}>`
  const traits = [
    user.userType,
    ...(user.isAdmin ? ['administrator'] : []),
    ...(user.active ? [] : ['inactive']),
    user.departments.length === 0 ? 'no department' : `departments ${user.departments.join(', ')}`,
  ]
  return `User ${user.id} of portal ${user.portalId}: ${fullName(user)}${email} (${traits.join(', ')})`
}

export function usersTable(users: UserView[]): string {
  return table(
    ['ID', 'NAME', 'EMAIL', 'TYPE', 'ADMIN', 'ACTIVE', 'DEPARTMENTS'],
    users.map((u) => [
      String(u.id),
      fullName(u),
      u.email,
      u.userType,
      u.isAdmin ? 'yes' : 'no',
      u.active ? 'yes' : 'no',
      u.departments.join(','),
    ]),
  )
}

export function createdWebhookText(webhook: CreatedWebhook, urls: string[]): string {
  const lines = [
    `Webhook ${webhook.id} created in portal ${webhook.portalId} for user ${webhook.userId}`,
    `  scopes   ${scopesText(webhook.scopes)}`,
    `  expires  ${webhook.expiresAt ?? 'never'}${webhook.expired ? ' (already expired)' : ''}`,
    ...(urls.length === 0 ? [`  path     ${webhook.path}`] : urls.map((url) => `  url      ${url}`)),
    `  code     ${webhook.code}`,
    'The code is shown only now: the store keeps its hash, not the code.',
  ]
  return lines.join('\n')
}

export function webhooksTable(webhooks: WebhookView[]): string {
  if (webhooks.length === 0) return 'No webhooks (b24crm webhook create --user 1)'
  return table(
    ['ID', 'USER', 'TITLE', 'SCOPES', 'EXPIRES', 'STATUS'],
    webhooks.map((w) => [
      String(w.id),
      String(w.userId),
      w.title,
      scopesText(w.scopes),
      w.expiresAt ?? 'never',
      !w.active ? 'inactive' : w.expired ? 'expired' : 'active',
    ]),
  )
}

function fullName(user: UserView): string {
  const name = [user.name, user.secondName, user.lastName].filter((part) => part !== '').join(' ')
  return name === '' ? '(no name)' : name
}

function scopesText(scopes: string[]): string {
  return scopes.length === 0 ? '(basic only)' : scopes.join(',')
}

function settingsText(settings: object): string {
  const entries = Object.entries(settings)
  // Nested switches (limits) print as JSON: `limits={"queryLimit":"standard"}`.
  const shown = (value: unknown): string =>
    typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)
  return entries.length === 0 ? '-' : entries.map(([key, value]) => `${key}=${shown(value)}`).join(' ')
}

/** +180 → "UTC+03:00" */
export function utcOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+'
  const abs = Math.abs(minutes)
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)),
  )
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  return [line(headers), ...rows.map(line)].join('\n')
}

export function appText(app: AppView): string {
  return [
    `Application ${app.id}  ${app.title === '' ? '(no title)' : app.title}  (portal ${app.portalId})`,
    `  client id          ${app.clientId}`,
    `  scopes             ${scopesText(app.scopes)}`,
    `  redirect URI       ${app.redirectUri ?? '(none: /oauth/authorize/ shows the code)'}`,
    `  users              ${app.users.length === 0 ? 'everyone' : app.users.join(', ')}`,
    `  installed          ${app.installed ? `yes (status ${app.status})` : 'no'}`,
    `  application token  ${app.applicationToken}`,
  ].join('\n')
}

/** `bases` are the server's base URLs (`http://127.0.0.1:8080`), for the authorize and token endpoints. */
export function createdAppText(app: CreatedApp, bases: string[]): string {
  const base = bases[0] ?? 'http://127.0.0.1:8080'
  return [
    appText(app),
    `  client secret      ${app.clientSecret}`,
    'The client secret is shown only now: the store keeps its hash, not the secret.',
    `  authorize  ${base}/oauth/authorize/?client_id=${app.clientId}&state=…  (user_id=N picks the user; default 1)`,
    `  token      ${base}/oauth/token/  (client_endpoint and server_endpoint: ${base}/rest/)`,
  ].join('\n')
}

export function appsTable(apps: AppView[]): string {
  if (apps.length === 0) return 'No applications (b24crm app create --scope crm,user)'
  return table(
    ['ID', 'CLIENT ID', 'TITLE', 'SCOPES', 'USERS', 'STATUS'],
    apps.map((a) => [
      String(a.id),
      a.clientId,
      a.title,
      scopesText(a.scopes),
      a.users.length === 0 ? 'everyone' : a.users.join(','),
      a.installed ? `installed (${a.status})` : 'not installed',
    ]),
  )
}

export function tokenPairText(pair: TokenPairView): string {
  const expires = typeof pair['expires'] === 'number' ? new Date(pair['expires'] * 1000).toISOString() : '?'
  return [
    `Tokens for user ${String(pair['user_id'])} (scope ${String(pair['scope'])})`,
    `  access_token     ${String(pair['access_token'])}  (expires ${expires})`,
    `  refresh_token    ${String(pair['refresh_token'])}`,
    `  client_endpoint  ${String(pair['client_endpoint'])}`,
    `  server_endpoint  ${String(pair['server_endpoint'])}`,
    `  member_id        ${String(pair['member_id'])}`,
    '--json prints the pair exactly as /oauth/token/ answers it.',
  ].join('\n')
}

export function departmentText(department: DepartmentView): string {
  return [
    `Department ${department.id}  ${department.name}  (portal ${department.portalId})`,
    `  parent   ${department.parentId === null ? '(root)' : department.parentId}`,
    `  head     ${department.headUserId === null ? '-' : `user ${department.headUserId}`}`,
    `  sort     ${department.sort}`,
    `  members  ${department.members.length === 0 ? '-' : department.members.join(', ')}`,
  ].join('\n')
}

export function departmentsTable(departments: DepartmentView[]): string {
  return table(
    ['ID', 'NAME', 'PARENT', 'HEAD', 'SORT', 'MEMBERS'],
    departments.map((d) => [
      String(d.id),
      d.name,
      d.parentId === null ? '-' : String(d.parentId),
      d.headUserId === null ? '-' : String(d.headUserId),
      String(d.sort),
      d.members.join(','),
    ]),
  )
}

const RIGHTS = ['read', 'add', 'write', 'delete', 'export', 'import'] as const

/** One permission line as the CLI takes it back: `deal/5:read=A,write=A,stages=C5:NEW+C5:WON`. */
export function permissionLineText(line: PermissionLineView): string {
  const target =
    line.entityTypeId === null
      ? '*'
      : line.categoryId === null
        ? String(line.entityTypeId)
        : `${line.entityTypeId}/${line.categoryId}`
  const rights = RIGHTS.filter((r) => line[r] !== undefined).map(
    (r) => `${r}=${line[r] === '' ? 'none' : line[r]}`,
  )
  if (line.stages !== undefined) {
    rights.push(
      `stages=${line.stages === null ? 'any' : line.stages.length === 0 ? 'none' : line.stages.join('+')}`,
    )
  }
  return `${target}:${rights.join(',')}`
}

export function roleText(role: RoleView): string {
  return [
    `CRM role ${role.id}  ${role.name}  (portal ${role.portalId})`,
    `  settings     ${role.allowSettings ? 'may modify CRM settings' : 'may not modify CRM settings'}`,
    `  assigned to  ${role.assignedTo.length === 0 ? '(nobody)' : role.assignedTo.join(', ')}`,
    ...(role.permissions.length === 0
      ? ['  rights       (none)']
      : role.permissions.map(
          (line, i) => `  ${i === 0 ? 'rights     ' : '           '}  ${permissionLineText(line)}`,
        )),
    'Levels: none, A own, D department, F department and subdepartments, O all open, X all.',
  ].join('\n')
}

export function rolesTable(roles: RoleView[]): string {
  if (roles.length === 0) return 'No CRM roles: only administrators have CRM rights (b24crm role create)'
  return table(
    ['ID', 'NAME', 'SETTINGS', 'ASSIGNED TO', 'RIGHTS'],
    roles.map((r) => [
      String(r.id),
      r.name,
      r.allowSettings ? 'yes' : 'no',
      r.assignedTo.join(',') || '-',
      r.permissions.map(permissionLineText).join(' '),
    ]),
  )
}

export function crmAdminsText(view: CrmAdminsView): string {
  return [
    `CRM administrators of portal ${view.portalId}: ${view.crmAdmins.length === 0 ? '(none besides the portal administrators)' : view.crmAdmins.join(', ')}`,
    'Portal administrators are always CRM administrators.',
  ].join('\n')
}
