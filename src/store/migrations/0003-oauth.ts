import type { Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/**
 * OAuth 2.0 applications (settings/oauth/index.md, local-integrations/local-apps.md): the application card,
 * its installation on a portal, one-time authorization codes and token pairs. Every secret (client secret,
 * code, access and refresh token) is stored as its SHA-256 only (auth/secrets.ts).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const idType = dialect === 'postgres' ? 'serial' : 'integer'
  const autoIncrement = dialect === 'sqlite'

  await db.schema
    .createTable('oauth_app')
    .addColumn('id', idType, (c) => (autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('portal_id', 'integer', (c) => c.notNull().references('portal.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull().unique())
    .addColumn('client_secret_hash', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('application_token', 'text', (c) => c.notNull())
    .addColumn('allowed_users', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('oauth_app_by_portal').on('oauth_app').columns(['portal_id', 'id']).execute()

  await db.schema
    .createTable('oauth_install')
    .addColumn('portal_id', 'integer', (c) => c.notNull().references('portal.id').onDelete('cascade'))
    .addColumn('app_id', 'integer', (c) => c.notNull().references('oauth_app.id').onDelete('cascade'))
    .addColumn('installed', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('oauth_install_pk', ['portal_id', 'app_id'])
    .execute()

  await db.schema
    .createTable('oauth_code')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'integer', (c) => c.notNull().references('oauth_app.id').onDelete('cascade'))
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('oauth_token')
    .addColumn('id', idType, (c) => (autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('access_token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('refresh_token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('app_id', 'integer', (c) => c.notNull().references('oauth_app.id').onDelete('cascade'))
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text', (c) => c.notNull())
    .addColumn('access_expires_at', 'text', (c) => c.notNull())
    .addColumn('refresh_expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    // 'rotated' (a refresh replaced the pair) or 'revoked' (code replay, uninstall)
    .addColumn('revoked_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  // Rotation and revocation act on a whole grant (the chain of pairs one authorization started).
  await db.schema.createIndex('oauth_token_by_grant').on('oauth_token').column('grant_id').execute()
  await db.schema.createIndex('oauth_token_by_app').on('oauth_token').column('app_id').execute()
}
