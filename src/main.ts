import { loadConfig } from './config.js'
import { createApp } from './app.js'
import { buildHttpServer } from './http/server.js'
import { ensureLocalTls } from './http/tls.js'
import { ensureBootstrap } from './portal/bootstrap.js'
import { ensureAdminToken, recordAdminToken } from './http/admin-token.js'

/** Process entry: config → app → listeners → start-up banner; graceful shutdown on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig()
  const app = await createApp(config)
  const { webhookUserId } = await ensureBootstrap(app.store, config.bootstrapWebhook, app.clock.now())
  const adminToken = await ensureAdminToken(config)
  // The CLI works on the store directly and checks the token it is given against this hash.
  await recordAdminToken(app.store, adminToken.token)

  const servers = [buildHttpServer(app, { adminToken })]
  let caPath: string | undefined
  if (config.httpsPort !== undefined) {
    const tls = await ensureLocalTls(config.dataDir, { hosts: extraHosts(config.host) })
    caPath = tls.caCertPath
    servers.push(buildHttpServer(app, { adminToken, tls: { key: tls.keyPem, cert: tls.certPem } }))
  }
  const [httpServer, httpsServer] = servers
  await httpServer?.listen({ host: config.host, port: config.httpPort })
  await httpsServer?.listen({ host: config.host, port: config.httpsPort })

  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  const lines = [`b24crm is listening`, `  HTTP   http://${host}:${port(httpServer)}/rest/`]
  if (httpsServer !== undefined) lines.push(`  HTTPS  https://${host}:${port(httpsServer)}/rest/`)
  lines.push(`  store  ${config.databaseUrl === undefined ? `SQLite in ${config.dataDir}` : 'PostgreSQL'}`)
  if (config.bootstrapWebhook !== undefined && webhookUserId !== undefined) {
    const path = `/rest/${webhookUserId}/${config.bootstrapWebhook}/`
    lines.push(`  webhook http://${host}:${port(httpServer)}${path}`)
    if (httpsServer !== undefined) lines.push(`  webhook https://${host}:${port(httpsServer)}${path}`)
  }
  if (caPath !== undefined)
    lines.push(`  CA certificate ${caPath}  (NODE_EXTRA_CA_CERTS / REQUESTS_CA_BUNDLE)`)
  lines.push(`  admin token in ${adminToken.source}`)
  process.stdout.write(`${lines.join('\n')}\n`)

  const shutdown = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.close()))
    await app.close()
    process.exit(0)
  }
  process.once('SIGINT', () => void shutdown())
  process.once('SIGTERM', () => void shutdown())
}

function port(server: { server: { address(): unknown } } | undefined): number {
  const address = server?.server.address()
  return typeof address === 'object' && address !== null && 'port' in address ? Number(address.port) : 0
}

/** The certificate always covers localhost, 127.0.0.1 and ::1; a non-loopback bind address is added. */
function extraHosts(host: string): string[] {
  return ['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::'].includes(host) ? [] : [host]
}

main().catch((error: unknown) => {
  process.stderr.write(`b24crm failed to start: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
