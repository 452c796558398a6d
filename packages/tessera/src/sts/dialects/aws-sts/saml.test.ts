import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { TesseraError } from '@tessera/verify'
import { refuseSaml } from './saml.ts'

describe('refuseSaml', () => {
  it('explains that AssumeRoleWithSAML waits for SAML to be configured', () => {
    assert.throws(
      () =>
        refuseSaml({
          action: 'AssumeRoleWithSAML',
          role: { arn: 'arn:aws:iam::123456789012:role/r', accountId: '123456789012', name: 'r' },
          principalArn: 'arn:aws:iam::123456789012:saml-provider/idp',
          samlAssertion: 'PHNhbWxwOlJlc3BvbnNlLz4=',
          durationSeconds: 3600,
        }),
      (e: TesseraError) =>
        e.code === 'invalid_request' &&
        e.check === 'saml' &&
        /not available until SAML is configured/.test(e.message) &&
        e.message.includes('saml-provider/idp'),
    )
  })
})
