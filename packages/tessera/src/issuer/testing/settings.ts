import type { IssuerSettings } from '../types.ts'

/** A fixed 32-byte key-encryption key for tests. */
export const testKek: Buffer = Buffer.alloc(32, 0x5a)

/** Issuer settings for tests: the defaults of tessera.yaml, overridable field by field. */
export function testSettings(overrides: Partial<IssuerSettings> = {}): IssuerSettings {
  return Object.freeze({
    issuerUrl: 'https://tessera.test',
    trustDomain: 'example.org',
    algorithm: 'ES256',
    identityTokenTtlSeconds: 300,
    accessTokenTtlSeconds: 900,
    rotateEverySeconds: 86_400,
    prePublishSeconds: 3_600,
    jwksMaxAgeSeconds: 600,
    ...overrides,
  })
}
