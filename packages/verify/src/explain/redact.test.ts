import assert from 'node:assert/strict'
import { createHash, generateKeyPairSync } from 'node:crypto'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { fingerprint, maxShownChars, quote, quoteList, redact, redactList } from './redact.ts'

const settings = { seed: 42, numRuns: 300 }
const base64urlChars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const b64u = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
const codePoints = (text: string): number => Array.from(text).length

const sampleJws = `${b64u({ alg: 'ES256', kid: 'k1' })}.${b64u({ iss: 'https://idp.example' })}.${Buffer.alloc(64, 1).toString('base64url')}`

const segment = (minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...base64urlChars), minLength, maxLength })

// A compact JWS as issuers write it (a base64url JSON header, so "eyJ…"), or just its shape.
const realisticHeader = fc
  .record({ alg: fc.constantFrom('RS256', 'ES256', 'EdDSA', 'none'), kid: fc.string() })
  .map((h) => b64u(h))
const jwsLike = fc
  .tuple(
    fc.oneof(
      realisticHeader,
      segment(2, 24).map((s) => `eyJ${s}`),
    ),
    segment(0, 40),
    segment(0, 40),
  )
  .map(([h, p, s]) => `${h}.${p}.${s}`)

// Text around the token: arbitrary characters, and the token's own alphabet and dots.
const surrounding = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: fc.constantFrom(...`${base64urlChars}. "=\n`), maxLength: 30 }),
  fc.constantFrom('Bearer ', 'token=', 'eyJab.c.d.', '.', 'aud: '),
)

describe('redact', () => {
  it('returns a short ordinary string unchanged', () => {
    assert.equal(redact('https://api.example.com'), 'https://api.example.com')
    assert.equal(redact(''), '')
  })

  it('replaces a compact JWS with its fingerprint', () => {
    assert.equal(redact(sampleJws), `[token ${fingerprint(sampleJws)}]`)
    assert.equal(
      redact(`got ${sampleJws} from the header`),
      `got [token ${fingerprint(sampleJws)}] from the header`,
    )
  })

  it('replaces a compact JWE (five segments) with its fingerprint', () => {
    const jwe = `${b64u({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d`
    assert.equal(redact(jwe), `[token ${fingerprint(jwe)}]`)
  })

  it('replaces a token inside a JSON-rendered value', () => {
    assert.equal(redact({ t: sampleJws }), `{"t":"[token ${fingerprint(sampleJws)}]"}`)
    assert.equal(redact(['a', sampleJws]), `["a","[token ${fingerprint(sampleJws)}]"]`)
  })

  it('never shows the signature of a token that follows another token after a dot', () => {
    const second = `${b64u({ alg: 'ES256' })}.${b64u({ sub: 'x' })}.${Buffer.alloc(64, 2).toString('base64url')}`
    const signature = second.split('.')[2] as string
    const shown = redact(`${sampleJws}.${second}`)
    assert.ok(!shown.includes(signature), shown)
  })

  it('replaces a PEM block, key material included, with its fingerprint', () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString()
      .trim()
    assert.equal(redact(pem), `[pem ${fingerprint(pem)}]`)
    assert.equal(redact(`key: ${pem} (end)`), `key: [pem ${fingerprint(pem)}] (end)`)
  })

  it('replaces an unterminated PEM block up to the end of the text', () => {
    const cut = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg'
    assert.equal(redact(`x ${cut}`), `x [pem ${fingerprint(cut)}]`)
  })

  it('replaces an opaque run of 200 or more base64 characters with its fingerprint', () => {
    const run = 'Ab0+/_-'.repeat(29).slice(0, 200)
    assert.equal(redact(run), `[opaque ${fingerprint(run)}]`)
    const padded = `${'A'.repeat(201)}==`
    assert.equal(redact(`sig ${padded}!`), `sig [opaque ${fingerprint(padded)}]!`)
  })

  it('keeps a run of 199 characters, truncated to the bound', () => {
    const run = 'a'.repeat(199)
    assert.equal(redact(run), `${'a'.repeat(maxShownChars - 1)}…`)
  })

  it('truncates to maxShownChars code points, ending with an ellipsis', () => {
    assert.equal(redact('x'.repeat(maxShownChars)), 'x'.repeat(maxShownChars))
    const long = redact('x'.repeat(maxShownChars + 1))
    assert.equal(long, `${'x'.repeat(maxShownChars - 1)}…`)
    assert.equal(codePoints(long), maxShownChars)
  })

  it('never splits a surrogate pair when truncating', () => {
    const emoji = '😀'.repeat(maxShownChars + 5)
    const shown = redact(emoji)
    assert.equal(shown, `${'😀'.repeat(maxShownChars - 1)}…`)
    // 120 emoji are 240 UTF-16 units but only 120 code points: not truncated.
    assert.equal(redact('😀'.repeat(maxShownChars)), '😀'.repeat(maxShownChars))
  })

  it('renders non-strings as compact JSON', () => {
    assert.equal(redact(42), '42')
    assert.equal(redact(null), 'null')
    assert.equal(redact(true), 'true')
    assert.equal(redact({ a: [1, 'b'] }), '{"a":[1,"b"]}')
    assert.equal(redact(undefined), 'undefined')
  })

  it('renders values JSON cannot hold without throwing', () => {
    const circular: Record<string, unknown> = {}
    circular.self = circular
    assert.equal(redact(circular), '[object Object]')
    assert.equal(redact(10n), '[object BigInt]')
    assert.equal(redact(Symbol('s')), 'Symbol(s)')
  })

  it('never returns a string containing a whole compact JWS, wherever it is embedded', () => {
    fc.assert(
      fc.property(surrounding, jwsLike, surrounding, (before, token, after) => {
        assert.ok(!redact(`${before}${token}${after}`).includes(token))
        assert.ok(!redact({ before, token, after }).includes(token))
        assert.ok(!redact([before, token]).includes(token))
      }),
      settings,
    )
  })

  it('never returns more than maxShownChars code points', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.anything()), (v) => {
        assert.ok(codePoints(redact(v)) <= maxShownChars)
      }),
      settings,
    )
  })

  it('masks every long opaque run, showing its fingerprint instead', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(...`${base64urlChars}+/`),
          minLength: 200,
          maxLength: 600,
        }),
        fc.string({ unit: fc.constantFrom(' ', ',', ':'), minLength: 1, maxLength: 3 }),
        (run, separator) => {
          const shown = redact(`id${separator}${run}${separator}`)
          assert.ok(!shown.includes(run.slice(0, 60)))
          assert.match(shown, /\[(opaque|token) sha256:[0-9a-f]{12}\]/)
        },
      ),
      settings,
    )
  })

  it('masks every PEM block whatever its body', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('PUBLIC KEY', 'PRIVATE KEY', 'RSA PRIVATE KEY', 'CERTIFICATE'),
        fc.array(segment(1, 64), { minLength: 1, maxLength: 4 }),
        (label, lines) => {
          const pem = `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----`
          const shown = redact(`before ${pem} after`)
          assert.equal(shown, `before [pem ${fingerprint(pem)}] after`)
        },
      ),
      settings,
    )
  })
})

describe('quote', () => {
  it('JSON-quotes the redacted value so whitespace and control characters are visible', () => {
    assert.equal(quote('a\nb'), '"a\\nb"')
    assert.equal(quote(' x\t'), '" x\\t"')
    assert.equal(quote('\u001b[31m'), '"\\u001b[31m"')
    assert.equal(quote(1), '"1"')
    assert.equal(quote(undefined), '"undefined"')
    assert.equal(quote(sampleJws), `"[token ${fingerprint(sampleJws)}]"`)
  })

  it('makes every control character visible, DEL and C1 included', () => {
    for (const c of ['\u007f', '\u0085', '\u009b']) {
      const quoted = quote(`a${c}b`)
      assert.ok(!quoted.includes(c), `U+${c.charCodeAt(0).toString(16).padStart(4, '0')} shown raw`)
    }
  })

  it('always gives valid JSON that parses back to the redacted value, with no raw control characters', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.anything()), (v) => {
        const quoted = quote(v)
        assert.equal(JSON.parse(quoted), redact(v))
        // JSON (RFC 8259 §7) must escape U+0000–U+001F; none may reach a terminal raw.
        assert.ok(![...quoted].some((c) => c.charCodeAt(0) < 0x20), quoted)
      }),
      settings,
    )
  })
})

describe('quoteList', () => {
  it('renders a list of quoted, redacted values', () => {
    assert.equal(quoteList(['a', 'b c']), '["a", "b c"]')
    assert.equal(quoteList([]), '[]')
    assert.equal(quoteList([sampleJws]), `["[token ${fingerprint(sampleJws)}]"]`)
  })

  it('caps the list like redactList', () => {
    const values = Array.from({ length: 12 }, (_, i) => `v${i}`)
    assert.equal(
      quoteList(values),
      `[${[...values.slice(0, 10), '… 2 more'].map((v) => JSON.stringify(v)).join(', ')}]`,
    )
  })
})

describe('redactList', () => {
  it('redacts every element', () => {
    assert.deepEqual(redactList(['a', 2, sampleJws]), [
      'a',
      '2',
      `[token ${fingerprint(sampleJws)}]`,
    ])
  })

  it('keeps at most 10 items by default and says how many more there were', () => {
    const values = Array.from({ length: 25 }, (_, i) => i)
    assert.deepEqual(redactList(values), [
      ...Array.from({ length: 10 }, (_, i) => String(i)),
      '… 15 more',
    ])
    assert.deepEqual(redactList(values.slice(0, 10)), values.slice(0, 10).map(String))
  })

  it('keeps at most maxItems items when given', () => {
    assert.deepEqual(redactList(['a', 'b', 'c'], 2), ['a', 'b', '… 1 more'])
    assert.deepEqual(redactList(['a', 'b'], 2), ['a', 'b'])
    assert.deepEqual(redactList(['a', 'b'], 0), ['… 2 more'])
  })

  it('never holds more than maxItems + 1 entries', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 40 }), fc.nat(15), (values, maxItems) => {
        const shown = redactList(values, maxItems)
        assert.ok(shown.length <= maxItems + 1)
        assert.equal(
          shown.length,
          Math.min(values.length, maxItems) + (values.length > maxItems ? 1 : 0),
        )
      }),
      settings,
    )
  })
})

describe('fingerprint', () => {
  it('is sha256: and the first 12 hex digits of the SHA-256 of the text', () => {
    const expected = createHash('sha256').update(sampleJws).digest('hex').slice(0, 12)
    assert.equal(fingerprint(sampleJws), `sha256:${expected}`)
    assert.equal(fingerprint(''), 'sha256:e3b0c44298fc')
  })

  it('is stable and differs for different texts', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        assert.equal(fingerprint(a), fingerprint(a))
        assert.match(fingerprint(a), /^sha256:[0-9a-f]{12}$/)
        if (a !== b) assert.notEqual(fingerprint(a), fingerprint(b))
      }),
      settings,
    )
  })
})
