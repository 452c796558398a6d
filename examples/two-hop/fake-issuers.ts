// Two stand-in token issuers on one loopback HTTP server: a CI system (job tokens) and the
// cluster service A runs on (service-account tokens). Each publishes its JWKS; tokens are ES256.
import { generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One issuer: its identifier and a signer of tokens with iat/exp around the clock's now. */
export interface FakeIssuer {
  readonly issuer: string
  sign(claims: Record<string, unknown>): string
}

/** The two issuers and their server. */
export interface FakeIssuers {
  /** `http://127.0.0.1:<port>`: the issuers are `<origin>/ci` and `<origin>/cluster`. */
  readonly origin: string
  readonly ci: FakeIssuer
  readonly cluster: FakeIssuer
  close(): Promise<void>
}

/** Starts the issuers on 127.0.0.1 (a free port); `clock` is epoch seconds. */
export async function startFakeIssuers(clock: () => number): Promise<FakeIssuers> {
  const names = ['ci', 'cluster'] as const
  const keys = Object.fromEntries(
    names.map((name) => [name, generateKeyPairSync('ec', { namedCurve: 'P-256' })]),
  ) as Record<(typeof names)[number], { publicKey: KeyObject; privateKey: KeyObject }>
  const server = createServer((request, response) => {
    const name = names.find((n) => request.url === `/${n}/jwks.json`)
    if (name === undefined) {
      response.writeHead(404).end()
      return
    }
    const jwk = {
      ...keys[name].publicKey.export({ format: 'jwk' }),
      kid: `${name}-1`,
      alg: 'ES256',
    }
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end(JSON.stringify({ keys: [jwk] }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const issuer = (name: (typeof names)[number]): FakeIssuer => ({
    issuer: `${origin}/${name}`,
    sign: (claims) =>
      signEs256(keys[name].privateKey, `${name}-1`, {
        iss: `${origin}/${name}`,
        iat: clock(),
        exp: clock() + 300,
        jti: randomUUID(),
        ...claims,
      }),
  })
  return {
    origin,
    ci: issuer('ci'),
    cluster: issuer('cluster'),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function signEs256(key: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${encode({ alg: 'ES256', kid, typ: 'JWT' })}.${encode(claims)}`
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
  return `${input}.${signature.toString('base64url')}`
}
