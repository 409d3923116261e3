import { execFile, execFileSync } from 'node:child_process'
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { createServer, get } from 'node:https'
import type { Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as der from './der.js'
import { ensureLocalTls, inspectCertificate, normalizeHosts } from './tls.js'
import type { LocalTls } from './tls.js'

const run = promisify(execFile)
const DAY = 24 * 60 * 60 * 1000

function has(command: string): boolean {
  try {
    execFileSync('which', [command], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'b24crm-tls-'))
  dirs.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

/** A complete set of files from an unrelated data directory, to plant as "wrong" files. */
let foreignLeaf: LocalTls
beforeAll(async () => {
  foreignLeaf = await ensureLocalTls(tempDir())
})
const createOtherKey = (): string =>
  generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString()

const ext = (cert: X509Certificate, oid: string) => inspectCertificate(cert.raw).extensions.get(oid)

describe('der', () => {
  it('encodes the primitives X.509 needs', () => {
    expect(der.integer(0).toString('hex')).toBe('020100')
    expect(der.integer(2).toString('hex')).toBe('020102')
    expect(der.integer(128).toString('hex')).toBe('02020080')
    expect(der.integer(Buffer.from([0, 0, 0x7f])).toString('hex')).toBe('02017f')
    expect(der.integer(Buffer.from([0xff])).toString('hex')).toBe('020200ff')
    expect(der.objectId('1.2.840.10045.4.3.2').toString('hex')).toBe('06082a8648ce3d040302')
    expect(der.objectId('2.5.29.17').toString('hex')).toBe('0603551d11')
    expect(der.boolean(true).toString('hex')).toBe('0101ff')
    expect(der.nullValue().toString('hex')).toBe('0500')
    expect(der.namedBits([0]).toString('hex')).toBe('03020780') // digitalSignature
    expect(der.namedBits([0, 2]).toString('hex')).toBe('030205a0') // + keyEncipherment
    expect(der.namedBits([5, 6]).toString('hex')).toBe('03020106') // keyCertSign, cRLSign
    expect(der.time(new Date('2030-01-02T03:04:05.678Z')).toString('latin1')).toBe('\x17\x0d300102030405Z')
    expect(der.time(new Date('2050-01-02T03:04:05Z')).toString('latin1')).toBe('\x18\x0f20500102030405Z')
    expect(der.printableString('b24crm').toString('hex')).toBe('1306' + Buffer.from('b24crm').toString('hex'))
    expect(() => der.printableString('a*b')).toThrow()
  })

  it('encodes long lengths and reads back what it wrote', () => {
    const big = der.octetString(Buffer.alloc(300, 1))
    expect(big.subarray(0, 4).toString('hex')).toBe('0482012c')
    const seq = der.sequence(der.objectId('1.3.6.1.5.5.7.3.1'), big, der.explicit(3, der.integer(7)))
    const parts = der.children(der.read(seq))
    expect(parts.map((p) => p.tag)).toEqual([der.Tag.OID, der.Tag.OCTET_STRING, 0xa3])
    expect(der.decodeObjectId(parts[0]!)).toBe('1.3.6.1.5.5.7.3.1')
    expect(parts[1]!.value.length).toBe(300)
    expect(() => der.read(seq.subarray(0, seq.length - 1))).toThrow(/truncated/)
  })
})

describe('normalizeHosts', () => {
  it('classifies, canonicalises and de-duplicates', () => {
    const hosts = normalizeHosts([
      'localhost',
      'LOCALHOST.',
      '127.0.0.1',
      '[::1]',
      '0:0:0:0:0:0:0:1',
      '0.0.0.0',
      '::',
      'fe80::1%eth0',
      '::ffff:10.0.0.1',
      'Bücher.Example',
      '*.dev.test',
    ])
    expect(hosts.map((h) => [h.kind, h.name, h.bytes?.toString('hex')])).toEqual([
      ['dns', 'localhost', undefined],
      ['ip', '127.0.0.1', '7f000001'],
      ['ip', '::1', '00000000000000000000000000000001'],
      ['ip', 'fe80::1', 'fe800000000000000000000000000001'],
      ['ip', '::ffff:10.0.0.1', '00000000000000000000ffff0a000001'],
      ['dns', 'xn--bcher-kva.example', undefined],
      ['dns', '*.dev.test', undefined],
    ])
  })

  it('rejects things that are not host names', () => {
    for (const bad of ['', 'https://localhost', 'a b', '-x.test', 'x..test', '1.2.3.4:80']) {
      expect(() => normalizeHosts([bad]), bad).toThrow(/Invalid TLS host/)
    }
  })
})

describe('ensureLocalTls', () => {
  let dataDir: string
  let tls: LocalTls
  let ca: X509Certificate
  let leaf: X509Certificate
  const now = new Date()

  beforeAll(async () => {
    dataDir = tempDir()
    tls = await ensureLocalTls(dataDir, { now })
    ca = new X509Certificate(tls.caPem)
    leaf = new X509Certificate(tls.certPem)
  })

  it('writes the four files into <dataDir>/tls with private permissions', () => {
    const dir = join(dataDir, 'tls')
    expect(tls.caCertPath).toBe(join(dir, 'ca.pem'))
    expect(tls.created).toEqual({ ca: true, leaf: true })
    expect(readdirSync(dir).sort()).toEqual(['ca-key.pem', 'ca.pem', 'server-key.pem', 'server.pem'])
    expect(readFileSync(tls.caCertPath, 'utf8')).toBe(tls.caPem)
    expect(readFileSync(join(dir, 'server.pem'), 'utf8')).toBe(tls.certPem)
    expect(readFileSync(join(dir, 'server-key.pem'), 'utf8')).toBe(tls.keyPem)
    if (process.platform !== 'win32') {
      expect(statSync(dir).mode & 0o777).toBe(0o700)
      expect(statSync(join(dir, 'ca-key.pem')).mode & 0o777).toBe(0o600)
      expect(statSync(join(dir, 'server-key.pem')).mode & 0o777).toBe(0o600)
    }
  })

  it('makes a self-signed 10-year CA with the extensions strict verifiers require', () => {
    expect(ca.ca).toBe(true)
    expect(ca.subject).toMatch(/^O=b24crm\nCN=b24crm local CA [0-9a-f]{8}$/)
    expect(ca.issuer).toBe(ca.subject)
    expect(ca.verify(ca.publicKey)).toBe(true)
    expect(ca.checkPrivateKey(createPrivateKey(readFileSync(join(dataDir, 'tls', 'ca-key.pem'))))).toBe(true)
    expect(ca.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
    const years = (Date.parse(ca.validTo) - Date.parse(ca.validFrom)) / (365.25 * DAY)
    expect(years).toBeCloseTo(10, 1)
    expect(Date.parse(ca.validFrom)).toBeLessThanOrEqual(now.getTime())

    const info = inspectCertificate(ca.raw)
    expect(info.extensions.get('2.5.29.19')).toEqual({
      critical: true,
      value: Buffer.from('30060101ff020100', 'hex'),
    })
    expect(info.extensions.get('2.5.29.15')).toEqual({
      critical: true,
      value: Buffer.from('03020106', 'hex'),
    })
    const ski = info.extensions.get('2.5.29.14')
    expect(ski?.critical).toBe(false)
    expect(der.read(ski!.value).value.length).toBe(20)
  })

  it('makes a leaf for localhost, 127.0.0.1 and ::1 signed by the CA', () => {
    expect(leaf.ca).toBe(false)
    expect(leaf.issuer).toBe(ca.subject)
    expect(leaf.verify(ca.publicKey)).toBe(true)
    expect(leaf.verify(leaf.publicKey)).toBe(false)
    expect(leaf.checkPrivateKey(createPrivateKey(tls.keyPem))).toBe(true)
    expect(leaf.checkHost('localhost')).toBe('localhost')
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1')
    expect(leaf.checkIP('::1')).toBe('::1')
    expect(leaf.checkHost('example.com')).toBeUndefined()
    expect(leaf.checkIP('127.0.0.2')).toBeUndefined()
    expect(leaf.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1')
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']) // Node reports extKeyUsage here: serverAuth

    const validFrom = Date.parse(leaf.validFrom)
    const validTo = Date.parse(leaf.validTo)
    expect(validFrom).toBeLessThanOrEqual(now.getTime())
    expect(validTo - validFrom).toBeLessThanOrEqual(397 * DAY)
    expect(validTo - now.getTime()).toBeGreaterThan(390 * DAY)

    const info = inspectCertificate(leaf.raw)
    expect(info.serial.length).toBe(16)
    expect(info.serial[0]! & 0x80).toBe(0)
    expect(info.serial).not.toEqual(inspectCertificate(ca.raw).serial)
    expect(info.extensions.get('2.5.29.19')).toEqual({ critical: true, value: Buffer.from('3000', 'hex') })
    expect(info.extensions.get('2.5.29.15')).toEqual({
      critical: true,
      value: Buffer.from('03020780', 'hex'),
    })
    // authorityKeyIdentifier = SEQUENCE { [0] the CA's subjectKeyIdentifier }
    const caKeyId = der.read(ext(ca, '2.5.29.14')!.value).value
    const aki = der.children(der.read(info.extensions.get('2.5.29.35')!.value))
    expect(aki.map((e) => [e.tag, e.value.toString('hex')])).toEqual([[0x80, caKeyId.toString('hex')]])
    expect(info.extensions.get('2.5.29.14')).toBeDefined()
  })

  it('is idempotent: a second run reuses CA and leaf', async () => {
    const again = await ensureLocalTls(dataDir)
    expect(again.created).toEqual({ ca: false, leaf: false })
    expect(again.caPem).toBe(tls.caPem)
    expect(again.certPem).toBe(tls.certPem)
    expect(again.keyPem).toBe(tls.keyPem)
  })

  it('re-issues only the leaf when new hosts are requested, then reuses it for any subset', async () => {
    const dir = tempDir()
    const first = await ensureLocalTls(dir)
    const wider = await ensureLocalTls(dir, { hosts: ['crm.test', '10.1.2.3', 'fd00::5'] })
    expect(wider.created).toEqual({ ca: false, leaf: true })
    expect(wider.caPem).toBe(first.caPem)
    expect(wider.certPem).not.toBe(first.certPem)
    expect(wider.keyPem).not.toBe(first.keyPem)
    const cert = new X509Certificate(wider.certPem)
    expect(cert.verify(new X509Certificate(first.caPem).publicKey)).toBe(true)
    expect(cert.checkHost('crm.test')).toBe('crm.test')
    expect(cert.checkHost('localhost')).toBe('localhost')
    expect(cert.checkIP('10.1.2.3')).toBe('10.1.2.3')
    expect(cert.checkIP('fd00::5')).toBe('fd00::5')
    expect(cert.subjectAltName).toContain('IP Address:10.1.2.3')
    expect(cert.subjectAltName).not.toContain('DNS:10.1.2.3')

    const subset = await ensureLocalTls(dir, { hosts: ['CRM.test'] })
    expect(subset.created).toEqual({ ca: false, leaf: false })
    expect(subset.certPem).toBe(wider.certPem)
  })

  it('renews the leaf 30 days before it expires, keeping the CA', async () => {
    const dir = tempDir()
    const start = new Date('2030-06-01T00:00:00Z')
    const first = await ensureLocalTls(dir, { now: start })
    const later = await ensureLocalTls(dir, { now: new Date(start.getTime() + 300 * DAY) })
    expect(later.created).toEqual({ ca: false, leaf: false })
    const renewed = await ensureLocalTls(dir, { now: new Date(start.getTime() + 368 * DAY) })
    expect(renewed.created).toEqual({ ca: false, leaf: true })
    expect(renewed.caPem).toBe(first.caPem)
    expect(Date.parse(new X509Certificate(renewed.certPem).validTo)).toBeGreaterThan(
      start.getTime() + 700 * DAY,
    )
  })

  it('caps the leaf at the CA expiry and replaces an expired CA', async () => {
    const dir = tempDir()
    const start = new Date('2030-06-01T00:00:00Z')
    const first = await ensureLocalTls(dir, { now: start })
    const caTo = Date.parse(new X509Certificate(first.caPem).validTo)
    const nearEnd = await ensureLocalTls(dir, { now: new Date(caTo - 100 * DAY) })
    expect(nearEnd.caPem).toBe(first.caPem)
    expect(Date.parse(new X509Certificate(nearEnd.certPem).validTo)).toBe(caTo)

    const expired = await ensureLocalTls(dir, { now: new Date(caTo + DAY) })
    expect(expired.created).toEqual({ ca: true, leaf: true })
    expect(expired.caPem).not.toBe(first.caPem)
  })

  describe('repairs', () => {
    let dir: string
    let original: LocalTls
    const file = (name: string) => join(dir, 'tls', name)
    afterEach(() => {
      expect(readdirSync(join(dir, 'tls')).sort()).toEqual([
        'ca-key.pem',
        'ca.pem',
        'server-key.pem',
        'server.pem',
      ])
    })

    beforeAll(async () => {
      dir = tempDir()
      original = await ensureLocalTls(dir)
    })

    it.each([
      ['missing server.pem', () => unlinkSync(file('server.pem'))],
      ['missing server-key.pem', () => unlinkSync(file('server-key.pem'))],
      ['garbage server.pem', () => writeFileSync(file('server.pem'), 'not a certificate')],
      ['truncated server.pem', () => writeFileSync(file('server.pem'), original.certPem.slice(0, 200))],
      ['key of another leaf', () => writeFileSync(file('server-key.pem'), createOtherKey())],
      ['leaf from another CA', () => writeFileSync(file('server.pem'), foreignLeaf.certPem)],
    ])('re-issues the leaf but keeps the CA: %s', async (_label, damage) => {
      damage()
      const repaired = await ensureLocalTls(dir)
      expect(repaired.created).toEqual({ ca: false, leaf: true })
      expect(repaired.caPem).toBe(original.caPem)
      expect(
        new X509Certificate(repaired.certPem).verify(new X509Certificate(original.caPem).publicKey),
      ).toBe(true)
      expect(readFileSync(file('ca.pem'), 'utf8')).toBe(original.caPem)
    })

    it.each([
      ['missing ca.pem', () => unlinkSync(file('ca.pem'))],
      ['missing ca-key.pem', () => unlinkSync(file('ca-key.pem'))],
      ['garbage ca.pem', () => writeFileSync(file('ca.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n')],
      ['mismatched ca-key.pem', () => writeFileSync(file('ca-key.pem'), createOtherKey())],
      ['a leaf in place of the CA', () => writeFileSync(file('ca.pem'), readFileSync(file('server.pem')))],
    ])('regenerates everything when the CA is unusable: %s', async (_label, damage) => {
      const before = readFileSync(file('ca.pem'), 'utf8')
      damage()
      const rebuilt = await ensureLocalTls(dir)
      expect(rebuilt.created).toEqual({ ca: true, leaf: true })
      expect(rebuilt.caPem).not.toBe(before)
      expect(new X509Certificate(rebuilt.certPem).verify(new X509Certificate(rebuilt.caPem).publicKey)).toBe(
        true,
      )
    })
  })

  it('lets concurrent callers agree on one CA', async () => {
    const dir = tempDir()
    const results = await Promise.all([1, 2, 3, 4].map(() => ensureLocalTls(dir)))
    expect(new Set(results.map((r) => r.caPem)).size).toBe(1)
    expect(new Set(results.map((r) => r.certPem)).size).toBe(1)
    expect(results.filter((r) => r.created.ca)).toHaveLength(1)
    expect(readFileSync(join(dir, 'tls', 'ca.pem'), 'utf8')).toBe(results[0]!.caPem)
  })

  it('rejects invalid extra hosts before touching the disk', async () => {
    const dir = tempDir()
    await expect(ensureLocalTls(dir, { hosts: ['http://x'] })).rejects.toThrow(/Invalid TLS host/)
    expect(() => readdirSync(join(dir, 'tls'))).toThrow()
  })
})

describe('clients trust the CA (end to end)', () => {
  let tls: LocalTls
  let server: Server
  let port: number
  let ipv6 = false

  beforeAll(async () => {
    tls = await ensureLocalTls(tempDir())
    server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
      res.end(`hello ${req.headers.host ?? ''}`)
    })
    // Listen on both stacks when possible so "localhost" works whichever address it resolves to first.
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen({ port: 0, host: '::', ipv6Only: false }, resolve)
      })
      ipv6 = true
    } catch {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    }
    port = (server.address() as AddressInfo).port
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
  })

  function fetchWithCa(url: string): Promise<string> {
    return new Promise((resolve, reject) => {
      get(url, { ca: tls.caPem }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve(body))
        res.on('error', reject)
      }).on('error', reject)
    })
  }

  it('node:https with ca: accepts https://localhost and https://127.0.0.1', async () => {
    await expect(fetchWithCa(`https://localhost:${port}/`)).resolves.toBe(`hello localhost:${port}`)
    await expect(fetchWithCa(`https://127.0.0.1:${port}/`)).resolves.toBe(`hello 127.0.0.1:${port}`)
  })

  it('node:https with ca: accepts https://[::1]', async ({ skip }) => {
    if (!ipv6) skip()
    await expect(fetchWithCa(`https://[::1]:${port}/`)).resolves.toBe(`hello [::1]:${port}`)
  })

  it('node:https without the CA rejects the certificate', async () => {
    await expect(
      new Promise((resolve, reject) => get(`https://127.0.0.1:${port}/`, resolve).on('error', reject)),
    ).rejects.toThrow(/self[- ]signed|unable to (get|verify)/i)
  })

  it('a child node process with NODE_EXTRA_CA_CERTS can fetch()', async () => {
    const script = `Promise.all(['https://127.0.0.1:${port}/', 'https://localhost:${port}/'].map(u => fetch(u).then(r => r.text()))).then(t => console.log(t.join('|')))`
    const { stdout } = await run(process.execPath, ['-e', script], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.caCertPath, NODE_OPTIONS: '' },
    })
    expect(stdout.trim()).toBe(`hello 127.0.0.1:${port}|hello localhost:${port}`)
  })

  it.skipIf(!has('python3'))('python ssl (with VERIFY_X509_STRICT) accepts it', async () => {
    const script = [
      'import ssl, sys, urllib.request',
      'ctx = ssl.create_default_context(cafile=sys.argv[1])',
      'ctx.verify_flags |= ssl.VERIFY_X509_STRICT',
      'for url in sys.argv[2:]: print(urllib.request.urlopen(url, context=ctx).read().decode())',
    ].join('\n')
    const { stdout } = await run('python3', [
      '-c',
      script,
      tls.caCertPath,
      `https://127.0.0.1:${port}/`,
      `https://localhost:${port}/`,
    ])
    expect(stdout.trim().split('\n')).toEqual([`hello 127.0.0.1:${port}`, `hello localhost:${port}`])
  })

  it.skipIf(!has('curl'))('curl --cacert accepts it', async () => {
    const { stdout } = await run('curl', ['-sS', '--cacert', tls.caCertPath, `https://localhost:${port}/`])
    expect(stdout).toBe(`hello localhost:${port}`)
  })

  it.skipIf(!has('openssl'))('openssl verify -x509_strict accepts the chain', async () => {
    const leafPath = tls.certPath
    const { stdout } = await run('openssl', [
      'verify',
      '-x509_strict',
      '-purpose',
      'sslserver',
      '-CAfile',
      tls.caCertPath,
      leafPath,
    ])
    expect(stdout.trim()).toBe(`${leafPath}: OK`)
  })
})
