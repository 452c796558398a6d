// A real server with a SAML IdP configured (the test IdP of saml-idp/, metadata from a file)
// for the SAML exchange tests: token exchange with saml2, AWS AssumeRoleWithSAML (inject and
// the real SDK). Compiled configuration, memory stores, Tessera's own keys and minter, the
// SAML trust loadSamlTrust builds at start, the real engine.
import { randomBytes } from 'node:crypto'
import { createVerifier } from '@tessera/verify'
import type { FastifyInstance } from 'fastify'
import { type CompiledConfig, loadSamlTrust, parseConfig } from '../../../config/index.ts'
import { createKeyManager, createMinter, type KeyManager } from '../../../issuer/index.ts'
import { createMemoryStores, type Stores } from '../../../store/index.ts'
import { createExchangeEngine } from '../../../sts/index.ts'
import { createLogger } from '../../../telemetry/index.ts'
import { buildServer } from '../build-server.ts'
import { type SamlResponseOptions, samlResponse, testIdp } from './saml-response.ts'

export const publicUrl = 'https://tessera.test'
export const acsUrl = 'https://tessera.test/saml/acs'
export const accountId = '123456789012'
export const roleArn = `arn:aws:iam::${accountId}:role/saml-admins`
export const principalArn = `arn:aws:iam::${accountId}:saml-provider/test-idp`
export const payments = 'https://payments.example.org'
export const roleAttribute = 'https://aws.amazon.com/SAML/Attributes/Role'
export const sessionNameAttribute = 'https://aws.amazon.com/SAML/Attributes/RoleSessionName'

/** What a SAML route test works with. */
export interface SamlWorld {
  readonly app: FastifyInstance
  readonly config: CompiledConfig
  readonly stores: Stores
  readonly keys: KeyManager
  now(): number
  /** A base64 Response from the test IdP, valid now, for Tessera's ACS URL and entity ID. */
  response(options?: Omit<SamlResponseOptions, 'now'>): string
  /** The AWS attributes pairing `roleArn` with `principalArn`, session name `alice`. */
  readonly awsAttributes: Readonly<Record<string, readonly string[]>>
  close(): Promise<void>
}

/** Options of `createSamlWorld`. */
export interface SamlWorldOptions {
  /**
   * The world clock's epoch second (default 1 800 000 000). A test whose SDK judges the
   * credentials' expiry on the real clock passes the real current second.
   */
  readonly startAt?: number
}

/** Builds the world (not listening). */
export async function createSamlWorld(options: SamlWorldOptions = {}): Promise<SamlWorld> {
  const current = options.startAt ?? 1_800_000_000
  const clock = () => current
  const config = parseConfig(
    `server:
  listen: 127.0.0.1:0
  publicUrl: ${publicUrl}
trustDomain: example.org
issuer:
  keyEncryptionKey: env:TESSERA_TEST_KEK
  accessTokenTtlSeconds: 3600
samlIdps:
  - name: test-idp
    metadata:
      file: ${JSON.stringify(testIdp.metadataPath)}
saml:
  spEntityId: ${publicUrl}
  acsUrl: ${acsUrl}
inventory:
  services:
    - name: payments-api
      audiences: [${payments}]
policies:
  - name: saml-admins
    issuer: ${testIdp.entityId}
    audience: [${publicUrl}, "urn:amazon:webservices", "https://signin.aws.amazon.com/saml"]
    subject: "*@example.com"
    claims:
      groups: admins
    targets: [payments-api]
    maxTtlSeconds: 1800
store:
  kind: memory
clouds:
  aws:
    accountId: "${accountId}"
`,
    'saml-world.yaml',
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
    issuers: [
      { issuer: publicUrl, keySource: keys.keySource(), algorithms: [config.issuer.algorithm] },
    ],
    audience: config.policies.acceptedAudiences,
    clock,
  })
  const saml = await loadSamlTrust(config, { env: {}, clock })
  const engine = createExchangeEngine({
    verifier,
    policies: () => config.policies,
    minter: createMinter({ keys, issuerUrl: publicUrl, clock }),
    replay: stores.replay,
    audit: stores.audit,
    settings: config.issuer,
    clock,
    saml: () => saml,
  })
  const app = buildServer({
    config: () => config,
    engine,
    keys,
    audit: stores.audit,
    logger: createLogger({ level: 'silent' }),
    ready: () => true,
    dpop: { replay: stores.replay, clock },
  })
  const awsAttributes = {
    groups: ['admins'],
    [roleAttribute]: [`${roleArn},${principalArn}`],
    [sessionNameAttribute]: ['alice'],
  }
  return {
    app,
    config,
    stores,
    keys,
    now: clock,
    response: (options = {}) =>
      samlResponse({ now: current, destination: acsUrl, audience: publicUrl, ...options }),
    awsAttributes,
    close: async () => {
      await app.close()
      await stores.close()
    },
  }
}
