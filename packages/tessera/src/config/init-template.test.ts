import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isTesseraError } from '@tessera/verify'
import { parseDocument } from 'yaml'
import { initTemplate } from './init-template.ts'
import { parseConfig } from './load.ts'

describe('initTemplate', () => {
  it('is a valid configuration as it is', () => {
    const config = parseConfig(initTemplate(), '/srv/tessera/tessera.yaml')
    assert.equal(config.issuer.issuerUrl, 'http://127.0.0.1:8080')
    assert.equal(config.issuer.trustDomain, 'example.org')
    assert.deepEqual(config.server.listen, { host: '127.0.0.1', port: 8080 })
    assert.deepEqual(config.policies.policyNames, ['workloads-to-example-api'])
    assert.equal(config.store.dataDir, '/srv/tessera/.tessera')
  })

  it('explains every section in a comment', () => {
    const text = initTemplate()
    const document = parseDocument(text)
    const sections = Object.keys(document.toJS() as object)
    assert.deepEqual(sections, [
      'server',
      'trustDomain',
      'issuer',
      'trustedIssuers',
      'inventory',
      'policies',
      'store',
      'telemetry',
    ])
    const lines = text.split('\n')
    for (const section of sections) {
      const at = lines.findIndex((line) => line.startsWith(`${section}:`))
      assert.ok(lines[at - 1]?.startsWith('#'), `${section} is preceded by a comment`)
    }
    assert.match(text, /Secrets never live in this file/)
  })

  it('uses the given public URL and trust domain', () => {
    const text = initTemplate({
      publicUrl: 'https://tessera.acme.example',
      trustDomain: 'acme.example',
    })
    const config = parseConfig(text, 'tessera.yaml')
    assert.equal(config.issuer.issuerUrl, 'https://tessera.acme.example')
    assert.equal(config.issuer.trustDomain, 'acme.example')
  })

  it('refuses options that would make the template invalid', () => {
    assert.throws(
      () => initTemplate({ publicUrl: 'https://tessera.acme.example/a/', trustDomain: 'Acme' }),
      (error: unknown) => {
        assert.ok(isTesseraError(error))
        assert.equal(error.code, 'invalid_options')
        assert.deepEqual(error.problems, [
          {
            path: 'publicUrl',
            message:
              'must not end with "/": write "https://tessera.acme.example/a"; it is the issuer (iss) exactly as clients must configure it',
          },
          { path: 'trustDomain', message: 'must be lower-case (SPIFFE ID §2.1): write "acme"' },
        ])
        return true
      },
    )
  })
})
