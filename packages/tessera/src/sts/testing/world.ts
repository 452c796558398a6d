// A real engine for the sts tests: Tessera's own key manager and minter, an "external IdP" with
// its own key, a real verifier trusting both, compiled policies and a memory replay store.
import { generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto'
import { createVerifier, MemoryReplayStore, type Verifier } from '@tessera/verify'
import {
  createKeyManager,
  createMinter,
  type IssuerSettings,
  type KeyManager,
  type Minter,
} from '../../issuer/index.ts'
import { type CompiledPolicySet, compilePolicies, type PolicyConfig } from '../../policy/index.ts'
import { createExchangeEngine } from '../engine.ts'
import type { EngineDeps, ExchangeEngine } from '../types.ts'
import { MemoryAudit } from './memory-audit.ts'
import { MemoryJoinTokenStore, MemoryKeyStore } from './memory-stores.ts'

export const start = 1_767_225_600
export const issuerUrl = 'https://tessera.example.org'
export const idpUrl = 'https://idp.example.com'
export const trustDomain = 'example.org'
export const payments = 'https://payments.example.org'
export const ledger = 'https://ledger.example.org'

export const settings: IssuerSettings = {
  issuerUrl,
  trustDomain,
  algorithm: 'ES256',
  identityTokenTtlSeconds: 300,
  accessTokenTtlSeconds: 900,
  rotateEverySeconds: 86_400,
  prePublishSeconds: 3600,
  jwksMaxAgeSeconds: 600,
}

/** The policies of the engine tests, one per behaviour. */
export const testPolicies: readonly PolicyConfig[] = [
  {
    name: 'blocked',
    effect: 'deny',
    issuer: idpUrl,
    audience: issuerUrl,
    subject: 'repo:evil/**',
  },
  {
    name: 'ci-deploy',
    issuer: idpUrl,
    audience: issuerUrl,
    subject: 'repo:acme/payments:ref:refs/heads/*',
    claims: { repository_owner: 'acme' },
    targets: ['payments-api'],
    scopes: ['payments.read', 'payments.write'],
    maxTtlSeconds: 600,
    output: {
      subject: 'spiffe://{trustDomain}/ci/{claims.repository}',
      claims: { repo: '{claims.repository}' },
    },
  },
  {
    name: 'first-attempts',
    issuer: idpUrl,
    audience: issuerUrl,
    subject: 'cond:*',
    condition: { expression: "claims.run_attempt == '1'", message: 'first attempts only' },
    targets: ['payments-api'],
  },
  {
    name: 'one-shot',
    issuer: idpUrl,
    audience: issuerUrl,
    subject: 'job:*',
    targets: ['ledger'],
    singleUse: true,
  },
  {
    name: 'delegate',
    issuer: idpUrl,
    audience: issuerUrl,
    subject: 'user-*',
    actor: { issuer: idpUrl, subject: 'svc-a' },
    targets: ['payments-api'],
    // Tessera's own tokens carry SPIFFE IDs, so the next hop can match them.
    output: { subject: 'spiffe://{trustDomain}/user/{sub}' },
  },
  {
    name: 'second-hop',
    issuer: issuerUrl,
    audience: payments,
    subject: 'spiffe://example.org/user/*',
    actor: { issuer: idpUrl, subject: 'svc-b' },
    targets: ['ledger'],
  },
  {
    name: 'k8s-identity',
    use: 'identity',
    issuer: idpUrl,
    audience: issuerUrl,
    subject: 'system:serviceaccount:*:*',
    targets: ['payments-api'],
    maxTtlSeconds: 120,
    output: { subject: 'spiffe://{trustDomain}/ns/{claims.namespace}/sa/{claims.sa}' },
  },
  {
    name: 'ci-identity',
    use: 'identity',
    issuer: idpUrl,
    audience: issuerUrl,
    subject: 'ci-job:*',
    targets: ['payments-api'],
    singleUse: true,
    output: { subject: 'spiffe://{trustDomain}/ci/{claims.job}' },
  },
]

/** The external IdP: an ES256 key of its own and a signer of arbitrary claims. */
export interface Idp {
  readonly jwks: { readonly keys: readonly unknown[] }
  sign(claims: Record<string, unknown>, header?: Record<string, unknown>): string
}

export function createIdp(): Idp {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const kid = 'idp-1'
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return {
    jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }] },
    sign(claims, header = {}) {
      const input = `${b64({ alg: 'ES256', kid, typ: 'JWT', ...header })}.${b64(claims)}`
      const signature = sign('sha256', Buffer.from(input), {
        key: privateKey,
        dsaEncoding: 'ieee-p1363',
      })
      return `${input}.${signature.toString('base64url')}`
    },
  }
}

/** Everything a test may reach into. */
export interface World {
  now: number
  readonly clock: () => number
  readonly idp: Idp
  readonly keys: KeyManager
  readonly minter: Minter
  readonly policies: CompiledPolicySet
  readonly verifier: Verifier
  readonly replay: MemoryReplayStore
  readonly audit: MemoryAudit
  readonly joinTokens: MemoryJoinTokenStore
  readonly engine: ExchangeEngine
  /** A token from the IdP for Tessera, valid for five minutes, with a fresh jti. */
  idpToken(claims: Record<string, unknown>): string
  /** A new engine over the same parts, with some dependencies replaced. */
  engineWith(overrides: { [K in keyof EngineDeps]?: EngineDeps[K] | undefined }): ExchangeEngine
}

/** Builds a world at `start`; its clock moves when a test sets `world.now`. */
export async function createWorld(): Promise<World> {
  const world = { now: start } as World
  const clock = () => world.now
  const idp = createIdp()
  const keys = createKeyManager({
    store: new MemoryKeyStore(),
    settings,
    kek: randomBytes(32),
    clock,
  })
  await keys.ensure()
  const minter = createMinter({ keys, issuerUrl, clock })
  const policies = compilePolicies(testPolicies, {
    inventory: {
      services: [
        { name: 'payments-api', audiences: [payments] },
        { name: 'ledger', audiences: [ledger, 'https://ledger-alt.example.org'] },
      ],
    },
    trustDomain,
    issuerUrl,
    trustedIssuers: [idpUrl],
  })
  const verifier = createVerifier({
    issuers: [
      { issuer: idpUrl, jwks: idp.jwks, algorithms: ['ES256'] },
      { issuer: issuerUrl, keySource: keys.keySource() },
    ],
    audience: policies.acceptedAudiences,
    clock,
  })
  const replay = new MemoryReplayStore({ clock })
  const audit = new MemoryAudit()
  const joinTokens = new MemoryJoinTokenStore()
  let ids = 0
  const deps: EngineDeps = {
    verifier,
    policies: () => policies,
    minter,
    replay,
    audit,
    settings,
    clock,
    joinTokens,
    newCorrelationId: () => `generated-${++ids}`,
  }
  return Object.assign(world, {
    clock,
    idp,
    keys,
    minter,
    policies,
    verifier,
    replay,
    audit,
    joinTokens,
    engine: createExchangeEngine(deps),
    idpToken: (claims: Record<string, unknown>) =>
      idp.sign({
        iss: idpUrl,
        aud: issuerUrl,
        iat: world.now,
        exp: world.now + 300,
        jti: randomUUID(),
        ...claims,
      }),
    engineWith: (overrides: { [K in keyof EngineDeps]?: EngineDeps[K] | undefined }) =>
      createExchangeEngine({ ...deps, ...overrides } as EngineDeps),
  })
}

/** Decodes a compact JWS's header and claims (the tests' view of a minted token). */
export function decodeParts(token: string): {
  header: Record<string, unknown>
  claims: Record<string, unknown>
} {
  const [header, claims] = token.split('.') as [string, string]
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()),
    claims: JSON.parse(Buffer.from(claims, 'base64url').toString()),
  }
}
