import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { keyInfo, renderKeysTable } from './keys-table.ts'
import { memoryOutput } from './stream.ts'

const key = {
  kid: 'k2',
  algorithm: 'ES256' as const,
  publicJwk: {},
  state: 'retired' as const,
  createdAt: 0,
  activatesAt: 1_800_000_000,
  retiredAt: 1_800_086_400,
  publishedUntil: 1_800_087_360,
}

describe('renderKeysTable', () => {
  it('says there are no keys yet', () => {
    const output = memoryOutput()
    renderKeysTable([], output)
    assert.deepEqual(output.stdout, ['no signing keys yet: `tessera up` creates the first one'])
  })

  it('prints keys in activation order with their times', () => {
    const output = memoryOutput()
    const { retiredAt: _retired, publishedUntil: _until, ...unretired } = key
    const active = {
      ...unretired,
      kid: 'k1-long-kid',
      state: 'active' as const,
      activatesAt: 1_799_000_000,
    }
    renderKeysTable([key, active], output)
    assert.deepEqual(output.stdout, [
      'KID          ALG    STATE    ACTIVATES                 RETIRED                   PUBLISHED UNTIL',
      'k1-long-kid  ES256  active   2027-01-03T18:13:20.000Z  -                         -',
      'k2           ES256  retired  2027-01-15T08:00:00.000Z  2027-01-16T08:00:00.000Z  2027-01-16T08:16:00.000Z',
    ])
  })

  it('drops the sealed private key from a stored key', () => {
    assert.deepEqual(keyInfo({ ...key, sealedPrivateKey: 'secret' }), key)
  })
})
