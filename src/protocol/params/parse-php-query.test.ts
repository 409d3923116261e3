import { describe, expect, it } from 'vitest'
import { parsePhpEntries, parsePhpQuery, phpArrayToJs, urlDecode } from './parse-php-query.js'

/** Build an object with keys in the given order, including `__proto__` as an ordinary key. */
function obj(entries: Array<[string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of entries) {
    Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true })
  }
  return out
}

// Expected values below were produced by PHP 8.2.36 `parse_str` (json_encode of the result), converted with the
// list rule: a PHP array whose keys are 0..n-1 in insertion order is a JS array, anything else an object.

describe('parsePhpQuery: the research/stack-trials.md §4 case table', () => {
  it('nested multifield brackets', () => {
    expect(
      parsePhpQuery('fields[TITLE]=x&fields[PHONE][0][VALUE]=1&fields[PHONE][0][VALUE_TYPE]=WORK'),
    ).toEqual({ fields: { TITLE: 'x', PHONE: [{ VALUE: '1', VALUE_TYPE: 'WORK' }] } })
  })

  it('Bitrix n0 keys stay object keys', () => {
    expect(parsePhpQuery('fields[EMAIL][n0][VALUE]=a@b.c&fields[EMAIL][n0][VALUE_TYPE]=WORK')).toEqual({
      fields: { EMAIL: { n0: { VALUE: 'a@b.c', VALUE_TYPE: 'WORK' } } },
    })
  })

  it('select[]= appends', () => {
    expect(parsePhpQuery('select[]=ID&select[]=TITLE')).toEqual({ select: ['ID', 'TITLE'] })
  })

  it('[] after an explicit index continues from the highest integer key', () => {
    const result = parsePhpQuery('a[]=1&a[]=2&a[5]=x&a[]=y')
    expect(result).toEqual({ a: { 0: '1', 1: '2', 5: 'x', 6: 'y' } })
    expect(Array.isArray(result.a)).toBe(false)
  })

  it('sparse indexes are kept, not compacted', () => {
    expect(parsePhpQuery('a[1]=x&a[3]=y')).toEqual({ a: { 1: 'x', 3: 'y' } })
  })

  it('out-of-order indexes are not a list', () => {
    const result = parsePhpQuery('a[1]=x&a[0]=y')
    expect(Array.isArray(result.a)).toBe(false)
    expect(result).toEqual({ a: { 0: 'y', 1: 'x' } })
  })

  it('in-order indexes are a list', () => {
    expect(parsePhpQuery('a[0]=x&a[1]=y&a[2]=z')).toEqual({ a: ['x', 'y', 'z'] })
  })

  it('index above 20 inside a multifield', () => {
    expect(parsePhpQuery('fields[PHONE][25][VALUE]=1')).toEqual({ fields: { PHONE: { 25: { VALUE: '1' } } } })
  })

  it('22 appends stay a list', () => {
    const ids = Array.from({ length: 22 }, (_, i) => String(i + 1))
    expect(parsePhpQuery(ids.map((id) => `ids[]=${id}`).join('&'))).toEqual({ ids })
  })

  it('the last duplicate wins', () => {
    expect(parsePhpQuery('id=1&id=2')).toEqual({ id: '2' })
    expect(parsePhpQuery('a[0]=1&a[1]=2&a[1]=3')).toEqual({ a: ['1', '3'] })
  })

  it('scalar/array collisions: a later write replaces the earlier value', () => {
    expect(parsePhpQuery('a=1&a[b]=2')).toEqual({ a: { b: '2' } })
    expect(parsePhpQuery('a[b]=2&a=1')).toEqual({ a: '1' })
    expect(parsePhpQuery('a[x][]=1&a[x]=s&a[x][y]=2')).toEqual({ a: { x: { y: '2' } } })
    expect(parsePhpQuery('a=1&a[]=2&a[][]=3&a[][x]=4')).toEqual({ a: ['2', ['3'], { x: '4' }] })
  })

  it('a replaced value keeps its position', () => {
    expect(Object.keys(parsePhpQuery('a=1&b=2&a[x]=3'))).toEqual(['a', 'b'])
  })

  it('mixed integer and string keys', () => {
    expect(parsePhpQuery('a[0]=x&a[foo]=y')).toEqual({ a: { 0: 'x', foo: 'y' } })
    expect(parsePhpQuery('a[]=1&a[x]=2')).toEqual({ a: { 0: '1', x: '2' } })
  })

  it('filter operator keys, raw and encoded', () => {
    expect(
      parsePhpQuery(
        'filter[>OPPORTUNITY]=1&filter[%3C%3DDATE_CREATE]=2&filter[!STAGE_ID]=3&filter[%25TITLE]=4',
      ),
    ).toEqual({ filter: { '>OPPORTUNITY': '1', '<=DATE_CREATE': '2', '!STAGE_ID': '3', '%TITLE': '4' } })
  })

  it('+ and %XX decoding, encoded brackets', () => {
    expect(parsePhpQuery('a+b=c+d&e%20f=g%20h&x%5By%5D=1&p%5b%5d=2&q=%2B1+555')).toEqual({
      a_b: 'c d',
      e_f: 'g h',
      x: { y: '1' },
      p: ['2'],
      q: '+1 555',
    })
  })

  it('UTF-8, encoded and raw', () => {
    expect(parsePhpQuery('n=%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82&m=%E2%84%96&r=Привет&%D0%BA[№]=1')).toEqual({
      n: 'Привет',
      m: '№',
      r: 'Привет',
      к: { '№': '1' },
    })
  })

  it('dots and spaces in the base name become underscores, not inside brackets', () => {
    expect(parsePhpQuery('a.b=1&c d=2')).toEqual({ a_b: '1', c_d: '2' })
    expect(parsePhpQuery('a]b=1&a b.c[d e.f]=2')).toEqual({ 'a]b': '1', a_b_c: { 'd e.f': '2' } })
    expect(parsePhpQuery('a%2Eb=1')).toEqual({ a_b: '1' })
  })

  it('an unterminated bracket joins the name at the first level and is lost deeper', () => {
    expect(parsePhpQuery('a[b=1')).toEqual({ a_b: '1' })
    expect(parsePhpQuery('a.b[c.d e[f=1')).toEqual({ a_b_c_d_e_f: '1' })
    expect(parsePhpQuery('a[x]=1&a[b')).toEqual({ a: { x: '1' }, a_b: '' })
    expect(parsePhpQuery('a[b][c=1')).toEqual({ a: { b: '1' } })
    expect(parsePhpQuery('a[][b=1')).toEqual({ a: ['1'] })
  })

  it('junk after a closing bracket is ignored', () => {
    expect(parsePhpQuery('a[x]y=1&b[c]][d]=2')).toEqual({ a: { x: '1' }, b: { c: '2' } })
    expect(parsePhpQuery('a[b[c]]=1')).toEqual({ a: { 'b[c': '1' } })
  })

  it('7 nesting levels', () => {
    expect(parsePhpQuery('a[b][c][d][e][f][g]=1')).toEqual({
      a: { b: { c: { d: { e: { f: { g: '1' } } } } } },
    })
  })

  it('empty values and names without =', () => {
    expect(parsePhpQuery('a=&b&c[]')).toEqual({ a: '', b: '', c: [''] })
    expect(parsePhpQuery('a==1&b=2=3')).toEqual({ a: '=1', b: '2=3' })
    expect(parsePhpQuery('&&&a=1&&b=2&&')).toEqual({ a: '1', b: '2' })
  })

  it('empty names are dropped', () => {
    expect(parsePhpQuery('=1&[x]=2&%5B%5D=3&[]=4')).toEqual({})
    expect(parsePhpQuery('=1&a=2')).toEqual({ a: '2' })
  })

  it('prototype-named keys are ordinary keys and nothing is polluted', () => {
    const result = parsePhpQuery(
      '__proto__[x]=1&a[constructor]=2&a[hasOwnProperty]=3&a[toString]=4&constructor=5&__proto__[y]=6&a[__proto__][b]=7',
    )
    expect(Object.keys(result)).toEqual(['__proto__', 'a', 'constructor'])
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(result, '__proto__')?.value).toEqual({ x: '1', y: '6' })
    const a = result.a as Record<string, unknown>
    expect(Object.keys(a)).toEqual(['constructor', 'hasOwnProperty', 'toString', '__proto__'])
    expect(a.constructor).toBe('2')
    expect(a.toString).toBe('4')
    expect(Object.getOwnPropertyDescriptor(a, '__proto__')?.value).toEqual({ b: '7' })
    expect(result.constructor).toBe('5')
    expect(({} as Record<string, unknown>).x).toBeUndefined()
    expect(({} as Record<string, unknown>).b).toBeUndefined()
  })

  it('malformed escapes stay literal', () => {
    expect(parsePhpQuery('v=%E0%A4%A&w=100%&x=%zz%4&y=%')).toEqual({
      v: '\uFFFD%A',
      w: '100%',
      x: '%zz%4',
      y: '%',
    })
    expect(parsePhpQuery('%E0%A4%A&b=100%')).toEqual({ '\uFFFD%A': '', b: '100%' })
  })

  it('batch cmd values decode to sub-queries', () => {
    expect(
      parsePhpQuery(
        'cmd[get_deal]=crm.deal.get%3Fid%3D5&cmd[list]=crm.deal.list%3Ffilter%255B%253EID%255D%3D1&halt=1',
      ),
    ).toEqual({
      cmd: { get_deal: 'crm.deal.get?id=5', list: 'crm.deal.list?filter%5B%3EID%5D=1' },
      halt: '1',
    })
  })

  it('max_input_vars: default 10000, PHP-like with maxVars 1000', () => {
    const query = Array.from({ length: 1200 }, (_, i) => `v${i}=${i}`).join('&')
    expect(Object.keys(parsePhpQuery(query))).toHaveLength(1200)
    const limited = parsePhpQuery(query, { maxVars: 1000 })
    expect(Object.keys(limited)).toHaveLength(1000)
    expect(limited.v999).toBe('999')
    expect(limited.v1000).toBeUndefined()
  })
})

describe('parsePhpQuery: further PHP 8.2 details', () => {
  it('max_input_vars counts every non-empty pair, including dropped ones, but not empty pairs', () => {
    expect(parsePhpQuery('=x&=x&a=1&b=2', { maxVars: 3 })).toEqual({ a: '1' })
    expect(parsePhpQuery('&&&&&&a=1&&&&b=2', { maxVars: 2 })).toEqual({ a: '1', b: '2' })
  })

  it('nesting deeper than max_input_nesting_level removes the whole variable', () => {
    const deep64 = 'a' + '[k]'.repeat(64)
    const deep65 = 'a' + '[k]'.repeat(65)
    const ok = parsePhpQuery(`a[x]=1&${deep64}=2`)
    expect((ok.a as Record<string, unknown>).x).toBe('1')
    expect(parsePhpQuery(`a[x]=1&${deep65}=2&b=3`)).toEqual({ b: '3' })
    expect(parsePhpQuery(`a[x]=1&${deep65}=2&a[y]=4`)).toEqual({ a: { y: '4' } })
    expect(parsePhpQuery('a[b][c]=1&d[e]=2', { maxDepth: 1 })).toEqual({ d: { e: '2' } })
  })

  it('one whitespace character before ] means append', () => {
    expect(parsePhpQuery('a[ ]=1&a[%09]=2')).toEqual({ a: ['1', '2'] })
    expect(parsePhpQuery('a[ x]=1&a[  ]=2&a[x ]=3')).toEqual({ a: { ' x': '1', '  ': '2', 'x ': '3' } })
  })

  it('leading spaces of the name are skipped and the name ends at NUL', () => {
    expect(parsePhpQuery(' a=1&+b=2&%20%20c=3&+=4')).toEqual({ a: '1', b: '2', c: '3' })
    expect(parsePhpQuery('a%00b=1&c[x%00y]=2&d=v%00w')).toEqual({ a: '1', c_x: '2', d: 'v\u0000w' })
  })

  it('integer keys: canonical decimals only, next index follows PHP 8.2', () => {
    expect(parsePhpQuery('a[05]=1&a[]=2')).toEqual({ a: { '05': '1', 0: '2' } })
    expect(parsePhpQuery('a[-0]=1&a[]=2')).toEqual({ a: { '-0': '1', 0: '2' } })
    expect(parsePhpQuery('a[-5]=x&a[]=y')).toEqual({ a: { '-5': 'x', '-4': 'y' } })
    expect(parsePhpQuery('a[2]=x&a[1]=y&a[]=z')).toEqual({ a: { 2: 'x', 1: 'y', 3: 'z' } })
    expect(parsePhpQuery('a[1.5]=x&a[%2B1]=z&a[ 1]=w&a[]=u')).toEqual({
      a: { '1.5': 'x', '+1': 'z', ' 1': 'w', 0: 'u' },
    })
  })

  it('integer keys at the 64-bit limits', () => {
    expect(parsePhpQuery('a[9223372036854775806]=1&a[]=2&a[]=3')).toEqual({
      a: { '9223372036854775806': '1', '9223372036854775807': '2' },
    })
    expect(parsePhpQuery('a[9223372036854775808]=1&a[]=2')).toEqual({
      a: { '9223372036854775808': '1', 0: '2' },
    })
    expect(parsePhpQuery('a[-9223372036854775808]=1&a[]=2')).toEqual({
      a: { '-9223372036854775808': '1', '-9223372036854775807': '2' },
    })
    expect(parsePhpQuery('a[9007199254740992]=1&a[]=2&a[]=3')).toEqual({
      a: { '9007199254740992': '1', '9007199254740993': '2', '9007199254740994': '3' },
    })
  })

  it('top-level integer names stay a record', () => {
    const result = parsePhpQuery('0=a&1=b')
    expect(Array.isArray(result)).toBe(false)
    expect(result).toEqual({ 0: 'a', 1: 'b' })
  })

  it('values are always strings', () => {
    expect(parsePhpQuery('id=351&opened=true&price=200.05&n=null')).toEqual({
      id: '351',
      opened: 'true',
      price: '200.05',
      n: 'null',
    })
  })

  it('keepPhpArrays returns objects with string keys', () => {
    expect(parsePhpQuery('select[]=ID&select[]=TITLE&a[1]=x', { keepPhpArrays: true })).toEqual({
      select: { 0: 'ID', 1: 'TITLE' },
      a: { 1: 'x' },
    })
  })

  it('is linear in the input size (no rescans for pairs without =)', () => {
    const input = 'a&'.repeat(100_000) + 'b=1'
    const started = performance.now()
    expect(parsePhpQuery(input, { maxVars: Infinity })).toEqual({ a: '', b: '1' })
    expect(performance.now() - started).toBeLessThan(2000)
  })

  it('parses a 50-command batch body quickly', () => {
    const sub = (i: number): string =>
      encodeURIComponent(`crm.deal.update?id=${i}&fields[TITLE]=Deal ${i}&fields[OPPORTUNITY]=100`)
    const body = Array.from({ length: 50 }, (_, i) => `cmd%5Bc${i}%5D=${sub(i)}`).join('&') + '&halt=1'
    expect(body.length).toBeGreaterThan(4500)
    for (let i = 0; i < 200; i++) parsePhpQuery(body) // warm up
    const runs = 1000
    const started = performance.now()
    for (let i = 0; i < runs; i++) parsePhpQuery(body)
    const microseconds = ((performance.now() - started) * 1000) / runs
    // About 25-40 µs on a loaded 2-core box; the bound only catches accidental quadratic work.
    expect(microseconds).toBeLessThan(1000)
    const parsed = parsePhpQuery(body)
    expect((parsed.cmd as Record<string, string>).c7).toBe(
      'crm.deal.update?id=7&fields[TITLE]=Deal 7&fields[OPPORTUNITY]=100',
    )
  })
})

describe('urlDecode', () => {
  it('matches PHP urldecode', () => {
    expect(urlDecode('a+b%20c')).toBe('a b c')
    expect(urlDecode('%2B%2b')).toBe('++')
    expect(urlDecode('%41%4')).toBe('A%4')
    expect(urlDecode('%C3%A9+%ZZ')).toBe('é %ZZ')
    expect(urlDecode('%FF')).toBe('\uFFFD')
    expect(urlDecode('%C3%A9'.repeat(20) + '+x')).toBe('é'.repeat(20) + ' x')
    expect(urlDecode('%C3%A9'.repeat(20) + '%')).toBe('é'.repeat(20) + '%')
  })
})

describe('phpArrayToJs', () => {
  it('turns 0..n-1 keyed objects into arrays, recursively', () => {
    expect(phpArrayToJs({ select: { 0: 'ID', 1: 'TITLE' }, a: { 1: 'x' }, b: [{ 0: 'y' }] })).toEqual({
      select: ['ID', 'TITLE'],
      a: { 1: 'x' },
      b: [['y']],
    })
  })

  it('makes an empty object an empty list (PHP has only one empty array)', () => {
    expect(phpArrayToJs({})).toEqual([])
  })

  it('keeps scalars and prototype-named keys', () => {
    expect(phpArrayToJs('x')).toBe('x')
    const converted = phpArrayToJs(obj([['__proto__', { 0: 'a' }]])) as Record<string, unknown>
    expect(Object.getOwnPropertyDescriptor(converted, '__proto__')?.value).toEqual(['a'])
    expect(Object.getPrototypeOf(converted)).toBe(Object.prototype)
  })
})

describe('parsePhpEntries', () => {
  it('registers raw names without URL-decoding, with PHP name rules', () => {
    expect(
      parsePhpEntries([
        ['fields[TITLE]', 'a+b%20'],
        ['fields[PHONE][0][VALUE]', '+1'],
        ['x.y', '1'],
        ['files[]', ['a.txt', 'SGk=']],
        ['files[]', ['b.txt', 'SGk=']],
      ]),
    ).toEqual({
      fields: { TITLE: 'a+b%20', PHONE: [{ VALUE: '+1' }] },
      x_y: '1',
      files: [
        ['a.txt', 'SGk='],
        ['b.txt', 'SGk='],
      ],
    })
  })
})
