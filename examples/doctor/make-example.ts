// Regenerates the bundled doctor example: a fresh ES256 key (the private half is discarded),
// its public JWKS, and two tokens signed with it — one the receiver accepts, one whose aud
// differs from the receiver's identifier by a trailing slash. Run from the repository root:
//   node examples/doctor/make-example.ts
import { generateKeyPairSync, sign } from 'node:crypto'
import { writeFileSync } from 'node:fs'

const here = new URL('.', import.meta.url)
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const kid = 'ci-2027-01'
const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }
const b64u = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url')

function mint(aud: string): string {
  const iat = 1_800_000_000
  const claims = {
    iss: 'https://ci.tessera.example',
    sub: 'spiffe://prod.tessera.example/ci/acme/payments',
    aud,
    iat,
    nbf: iat,
    exp: iat + 300,
    jti: `example-${aud.length}`,
    repository: 'acme/payments',
    ref: 'refs/heads/main',
  }
  const input = `${b64u({ alg: 'ES256', kid, typ: 'JWT' })}.${b64u(claims)}`
  const sig = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })
  return `${input}.${sig.toString('base64url')}`
}

writeFileSync(new URL('jwks.json', here), `${JSON.stringify({ keys: [jwk] }, null, 2)}\n`)
writeFileSync(new URL('token.jwt', here), `${mint('https://api.example.com/')}\n`)
writeFileSync(new URL('valid.jwt', here), `${mint('https://api.example.com')}\n`)
