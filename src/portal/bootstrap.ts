import type { Store } from '../store/store.js'
import { ALL_SCOPES } from '../auth/scopes.js'
import { createPortal, listPortals, type Portal } from './portal.js'
import { createWebhook, findWebhookByCode, setWebhookScopes } from './webhooks.js'

export const DEFAULT_PORTAL_DOMAIN = 'b24crm.local'

/**
 * B24_BOOTSTRAP_WEBHOOK=<code>: make sure the default portal, its admin user 1 and an incoming webhook with
 * that code and every scope exist. Idempotent, so every start can run it (DESIGN.md).
 */
export async function ensureBootstrap(
  store: Store,
  code: string | undefined,
  nowMs: number,
): Promise<{ portal: Portal; webhookUserId: number | undefined }> {
  const portal = await ensureDefaultPortal(store, nowMs)
  if (code === undefined) return { portal, webhookUserId: undefined }
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(code)) {
    throw new Error('B24_BOOTSTRAP_WEBHOOK may contain only letters, digits, "_" and "-" (it goes into URLs)')
  }
  const existing = await findWebhookByCode(store.db, code)
  if (existing !== undefined) {
    if (ALL_SCOPES.some((scope) => !existing.scopes.includes(scope)) || !existing.active) {
      await setWebhookScopes(store.db, existing.id, ALL_SCOPES)
    }
    return { portal, webhookUserId: existing.userId }
  }
  await createWebhook(store.db, { portalId: portal.id, userId: 1, code, title: 'bootstrap' }, nowMs)
  return { portal, webhookUserId: 1 }
}

/** The first portal is the default one; a fresh data folder gets it on first start. */
export async function ensureDefaultPortal(store: Store, nowMs: number): Promise<Portal> {
  const [first] = await listPortals(store.db)
  if (first !== undefined) return first
  return createPortal(store, { domain: DEFAULT_PORTAL_DOMAIN, name: 'b24crm' }, nowMs)
}
