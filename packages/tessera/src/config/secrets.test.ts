import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Problem } from '@tessera/verify'
import { compileSecretRef, secretRefProblem } from './secrets.ts'

const path = '/issuer/keyEncryptionKey'

describe('secretRefProblem', () => {
  it('accepts env:NAME and file:PATH', () => {
    assert.equal(secretRefProblem('env:TESSERA_KEK'), undefined)
    assert.equal(secretRefProblem('file:./kek'), undefined)
  })

  it('says that secrets never live in the file when the value looks like a key, without echoing it', () => {
    for (const secret of [
      'q1VwC8n2t6Jd0Yb7kXg3Zr5mHs9LpA4eWf2Tu8Nc1Oi',
      'c3f1a9b2e4d5c6f7a8b9c0d1e2f3a4b5',
      '-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----',
      'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.sig',
    ]) {
      const message = secretRefProblem(secret)
      assert.equal(
        message,
        'looks like a secret itself: secrets never live in the file; put it in an environment variable (env:NAME) or a file (file:PATH) and reference that',
      )
    }
  })

  it('asks for a reference when the value is some other literal', () => {
    assert.equal(
      secretRefProblem('my-kek'),
      'must be a reference, env:NAME or file:PATH: secrets never live in the file',
    )
    assert.equal(secretRefProblem('file:'), 'file:PATH needs a path')
    assert.equal(
      secretRefProblem('env:1BAD'),
      'env:NAME needs an environment variable name ([A-Za-z_][A-Za-z0-9_]*)',
    )
  })
})

describe('compileSecretRef', () => {
  it('resolves a relative file: path against the base directory', () => {
    const problems: Problem[] = []
    const ref = compileSecretRef('file:kek', { path, baseDir: '/var/lib/tessera' }, problems)
    assert.deepEqual(ref, { kind: 'file', path: '/var/lib/tessera/kek' })
    assert.deepEqual(problems, [])
  })

  it('checks that an env: variable is set only when an environment is given', () => {
    const problems: Problem[] = []
    assert.deepEqual(compileSecretRef('env:KEK', { path, baseDir: '/' }, problems), {
      kind: 'env',
      name: 'KEK',
    })
    assert.deepEqual(
      compileSecretRef('env:KEK', { path, baseDir: '/', env: { KEK: 'x' } }, problems),
      {
        kind: 'env',
        name: 'KEK',
      },
    )
    assert.deepEqual(problems, [])
    assert.equal(
      compileSecretRef('env:KEK', { path, baseDir: '/', env: { KEK: '' } }, problems),
      undefined,
    )
    assert.deepEqual(problems, [{ path, message: 'environment variable KEK is not set' }])
  })

  it('reports a literal at its path', () => {
    const problems: Problem[] = []
    assert.equal(compileSecretRef('kek', { path, baseDir: '/' }, problems), undefined)
    assert.deepEqual(problems, [
      {
        path,
        message: 'must be a reference, env:NAME or file:PATH: secrets never live in the file',
      },
    ])
  })
})
