// Shared pieces of the adapter integration tests: one issuer, tokens, verifiers, TLS fixtures
// and a small HTTPS client that can present a client certificate.
import { randomUUID, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { certificateThumbprint } from '../../src/binding/certificate-thumbprint.ts'
import { createVerifier } from '../../src/verifier/create-verifier.ts'
import type { Verifier, VerifierOptions } from '../../src/verifier/types.ts'
import { generateTestKey, jwksOf, signJwt } from '../support/token-factory.ts'

export const issuer = 'https://issuer.tessera.test'
export const audience = 'https://api.tessera.test'
export const subject = 'spiffe://tessera.test/ns/ci/sa/deployer'
// Fixed for the whole run (deterministic), near real time so Redis expiries lie in the future.
export const now = Math.floor(Date.now() / 1000)
export const clock = (): number => now
export const signingKey = generateTestKey('ES256')

/** A signed access token for `audience`, one hour long, scope `read`, unique jti. */
export function token(claims: Record<string, unknown> = {}): string {
  return signJwt(signingKey, {
    iss: issuer,
    aud: audience,
    sub: subject,
    iat: now,
    exp: now + 3600,
    jti: randomUUID(),
    scope: 'read',
    ...claims,
  })
}

/** A verifier trusting the test issuer, on the fixed clock. */
export function verifier(extra: Partial<VerifierOptions> = {}): Verifier {
  return createVerifier({
    issuers: [{ issuer, jwks: jwksOf(signingKey) }],
    audience,
    clock,
    ...extra,
  })
}

/** The same token with its signature's last characters changed. */
export function tampered(value: string): string {
  const last = value.at(-2) === 'A' ? 'B' : 'A'
  return `${value.slice(0, -2)}${last}${value.at(-1)}`
}

const tlsDir = new URL('../fixtures/tls/', import.meta.url)
const pem = (name: string): Buffer => readFileSync(new URL(name, tlsDir))

/** The test CA, server and two client identities (see fixtures/tls/README.md). */
export const tls = {
  ca: pem('ca.crt'),
  server: { cert: pem('server.crt'), key: pem('server.key') },
  clientA: { cert: pem('client-a.crt'), key: pem('client-a.key') },
  clientB: { cert: pem('client-b.crt'), key: pem('client-b.key') },
}

/** RFC 8705 `x5t#S256` of a PEM certificate. */
export function x5t(certPem: Buffer): string {
  return certificateThumbprint(new X509Certificate(certPem))
}

/** A response read whole. */
export interface Answer {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: string
  json(): Record<string, unknown>
}

/** GET/POST over HTTPS with the test CA and, optionally, a client certificate. */
export function httpsCall(
  url: string,
  init: {
    method?: string
    headers?: Record<string, string>
    client?: { cert: Buffer; key: Buffer }
  },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: init.method ?? 'GET',
        headers: init.headers ?? {},
        ca: tls.ca,
        ...(init.client === undefined ? {} : init.client),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8')
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: () => JSON.parse(body) as Record<string, unknown>,
          })
        })
      },
    )
    req.on('error', reject)
    req.end()
  })
}

/** Reads a fetch Response whole, in the shape of `Answer`. */
export async function answerOf(response: Response): Promise<Answer> {
  const body = await response.text()
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body,
    json: () => JSON.parse(body) as Record<string, unknown>,
  }
}
