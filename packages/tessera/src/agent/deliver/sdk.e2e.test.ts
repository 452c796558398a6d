// The real cloud SDKs, unpatched, reading what `tessera agent` delivers, against Tessera's
// dialects on loopback: one Tessera issues the agent's workload tokens and answers the AWS STS
// and Google STS dialects (http), a second answers the Entra dialect over https with the test
// CA and trusts the first as an issuer, as Entra trusts Tessera. The agent runs on the world's
// clock with its timers held, so `refreshAll` after `advance` is the only refresh.
// sdk-wire-facts.md "Keep tests on loopback": no metadata service, a project for Google,
// disableInstanceDiscovery for Azure; the loopback guard fails any other connection.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { fromNodeProviderChain, fromProcess } from '@aws-sdk/credential-providers'
import { WorkloadIdentityCredential } from '@azure/identity'
import { createVerifier, decodeJwt } from '@tessera/verify'
import { GoogleAuth } from 'google-auth-library'
import { runAgent } from '../../cli/commands/agent/agent.ts'
import { memoryOutput } from '../../cli/output/stream.ts'
import { parseConfig } from '../../config/index.ts'
import { createJoinToken, createKeyManager, createMinter } from '../../issuer/index.ts'
import { buildServer } from '../../server/http/build-server.ts'
import { testCa } from '../../server/http/testing/entra-world.ts'
import { freePort } from '../../server/http/testing/tessera-fixture.ts'
import { createMemoryStores, type Stores } from '../../store/index.ts'
import { createExchangeEngine } from '../../sts/index.ts'
import { createLogger } from '../../telemetry/index.ts'
import { type Agent, createAgent } from '../agent.ts'
import { loadAgentConfig } from '../config.ts'

const run = promisify(execFile)
const repo = resolve(import.meta.dirname, '../../../../..')
const bin = join(repo, 'packages/tessera/bin/tessera.js')
const guard = join(repo, 'tools/loopback-guard.ts')
// How a workload's tools start the CLI here: Node 24 with the source condition and the guard.
const tessera = `${process.execPath} --conditions=tessera-source --import ${guard} ${bin}`

const publicUrl = 'https://tessera.test'
const workload = 'spiffe://example.org/agent'
const accountId = '123456789012'
const roleArn = `arn:aws:iam::${accountId}:role/deployer`
const awsAudience = 'sts.amazonaws.com'
const provider =
  '//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/agents/providers/tessera'
const azureAudience = 'api://AzureADTokenExchange'
const serviceAccount = 'deployer@acme-prod.iam.gserviceaccount.com'
const tenantId = '72f988bf-86f1-41af-91ab-2d7cd011db47'
const clientId = '0f3c8e2a-5b1d-4c7e-9a6f-2d8b4e1c7a90'
const payments = 'https://payments.example.org'
const storage = 'https://storage.example.org'
const tlsDir = join(repo, 'packages/tessera/src/server/http/testing/tls-entra')

interface Tessera {
  readonly url: string
  readonly stores: Stores
  close(): Promise<void>
}

// The world's clock starts at the wall clock, not a fixed date: the SDKs judge the expirations
// Tessera and the agent hand them (credential_process Expiration, the executable's
// expiration_time) on the real clock. From there only `refreshEverything` moves it.
let current = Math.floor(Date.now() / 1000)
const clock = () => current

async function startTessera(yaml: string, options: { tls?: { port: number } } = {}) {
  const config = parseConfig(yaml, 'sdk-e2e.yaml')
  const stores = createMemoryStores(clock)
  // The issuer is Tessera itself; the Entra stand-in only trusts it (its own name is its origin).
  const own = options.tls === undefined
  const issuerUrl = options.tls === undefined ? publicUrl : `https://127.0.0.1:${options.tls.port}`
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
      ...(own
        ? [
            {
              issuer: publicUrl,
              keySource: keys.keySource(),
              algorithms: [config.issuer.algorithm],
            },
          ]
        : []),
    ],
    audience: config.policies.acceptedAudiences,
    clock,
  })
  const engine = createExchangeEngine({
    verifier,
    policies: () => config.policies,
    minter: createMinter({ keys, issuerUrl, clock }),
    replay: stores.replay,
    audit: stores.audit,
    settings: config.issuer,
    clock,
    joinTokens: stores.joinTokens,
  })
  const app = buildServer({
    config: () => config,
    engine,
    keys,
    audit: stores.audit,
    logger: createLogger({ level: 'silent', destination: { write: () => undefined } }),
    ready: () => true,
  })
  const port = options.tls?.port ?? 0
  await app.listen({ host: '127.0.0.1', port })
  const address = app.server.address()
  assert.ok(typeof address === 'object' && address !== null)
  const scheme = options.tls === undefined ? 'http' : 'https'
  return {
    url: `${scheme}://127.0.0.1:${address.port}`,
    stores,
    close: async () => {
      await app.close()
      await stores.close()
    },
  } satisfies Tessera
}

// Tessera the issuer, and the AWS and Google dialects standing in for AWS STS and Google STS.
const issuerYaml = `server:
  listen: 127.0.0.1:0
  publicUrl: ${publicUrl}
trustDomain: example.org
issuer:
  keyEncryptionKey: env:TESSERA_TEST_KEK
inventory:
  services:
    - name: aws-sts
      audiences: [${awsAudience}]
    - name: gcp-provider
      audiences: ["${provider}"]
    - name: azure-exchange
      audiences: [${azureAudience}]
    - name: gcp-federated
      audiences: [${publicUrl}/gcp/federated]
    - name: payments-api
      audiences: [${payments}]
    - name: storage-api
      audiences: [${storage}]
policies:
  - name: agent-renewal
    use: identity
    issuer: ${publicUrl}
    audience: [${awsAudience}, "${provider}", ${azureAudience}]
    subject: ${workload}
    targets: [aws-sts, gcp-provider, azure-exchange]
    output: { subject: "${workload}" }
  - name: deployer
    issuer: ${publicUrl}
    audience: ${awsAudience}
    subject: ${workload}
    targets: [payments-api]
clouds:
  aws:
    accountId: "${accountId}"
  gcp:
    projectNumber: "123456789"
    providers:
      - pool: agents
        provider: tessera
        issuer: ${publicUrl}
        target: ${publicUrl}/gcp/federated
        attributeMapping:
          google.subject: assertion.sub
    serviceAccounts:
      - email: ${serviceAccount}
        target: storage-api
        scopes: [https://www.googleapis.com/auth/cloud-platform]
        members: ["principal://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/agents/subject/${workload}"]
store:
  kind: memory
`

// Tessera's Entra dialect standing in for Entra: it trusts the issuer's published keys.
const entraYaml = (port: number, jwks: string, algorithm: string) => `server:
  listen: 127.0.0.1:${port}
  publicUrl: https://127.0.0.1:${port}
  tls: { certFile: ${JSON.stringify(join(tlsDir, 'server.crt'))}, keyFile: ${JSON.stringify(join(tlsDir, 'server.key'))} }
trustDomain: example.org
issuer:
  keyEncryptionKey: env:TESSERA_TEST_KEK
trustedIssuers:
  - issuer: ${publicUrl}
    jwks: ${jwks}
    algorithms: [${algorithm}]
inventory:
  services:
    - name: payments-api
      audiences: [${payments}]
clouds:
  entra:
    applications:
      - tenantId: ${tenantId}
        clientId: ${clientId}
        target: payments-api
        federatedCredentials:
          - name: tessera-agent
            issuer: ${publicUrl}
            subject: ${workload}
            audiences: [${azureAudience}]
store:
  kind: memory
`

const savedEnv = { ...process.env }
let issuer: Tessera
let entra: Tessera
let agent: Agent
let dir: string
let configFile: string
const tokenFile = (name: string) => join(dir, 'tokens', name)

// Where each refresh leaves the SDKs: the token in a file and which exchange it came from.
const fileToken = (name: string) => readFileSync(tokenFile(name), 'utf8')

/** Moves the world's clock past the refresh point and lets the agent renew every token. */
async function refreshEverything(): Promise<void> {
  const before = ['aws', 'gcp', 'azure'].map(fileToken)
  // Past the refresh point (half of the 300 s lifetime), before expiry: a renewal, not a rescue.
  current += 200
  await agent.refreshAll()
  const afterRefresh = ['aws', 'gcp', 'azure'].map(fileToken)
  for (const [i, token] of afterRefresh.entries()) assert.notEqual(token, before[i])
}

async function presented(stores: Stores, dialect: string): Promise<string[]> {
  const page = await stores.audit.query({ decision: 'allow', limit: 100 })
  return page.records
    .filter((r) => r.dialect === dialect)
    .map((r) => (r as { presented?: { tokenSha256?: string } }).presented?.tokenSha256 ?? '')
}

const sha256 = async (token: string) => createHash('sha256').update(token).digest('hex')

before(async () => {
  process.env.AWS_EC2_METADATA_DISABLED = 'true'
  process.env.GOOGLE_CLOUD_PROJECT = 'acme-prod'
  for (const name of Object.keys(process.env)) {
    if (/^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE)$/.test(name))
      delete process.env[name]
  }
  process.env.TESSERA_TEST_KEK ??= randomBytes(32).toString('base64url')
  dir = mkdtempSync(join(tmpdir(), 'tessera-deliver-'))
  issuer = await startTessera(issuerYaml)
  const jwks = await (await fetch(`${issuer.url}/.well-known/jwks.json`)).json()
  const algorithm = String((jwks as { keys: { alg: string }[] }).keys[0]?.alg)
  const port = await freePort()
  entra = await startTessera(entraYaml(port, JSON.stringify(jwks), algorithm), {
    tls: { port },
  })
  const joinToken = await createJoinToken({
    store: issuer.stores.joinTokens,
    spiffeId: workload,
    ttlSeconds: 600,
    clock,
  })
  configFile = join(dir, 'tessera-agent.yaml')
  mkdirSync(join(dir, 'tokens'))
  writeFileSync(
    configFile,
    `server: ${issuer.url}
attestation:
  joinToken: env:SDK_E2E_JOIN_TOKEN
tokens:
  - audience: ${awsAudience}
    file: tokens/aws
  - audience: "${provider}"
    file: tokens/gcp
  - audience: ${azureAudience}
    file: tokens/azure
refresh: { at: 0.5, jitter: 0 }
status: { file: status.json }
`,
  )
  agent = createAgent(await loadAgentConfig(configFile), {
    clock,
    random: () => 0.5,
    env: { SDK_E2E_JOIN_TOKEN: joinToken.token },
    // Timers held: only refreshAll renews, after the test moved the clock.
    schedule: () => () => undefined,
  })
  await agent.start()
})

after(async () => {
  await agent?.stop()
  await entra?.close()
  await issuer?.close()
  process.env = savedEnv
  rmSync(dir, { recursive: true, force: true })
})

function withEnv(values: Record<string, string>): () => void {
  const saved = { ...process.env }
  Object.assign(process.env, values)
  return () => {
    process.env = saved
  }
}

describe('AWS SDK v3', () => {
  test('fromNodeProviderChain reads AWS_WEB_IDENTITY_TOKEN_FILE as `agent env --cloud aws` prints it, across a refresh', async (t) => {
    const out = memoryOutput()
    const status = await runAgent(
      ['env', '--cloud', 'aws', '--config', configFile, '--role-arn', roleArn, '--tessera'],
      out,
    )
    assert.equal(status, 0)
    const environment = Object.fromEntries(
      out.stdout.map((line) => {
        const match = /^export ([A-Z_]+)='(.*)'$/.exec(line)
        assert.ok(match, line)
        return [match[1] as string, match[2] as string]
      }),
    )
    assert.deepEqual(environment, {
      AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile('aws'),
      AWS_ROLE_ARN: roleArn,
      AWS_ENDPOINT_URL_STS: issuer.url,
    })
    // No shared config of the machine running the test, and a region so no warning path.
    writeFileSync(join(dir, 'empty'), '')
    t.after(
      withEnv({
        ...environment,
        AWS_REGION: 'us-east-1',
        AWS_CONFIG_FILE: join(dir, 'empty'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'empty'),
      }),
    )
    for (let round = 0; round < 2; round++) {
      const credentials = await fromNodeProviderChain()()
      assert.match(credentials.accessKeyId, /^ASIA/)
      assert.equal(credentials.accountId, accountId)
      const sent = await presented(issuer.stores, 'aws-sts')
      assert.ok(sent.includes(await sha256(fileToken('aws'))))
      if (round === 0) await refreshEverything()
    }
  })

  test('fromProcess runs `tessera agent aws-credential-process` from ~/.aws/config', async (t) => {
    const home = join(dir, 'home')
    const awsConfig = join(dir, 'aws-config')
    writeFileSync(
      awsConfig,
      `[profile tessera]\ncredential_process = ${tessera} agent aws-credential-process --config ${configFile} --role-arn ${roleArn} --session-name sdk-e2e\n`,
    )
    t.after(
      withEnv({
        HOME: home,
        AWS_CONFIG_FILE: awsConfig,
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'empty'),
      }),
    )
    writeFileSync(join(dir, 'empty'), '')
    for (let round = 0; round < 2; round++) {
      const credentials = await fromProcess({ profile: 'tessera', ignoreCache: true })()
      assert.match(credentials.accessKeyId, /^ASIA/)
      assert.equal(typeof credentials.sessionToken, 'string')
      assert.ok(credentials.expiration instanceof Date)
      assert.equal(credentials.expiration.getTime() / 1000 > Date.now() / 1000, true)
      const sent = await presented(issuer.stores, 'aws-sts')
      assert.ok(sent.includes(await sha256(fileToken('aws'))))
      if (round === 0) await refreshEverything()
    }
  })

  test('a refusal exits 1 with the AWS code and Tessera explanation, no secret on stderr', async () => {
    const wrongRole = `arn:aws:iam::${accountId}:role/deployr`
    const failed = await run(process.execPath, [
      '--conditions=tessera-source',
      '--import',
      guard,
      bin,
      'agent',
      'aws-credential-process',
      '--config',
      configFile,
      '--role-arn',
      wrongRole,
    ]).then(
      () => assert.fail('expected a non-zero exit'),
      (error: { code: number; stdout: string; stderr: string }) => error,
    )
    assert.equal(failed.code, 1)
    assert.equal(failed.stdout, '')
    assert.match(
      failed.stderr,
      /^tessera agent aws-credential-process: no_matching_policy: STS refused AssumeRoleWithWebIdentity for "arn:aws:iam::123456789012:role\/deployr": AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity\..*closest policy is "deployer"/,
    )
    assert.ok(!failed.stderr.includes(fileToken('aws')))
  })
})

describe('google-auth-library external_account', () => {
  async function gcpConfig(name: string, extra: string[]): Promise<string> {
    const file = join(dir, name)
    const out = memoryOutput()
    const status = await runAgent(
      [
        'gcp-config',
        '--config',
        configFile,
        '--audience',
        provider,
        '--out',
        file,
        '--service-account',
        serviceAccount,
        ...extra,
      ],
      out,
    )
    assert.equal(status, 0, out.stderr.join('\n'))
    assert.equal(out.stdout[0], `export GOOGLE_APPLICATION_CREDENTIALS='${file}'`)
    return file
  }

  async function accessTokens(credentialsFile: string, executable: boolean) {
    for (let round = 0; round < 2; round++) {
      // A new client per round, as a new process would be: the library caches its token.
      const auth = new GoogleAuth({
        keyFilename: credentialsFile,
        scopes: ['https://www.googleapis.com/auth/cloud-platform'],
      })
      const token = await auth.getAccessToken()
      assert.equal(typeof token, 'string')
      const { claims } = decodeJwt(token as string, 16384)
      assert.equal(claims.aud, storage)
      assert.equal(claims.client_id, `gcp:sa:${serviceAccount}`)
      const sent = await presented(issuer.stores, 'google-sts')
      assert.ok(sent.includes(await sha256(fileToken('gcp'))))
      if (round === 0) await refreshEverything()
    }
    const document = JSON.parse(readFileSync(credentialsFile, 'utf8'))
    assert.equal(document.token_url, `${issuer.url}/v1/token`)
    assert.equal(
      document.service_account_impersonation_url,
      `${issuer.url}/v1/projects/-/serviceAccounts/${serviceAccount}:generateAccessToken`,
    )
    assert.equal('executable' in document.credential_source, executable)
  }

  test('the file source reads the token file the agent keeps, across a refresh', async () => {
    const file = await gcpConfig('gcp-file.json', [])
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')).credential_source, {
      file: tokenFile('gcp'),
    })
    await accessTokens(file, false)
  })

  test('the executable source runs `tessera agent gcp-executable`, across a refresh', async (t) => {
    t.after(withEnv({ GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES: '1' }))
    const file = await gcpConfig('gcp-exe.json', [
      '--executable',
      '--command',
      `${tessera} agent gcp-executable --config ${configFile}`,
    ])
    await accessTokens(file, true)
  })

  test('the executable answers the error form, which the library raises as ExecutableError', async (t) => {
    t.after(withEnv({ GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES: '1' }))
    const missing = join(dir, 'missing-agent.yaml')
    writeFileSync(
      missing,
      readFileSync(configFile, 'utf8').replace('file: tokens/gcp', 'file: tokens/never-written'),
    )
    const file = await gcpConfig('gcp-broken.json', [
      '--executable',
      '--command',
      `${tessera} agent gcp-executable --config ${missing}`,
    ])
    const auth = new GoogleAuth({
      keyFilename: file,
      scopes: ['https://www.googleapis.com/auth/cloud-platform'],
    })
    await assert.rejects(auth.getAccessToken(), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'missing_credentials')
      assert.match(
        error.message,
        /^The executable failed with exit code: missing_credentials and error message: the agent's token file ".*never-written" cannot be read \(ENOENT\)/,
      )
      return true
    })
  })
})

describe('@azure/identity WorkloadIdentityCredential', () => {
  test('reads AZURE_FEDERATED_TOKEN_FILE as `agent env --cloud azure` prints it, across a refresh', async (t) => {
    const out = memoryOutput()
    const status = await runAgent(
      [
        'env',
        '--cloud',
        'azure',
        '--config',
        configFile,
        '--client-id',
        clientId,
        '--tenant-id',
        tenantId,
        '--endpoint',
        entra.url,
      ],
      out,
    )
    assert.equal(status, 0)
    assert.deepEqual(out.stdout, [
      `export AZURE_FEDERATED_TOKEN_FILE='${tokenFile('azure')}'`,
      `export AZURE_CLIENT_ID='${clientId}'`,
      `export AZURE_TENANT_ID='${tenantId}'`,
      `export AZURE_AUTHORITY_HOST='${entra.url}'`,
    ])
    t.after(
      withEnv({
        AZURE_FEDERATED_TOKEN_FILE: tokenFile('azure'),
        AZURE_CLIENT_ID: clientId,
        AZURE_TENANT_ID: tenantId,
        AZURE_AUTHORITY_HOST: entra.url,
      }),
    )
    const credential = () =>
      new WorkloadIdentityCredential({
        disableInstanceDiscovery: true,
        tlsOptions: { ca: testCa },
        retryOptions: { maxRetries: 0 },
      })
    const first = credential()
    const sdkToken = await first.getToken(`${payments}/.default`)
    assert.equal(decodeJwt(sdkToken.token, 16384).claims.aud, payments)
    assert.ok((await presented(entra.stores, 'entra')).includes(await sha256(fileToken('azure'))))
    await refreshEverything()
    // The SDK caches the file per credential: the old instance keeps its valid access token,
    // a new one (a new process, or DefaultAzureCredential's next build) reads the new file.
    assert.equal((await first.getToken(`${payments}/.default`)).token, sdkToken.token)
    const renewed = await credential().getToken(`${payments}/.default`)
    assert.equal(decodeJwt(renewed.token, 16384).claims.sub, workload)
    assert.ok((await presented(entra.stores, 'entra')).includes(await sha256(fileToken('azure'))))
  })
})
