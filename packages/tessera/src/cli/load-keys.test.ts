import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { TesseraError } from '@tessera/verify'
import { generateTestKey, jwksOf } from '../../../verify/test/support/token-factory.ts'
import { loadKeySource } from './load-keys.ts'

const dir = mkdtempSync(join(tmpdir(), 'tessera-load-keys-'))
after(() => rmSync(dir, { recursive: true, force: true }))

function file(name: string, content: string): string {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

function isUsageError(message: string, path = '') {
  return (error: unknown): boolean => {
    assert.ok(error instanceof TesseraError, `expected a TesseraError, got ${String(error)}`)
    assert.deepEqual(error.toJSON(), {
      code: 'invalid_options',
      check: 'usage',
      message,
      problems: [{ path, message }],
    })
    return true
  }
}

const ec = generateTestKey('ES256', 'ec-1')
const rsa = generateTestKey('RS256', 'rsa-1')
const ed = generateTestKey('EdDSA', 'ed-1')

describe('loadKeySource', () => {
  it('uses discovery when no --jwks is given', () => {
    assert.deepEqual(loadKeySource(undefined, false), { discovery: true })
    assert.deepEqual(loadKeySource(undefined, true), { discovery: true })
  })

  it('refuses --jwks together with --discovery', () => {
    assert.throws(
      () => loadKeySource(file('both.json', '{}'), true),
      isUsageError('give either --jwks or --discovery, not both', 'jwks'),
    )
  })

  it('treats an http or https address as a JWKS URL, without reading anything', () => {
    assert.deepEqual(loadKeySource('https://idp.example/jwks', false), {
      jwksUri: 'https://idp.example/jwks',
    })
    assert.deepEqual(loadKeySource('HTTP://127.0.0.1:8080/keys', false), {
      jwksUri: 'HTTP://127.0.0.1:8080/keys',
    })
  })

  it('reads a JWK Set file as it is', () => {
    const jwks = jwksOf(ec, rsa)
    assert.deepEqual(loadKeySource(file('jwks.json', JSON.stringify(jwks)), false), { jwks })
  })

  it('wraps a single JWK file in a key set', () => {
    assert.deepEqual(loadKeySource(file('one.jwk', JSON.stringify(ec.jwk)), false), {
      jwks: { keys: [ec.jwk] },
    })
  })

  it('converts a PEM public key file to a one-key set', () => {
    for (const key of [ec, rsa, ed]) {
      const pem = key.publicKey.export({ type: 'spki', format: 'pem' }).toString()
      const loaded = loadKeySource(file(`${key.kid}.pem`, `# comment\n${pem}`), false)
      assert.deepEqual(loaded, { jwks: { keys: [key.publicKey.export({ format: 'jwk' })] } })
    }
  })

  it('converts a PKCS#1 RSA public key file', () => {
    const pem = rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString()
    assert.deepEqual(loadKeySource(file('pkcs1.pem', pem), false), {
      jwks: { keys: [rsa.publicKey.export({ format: 'jwk' })] },
    })
  })

  it('refuses PEM that holds no key', () => {
    const path = file(
      'junk.pem',
      '-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n',
    )
    assert.throws(
      () => loadKeySource(path, false),
      isUsageError(`key file ${JSON.stringify(path)} holds PEM that is not a public key`, 'jwks'),
    )
  })

  it('refuses a PEM private key', () => {
    const privatePem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString()
    const path = file('private.pem', privatePem)
    assert.throws(
      () => loadKeySource(path, false),
      isUsageError(
        `key file ${JSON.stringify(path)} holds a private key: pass the public key (or the JWKS)`,
        'jwks',
      ),
    )
  })

  it('refuses a file that is neither JSON nor PEM', () => {
    const path = file('keys.txt', 'kty=EC')
    assert.throws(
      () => loadKeySource(path, false),
      isUsageError(
        `key file ${JSON.stringify(path)} is neither JSON (JWKS or JWK) nor PEM`,
        'jwks',
      ),
    )
  })

  it('names an unreadable key file', () => {
    const missing = join(dir, 'missing.json')
    assert.throws(
      () => loadKeySource(missing, false),
      isUsageError(`cannot read key set file ${JSON.stringify(missing)}: ENOENT`),
    )
  })

  it('passes other JSON through for the verifier to judge', () => {
    assert.deepEqual(loadKeySource(file('empty.json', '{}'), false), { jwks: {} })
    assert.deepEqual(loadKeySource(file('null.json', 'null'), false), { jwks: null })
  })
})
