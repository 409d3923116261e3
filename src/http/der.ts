/**
 * A deliberately small DER (ASN.1 Distinguished Encoding Rules) encoder and reader — just enough to build
 * and inspect X.509 v3 certificates for the local TLS listener (see tls.ts). Only low tag numbers (< 31)
 * and definite lengths are supported, which is all X.509 needs.
 */

/** Universal tag numbers, with the constructed bit already set for SEQUENCE and SET. */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const

// ---------------------------------------------------------------------------------------------- encoding

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length])
  const bytes: number[] = []
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

/** A tag-length-value element; `content` parts are concatenated. */
export function tlv(tag: number, ...content: Buffer[]): Buffer {
  if ((tag & 0x1f) === 0x1f) throw new RangeError('high tag numbers are not supported')
  const body = Buffer.concat(content)
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body])
}

export const sequence = (...items: Buffer[]): Buffer => tlv(Tag.SEQUENCE, ...items)

/** SET OF. DER wants the elements sorted by their encoding; we sort so callers need not care. */
export const set = (...items: Buffer[]): Buffer => tlv(Tag.SET, ...[...items].sort(Buffer.compare))

/** INTEGER from a non-negative number or an unsigned big-endian magnitude. */
export function integer(value: number | Buffer): Buffer {
  let bytes: Buffer
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`unsupported INTEGER ${value}`)
    const digits: number[] = []
    for (let n = value; n > 0; n = Math.floor(n / 256)) digits.unshift(n & 0xff)
    bytes = Buffer.from(digits)
  } else {
    bytes = value
  }
  let start = 0
  while (start < bytes.length - 1 && bytes[start] === 0) start++ // minimal encoding: no leading zeros
  let body = bytes.length === 0 ? Buffer.from([0]) : bytes.subarray(start)
  if ((body[0] ?? 0) & 0x80) body = Buffer.concat([Buffer.from([0]), body]) // keep it positive
  return tlv(Tag.INTEGER, body)
}

export function objectId(dotted: string): Buffer {
  const arcs = dotted.split('.').map((arc) => {
    if (!/^\d+$/.test(arc)) throw new RangeError(`bad OID ${dotted}`)
    return Number(arc)
  })
  const [first, second, ...rest] = arcs
  if (first === undefined || second === undefined || first > 2 || (first < 2 && second > 39)) {
    throw new RangeError(`bad OID ${dotted}`)
  }
  const out: number[] = []
  for (const arc of [first * 40 + second, ...rest]) {
    const base128: number[] = [arc & 0x7f]
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) base128.unshift((n & 0x7f) | 0x80)
    out.push(...base128)
  }
  return tlv(Tag.OID, Buffer.from(out))
}

export function bitString(bytes: Buffer, unusedBits = 0): Buffer {
  return tlv(Tag.BIT_STRING, Buffer.from([unusedBits]), bytes)
}

/**
 * A named-bit-list BIT STRING (e.g. KeyUsage) with the given bit numbers set (bit 0 = most significant bit
 * of the first byte). DER drops trailing zero bits.
 */
export function namedBits(bits: number[]): Buffer {
  if (bits.length === 0) return bitString(Buffer.alloc(0))
  const highest = Math.max(...bits)
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1)
  for (const bit of bits) bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) | (0x80 >> (bit & 7))
  return bitString(bytes, 7 - (highest & 7))
}

export const octetString = (bytes: Buffer): Buffer => tlv(Tag.OCTET_STRING, bytes)
export const boolean = (value: boolean): Buffer => tlv(Tag.BOOLEAN, Buffer.from([value ? 0xff : 0x00]))
export const nullValue = (): Buffer => tlv(Tag.NULL)
export const utf8String = (text: string): Buffer => tlv(Tag.UTF8_STRING, Buffer.from(text, 'utf8'))

export function printableString(text: string): Buffer {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text)) throw new RangeError(`not a PrintableString: ${text}`)
  return tlv(Tag.PRINTABLE_STRING, Buffer.from(text, 'latin1'))
}

export function ia5String(text: string): Buffer {
  if ([...text].some((char) => char.charCodeAt(0) > 0x7f)) throw new RangeError(`not an IA5String: ${text}`)
  return tlv(Tag.IA5_STRING, Buffer.from(text, 'latin1'))
}

/** X.509 Time (RFC 5280 §4.1.2.5): UTCTime through 2049, GeneralizedTime from 2050; whole seconds, UTC. */
export function time(date: Date): Buffer {
  const year = date.getUTCFullYear()
  const two = (n: number): string => String(n).padStart(2, '0')
  const rest =
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes()) +
    two(date.getUTCSeconds()) +
    'Z'
  if (year >= 1950 && year < 2050) return tlv(Tag.UTC_TIME, Buffer.from(two(year % 100) + rest, 'latin1'))
  if (year < 0 || year > 9999) throw new RangeError(`year out of range: ${year}`)
  return tlv(Tag.GENERALIZED_TIME, Buffer.from(String(year).padStart(4, '0') + rest, 'latin1'))
}

/** `[n] EXPLICIT` — a constructed context-specific wrapper around a complete element. */
export const explicit = (n: number, element: Buffer): Buffer => tlv(0xa0 | n, element)

/** `[n] IMPLICIT` for a primitive type — the raw content octets under a context-specific tag. */
export const implicit = (n: number, content: Buffer): Buffer => tlv(0x80 | n, content)

// ---------------------------------------------------------------------------------------------- reading

export interface Element {
  tag: number
  /** The content octets. */
  value: Buffer
  /** The whole element, header included. */
  raw: Buffer
}

/** Reads one element at `offset`. Throws on truncated or unsupported (indefinite/high-tag) encodings. */
export function read(buf: Buffer, offset = 0): Element {
  const tag = buf[offset]
  const first = buf[offset + 1]
  if (tag === undefined || first === undefined) throw new RangeError('DER: truncated header')
  if ((tag & 0x1f) === 0x1f) throw new RangeError('DER: high tag numbers are not supported')
  let length = first
  let header = 2
  if (first & 0x80) {
    const count = first & 0x7f
    if (count === 0 || count > 4) throw new RangeError('DER: unsupported length encoding')
    length = 0
    for (let i = 0; i < count; i++) {
      const byte = buf[offset + 2 + i]
      if (byte === undefined) throw new RangeError('DER: truncated length')
      length = length * 256 + byte
    }
    header += count
  }
  const end = offset + header + length
  if (end > buf.length) throw new RangeError('DER: truncated value')
  return { tag, value: buf.subarray(offset + header, end), raw: buf.subarray(offset, end) }
}

/** The child elements of a constructed element (SEQUENCE, SET, explicit tag). */
export function children(element: Element): Element[] {
  const out: Element[] = []
  for (let offset = 0; offset < element.value.length;) {
    const child = read(element.value, offset)
    out.push(child)
    offset += child.raw.length
  }
  return out
}

/** Decodes an OBJECT IDENTIFIER element back to dotted form. */
export function decodeObjectId(element: Element): string {
  if (element.tag !== Tag.OID) throw new RangeError('DER: not an OID')
  const arcs: number[] = []
  let n = 0
  for (const byte of element.value) {
    n = n * 128 + (byte & 0x7f)
    if (!(byte & 0x80)) {
      arcs.push(n)
      n = 0
    }
  }
  const [head = 0, ...rest] = arcs
  const first = Math.min(2, Math.floor(head / 40))
  return [first, head - first * 40, ...rest].join('.')
}
