import { describe, expect, it } from 'vitest'
import { mayCarryNul, scrubNul } from './scrub-nul.js'
import { decodeRequestParams } from './decode-body.js'

describe('NUL in parameters', () => {
  it('becomes U+FFFD in keys and values, at any depth', () => {
    expect(scrubNul({ 'a\u0000': ['x\u0000y', { b: 'c\u0000' }], n: 1 })).toEqual({
      'a\uFFFD': ['x\uFFFDy', { b: 'c\uFFFD' }],
      n: 1,
    })
  })

  it('is looked for only when the raw text can carry it', () => {
    expect(mayCarryNul('a=%00')).toBe(true)
    expect(mayCarryNul('{"a":"\\u0000"}')).toBe(true)
    expect(mayCarryNul('a=b')).toBe(false)
  })

  it('is replaced in query, form and JSON bodies alike', () => {
    expect(decodeRequestParams({ query: 'q=a%00b', body: undefined, contentType: undefined })).toEqual({
      q: 'a\uFFFDb',
    })
    expect(
      decodeRequestParams({
        query: '',
        body: Buffer.from('{"t":"a\\u0000b"}'),
        contentType: 'application/json',
      }),
    ).toEqual({ t: 'a\uFFFDb' })
    expect(
      decodeRequestParams({
        query: '',
        body: Buffer.from('t=a%00b'),
        contentType: 'application/x-www-form-urlencoded',
      }),
    ).toEqual({ t: 'a\uFFFDb' })
  })
})
