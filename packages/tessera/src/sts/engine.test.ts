import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import { createVerifier } from '@tessera/verify'
import { policyOf as policyNameOf } from '../policy/index.ts'
import { type CanonicalExchange, tokenTypes } from './canonical.ts'
import { rejectsWith } from './testing/assert-error.ts'
import {
  createWorld,
  decodeParts,
  idpUrl,
  issuerUrl,
  ledger,
  payments,
  start,
  type World,
} from './testing/world.ts'

const ciClaims = {
  sub: 'repo:acme/payments:ref:refs/heads/main',
  repository_owner: 'acme',
  repository: 'acme/payments',
}

function request(subjectToken: string, extra: Partial<CanonicalExchange> = {}): CanonicalExchange {
  return {
    dialect: 'test',
    correlationId: 'corr-1',
    subjectToken,
    subjectTokenType: tokenTypes.jwt,
    audience: 'payments-api',
    scopes: ['payments.read'],
    ...extra,
  }
}

describe('createExchangeEngine: exchange', () => {
  let world: World
  beforeEach(async () => {
    world = await createWorld()
  })

  it('mints an RFC 9068 at+jwt for the target, with the granted scope, the policy as client_id and mapped claims', async () => {
    const subjectToken = world.idpToken(ciClaims)
    const result = await world.engine.exchange(
      request(subjectToken, { clientId: 'my-client', requestedTokenType: tokenTypes.jwt }),
    )
    const { header, claims } = decodeParts(result.accessToken)
    assert.equal(header.typ, 'at+jwt')
    assert.deepEqual(
      { ...claims, jti: typeof claims.jti },
      {
        repo: 'acme/payments',
        sub: 'spiffe://example.org/ci/acme/payments',
        aud: payments,
        client_id: 'ci-deploy',
        scope: 'payments.read',
        exp: start + 600,
        iss: issuerUrl,
        iat: start,
        jti: 'string',
      },
    )
    assert.deepEqual(result, {
      accessToken: result.accessToken,
      issuedTokenType: tokenTypes.jwt,
      tokenType: 'Bearer',
      expiresIn: 600,
      scope: 'payments.read',
      correlationId: 'corr-1',
    })
    // The client id the caller claimed (clients are not authenticated) is only recorded.
    assert.equal(world.audit.records[0]?.clientId, 'my-client')
    // A receiver verifying it as an RFC 9068 access token accepts it.
    const receiver = createVerifier({
      issuers: [{ issuer: issuerUrl, keySource: world.keys.keySource() }],
      audience: payments,
      typ: 'at+jwt',
      clock: world.clock,
    })
    assert.equal((await receiver.verify(result.accessToken)).claims.sub, claims.sub)
  })

  it('caps the lifetime by the issuer setting when the policy sets none, client_id the policy', async () => {
    const result = await world.engine.exchange(
      request(world.idpToken({ sub: 'job:42' }), { audience: 'ledger', scopes: [] }),
    )
    const { claims } = decodeParts(result.accessToken)
    assert.equal(result.expiresIn, 900)
    assert.equal(claims.exp, start + 900)
    assert.equal(claims.client_id, 'one-shot')
    assert.equal(claims.aud, ledger)
    // No scope granted: no scope claim, no scope in the answer (RFC 8693 §2.2.1).
    assert.equal('scope' in claims, false)
    assert.equal('scope' in result, false)
    assert.equal(result.issuedTokenType, tokenTypes.accessToken)
  })

  it("does not tie the lifetime to the subject token's remaining lifetime", async () => {
    const subjectToken = world.idpToken({ ...ciClaims, exp: start + 10 })
    const result = await world.engine.exchange(request(subjectToken))
    assert.equal(result.expiresIn, 600)
  })

  it('mints whole-second times from a fractional clock', async () => {
    const subjectToken = world.idpToken(ciClaims)
    world.now = start + 0.5
    const { claims } = decodeParts((await world.engine.exchange(request(subjectToken))).accessToken)
    assert.deepEqual([claims.iat, claims.exp], [start, start + 600])
  })

  it('grants all of the policy scopes when none are requested', async () => {
    const result = await world.engine.exchange(request(world.idpToken(ciClaims), { scopes: [] }))
    assert.equal(result.scope, 'payments.read payments.write')
  })

  it('accepts audience and resource naming the same service', async () => {
    const result = await world.engine.exchange(
      request(world.idpToken(ciClaims), { resource: payments }),
    )
    assert.equal(decodeParts(result.accessToken).claims.aud, payments)
  })

  it('creates a correlation id when the request has none', async () => {
    const result = await world.engine.exchange(
      request(world.idpToken(ciClaims), { correlationId: '' }),
    )
    assert.equal(result.correlationId, 'generated-1')
    assert.equal(world.audit.records[0]?.correlationId, 'generated-1')
  })

  it('refuses audience and resource naming different services with invalid_request', async () => {
    await rejectsWith(
      () => world.engine.exchange(request(world.idpToken(ciClaims), { resource: ledger })),
      {
        code: 'invalid_request',
        check: 'target',
        expected: 'audience and resource naming one inventory service',
        actual: [
          'audience payments-api: service "payments-api"',
          `resource ${ledger}: service "ledger"`,
        ],
        hint: undefined,
        message: `audience "payments-api" (service "payments-api") and resource "${ledger}" (service "ledger") do not name the same service: send one target`,
      },
    )
    await rejectsWith(
      () =>
        world.engine.exchange(
          request(world.idpToken(ciClaims), { audience: 'nope', resource: payments }),
        ),
      {
        code: 'invalid_request',
        expected: 'audience and resource naming one inventory service',
        actual: [
          'audience nope: no inventory service',
          `resource ${payments}: service "payments-api"`,
        ],
        hint: undefined,
      },
    )
  })

  it('refuses an unsupported subject token type before verifying it', async () => {
    await rejectsWith(
      () =>
        world.engine.exchange(
          request(world.idpToken(ciClaims), {
            subjectTokenType: 'urn:ietf:params:oauth:token-type:saml1',
          }),
        ),
      {
        code: 'unsupported_token_type',
        expected: [tokenTypes.jwt, tokenTypes.idToken, tokenTypes.accessToken, tokenTypes.saml2],
        actual: 'urn:ietf:params:oauth:token-type:saml1',
        hint: undefined,
      },
    )
  })

  it("propagates the verifier's code: an expired subject token is expired", async () => {
    const subjectToken = world.idpToken(ciClaims)
    world.now = start + 3600
    const error = await rejectsWith(() => world.engine.exchange(request(subjectToken)), {
      code: 'expired',
      check: 'expiry',
      expected: 'exp after 2026-01-01T00:59:00Z',
      actual: 'exp 2026-01-01T00:05:00Z',
      hint: undefined,
    })
    assert.equal(policyNameOf(error), undefined)
  })

  it('refuses a token from an issuer it does not trust', async () => {
    const forged = world.idp.sign({
      ...ciClaims,
      iss: 'https://evil.example.com',
      aud: issuerUrl,
      exp: start + 60,
    })
    await rejectsWith(() => world.engine.exchange(request(forged)), {
      code: 'issuer_unknown',
      check: 'issuer',
      expected: [idpUrl, issuerUrl],
      actual: 'https://evil.example.com',
      hint: undefined,
    })
  })

  it('refuses an identity a deny policy matches with policy_denied', async () => {
    const error = await rejectsWith(
      () => world.engine.exchange(request(world.idpToken({ sub: 'repo:evil/x:ref:main' }))),
      {
        code: 'policy_denied',
        check: 'deny',
        expected: undefined,
        actual: 'repo:evil/x:ref:main',
        hint: undefined,
      },
    )
    assert.equal(policyNameOf(error), 'blocked')
    assert.equal(world.audit.records[0]?.policy, 'blocked')
  })

  it('refuses a subject no policy matches, naming the closest policy', async () => {
    const error = await rejectsWith(
      () =>
        world.engine.exchange(
          request(world.idpToken({ ...ciClaims, sub: 'repo:acme/payments:ref:refs/tags/v1' })),
        ),
      {
        code: 'subject_mismatch',
        check: 'subject',
        expected: 'repo:acme/payments:ref:refs/heads/*',
        actual: 'repo:acme/payments:ref:refs/tags/v1',
        hint: undefined,
      },
    )
    assert.equal(policyNameOf(error), 'ci-deploy')
  })

  it('refuses a claim the policy does not match with claim_mismatch', async () => {
    await rejectsWith(
      () =>
        world.engine.exchange(request(world.idpToken({ ...ciClaims, repository_owner: 'Acme' }))),
      {
        code: 'claim_mismatch',
        check: 'claims',
        expected: 'repository_owner=acme',
        actual: 'repository_owner=Acme',
        hint: 'case',
      },
    )
  })

  it("refuses a false condition with condition_failed and the author's message", async () => {
    await rejectsWith(
      () =>
        world.engine.exchange(
          request(world.idpToken({ sub: 'cond:x', run_attempt: '2' }), { scopes: [] }),
        ),
      {
        code: 'condition_failed',
        check: 'condition',
        expected: 'true',
        actual: 'false',
        hint: undefined,
        message: 'first attempts only',
      },
    )
  })

  it('refuses a target the policy does not list with target_not_allowed', async () => {
    await rejectsWith(
      () => world.engine.exchange(request(world.idpToken(ciClaims), { audience: `${payments}/` })),
      {
        code: 'target_not_allowed',
        check: 'target',
        expected: [payments],
        actual: `${payments}/`,
        hint: 'trailing_slash',
      },
    )
  })

  it('refuses a scope the policy does not list with scope_not_allowed', async () => {
    await rejectsWith(
      () =>
        world.engine.exchange(request(world.idpToken(ciClaims), { scopes: ['payments.admin'] })),
      {
        code: 'scope_not_allowed',
        check: 'scope',
        expected: ['payments.read', 'payments.write'],
        actual: ['payments.admin'],
        hint: undefined,
      },
    )
  })

  it('refuses an actor the policy does not allow with actor_not_allowed', async () => {
    await rejectsWith(
      () =>
        world.engine.exchange(
          request(world.idpToken({ sub: 'user-alice' }), {
            actorToken: world.idpToken({ sub: 'svc-z' }),
            actorTokenType: tokenTypes.jwt,
            scopes: [],
          }),
        ),
      {
        code: 'actor_not_allowed',
        check: 'actor',
        expected: 'svc-a',
        actual: 'svc-z',
        hint: undefined,
      },
    )
  })

  it('verifies the actor token too: its verification code propagates', async () => {
    const actorToken = world.idpToken({ sub: 'svc-a', aud: 'https://elsewhere.example.com' })
    await rejectsWith(
      () =>
        world.engine.exchange(
          request(world.idpToken({ sub: 'user-alice' }), {
            actorToken,
            actorTokenType: tokenTypes.jwt,
            scopes: [],
          }),
        ),
      {
        code: 'audience_mismatch',
        check: 'audience',
        expected: world.policies.acceptedAudiences,
        actual: ['https://elsewhere.example.com'],
        hint: 'forwarded',
      },
    )
  })
})
