import { checkAlgorithm } from '../../src/checks/algorithm.ts'
import { checkCrit } from '../../src/checks/crit.ts'
import { checkSignatures } from '../../src/checks/signature-with-keys.ts'
import type { ErrorCode } from '../../src/explain/codes.ts'
import { TesseraError } from '../../src/explain/tessera-error.ts'
import { selectKeys } from '../../src/keys/key-selection.ts'
import { importKeySet } from '../../src/keys/key-set.ts'
import { isJwsAlgorithm, type JwsAlgorithm, jwsAlgorithms } from '../../src/token/algorithms.ts'
import { decodeJws } from '../../src/token/decode.ts'
import { defaultMaxTokenBytes } from '../../src/token/limits.ts'
import type { JwsHeader } from '../../src/token/types.ts'

/** The outcome of verifying one compact JWS at the JWS layer; a verified one carries its parts. */
export type JwsVerdict =
  | { readonly ok: true; readonly header: JwsHeader; readonly payload: Buffer }
  | { readonly ok: false; readonly code: ErrorCode; readonly error: TesseraError }

/** The name the key set and the allow-list are reported under in messages. */
const source = 'vector'

/**
 * Verifies a compact JWS whose payload may be any bytes, with the library's own building
 * blocks in the verifier pipeline's order (decode → crit → algorithm → key → signature) and
 * none of its JWT claim checks. Conformance vectors are raw JWS, so `decodeJwt` (which requires
 * a JSON claims payload) and the issuer/typ/claim steps do not apply.
 *
 * `expectedAlg` is the one algorithm the caller pins, as `issuers[].algorithms: [alg]` would:
 * a name Tessera does not verify (HS256, A256GCM) leaves an empty allow-list, so every token is
 * `alg_not_allowed`. With no `expectedAlg` (null or undefined) the allow-list is the verifier's
 * default, every supported algorithm, as when `algorithms` is not configured.
 *
 * The key set is imported on each call (the verifier imports it once, in `createVerifier`).
 * Errors that are not a `TesseraError` are bugs and propagate.
 */
export function verifyJws(
  token: string,
  jwks: unknown,
  expectedAlg: string | null | undefined,
  maxTokenBytes: number = defaultMaxTokenBytes,
): JwsVerdict {
  try {
    const jws = decodeJws(token, maxTokenBytes)
    const crit = checkCrit(jws.header)
    if (crit !== undefined) return rejected(crit)
    const allowed: readonly JwsAlgorithm[] =
      expectedAlg === null || expectedAlg === undefined
        ? jwsAlgorithms
        : [expectedAlg].filter(isJwsAlgorithm)
    const algError = checkAlgorithm(jws.header.alg, allowed, source)
    if (algError !== undefined) return rejected(algError)
    const alg = jws.header.alg as JwsAlgorithm
    const keys = selectKeys(importKeySet(jwks, source), jws.header.kid, alg, source)
    const signature = checkSignatures(alg, keys, jws)
    return signature === undefined
      ? { ok: true, header: jws.header, payload: jws.payload }
      : rejected(signature)
  } catch (error) {
    if (error instanceof TesseraError) return rejected(error)
    throw error
  }
}

function rejected(error: TesseraError): JwsVerdict {
  return { ok: false, code: error.code, error }
}
