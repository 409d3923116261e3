/**
 * Local HTTPS for the emulator: a private certificate authority generated on first start in `<dataDir>/tls/`
 * and a short-lived server ("leaf") certificate for localhost signed by it. The official Bitrix24 SDKs refuse
 * plain-http webhook URLs, so users trust `<dataDir>/tls/ca.pem` (NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE,
 * curl --cacert, ...) and talk to https://localhost.
 *
 * No openssl binary and no dependency: keys come from node:crypto (ECDSA P-256, accepted by OpenSSL, Python's
 * ssl, curl and browsers) and the X.509 v3 certificates are assembled with the tiny DER encoder in der.ts.
 *
 * Files (all replaced atomically: temp file + rename):
 *   ca-key.pem (0600), ca.pem          — the CA; created once and never replaced while it is valid,
 *                                        because users have trusted it
 *   server-key.pem (0600), server.pem  — the leaf; re-issued when missing, broken, not signed by the CA,
 *                                        expiring within 30 days, or not covering the requested hosts
 */
import {
  X509Certificate,
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  sign,
} from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises'
import { isIPv4, isIPv6 } from 'node:net'
import { join } from 'node:path'
import { domainToASCII } from 'node:url'
import {
  Tag,
  bitString,
  boolean,
  children,
  decodeObjectId,
  explicit,
  implicit,
  integer,
  namedBits,
  nullValue,
  objectId,
  octetString,
  read,
  sequence,
  set,
  time,
  utf8String,
} from './der.js'

export interface LocalTlsOptions {
  /** Extra names the server certificate must cover, besides localhost, 127.0.0.1 and ::1. IPs are detected. */
  hosts?: string[]
  /** The current time (tests). */
  now?: Date
}

export interface LocalTls {
  /** `<dataDir>/tls/ca.pem` — what users trust. */
  caCertPath: string
  /** `<dataDir>/tls/server.pem` and `<dataDir>/tls/server-key.pem`. */
  certPath: string
  keyPath: string
  /** The leaf certificate (PEM), for `https.createServer({ cert })`. */
  certPem: string
  /** The leaf private key (PKCS#8 PEM), for `https.createServer({ key })`. */
  keyPem: string
  /** The CA certificate (PEM). */
  caPem: string
  /** What this call had to (re)create — e.g. to log "new local CA: trust <caCertPath>". */
  created: { ca: boolean; leaf: boolean }
}

export const DEFAULT_TLS_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1']

const DAY_MS = 24 * 60 * 60 * 1000
/** Apple and the CA/Browser Forum cap TLS server certificates at 398 days; stay below. */
const LEAF_VALIDITY_DAYS = 397
const LEAF_RENEW_BEFORE_DAYS = 30
const CA_VALIDITY_YEARS = 10
/** Backdate notBefore a little so a slightly lagging client clock still accepts a fresh certificate. */
const BACKDATE_MS = 60 * 60 * 1000

const OID = {
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256WithRsa: '1.2.840.113549.1.1.11',
} as const

/** KeyUsage bit numbers (RFC 5280 §4.2.1.3). */
const KeyUsageBit = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const

export async function ensureLocalTls(dataDir: string, options: LocalTlsOptions = {}): Promise<LocalTls> {
  const now = options.now ?? new Date()
  const hosts = normalizeHosts([...DEFAULT_TLS_HOSTS, ...(options.hosts ?? [])])
  const dir = join(dataDir, 'tls')
  await mkdir(dataDir, { recursive: true })
  try {
    await mkdir(dir, { mode: 0o700 })
    await chmod(dir, 0o700) // mkdir's mode is filtered by the umask
  } catch (err) {
    if (!hasCode(err, 'EEXIST')) throw err
  }
  const paths = {
    caKey: join(dir, 'ca-key.pem'),
    caCert: join(dir, 'ca.pem'),
    leafKey: join(dir, 'server-key.pem'),
    leafCert: join(dir, 'server.pem'),
  }

  return withLock(join(dir, '.lock'), async () => {
    let ca = await loadCa(paths.caCert, paths.caKey, now)
    const caCreated = ca === undefined
    if (ca === undefined) {
      ca = createCa(now)
      // Key first: a crash in between leaves a key/cert mismatch, which the next start treats as "no CA".
      await writeFileAtomic(paths.caKey, ca.keyPem, 0o600)
      await writeFileAtomic(paths.caCert, ca.certPem, 0o644)
    }

    let leaf = caCreated ? undefined : await loadLeaf(paths.leafCert, paths.leafKey, ca, hosts, now)
    const leafCreated = leaf === undefined
    if (leaf === undefined) {
      leaf = createLeaf(ca, hosts, now)
      await writeFileAtomic(paths.leafKey, leaf.keyPem, 0o600)
      await writeFileAtomic(paths.leafCert, leaf.certPem, 0o644)
    }

    return {
      caCertPath: paths.caCert,
      certPath: paths.leafCert,
      keyPath: paths.leafKey,
      certPem: leaf.certPem,
      keyPem: leaf.keyPem,
      caPem: ca.certPem,
      created: { ca: caCreated, leaf: leafCreated },
    }
  })
}

// ---------------------------------------------------------------------------------------------- hosts

interface Host {
  kind: 'dns' | 'ip'
  /** Canonical text: lower-case ASCII DNS name, or the IP as given (brackets/zone stripped). */
  name: string
  /** For IPs: the 4 or 16 address bytes. */
  bytes?: Buffer
}

/** Validates, canonicalises and de-duplicates host names / IPs. Unspecified addresses (0.0.0.0, ::) are dropped. */
export function normalizeHosts(inputs: readonly string[]): Host[] {
  const seen = new Map<string, Host>()
  for (const input of inputs) {
    const host = normalizeHost(input)
    if (host === undefined) continue
    const key = host.bytes ? `ip:${host.bytes.toString('hex')}` : `dns:${host.name}`
    if (!seen.has(key)) seen.set(key, host)
  }
  return [...seen.values()]
}

function normalizeHost(input: string): Host | undefined {
  let text = input.trim()
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1)
  const zone = text.indexOf('%')
  if (zone > 0 && isIPv6(text.slice(0, zone))) text = text.slice(0, zone)
  if (isIPv4(text) || isIPv6(text)) {
    const bytes = ipBytes(text)
    if (bytes.every((b) => b === 0)) return undefined
    return { kind: 'ip', name: text, bytes }
  }
  const lower = text.toLowerCase().replace(/\.$/, '')
  const wildcard = lower.startsWith('*.')
  const ascii = domainToASCII(wildcard ? lower.slice(2) : lower)
  const label = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?'
  if (!ascii || ascii.length > 253 || !new RegExp(`^${label}(?:\\.${label})*$`).test(ascii)) {
    throw new TypeError(`Invalid TLS host name: ${JSON.stringify(input)}`)
  }
  return { kind: 'dns', name: wildcard ? `*.${ascii}` : ascii }
}

function ipBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number))
  let text = ip
  const embedded = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text) // ::ffff:1.2.3.4
  if (embedded) {
    const [b0, b1, b2, b3] = embedded.slice(1).map(Number) as [number, number, number, number]
    text = text.slice(0, embedded.index) + ((b0 << 8) | b1).toString(16) + ':' + ((b2 << 8) | b3).toString(16)
  }
  const [head = '', tail] = text.split('::')
  const headGroups = head ? head.split(':') : []
  const tailGroups = tail ? tail.split(':') : []
  const zeros = tail === undefined ? [] : Array<string>(8 - headGroups.length - tailGroups.length).fill('0')
  const out = Buffer.alloc(16)
  ;[...headGroups, ...zeros, ...tailGroups].forEach((group, i) =>
    out.writeUInt16BE(parseInt(group, 16), i * 2),
  )
  return out
}

// ---------------------------------------------------------------------------------------------- loading

interface Ca {
  cert: X509Certificate
  certPem: string
  key: KeyObject
  keyPem: string
  /** The raw DER subject Name — copied verbatim into the leaf's issuer. */
  subject: Buffer
  /** The CA's subjectKeyIdentifier — copied into the leaf's authorityKeyIdentifier. */
  keyId: Buffer
}

interface Leaf {
  certPem: string
  keyPem: string
}

/** The existing CA, or undefined when it is missing or unusable (and may therefore be replaced). */
async function loadCa(certPath: string, keyPath: string, now: Date): Promise<Ca | undefined> {
  const certPem = await readIfExists(certPath)
  const keyPem = await readIfExists(keyPath)
  if (certPem === undefined || keyPem === undefined) return undefined
  let cert: X509Certificate
  let key: KeyObject
  try {
    cert = new X509Certificate(certPem)
    key = createPrivateKey(keyPem)
  } catch {
    return undefined
  }
  if (!cert.ca || !cert.checkPrivateKey(key)) return undefined
  if (new Date(cert.validTo).getTime() <= now.getTime()) return undefined
  if (key.asymmetricKeyType !== 'ec' && key.asymmetricKeyType !== 'rsa') {
    throw new Error(`${keyPath}: unsupported CA key type ${key.asymmetricKeyType ?? '?'} (use EC or RSA)`)
  }
  let info: CertificateInfo
  try {
    info = inspectCertificate(cert.raw)
  } catch {
    return undefined
  }
  const ski = info.extensions.get(OID.subjectKeyIdentifier)
  const keyId = ski ? read(ski.value).value : subjectKeyId(info.subjectPublicKeyInfo)
  return { cert, certPem, key, keyPem, subject: info.subject, keyId }
}

/** The existing leaf if it is still fit for purpose, otherwise undefined. */
async function loadLeaf(
  certPath: string,
  keyPath: string,
  ca: Ca,
  hosts: Host[],
  now: Date,
): Promise<Leaf | undefined> {
  try {
    const certPem = await readFile(certPath, 'utf8')
    const keyPem = await readFile(keyPath, 'utf8')
    const cert = new X509Certificate(certPem)
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) return undefined
    if (cert.ca || cert.issuer !== ca.cert.subject || !cert.verify(ca.cert.publicKey)) return undefined
    const notBefore = new Date(cert.validFrom).getTime()
    const notAfter = new Date(cert.validTo).getTime()
    if (!(notBefore <= now.getTime()) || !(notAfter - now.getTime() > LEAF_RENEW_BEFORE_DAYS * DAY_MS)) {
      return undefined
    }
    const covered = hosts.every((host) =>
      host.kind === 'ip'
        ? cert.checkIP(host.name) !== undefined
        : cert.checkHost(host.name, { subject: 'never', wildcards: false }) !== undefined,
    )
    return covered ? { certPem, keyPem } : undefined
  } catch {
    return undefined // missing or unreadable: issue a new one
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    if (hasCode(err, 'ENOENT')) return undefined
    throw err // e.g. EACCES: never replace a CA we merely cannot read
  }
}

// ---------------------------------------------------------------------------------------------- issuing

function createCa(now: Date): Ca {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const spki = publicKey.export({ type: 'spki', format: 'der' })
  const keyId = subjectKeyId(spki)
  const subject = name(`b24crm local CA ${randomBytes(4).toString('hex')}`)
  const notBefore = new Date(now.getTime() - BACKDATE_MS)
  const notAfter = new Date(notBefore)
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_VALIDITY_YEARS)
  const der = issue({
    issuer: subject,
    subject,
    spki,
    notBefore,
    notAfter,
    signer: privateKey,
    extensions: [
      // CA:TRUE, pathlen:0 — it signs server certificates only, never other CAs.
      extension(OID.basicConstraints, true, sequence(boolean(true), integer(0))),
      extension(OID.keyUsage, true, namedBits([KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign])),
      extension(OID.subjectKeyIdentifier, false, octetString(keyId)),
      extension(OID.authorityKeyIdentifier, false, sequence(implicit(0, keyId))),
    ],
  })
  const certPem = pem('CERTIFICATE', der)
  return {
    cert: new X509Certificate(certPem),
    certPem,
    key: privateKey,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    subject,
    keyId,
  }
}

function createLeaf(ca: Ca, hosts: Host[], now: Date): Leaf {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const spki = publicKey.export({ type: 'spki', format: 'der' })
  const notBefore = new Date(now.getTime() - BACKDATE_MS)
  const caNotAfter = new Date(ca.cert.validTo).getTime()
  const notAfter = new Date(Math.min(notBefore.getTime() + LEAF_VALIDITY_DAYS * DAY_MS, caNotAfter))
  const usage: number[] = [KeyUsageBit.digitalSignature]
  if (privateKey.asymmetricKeyType === 'rsa') usage.push(KeyUsageBit.keyEncipherment)
  // GeneralName: [7] iPAddress (OCTET STRING) or [2] dNSName (IA5String; names are validated ASCII).
  const altNames = hosts.map((host) =>
    implicit(host.bytes ? 7 : 2, host.bytes ?? Buffer.from(host.name, 'ascii')),
  )
  const der = issue({
    issuer: ca.subject,
    subject: name(hosts[0]?.name ?? 'localhost'),
    spki,
    notBefore,
    notAfter,
    signer: ca.key,
    extensions: [
      extension(OID.basicConstraints, true, sequence()), // CA:FALSE (the DEFAULT, so an empty SEQUENCE)
      extension(OID.keyUsage, true, namedBits(usage)),
      extension(OID.extKeyUsage, false, sequence(objectId(OID.serverAuth))),
      extension(OID.subjectAltName, false, sequence(...altNames)),
      extension(OID.authorityKeyIdentifier, false, sequence(implicit(0, ca.keyId))),
      extension(OID.subjectKeyIdentifier, false, octetString(subjectKeyId(spki))),
    ],
  })
  return {
    certPem: pem('CERTIFICATE', der),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  }
}

interface CertificateSpec {
  issuer: Buffer
  subject: Buffer
  spki: Buffer
  notBefore: Date
  notAfter: Date
  signer: KeyObject
  extensions: Buffer[]
}

/** Builds and signs an X.509 v3 certificate (RFC 5280 §4.1), returning its DER. */
function issue(spec: CertificateSpec): Buffer {
  const algorithm =
    spec.signer.asymmetricKeyType === 'rsa'
      ? sequence(objectId(OID.sha256WithRsa), nullValue())
      : sequence(objectId(OID.ecdsaWithSha256)) // ECDSA AlgorithmIdentifiers have no parameters
  const serial = randomBytes(16)
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40 // positive, and exactly 16 bytes once encoded
  const tbs = sequence(
    explicit(0, integer(2)), // v3
    integer(serial),
    algorithm,
    spec.issuer,
    sequence(time(wholeSeconds(spec.notBefore)), time(wholeSeconds(spec.notAfter))),
    spec.subject,
    spec.spki,
    explicit(3, sequence(...spec.extensions)),
  )
  const signature = sign('sha256', tbs, spec.signer) // ECDSA: DER Ecdsa-Sig-Value; RSA: PKCS#1 v1.5
  return sequence(tbs, algorithm, bitString(signature))
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  // critical is BOOLEAN DEFAULT FALSE: DER omits it unless true.
  return critical
    ? sequence(objectId(oid), boolean(true), octetString(value))
    : sequence(objectId(oid), octetString(value))
}

function name(commonName: string): Buffer {
  const rdn = (oid: string, value: string): Buffer => set(sequence(objectId(oid), utf8String(value)))
  return sequence(rdn(OID.organizationName, 'b24crm'), rdn(OID.commonName, commonName))
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING contents. */
function subjectKeyId(spki: Buffer): Buffer {
  const bits = children(read(spki))[1]
  if (bits?.tag !== Tag.BIT_STRING) throw new Error('malformed SubjectPublicKeyInfo')
  return createHash('sha1').update(bits.value.subarray(1)).digest()
}

const wholeSeconds = (date: Date): Date => new Date(Math.floor(date.getTime() / 1000) * 1000)

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? []
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
}

// ---------------------------------------------------------------------------------------------- inspection

export interface CertificateInfo {
  serial: Buffer
  issuer: Buffer
  subject: Buffer
  subjectPublicKeyInfo: Buffer
  /** Extensions by OID; `value` is the DER inside extnValue. */
  extensions: Map<string, { critical: boolean; value: Buffer }>
}

/** Pulls the raw fields tls.ts needs (and tests check) out of a DER certificate. */
export function inspectCertificate(der: Buffer): CertificateInfo {
  const [tbsElement] = children(read(der))
  if (tbsElement === undefined) throw new Error('malformed certificate')
  const tbs = children(tbsElement)
  const offset = tbs[0]?.tag === 0xa0 ? 1 : 0 // [0] version is absent for v1
  const field = (i: number): Buffer => {
    const element = tbs[offset + i]
    if (element === undefined) throw new Error('malformed certificate')
    return element.raw
  }
  const extensions = new Map<string, { critical: boolean; value: Buffer }>()
  const extensionsElement = tbs.find((element) => element.tag === 0xa3)
  const [list] = extensionsElement ? children(extensionsElement) : []
  for (const ext of list ? children(list) : []) {
    const parts = children(ext)
    const [oid] = parts
    const critical = parts.length === 3 && parts[1]?.tag === Tag.BOOLEAN && parts[1].value[0] !== 0
    const value = parts[parts.length - 1]
    if (oid === undefined || value?.tag !== Tag.OCTET_STRING) throw new Error('malformed extension')
    extensions.set(decodeObjectId(oid), { critical, value: value.value })
  }
  return {
    serial: read(field(0)).value,
    issuer: field(2),
    subject: field(4),
    subjectPublicKeyInfo: field(5),
    extensions,
  }
}

// ---------------------------------------------------------------------------------------------- files

/** Writes via a temp file + rename, so readers (and crashes) only ever see the old or the new file. */
async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  try {
    const handle = await open(temp, 'wx', mode)
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
}

const LOCK_STALE_MS = 10_000
const LOCK_TIMEOUT_MS = 20_000

/**
 * Serialises generation between processes (and concurrent calls) sharing a data directory, so two servers
 * started at once cannot each write a different CA. mkdir is atomic; a lock older than LOCK_STALE_MS
 * (generation takes milliseconds) is left over from a crash and broken.
 */
async function withLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_TIMEOUT_MS
  for (;;) {
    try {
      await mkdir(lockPath)
      break
    } catch (err) {
      if (!hasCode(err, 'EEXIST')) throw err
    }
    try {
      if (Date.now() - (await stat(lockPath)).mtimeMs > LOCK_STALE_MS) {
        await rm(lockPath, { recursive: true, force: true })
        continue
      }
    } catch {
      continue // released meanwhile
    }
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${lockPath}; remove it if no b24crm is running`)
    await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 40))
  }
  try {
    return await fn()
  } finally {
    await rm(lockPath, { recursive: true, force: true })
  }
}

function hasCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code
}
