import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { get as httpsGet } from 'node:https'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createVerifier, systemClock } from '@tessera/verify'
import { startLoopbackServer } from '../../verify/test/support/http-server.ts'
import { generateTestKey, jwksOf, signJwt } from '../../verify/test/support/token-factory.ts'
import { startTessera } from './app.ts'
import { manualTimers } from './config/testing/manual-timers.ts'
import { createJoinToken } from './issuer/index.ts'
import {
  acsUrl,
  idpEntityId,
  keys as samlKeys,
  now as samlNow,
  signedResponse,
  spEntityId,
  type TestKey,
} from './saml/testing/test-idp.ts'
import {
  captureLog,
  payments,
  startTesseraFixture,
  type TesseraFixture,
  trustDomain,
} from './server/http/testing/tessera-fixture.ts'
import { openSqliteStores } from './store/index.ts'

const tokenExchange = 'urn:ietf:params:oauth:grant-type:token-exchange'
const jwtType = 'urn:ietf:params:oauth:token-type:jwt'

/** Creates a join token the way `tessera join-token create` does: a second connection to the file. */
async function joinToken(fixture: TesseraFixture, spiffeId: string): Promise<string> {
  const stores = await openSqliteStores({ dataDir: fixture.dataDir, clock: systemClock })
  try {
    const created = await createJoinToken({
      store: stores.joinTokens,
      spiffeId,
      ttlSeconds: 600,
      clock: systemClock,
    })
    return created.token
  } finally {
    await stores.close()
  }
}

async function identityToken(fixture: TesseraFixture, spiffeId: string): Promise<string> {
  const response = await fetch(`${fixture.url}/v1/identity/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ joinToken: await joinToken(fixture, spiffeId), audience: fixture.url }),
  })
  assert.equal(response.status, 200)
  return ((await response.json()) as { token: string }).token
}

async function exchange(
  fixture: TesseraFixture,
  subjectToken: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${fixture.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: tokenExchange,
      subject_token: subjectToken,
      subject_token_type: jwtType,
      audience: payments,
    }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

describe('startTessera', () => {
  let fixture: TesseraFixture
  before(async () => {
    fixture = await startTesseraFixture()
  })
  after(() => fixture.close())

  it('listens on the configured port and reports its URL and issuer', () => {
    assert.equal(fixture.running.url, fixture.url)
    assert.equal(fixture.running.issuer, fixture.url)
    assert.equal(fixture.running.config().issuer.issuerUrl, fixture.url)
  })

  it('serves discovery with the exact issuer and a JWKS with the active key', async () => {
    const discovery = (await (
      await fetch(`${fixture.url}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>
    assert.equal(discovery.issuer, fixture.url)
    assert.equal(discovery.token_endpoint, `${fixture.url}/oauth2/token`)
    const jwks = (await (await fetch(String(discovery.jwks_uri))).json()) as {
      keys: { kid: string }[]
    }
    assert.equal(jwks.keys.length, 1)
    assert.equal((await fetch(`${fixture.url}/readyz`)).status, 200)
  })

  it('join token → identity token → exchange → access token verified from discovery', async () => {
    const spiffeId = `spiffe://${trustDomain}/demo`
    const identity = await identityToken(fixture, spiffeId)
    const { status, body } = await exchange(fixture, identity)
    assert.equal(status, 200)
    assert.equal(body.scope, 'payments.read')
    const verifier = createVerifier({
      issuers: [{ issuer: fixture.url, discovery: true }],
      audience: payments,
      typ: 'at+jwt',
    })
    const verified = await verifier.verify(body.access_token as string)
    assert.equal(verified.claims.sub, spiffeId)
    assert.equal(verified.claims.iss, fixture.url)
    assert.equal(verified.claims.aud, payments)
    assert.equal(verified.claims.client_id, 'workloads')
  })

  it('applies a valid changed configuration: the new policy decides the next request', async (t) => {
    t.after(async () => {
      writeFileSync(fixture.configPath, fixture.configText())
      await fixture.running.reload()
    })
    const identity = await identityToken(fixture, `spiffe://${trustDomain}/demo`)
    writeFileSync(
      fixture.configPath,
      fixture.configText({ workloadSubject: 'spiffe://example.org/ci/*' }),
    )
    await fixture.running.reload()
    const denied = await exchange(fixture, identity)
    assert.equal(denied.status, 400)
    assert.equal(denied.body.code, 'subject_mismatch')
  })

  it('rebuilds the verifier when trust changes: a newly trusted issuer is accepted', async (t) => {
    t.after(async () => {
      writeFileSync(fixture.configPath, fixture.configText())
      await fixture.running.reload()
    })
    const ci = generateTestKey('ES256', 'ci-1')
    const now = systemClock()
    const ciToken = signJwt(ci, {
      iss: 'https://ci.example.com',
      sub: 'repo:acme/payments:main',
      aud: fixture.url,
      iat: now,
      exp: now + 300,
    })
    const before = await exchange(fixture, ciToken)
    assert.equal(before.body.code, 'issuer_unknown')
    writeFileSync(
      fixture.configPath,
      fixture.configText({
        trustedIssuers: `  - issuer: https://ci.example.com\n    jwks: ${JSON.stringify(jwksOf(ci))}\n`,
        policies: `  - name: ci\n    issuer: https://ci.example.com\n    subject: "repo:acme/*:main"\n    targets: [payments-api]\n`,
      }),
    )
    await fixture.running.reload()
    const afterReload = await exchange(fixture, ciToken)
    assert.equal(afterReload.status, 200, JSON.stringify(afterReload.body))
  })

  it('keeps serving the old configuration when the new file is invalid, logging every problem', async (t) => {
    t.after(async () => {
      writeFileSync(fixture.configPath, fixture.configText())
      await fixture.running.reload()
    })
    writeFileSync(fixture.configPath, `${fixture.configText()}bogus: true\nserver2: {}\n`)
    await fixture.running.reload()
    // Reload reports before it resolves: the line is there now.
    const line = fixture.log.lines.findLast(
      (l) => l.msg === 'configuration refused; the running configuration stays',
    )
    assert.equal(line?.code, 'invalid_config')
    assert.equal((line?.problems as unknown[] | undefined)?.length, 2)
    const { status } = await exchange(
      fixture,
      await identityToken(fixture, `spiffe://${trustDomain}/demo`),
    )
    assert.equal(status, 200)
  })

  it('refuses a change to a section that needs a restart, keeping the running one', async (t) => {
    t.after(async () => {
      writeFileSync(fixture.configPath, fixture.configText())
      await fixture.running.reload()
    })
    writeFileSync(
      fixture.configPath,
      fixture.configText({ bodyLimitBytes: 1024, workloadSubject: 'spiffe://example.org/nobody' }),
    )
    await fixture.running.reload()
    const line = fixture.log.lines.findLast(
      (l) => l.msg === 'configuration not applied: these sections change only on restart',
    )
    assert.deepEqual(line?.sections, ['server'], JSON.stringify(fixture.log.lines.at(-1)))
    assert.equal(fixture.running.config().server.bodyLimitBytes, 65536)
    const { status } = await exchange(
      fixture,
      await identityToken(fixture, `spiffe://${trustDomain}/demo`),
    )
    assert.equal(status, 200)
  })
})

describe('startTessera graceful close', () => {
  it('lets an in-flight request finish, and its audit record is in the store after close', async () => {
    const fixture = await startTesseraFixture()
    let closed = false
    try {
      const token = await joinToken(fixture, `spiffe://${trustDomain}/inflight`)
      const body = JSON.stringify({ joinToken: token, audience: fixture.url })
      const half = Math.floor(body.length / 2)
      const { port } = new URL(fixture.url)
      const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const request = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/v1/identity/token',
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
              'x-request-id': 'inflight-1',
              connection: 'close',
            },
          },
          (res) => {
            let text = ''
            res.setEncoding('utf8')
            res.on('data', (chunk: string) => {
              text += chunk
            })
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
          },
        )
        request.on('error', reject)
        request.write(body.slice(0, half))
        // The rest of the body is sent once the server is closing.
        void fixture.log
          .waitFor((l) => l.correlationId === 'inflight-1' && l.msg === 'incoming request')
          .then(async () => {
            const closing = fixture.running.close().then(() => {
              closed = true
            })
            await refused(Number(port))
            assert.equal(closed, false, 'close must wait for the in-flight request')
            request.end(body.slice(half))
            await closing
          })
          .catch(reject)
      })
      const answered = await response
      assert.equal(answered.status, 200, answered.text)
      assert.equal(typeof (JSON.parse(answered.text) as { token: string }).token, 'string')
      await fixture.running.close()
      assert.equal(closed, true)
      const stores = await openSqliteStores({ dataDir: fixture.dataDir, clock: systemClock })
      try {
        const page = await stores.audit.query({ correlationId: 'inflight-1' })
        assert.equal(page.records.length, 1)
        assert.equal(page.records[0]?.decision, 'allow')
        assert.equal(page.records[0]?.kind, 'identity')
      } finally {
        await stores.close()
      }
    } finally {
      await fixture.close()
    }
  })
})

describe('startTessera key lifecycle', () => {
  it('advances the signing keys on its timer: the next key is pre-published when due', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] })
    let now = systemClock()
    const fixture = await startTesseraFixture({ clock: () => now })
    try {
      const { rotateEverySeconds, prePublishSeconds } = fixture.running.config().issuer
      now += rotateEverySeconds - prePublishSeconds + 1
      // min(60 s, prePublishSeconds / 4) between steps.
      t.mock.timers.tick(Math.min(60, prePublishSeconds / 4) * 1000)
    } finally {
      // close waits for the step the tick started.
      await fixture.running.close()
    }
    const stores = await openSqliteStores({ dataDir: fixture.dataDir, clock: () => now })
    try {
      const states = (await stores.keys.list()).map((k) => k.state).sort()
      assert.deepEqual(states, ['active', 'pending'])
    } finally {
      await stores.close()
      await fixture.close()
    }
  })
})

describe('startTessera with TLS', () => {
  it('serves HTTPS with the configured certificate', async () => {
    const fixtures = join(fileURLToPath(new URL('.', import.meta.url)), 'config', 'fixtures')
    const certFile = join(fixtures, 'tls-cert.pem')
    const fixture = await startTesseraFixture({
      tls: { certFile, keyFile: join(fixtures, 'tls-key.pem') },
    })
    try {
      assert.match(fixture.running.url, /^https:\/\/127\.0\.0\.1:\d+$/)
      const { readFileSync } = await import('node:fs')
      const status = await new Promise<number>((resolve, reject) => {
        httpsGet(
          `${fixture.url}/healthz`,
          { ca: readFileSync(certFile), servername: 'localhost' },
          (res) => {
            res.resume()
            resolve(res.statusCode ?? 0)
          },
        ).on('error', reject)
      })
      assert.equal(status, 200)
    } finally {
      await fixture.close()
    }
  })
})

describe('startTessera failures', () => {
  it('refuses an invalid configuration with invalid_config and every problem', async () => {
    const log = captureLog()
    await assert.rejects(
      startTessera({ configPath: '/nonexistent/tessera.yaml', logger: log.logger, env: {} }),
      (error: unknown) =>
        error instanceof Error && (error as { code?: string }).code === 'invalid_config',
    )
  })

  it('refuses a port in use with invalid_config naming the address, and closes the store', async () => {
    const first = await startTesseraFixture()
    try {
      const log = captureLog()
      await assert.rejects(
        startTessera({ configPath: first.configPath, logger: log.logger, env: {} }),
        (error: unknown) =>
          error instanceof Error &&
          (error as { code?: string }).code === 'invalid_config' &&
          error.message ===
            `cannot listen on 127.0.0.1:${new URL(first.url).port}: the address is in use`,
      )
      // The first server still serves from the same store.
      assert.equal((await fetch(`${first.url}/readyz`)).status, 200)
    } finally {
      await first.close()
    }
  })
})

/** Resolves once a new connection to `port` is refused: the server has stopped accepting. */
async function refused(port: number): Promise<void> {
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (!accepted) return
  }
  throw new Error(`port ${port} still accepts connections`)
}

describe('startTessera with SAML metadata from a URL', () => {
  // The IdP's metadata naming one signing certificate (saml/testing/test-idp.ts keys).
  const metadata = (key: TestKey) =>
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${idpEntityId}" validUntil="${new Date((samlNow + 180 * 86400) * 1000).toISOString()}" cacheDuration="PT1H">` +
    `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${key.pem.replace(/-----[^-]+-----|\s/g, '')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor>`

  it('trusts a rotated IdP certificate after the scheduled refresh, not before', async (t) => {
    let served = metadata(samlKeys.current)
    const idp = await startLoopbackServer(t, (_req, res) => {
      res.setHeader('content-type', 'application/samlmetadata+xml')
      res.end(served)
    })
    const dir = mkdtempSync(join(tmpdir(), 'tessera-app-saml-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const configPath = join(dir, 'tessera.yaml')
    writeFileSync(
      configPath,
      `server:
  listen: 127.0.0.1:0
  publicUrl: https://tessera.test
trustDomain: ${trustDomain}
issuer:
  keyEncryptionKey: file:kek
samlIdps:
  - entityId: ${idpEntityId}
    metadata:
      url: ${idp.url('/md')}
saml:
  spEntityId: ${spEntityId}
  acsUrl: ${acsUrl}
inventory:
  services:
    - name: payments-api
      audiences: [${payments}]
policies:
  - name: saml-users
    issuer: ${idpEntityId}
    audience: [${spEntityId}]
    subject: "*@example.com"
    targets: [payments-api]
store:
  kind: memory
`,
    )
    const timers = manualTimers(samlNow)
    const running = await startTessera({
      configPath,
      env: {},
      logger: captureLog().logger,
      clock: timers.clock,
      schedule: timers.schedule,
    })
    t.after(() => running.close())
    // A Response from the IdP signed with `by`, valid at the clock's time, never seen before.
    let sequence = 0
    const exchangeSaml = async (by: TestKey) => {
      sequence += 1
      const issued = signedResponse(
        {
          assertionId: `_a-${sequence}`,
          responseId: `_r-${sequence}`,
          inResponseTo: null,
          notBefore: timers.clock() - 60,
          notOnOrAfter: timers.clock() + 300,
        },
        { by },
      )
      const response = await fetch(`${running.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: tokenExchange,
          subject_token: Buffer.from(issued).toString('base64'),
          subject_token_type: 'urn:ietf:params:oauth:token-type:saml2',
          audience: payments,
        }),
      })
      return { status: response.status, code: response.headers.get('tessera-error-code') }
    }
    assert.deepEqual(await exchangeSaml(samlKeys.current), { status: 200, code: null })
    // The IdP rotates: its metadata now names only the next certificate.
    served = metadata(samlKeys.next)
    const rotated = await exchangeSaml(samlKeys.next)
    assert.equal(rotated.code, 'untrusted_key')
    assert.equal(idp.requestsTo('/md'), 1)
    // The refresh Tessera scheduled (cacheDuration PT1H) fetches the new metadata.
    await timers.runUntil(samlNow + 3600)
    assert.equal(idp.requestsTo('/md'), 2)
    assert.deepEqual(await exchangeSaml(samlKeys.next), { status: 200, code: null })
    assert.equal((await exchangeSaml(samlKeys.current)).code, 'untrusted_key')
  })
})
