import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { TesseraError } from '@tessera/verify'
import {
  type LoopbackServer,
  startLoopbackServer,
} from '../../../verify/test/support/http-server.ts'
import { type IdpMetadata, validateSamlResponse } from '../saml/index.ts'
import {
  acsUrl,
  idpEntityId,
  keys,
  now,
  requestId,
  signedResponse,
  spEntityId,
  type TestKey,
} from '../saml/testing/test-idp.ts'
import type { SamlTrust } from '../sts/index.ts'
import { createLogger } from '../telemetry/index.ts'
import { parseConfig } from './load.ts'
import {
  refreshDelaySeconds,
  retryDelaySeconds,
  type SamlTrustRefresher,
  startSamlTrust,
} from './refresh-saml-trust.ts'
import { type ManualTimers, manualTimers } from './testing/manual-timers.ts'

const iso = (seconds: number) => new Date(seconds * 1000).toISOString()
const b64cert = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '')

interface Document {
  readonly certs?: readonly TestKey[]
  readonly entityId?: string
  readonly validUntil?: number
  readonly cacheDuration?: string
}

function metadata(d: Document = {}): string {
  const kd = (k: TestKey) =>
    `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${b64cert(k.pem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`
  return (
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${d.entityId ?? idpEntityId}" validUntil="${iso(d.validUntil ?? now + 180 * 86400)}" cacheDuration="${d.cacheDuration ?? 'PT1H'}">` +
    `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${(d.certs ?? [keys.current]).map(kd).join('')}</md:IDPSSODescriptor></md:EntityDescriptor>`
  )
}

interface World {
  readonly server: LoopbackServer
  readonly timers: ManualTimers
  readonly refresher: SamlTrustRefresher
  readonly logs: Record<string, unknown>[]
  /** What the server answers from now on: a metadata document or an HTTP status. */
  serve(answer: string | number): void
  fetches(): number
  logged(msg: RegExp): Record<string, unknown>[]
}

async function world(t: { after(fn: () => unknown): void }, first = metadata()): Promise<World> {
  let answer: string | number = first
  const server = await startLoopbackServer(t, (_req, res) => {
    if (typeof answer === 'number') {
      res.statusCode = answer
      res.end()
      return
    }
    res.setHeader('content-type', 'application/samlmetadata+xml')
    res.end(answer)
  })
  const config = parseConfig(
    `server:
  publicUrl: https://tessera.test
trustDomain: example.org
issuer:
  keyEncryptionKey: env:K
samlIdps:
  - entityId: ${idpEntityId}
    metadata:
      url: ${server.url('/md')}
saml:
  spEntityId: ${spEntityId}
  acsUrl: ${acsUrl}
`,
    'saml.yaml',
  )
  const logs: Record<string, unknown>[] = []
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => void logs.push(JSON.parse(line)) },
  })
  const timers = manualTimers(now)
  const refresher = await startSamlTrust(config, {
    env: {},
    clock: timers.clock,
    logger,
    schedule: timers.schedule,
    random: () => 0,
  })
  t.after(() => refresher.stop())
  return {
    server,
    timers,
    refresher,
    logs,
    serve: (next) => {
      answer = next
    },
    fetches: () => server.requestsTo('/md'),
    logged: (msg) => logs.filter((l) => msg.test(String(l.msg))),
  }
}

// A Response issued by `by` at the clock's time.
function validate(trust: SamlTrust | undefined, by: TestKey, clock: () => number) {
  const issued = signedResponse({ notBefore: clock() - 60, notOnOrAfter: clock() + 300 }, { by })
  return validateSamlResponse(Buffer.from(issued).toString('base64'), {
    idps: trust?.idps ?? [],
    spEntityId,
    acsUrl,
    requestId,
    clock,
  })
}

const rejectsWith = (code: string) => (e: TesseraError) => {
  assert.equal(e.code, code, e.message)
  return true
}

describe('startSamlTrust', () => {
  it('picks up a rotated signing certificate at the next refresh, not before', async (t) => {
    const w = await world(t)
    assert.equal(w.fetches(), 1)
    assert.equal(w.timers.pending(), 1)
    await assert.rejects(validate(w.refresher.current(), keys.next, w.timers.clock), {
      code: 'untrusted_key',
    })
    // The IdP publishes its next certificate; nothing changes until the schedule says so.
    w.serve(metadata({ certs: [keys.current, keys.next] }))
    await w.timers.runUntil(now + 3599)
    assert.equal(w.fetches(), 1)
    await assert.rejects(validate(w.refresher.current(), keys.next, w.timers.clock), {
      code: 'untrusted_key',
    })
    // cacheDuration PT1H, no jitter (random 0): fetched again at one hour.
    await w.timers.runUntil(now + 3600)
    assert.equal(w.fetches(), 2)
    const accepted = await validate(w.refresher.current(), keys.next, w.timers.clock)
    assert.equal(accepted.nameId, 'alice@example.com')
    assert.equal(accepted.signedBy.fingerprint256, keys.next.cert.fingerprint256)
    assert.equal(w.logged(/SAML metadata refreshed/).length, 1)
    // The next refresh is planned from the new document.
    assert.equal(w.timers.pending(), 1)
    await w.timers.runUntil(now + 7200)
    assert.equal(w.fetches(), 3)
  })

  it('keeps the last good metadata while the URL fails, retrying with capped backoff', async (t) => {
    const w = await world(t)
    w.serve(500)
    await w.timers.runUntil(now + 3600)
    assert.equal(w.fetches(), 2)
    const [failure] = w.logged(/metadata refresh failed/)
    assert.equal(failure?.code, 'upstream_unavailable')
    assert.equal(failure?.level, 50)
    assert.equal(failure?.retryInSeconds, 60)
    assert.match(String(failure?.msg), /HTTP 500.*the last good metadata stays/)
    // Requests go on being served from the kept certificates.
    const kept = await validate(w.refresher.current(), keys.current, w.timers.clock)
    assert.equal(kept.nameId, 'alice@example.com')
    // Retries after 60, 120, 240 s…
    await w.timers.runUntil(now + 3600 + 60)
    assert.equal(w.fetches(), 3)
    await w.timers.runUntil(now + 3600 + 60 + 119)
    assert.equal(w.fetches(), 3)
    await w.timers.runUntil(now + 3600 + 60 + 120)
    assert.equal(w.fetches(), 4)
    assert.deepEqual(
      w.logged(/metadata refresh failed/).map((l) => l.retryInSeconds),
      [60, 120, 240],
    )
    // …and once it answers again, the normal schedule resumes and the backoff is reset.
    w.serve(metadata({ certs: [keys.next] }))
    await w.timers.runUntil(now + 3600 + 60 + 120 + 240)
    assert.equal(w.fetches(), 5)
    await assert.rejects(
      validate(w.refresher.current(), keys.current, w.timers.clock),
      rejectsWith('untrusted_key'),
    )
    w.serve(500)
    await w.timers.runNext()
    assert.equal(w.logged(/metadata refresh failed/).at(-1)?.retryInSeconds, 60)
  })

  it('keeps the old metadata when the URL starts serving another entity ID', async (t) => {
    const w = await world(t)
    w.serve(metadata({ entityId: 'https://evil.example.com/idp', certs: [keys.attacker] }))
    await w.timers.runNext()
    const [refused] = w.logged(/metadata refresh refused/)
    assert.equal(refused?.code, 'issuer_mismatch')
    assert.equal(refused?.actual, 'https://evil.example.com/idp')
    assert.deepEqual(
      w.refresher.current()?.idps[0]?.signingCertificates.map((c) => c.fingerprint256),
      [keys.current.cert.fingerprint256],
    )
    await assert.rejects(
      validate(w.refresher.current(), keys.attacker, w.timers.clock),
      rejectsWith('untrusted_key'),
    )
    assert.equal(w.timers.pending(), 1)
  })

  it('refuses with metadata_expired once the kept metadata passes validUntil', async (t) => {
    const validUntil = now + 2 * 3600
    const w = await world(t, metadata({ validUntil, cacheDuration: 'PT1H' }))
    // Within 30 days of validUntil: warned at load.
    const [warning] = w.logs.filter((l) => l.code === 'metadata_expired')
    assert.equal(warning?.level, 40)
    assert.match(String(warning?.msg), /expires at .* within 30 days/)
    w.serve(503)
    // Refreshed at 1 h, then retried after 60, 120, 240, 480 and 960 s, all failing.
    await w.timers.runUntil(validUntil - 1)
    assert.equal(w.fetches(), 7)
    const still = await validate(w.refresher.current(), keys.current, w.timers.clock)
    assert.equal(still.nameId, 'alice@example.com')
    await w.timers.runUntil(validUntil)
    await assert.rejects(
      validate(w.refresher.current(), keys.current, w.timers.clock),
      (e: TesseraError) =>
        rejectsWith('metadata_expired')(e) && /could not be refreshed/.test(e.message),
    )
    // A refresh that succeeds again lifts the refusal.
    w.serve(metadata({ validUntil: validUntil + 86400 * 60 }))
    await w.timers.runNext()
    const back = await validate(w.refresher.current(), keys.current, w.timers.clock)
    assert.equal(back.nameId, 'alice@example.com')
  })

  it('logs an expired certificate and expired metadata at every load', async (t) => {
    const w = await world(t, metadata({ validUntil: now - 60 }))
    const codes = w.logs.filter((l) => l.level === 40).map((l) => l.code)
    assert.deepEqual(codes, ['metadata_expired'])
    w.serve(metadata({ validUntil: now - 60 }))
    await w.timers.runNext()
    assert.deepEqual(
      w.logs.filter((l) => l.level === 40).map((l) => l.code),
      ['metadata_expired', 'metadata_expired'],
    )
    const expiredCert = await world(t, metadata())
    // The fixture certificates end in 2046: move the clock past that for the next load.
    expiredCert.timers.advance(Date.parse('2047-01-01T00:00:00Z') / 1000 - now)
    expiredCert.serve(metadata({ validUntil: Date.parse('2047-06-01T00:00:00Z') / 1000 }))
    await expiredCert.timers.runNext()
    const certWarnings = expiredCert.logs.filter((l) => l.code === 'certificate_expired')
    assert.equal(certWarnings.length, 1)
    assert.match(String(certWarnings[0]?.msg), /has expired/)
  })

  it('stops: no timer left, a refresh in flight has no effect', async (t) => {
    const w = await world(t)
    w.refresher.stop()
    assert.equal(w.timers.pending(), 0)
    await w.refresher.idle()
    const again = await world(t)
    again.serve(metadata({ certs: [keys.next] }))
    const running = again.timers.runNext()
    again.refresher.stop()
    await running
    await again.refresher.idle()
    assert.equal(again.fetches(), 2)
    assert.equal(
      again.refresher.current()?.idps[0]?.signingCertificates[0]?.fingerprint256,
      keys.current.cert.fingerprint256,
    )
    assert.equal(again.timers.pending(), 0)
  })

  it('schedules nothing for file metadata and is undefined without saml', async () => {
    const timers = manualTimers(now)
    const logger = createLogger({ level: 'silent' })
    const none = await startSamlTrust(
      { samlIdps: [] },
      { env: {}, clock: timers.clock, logger, schedule: timers.schedule },
    )
    assert.equal(none.current(), undefined)
    assert.equal(timers.pending(), 0)
    none.stop()
  })
})

describe('refresh schedule', () => {
  const md = (m: Partial<IdpMetadata>): IdpMetadata => ({
    entityId: idpEntityId,
    signingCertificates: [],
    ssoEndpoints: [],
    warnings: [],
    ...m,
  })

  it('takes min(cacheDuration, time to validUntil, 24 h), floored at 5 minutes', () => {
    assert.equal(refreshDelaySeconds(md({}), now, 0), 86_400)
    assert.equal(refreshDelaySeconds(md({ cacheDurationSeconds: 7 * 86_400 }), now, 0), 86_400)
    assert.equal(refreshDelaySeconds(md({ cacheDurationSeconds: 3600 }), now, 0), 3600)
    assert.equal(
      refreshDelaySeconds(md({ cacheDurationSeconds: 3600, validUntil: now + 1800 }), now, 0),
      1800,
    )
    assert.equal(refreshDelaySeconds(md({ cacheDurationSeconds: 10 }), now, 0), 300)
    assert.equal(refreshDelaySeconds(md({ validUntil: now - 10 }), now, 0), 300)
  })

  it('takes up to 10 % off at random', () => {
    assert.equal(refreshDelaySeconds(md({ cacheDurationSeconds: 3600 }), now, 0.5), 3420)
    assert.equal(refreshDelaySeconds(md({ cacheDurationSeconds: 3600 }), now, 0.999), 3240.36)
  })

  it('backs off 60 s, doubling, capped at one hour', () => {
    assert.deepEqual([1, 2, 3, 6, 7, 20].map(retryDelaySeconds), [60, 120, 240, 1920, 3600, 3600])
  })
})
