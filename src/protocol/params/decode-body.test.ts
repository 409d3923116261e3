import { describe, expect, it } from 'vitest'
import { decodeRequestParams } from './decode-body.js'

function decode(query: string, body?: string | Buffer, contentType?: string): Record<string, unknown> {
  const buffer = typeof body === 'string' ? Buffer.from(body, 'utf8') : body
  return decodeRequestParams({ query, body: buffer, contentType })
}

describe('decodeRequestParams: query string', () => {
  it('parses the query with PHP rules, with or without the leading ?', () => {
    expect(decode('?id=1&fields%5BTITLE%5D=a+b')).toEqual({ id: '1', fields: { TITLE: 'a b' } })
    expect(decode('select[]=ID&select[]=TITLE')).toEqual({ select: ['ID', 'TITLE'] })
    expect(decode('')).toEqual({})
  })

  it('a GET with no body and a content type (pysdk token refresh) only reads the query', () => {
    expect(decode('grant_type=refresh_token', undefined, 'application/x-www-form-urlencoded')).toEqual({
      grant_type: 'refresh_token',
    })
    expect(decode('a=1', Buffer.alloc(0), 'application/json')).toEqual({ a: '1' })
  })
})

describe('decodeRequestParams: JSON bodies', () => {
  it('keeps JSON types', () => {
    expect(
      decode(
        '',
        '{"id":42,"fields":{"OPENED":true,"COMMENTS":null,"UF":[],"O":{}},"price":200.05}',
        'application/json',
      ),
    ).toEqual({ id: 42, fields: { OPENED: true, COMMENTS: null, UF: [], O: {} }, price: 200.05 })
  })

  it('matches the content type case-insensitively and ignores parameters', () => {
    expect(decode('', '{"a":1}', 'Application/JSON; charset=UTF-8')).toEqual({ a: 1 })
    expect(decode('', '{"a":1}', ' application/json ;charset=utf-8')).toEqual({ a: 1 })
  })

  it('invalid JSON is an empty parameter set, not an error', () => {
    expect(decode('x=1', '{"a":', 'application/json')).toEqual({ x: '1' })
    expect(decode('', 'a=1&b=2', 'application/json')).toEqual({})
    expect(decode('', '\uFEFF{"a":1}', 'application/json')).toEqual({}) // PHP json_decode rejects a BOM too
  })

  it('an array root becomes index keys; a scalar root gives nothing', () => {
    expect(decode('', '[{"method":"tasks.task.get"},{"method":"user.current"}]', 'application/json')).toEqual(
      {
        0: { method: 'tasks.task.get' },
        1: { method: 'user.current' },
      },
    )
    expect(decode('', '"text"', 'application/json')).toEqual({})
    expect(decode('', '42', 'application/json')).toEqual({})
    expect(decode('', 'null', 'application/json')).toEqual({})
  })

  it('rejects nesting PHP json_decode would refuse (511 levels pass, 512 do not) without crashing', () => {
    const nested = (levels: number): string => '{"a":'.repeat(levels - 1) + '{"b":1' + '}'.repeat(levels)
    expect(decode('', nested(511), 'application/json')).toHaveProperty('a')
    expect(decode('', nested(512), 'application/json')).toEqual({})
    const hostile = '['.repeat(200_000) + ']'.repeat(200_000)
    expect(decode('q=1', `{"a":${hostile}}`, 'application/json')).toEqual({ q: '1' })
  })

  it('keeps __proto__ as an ordinary key', () => {
    const result = decode('', '{"__proto__":{"polluted":1},"a":1}', 'application/json')
    expect(Object.keys(result)).toEqual(['__proto__', 'a'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('decodeRequestParams: form bodies', () => {
  it('parses application/x-www-form-urlencoded with PHP rules', () => {
    expect(
      decode(
        '',
        'id=42&fields%5BPHONE%5D%5B0%5D%5BVALUE%5D=%2B1+555+0100&fields%5BOPENED%5D=1',
        'application/x-www-form-urlencoded; charset=UTF-8',
      ),
    ).toEqual({ id: '42', fields: { PHONE: [{ VALUE: '+1 555 0100' }], OPENED: '1' } })
  })

  it('parses a body without a content type, or with another one, as a form', () => {
    expect(decode('', 'a=1&b[]=2')).toEqual({ a: '1', b: ['2'] })
    expect(decode('', 'a=1', 'text/plain')).toEqual({ a: '1' })
  })
})

describe('decodeRequestParams: multipart bodies', () => {
  async function multipart(form: FormData): Promise<{ body: Buffer; contentType: string }> {
    const request = new Request('http://localhost/', { method: 'POST', body: form })
    return {
      body: Buffer.from(await request.arrayBuffer()),
      contentType: request.headers.get('content-type') ?? '',
    }
  }

  it('registers text fields with PHP name rules and files as [filename, base64]', async () => {
    const form = new FormData()
    form.append('id', '42')
    form.append('fields[TITLE]', 'A & B')
    form.append('fields[PHONE][0][VALUE]', '+1 555')
    form.append('a.b', 'x')
    form.append('fields[UF_CRM_FILE][fileData]', new Blob(['Hello']), 'a.txt')
    form.append('files[]', new Blob(['1']), 'one.txt')
    form.append('files[]', new Blob(['2']), 'two.txt')
    const { body, contentType } = await multipart(form)
    expect(decode('', body, contentType)).toEqual({
      id: '42',
      fields: {
        TITLE: 'A & B',
        PHONE: [{ VALUE: '+1 555' }],
        UF_CRM_FILE: { fileData: ['a.txt', 'SGVsbG8='] },
      },
      a_b: 'x',
      files: [
        ['one.txt', 'MQ=='],
        ['two.txt', 'Mg=='],
      ],
    })
  })

  it('skips file parts with an empty filename (PHP: no file uploaded)', () => {
    const body = [
      '--b',
      'Content-Disposition: form-data; name="a"',
      '',
      '1',
      '--b',
      'Content-Disposition: form-data; name="f"; filename=""',
      'Content-Type: application/octet-stream',
      '',
      'data',
      '--b--',
    ].join('\r\n')
    expect(decode('', body, 'multipart/form-data; boundary=b')).toEqual({ a: '1' })
  })

  it('a malformed multipart body gives no body parameters', () => {
    expect(decode('q=1', 'not multipart at all', 'multipart/form-data; boundary=abc')).toEqual({ q: '1' })
    expect(decode('q=1', 'a=1', 'multipart/form-data')).toEqual({ q: '1' })
  })
})

describe('decodeRequestParams: merging query and body', () => {
  it('body parameters win over query parameters at the top level', () => {
    expect(
      decode('bx24_request_id=r1&id=1&fields[A]=q', '{"id":351,"fields":{"B":"b"}}', 'application/json'),
    ).toEqual({ bx24_request_id: 'r1', id: 351, fields: { B: 'b' } })
    expect(decode('auth=Q&a.b=0', 'auth=B', 'application/x-www-form-urlencoded')).toEqual({
      auth: 'B',
      a_b: '0',
    })
  })

  it('merging keeps __proto__ from the body as a plain key', () => {
    const result = decode('a=1', '__proto__[x]=1', 'application/x-www-form-urlencoded')
    expect(Object.getOwnPropertyDescriptor(result, '__proto__')?.value).toEqual({ x: '1' })
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype)
  })
})
