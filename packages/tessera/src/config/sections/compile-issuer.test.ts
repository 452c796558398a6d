import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Problem } from '@tessera/verify'
import { compileIssuer } from './compile-issuer.ts'

const allClean = (): boolean => true

describe('compileIssuer', () => {
  it('applies the issuer defaults to a section that has none', () => {
    const problems: Problem[] = []
    assert.deepEqual(compileIssuer({}, { dataDir: '/data', clean: allClean }, problems), {
      settings: {
        algorithm: 'ES256',
        identityTokenTtlSeconds: 300,
        accessTokenTtlSeconds: 900,
        rotateEverySeconds: 86_400,
        prePublishSeconds: 3_600,
        jwksMaxAgeSeconds: 600,
      },
      keyEncryptionKey: { kind: 'file', path: '/data/kek' },
    })
    assert.deepEqual(problems, [])
  })

  it('skips the checks whose fields have schema problems, and the key without a data directory', () => {
    const problems: Problem[] = []
    const compiled = compileIssuer(
      { prePublishSeconds: 1, jwksMaxAgeSeconds: 600 },
      { clean: (field) => field !== 'rotateEverySeconds' },
      problems,
    )
    assert.deepEqual(compiled, {})
    assert.deepEqual(problems, [])
  })
})
