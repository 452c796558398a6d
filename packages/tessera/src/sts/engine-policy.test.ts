import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import { isTesseraError, type TesseraError } from '@tessera/verify'
import { type CanonicalExchange, tokenTypes } from './canonical.ts'
import { createWorld, decodeParts, payments, start, type World } from './testing/world.ts'

const ciClaims = {
  sub: 'repo:acme/payments:ref:refs/heads/main',
  repository_owner: 'acme',
  repository: 'acme/payments',
}

// A request as the AWS dialect makes it: one named policy, no target, no scopes.
function roleRequest(subjectToken: string, extra: Partial<CanonicalExchange> = {}) {
  return {
    dialect: 'aws-sts',
    correlationId: 'corr-1',
    subjectToken,
    subjectTokenType: tokenTypes.idToken,
    scopes: [],
    policy: 'ci-deploy',
    ...extra,
  } satisfies CanonicalExchange
}

async function refusal(run: () => Promise<unknown>): Promise<TesseraError> {
  try {
    await run()
  } catch (error) {
    assert.ok(isTesseraError(error))
    return error
  }
  throw new Error('expected a refusal')
}

describe('createExchangeEngine: a request naming one policy', () => {
  let world: World
  beforeEach(async () => {
    world = await createWorld()
  })

  it("grants by that policy and mints for the policy's target when none is named", async () => {
    const result = await world.engine.exchange(roleRequest(world.idpToken(ciClaims)))
    const { claims } = decodeParts(result.accessToken)
    assert.equal(claims.aud, payments)
    assert.equal(claims.client_id, 'ci-deploy')
    // maxTtlSeconds 600 of ci-deploy caps the issuer's 900.
    assert.equal(result.expiresIn, 600)
    assert.equal(world.audit.records.at(-1)?.policy, 'ci-deploy')
  })

  it('shortens the lifetime to the requested one, never lengthens it', async () => {
    const short = await world.engine.exchange(
      roleRequest(world.idpToken(ciClaims), { ttlSeconds: 300 }),
    )
    assert.equal(short.expiresIn, 300)
    const long = await world.engine.exchange(
      roleRequest(world.idpToken(ciClaims), { ttlSeconds: 43_200 }),
    )
    assert.equal(long.expiresIn, 600)
    assert.equal(decodeParts(long.accessToken).claims.exp, start + 600)
  })

  it('does not fall back to another allow policy that would grant', async () => {
    // ci-deploy allows this token; first-attempts, the named policy, does not.
    const error = await refusal(() =>
      world.engine.exchange(roleRequest(world.idpToken(ciClaims), { policy: 'first-attempts' })),
    )
    assert.equal(error.code, 'subject_mismatch')
    assert.equal(world.audit.records.at(-1)?.decision, 'deny')
  })

  it('still applies deny policies', async () => {
    const error = await refusal(() =>
      world.engine.exchange(
        roleRequest(world.idpToken({ ...ciClaims, sub: 'repo:evil/payments' }), {
          policy: 'ci-deploy',
        }),
      ),
    )
    assert.equal(error.code, 'policy_denied')
  })

  it('refuses a name that is no allow policy', async () => {
    const error = await refusal(() =>
      world.engine.exchange(roleRequest(world.idpToken(ciClaims), { policy: 'blocked' })),
    )
    assert.equal(error.code, 'no_matching_policy')
  })

  it('still requires a target when no policy is named', async () => {
    const { policy: _, ...unnamed } = roleRequest(world.idpToken(ciClaims))
    const error = await refusal(() => world.engine.exchange(unnamed))
    assert.equal(error.code, 'invalid_request')
    assert.match(error.message, /audience or resource is required/)
  })
})
