// A real server with a `clouds.gcp` section for the Google STS route and SDK tests: compiled
// configuration, memory stores, Tessera's own keys and minter, a verifier trusting an external
// CI issuer, the real engine. The service-account policies need Tessera's issuer URL, which
// the configuration compiler does not pass to cloudDialectPolicies yet, so the world compiles
// the implied policies itself, as compileConfig will once it passes it.
import { generateKeyPairSync, type KeyObject, randomBytes, randomUUID, sign } from 'node:crypto'
import { createVerifier } from '@tessera/verify'
import type { FastifyInstance } from 'fastify'
import { parseConfig } from '../../../config/index.ts'
import { createKeyManager, createMinter } from '../../../issuer/index.ts'
import { compilePolicies } from '../../../policy/index.ts'
import { createMemoryStores, type Stores } from '../../../store/index.ts'
import { cloudDialectPolicies, createExchangeEngine } from '../../../sts/index.ts'
import { createLogger } from '../../../telemetry/index.ts'
import { buildServer } from '../build-server.ts'

export const publicUrl = 'https://tessera.test'
export const ciIssuer = 'https://ci.example.com'
export const projectNumber = '123456789'
export const providerName = `//iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/ci-pool/providers/github`
export const federatedAudience = `${publicUrl}/gcp/federated`
export const storage = 'https://storage.example.org'
export const serviceAccount = 'deployer@acme-prod.iam.gserviceaccount.com'
export const cloudPlatform = 'https://www.googleapis.com/auth/cloud-platform'
/** The CI token's default `sub`: the one principal `serviceAccount` is bound to. */
export const ciSubject = 'repo:acme/app:ref:refs/heads/main'
/** Bound to every identity of ci-pool (`principalSet://…/ci-pool/*`). */
export const poolAccount = 'reader@acme-prod.iam.gserviceaccount.com'
/**
 * A second pool (no attribute condition) that neither account binds: its STS tokens are
 * minted, but impersonate nothing.
 */
export const sandboxPool = 'sandbox-pool'
/** The provider audience of the sandbox pool. */
export const sandboxProviderName = `//iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/${sandboxPool}/providers/anyone`

function poolMember(pool: string): string {
  return `principal://iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/${pool}`
}

/** What a Google route test works with. */
export interface GoogleStsWorld {
  readonly app: FastifyInstance
  readonly stores: Stores
  now(): number
  /** Signs a token as the external CI issuer (ES256): aud = the default provider audience. */
  ciToken(claims: Record<string, unknown>): string
  close(): Promise<void>
}

/** Options of `createGoogleStsWorld`. */
export interface GoogleStsWorldOptions {
  /**
   * Epoch seconds of the world's (fixed) clock. Default 1 800 000 000, so the route tests'
   * times are deterministic; the SDK test passes the current second, as google-auth-library
   * judges the expiry it is given on the wall clock.
   */
  readonly startAt?: number
  /** Adds the sandbox pool's provider (`sandboxProviderName`), which no account binds. */
  readonly sandbox?: boolean
}

const sandboxProvider = `
      - pool: ${sandboxPool}
        provider: anyone
        issuer: ${ciIssuer}
        target: ${federatedAudience}
        attributeMapping:
          google.subject: assertion.sub`

/** Builds the world (not listening). */
export async function createGoogleStsWorld(
  options: GoogleStsWorldOptions = {},
): Promise<GoogleStsWorld> {
  const current = options.startAt ?? 1_800_000_000
  const clock = () => current
  const ci = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const ciJwk = { ...ci.publicKey.export({ format: 'jwk' }), kid: 'ci-1', alg: 'ES256' }
  const config = parseConfig(
    `server:
  listen: 127.0.0.1:0
  publicUrl: ${publicUrl}
trustDomain: example.org
issuer:
  keyEncryptionKey: env:TESSERA_TEST_KEK
trustedIssuers:
  - issuer: ${ciIssuer}
    jwks: ${JSON.stringify({ keys: [ciJwk] })}
    algorithms: [ES256]
inventory:
  services:
    - name: gcp-federated
      audiences: [${federatedAudience}]
    - name: storage-api
      audiences: [${storage}]
clouds:
  gcp:
    projectNumber: "${projectNumber}"
    providers:
      - pool: ci-pool
        provider: github
        issuer: ${ciIssuer}
        target: ${federatedAudience}
        attributeMapping:
          google.subject: assertion.sub
          attribute.repository: assertion.repository
        attributeCondition: attribute.repository == "acme/app"${options.sandbox === true ? sandboxProvider : ''}
    serviceAccounts:
      - email: ${serviceAccount}
        target: storage-api
        scopes: [${cloudPlatform}]
        members: ["${poolMember('ci-pool')}/subject/${ciSubject}"]
      - email: ${poolAccount}
        target: storage-api
        scopes: [${cloudPlatform}]
        members: ["${poolMember('ci-pool').replace('principal:', 'principalSet:')}/*"]
store:
  kind: memory
`,
    'google-sts-world.yaml',
  )
  const policies = compilePolicies(cloudDialectPolicies(config.clouds, publicUrl), {
    inventory: config.inventory,
    trustDomain: 'example.org',
    issuerUrl: publicUrl,
    trustedIssuers: [ciIssuer],
  })
  const stores = createMemoryStores(clock)
  const keys = createKeyManager({
    store: stores.keys,
    settings: config.issuer,
    kek: randomBytes(32),
    clock,
  })
  await keys.ensure()
  const verifier = createVerifier({
    issuers: [
      ...config.trustedIssuers,
      { issuer: publicUrl, keySource: keys.keySource(), algorithms: [config.issuer.algorithm] },
    ],
    audience: policies.acceptedAudiences,
    clock,
  })
  const engine = createExchangeEngine({
    verifier,
    policies: () => policies,
    minter: createMinter({ keys, issuerUrl: publicUrl, clock }),
    replay: stores.replay,
    audit: stores.audit,
    settings: config.issuer,
    clock,
  })
  const logger = createLogger({ level: 'fatal', destination: { write: () => {} } })
  const app = buildServer({
    config: () => config,
    engine,
    keys,
    audit: stores.audit,
    logger,
    ready: () => true,
  })
  return {
    app,
    stores,
    now: clock,
    ciToken: (claims) =>
      signEs256(ci.privateKey, {
        iss: ciIssuer,
        aud: providerName,
        sub: ciSubject,
        repository: 'acme/app',
        iat: current,
        exp: current + 300,
        jti: randomUUID(),
        ...claims,
      }),
    close: async () => {
      await app.close()
      await stores.close()
    },
  }
}

function signEs256(key: KeyObject, claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${encode({ alg: 'ES256', kid: 'ci-1', typ: 'JWT' })}.${encode(claims)}`
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
  return `${input}.${signature.toString('base64url')}`
}
