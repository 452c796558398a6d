import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import type { ErrorCode } from '../../src/explain/codes.ts'
import { verifyJws } from './verify-jws.ts'

/**
 * Published RFC examples (RFC 7515 A.1–A.5, RFC 8037 A.4, RFC 7797 §4): see fixtures/README.md.
 * Each is a raw JWS checked with its own key and the verifier's default allow-list (every
 * asymmetric algorithm), as `verifyJws` does when no algorithm is pinned.
 *
 * THE mapping table: the kind of example (read from its header) decides what Tessera must do.
 * Only the asymmetric ones verify; the others are refused by policy, whatever the RFC's
 * `signatureValid` says.
 */
const kinds: readonly Kind[] = [
  {
    name: 'unencoded_payload',
    expect: 'crit_unsupported',
    why: 'Tessera does not support RFC 7797 b64; its crit must be refused (RFC 7515 §4.1.11)',
    matches: (h) => h.b64 !== undefined,
  },
  {
    name: 'unsecured',
    expect: 'alg_not_allowed',
    why: 'alg none (RFC 7515 A.5) is never accepted (RFC 8725 §3.1)',
    matches: (h) => typeof h.alg === 'string' && h.alg.toLowerCase() === 'none',
  },
  {
    name: 'hmac',
    expect: 'alg_not_allowed',
    why: 'HMAC is never accepted: Tessera verifies asymmetric algorithms only (RFC 8725 §3.2)',
    matches: (h) => typeof h.alg === 'string' && /^HS\d+$/.test(h.alg),
  },
  {
    name: 'asymmetric',
    expect: 'verifies',
    why: 'RS256 (A.2, 2048-bit), ES256 (A.3, P-256), ES512 (A.4, P-521), EdDSA (RFC 8037 A.4, Ed25519)',
    matches: () => true,
  },
]

interface Kind {
  readonly name: string
  readonly expect: ErrorCode | 'verifies'
  readonly why: string
  readonly matches: (header: Readonly<Record<string, unknown>>) => boolean
}

interface RfcVector {
  readonly id: string
  readonly source: { readonly ref: string }
  readonly token: string
  readonly jwk: Record<string, unknown>
  readonly expect: { readonly signatureValid: boolean }
  readonly detachedPayload?: string
}

const load = (file: string): readonly RfcVector[] =>
  (
    JSON.parse(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8')) as {
      vectors: RfcVector[]
    }
  ).vectors

const vectors = [...load('rfc-jws-vectors.json'), ...load('rfc7515-a4-es512.json')]

/** The protected header, read leniently: only to classify an example, never to verify one. */
function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >
}

const kindOf = (v: RfcVector): Kind => kinds.find((k) => k.matches(headerOf(v.token))) as Kind

describe('RFC JOSE examples', () => {
  it('covers RFC 7515 A.1–A.5, RFC 8037 A.4 and RFC 7797 §4.1–4.2', () => {
    assert.deepEqual(
      vectors.map((v) => v.id),
      [
        'rfc7515-a1-hs256',
        'rfc7515-a2-rs256',
        'rfc7515-a3-es256',
        'rfc7515-a5-none',
        'rfc8037-a4-ed25519',
        'rfc7797-4.1-b64-true',
        'rfc7797-4.2-b64-false-detached',
        'rfc7515-a4-es512',
      ],
    )
  })

  for (const v of vectors) {
    const kind = kindOf(v)
    const title =
      kind.expect === 'verifies'
        ? `${v.id} (${v.source.ref}) verifies`
        : `${v.id} (${v.source.ref}) is rejected as ${kind.expect}: ${kind.name}`
    it(title, () => {
      const verdict = verifyJws(v.token, { keys: [v.jwk] }, null)
      if (kind.expect === 'verifies') {
        assert.equal(
          v.expect.signatureValid,
          true,
          `${v.id}: the RFC example itself is marked invalid`,
        )
        assert.ok(
          verdict.ok,
          `${v.id} must verify, got ${verdict.ok ? '' : `${verdict.code} (${verdict.error.message})`}`,
        )
        return
      }
      assert.ok(
        !verdict.ok,
        `${v.id} must be rejected as ${kind.expect} (${kind.why}), but it verified`,
      )
      assert.equal(
        verdict.code,
        kind.expect,
        `${v.id}: ${kind.why}; got ${verdict.code} (${verdict.error.message})`,
      )
    })
  }
})
