import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import { createJoinToken } from '../issuer/index.ts'
import { policyOf } from '../policy/index.ts'
import { rejectsWith } from './testing/assert-error.ts'
import {
  createWorld,
  decodeParts,
  idpUrl,
  issuerUrl,
  payments,
  start,
  type World,
} from './testing/world.ts'
import { tokenSha256 } from './token-hash.ts'

const workload = 'spiffe://example.org/payments/worker'
const k8sClaims = { sub: 'system:serviceaccount:pay:worker', namespace: 'pay', sa: 'worker' }

describe('createExchangeEngine: issueIdentity', () => {
  let world: World
  let joinToken: string
  beforeEach(async () => {
    world = await createWorld()
    const created = await createJoinToken({
      store: world.joinTokens,
      spiffeId: workload,
      ttlSeconds: 600,
      clock: world.clock,
    })
    joinToken = created.token
  })

  it('redeems a join token for a JWT naming its SPIFFE ID, once', async () => {
    const result = await world.engine.issueIdentity({
      correlationId: 'id-1',
      joinToken,
      audience: 'payments-api',
    })
    const { header, claims } = decodeParts(result.token)
    assert.equal(header.typ, 'JWT')
    assert.deepEqual(
      { ...claims, jti: typeof claims.jti },
      { sub: workload, aud: payments, exp: start + 300, iss: issuerUrl, iat: start, jti: 'string' },
    )
    assert.deepEqual(result, {
      token: result.token,
      subject: workload,
      audience: payments,
      expiresIn: 300,
      expiresAt: start + 300,
      correlationId: 'id-1',
    })
    const [record] = world.audit.records
    assert.deepEqual(record, {
      time: start * 1000,
      correlationId: 'id-1',
      kind: 'identity',
      dialect: 'identity',
      presented: { tokenSha256: tokenSha256(joinToken) },
      decision: 'allow',
      issued: {
        sub: workload,
        aud: payments,
        exp: start + 300,
        jti: claims.jti,
        tokenSha256: tokenSha256(result.token),
      },
    })
    assert.equal(JSON.stringify(world.audit.records).includes(joinToken), false)

    await rejectsWith(
      () =>
        world.engine.issueIdentity({ correlationId: 'id-2', joinToken, audience: 'payments-api' }),
      {
        code: 'join_token_invalid',
        check: 'attestation',
        expected: undefined,
        actual: `sha256:${tokenSha256(joinToken).slice(0, 12)}`,
        hint: undefined,
      },
    )
    assert.equal(world.audit.records[1]?.code, 'join_token_invalid')
  })

  it('honours a shorter requested lifetime and caps a longer one', async () => {
    const short = await world.engine.issueIdentity({
      correlationId: '',
      joinToken,
      audience: issuerUrl,
      ttlSeconds: 60,
    })
    assert.equal(short.expiresIn, 60)
    assert.equal(short.audience, issuerUrl)
    assert.equal(short.correlationId, 'generated-1')
    const second = await createJoinToken({
      store: world.joinTokens,
      spiffeId: workload,
      ttlSeconds: 600,
      clock: world.clock,
    })
    const long = await world.engine.issueIdentity({
      correlationId: 'x',
      joinToken: second.token,
      audience: payments,
      ttlSeconds: 86_400,
    })
    assert.equal(long.expiresIn, 300)
  })

  it('refuses a join-token audience outside the inventory, before burning the token', async () => {
    await rejectsWith(
      () =>
        world.engine.issueIdentity({ correlationId: 'x', joinToken, audience: `${issuerUrl}/` }),
      {
        code: 'target_not_allowed',
        check: 'target',
        expected: ['an inventory service or audience', issuerUrl],
        actual: `${issuerUrl}/`,
        hint: 'trailing_slash',
        message: `audience "${issuerUrl}/" is neither an inventory service or audience nor this issuer "${issuerUrl}": the values differ only by a trailing slash`,
      },
    )
    await rejectsWith(
      () => world.engine.issueIdentity({ correlationId: 'x', joinToken, audience: 'aws' }),
      {
        code: 'target_not_allowed',
        expected: ['an inventory service or audience', issuerUrl],
        actual: 'aws',
        hint: undefined,
      },
    )
    const result = await world.engine.issueIdentity({
      correlationId: 'x',
      joinToken,
      audience: payments,
    })
    assert.equal(result.subject, workload)
  })

  it('enforces a SPIFFE ID of the trust domain as subject', async () => {
    const foreign = await createJoinToken({
      store: world.joinTokens,
      spiffeId: 'spiffe://other.org/payments/worker',
      ttlSeconds: 600,
      clock: world.clock,
    })
    await rejectsWith(
      () =>
        world.engine.issueIdentity({
          correlationId: 'x',
          joinToken: foreign.token,
          audience: payments,
        }),
      {
        code: 'subject_mismatch',
        check: 'identity',
        expected: 'spiffe://example.org/<path>',
        actual: 'spiffe://other.org/payments/worker',
        hint: undefined,
        message:
          'subject "spiffe://other.org/payments/worker" is not a workload SPIFFE ID in trust domain "example.org"',
      },
    )
  })

  it('refuses join tokens when the engine has no join-token store', async () => {
    const engine = world.engineWith({ joinTokens: undefined })
    await rejectsWith(
      () => engine.issueIdentity({ correlationId: 'x', joinToken, audience: payments }),
      {
        code: 'internal_error',
        check: 'attestation',
        expected: undefined,
        actual: undefined,
        hint: undefined,
      },
    )
  })

  it('verifies an upstream token and maps it to a SPIFFE ID through an identity policy', async () => {
    const upstream = world.idpToken(k8sClaims)
    const result = await world.engine.issueIdentity({
      correlationId: 'k8s',
      subjectToken: upstream,
      audience: 'payments-api',
    })
    const { claims } = decodeParts(result.token)
    assert.equal(claims.sub, 'spiffe://example.org/ns/pay/sa/worker')
    assert.equal(claims.aud, payments)
    // The policy caps the lifetime at 120 s, under identityTokenTtlSeconds.
    assert.equal(result.expiresIn, 120)
    const [record] = world.audit.records
    assert.equal(record?.policy, 'k8s-identity')
    assert.deepEqual(record?.presented, {
      iss: idpUrl,
      sub: k8sClaims.sub,
      aud: [issuerUrl],
      tokenSha256: tokenSha256(upstream),
    })
  })

  it('refuses an upstream token whose mapped subject is not a SPIFFE ID', async () => {
    const error = await rejectsWith(
      () =>
        world.engine.issueIdentity({
          correlationId: 'k8s',
          subjectToken: world.idpToken({ ...k8sClaims, namespace: '..' }),
          audience: 'payments-api',
        }),
      {
        code: 'claim_mismatch',
        check: 'output',
        expected: 'spiffe://example.org/<path>',
        actual: 'spiffe://example.org/ns/../sa/worker',
        hint: undefined,
      },
    )
    assert.equal(policyOf(error), 'k8s-identity')
    assert.equal(world.audit.records[0]?.policy, 'k8s-identity')
  })

  it('refuses an upstream token for an audience the identity policy does not list', async () => {
    await rejectsWith(
      () =>
        world.engine.issueIdentity({
          correlationId: 'k8s',
          subjectToken: world.idpToken(k8sClaims),
          audience: 'ledger',
        }),
      {
        code: 'target_not_allowed',
        check: 'target',
        expected: [payments],
        actual: 'ledger',
        hint: undefined,
      },
    )
  })

  it("propagates the verifier's code for an upstream token", async () => {
    const upstream = world.idpToken(k8sClaims)
    world.now = start + 3600
    await rejectsWith(
      () =>
        world.engine.issueIdentity({
          correlationId: 'k',
          subjectToken: upstream,
          audience: payments,
        }),
      {
        code: 'expired',
        check: 'expiry',
        expected: 'exp after 2026-01-01T00:59:00Z',
        actual: 'exp 2026-01-01T00:05:00Z',
        hint: undefined,
      },
    )
  })

  it('refuses malformed identity requests with invalid_request', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ joinToken, subjectToken: 'x' }, 'joinToken or subjectToken', 'both'],
      [{}, 'joinToken or subjectToken', 'neither'],
      [{ joinToken: '' }, 'joinToken or subjectToken', 'not a non-empty string'],
      [{ joinToken, audience: '' }, 'audience', 'missing'],
      [{ joinToken, ttlSeconds: 0 }, 'a positive integer', '0'],
      [{ joinToken, ttlSeconds: 1.5 }, 'a positive integer', '1.5'],
    ]
    for (const [fields, expected, actual] of cases) {
      await rejectsWith(
        () =>
          world.engine.issueIdentity({
            correlationId: 'x',
            audience: payments,
            ...fields,
          } as never),
        { code: 'invalid_request', expected, actual, hint: undefined },
      )
    }
    assert.equal(world.audit.records.length, cases.length)
    assert.ok(world.audit.records.every((r) => r.kind === 'identity' && r.decision === 'deny'))
  })

  it('withholds the identity token when the audit record cannot be written', async () => {
    world.audit.failure = new Error('disk full')
    await rejectsWith(
      () => world.engine.issueIdentity({ correlationId: 'x', joinToken, audience: payments }),
      {
        code: 'internal_error',
        check: 'audit',
        expected: undefined,
        actual: undefined,
        hint: undefined,
      },
    )
  })

  it('accepts an upstream token once when its identity policy is single-use', async () => {
    const upstream = world.idpToken({ sub: 'ci-job:7', job: 'build', jti: 'ci-7' })
    const first = await world.engine.issueIdentity({
      correlationId: 'a',
      subjectToken: upstream,
      audience: payments,
    })
    assert.equal(first.subject, 'spiffe://example.org/ci/build')
    await rejectsWith(
      () =>
        world.engine.issueIdentity({
          correlationId: 'b',
          subjectToken: upstream,
          audience: payments,
        }),
      {
        code: 'replay',
        check: 'replay',
        expected: 'a jti not seen before',
        actual: 'ci-7',
        hint: undefined,
      },
    )
    assert.equal(world.audit.records[1]?.policy, 'ci-identity')
  })
})
