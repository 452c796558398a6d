import { createHash, randomBytes } from 'node:crypto'

function hashId(text: string, chars: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, chars).toUpperCase()
}

/**
 * The `AccessKeyId` of a session: `ASIA` (AWS's prefix for temporary keys) and 16 characters
 * derived from the minted token's `jti`, so an audit record's jti finds the key id and back.
 */
export function accessKeyIdFor(jti: string): string {
  return `ASIA${hashId(jti, 16)}`
}

/**
 * A fresh `SecretAccessKey`: 40 characters from 30 random bytes, the length AWS uses. Tessera
 * never checks it (the `SessionToken` is the credential), it is never stored nor logged.
 */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64')
}

/** The `AssumedRoleId`: `AROA` and 17 characters derived from the role ARN, `:` the session. */
export function assumedRoleIdFor(roleArn: string, sessionName: string): string {
  return `AROA${hashId(roleArn, 17)}:${sessionName}`
}
