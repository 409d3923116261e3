/**
 * PHP 8.2 `parse_str` for query strings and form bodies.
 *
 * Bitrix24 reads every form body, query string and batch sub-command through PHP's variable registration
 * (research/server-behaviour.md §3 item 61), so clients rely on its exact quirks. The rules below follow
 * `php_default_treat_data` + `php_register_variable_ex` (main/php_variables.c) and were checked against
 * `php -r 'parse_str(...)'` 8.2.36 (research/stack-trials.md §4 has the case table):
 *
 * - pairs are split on `&`; empty pairs are skipped; a pair without `=` gets the value `""`;
 * - name and value are URL-decoded (`+` is a space; a malformed `%` escape stays literal, like `urldecode`);
 * - the name is cut at the first NUL byte and leading spaces are dropped;
 * - in the base name (before the first `[`), `.` and ` ` become `_`; an empty base name drops the pair;
 * - `[key]` descends into nested arrays, `[]` (or `[ ]`, one whitespace) appends at PHP's next free integer index;
 * - an unterminated `[` at the first level turns into `_` (`a[b.c=1` gives `a_b_c`); deeper, the tail is lost;
 * - anything after a `]` that is not `[` is ignored (`a[x]y=1` sets `a[x]`);
 * - more than `maxDepth` (PHP `max_input_nesting_level`, 64) bracket levels removes the whole base variable;
 * - after `maxVars` (PHP `max_input_vars`) non-empty pairs the rest of the input is ignored;
 * - a later duplicate overwrites in place; a scalar in the way of a nested key is replaced by an array.
 *
 * PHP arrays are modelled internally as insertion-ordered maps (`PhpArray`) so list detection sees the real key
 * order. JS objects always enumerate integer-like keys first in ascending order, so the objects returned here
 * cannot show PHP's order of numeric keys (`a[1]=x&a[0]=y` comes back as `{0:'y',1:'x'}`); what matters, whether
 * the PHP array was a list, is decided before that information is lost.
 *
 * Deviation from PHP: PHP strings are bytes, ours are UTF-16. Percent-escapes are decoded as UTF-8 and invalid
 * sequences become U+FFFD, so two different invalid byte strings may compare equal.
 */

export interface ParsePhpQueryOptions {
  /** PHP `max_input_nesting_level` (default 64): variables with more bracket levels are dropped. */
  maxDepth?: number
  /** PHP `max_input_vars` (default 10000 here; PHP's default is 1000): pairs after this many are ignored. */
  maxVars?: number
  /** Return PHP arrays as plain objects with string keys, without turning lists into JS arrays. */
  keepPhpArrays?: boolean
}

/** A value for `parsePhpEntries`: a string, or a list of strings registered as a PHP list. */
export type PhpEntryValue = string | readonly string[]

const DEFAULT_MAX_DEPTH = 64
const DEFAULT_MAX_VARS = 10_000

/** PHP's ZEND_LONG_MAX / ZEND_LONG_MIN: array keys outside this range stay strings. */
const LONG_MAX = 9223372036854775807n
const LONG_MIN = -9223372036854775808n

type PhpValue = string | PhpArray
type IntKey = number | bigint

/** An ordered PHP array: insertion order plus PHP 8.2's next free integer index (`nNextFreeElement`). */
class PhpArray {
  readonly entries = new Map<string, PhpValue>()
  /** `null` until the first integer key (PHP's ZEND_LONG_MIN sentinel: the first append uses index 0). */
  next: IntKey | null = null
  /** True while the keys are exactly "0", "1", … in insertion order (PHP's "packed list" shape). */
  isList = true

  get(key: string): PhpValue | undefined {
    return this.entries.get(key)
  }

  /** `zend_symtable_update`: overwrite in place or add at the end; integer keys advance the next index. */
  set(key: string, value: PhpValue): void {
    if (!this.entries.has(key)) {
      if (this.isList && key !== String(this.entries.size)) this.isList = false
      const int = integerKey(key)
      if (int !== undefined) this.bumpNext(int)
    }
    this.entries.set(key, value)
  }

  /** `zend_hash_next_index_insert`; false when the next index is taken (only possible at ZEND_LONG_MAX). */
  append(value: PhpValue): boolean {
    const index = this.next ?? 0
    const key = String(index)
    if (this.entries.has(key)) return false
    this.set(key, value)
    return true
  }

  delete(key: string): void {
    // Deletion only happens at the top level (nesting overflow); the top level is never converted to a list.
    this.entries.delete(key)
  }

  private bumpNext(int: IntKey): void {
    if (this.next !== null && int < this.next) return
    if (typeof int === 'number') this.next = int + 1
    else this.next = int === LONG_MAX ? LONG_MAX : normalizeInt(int + 1n)
  }
}

/** Parse a query string or form body the way PHP 8.2 `parse_str` does. */
export function parsePhpQuery(input: string, options: ParsePhpQueryOptions = {}): Record<string, unknown> {
  const top = new PhpArray()
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH
  const maxVars = options.maxVars ?? DEFAULT_MAX_VARS
  forEachPair(input, maxVars, (name, value) => registerVariable(top, name, value, maxDepth))
  return toRecord(top, options.keepPhpArrays !== true)
}

/**
 * Register already-decoded (name, value) pairs with `parse_str` name semantics: the multipart path, where PHP
 * (rfc1867.c) registers raw field names without URL-decoding. A list value is registered as a PHP list
 * (used for uploaded files, see decode-body.ts).
 */
export function parsePhpEntries(
  entries: Iterable<readonly [name: string, value: PhpEntryValue]>,
  options: ParsePhpQueryOptions = {},
): Record<string, unknown> {
  const top = new PhpArray()
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH
  const maxVars = options.maxVars ?? DEFAULT_MAX_VARS
  let count = 0
  for (const [name, value] of entries) {
    if (++count > maxVars) break
    registerVariable(top, name, typeof value === 'string' ? value : listOf(value), maxDepth)
  }
  return toRecord(top, options.keepPhpArrays !== true)
}

/**
 * Turn plain objects whose keys are exactly "0".."n-1" into JS arrays, recursively (PHP's list → JSON array rule).
 * Works on already-built JS values (for example `parsePhpQuery(s, { keepPhpArrays: true })`), where the original
 * order of integer keys is gone: `{1:'x',0:'y'}` is indistinguishable from `{0:'y',1:'x'}` and becomes a list.
 * `parsePhpQuery` without `keepPhpArrays` does not have that limitation.
 */
export function phpArrayToJs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(phpArrayToJs)
  if (!isPlainObject(value)) return value
  const keys = Object.keys(value)
  if (keys.every((key, i) => key === String(i))) return keys.map((key) => phpArrayToJs(value[key]))
  const out: Record<string, unknown> = {}
  for (const key of keys) setOwn(out, key, phpArrayToJs(value[key]))
  return out
}

/** Assign an own enumerable property; `__proto__` and other Object.prototype names stay ordinary keys. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key in Object.prototype) {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true })
  } else {
    target[key] = value
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

// ---------------------------------------------------------------------------------------------------------------
// Splitting and URL decoding (php_default_treat_data, php_url_decode)
// ---------------------------------------------------------------------------------------------------------------

/** Walk `&`-separated pairs in O(n): the next `=` position is cached so pairs without `=` do not rescan. */
function forEachPair(input: string, maxVars: number, visit: (name: string, value: string) => void): void {
  const length = input.length
  let count = 0
  let eq = -2 // -2: not searched yet; -1: no `=` left in the input
  let start = 0
  while (start < length) {
    let end = input.indexOf('&', start)
    if (end === -1) end = length
    if (end > start) {
      // PHP counts every non-empty pair, even ones that are later dropped for an empty name.
      if (++count > maxVars) return
      if (eq !== -1 && eq < start) eq = input.indexOf('=', start)
      if (eq !== -1 && eq < end) visit(urlDecode(input.slice(start, eq)), urlDecode(input.slice(eq + 1, end)))
      else visit(urlDecode(input.slice(start, end)), '')
    }
    start = end + 1
  }
}

/** PHP `urldecode`: `+` is a space, `%XX` is a byte, anything else (including a bad escape) is literal. */
export function urlDecode(text: string): string {
  const percent = text.indexOf('%')
  if (percent === -1) return text.includes('+') ? text.replaceAll('+', ' ') : text
  // Short names and values (`fields%5BTITLE%5D`) decode faster by hand; long escape-heavy values (batch
  // sub-commands) faster with the native decoder.
  if (text.length > 48) return decodeUtf8(text)
  let out = ''
  let last = 0
  for (
    let i = text.indexOf('+') === -1 ? percent : Math.min(percent, text.indexOf('+'));
    i < text.length;
    i++
  ) {
    const code = text.charCodeAt(i)
    if (code === 43 /* + */) {
      out += text.slice(last, i) + ' '
      last = i + 1
    } else if (code === 37 /* % */) {
      const byte = hexByte(text, i + 1)
      if (byte < 0) continue // not an escape: PHP keeps the `%` literally
      if (byte >= 0x80) return decodeUtf8(text) // part of a multi-byte UTF-8 sequence
      out += text.slice(last, i) + String.fromCharCode(byte)
      last = i + 3
      i += 2
    }
  }
  return out + text.slice(last)
}

/** Text with non-ASCII escapes: the built-in decoder when the escapes are well-formed UTF-8, else byte by byte. */
function decodeUtf8(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '))
  } catch {
    return decodeBytewise(text) // a malformed escape or invalid UTF-8 somewhere in the text
  }
}

/** The byte value of the two hex digits at `at`, or -1. */
function hexByte(text: string, at: number): number {
  const high = hexValue(text.charCodeAt(at))
  if (high < 0) return -1
  const low = hexValue(text.charCodeAt(at + 1))
  return low < 0 ? -1 : high * 16 + low
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48
  if (code >= 65 && code <= 70) return code - 55
  if (code >= 97 && code <= 102) return code - 87
  return -1
}

/** Byte-level decode: escapes become bytes, literal text its UTF-8 bytes; invalid UTF-8 becomes U+FFFD. */
function decodeBytewise(text: string): string {
  const bytes: number[] = []
  let literalStart = 0
  const flushLiteral = (end: number): void => {
    if (end > literalStart) for (const b of textEncoder.encode(text.slice(literalStart, end))) bytes.push(b)
  }
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code === 43 /* + */) {
      flushLiteral(i)
      bytes.push(32)
      literalStart = i + 1
      continue
    }
    const byte = code === 37 /* % */ ? hexByte(text, i + 1) : -1
    if (byte < 0) continue
    flushLiteral(i)
    bytes.push(byte)
    i += 2
    literalStart = i + 1
  }
  flushLiteral(text.length)
  return textDecoder.decode(new Uint8Array(bytes))
}

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder('utf-8') // non-fatal: invalid sequences become U+FFFD

// ---------------------------------------------------------------------------------------------------------------
// Variable registration (php_register_variable_ex)
// ---------------------------------------------------------------------------------------------------------------

const OPEN = 91 // [
const CLOSE = 93 // ]

function registerVariable(top: PhpArray, rawName: string, value: PhpValue, maxDepth: number): void {
  const name = cleanName(rawName)
  const open = name.indexOf('[')
  const base = mangleBase(open === -1 ? name : name.slice(0, open))
  if (base === '') return // PHP drops empty names, including `[x]=1`
  if (open === -1) {
    top.set(base, value)
    return
  }
  registerNested(top, base, name, open, value, maxDepth)
}

/** PHP reads the name as a C string (cut at NUL) and skips leading spaces. */
function cleanName(rawName: string): string {
  const nul = rawName.indexOf('\0')
  const name = nul === -1 ? rawName : rawName.slice(0, nul)
  let start = 0
  while (name.charCodeAt(start) === 32) start++
  return start === 0 ? name : name.slice(start)
}

/** In the base name, spaces and dots become underscores (PHP variable names cannot contain them). */
function mangleBase(base: string): string {
  return base.includes(' ') || base.includes('.') ? base.replace(/[ .]/g, '_') : base
}

/** Walk the `[..]` segments of `name` starting at the `[` at `open`, creating arrays on the way. */
function registerNested(
  top: PhpArray,
  base: string,
  name: string,
  open: number,
  value: PhpValue,
  maxDepth: number,
): void {
  let container = top
  let key: string | null = base // the key in `container` that the next segment descends into
  let pos = open
  for (let level = 1; ; level++) {
    if (level > maxDepth) {
      top.delete(base) // PHP removes the whole variable, not just the deep branch
      return
    }
    const segStart = pos + 1
    // PHP skips one whitespace character before testing for `]`: `a[ ]` appends like `a[]`, but `a[ x]`
    // keeps the space in the key.
    const scan = isCSpace(name.charCodeAt(segStart)) ? segStart + 1 : segStart
    let segKey: string | null = null
    let close = scan
    if (name.charCodeAt(scan) !== CLOSE) {
      close = name.indexOf(']', scan)
      if (close === -1) {
        // Unterminated `[`: at the first level the rest joins the name (`a[b.c` → `a_b_c`); deeper it is lost.
        if (level === 1) key = base + '_' + name.slice(segStart).replace(/[ .[]/g, '_')
        break
      }
      segKey = name.slice(segStart, close)
    }
    const child = descend(container, key)
    if (child === undefined) return
    container = child
    key = segKey
    if (name.charCodeAt(close + 1) !== OPEN) break // junk after `]` is ignored
    pos = close + 1
  }
  if (key === null) container.append(value)
  else container.set(key, value)
}

/** C `isspace` in the "C" locale: space, \t, \n, \v, \f, \r. */
function isCSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13)
}

/** Get the array at `key` (or a new one at the next index when `key` is null), replacing a scalar in the way. */
function descend(container: PhpArray, key: string | null): PhpArray | undefined {
  if (key === null) {
    const created = new PhpArray()
    return container.append(created) ? created : undefined
  }
  const existing = container.get(key)
  if (existing instanceof PhpArray) return existing
  const created = new PhpArray()
  container.set(key, created)
  return created
}

function listOf(values: readonly string[]): PhpArray {
  const list = new PhpArray()
  for (const value of values) list.append(value)
  return list
}

// ---------------------------------------------------------------------------------------------------------------
// Integer keys (ZEND_HANDLE_NUMERIC_STR)
// ---------------------------------------------------------------------------------------------------------------

/** The integer a key string stands for in a PHP array, or undefined when PHP keeps it as a string key. */
function integerKey(key: string): IntKey | undefined {
  const first = key.charCodeAt(0)
  if (!((first >= 48 && first <= 57) || first === 45)) return undefined // fast path: not a digit or `-`
  if (!/^(?:0|-?[1-9][0-9]*)$/.test(key)) return undefined // no leading zeros, no `-0`, no `+`
  if (key.length <= 15) return Number(key)
  const big = BigInt(key)
  return big > LONG_MAX || big < LONG_MIN ? undefined : normalizeInt(big)
}

/** Small integers are kept as numbers (fast); below 2^52 in magnitude, `n + 1` is still exact. */
const NUMBER_LIMIT = 2n ** 52n

function normalizeInt(value: bigint): IntKey {
  return value < NUMBER_LIMIT && value > -NUMBER_LIMIT ? Number(value) : value
}

// ---------------------------------------------------------------------------------------------------------------
// Conversion to JS values
// ---------------------------------------------------------------------------------------------------------------

/** The top level is always a record (PHP's `$_GET`/`$_POST` are never handed to methods as lists). */
function toRecord(array: PhpArray, lists: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of array.entries) setOwn(out, key, toJs(value, lists))
  return out
}

function toJs(value: PhpValue, lists: boolean): unknown {
  if (typeof value === 'string') return value
  if (lists && value.isList) {
    const out: unknown[] = []
    for (const item of value.entries.values()) out.push(toJs(item, lists))
    return out
  }
  return toRecord(value, lists)
}
