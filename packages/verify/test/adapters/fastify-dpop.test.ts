import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import { tesseraAuth } from '../../src/adapters/fastify.ts'
import { createDpopProof } from '../../src/dpop/create-proof.ts'
import { generateDpopKeyPair } from '../../src/dpop/generate-key-pair.ts'
import { createDpopNonceSource } from '../../src/dpop/nonce-source.ts'
import { jwkThumbprint } from '../../src/keys/import-jwk.ts'
import type { Verifier } from '../../src/verifier/types.ts'
import { type Answer, answerOf, clock, now, subject, token, verifier } from './support.ts'

const key = generateDpopKeyPair('ES256')
const jkt = jwkThumbprint(key.publicJwk as Record<string, unknown>)
const bound = (): string => token({ cnf: { jkt } })

async function serve(v: Verifier): Promise<{ app: FastifyInstance; origin: string }> {
  const app = Fastify()
  await app.register(tesseraAuth, { verifier: v })
  app.get('/whoami', async (request) => ({
    sub: request.tessera?.claims.sub,
    binding: request.tessera?.binding,
    jkt: request.tessera?.dpopJkt,
  }))
  const origin = await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, origin }
}

const get = async (url: string, headers: Record<string, string>): Promise<Answer> =>
  answerOf(await fetch(url, { headers }))

function proofFor(
  url: string,
  accessToken: string,
  over: { method?: string; now?: number; nonce?: string } = {},
): string {
  return createDpopProof({
    key,
    method: over.method ?? 'GET',
    url,
    accessToken,
    now: over.now ?? now,
    ...(over.nonce === undefined ? {} : { nonce: over.nonce }),
  })
}

// The check that failed, as the verifier reported it (the HTTP answer does not carry it).
let lastCheck: string | undefined

function assertProofRejected(answer: Answer, code: string, check?: string): void {
  if (check !== undefined) assert.equal(lastCheck, check)
  assert.equal(answer.status, 401)
  assert.equal(answer.json().code, code)
  const challenge = String(answer.headers['www-authenticate'])
  // The error rides on the DPoP challenge; the Bearer one stays plain (RFC 9449 §7.1).
  assert.match(
    challenge,
    /^Bearer, DPoP error="[a-z_]+", error_description="[a-z_]+: [^"]*", algs="[A-Za-z0-9 ]+"$/,
  )
  assert.match(challenge, new RegExp(`error_description="${code}: `))
}

describe('DPoP through the Fastify plugin', () => {
  let app: FastifyInstance
  let origin: string
  before(async () => {
    ;({ app, origin } = await serve(
      verifier({
        dpop: { algorithms: ['ES256', 'EdDSA'] },
        onDecision: (event) => {
          lastCheck = event.check
        },
      }),
    ))
  })
  after(() => app.close())

  it('accepts a DPoP-bound token with a valid proof', async () => {
    const at = bound()
    const answer = await get(`${origin}/whoami?x=1`, {
      authorization: `DPoP ${at}`,
      dpop: proofFor(`${origin}/whoami`, at),
    })
    assert.equal(answer.status, 200)
    assert.deepEqual(answer.json(), { sub: subject, binding: 'dpop', jkt })
  })

  it('offers both challenges, DPoP with its algorithms, when credentials are missing', async () => {
    const answer = await get(`${origin}/whoami`, {})
    assert.equal(answer.headers['www-authenticate'], 'Bearer, DPoP algs="ES256 EdDSA"')
  })

  it('rejects a reused proof with dpop_replay', async () => {
    const at = bound()
    const proof = proofFor(`${origin}/whoami`, at)
    const headers = { authorization: `DPoP ${at}`, dpop: proof }
    assert.equal((await get(`${origin}/whoami`, headers)).status, 200)
    const again = await get(`${origin}/whoami`, headers)
    assertProofRejected(again, 'dpop_replay')
    assert.equal(again.json().error, 'invalid_dpop_proof')
  })

  it('rejects a proof for another URL (htu)', async () => {
    const at = bound()
    const answer = await get(`${origin}/whoami`, {
      authorization: `DPoP ${at}`,
      dpop: proofFor(`${origin}/other`, at),
    })
    assertProofRejected(answer, 'invalid_dpop_proof', 'htu')
  })

  it('rejects a proof for another method (htm)', async () => {
    const at = bound()
    const answer = await get(`${origin}/whoami`, {
      authorization: `DPoP ${at}`,
      dpop: proofFor(`${origin}/whoami`, at, { method: 'POST' }),
    })
    assertProofRejected(answer, 'invalid_dpop_proof', 'htm')
  })

  it('rejects a stale proof (iat)', async () => {
    const at = bound()
    const answer = await get(`${origin}/whoami`, {
      authorization: `DPoP ${at}`,
      dpop: proofFor(`${origin}/whoami`, at, { now: now - 3600 }),
    })
    assertProofRejected(answer, 'invalid_dpop_proof', 'iat')
  })

  it('rejects a proof made for another access token (ath)', async () => {
    const at = bound()
    const answer = await get(`${origin}/whoami`, {
      authorization: `DPoP ${at}`,
      dpop: proofFor(`${origin}/whoami`, bound()),
    })
    assertProofRejected(answer, 'invalid_dpop_proof', 'ath')
  })

  it('rejects two DPoP headers', async () => {
    const at = bound()
    const headers = new Headers({ authorization: `DPoP ${at}` })
    headers.append('dpop', proofFor(`${origin}/whoami`, at))
    headers.append('dpop', proofFor(`${origin}/whoami`, at))
    const answer = await answerOf(await fetch(`${origin}/whoami`, { headers }))
    assertProofRejected(answer, 'invalid_dpop_proof', 'count')
  })

  it('rejects a DPoP-bound token sent as Bearer with bound_token_as_bearer', async () => {
    const answer = await get(`${origin}/whoami`, { authorization: `Bearer ${bound()}` })
    assert.equal(answer.status, 401)
    assert.equal(answer.json().code, 'bound_token_as_bearer')
    assert.match(
      String(answer.headers['www-authenticate']),
      /^Bearer, DPoP error="invalid_token", error_description="bound_token_as_bearer: /,
    )
  })

  it('puts the error of a DPoP-scheme request on the DPoP challenge', async () => {
    const at = token({ cnf: { jkt }, aud: 'https://other.tessera.test' })
    const answer = await get(`${origin}/whoami`, {
      authorization: `DPoP ${at}`,
      dpop: proofFor(`${origin}/whoami`, at),
    })
    assert.equal(answer.json().code, 'audience_mismatch')
    assert.match(String(answer.headers['www-authenticate']), /^Bearer, DPoP error="invalid_token"/)
  })
})

describe('DPoP nonces through the Fastify plugin', () => {
  it('answers a proof without nonce with use_dpop_nonce and DPoP-Nonce; the retry succeeds', async (t) => {
    const { app, origin } = await serve(
      verifier({ dpop: { nonce: createDpopNonceSource({ clock }) } }),
    )
    t.after(() => app.close())
    const at = bound()
    const first = await get(`${origin}/whoami`, {
      authorization: `DPoP ${at}`,
      dpop: proofFor(`${origin}/whoami`, at),
    })
    assert.equal(first.status, 401)
    assert.equal(first.json().code, 'use_dpop_nonce')
    assert.match(String(first.headers['www-authenticate']), /DPoP error="use_dpop_nonce"/)
    const nonce = first.headers['dpop-nonce']
    assert.equal(typeof nonce, 'string')
    const retry = await get(`${origin}/whoami`, {
      authorization: `DPoP ${at}`,
      dpop: proofFor(`${origin}/whoami`, at, { nonce: String(nonce) }),
    })
    assert.equal(retry.status, 200)
    assert.equal(retry.json().binding, 'dpop')
  })
})
