import { describe, expect, it } from 'vitest'
import { headerParams, parseMultipart } from './multipart.js'

const CT = 'multipart/form-data; boundary=XyZ'

function body(...lines: string[]): Buffer {
  return Buffer.from(lines.join('\r\n'), 'utf8')
}

describe('parseMultipart', () => {
  it('reads text fields and files in order', () => {
    const result = parseMultipart(
      body(
        'preamble is ignored',
        '--XyZ',
        'Content-Disposition: form-data; name="fields[TITLE]"',
        '',
        'John & Martin',
        '--XyZ',
        'content-disposition: form-data; name="fields[UF_CRM_FILE]"; filename="a.txt"',
        'Content-Type: text/plain',
        '',
        'Hello',
        '--XyZ',
        'Content-Disposition: form-data; name="multi"',
        '',
        'line 1',
        'line 2',
        '',
        '--XyZ--',
        'epilogue is ignored',
      ),
      CT,
    )
    expect(result).not.toBeNull()
    expect(result?.fields).toEqual([
      ['fields[TITLE]', 'John & Martin'],
      ['multi', 'line 1\r\nline 2\r\n'],
    ])
    expect(result?.files).toHaveLength(1)
    const file = result?.files[0]
    expect(file?.name).toBe('fields[UF_CRM_FILE]')
    expect(file?.filename).toBe('a.txt')
    expect(file?.contentType).toBe('text/plain')
    expect(file?.data.toString()).toBe('Hello')
  })

  it('keeps binary file data byte for byte', () => {
    const bytes = Buffer.from([0, 255, 13, 10, 45, 45, 88, 1, 2, 13, 10])
    const raw = Buffer.concat([
      body('--XyZ', 'Content-Disposition: form-data; name="f"; filename="bin.dat"', '', ''),
      bytes,
      body('', '--XyZ--', ''),
    ])
    const file = parseMultipart(raw, CT)?.files[0]
    expect(file?.contentType).toBe('application/octet-stream')
    expect(file?.data.equals(bytes)).toBe(true)
  })

  it('decodes UTF-8 names and values', () => {
    const result = parseMultipart(
      body('--XyZ', 'Content-Disposition: form-data; name="поле[№]"', '', 'Привет', '--XyZ--'),
      CT,
    )
    expect(result?.fields).toEqual([['поле[№]', 'Привет']])
  })

  it('accepts quoted boundaries, bare LF line breaks, padding and a missing closing --', () => {
    const lf = Buffer.from('--b 1  \nContent-Disposition: form-data; name=a\n\nx\n--b 1\n', 'utf8')
    expect(parseMultipart(lf, 'Multipart/Form-Data; Boundary="b 1"')?.fields).toEqual([['a', 'x']])
    const noClose = body('--XyZ', 'Content-Disposition: form-data; name="a"', '', 'x', '--XyZ')
    expect(parseMultipart(noClose, CT)?.fields).toEqual([['a', 'x']])
  })

  it('takes the file name from filename*, and drops client paths', () => {
    const result = parseMultipart(
      body(
        '--XyZ',
        `Content-Disposition: form-data; name="f"; filename="fallback.txt"; filename*=UTF-8''%D1%84.txt`,
        '',
        'a',
        '--XyZ',
        'Content-Disposition: form-data; name="g"; filename="C:\\dir\\b.txt"',
        '',
        'b',
        '--XyZ--',
      ),
      CT,
    )
    expect(result?.files.map((f) => f.filename)).toEqual(['ф.txt', 'b.txt'])
  })

  it('skips parts without a name or without Content-Disposition', () => {
    const result = parseMultipart(
      body(
        '--XyZ',
        'Content-Disposition: form-data; filename="x"',
        '',
        'a',
        '--XyZ',
        'Content-Type: text/plain',
        '',
        'b',
        '--XyZ',
        'Content-Disposition: form-data; name=""',
        '',
        'c',
        '--XyZ',
        'Content-Disposition: form-data; name="ok"',
        '',
        'd',
        '--XyZ--',
      ),
      CT,
    )
    expect(result).toEqual({ fields: [['ok', 'd']], files: [] })
  })

  it('does not split on a boundary that is not at the start of a line', () => {
    const result = parseMultipart(
      body('--XyZ', 'Content-Disposition: form-data; name="a"', '', 'x --XyZ y', '--XyZ--'),
      CT,
    )
    expect(result?.fields).toEqual([['a', 'x --XyZ y']])
  })

  it('parses what Node/undici FormData produces', async () => {
    const form = new FormData()
    form.append('fields[TITLE]', 'Deal "1"\nsecond line')
    form.append('files[]', new Blob(['Hello'], { type: 'text/plain' }), 'hello.txt')
    form.append('select[]', 'ID')
    const request = new Request('http://localhost/', { method: 'POST', body: form })
    const raw = Buffer.from(await request.arrayBuffer())
    const result = parseMultipart(raw, request.headers.get('content-type') ?? '')
    expect(result?.fields).toEqual([
      ['fields[TITLE]', 'Deal "1"\r\nsecond line'], // the HTML form encoding normalizes newlines to CRLF
      ['select[]', 'ID'],
    ])
    expect(result?.files.map((f) => [f.name, f.filename, f.contentType, f.data.toString()])).toEqual([
      ['files[]', 'hello.txt', 'text/plain', 'Hello'],
    ])
  })

  it('returns null for malformed bodies', () => {
    const part = body('--XyZ', 'Content-Disposition: form-data; name="a"', '', 'x', '--XyZ--')
    expect(parseMultipart(part, 'multipart/form-data')).toBeNull() // no boundary
    expect(parseMultipart(part, 'multipart/form-data; boundary=')).toBeNull()
    expect(parseMultipart(part, 'multipart/form-data; boundary=other')).toBeNull() // no opening delimiter
    expect(parseMultipart(body('--XyZ', 'Content-Disposition: form-data; name="a"', '', 'x'), CT)).toBeNull()
    expect(
      parseMultipart(body('--XyZ', 'Content-Disposition: form-data; name="a"', '--XyZ--'), CT),
    ).toBeNull()
    expect(
      parseMultipart(body('--XyZjunk', 'Content-Disposition: form-data; name="a"', '', 'x', '--XyZ--'), CT),
    ).toBeNull()
    expect(parseMultipart(Buffer.alloc(0), CT)).toBeNull()
  })

  it('an empty multipart body (only the close delimiter) has no parts', () => {
    expect(parseMultipart(Buffer.from('--XyZ--\r\n'), CT)).toEqual({ fields: [], files: [] })
  })
})

describe('headerParams', () => {
  it('parses tokens, quoted strings and escapes; names are case-insensitive; the first wins', () => {
    const params = headerParams('form-data; flag; NAME="a \\"b\\" ; c"; filename=x.txt ; name=second')
    expect(params.get('name')).toBe('a "b" ; c')
    expect(params.get('filename')).toBe('x.txt')
    expect(params.has('flag')).toBe(false)
  })
})
