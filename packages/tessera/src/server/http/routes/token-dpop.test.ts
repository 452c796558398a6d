import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import {
  createDpopProof,
  createVerifier,
  type DpopKeyPair,
  generateDpopKeyPair,
  jwkThumbprint,
} from '@tessera/verify'
import {
  createServerWorld,
  jwtType,
  payments,
  publicUrl,
  type ServerWorld,
  tokenExchange,
} from '../testing/server-world.ts'

// RFC 9449 §5 end to end: a real server on loopback, proofs from the client library, and the
// bound token checked by a receiver's verifyRequest.

let world: ServerWorld
let endpoint: string
let key: DpopKeyPair
before(async () => {
  world = await createServerWorld()
  await world.app.listen({ host: '127.0.0.1', port: 0 })
  endpoint = `http://127.0.0.1:${(world.app.server.address() as AddressInfo).port}/oauth2/token`
  key = generateDpopKeyPair()
})
after(() => world.close())

// The proof names the public token URL: clients address Tessera by its issuer URL.
const publicTokenUrl = `${publicUrl}/oauth2/token`

function proof(overrides: { url?: string; method?: string; now?: number } = {}): string {
  return createDpopProof({
    key,
    method: overrides.method ?? 'POST',
    url: overrides.url ?? publicTokenUrl,
    now: overrides.now ?? world.now(),
  })
}

async function exchange(
  dpop: string | string[] | undefined,
  subjectToken = world.ciToken({ sub: 'repo:acme/payments:main' }),
) {
  const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded' })
  if (typeof dpop === 'string') headers.set('dpop', dpop)
  else for (const value of dpop ?? []) headers.append('dpop', value)
  const response = await fetch(endpoint, {
    method: 'POST',
    headers,
    body: new URLSearchParams({
      grant_type: tokenExchange,
      subject_token: subjectToken,
      subject_token_type: jwtType,
      audience: payments,
    }),
    signal: AbortSignal.timeout(5000),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

const receiver = () =>
  createVerifier({
    issuers: [{ issuer: publicUrl, keySource: world.keys.keySource() }],
    audience: payments,
    typ: 'at+jwt',
    clock: world.now,
    dpop: {},
  })

describe('POST /oauth2/token with a DPoP proof', () => {
  it('binds the token to the proof key (cnf.jkt), answers token_type DPoP', async () => {
    const { status, body } = await exchange(proof())
    assert.equal(status, 200)
    assert.equal(body.token_type, 'DPoP')
    const token = body.access_token as string
    const jkt = jwkThumbprint(key.publicJwk as Record<string, unknown>)

    const verifier = receiver()
    const url = `${payments}/charges?limit=1`
    const accepted = await verifier.verifyRequest({
      method: 'GET',
      url,
      authorization: `DPoP ${token}`,
      dpop: createDpopProof({ key, method: 'GET', url, accessToken: token, now: world.now() }),
    })
    assert.equal(accepted.binding, 'dpop')
    assert.equal(accepted.dpopJkt, jkt)
    assert.deepEqual(accepted.claims.cnf, { jkt })

    await assert.rejects(
      verifier.verifyRequest({ method: 'GET', url, authorization: `Bearer ${token}` }),
      { code: 'bound_token_as_bearer' },
    )
  })

  it('answers Bearer without cnf when no proof is sent', async () => {
    const { status, body } = await exchange(undefined)
    assert.equal(status, 200)
    assert.equal(body.token_type, 'Bearer')
    const claims = JSON.parse(
      Buffer.from((body.access_token as string).split('.')[1] as string, 'base64url').toString(),
    )
    assert.equal(claims.cnf, undefined)
  })

  it('refuses a proof for the listen address instead of the public URL: invalid_dpop_proof (htu)', async () => {
    const before = (await world.stores.audit.query({ limit: 500 })).records.length
    const { status, body } = await exchange(proof({ url: endpoint }))
    assert.equal(status, 400)
    assert.equal(body.error, 'invalid_dpop_proof')
    assert.equal(body.code, 'invalid_dpop_proof')
    assert.equal(body.expected, publicTokenUrl)
    // Refused as part of the request, before the engine: nothing minted, nothing audited.
    assert.equal((await world.stores.audit.query({ limit: 500 })).records.length, before)
  })

  it('refuses a proof for another method, two proofs, and a replayed proof', async () => {
    const wrongMethod = await exchange(proof({ method: 'GET' }))
    assert.equal(wrongMethod.body.code, 'invalid_dpop_proof')
    const two = await exchange([proof(), proof()])
    assert.equal(two.status, 400)
    assert.equal(two.body.code, 'invalid_dpop_proof')
    const once = proof()
    assert.equal((await exchange(once)).status, 200)
    const replayed = await exchange(once)
    assert.equal(replayed.status, 400)
    assert.equal(replayed.body.error, 'invalid_dpop_proof')
    assert.equal(replayed.body.code, 'dpop_replay')
  })

  it('judges the proof iat by the injected clock', async () => {
    const stale = await exchange(proof({ now: world.now() - 3600 }))
    assert.equal(stale.status, 400)
    assert.equal(stale.body.code, 'invalid_dpop_proof')
  })
  it('exchanges a DPoP-bound subject token only with a proof by its key (RFC 9449 §6)', async () => {
    const jkt = jwkThumbprint(key.publicJwk as Record<string, unknown>)
    const bound = () => world.ciToken({ sub: 'repo:acme/payments:main', cnf: { jkt } })
    const asBearer = await exchange(undefined, bound())
    assert.equal(asBearer.status, 400)
    assert.equal(asBearer.body.error, 'invalid_grant')
    assert.equal(asBearer.body.code, 'bound_token_as_bearer')
    const other = generateDpopKeyPair()
    const otherProof = createDpopProof({
      key: other,
      method: 'POST',
      url: publicTokenUrl,
      now: world.now(),
    })
    const mismatched = await exchange(otherProof, bound())
    assert.equal(mismatched.status, 400)
    assert.equal(mismatched.body.code, 'binding_mismatch')
    const certificateBound = await exchange(
      proof(),
      world.ciToken({ sub: 'repo:acme/payments:main', cnf: { 'x5t#S256': 'x5t' } }),
    )
    assert.equal(certificateBound.body.code, 'binding_mismatch')
    const matched = await exchange(proof(), bound())
    assert.equal(matched.status, 200)
    assert.equal(matched.body.token_type, 'DPoP')
  })
})
