/**
 * Method parameters of a REST request, read the way Bitrix24 reads them (`CRestUtil::getRequestData`,
 * research/server-behaviour.md §3 item 61):
 *
 * - the query string is always parsed with PHP `parse_str` rules;
 * - the body depends on its content type:
 *   - `application/json`: JSON-decoded; invalid JSON (or JSON PHP would refuse, see `decodeJson`) is an empty
 *     parameter set, not an error;
 *   - `multipart/form-data`: text fields are registered with `parse_str` name rules (as PHP's rfc1867 handler
 *     does); see `decodeMultipart` for files;
 *   - anything else, including no content type: the raw body is `parse_str`-decoded;
 * - body parameters override query parameters with the same top-level name (PHP merges `$_GET` and `$_POST`
 *   with POST winning).
 *
 * Telemetry (`bx24_*`) and `auth` are left in the result; the caller strips them.
 */

import { parseMultipart } from './multipart.js'
import { parsePhpEntries, parsePhpQuery, setOwn, type PhpEntryValue } from './parse-php-query.js'
import { mayCarryNul, scrubNul } from './scrub-nul.js'

export interface RequestParamsInput {
  /** The raw query string, with or without the leading `?`. */
  query: string
  body: Buffer | undefined
  /** The raw Content-Type header, if any. */
  contentType: string | undefined
}

/**
 * PHP `json_decode`'s default depth is 512, which (checked on PHP 8.2) admits at most 511 nested arrays/objects;
 * deeper documents fail to decode, so Bitrix sees no parameters.
 */
const JSON_MAX_NESTING = 511

export function decodeRequestParams(input: RequestParamsInput): Record<string, unknown> {
  const query = input.query.startsWith('?') ? input.query.slice(1) : input.query
  const params = query === '' ? {} : parsePhpQuery(query)
  const fromBody = decodeBody(input.body, input.contentType)
  for (const key of Object.keys(fromBody)) setOwn(params, key, fromBody[key])
  const body = input.body
  const carriesNul =
    mayCarryNul(query) ||
    (body !== undefined && (body.includes(0) || body.includes('%00') || body.includes('\\u0000')))
  return carriesNul ? scrubNul(params) : params
}

function decodeBody(body: Buffer | undefined, contentType: string | undefined): Record<string, unknown> {
  if (body === undefined || body.length === 0) return {}
  const type = mediaType(contentType)
  if (type === 'application/json') return decodeJson(body)
  if (type === 'multipart/form-data') return decodeMultipart(body, contentType ?? '')
  return parsePhpQuery(body.toString('utf8'))
}

/** `Application/JSON; charset=UTF-8` → `application/json`. */
function mediaType(contentType: string | undefined): string {
  if (contentType === undefined) return ''
  const semi = contentType.indexOf(';')
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase()
}

/**
 * JSON body → parameters. An object root is used as is; an array root becomes an object with index keys (PHP's
 * `json_decode(..., true)` gives an array either way; REST v3 batch relies on it); a scalar root, invalid JSON or
 * nesting deeper than PHP allows gives no parameters. JSON types are kept (numbers stay numbers,
 * `{}` and `[]` stay distinct), unlike form bodies where every scalar is a string.
 * Deviation: invalid UTF-8 is replaced with U+FFFD instead of failing the whole document as PHP would.
 */
function decodeJson(body: Buffer): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(body.toString('utf8'))
  } catch {
    return {} // SyntaxError, or RangeError from a pathological document
  }
  if (typeof value !== 'object' || value === null || exceedsDepth(value, JSON_MAX_NESTING)) return {}
  if (!Array.isArray(value)) return value as Record<string, unknown>
  const params: Record<string, unknown> = {}
  value.forEach((item: unknown, index) => {
    params[String(index)] = item
  })
  return params
}

/** Iterative depth check (no recursion, so a hostile document cannot overflow the stack here). */
function exceedsDepth(root: object, maxDepth: number): boolean {
  const stack: Array<[value: object, depth: number]> = [[root, 1]]
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [value, depth] = next
    if (depth > maxDepth) return true
    for (const child of Object.values(value)) {
      if (typeof child === 'object' && child !== null) stack.push([child as object, depth + 1])
    }
  }
  return false
}

/**
 * Multipart body → parameters. Text fields keep their raw names (`fields[TITLE]`) and go through `parse_str`
 * name rules. A file part becomes the pair `[filename, base64(data)]` at its field name: the same shape as the
 * documented file values (research/client-contract.md §3 "Files"), so `fields[UF_CRM_FILE][fileData]` with a file
 * is read like `{"fileData": ["a.txt", "<base64>"]}` in JSON. Files are registered after all text fields, so a
 * file wins over a text field of the same name. A file part with an empty filename (a browser's "no file selected")
 * is skipped, as PHP does. A body that does not frame as multipart gives no parameters.
 */
function decodeMultipart(body: Buffer, contentType: string): Record<string, unknown> {
  const parsed = parseMultipart(body, contentType)
  if (parsed === null) return {}
  const entries: Array<[string, PhpEntryValue]> = [...parsed.fields]
  for (const file of parsed.files) {
    if (file.filename === '') continue // PHP: UPLOAD_ERR_NO_FILE, whatever the content
    entries.push([file.name, [file.filename, file.data.toString('base64')]])
  }
  return parsePhpEntries(entries)
}
