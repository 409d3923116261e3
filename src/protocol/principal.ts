import type { Portal } from '../portal/portal.js'
import type { User } from '../portal/users.js'

/** Who is calling: a user of a portal, through a webhook or an OAuth token, with the scopes it grants. */
export interface Principal {
  portal: Portal
  user: User
  authType: 'webhook' | 'oauth'
  scopes: ReadonlySet<string>
  /** identifies the credential for limits and logs (`webhook:12`), never the secret itself */
  credentialKey: string
}
