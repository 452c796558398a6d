import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { loadConfig } from './load.ts'

const example = fileURLToPath(new URL('../../../../examples/tessera.yaml', import.meta.url))
const examples = fileURLToPath(new URL('../../../../examples/', import.meta.url))

describe('examples/tessera.yaml', () => {
  it('is a valid configuration: loopback server, two services, two policies', async () => {
    const config = await loadConfig(example)
    assert.deepEqual(config.server.listen, { host: '127.0.0.1', port: 8080 })
    assert.equal(config.issuer.issuerUrl, 'http://127.0.0.1:8080')
    assert.equal(config.issuer.trustDomain, 'example.org')
    assert.deepEqual(config.store, { kind: 'sqlite', dataDir: `${examples}.tessera` })
    assert.deepEqual(
      config.inventory.services.map((s) => [s.name, s.audiences]),
      [
        ['payments-api', ['https://payments.example.org']],
        ['ledger-api', ['https://ledger.example.org']],
      ],
    )
    assert.deepEqual(config.policies.policyNames, [
      'workloads-to-payments',
      'workload-identity-from-ci',
    ])
  })

  it('trusts the CI issuer with the public key of the doctor example', async () => {
    const config = await loadConfig(example)
    const doctorJwks = JSON.parse(readFileSync(`${examples}doctor/jwks.json`, 'utf8'))
    assert.deepEqual(config.trustedIssuers, [
      { issuer: 'https://ci.example.org', algorithms: ['ES256'], jwks: doctorJwks },
    ])
  })
})
