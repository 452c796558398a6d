import { createHash, createPublicKey, type JsonWebKey } from 'node:crypto'
import { isJwsAlgorithm } from '../token/algorithms.ts'
import { hasRocaFingerprint } from './roca.ts'
import type { RejectedKey, VerificationKey } from './verification-key.ts'

/** Smallest RSA modulus accepted, in bits (NIST SP 800-57: 2048 until 2030). */
export const minRsaBits = 2048

const curvesByKty: Record<string, readonly string[]> = {
  EC: ['P-256', 'P-384', 'P-521'],
  OKP: ['Ed25519', 'Ed448'],
}

// RFC 7638 §3.2: the required members only, in lexicographic order.
const thumbprintMembers: Record<string, readonly string[]> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url) of a public JWK. */
export function jwkThumbprint(jwk: Readonly<Record<string, unknown>>): string {
  const members = thumbprintMembers[String(jwk.kty)] ?? []
  const canonical = `{${members.map((m) => `${JSON.stringify(m)}:${JSON.stringify(jwk[m])}`).join(',')}}`
  return createHash('sha256').update(canonical).digest('base64url')
}

const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

function b64uBytes(value: unknown): Buffer | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]+$/.test(value)) return undefined
  return Buffer.from(value, 'base64url')
}

function stripLeadingZeros(bytes: Buffer): Buffer {
  let i = 0
  while (i < bytes.length - 1 && bytes[i] === 0) i++
  return bytes.subarray(i)
}

/**
 * Imports one JWK as a verification key, or says why it is refused: not a public signature
 * key of a supported type, private material, weak RSA (short, e = 1, even e, ROCA), `use` other
 * than `sig`, `key_ops` without `verify`, an `alg` Tessera does not verify, or an invalid point.
 */
export function importJwk(jwk: unknown): VerificationKey | RejectedKey {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    return { reason: 'the key is not a JSON object' }
  }
  const j = jwk as Record<string, unknown>
  const kid = typeof j.kid === 'string' ? j.kid : undefined
  const kty = typeof j.kty === 'string' ? j.kty : undefined
  const rejected = (reason: string): RejectedKey => ({
    ...(kid === undefined ? {} : { kid }),
    ...(kty === undefined ? {} : { kty }),
    reason,
  })
  if (j.kid !== undefined && kid === undefined) return rejected('kid is not a string')
  if (kty === 'oct') return rejected('symmetric (oct) keys are never used: HMAC is not accepted')
  if (kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP')
    return rejected(`unsupported kty ${JSON.stringify(kty ?? null)}`)
  if (privateMembers.some((m) => j[m] !== undefined)) {
    return rejected('the key set holds private key material; it must publish public keys only')
  }
  if (j.use !== undefined && j.use !== 'sig')
    return rejected(`use is ${JSON.stringify(j.use)}, not "sig"`)
  if (j.key_ops !== undefined && (!Array.isArray(j.key_ops) || !j.key_ops.includes('verify'))) {
    return rejected('key_ops does not include "verify"')
  }
  if (j.alg !== undefined && !isJwsAlgorithm(j.alg)) {
    return rejected(
      `alg ${JSON.stringify(j.alg)} is not an asymmetric signature algorithm Tessera verifies`,
    )
  }
  let bits: number | undefined
  if (kty === 'RSA') {
    const n = b64uBytes(j.n)
    const e = b64uBytes(j.e)
    if (n === undefined || e === undefined) return rejected('RSA key lacks n or e')
    // RFC 7518 §6.3.1.1: n is the full octet sequence, no leading zero octet; a padded n
    // would also give a different RFC 7638 thumbprint for the same key.
    if (n.length > 1 && n[0] === 0)
      return rejected('RSA modulus n has a leading zero octet (RFC 7518 §6.3.1.1)')
    const modulus = stripLeadingZeros(n)
    bits = modulus.length * 8 - Math.clz32(modulus[0] ?? 0) + 24
    if (bits < minRsaBits) return rejected(`RSA modulus is ${bits} bits, less than ${minRsaBits}`)
    const exponent = BigInt(`0x${stripLeadingZeros(e).toString('hex') || '0'}`)
    if (exponent < 3n || exponent % 2n === 0n)
      return rejected(`RSA public exponent ${exponent} is not an odd number >= 3`)
    if (hasRocaFingerprint(modulus))
      return rejected('RSA modulus carries the ROCA fingerprint (CVE-2017-15361)')
  } else {
    const crv = j.crv
    if (typeof crv !== 'string' || !curvesByKty[kty]?.includes(crv)) {
      return rejected(`unsupported ${kty} curve ${JSON.stringify(crv ?? null)}`)
    }
  }
  let key: VerificationKey['key']
  try {
    const pub: Record<string, unknown> = { kty }
    for (const m of kty === 'RSA' ? ['n', 'e'] : kty === 'EC' ? ['crv', 'x', 'y'] : ['crv', 'x']) {
      pub[m] = j[m]
    }
    // node:crypto validates the encoding and, for EC, that the point lies on the curve.
    key = createPublicKey({ key: pub as JsonWebKey, format: 'jwk' })
  } catch {
    return rejected(
      `the ${kty} key could not be imported (invalid encoding or point not on the curve)`,
    )
  }
  return {
    ...(kid === undefined ? {} : { kid }),
    kty,
    ...(kty === 'RSA' ? {} : { crv: j.crv as string }),
    ...(typeof j.alg === 'string' ? { alg: j.alg } : {}),
    ...(bits === undefined ? {} : { bits }),
    thumbprint: jwkThumbprint(j),
    key,
  }
}

/** Returns true when `importJwk` produced a usable key. */
export function isVerificationKey(value: VerificationKey | RejectedKey): value is VerificationKey {
  return 'key' in value
}
