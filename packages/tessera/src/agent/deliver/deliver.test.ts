import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { parseAgentConfig } from '../config.ts'
import { azureEnvironment } from './azure.ts'
import { renderExportLines } from './export-lines.ts'
import { gcpCredentialConfig, gcpEnvironment, gcpExecutableResponse } from './gcp.ts'
import { readDeliveredToken } from './read-token.ts'
import { tokenEntryFor } from './token-entry.ts'

const provider =
  '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/x'
const dir = mkdtempSync(join(tmpdir(), 'tessera-deliver-unit-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const jwt = (claims: Record<string, unknown>) =>
  `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`

test('gcpExecutableResponse renders the success and the error forms', () => {
  assert.deepEqual(gcpExecutableResponse({ token: 't', expiresAt: 5 }), {
    version: 1,
    success: true,
    token_type: 'urn:ietf:params:oauth:token-type:jwt',
    id_token: 't',
    expiration_time: 5,
  })
  assert.deepEqual(gcpExecutableResponse({ error: { code: 'expired', message: 'm' } }), {
    version: 1,
    success: false,
    code: 'expired',
    message: 'm',
  })
})

test('gcpCredentialConfig refuses every bad input at once', () => {
  assert.throws(
    () =>
      gcpCredentialConfig({
        audience: 'https://iam.googleapis.com/x',
        server: 'ftp://x',
        serviceAccount: 'not an email',
        source: { executable: { command: ' ', timeoutMillis: 1000 } },
      }),
    (error: { code: string; problems: { path: string }[] }) => {
      assert.equal(error.code, 'invalid_options')
      assert.deepEqual(
        error.problems.map((p) => p.path),
        [
          'audience',
          'server',
          'serviceAccount',
          'source.executable.timeoutMillis',
          'source.executable.command',
        ],
      )
      return true
    },
  )
  const config = gcpCredentialConfig({
    audience: provider,
    server: 'http://127.0.0.1:8080/',
    source: { executable: { command: 'tessera agent gcp-executable', outputFile: '/o' } },
  })
  assert.deepEqual(config.credential_source, {
    executable: {
      command: 'tessera agent gcp-executable',
      timeout_millis: 30000,
      output_file: '/o',
    },
  })
  assert.equal(config.token_url, 'http://127.0.0.1:8080/v1/token')
  assert.equal('service_account_impersonation_url' in config, false)
})

test('environments and export lines', () => {
  assert.deepEqual(gcpEnvironment({ credentialsFile: '/c', executable: true, project: 'p' }), {
    GOOGLE_APPLICATION_CREDENTIALS: '/c',
    GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES: '1',
    GOOGLE_CLOUD_PROJECT: 'p',
  })
  assert.equal(
    azureEnvironment({ tokenFile: '/t', clientId: 'c', tenantId: 't' }).AZURE_AUTHORITY_HOST,
    'https://login.microsoftonline.com',
  )
  assert.deepEqual(renderExportLines({ A: "it's /x y" }), [`export A='it'\\''s /x y'`])
})

test('readDeliveredToken: missing, empty, too large, expired, and a fresh token', async () => {
  const file = join(dir, 'token')
  await assert.rejects(
    readDeliveredToken(file, () => 100),
    { code: 'missing_credentials' },
  )
  writeFileSync(file, '')
  await assert.rejects(
    readDeliveredToken(file, () => 100),
    {
      code: 'missing_credentials',
      message: /is empty$/,
    },
  )
  writeFileSync(file, 'x'.repeat(17 * 1024))
  await assert.rejects(
    readDeliveredToken(file, () => 100),
    { code: 'too_large' },
  )
  writeFileSync(file, jwt({ sub: 's', exp: 100 }))
  await assert.rejects(
    readDeliveredToken(file, () => 100),
    {
      code: 'expired',
      message: /expired at 1970-01-01T00:01:40\.000Z/,
    },
  )
  writeFileSync(file, jwt({ sub: 's' }))
  await assert.rejects(
    readDeliveredToken(file, () => 100),
    { code: 'expired', actual: 'missing' },
  )
  writeFileSync(file, jwt({ sub: 's', exp: 200 }))
  assert.deepEqual(await readDeliveredToken(file, () => 100), {
    token: jwt({ sub: 's', exp: 200 }),
    expiresAt: 200,
    subject: 's',
  })
})

test('tokenEntryFor names the configured audiences and the closest', () => {
  const config = parseAgentConfig(
    `server: http://127.0.0.1:1
attestation: { joinToken: env:J }
tokens:
  - { audience: sts.amazonaws.com, file: aws }
`,
    'agent.yaml',
    dir,
  )
  assert.equal(tokenEntryFor(config, 'sts.amazonaws.com').file, join(dir, 'aws'))
  assert.throws(() => tokenEntryFor(config, 'sts.amazonaws.com/'), {
    code: 'invalid_options',
    hint: 'trailing_slash',
  })
})
