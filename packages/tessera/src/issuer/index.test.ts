import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import * as issuer from './index.ts'

describe('issuer/index.ts', () => {
  it('exports exactly the public runtime names of the contract', () => {
    assert.deepEqual(Object.keys(issuer).sort(), [
      'checkIssuerSettings',
      'createJoinToken',
      'createKeyManager',
      'createMinter',
      'discoveryDocument',
      'discoveryResponse',
      'hashJoinToken',
      'isSpiffeId',
      'isTrustDomain',
      'issuerDefaults',
      'issuerSectionSchema',
      'joinTokenTtlBounds',
      'jwksResponse',
      'loadKeyEncryptionKey',
      'maxTokenTtlSeconds',
      'openPrivateKey',
      'parseSecretRef',
      'parseSpiffeId',
      'redeemJoinToken',
      'resolveIssuerSettings',
      'retentionSeconds',
      'retirementLeewaySeconds',
      'sealPrivateKey',
    ])
  })
})
