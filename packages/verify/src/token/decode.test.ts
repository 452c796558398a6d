import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TesseraError, type TesseraErrorJson } from '../explain/tessera-error.ts'
import { decodeJws, decodeJwt } from './decode.ts'
import { defaultMaxTokenBytes, maxHeaderBytes } from './limits.ts'

const json = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
const raw = (text: string | Buffer): string => Buffer.from(text).toString('base64url')

const header = json({ alg: 'ES256', kid: 'k1', typ: 'JWT' })
const payload = json({ iss: 'https://idp.example', aud: 'https://api.example', exp: 1_800_000_300 })
const signature = raw(Buffer.alloc(64, 7))
const token = `${header}.${payload}.${signature}`

/** The error `fn` throws, as its public JSON (code, check, message, expected, actual, hint). */
function rejection(fn: () => unknown): TesseraErrorJson {
  try {
    fn()
  } catch (error) {
    assert.ok(error instanceof TesseraError, `expected a TesseraError, got ${String(error)}`)
    return error.toJSON()
  }
  return assert.fail('expected a TesseraError')
}

const jws = (t: unknown): TesseraErrorJson => rejection(() => decodeJws(t, defaultMaxTokenBytes))
const jwt = (t: unknown): TesseraErrorJson => rejection(() => decodeJwt(t, defaultMaxTokenBytes))
const withClaims = (claims: unknown): string => `${header}.${json(claims)}.${signature}`

const notCanonical = (segment: string): TesseraErrorJson => ({
  code: 'malformed',
  check: 'decode',
  message: `token ${segment} is not canonical base64url (RFC 7515 §2: no padding, "+" or "/")`,
})

describe('decodeJws', () => {
  it('splits a compact JWS into header, payload bytes, signing input and signature', () => {
    const decoded = decodeJws(token, defaultMaxTokenBytes)
    assert.deepEqual(decoded.header, { alg: 'ES256', kid: 'k1', typ: 'JWT' })
    assert.equal(
      decoded.payload.toString('utf8'),
      JSON.stringify({
        iss: 'https://idp.example',
        aud: 'https://api.example',
        exp: 1_800_000_300,
      }),
    )
    assert.equal(decoded.signingInput, `${header}.${payload}`)
    assert.deepEqual(decoded.signature, Buffer.alloc(64, 7))
  })

  it('accepts an empty payload segment, which a JWS may have', () => {
    const decoded = decodeJws(`${header}..${signature}`, defaultMaxTokenBytes)
    assert.equal(decoded.payload.length, 0)
    assert.equal(decoded.signingInput, `${header}.`)
  })

  it('rejects a value that is not a string', () => {
    assert.deepEqual(jws(42), {
      code: 'malformed',
      check: 'decode',
      message: 'token is a number, expected a string',
    })
    assert.deepEqual(jws(null), {
      code: 'malformed',
      check: 'decode',
      message: 'token is null, expected a string',
    })
    assert.equal(jws(undefined).code, 'malformed')
  })

  describe('size', () => {
    it('rejects a token longer than the limit as too_large with the exact sizes', () => {
      assert.deepEqual(
        rejection(() => decodeJws(token, 100)),
        {
          code: 'too_large',
          check: 'decode',
          message: `token is ${token.length} bytes, more than the limit of 100`,
          expected: '<= 100 bytes',
          actual: `${token.length} bytes`,
        },
      )
    })

    it('accepts a token exactly at the limit', () => {
      assert.equal(decodeJws(token, token.length).signingInput, `${header}.${payload}`)
    })

    it('checks the size before anything else, so a huge non-token costs nothing', () => {
      assert.equal(jws('x'.repeat(defaultMaxTokenBytes + 1)).code, 'too_large')
    })

    it('rejects a header larger than the header limit with the exact sizes', () => {
      const big = json({ alg: 'ES256', pad: 'x'.repeat(maxHeaderBytes) })
      const bytes = Buffer.from(big, 'base64url').length
      assert.deepEqual(
        rejection(() => decodeJws(`${big}.${payload}.${signature}`, 100_000)),
        {
          code: 'too_large',
          check: 'header',
          message: `header is ${bytes} bytes, more than the limit of ${maxHeaderBytes}`,
          expected: `<= ${maxHeaderBytes} bytes`,
          actual: `${bytes} bytes`,
        },
      )
    })

    it('accepts a header of exactly the header limit', () => {
      const padLength = maxHeaderBytes - JSON.stringify({ alg: 'ES256', pad: '' }).length
      const exact = json({ alg: 'ES256', pad: 'x'.repeat(padLength) })
      assert.equal(Buffer.from(exact, 'base64url').length, maxHeaderBytes)
      assert.equal(decodeJws(`${exact}.${payload}.${signature}`, 100_000).header.alg, 'ES256')
    })

    it('rejects a header one byte over the header limit', () => {
      for (const extra of [1, 2]) {
        const padLength = maxHeaderBytes + extra - JSON.stringify({ alg: 'ES256', pad: '' }).length
        const over = json({ alg: 'ES256', pad: 'x'.repeat(padLength) })
        assert.equal(Buffer.from(over, 'base64url').length, maxHeaderBytes + extra)
        assert.deepEqual(
          rejection(() => decodeJws(`${over}.${payload}.${signature}`, 100_000)),
          {
            code: 'too_large',
            check: 'header',
            message: `header is ${maxHeaderBytes + extra} bytes, more than the limit of ${maxHeaderBytes}`,
            expected: `<= ${maxHeaderBytes} bytes`,
            actual: `${maxHeaderBytes + extra} bytes`,
          },
        )
      }
    })
  })

  describe('segments', () => {
    it('rejects a token with one, two or four segments, counting them', () => {
      assert.deepEqual(jws('abc'), {
        code: 'malformed',
        check: 'decode',
        message: 'token has 1 segment, expected 3 (header.payload.signature)',
      })
      assert.deepEqual(jws(''), {
        code: 'malformed',
        check: 'decode',
        message: 'token has 1 segment, expected 3 (header.payload.signature)',
      })
      assert.deepEqual(jws(`${header}.${payload}`), {
        code: 'malformed',
        check: 'decode',
        message: 'token has 2 segments, expected 3 (header.payload.signature)',
      })
      assert.deepEqual(jws(`${token}.${signature}`), {
        code: 'malformed',
        check: 'decode',
        message: 'token has 4 segments, expected 3 (header.payload.signature)',
      })
    })

    it('rejects a JWE (five segments) saying encrypted tokens are not accepted', () => {
      const jwe = `${json({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.${raw('key')}.${raw('iv')}.${raw('ct')}.${raw('tag')}`
      assert.deepEqual(jws(jwe), {
        code: 'malformed',
        check: 'decode',
        message: 'token is a JWE (5 segments): encrypted tokens are not accepted',
      })
    })

    it('names an empty header segment', () => {
      assert.deepEqual(jws(`.${payload}.${signature}`), {
        code: 'malformed',
        check: 'decode',
        message: 'token header segment is empty',
      })
    })

    it('names an empty signature segment when the alg needs a signature', () => {
      assert.deepEqual(jws(`${header}.${payload}.`), {
        code: 'malformed',
        check: 'decode',
        message: 'token signature segment is empty, but alg is "ES256"',
      })
    })

    it('lets an unsigned token (alg none, empty signature) through to the algorithm check', () => {
      for (const alg of ['none', 'NONE']) {
        const decoded = decodeJws(`${json({ alg })}.${payload}.`, defaultMaxTokenBytes)
        assert.equal(decoded.header.alg, alg)
        assert.equal(decoded.signature.length, 0)
      }
    })
  })

  describe('canonical base64url', () => {
    it('rejects padding in any segment', () => {
      assert.deepEqual(jws(`${json({ alg: 'RS256' })}=.${payload}.${signature}`), {
        ...notCanonical('header'),
      })
      assert.deepEqual(jws(`${header}.e30=.${signature}`), notCanonical('payload'))
      assert.deepEqual(jws(`${header}.${payload}.QQ==`), notCanonical('signature'))
    })

    it('rejects "+" and "/" from the standard alphabet', () => {
      assert.deepEqual(jws(`${header}.${payload}.ab+c`), notCanonical('signature'))
      assert.deepEqual(jws(`${header}.${payload}.ab/c`), notCanonical('signature'))
    })

    it('rejects non-zero trailing bits, so a signature has only one encoding', () => {
      assert.deepEqual(jws(`${header}.${payload}.QR`), notCanonical('signature'))
      assert.deepEqual(jws(`${header}.${payload}.QUJ`), notCanonical('signature'))
      // The same trick on the signature of a real token: flip the unused low bits of its end.
      // 64 bytes end in one byte: its last character keeps 4 unused bits, here 0000.
      assert.equal(signature.at(-1), 'w')
      const tweaked = `${signature.slice(0, -1)}x`
      assert.deepEqual(jws(`${header}.${payload}.${tweaked}`), notCanonical('signature'))
    })

    it('rejects a segment whose length is 1 mod 4', () => {
      assert.deepEqual(jws(`${header}.${payload}.QUJDR`), notCanonical('signature'))
      assert.deepEqual(jws(`${header}.e30xx.${signature}`), notCanonical('payload'))
    })

    it('rejects characters outside ASCII', () => {
      assert.deepEqual(jws(`${header}.${payload}.QQé`), notCanonical('signature'))
    })
  })

  describe('whitespace, prefixes and quotes', () => {
    it('explains a trailing newline with the whitespace hint', () => {
      assert.deepEqual(jws(`${token}\n`), {
        code: 'malformed',
        check: 'decode',
        message: 'token signature contains whitespace: pass the token exactly as issued',
        hint: 'whitespace',
      })
    })

    it('explains leading whitespace with the whitespace hint', () => {
      assert.deepEqual(jws(` ${token}`), {
        code: 'malformed',
        check: 'decode',
        message: 'token header contains whitespace: pass the token exactly as issued',
        hint: 'whitespace',
      })
    })

    it('explains whitespace inside a segment with the whitespace hint', () => {
      assert.deepEqual(jws(`${header}.${payload.slice(0, 8)}\n${payload.slice(8)}.${signature}`), {
        code: 'malformed',
        check: 'decode',
        message: 'token payload contains whitespace: pass the token exactly as issued',
        hint: 'whitespace',
      })
    })

    it('explains surrounding whitespace on a value that is not even three segments', () => {
      assert.deepEqual(jws(' abc\n'), {
        code: 'malformed',
        check: 'decode',
        message: 'token has leading or trailing whitespace: pass the token exactly as issued',
        hint: 'whitespace',
      })
    })

    it('explains an authorization scheme in front of a value', () => {
      for (const scheme of ['Bearer', 'bearer', 'DPoP']) {
        assert.deepEqual(jws(`${scheme} ${header}.${payload}`), {
          code: 'malformed',
          check: 'decode',
          message: 'token starts with an authorization scheme: pass the token without "Bearer "',
        })
      }
    })

    it('explains a "Bearer " prefix in front of a whole three-segment token', () => {
      assert.deepEqual(jws(`Bearer ${token}`), {
        code: 'malformed',
        check: 'decode',
        message: 'token starts with an authorization scheme: pass the token without "Bearer "',
      })
    })

    it('explains quotes around a value', () => {
      assert.deepEqual(jws(`"${header}.${payload}"`), {
        code: 'malformed',
        check: 'decode',
        message: 'token is quoted: pass the token without quotes',
      })
    })

    it('explains quotes around a whole three-segment token', () => {
      for (const quoted of [`"${token}"`, `'${token}'`]) {
        assert.deepEqual(jws(quoted), {
          code: 'malformed',
          check: 'decode',
          message: 'token is quoted: pass the token without quotes',
        })
      }
    })
  })

  describe('header', () => {
    it('must be a JSON object', () => {
      for (const [value, words] of [
        [[1], 'an array'],
        ['RS256', 'a string'],
        [null, 'null'],
        [7, 'a number'],
        [true, 'a boolean'],
      ] as const) {
        assert.deepEqual(jws(`${json(value)}.${payload}.${signature}`), {
          code: 'malformed',
          check: 'decode',
          message: `header is ${words}, expected a JSON object`,
        })
      }
    })

    it('must be valid JSON', () => {
      assert.deepEqual(jws(`${raw('{"alg":"ES256"')}.${payload}.${signature}`), {
        code: 'malformed',
        check: 'decode',
        message: 'header is not valid JSON',
      })
    })

    it('must be valid UTF-8, never silently repaired', () => {
      const invalid = raw(Buffer.from([0x7b, 0x22, 0x61, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]))
      assert.deepEqual(jws(`${invalid}.${payload}.${signature}`), {
        code: 'malformed',
        check: 'decode',
        message: 'header is not valid UTF-8',
      })
    })

    it('keeps a byte-order mark, which then is not JSON', () => {
      const bom = raw(
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"alg":"ES256"}')]),
      )
      assert.deepEqual(jws(`${bom}.${payload}.${signature}`), {
        code: 'malformed',
        check: 'decode',
        message: 'header is not valid JSON',
      })
    })

    it('must have an alg', () => {
      assert.deepEqual(jws(`${json({ typ: 'JWT' })}.${payload}.${signature}`), {
        code: 'malformed',
        check: 'header',
        message: 'header alg is missing, expected a non-empty string',
        expected: 'string',
        actual: 'missing',
      })
    })

    it('must have a string alg', () => {
      assert.deepEqual(jws(`${json({ alg: 256 })}.${payload}.${signature}`), {
        code: 'malformed',
        check: 'header',
        message: 'header alg is "256", expected a non-empty string',
        expected: 'string',
        actual: 'number',
      })
      assert.deepEqual(jws(`${json({ alg: ['ES256'] })}.${payload}.${signature}`).actual, 'object')
    })

    it('must have a non-empty alg', () => {
      assert.deepEqual(jws(`${json({ alg: '' })}.${payload}.${signature}`), {
        code: 'malformed',
        check: 'header',
        message: 'header alg is "", expected a non-empty string',
        expected: 'string',
        actual: 'string',
      })
    })

    it('must have string kid, typ and cty when present', () => {
      for (const name of ['kid', 'typ', 'cty']) {
        assert.deepEqual(jws(`${json({ alg: 'ES256', [name]: 1 })}.${payload}.${signature}`), {
          code: 'malformed',
          check: 'header',
          message: `header ${name} is a number, expected a string`,
          expected: 'string',
          actual: 'number',
        })
      }
    })

    it('names null as null in a header parameter of the wrong type', () => {
      assert.deepEqual(jws(`${json({ alg: 'ES256', typ: null })}.${payload}.${signature}`), {
        code: 'malformed',
        check: 'header',
        message: 'header typ is null, expected a string',
        expected: 'string',
        actual: 'null',
      })
    })

    it('keeps other header parameters as they are', () => {
      const decoded = decodeJws(
        `${json({ alg: 'ES256', crit: ['exp'], x5t: 'abc' })}.${payload}.${signature}`,
        defaultMaxTokenBytes,
      )
      assert.deepEqual(decoded.header, { alg: 'ES256', crit: ['exp'], x5t: 'abc' })
    })

    it('uses the lexically last of duplicate member names (RFC 7515 §5.2)', () => {
      const duplicated = raw('{"alg":"none","alg":"ES256"}')
      assert.equal(decodeJws(`${duplicated}.${payload}.${signature}`, 1000).header.alg, 'ES256')
    })
  })
})

describe('decodeJwt', () => {
  it('decodes the claims of a JWT', () => {
    const decoded = decodeJwt(token, defaultMaxTokenBytes)
    assert.deepEqual(decoded.claims, {
      iss: 'https://idp.example',
      aud: 'https://api.example',
      exp: 1_800_000_300,
    })
    assert.deepEqual(decoded.header, { alg: 'ES256', kid: 'k1', typ: 'JWT' })
    assert.equal(decoded.signingInput, `${header}.${payload}`)
  })

  it('applies the strict JWS decoding first', () => {
    assert.deepEqual(jwt(`${token}\n`).hint, 'whitespace')
    assert.equal(rejection(() => decodeJwt(token, 10)).code, 'too_large')
  })

  it('requires the payload to be a JSON object', () => {
    for (const [value, words] of [
      [['a'], 'an array'],
      ['claims', 'a string'],
      [null, 'null'],
      [1, 'a number'],
    ] as const) {
      assert.deepEqual(jwt(withClaims(value)), {
        code: 'malformed',
        check: 'decode',
        message: `payload is ${words}, expected a JSON object`,
      })
    }
  })

  it('requires the payload to be valid JSON', () => {
    assert.deepEqual(jwt(`${header}.${raw('{"iss":')}.${signature}`), {
      code: 'malformed',
      check: 'decode',
      message: 'payload is not valid JSON',
    })
    assert.deepEqual(jwt(`${header}..${signature}`), {
      code: 'malformed',
      check: 'decode',
      message: 'payload is not valid JSON',
    })
  })

  it('requires the payload to be valid UTF-8', () => {
    const invalid = raw(Buffer.from([0x7b, 0x22, 0x69, 0xff, 0x22, 0x3a, 0x31, 0x7d]))
    assert.deepEqual(jwt(`${header}.${invalid}.${signature}`), {
      code: 'malformed',
      check: 'decode',
      message: 'payload is not valid UTF-8',
    })
  })

  describe('registered claim types (RFC 7519 §4.1)', () => {
    it('rejects a string exp as missing_claim with expected and actual', () => {
      assert.deepEqual(jwt(withClaims({ exp: '1800000300' })), {
        code: 'missing_claim',
        check: 'claims',
        message: 'exp is a string, expected a NumericDate (number of seconds)',
        expected: 'a NumericDate (number of seconds)',
        actual: 'string',
      })
    })

    it('rejects nbf and iat that are not numbers', () => {
      assert.deepEqual(jwt(withClaims({ nbf: null })), {
        code: 'missing_claim',
        check: 'claims',
        message: 'nbf is null, expected a NumericDate (number of seconds)',
        expected: 'a NumericDate (number of seconds)',
        actual: 'null',
      })
      assert.deepEqual(jwt(withClaims({ iat: [1] })), {
        code: 'missing_claim',
        check: 'claims',
        message: 'iat is an array, expected a NumericDate (number of seconds)',
        expected: 'a NumericDate (number of seconds)',
        actual: 'array',
      })
    })

    it('rejects a NumericDate that is not finite', () => {
      const infinite = `${header}.${raw('{"exp":1e999}')}.${signature}`
      const error = jwt(infinite)
      assert.equal(error.code, 'missing_claim')
      assert.equal(error.check, 'claims')
      assert.equal(error.expected, 'a NumericDate (number of seconds)')
    })

    it('accepts fractional NumericDates', () => {
      assert.equal(decodeJwt(withClaims({ exp: 1.5 }), defaultMaxTokenBytes).claims.exp, 1.5)
    })

    it('rejects iss, sub and jti that are not strings', () => {
      assert.deepEqual(jwt(withClaims({ iss: 42 })), {
        code: 'missing_claim',
        check: 'claims',
        message: 'iss is a number, expected a string',
        expected: 'a string',
        actual: 'number',
      })
      assert.deepEqual(jwt(withClaims({ sub: { id: 1 } })), {
        code: 'missing_claim',
        check: 'claims',
        message: 'sub is an object, expected a string',
        expected: 'a string',
        actual: 'object',
      })
      assert.deepEqual(jwt(withClaims({ jti: false })), {
        code: 'missing_claim',
        check: 'claims',
        message: 'jti is a boolean, expected a string',
        expected: 'a string',
        actual: 'boolean',
      })
    })

    it('accepts aud as a string or an array of strings', () => {
      assert.equal(decodeJwt(withClaims({ aud: 'a' }), defaultMaxTokenBytes).claims.aud, 'a')
      assert.deepEqual(
        decodeJwt(withClaims({ aud: ['a', 'b'] }), defaultMaxTokenBytes).claims.aud,
        ['a', 'b'],
      )
      assert.deepEqual(decodeJwt(withClaims({ aud: [] }), defaultMaxTokenBytes).claims.aud, [])
    })

    it('rejects an aud array holding a non-string', () => {
      assert.deepEqual(jwt(withClaims({ aud: ['https://api.example', 1] })), {
        code: 'missing_claim',
        check: 'claims',
        message: 'aud is an array, expected a string or an array of strings',
        expected: 'a string or an array of strings',
        actual: 'array',
      })
    })

    it('rejects an aud that is neither a string nor an array', () => {
      assert.deepEqual(jwt(withClaims({ aud: { 0: 'a' } })), {
        code: 'missing_claim',
        check: 'claims',
        message: 'aud is an object, expected a string or an array of strings',
        expected: 'a string or an array of strings',
        actual: 'object',
      })
    })

    it('leaves claims other than the registered ones untyped', () => {
      const claims = { exp: 1, scope: ['a'], act: { sub: 'x' }, nonce: null }
      assert.deepEqual(decodeJwt(withClaims(claims), defaultMaxTokenBytes).claims, claims)
    })
  })
})
