/**
 * The server side of the exchange bench, run as a child process by `exchange.bench.ts` (so the
 * load generator and the server never share an event loop or a core):
 *
 *   (a) the full Tessera app — `startTessera` on a temporary config, SQLite store (audit on),
 *       ES256 signing keys, a CI issuer trusted through an inline JWKS and one policy — serving
 *       `POST /oauth2/token`;
 *   (b) the ceiling — a bare Fastify route on another port that parses the same form and does
 *       one `crypto.verify` of the subject token and one `crypto.sign` (ES256) of a fixed claims
 *       object, both on the fastest node:crypto path — the pre-imported bare KeyObject, with
 *       r‖s → DER before verifying and DER → r‖s after signing — and answers a token response.
 *       The issue defines the ceiling as that fastest path, so it is the default;
 *       `--ceiling-sign p1363` signs with `{ key, dsaEncoding: 'ieee-p1363' }` instead (slower
 *       on Node 24: the options object and node:crypto's own p1363 encoding), to show how much
 *       the ceiling depends on it.
 *
 * It generates the CI key and a pool of subject tokens valid for the whole run (exp one hour
 * ahead; the policy has no singleUse), checks that both servers accept them, then sends
 * `{ tessera, ceiling, requests }` to the parent over IPC and waits for `stop`.
 *
 *   node --conditions=tessera-source bench/exchange-server.ts [--log-level warn] [--pool 16]
 *        [--ceiling-sign der|p1363] [--store sqlite|memory]
 */
import { generateKeyPairSync, type KeyObject, randomUUID, sign, verify } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import Fastify from 'fastify'
import { startTessera } from '../packages/tessera/src/app.ts'
import { createLogger } from '../packages/tessera/src/telemetry/index.ts'
import { derToP1363, p1363ToDer } from './ecdsa-der.ts'

const { values } = parseArgs({
  options: {
    'log-level': { type: 'string', default: 'warn' },
    pool: { type: 'string', default: '16' },
    'ceiling-sign': { type: 'string', default: 'der' },
    store: { type: 'string', default: 'sqlite' },
  },
})
// `memory` is a diagnostic only (what the SQLite audit costs); the bench's figure is sqlite.
const storeKind = values.store === 'memory' ? 'memory' : 'sqlite'
// How the ceiling signs: `der` (the default, the fastest path) signs with the bare KeyObject
// and converts DER → r‖s in JS; `p1363` asks node:crypto for r‖s through an options object.
const ceilingSign = values['ceiling-sign'] === 'p1363' ? 'p1363' : 'der'
const logLevel = values['log-level']
const poolSize = Math.max(2, Number(values.pool))

const ciIssuer = 'https://ci.bench.example'
const publicUrl = 'https://tessera.bench.example'
const payments = 'https://payments.bench.example'
const tokenExchange = 'urn:ietf:params:oauth:grant-type:token-exchange'
const jwtType = 'urn:ietf:params:oauth:token-type:jwt'
const kid = 'ci-bench-1'

/** What the child sends the parent once both servers are up and checked. */
export interface ServerReady {
  readonly type: 'ready'
  readonly tessera: string
  readonly ceiling: string
  /** The form bodies to POST to /oauth2/token, one per subject token. */
  readonly bodies: readonly string[]
  readonly pid: number
}

const b64u = (data: string | Uint8Array): string => Buffer.from(data).toString('base64url')

// ---------------------------------------------------------------------------------------------
// The CI issuer and its tokens (GitHub Actions-like claims).

const ci = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const jwk = { ...ci.publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }
const now = Math.floor(Date.now() / 1000)
const header = b64u(JSON.stringify({ alg: 'ES256', kid, typ: 'JWT' }))
const tokens: string[] = []
for (let i = 0; i < poolSize; i++) {
  const input = `${header}.${b64u(
    JSON.stringify({
      iss: ciIssuer,
      aud: publicUrl,
      sub: 'repo:acme/payments:ref:refs/heads/main',
      iat: now - 5,
      nbf: now - 5,
      exp: now + 3600,
      jti: randomUUID(),
      repository: 'acme/payments',
      repository_owner: 'acme',
      ref: 'refs/heads/main',
      workflow: '.github/workflows/deploy.yml',
      environment: 'production',
      run_attempt: '1',
    }),
  )}`
  const signature = sign('sha256', Buffer.from(input), {
    key: ci.privateKey,
    dsaEncoding: 'ieee-p1363',
  })
  // Flattened (not a cons string), as a token read off the wire is.
  tokens.push(Buffer.from(`${input}.${b64u(signature)}`, 'latin1').toString('latin1'))
}
const bodies = tokens.map((token) =>
  new URLSearchParams({
    grant_type: tokenExchange,
    subject_token: token,
    subject_token_type: jwtType,
    audience: payments,
    scope: 'payments.read',
  }).toString(),
)

// ---------------------------------------------------------------------------------------------
// (a) Tessera: the example policy shape (subject glob, a claim, a CEL condition, target, scope).

const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'))
const configPath = join(dir, 'tessera.yaml')
writeFileSync(
  configPath,
  `server:
  listen: 127.0.0.1:0
  publicUrl: ${publicUrl}
trustDomain: example.org
issuer:
  algorithm: ES256
  keyEncryptionKey: env:TESSERA_BENCH_KEK
trustedIssuers:
  - issuer: ${ciIssuer}
    jwks: ${JSON.stringify({ keys: [jwk] })}
    algorithms: [ES256]
inventory:
  services:
    - name: payments-api
      audiences: [${payments}]
      owner: team-payments
policies:
  - name: ci-deploy
    issuer: ${ciIssuer}
    subject: "repo:acme/payments:ref:refs/heads/*"
    claims: { repository_owner: acme }
    condition: { expression: "claims.run_attempt == '1'", message: first attempts only }
    targets: [payments-api]
    scopes: [payments.read, payments.write]
    maxTtlSeconds: 600
    output: { subject: "spiffe://{trustDomain}/ci/{claims.repository}" }
store:
  kind: ${storeKind}
  dataDir: ${JSON.stringify(join(dir, 'data'))}
telemetry:
  logLevel: ${logLevel}
`,
)
const tessera = await startTessera({
  configPath,
  env: { TESSERA_BENCH_KEK: b64u(Buffer.alloc(32, 7)) },
  logger: createLogger({ level: logLevel }),
})

// ---------------------------------------------------------------------------------------------
// (b) The ceiling: form parse, one verify, one sign — nothing else.

function makeCeiling(publicKey: KeyObject, privateKey: KeyObject) {
  const outHeader = b64u(JSON.stringify({ alg: 'ES256', kid: 'tessera-1', typ: 'at+jwt' }))
  const claims = {
    iss: publicUrl,
    sub: 'spiffe://example.org/ci/acme/payments',
    aud: payments,
    client_id: 'ci-deploy',
    scope: 'payments.read',
    iat: now,
    exp: now + 600,
    jti: 'fixed-jti-of-the-ceiling',
  }
  return (token: string): string => {
    const a = token.indexOf('.')
    const b = token.indexOf('.', a + 1)
    if (a <= 0 || b === -1) throw new Error('malformed')
    const raw = Buffer.from(token.slice(b + 1), 'base64url')
    if (raw.length !== 64) throw new Error('signature length')
    if (!verify('sha256', Buffer.from(token.slice(0, b)), publicKey, p1363ToDer(raw))) {
      throw new Error('signature')
    }
    const input = `${outHeader}.${b64u(JSON.stringify(claims))}`
    const signature =
      ceilingSign === 'der'
        ? derToP1363(sign('sha256', Buffer.from(input), privateKey))
        : sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })
    return `${input}.${b64u(signature)}`
  }
}

const signer = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const ceilingExchange = makeCeiling(ci.publicKey, signer.privateKey)
const ceiling = Fastify({ logger: false })
ceiling.addContentTypeParser(
  'application/x-www-form-urlencoded',
  { parseAs: 'string' },
  (_request, body, done) => done(null, new URLSearchParams(body as string)),
)
ceiling.post('/oauth2/token', async (request, reply) => {
  const token = (request.body as URLSearchParams).get('subject_token') ?? ''
  let accessToken: string
  try {
    accessToken = ceilingExchange(token)
  } catch {
    return reply.code(400).send({ error: 'invalid_grant' })
  }
  return reply.header('cache-control', 'no-store').send({
    access_token: accessToken,
    issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    token_type: 'Bearer',
    expires_in: 600,
    scope: 'payments.read',
  })
})
await ceiling.listen({ host: '127.0.0.1', port: 0 })
const ceilingUrl = `http://127.0.0.1:${(ceiling.server.address() as AddressInfo).port}`

// ---------------------------------------------------------------------------------------------
// Sanity: both servers accept every body (nothing may be measured refusing), and refuse a forgery.

async function post(
  url: string,
  body: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  })
  return { status: response.status, json: (await response.json()) as Record<string, unknown> }
}
// The first token's header and claims under the second token's signature: a bad signature.
const [first = '', second = ''] = tokens
const forged = (bodies[0] ?? '').replace(
  first,
  `${first.slice(0, first.lastIndexOf('.'))}${second.slice(second.lastIndexOf('.'))}`,
)
for (const url of [tessera.url, ceilingUrl]) {
  for (const body of bodies) {
    const { status, json } = await post(url, body)
    if (status !== 200) throw new Error(`${url} refused a bench token: ${JSON.stringify(json)}`)
  }
  if ((await post(url, forged)).status === 200) throw new Error(`${url} accepted a forged token`)
}

// ---------------------------------------------------------------------------------------------
// Hand over to the parent, and stop cleanly when told (so --cpu-prof writes its profile).

let stopping: Promise<void> | undefined
function stop(): Promise<void> {
  stopping ??= (async () => {
    await ceiling.close()
    await tessera.close()
    rmSync(dir, { recursive: true, force: true })
  })()
  return stopping
}

/** Stops both servers and exits (1 if stopping failed). */
function stopAndExit(): void {
  stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    },
  )
}

process.on('message', (message: unknown) => {
  if ((message as { type?: string } | null)?.type === 'stop') stopAndExit()
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, stopAndExit)
// The parent went away without saying stop: do not linger.
process.on('disconnect', stopAndExit)

const ready: ServerReady = {
  type: 'ready',
  tessera: tessera.url,
  ceiling: ceilingUrl,
  bodies,
  pid: process.pid,
}
if (process.send === undefined) {
  console.log(JSON.stringify({ ...ready, bodies: bodies.length }))
} else {
  process.send(ready)
}
