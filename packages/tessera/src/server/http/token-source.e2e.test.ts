// The client side of issue #7 against the real token endpoint: @tessera/verify/client's token
// source and exchange fetcher talk to a listening Tessera (real engine, policies, minter), on a
// clock the test moves.
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { setImmediate as flush } from 'node:timers/promises'
import { createVerifier, decodeJwt } from '@tessera/verify'
import {
  createTokenSource,
  type FetchContext,
  type TokenSource,
  tesseraExchangeFetcher,
} from '@tessera/verify/client'
import { createServerWorld, payments, publicUrl, type ServerWorld } from './testing/server-world.ts'

let world: ServerWorld
let tokenUrl: string
before(async () => {
  world = await createServerWorld()
  await world.app.listen({ host: '127.0.0.1', port: 0 })
  tokenUrl = `http://127.0.0.1:${(world.app.server.address() as AddressInfo).port}/oauth2/token`
})
after(() => world.close())

/** A token source exchanging a fresh CI token for `subject` on every attempt, counting requests. */
function sourceFor(subject: () => string) {
  const state = { requests: 0, attempts: [] as Promise<unknown>[] }
  const exchange = tesseraExchangeFetcher({
    tokenUrl,
    // A CI token is single-use at Tessera (jti replay): mint one per attempt, as CI would.
    subjectToken: () => world.ciToken({ sub: subject() }),
    audience: payments,
    scope: ['payments.read'],
    clock: world.now,
    fetch: (input, init) => {
      state.requests += 1
      return fetch(input, init)
    },
  })
  const source: TokenSource = createTokenSource({
    fetchToken: (context?: FetchContext) => {
      const attempt = exchange(context)
      state.attempts.push(attempt)
      return attempt
    },
    clock: world.now,
    random: () => 0.5,
  })
  const settled = async () => {
    await Promise.allSettled(state.attempts)
    await flush()
  }
  return { source, state, settled }
}

describe('token source against Tessera', () => {
  it('gets a verifiable token once for 50 callers and refreshes it in the background', async () => {
    const { source, state, settled } = sourceFor(() => 'repo:acme/payments:main')
    const tokens = await Promise.all(Array.from({ length: 50 }, () => source.token()))
    assert.equal(new Set(tokens).size, 1)
    assert.equal(state.requests, 1)
    const first = tokens[0] as string

    const verifier = createVerifier({
      issuers: [
        {
          issuer: publicUrl,
          keySource: world.keys.keySource(),
          algorithms: [world.config.issuer.algorithm],
        },
      ],
      audience: payments,
      clock: world.now,
    })
    const verified = await verifier.verify(first)
    assert.equal(verified.claims.sub, 'repo:acme/payments:main')
    assert.equal(verified.claims.scope, 'payments.read')

    const { exp, iat } = decodeJwt(first, 16 * 1024).claims as { exp: number; iat: number }
    world.advance(Math.ceil((exp - iat) / 2))
    assert.equal(await source.token(), first, 'the cached token while the refresh runs')
    await settled()
    assert.equal(state.requests, 2)
    const second = await source.token()
    assert.notEqual(second, first)
    assert.equal((await verifier.verify(second)).claims.sub, 'repo:acme/payments:main')
  })

  it("rejects with Tessera's code when the policy refuses the subject", async () => {
    const { source, state } = sourceFor(() => 'repo:other/x:main')
    await assert.rejects(source.token(), (error: Error & { code?: string }) => {
      // The ci-deploy policy is the closest match; its subject pattern does not match.
      assert.equal(error.code, 'subject_mismatch')
      assert.match(error.message, /answered HTTP 400 "invalid_grant"/)
      return true
    })
    // Backing off: an immediate second call does not reach the server.
    await assert.rejects(source.token(), { code: 'subject_mismatch' })
    assert.equal(state.requests, 1)
  })
})
