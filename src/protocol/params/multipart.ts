/**
 * A small `multipart/form-data` parser (RFC 7578 / RFC 2046 §5.1) for request bodies that are already in memory.
 *
 * Bitrix24 accepts multipart POST bodies like PHP does (docs settings/how-to-call-rest-api/data-encoding.md);
 * no client in research/client-contract.md sends them, so this favours being simple and strict about structure
 * (a body that does not frame correctly returns null) while lenient about details browsers and curl differ on:
 * a missing closing `--`, bare LF line breaks, header-name case and quoting of parameters.
 */

export interface MultipartFile {
  name: string
  filename: string
  contentType: string
  data: Buffer
}

export interface MultipartResult {
  fields: Array<[name: string, value: string]>
  files: MultipartFile[]
}

interface Part {
  headers: Map<string, string>
  data: Buffer
}

/** Parse a multipart body; null when the boundary is missing or the body does not frame into parts. */
export function parseMultipart(body: Buffer, contentType: string): MultipartResult | null {
  const boundary = headerParams(contentType).get('boundary')
  if (boundary === undefined || boundary.length === 0 || boundary.length > 200) return null
  const parts = splitParts(body, Buffer.from(`--${boundary}`, 'latin1'))
  if (parts === null) return null
  const result: MultipartResult = { fields: [], files: [] }
  for (const part of parts) addPart(result, part)
  return result
}

/** Sort one part into a field or a file by its Content-Disposition; parts without a name are skipped (as PHP). */
function addPart(result: MultipartResult, part: Part): void {
  const disposition = part.headers.get('content-disposition')
  if (disposition === undefined) return
  const params = headerParams(disposition)
  const name = params.get('name')
  if (name === undefined || name === '') return
  const filename = params.get('filename*') ?? params.get('filename')
  if (filename === undefined) {
    result.fields.push([name, part.data.toString('utf8')])
    return
  }
  const contentType = part.headers.get('content-type')?.trim() || 'application/octet-stream'
  result.files.push({ name, filename: baseName(filename), contentType, data: part.data })
}

/** Old browsers send the full client path; PHP keeps only the last path component. */
function baseName(filename: string): string {
  const cut = Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\'))
  return cut === -1 ? filename : filename.slice(cut + 1)
}

// ---------------------------------------------------------------------------------------------------------------
// Framing
// ---------------------------------------------------------------------------------------------------------------

const CR = 13
const LF = 10
const DASH = 45

/**
 * Split the body at delimiter lines. The first delimiter may follow a preamble; each later one must start a line.
 * Returns null if the opening delimiter is missing or a part is not followed by another delimiter.
 */
function splitParts(body: Buffer, delimiter: Buffer): Part[] | null {
  let pos = findDelimiterLine(body, delimiter, 0, true)
  if (pos === -1) return null
  const parts: Part[] = []
  for (;;) {
    pos += delimiter.length
    if (body[pos] === DASH && body[pos + 1] === DASH) return parts // close delimiter; the epilogue is ignored
    const afterPadding = skipPadding(body, pos)
    const contentStart = afterPadding >= body.length ? body.length : skipLineEnd(body, afterPadding)
    if (contentStart === -1) return null // the delimiter is followed by something other than a line break
    if (contentStart >= body.length) return parts // lenient: the closing `--` was left out
    const next = findDelimiterLine(body, delimiter, contentStart, false)
    if (next === -1) return null
    const part = parsePart(body.subarray(contentStart, contentEnd(body, next)))
    if (part === null) return null
    parts.push(part)
    pos = next
  }
}

/**
 * Index of the next delimiter that starts a line (preceded by CRLF or LF). With `atStart`, a delimiter at the
 * very beginning of the body also counts (no preamble).
 */
function findDelimiterLine(body: Buffer, delimiter: Buffer, from: number, atStart: boolean): number {
  let at = body.indexOf(delimiter, from)
  while (at !== -1) {
    if ((atStart && at === 0) || (at > 0 && body[at - 1] === LF)) return at
    at = body.indexOf(delimiter, at + 1)
  }
  return -1
}

/** The part's content ends before the line break that precedes the delimiter at `delimiterAt`. */
function contentEnd(body: Buffer, delimiterAt: number): number {
  let end = delimiterAt - 1 // the LF
  if (end > 0 && body[end - 1] === CR) end--
  return end
}

/** RFC 2046 allows linear whitespace ("transport padding") after a delimiter. */
function skipPadding(body: Buffer, pos: number): number {
  while (body[pos] === 32 || body[pos] === 9) pos++
  return pos
}

/** Position after a CRLF or LF at `pos`, or -1 if there is none. */
function skipLineEnd(body: Buffer, pos: number): number {
  if (body[pos] === CR && body[pos + 1] === LF) return pos + 2
  if (body[pos] === LF) return pos + 1
  return -1
}

/** Headers up to the first empty line, then the content. Null when the header block never ends. */
function parsePart(raw: Buffer): Part | null {
  const headers = new Map<string, string>()
  let pos = 0
  for (;;) {
    const lineEnd = raw.indexOf(LF, pos)
    if (lineEnd === -1) return null
    const line = raw.toString('utf8', pos, raw[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd)
    pos = lineEnd + 1
    if (line === '') return { headers, data: raw.subarray(pos) }
    addHeaderLine(headers, line)
  }
}

function addHeaderLine(headers: Map<string, string>, line: string): void {
  const colon = line.indexOf(':')
  if (colon <= 0) return // not a header; ignore it like PHP does
  headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
}

// ---------------------------------------------------------------------------------------------------------------
// Header parameters
// ---------------------------------------------------------------------------------------------------------------

/**
 * Parameters of a header value such as `form-data; name="a"; filename="b.txt"` or
 * `multipart/form-data; boundary=xyz`. Names are lower-cased; quoted values may escape `"` and `\` with `\`.
 * `filename*=UTF-8''…` (RFC 5987) is decoded.
 */
export function headerParams(value: string): Map<string, string> {
  const params = new Map<string, string>()
  let pos = value.indexOf(';')
  while (pos !== -1 && pos < value.length) {
    const eq = value.indexOf('=', pos + 1)
    if (eq === -1) break
    const semi = value.indexOf(';', pos + 1)
    if (semi !== -1 && semi < eq) {
      pos = semi // a parameter without `=`: skip it
      continue
    }
    const name = value
      .slice(pos + 1, eq)
      .trim()
      .toLowerCase()
    const [raw, end] = readParamValue(value, eq + 1)
    if (name !== '' && !params.has(name)) params.set(name, name.endsWith('*') ? decodeExtValue(raw) : raw)
    pos = value.indexOf(';', end)
  }
  return params
}

/** A token or quoted-string starting at `start` (after optional whitespace); returns [value, end index]. */
function readParamValue(value: string, start: number): [string, number] {
  let pos = start
  while (value[pos] === ' ' || value[pos] === '\t') pos++
  if (value[pos] !== '"') {
    const semi = value.indexOf(';', pos)
    const end = semi === -1 ? value.length : semi
    return [value.slice(pos, end).trim(), end]
  }
  let out = ''
  for (pos++; pos < value.length; pos++) {
    const ch = value[pos]
    if (ch === '"') return [out, pos + 1]
    if (ch === '\\' && (value[pos + 1] === '"' || value[pos + 1] === '\\')) {
      out += value[pos + 1]
      pos++
    } else {
      out += ch
    }
  }
  return [out, pos] // unterminated quote: take the rest
}

/** RFC 5987 `charset'lang'percent-encoded`; only UTF-8 (and ASCII-compatible fallbacks) are meaningful here. */
function decodeExtValue(raw: string): string {
  const match = /^([^']*)'[^']*'(.*)$/.exec(raw)
  if (match === null) return raw
  try {
    return decodeURIComponent(match[2] ?? '')
  } catch {
    return match[2] ?? ''
  }
}
