import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { configDir } from '../../config/testing/config-files.ts'
import { exportDocument } from './testing/export-config.ts'

// The parts of the document the test changes.
interface Clouds {
  aws: { roles: object[] }
  gcp: { pools: { workloads: string[] }[] }
  azure: { identities: object[] }
}

const dir = configDir()
after(() => dir.remove())

describe('clouds cross-checked at load', () => {
  it('names every problem with its path', () => {
    const doc = exportDocument() as { server: object; inventory: unknown; clouds: Clouds }
    doc.inventory = { services: [{ name: 'aws', audiences: ['sts.amazonaws.com'] }] }
    doc.clouds.aws.roles.push({ name: 'payments-deploy', workloads: ['spiffe://other.org/x'] })
    doc.clouds.gcp.pools[0]?.workloads.push(`spiffe://example.org/${'a'.repeat(120)}`)
    doc.clouds.azure.identities.push({ ...doc.clouds.azure.identities[0] })
    const problems = dir.problems({ ...doc, server: { publicUrl: 'http://127.0.0.1:8080' } })
    assert.deepEqual(
      problems.map((p) => p.path),
      [
        '/clouds/aws/roles',
        '/clouds/aws/roles/1',
        '/clouds/aws/roles/1/workloads/0',
        '/clouds/gcp/pools/0',
        '/clouds/gcp/pools/0/workloads/2',
        '/clouds/azure/identities/1',
        '/clouds/azure',
      ],
    )
    assert.match(problems[0]?.message ?? '', /https/)
    assert.match(problems[3]?.message ?? '', /no inventory audience/)
  })

  it('accepts the export document', () => {
    assert.equal(dir.parse(exportDocument()).clouds.aws?.roles?.length, 1)
  })
})
