import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { verifySignature } from '../../src/checks/signature.ts'
import type { ErrorCode } from '../../src/explain/codes.ts'
import { importJwk, isVerificationKey } from '../../src/keys/import-jwk.ts'
import type { RejectedKey, VerificationKey } from '../../src/keys/verification-key.ts'
import type { JwsAlgorithm } from '../../src/token/algorithms.ts'
import { type JwsVerdict, verifyJws } from './verify-jws.ts'

/**
 * Project Wycheproof (C2SP/wycheproof, Apache-2.0), flattened: see fixtures/README.md.
 *
 * Which vectors must verify: Wycheproof's `valid: true`, except symmetric (HS*) groups, which
 * Tessera refuses by policy. Which must be rejected: `valid: false`, and every symmetric vector.
 * Either outcome passes for `valid: null` and for vectors with a `strictNote` (the outcome is
 * recorded as a test diagnostic).
 *
 * THE mapping table: a rejected jws / jwk-set vector is matched against these rows in order
 * (the first match names the kind of rejection, as the pipeline meets it: decode, then the
 * algorithm pin, then the key set, then the signature), and must be rejected with one of that
 * row's codes. A vector that should be rejected and matches no row fails.
 */
const reasons: readonly Reason[] = [
  {
    name: 'broken_serialization',
    codes: ['malformed'],
    why: 'a segment or separator is missing or extra, or the JWS is not in compact form',
    matches: (v) =>
      [
        'rejectsMissingSignature',
        'rejectsMissingSignatureAndSeparator',
        'rejectsMissingPayloadAndSeparator',
        'rejectsMissingHeader',
        'rejectsMissingHeaderAndSeparator',
        'rejectsMissingHeaderAndSignature',
        'rejectsMissingHeaderSignatureAndSeparator',
        'rejectsMissingHeaderSignatureAndSeparators',
        'rejectsEmptyString',
        'rejectsExtraEmptyComponent',
        'rejectsExtraComponent',
        'rejectsValidJsonSerialization',
      ].includes(v.comment),
  },
  {
    name: 'non_canonical_base64',
    codes: ['malformed'],
    why: 'a segment is not canonical base64url (spaces, "?", "#", non-zero unused bits)',
    matches: (v) =>
      v.group === 'base64' &&
      errata[v.id] === undefined &&
      [
        'rejectsSpacesInMac',
        'rejectsInvalidCharacterInsertedInMac',
        'rejects0ReplacedbyInvalidCharacter',
        'rejectsInvalidCharacters',
        'spacesInHeader',
        'invalidCharactersInHeader',
        'invalidBase64Padding',
        'spacesInPayload',
        'invalidCharactersInPayload',
        'invalidBase64PaddingInPayload',
        'InvalidCharacterInPayload',
        'InvalidCharacterInsertedInHeader',
        'InvalidCharacterInsertedInPayload',
        'ModifiedUnusedBitsInPayload',
        'MacOfIncorrectlyEncodedMessage',
      ].includes(v.comment),
  },
  {
    name: 'symmetric',
    codes: ['alg_not_allowed'],
    why: 'HMAC is never accepted (RFC 8725 §3.2), whatever the key set holds',
    matches: (v) => v.symmetric,
  },
  {
    name: 'alg_not_pinned',
    codes: ['alg_not_allowed'],
    why: "the header's alg (none, HS256 against an EC key, another RSA scheme) is not the pinned one",
    matches: (v) => v.expectedAlg !== null && headerAlg(v.jws) !== v.expectedAlg,
  },
  {
    name: 'unusable_key_set',
    codes: ['unknown_key', 'key_type_mismatch'],
    why: 'the key set is the reason: use other than sig, key_ops without verify, ROCA, 1024-bit RSA, e = 1, an alg Tessera does not verify, a point off the curve, the wrong kty or curve',
    matches: (v) =>
      v.layer === 'jwk-set' || v.group === 'rsa_encryption' || v.group === 'ec_key_for_encryption',
  },
  {
    name: 'jwk_alg_differs',
    codes: ['key_type_mismatch', 'unknown_key'],
    why: 'the JWK declares another alg (RFC 7517 §4.4), or one Tessera does not verify (ES521)',
    matches: (v) => v.strictNote !== undefined,
  },
  {
    name: 'modified_header',
    codes: ['unknown_key', 'bad_signature'],
    why: 'the altered header names a kid that is not in the set',
    matches: (v) => v.comment === 'rejectsModifiedHeader',
  },
  {
    name: 'foreign_key',
    codes: ['bad_signature'],
    why: "a header jwk is never used: the attacker's key did not sign for the set's key",
    matches: (v) => v.comment === 'rejectsAttackerProvidedEmbeddedJwk',
  },
  {
    name: 'altered_signature',
    codes: ['bad_signature', 'malformed'],
    why: 'the signature, payload, PKCS#1 or PSS encoding, or r and s were altered, or another scheme signed',
    matches: (v) =>
      v.group === 'SpecialCaseEs256' ||
      v.flags.some(
        (f) => f === 'ModifiedSignature' || f === 'ModifiedPadding' || f === 'WrongPrimitive',
      ) ||
      [
        'rejectsModifiedSignature',
        'rejectsModifiedPayload',
        'rejectsMissingPayload',
        'modifiedSignature',
      ].includes(v.comment),
  },
]

/**
 * Upstream data errors, classified by what the token really is. Both tokens are byte-identical
 * to tcId 357 (ValidMac) in json_web_signature_test.json at the pinned commit, so their
 * comments describe a change that is not there; being HS256 they are still rejected.
 */
const errata: Readonly<Record<string, string>> = {
  'wp-jws-0367': 'invalidBase64Padding: token identical to tcId 357 (ValidMac)',
  'wp-jws-0370': 'invalidBase64PaddingInPayload: token identical to tcId 357 (ValidMac)',
}

interface Reason {
  readonly name: string
  readonly codes: readonly ErrorCode[]
  readonly why: string
  readonly matches: (v: TokenCase) => boolean
}

interface Expectation {
  readonly result: string
  readonly valid: boolean | null
}

interface TokenCase {
  readonly id: string
  readonly layer: 'jws' | 'jwk-set'
  readonly group: string
  readonly comment: string
  readonly flags: readonly string[]
  readonly jws: string
  readonly keys: unknown
  readonly expectedAlg: string | null
  readonly symmetric: boolean
  readonly expect: Expectation
  readonly strictNote?: string
}

interface PrimitiveCase {
  readonly id: string
  readonly layer: 'primitive'
  readonly alg: JwsAlgorithm
  readonly comment: string
  readonly flags: readonly string[]
  readonly jwk: Record<string, unknown>
  readonly msgHex: string
  readonly sigHex: string
  readonly expect: Expectation
}

interface Corpus {
  readonly source: { readonly repo: string; readonly commit: string; readonly licence: string }
  readonly count: number
  readonly cases: readonly (TokenCase | PrimitiveCase)[]
}

const corpus = JSON.parse(
  readFileSync(new URL('./fixtures/wycheproof-subset.json', import.meta.url), 'utf8'),
) as Corpus
const tokenCases = corpus.cases.filter(
  (c): c is TokenCase => c.layer === 'jws' || c.layer === 'jwk-set',
)
const primitiveCases = corpus.cases.filter((c): c is PrimitiveCase => c.layer === 'primitive')

/** The header's alg, read leniently: only to classify a vector, never to verify one. */
function headerAlg(token: string): unknown {
  try {
    const header: unknown = JSON.parse(
      Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'),
    )
    return typeof header === 'object' && header !== null
      ? (header as { alg?: unknown }).alg
      : undefined
  } catch {
    return undefined
  }
}

type Outcome = 'verifies' | 'rejected' | 'either'

function outcomeOf(v: TokenCase): Outcome {
  if (v.symmetric || v.expect.valid === false) return 'rejected'
  if (v.expect.valid === null || v.strictNote !== undefined) return 'either'
  return 'verifies'
}

const byName = (name: string): Reason => reasons.find((r) => r.name === name) as Reason

function reasonFor(v: TokenCase): Reason | undefined {
  const erratum = errata[v.id]
  if (erratum !== undefined) return v.symmetric ? byName('symmetric') : undefined
  return reasons.find((r) => r.matches(v))
}

function describeVerdict(verdict: JwsVerdict): string {
  return verdict.ok ? 'verified' : `${verdict.code} (${verdict.error.message})`
}

function assertRejectedFor(verdict: JwsVerdict, reason: Reason, what: string): void {
  assert.ok(
    !verdict.ok,
    `${what}: expected rejection as ${reason.name} (${reason.codes.join(' or ')}), but it verified`,
  )
  assert.ok(
    reason.codes.includes(verdict.code),
    `${what}: rejected as ${describeVerdict(verdict)}, but ${reason.name} (${reason.why}) allows ${reason.codes.join(' or ')}`,
  )
}

function tokenTestName(v: TokenCase): string {
  const outcome = outcomeOf(v)
  if (outcome === 'verifies') return `${v.id} ${v.comment}: verifies`
  if (outcome === 'either') return `${v.id} ${v.comment}: either outcome is acceptable`
  const reason = reasonFor(v)
  return reason === undefined
    ? `${v.id} ${v.comment}: is rejected (no row of the reasons table covers it)`
    : `${v.id} ${v.comment}: is rejected as ${reason.codes.join(' or ')} (${reason.name})`
}

describe('Wycheproof vectors (C2SP/wycheproof, Apache-2.0)', () => {
  it(`holds all ${corpus.count} cases of the pinned commit, each with a unique id`, () => {
    assert.equal(corpus.source.commit, 'dac1dd4729fd1f8dd9e1e9f3dce51d783da6c166')
    assert.equal(corpus.cases.length, corpus.count)
    assert.equal(tokenCases.length + primitiveCases.length, corpus.count)
    assert.equal(new Set(corpus.cases.map((c) => c.id)).size, corpus.count)
  })

  for (const layer of ['jws', 'jwk-set'] as const) {
    describe(`${layer} layer, through the library's own decode → crit → algorithm → key → signature steps`, () => {
      for (const v of tokenCases.filter((c) => c.layer === layer)) {
        it(tokenTestName(v), (t) => {
          const verdict = verifyJws(v.jws, v.keys, v.expectedAlg)
          const outcome = outcomeOf(v)
          if (outcome === 'verifies') {
            assert.ok(verdict.ok, `${v.id} must verify, got ${describeVerdict(verdict)}`)
            return
          }
          const reason = reasonFor(v)
          if (outcome === 'either') {
            t.diagnostic(`${v.id} outcome: ${verdict.ok ? 'verified' : verdict.code}`)
            if (!verdict.ok && reason !== undefined) assertRejectedFor(verdict, reason, v.id)
            return
          }
          assert.ok(
            reason !== undefined,
            `${v.id} (${v.group}/${v.comment}) must be rejected but no row of the reasons table covers it`,
          )
          assertRejectedFor(verdict, reason, v.id)
          // When the algorithm pin decides a jwk-set vector first (its expectedAlg is the key's
          // own alg, e.g. RSA1_5 or ES521), the key set must still be refused on its own: with
          // every supported algorithm allowed, it is rejected for the key.
          if (v.layer === 'jwk-set' && !v.symmetric && reason.name !== 'unusable_key_set') {
            assertRejectedFor(
              verifyJws(v.jws, v.keys, null),
              byName('unusable_key_set'),
              `${v.id} with no pin`,
            )
          }
        })
      }
    })
  }

  describe('primitive layer, through importJwk and verifySignature (ECDSA r‖s → DER included)', () => {
    const imported = new Map<string, VerificationKey | RejectedKey>()
    const importOnce = (jwk: Record<string, unknown>): VerificationKey | RejectedKey => {
      const id = JSON.stringify(jwk)
      let key = imported.get(id)
      if (key === undefined) {
        key = importJwk(jwk)
        imported.set(id, key)
      }
      return key
    }

    for (const v of primitiveCases) {
      const label = v.comment || v.flags.join(', ') || 'no comment'
      const outcome: Outcome =
        v.expect.valid === true ? 'verifies' : v.expect.valid === false ? 'rejected' : 'either'
      const expectation =
        outcome === 'verifies'
          ? 'verifies'
          : outcome === 'rejected'
            ? 'is rejected'
            : 'either outcome is acceptable'
      it(`${v.id} ${v.alg} ${label}: ${expectation}`, (t) => {
        const key = importOnce(v.jwk)
        // latin1 maps each byte to one code unit and back, so arbitrary message bytes survive
        // verifySignature's string signing input unchanged.
        const verified = isVerificationKey(key)
          ? verifySignature(
              v.alg,
              key,
              Buffer.from(v.msgHex, 'hex').toString('latin1'),
              Buffer.from(v.sigHex, 'hex'),
            )
          : false
        const why = isVerificationKey(key)
          ? 'signature did not verify'
          : `key refused: ${key.reason}`
        if (outcome === 'verifies') assert.ok(verified, `${v.id} must verify: ${why}`)
        else if (outcome === 'rejected')
          assert.equal(verified, false, `${v.id} must be rejected, but it verified`)
        else t.diagnostic(`${v.id} outcome: ${verified ? 'verified' : why}`)
      })
    }
  })
})
