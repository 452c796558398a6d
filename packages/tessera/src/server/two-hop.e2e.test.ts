// The two-hop example (examples/two-hop) run end to end: a real Tessera from the example's
// tessera.yaml, a fake CI and cluster issuer serving JWKS on loopback, service A on Fastify with
// @tessera/verify/fastify, service B on grpc-js with @tessera/verify/grpc's interceptor.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import {
  exampleConfigPath,
  runTwoHop,
  startTwoHop,
  type TwoHop,
  type TwoHopReport,
} from '../../../../examples/two-hop/run.ts'
import { parseConfig } from '../config/index.ts'
import { captureLog } from './http/testing/tessera-fixture.ts'

const now = 1_800_000_000

describe('examples/two-hop', () => {
  let world: TwoHop
  let report: TwoHopReport
  const log = captureLog()

  before(async () => {
    world = await startTwoHop({ clock: () => now, logger: log.logger })
    report = await runTwoHop(world)
  })
  after(() => world?.close())

  it('ships a tessera.yaml that validates against the config schema as written', () => {
    const path = fileURLToPath(exampleConfigPath)
    const config = parseConfig(readFileSync(path, 'utf8'), path, { baseDir: dirname(path) })
    assert.deepEqual(config.policies.policyNames, ['ci-calls-a', 'a-calls-b-for-ci'])
    assert.deepEqual(
      config.inventory.services.map((s) => s.name),
      ['service-a', 'service-b'],
    )
  })

  it('A accepts the token exchanged for it and B the token exchanged on its behalf, seeing act', () => {
    assert.equal(report.viaA.calledBy, 'spiffe://example.org/ci/acme/shop')
    assert.deepEqual(report.viaA.ledger, {
      recordedFor: 'spiffe://example.org/ci/acme/shop',
      actor: 'system:serviceaccount:shop:service-a',
      note: 'deploy requested by spiffe://example.org/ci/acme/shop',
    })
  })

  it('B refuses the token A was given when A forwards it: audience_mismatch over gRPC', () => {
    assert.equal(report.forwarded.code, 'audience_mismatch')
    assert.match(report.forwarded.details, /^audience_mismatch: /)
  })

  it("B's verifier explains the forwarded token with the hint forwarded", async () => {
    await assert.rejects(
      world.b.verifier.verifyRequest({
        method: 'POST',
        url: `http://${world.b.address}/twohop.Ledger/Record`,
        authorization: `Bearer ${report.tokenForA}`,
      }),
      (error: unknown) => {
        const e = error as { code: string; hint?: string; message: string }
        assert.equal(e.code, 'audience_mismatch')
        assert.equal(e.hint, 'forwarded')
        assert.match(e.message, /https:\/\/service-a\.example\.org/)
        return true
      },
    )
  })

  it('B refuses the original CI token too: it is no at+jwt access token from Tessera', async () => {
    const ciToken = world.issuers.ci.sign({ sub: 'repo:acme/shop:ref:refs/heads/main' })
    await assert.rejects(
      world.b.verifier.verifyRequest({
        method: 'POST',
        url: `http://${world.b.address}/twohop.Ledger/Record`,
        authorization: `Bearer ${ciToken}`,
      }),
      // typ is checked before iss: the CI token is a plain JWT, not an RFC 9068 access token.
      { code: 'typ_mismatch' },
    )
  })

  it('Tessera audited both exchanges, the second with A as the actor', async () => {
    const response = await fetch(`${world.tessera.url}/v1/audit?decision=allow`, {
      signal: AbortSignal.timeout(5000),
    })
    const page = (await response.json()) as {
      records: { policy?: string; presented?: { actorSub?: string }; issued?: { aud: string } }[]
    }
    const byPolicy = Object.fromEntries(page.records.map((r) => [r.policy, r]))
    assert.equal(byPolicy['ci-calls-a']?.issued?.aud, 'https://service-a.example.org')
    assert.equal(byPolicy['a-calls-b-for-ci']?.issued?.aud, 'https://service-b.example.org')
    assert.equal(
      byPolicy['a-calls-b-for-ci']?.presented?.actorSub,
      'system:serviceaccount:shop:service-a',
    )
  })
})
