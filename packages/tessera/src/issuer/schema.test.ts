import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Value } from 'typebox/value'
import {
  checkIssuerSettings,
  issuerDefaults,
  issuerSectionSchema,
  resolveIssuerSettings,
} from './schema.ts'
import { testSettings } from './testing/settings.ts'

const paths = (value: unknown): string[] =>
  [...Value.Errors(issuerSectionSchema, value)].map((e) => e.instancePath)

describe('issuerSectionSchema', () => {
  it('accepts an empty section and fills every declared default', () => {
    assert.equal(Value.Check(issuerSectionSchema, {}), true)
    assert.deepEqual(Value.Default(issuerSectionSchema, {}), { ...issuerDefaults })
  })

  it('accepts every field written out', () => {
    const section = {
      algorithm: 'EdDSA',
      identityTokenTtlSeconds: 120,
      accessTokenTtlSeconds: 600,
      rotateEverySeconds: 7200,
      prePublishSeconds: 900,
      jwksMaxAgeSeconds: 300,
      keyEncryptionKey: 'env:TESSERA_KEK',
    }
    assert.deepEqual(paths(section), [])
  })

  it('rejects unknown keys so a typo is an error', () => {
    assert.ok(paths({ rotateEverySecond: 60 }).includes('/rotateEverySecond'))
  })

  it('rejects an algorithm Tessera does not sign with', () => {
    assert.deepEqual(paths({ algorithm: 'HS256' }), ['/algorithm'])
    assert.deepEqual(paths({ algorithm: 'es256' }), ['/algorithm'])
  })

  it('rejects fractional, zero and over-long lifetimes', () => {
    assert.deepEqual(paths({ identityTokenTtlSeconds: 1.5 }), ['/identityTokenTtlSeconds'])
    assert.deepEqual(paths({ accessTokenTtlSeconds: 0 }), ['/accessTokenTtlSeconds'])
    assert.deepEqual(paths({ accessTokenTtlSeconds: 86_401 }), ['/accessTokenTtlSeconds'])
    assert.deepEqual(paths({ prePublishSeconds: -1 }), ['/prePublishSeconds'])
  })

  it('accepts only env:NAME and file:PATH as the key-encryption key', () => {
    assert.deepEqual(paths({ keyEncryptionKey: 'file:/var/lib/tessera/kek' }), [])
    assert.deepEqual(paths({ keyEncryptionKey: 'env:1BAD' }), ['/keyEncryptionKey'])
    assert.deepEqual(paths({ keyEncryptionKey: 'file:' }), ['/keyEncryptionKey'])
    assert.deepEqual(paths({ keyEncryptionKey: 'q9nYtq0bX1XxA5m8' }), ['/keyEncryptionKey'])
  })

  it('describes every field and forbids additional properties', () => {
    const schema = issuerSectionSchema as typeof issuerSectionSchema & Record<string, unknown>
    assert.equal(schema.additionalProperties, false)
    assert.equal(typeof schema.description, 'string')
    for (const [name, field] of Object.entries(issuerSectionSchema.properties)) {
      assert.equal(typeof (field as { description?: unknown }).description, 'string', name)
      assert.notEqual((field as { default?: unknown }).default, undefined, name)
    }
  })
})

describe('resolveIssuerSettings', () => {
  const context = { issuerUrl: 'https://tessera.test', trustDomain: 'example.org' }

  it('fills the defaults of an empty section and adds issuer URL and trust domain', () => {
    assert.deepEqual(resolveIssuerSettings({}, context), testSettings())
  })

  it('keeps every value written in the section', () => {
    const section = {
      algorithm: 'RS256',
      identityTokenTtlSeconds: 60,
      accessTokenTtlSeconds: 120,
      rotateEverySeconds: 7200,
      prePublishSeconds: 900,
      jwksMaxAgeSeconds: 300,
    } as const
    const { issuerUrl, trustDomain, ...rest } = resolveIssuerSettings(section, context)
    assert.deepEqual(rest, section)
    assert.deepEqual({ issuerUrl, trustDomain }, context)
  })
})

describe('checkIssuerSettings', () => {
  it('finds no problem in the defaults', () => {
    assert.deepEqual(checkIssuerSettings(testSettings()), [])
  })

  it('refuses prePublishSeconds shorter than jwksMaxAgeSeconds, at its JSON pointer', () => {
    const problems = checkIssuerSettings(
      testSettings({ prePublishSeconds: 300, jwksMaxAgeSeconds: 600 }),
    )
    assert.deepEqual(
      problems.map((p) => p.path),
      ['/issuer/prePublishSeconds'],
    )
    assert.match(problems[0]?.message ?? '', /at least jwksMaxAgeSeconds \(600\), got 300/)
  })

  it('accepts prePublishSeconds equal to jwksMaxAgeSeconds', () => {
    assert.deepEqual(
      checkIssuerSettings(testSettings({ prePublishSeconds: 600, jwksMaxAgeSeconds: 600 })),
      [],
    )
  })

  it('refuses a rotation period not longer than prePublishSeconds', () => {
    const problems = checkIssuerSettings(
      testSettings({ rotateEverySeconds: 3600, prePublishSeconds: 3600 }),
    )
    assert.deepEqual(
      problems.map((p) => p.path),
      ['/issuer/rotateEverySeconds'],
    )
    assert.match(problems[0]?.message ?? '', /greater than prePublishSeconds \(3600\), got 3600/)
  })

  it('reports every relation problem at once', () => {
    const problems = checkIssuerSettings(
      testSettings({ rotateEverySeconds: 100, prePublishSeconds: 200, jwksMaxAgeSeconds: 600 }),
    )
    assert.deepEqual(
      problems.map((p) => p.path),
      ['/issuer/prePublishSeconds', '/issuer/rotateEverySeconds'],
    )
  })

  it('refuses out-of-range values of settings built in code, each at its path', () => {
    const problems = checkIssuerSettings(
      testSettings({
        identityTokenTtlSeconds: 0,
        accessTokenTtlSeconds: 86_401,
        rotateEverySeconds: 1.5,
        prePublishSeconds: -1,
        jwksMaxAgeSeconds: Number.NaN,
      }),
    )
    assert.deepEqual(
      problems.map((p) => p.path),
      [
        '/issuer/identityTokenTtlSeconds',
        '/issuer/accessTokenTtlSeconds',
        '/issuer/rotateEverySeconds',
        '/issuer/prePublishSeconds',
        '/issuer/jwksMaxAgeSeconds',
      ],
    )
    assert.match(problems[1]?.message ?? '', /from 1 to 86400, got 86401/)
  })
})
