// A real server for the route tests: compiled configuration, memory stores, Tessera's own key
// manager and minter, a verifier trusting an "external CI issuer" with its own key, the real
// exchange engine, and a logger whose lines the test can read.
import { generateKeyPairSync, type KeyObject, randomBytes, randomUUID, sign } from 'node:crypto'
import { createVerifier } from '@tessera/verify'
import type { FastifyInstance } from 'fastify'
import { type CompiledConfig, parseConfig } from '../../../config/index.ts'
import {
  createJoinToken,
  createKeyManager,
  createMinter,
  type KeyManager,
} from '../../../issuer/index.ts'
import { createMemoryStores, type Stores } from '../../../store/index.ts'
import { createExchangeEngine } from '../../../sts/index.ts'
import { createLogger } from '../../../telemetry/index.ts'
import { buildServer } from '../build-server.ts'

export const publicUrl = 'https://tessera.test'
export const ciIssuer = 'https://ci.example.com'
export const payments = 'https://payments.example.org'
export const trustDomain = 'example.org'
export const tokenExchange = 'urn:ietf:params:oauth:grant-type:token-exchange'
export const jwtType = 'urn:ietf:params:oauth:token-type:jwt'

/** What a route test works with. */
export interface ServerWorld {
  readonly app: FastifyInstance
  readonly config: CompiledConfig
  readonly stores: Stores
  readonly keys: KeyManager
  /** Epoch seconds of the world's clock; `advance` moves it. */
  now(): number
  advance(seconds: number): void
  /** Every JSON log line written so far. */
  readonly logs: Record<string, unknown>[]
  /** Signs a token as the external CI issuer (ES256), with iat/exp around now unless given. */
  ciToken(claims: Record<string, unknown>): string
  /** A fresh one-time join token for `spiffeId`. */
  joinToken(spiffeId: string): Promise<string>
  /** Makes `ready()` answer false (starting or closing). */
  setReady(ready: boolean): void
  close(): Promise<void>
}

/** Options of `createServerWorld`. */
export interface ServerWorldOptions {
  readonly bodyLimitBytes?: number
  /** False leaves the key store empty: no signing key (readiness tests). Default true. */
  readonly ensureKeys?: boolean
  /** YAML of the `clouds` section's entries (indented two spaces), e.g. `  aws: {accountId: "…"}`. */
  readonly clouds?: string
  /**
   * Epoch seconds the world's clock starts at. Default 1 800 000 000, fixed so route tests are
   * deterministic; a test whose real SDK judges times on the wall clock passes the current
   * second instead (see tools/sdk-clock.test.ts).
   */
  readonly startAt?: number
}

/** Builds the world (not listening: `app.inject` or `app.listen` as the test needs). */
export async function createServerWorld(options: ServerWorldOptions = {}): Promise<ServerWorld> {
  let current = options.startAt ?? 1_800_000_000
  const clock = () => current
  const ci = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const ciJwk = { ...ci.publicKey.export({ format: 'jwk' }), kid: 'ci-1', alg: 'ES256' }
  const config = parseConfig(
    `server:
  listen: 127.0.0.1:0
  publicUrl: ${publicUrl}
  bodyLimitBytes: ${options.bodyLimitBytes ?? 65536}
trustDomain: ${trustDomain}
issuer:
  keyEncryptionKey: env:TESSERA_TEST_KEK
trustedIssuers:
  - issuer: ${ciIssuer}
    jwks: ${JSON.stringify({ keys: [ciJwk] })}
    algorithms: [ES256]
inventory:
  services:
    - name: payments-api
      audiences: [${payments}]
policies:
  - name: ci-deploy
    issuer: ${ciIssuer}
    subject: "repo:acme/payments:*"
    targets: [payments-api]
    scopes: [payments.read]
  - name: workloads
    issuer: ${publicUrl}
    subject: "spiffe://${trustDomain}/*"
    targets: [payments-api]
store:
  kind: memory
${options.clouds === undefined ? '' : `clouds:\n${options.clouds}\n`}`,
    'server-world.yaml',
  )
  const stores = createMemoryStores(clock)
  const keys = createKeyManager({
    store: stores.keys,
    settings: config.issuer,
    kek: randomBytes(32),
    clock,
  })
  if (options.ensureKeys !== false) await keys.ensure()
  const verifier = createVerifier({
    issuers: [
      ...config.trustedIssuers,
      { issuer: publicUrl, keySource: keys.keySource(), algorithms: [config.issuer.algorithm] },
    ],
    audience: config.policies.acceptedAudiences,
    clock,
  })
  const engine = createExchangeEngine({
    verifier,
    policies: () => config.policies,
    minter: createMinter({ keys, issuerUrl: publicUrl, clock }),
    replay: stores.replay,
    audit: stores.audit,
    settings: config.issuer,
    clock,
    joinTokens: stores.joinTokens,
  })
  const logs: Record<string, unknown>[] = []
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => logs.push(JSON.parse(line)) },
  })
  let ready = true
  const app = buildServer({
    config: () => config,
    engine,
    keys,
    audit: stores.audit,
    logger,
    ready: () => ready,
    dpop: { replay: stores.replay, clock },
  })
  return {
    app,
    config,
    stores,
    keys,
    now: clock,
    advance: (seconds) => {
      current += seconds
    },
    logs,
    ciToken: (claims) =>
      signEs256(ci.privateKey, 'ci-1', {
        iss: ciIssuer,
        aud: publicUrl,
        iat: current,
        exp: current + 300,
        jti: randomUUID(),
        ...claims,
      }),
    joinToken: async (spiffeId) =>
      (await createJoinToken({ store: stores.joinTokens, spiffeId, ttlSeconds: 600, clock })).token,
    setReady: (value) => {
      ready = value
    },
    close: async () => {
      await app.close()
      await stores.close()
    },
  }
}

function signEs256(key: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${encode({ alg: 'ES256', kid, typ: 'JWT' })}.${encode(claims)}`
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
  return `${input}.${signature.toString('base64url')}`
}
