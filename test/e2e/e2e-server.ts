import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The real server process for end-to-end tests: `node dist/main.js` on a prepared data folder, HTTP and HTTPS
 * on free ports, and an SDK client script run in a child process that trusts the server's local CA (the
 * official SDKs refuse `http://` webhook URLs). Needs `npm run build` (npm test runs it through `pretest`).
 */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface E2eServer {
  /** `https://127.0.0.1:<port>/rest/1/<code>`, without the trailing slash */
  httpsBase: string
  stop(): void
}

export function startServer(
  dataDir: string,
  code: string,
  env: Record<string, string> = {},
): Promise<E2eServer> {
  const server: ChildProcess = spawn(process.execPath, [join(ROOT, 'dist/main.js')], {
    env: {
      ...process.env,
      B24_DATA_DIR: dataDir,
      B24_PORT: '0',
      B24_HTTPS_PORT: '0',
      B24_BOOTSTRAP_WEBHOOK: code,
      B24_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return new Promise<E2eServer>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 20_000)
    server.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /webhook (https:\/\/\S+)/.exec(out)
      if (match?.[1] !== undefined) {
        clearTimeout(timer)
        resolve({ httpsBase: match[1].replace(/\/$/, ''), stop: () => server.kill('SIGTERM') })
      }
    })
    server.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()))
    server.on('exit', (exitCode) => reject(new Error(`server exited with ${String(exitCode)}: ${out}`)))
  })
}

/** Runs `test/e2e/<script>` with the given arguments; its last stdout line is the JSON of what it saw. */
export function runClient<T = Record<string, unknown>>(
  script: string,
  args: string[],
  dataDir: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'test/e2e', script), ...args], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dataDir, 'tls', 'ca.pem') },
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
    child.on('exit', (exitCode) => {
      const line = out.trim().split('\n').pop() ?? ''
      if (exitCode !== 0 || !line.startsWith('{'))
        reject(new Error(`client failed (${String(exitCode)}): ${err}\n${out}`))
      else resolve(JSON.parse(line) as T)
    })
  })
}
