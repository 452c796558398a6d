import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import { fingerprint, TesseraError } from '@tessera/verify'
import { type CanonicalExchange, tokenTypes } from './canonical.ts'
import { rejectsWith } from './testing/assert-error.ts'
import { createWorld, idpUrl, issuerUrl, payments, start, type World } from './testing/world.ts'
import { tokenSha256 } from './token-hash.ts'

const ciClaims = {
  sub: 'repo:acme/payments:ref:refs/heads/main',
  repository_owner: 'acme',
  repository: 'acme/payments',
}

function request(subjectToken: string, extra: Partial<CanonicalExchange> = {}): CanonicalExchange {
  return {
    dialect: 'token-exchange',
    correlationId: 'corr-a',
    subjectToken,
    subjectTokenType: tokenTypes.jwt,
    audience: 'payments-api',
    scopes: ['payments.read'],
    ...extra,
  }
}

/** Every token and every signature must be absent from a serialized record. */
function assertNoToken(record: unknown, ...tokens: string[]): void {
  const text = JSON.stringify(record)
  for (const token of tokens) {
    assert.equal(text.includes(token), false, 'the record holds a whole token')
    assert.equal(
      text.includes(token.split('.')[2] as string),
      false,
      'the record holds a signature',
    )
  }
}

describe('createExchangeEngine: audit', () => {
  let world: World
  beforeEach(async () => {
    world = await createWorld()
  })

  it('records an allowed exchange with the token hashes, never a token', async () => {
    const subjectToken = world.idpToken(ciClaims)
    const result = await world.engine.exchange(request(subjectToken))
    const [record] = world.audit.records
    const issued = JSON.parse(
      Buffer.from(result.accessToken.split('.')[1] as string, 'base64url').toString(),
    )
    assert.deepEqual(record, {
      time: start * 1000,
      correlationId: 'corr-a',
      kind: 'exchange',
      dialect: 'token-exchange',
      presented: {
        iss: idpUrl,
        sub: ciClaims.sub,
        aud: [issuerUrl],
        tokenSha256: tokenSha256(subjectToken),
      },
      decision: 'allow',
      policy: 'ci-deploy',
      issued: {
        sub: 'spiffe://example.org/ci/acme/payments',
        aud: payments,
        scope: 'payments.read',
        exp: start + 600,
        jti: issued.jti,
        tokenSha256: tokenSha256(result.accessToken),
      },
    })
    assertNoToken(record, subjectToken, result.accessToken)
  })

  it('records every denial with code, check, expected, actual, hint, message and policy, never the token', async () => {
    const subjectToken = world.idpToken(ciClaims)
    await assert.rejects(world.engine.exchange(request(subjectToken, { audience: `${payments}/` })))
    const [record] = world.audit.records
    assert.deepEqual(record, {
      time: start * 1000,
      correlationId: 'corr-a',
      kind: 'exchange',
      dialect: 'token-exchange',
      presented: {
        iss: idpUrl,
        sub: ciClaims.sub,
        aud: [issuerUrl],
        tokenSha256: tokenSha256(subjectToken),
      },
      decision: 'deny',
      code: 'target_not_allowed',
      check: 'target',
      expected: [payments],
      actual: `${payments}/`,
      hint: 'trailing_slash',
      message:
        'policy "ci-deploy": target "https://payments.example.org/" is not in the inventory, expected one of ["https://payments.example.org"]: the values differ only by a trailing slash',
      policy: 'ci-deploy',
    })
    assertNoToken(record, subjectToken)
  })

  it('records what a rejected token claimed, redacted, when it does not verify', async () => {
    const forged = world.idp.sign({
      iss: 'https://evil.example.com',
      sub: 'x'.repeat(300),
      aud: Array.from({ length: 12 }, (_, i) => `aud-${i}`),
      exp: start + 60,
    })
    await assert.rejects(world.engine.exchange(request(forged)))
    const [record] = world.audit.records
    assert.deepEqual(record?.presented, {
      iss: 'https://evil.example.com',
      sub: `[opaque ${fingerprint('x'.repeat(300))}]`,
      aud: Array.from({ length: 10 }, (_, i) => `aud-${i}`),
      tokenSha256: tokenSha256(forged),
    })
    assert.equal(record?.code, 'issuer_unknown')
    assertNoToken(record, forged)
  })

  it('records only the hash of a subject token that cannot be decoded', async () => {
    await rejectsWith(() => world.engine.exchange(request('not-a-jwt')), {
      code: 'malformed',
      check: 'decode',
      expected: undefined,
      actual: undefined,
      hint: undefined,
    })
    assert.deepEqual(world.audit.records[0]?.presented, { tokenSha256: tokenSha256('not-a-jwt') })
  })

  it('records a request refused before any token was read', async () => {
    await assert.rejects(world.engine.exchange(request('')))
    const [record] = world.audit.records
    assert.equal(record?.code, 'invalid_request')
    assert.equal(record?.presented, undefined)
  })

  it('withholds the token with internal_error when the allow record cannot be written', async () => {
    world.audit.failure = new Error('disk full')
    const error = await rejectsWith(
      () => world.engine.exchange(request(world.idpToken(ciClaims))),
      {
        code: 'internal_error',
        check: 'audit',
        expected: undefined,
        actual: undefined,
        hint: undefined,
        message:
          'the audit record could not be written (disk full): the request was refused with internal_error',
      },
    )
    // The cause chain leads to the sink's failure; nothing was recorded, nothing returned.
    assert.equal((error.cause as Error).message, 'disk full')
    assert.deepEqual(world.audit.records, [])
  })

  it('records the withholding when only the allow record fails', async () => {
    let appends = 0
    const flaky = {
      append: async (record: (typeof world.audit.records)[number]) => {
        if (++appends === 1) throw new Error('timeout')
        await world.audit.append(record)
      },
      query: world.audit.query.bind(world.audit),
    }
    const engine = world.engineWith({ audit: flaky })
    await rejectsWith(() => engine.exchange(request(world.idpToken(ciClaims))), {
      code: 'internal_error',
      check: 'audit',
      expected: undefined,
      actual: undefined,
      hint: undefined,
      message: 'the audit record could not be written (timeout): the issued token is withheld',
    })
    assert.deepEqual(
      world.audit.records.map((r) => [r.decision, r.code, r.policy, r.issued]),
      [['deny', 'internal_error', 'ci-deploy', undefined]],
    )
  })

  it('answers internal_error, not the denial, when the deny record cannot be written', async () => {
    world.audit.failure = new Error('read-only')
    const error = await rejectsWith(() => world.engine.exchange(request('a.b')), {
      code: 'internal_error',
      check: 'audit',
      expected: undefined,
      actual: undefined,
      hint: undefined,
      message:
        'the audit record could not be written (read-only): the request was refused with malformed',
    })
    assert.ok(error instanceof TesseraError)
  })

  it('audits and converts an unexpected failure into internal_error with its cause', async () => {
    const bug = new TypeError(`cannot read ${world.idpToken({ sub: 'leak' })}`)
    const engine = world.engineWith({
      replay: {
        use: () => {
          throw bug
        },
      },
    })
    const token = world.idpToken({ sub: 'job:9' })
    const error = await rejectsWith(
      () => engine.exchange(request(token, { audience: 'ledger', scopes: [] })),
      {
        code: 'internal_error',
        check: 'internal',
        expected: undefined,
        actual: undefined,
        hint: undefined,
      },
    )
    assert.equal(error.cause, bug)
    const [record] = world.audit.records
    assert.equal(record?.code, 'internal_error')
    assert.equal(record?.policy, 'one-shot')
    assert.match(
      record?.message ?? '',
      /^unexpected failure: cannot read \[token sha256:[0-9a-f]{12}\]$/,
    )
  })

  it('audits a thrown non-Error value as internal_error', async () => {
    const engine = world.engineWith({
      policies: () => {
        throw 'config gone'
      },
    })
    await rejectsWith(() => engine.exchange(request(world.idpToken(ciClaims))), {
      code: 'internal_error',
      expected: undefined,
      actual: undefined,
      hint: undefined,
      message: 'unexpected failure: config gone',
    })
  })
})
