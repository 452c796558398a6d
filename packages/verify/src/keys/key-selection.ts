import { findClosest } from '../explain/closest.ts'
import { quote, quoteList, redactList } from '../explain/redact.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import type { JwsAlgorithm } from '../token/algorithms.ts'
import type { KeySet } from './key-set.ts'
import { explainKeyMismatch, type VerificationKey } from './verification-key.ts'

/** Most keys tried for a token without `kid`; bounds the work one token can cause. */
export const maxCandidatesWithoutKid = 4

/**
 * Picks the keys that may verify a token with this `kid` and `alg`: the one key with that kid
 * (usable for the alg), or, without a kid, every key usable for the alg (bounded).
 * @throws {TesseraError} `unknown_key`, `key_type_mismatch`
 */
export function selectKeys(
  set: KeySet,
  kid: string | undefined,
  alg: JwsAlgorithm,
  source: string,
): readonly VerificationKey[] {
  // Key sets are immutable, so a selection that succeeded once holds for the set's life; only
  // successes are remembered, so the memo is bounded by keys × algorithms.
  let memo = selections.get(set)
  const memoKey = kid === undefined ? alg : `${alg}\u0000${kid}`
  const known = memo?.get(memoKey)
  if (known !== undefined) return known
  const selected = select(set, kid, alg, source)
  if (memo === undefined) {
    memo = new Map()
    selections.set(set, memo)
  }
  memo.set(memoKey, selected)
  return selected
}

const selections = new WeakMap<KeySet, Map<string, readonly VerificationKey[]>>()

function select(
  set: KeySet,
  kid: string | undefined,
  alg: JwsAlgorithm,
  source: string,
): readonly VerificationKey[] {
  if (kid === undefined) {
    const usable = set.keys.filter((k) => explainKeyMismatch(k, alg) === undefined)
    if (usable.length === 0) {
      throw new TesseraError({
        code: 'unknown_key',
        message: `token has no kid and no key in ${source} can verify ${alg}`,
        expected: redactList(set.keys.map(describeKey)),
        actual: `no kid, alg ${alg}`,
      })
    }
    return Object.freeze(usable.slice(0, maxCandidatesWithoutKid))
  }
  const sameKid = set.keys.filter((k) => k.kid === kid)
  if (sameKid.length === 0) throw unknownKid(set, kid, source)
  const usable = sameKid.filter((k) => explainKeyMismatch(k, alg) === undefined)
  if (usable.length === 1) return Object.freeze(usable)
  if (usable.length > 1) {
    throw new TesseraError({
      code: 'unknown_key',
      message: `kid ${quote(kid)} matches ${usable.length} keys for ${alg} in ${source}: a key set must not repeat a kid`,
      expected: 'one key per kid',
      actual: `${usable.length} keys`,
    })
  }
  const first = sameKid[0] as VerificationKey
  const reason = explainKeyMismatch(first, alg) as string
  return fail(
    new TesseraError({
      code: 'key_type_mismatch',
      message: `key ${quote(kid)} cannot verify ${alg}: ${reason}`,
      expected: first.alg ?? (first.crv === undefined ? first.kty : `${first.kty} ${first.crv}`),
      actual: alg,
    }),
  )
}

function fail(error: TesseraError): never {
  throw error
}

function describeKey(k: VerificationKey): string {
  return `${k.kid ?? '(no kid)'} ${k.alg ?? k.kty}`
}

function unknownKid(set: KeySet, kid: string, source: string): TesseraError {
  const refused = set.rejected.find((r) => r.kid === kid)
  const kids = set.keys.flatMap((k) => (k.kid === undefined ? [] : [k.kid]))
  if (refused !== undefined) {
    return new TesseraError({
      code: 'unknown_key',
      message: `key ${quote(kid)} in ${source} was refused: ${refused.reason}`,
      expected: 'a usable public signature key',
      actual: refused.reason,
    })
  }
  const near = findClosest(kids, [kid])
  return new TesseraError({
    code: 'unknown_key',
    message: `kid ${quote(kid)} is not one of ${quoteList(kids)} in ${source}${near?.hint ? `: ${near.hint.words}` : ''}`,
    expected: redactList(kids),
    actual: redactList([kid])[0] as string,
    ...(near?.hint ? { hint: near.hint.id } : {}),
  })
}
