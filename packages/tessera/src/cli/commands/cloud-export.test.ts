import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { exportDocument } from '../../cloud/export/testing/export-config.ts'
import { runCli } from '../main.ts'
import { memoryOutput } from '../output/stream.ts'

const dir = mkdtempSync(join(tmpdir(), 'tessera-cloud-export-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const write = (name: string, text: string): string => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}
const config = write('tessera.yaml', stringify(exportDocument()))
const localConfig = write(
  'local.yaml',
  stringify({ ...exportDocument('http://127.0.0.1:8080'), store: { kind: 'memory' } }),
)

async function run(...args: string[]) {
  const output = memoryOutput()
  const status = await runCli(['cloud', 'export', ...args], output)
  return { status, output }
}

describe('tessera cloud export', () => {
  it('prints the files, and the same configuration prints the same bytes', async () => {
    const first = await run('--aws', '--azure', '--config', config)
    const second = await run('--aws', '--azure', '--config', config)
    assert.equal(first.status, 0)
    assert.deepEqual(second.output.stdout, first.output.stdout)
    const files = first.output.stdout.filter((l) => l.startsWith('# file: '))
    assert.deepEqual(files, [
      '# file: aws/oidc-provider.json',
      '# file: aws/roles/payments-deploy.trust-policy.json',
      '# file: aws/roles/payments-deploy.create-role.json',
      '# file: azure/payments-id/tessera-ns-prod-sa-payments.json',
    ])
  })

  it('writes Terraform into --out', async () => {
    const out = join(dir, 'tf')
    const { status } = await run('--gcp', '--format', 'terraform', '--out', out, '--config', config)
    assert.equal(status, 0)
    assert.deepEqual(readdirSync(join(out, 'gcp')), ['main.tf'])
    const tf = readFileSync(join(out, 'gcp', 'main.tf'), 'utf8')
    assert.match(tf, /resource "google_iam_workload_identity_pool_provider" "tessera_pool_tessera"/)
    assert.match(tf, /resource "google_service_account_iam_member"/)
  })

  it('uploads the JWKS from --jwks for a loopback issuer, and needs one', async () => {
    const jwks = write('jwks.json', JSON.stringify({ keys: [{ kty: 'EC', kid: 'k1' }] }))
    const { status, output } = await run('--gcp', '--jwks', jwks, '--config', localConfig)
    assert.equal(status, 0)
    assert.ok(output.stdout.includes('# file: gcp/tessera-pool/tessera.jwks.json'))
    const missing = await run('--gcp', '--config', localConfig)
    assert.equal(missing.status, 2)
    assert.match(missing.output.stderr.join('\n'), /invalid_config: .*JWKS/)
  })

  it('refuses bad usage with status 2 and writes nothing', async () => {
    const out = join(dir, 'never')
    assert.equal((await run('--config', config)).status, 2)
    assert.equal((await run('--aws', '--format', 'yaml', '--config', config)).status, 2)
    assert.equal((await run('--aws', 'extra', '--config', config)).status, 2)
    assert.equal(
      (await run('--aws', '--jwks', write('bad.json', '[]'), '--config', config)).status,
      2,
    )
    // AWS is not declared in the loopback configuration: nothing is written for --gcp either.
    const jwks = write('j.json', '{"keys":[]}')
    const refused = await run(
      '--gcp',
      '--aws',
      '--jwks',
      jwks,
      '--out',
      out,
      '--config',
      localConfig,
    )
    assert.equal(refused.status, 2)
    assert.match(refused.output.stderr.join('\n'), /clouds\.aws\.roles/)
    assert.throws(() => readdirSync(out))
    const help = memoryOutput()
    assert.equal(await runCli(['cloud', 'export', '--help'], help), 0)
  })
})
