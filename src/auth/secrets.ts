import { hash, randomBytes, timingSafeEqual } from 'node:crypto'

/** Webhook codes and tokens are stored as their SHA-256; the secret itself never reaches the database. */
export function hashSecret(secret: string): string {
  // The one-shot form (UTF-8 for a string) costs half of createHash().update().digest(): every call pays it.
  return hash('sha256', secret, 'hex')
}

/** A secret like the ones Bitrix24 issues for webhooks: 16 lower-case alphanumerics. */
export function generateSecret(length = 16): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'
  const bytes = randomBytes(length)
  let out = ''
  for (const byte of bytes) out += alphabet[byte % alphabet.length]
  return out
}

/** Compares two hex digests in constant time, so a near-miss takes as long as a far one. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex')
  const right = Buffer.from(b, 'hex')
  return left.length === right.length && timingSafeEqual(left, right)
}
