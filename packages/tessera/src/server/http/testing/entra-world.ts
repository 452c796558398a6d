// A real Tessera for the Entra dialect tests: compiled configuration with a `clouds.entra`
// application and its federated credentials, memory stores, the real engine, a workload
// issuer (RS256, as Entra supports) whose tokens are the client assertions, and — for the SDK
// tests — HTTPS on 127.0.0.1 with the test CA in ./tls-entra.
import { generateKeyPairSync, type KeyObject, randomBytes, randomUUID, sign } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createVerifier } from '@tessera/verify'
import type { FastifyInstance } from 'fastify'
import { type CompiledConfig, parseConfig } from '../../../config/index.ts'
import { createKeyManager, createMinter } from '../../../issuer/index.ts'
import { createMemoryStores, type Stores } from '../../../store/index.ts'
import { createExchangeEngine } from '../../../sts/index.ts'
import { createLogger } from '../../../telemetry/index.ts'
import { buildServer } from '../build-server.ts'
import { freePort } from './tessera-fixture.ts'

export const tenantId = '72f988bf-86f1-41af-91ab-2d7cd011db47'
export const clientId = '0f3c8e2a-5b1d-4c7e-9a6f-2d8b4e1c7a90'
export const workloadIssuer = 'https://oidc.workloads.example.com'
export const ficAudience = 'api://AzureADTokenExchange'
export const ficSubject = 'system:serviceaccount:payments:Deployer'
export const payments = 'https://payments.example.org'
export const ledger = 'https://ledger.example.org'

const tlsDir = join(import.meta.dirname, 'tls-entra')
/** PEM of the test CA that issued the server certificate. */
export const testCa = readFileSync(join(tlsDir, 'ca.crt'), 'utf8')

/** What an Entra test works with. */
export interface EntraWorld {
  readonly app: FastifyInstance
  readonly config: CompiledConfig
  readonly stores: Stores
  /** `https://127.0.0.1:<port>` with TLS, else `https://tessera.test` (inject only). */
  readonly origin: string
  now(): number
  advance(seconds: number): void
  /** Signs a client assertion as the workload issuer (RS256) with iat/exp around now unless given. */
  assertion(claims?: Record<string, unknown>, header?: Record<string, unknown>): string
  /** Signs with a key the issuer does not publish, under the published kid. */
  forgedAssertion(claims?: Record<string, unknown>): string
  close(): Promise<void>
}

/** Options of `createEntraWorld`. */
export interface EntraWorldOptions {
  /** Serve HTTPS on a free 127.0.0.1 port (then call `app.listen` with `port`). */
  readonly tls?: boolean
  /**
   * Epoch seconds the world's clock starts at. Default 1 800 000 000, fixed so the dialect
   * tests are deterministic; the SDK test passes the current second, as MSAL dates tokens on
   * the wall clock.
   */
  readonly startAt?: number
}

/** Builds the world; with `tls` it also listens on 127.0.0.1 at the port the origin names. */
export async function createEntraWorld(options: EntraWorldOptions = {}): Promise<EntraWorld> {
  let current = options.startAt ?? 1_800_000_000
  const clock = () => current
  const workload = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const jwk = { ...workload.publicKey.export({ format: 'jwk' }), kid: 'wl-1', alg: 'RS256' }
  const port = options.tls === true ? await freePort() : 0
  const origin = options.tls === true ? `https://127.0.0.1:${port}` : 'https://tessera.test'
  const tls =
    options.tls === true
      ? `\n  tls: { certFile: ${JSON.stringify(join(tlsDir, 'server.crt'))}, keyFile: ${JSON.stringify(join(tlsDir, 'server.key'))} }`
      : ''
  const config = parseConfig(
    `server:
  listen: 127.0.0.1:${port}
  publicUrl: ${origin}${tls}
trustDomain: example.org
issuer:
  keyEncryptionKey: env:TESSERA_TEST_KEK
trustedIssuers:
  - issuer: ${workloadIssuer}
    jwks: ${JSON.stringify({ keys: [jwk] })}
    algorithms: [RS256]
inventory:
  services:
    - name: payments-api
      audiences: [${payments}]
    - name: ledger-api
      audiences: [${ledger}]
clouds:
  entra:
    applications:
      - tenantId: ${tenantId}
        clientId: ${clientId}
        target: payments-api
        federatedCredentials:
          - name: payments-deployer
            issuer: ${workloadIssuer}
            subject: ${ficSubject}
            audiences: [${ficAudience}]
          - name: payments-reader
            issuer: ${workloadIssuer}
            subject: system:serviceaccount:payments:reader
            audiences: [api://payments-reader]
store:
  kind: memory
`,
    'entra-world.yaml',
  )
  const stores = createMemoryStores(clock)
  const keys = createKeyManager({
    store: stores.keys,
    settings: config.issuer,
    kek: randomBytes(32),
    clock,
  })
  await keys.ensure()
  const verifier = createVerifier({
    issuers: [...config.trustedIssuers],
    audience: config.policies.acceptedAudiences,
    clock,
  })
  const engine = createExchangeEngine({
    verifier,
    policies: () => config.policies,
    minter: createMinter({ keys, issuerUrl: origin, clock }),
    replay: stores.replay,
    audit: stores.audit,
    settings: config.issuer,
    clock,
  })
  const app = buildServer({
    config: () => config,
    engine,
    keys,
    audit: stores.audit,
    logger: createLogger({ level: 'silent', destination: { write: () => undefined } }),
    ready: () => true,
  })
  if (options.tls === true) await app.listen({ host: '127.0.0.1', port })
  const claimsFor = (claims: Record<string, unknown>) => ({
    iss: workloadIssuer,
    sub: ficSubject,
    aud: ficAudience,
    iat: current,
    nbf: current,
    exp: current + 3600,
    jti: randomUUID(),
    ...claims,
  })
  return {
    app,
    config,
    stores,
    origin,
    now: clock,
    advance: (seconds) => {
      current += seconds
    },
    assertion: (claims = {}, header = {}) =>
      signRs256(
        workload.privateKey,
        { alg: 'RS256', kid: 'wl-1', typ: 'JWT', ...header },
        claimsFor(claims),
      ),
    forgedAssertion: (claims = {}) =>
      signRs256(stranger.privateKey, { alg: 'RS256', kid: 'wl-1', typ: 'JWT' }, claimsFor(claims)),
    close: async () => {
      await app.close()
      await stores.close()
    },
  }
}

function signRs256(
  key: KeyObject,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${encode(header)}.${encode(claims)}`
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`
}
