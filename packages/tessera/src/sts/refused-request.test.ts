import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import { TesseraError } from '@tessera/verify'
import { tokenTypes } from './canonical.ts'
import { createWorld, idpUrl, issuerUrl, start, type World } from './testing/world.ts'
import { tokenSha256 } from './token-hash.ts'

const unknownRole = () =>
  new TesseraError({
    code: 'no_matching_policy',
    check: 'role',
    message: 'role "ci-deplyo" is not a Tessera trust policy: the closest policy is "ci-deploy"',
    expected: 'ci-deploy',
    actual: 'ci-deplyo',
  })

describe('engine.refuse: refusals decided before the engine', () => {
  let world: World
  beforeEach(async () => {
    world = await createWorld()
  })

  it('writes one deny record with the whole explanation and the token hash, never the token', async () => {
    const token = world.idpToken({ sub: 'repo:acme/payments:ref:refs/heads/main' })
    const error = unknownRole()
    const answered = await world.engine.refuse(
      { dialect: 'aws-sts', correlationId: 'req-1', clientId: 'client-a', subjectToken: token },
      error,
    )
    assert.equal(answered, error)
    assert.deepEqual(world.audit.records, [
      {
        time: start * 1000,
        correlationId: 'req-1',
        kind: 'exchange',
        dialect: 'aws-sts',
        clientId: 'client-a',
        // Read unverified, so redacted (short values show as they are).
        presented: {
          iss: idpUrl,
          sub: 'repo:acme/payments:ref:refs/heads/main',
          aud: [issuerUrl],
          tokenSha256: tokenSha256(token),
        },
        decision: 'deny',
        code: 'no_matching_policy',
        check: 'role',
        expected: 'ci-deploy',
        actual: 'ci-deplyo',
        message: error.message,
      },
    ])
    assert.equal(JSON.stringify(world.audit.records).includes(token), false)
  })

  it('does not write a refusal the engine already audited a second time', async () => {
    const exchange = world.engine.exchange({
      dialect: 'aws-sts',
      correlationId: 'req-2',
      subjectToken: 'not-a-jwt',
      subjectTokenType: tokenTypes.jwt,
      audience: 'payments-api',
      scopes: [],
    })
    const error = await exchange.catch((e: unknown) => e as TesseraError)
    assert.ok(error instanceof TesseraError)
    assert.equal(error.code, 'malformed')
    assert.equal(
      await world.engine.refuse({ dialect: 'aws-sts', correlationId: 'req-2' }, error),
      error,
    )
    assert.equal(world.audit.records.length, 1)
  })

  it('creates a correlation id when none is given and records no token when none was read', async () => {
    const engine = world.engineWith({ newCorrelationId: () => 'made-up' })
    await engine.refuse({ dialect: 'entra', correlationId: '' }, unknownRole())
    const [record] = world.audit.records
    assert.equal(record?.correlationId, 'made-up')
    assert.equal(record?.presented, undefined)
    assert.equal(record?.clientId, undefined)
  })

  it('redacts a client id that looks like a token', async () => {
    const token = world.idpToken({ sub: 'x' })
    await world.engine.refuse(
      { dialect: 'entra', correlationId: 'req-3', clientId: token, subjectToken: '' },
      unknownRole(),
    )
    const [record] = world.audit.records
    assert.match(record?.clientId ?? '', /^\[token sha256:[0-9a-f]{12}\]$/)
    assert.equal(record?.presented, undefined)
  })

  it('answers internal_error when the deny record cannot be written', async () => {
    world.audit.failure = new Error('disk full')
    const answered = await world.engine.refuse(
      { dialect: 'google-sts', correlationId: 'req-4' },
      unknownRole(),
    )
    assert.equal(answered.code, 'internal_error')
    assert.equal(answered.check, 'audit')
    assert.equal(
      answered.message,
      'the audit record could not be written (disk full): the request was refused with no_matching_policy',
    )
  })
})
