import type { X509Certificate } from 'node:crypto'
import { quote, quoteList, redact } from '../explain/redact.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import type { JwtClaims } from '../token/types.ts'
import { certificateThumbprint } from './certificate-thumbprint.ts'

/** The confirmation members of a token's `cnf` claim (RFC 7800) that Tessera checks. */
export interface Confirmation {
  /** RFC 9449 §6: thumbprint of the DPoP key. */
  readonly jkt?: string
  /** RFC 8705 §3.1: thumbprint of the client certificate. */
  readonly x5tS256?: string
}

// RFC 7800 §3.1 lets a cnf carry jwk, jwe, jku or kid too; Tessera checks none of them.
const understoodMembers = ['jkt', 'x5t#S256']

/**
 * Reads `cnf.jkt` and `cnf["x5t#S256"]`; members of another type are kept as given to fail later.
 * A `cnf` that is present but holds none of them fails closed: the token claims a binding
 * Tessera cannot check, and reading it as unbound would accept it as a bearer token.
 *
 * @throws {TesseraError} `binding_mismatch` (check `cnf`) when `cnf` is not an object or holds
 *   no member Tessera checks
 */
export function readConfirmation(claims: JwtClaims): Confirmation {
  const cnf = claims.cnf
  if (cnf === undefined) return {}
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) {
    throw unreadableConfirmation(
      `the token's cnf claim is ${cnf === null ? 'null' : Array.isArray(cnf) ? 'an array' : `a ${typeof cnf}`}, not a confirmation object (RFC 7800 §3.1)`,
      cnf === null ? 'null' : Array.isArray(cnf) ? 'array' : typeof cnf,
    )
  }
  const members = Object.keys(cnf)
  if (!members.some((member) => understoodMembers.includes(member))) {
    const listed = members.length === 0 ? 'no members' : `only ${quoteList(members)}`
    throw unreadableConfirmation(
      `the token's cnf claim holds ${listed}: Tessera checks only cnf.jkt (DPoP) and cnf["x5t#S256"] (mutual TLS), and refuses a binding it cannot check rather than accept the token as a bearer token`,
      members.length === 0 ? 'cnf {}' : `cnf members ${quoteList(members)}`,
    )
  }
  const { jkt, 'x5t#S256': x5t } = cnf as Record<string, unknown>
  return {
    ...(jkt === undefined ? {} : { jkt: String(jkt) }),
    ...(x5t === undefined ? {} : { x5tS256: String(x5t) }),
  }
}

function unreadableConfirmation(message: string, actual: string): TesseraError {
  return new TesseraError({
    code: 'binding_mismatch',
    check: 'cnf',
    message,
    expected: 'cnf with jkt or x5t#S256',
    actual,
  })
}

/**
 * Checks a token's key binding against how it was presented (RFC 9449 §7.1): under `DPoP` the
 * token must carry `cnf.jkt` equal to the proof key's thumbprint; under `Bearer` it must not
 * carry `cnf.jkt` at all.
 * @param proofJkt the thumbprint of a validated proof's key, for the DPoP scheme
 */
export function checkKeyBinding(
  cnf: Confirmation,
  scheme: 'bearer' | 'dpop',
  proofJkt?: string,
): TesseraError | undefined {
  if (scheme === 'bearer') {
    if (cnf.jkt === undefined) return undefined
    return new TesseraError({
      code: 'bound_token_as_bearer',
      check: 'jkt',
      message:
        'the token is bound to a DPoP key (cnf.jkt) but was sent with the Bearer scheme: send it as "Authorization: DPoP <token>" with a proof',
      expected: 'DPoP scheme with a proof',
      actual: 'Bearer scheme',
    })
  }
  if (cnf.jkt === undefined) {
    return new TesseraError({
      code: 'binding_mismatch',
      check: 'jkt',
      message:
        'the DPoP scheme was used with a token that has no cnf.jkt: only a DPoP-bound token may be sent as DPoP (RFC 9449 §7.1)',
      expected: 'cnf.jkt in the token',
      actual: 'missing',
    })
  }
  if (cnf.jkt === proofJkt) return undefined
  return new TesseraError({
    code: 'binding_mismatch',
    check: 'jkt',
    message: `the token is bound to key ${quote(cnf.jkt)} (cnf.jkt), but the DPoP proof is signed by key ${quote(proofJkt)}`,
    expected: redact(cnf.jkt),
    actual: redact(proofJkt),
  })
}

/**
 * Checks RFC 8705 §3 certificate binding: a token with `cnf["x5t#S256"]` is accepted only over
 * a connection whose client certificate has that thumbprint.
 */
export function checkCertificateBinding(
  cnf: Confirmation,
  certificate: Buffer | X509Certificate | undefined,
): TesseraError | undefined {
  if (cnf.x5tS256 === undefined) return undefined
  if (certificate === undefined) {
    return new TesseraError({
      code: 'binding_mismatch',
      check: 'x5t#S256',
      message:
        'the token is bound to a client certificate (cnf["x5t#S256"]) but the request presented none: call over mutual TLS with that certificate',
      expected: redact(cnf.x5tS256),
      actual: 'no client certificate',
    })
  }
  const thumbprint = certificateThumbprint(certificate)
  if (thumbprint === cnf.x5tS256) return undefined
  return new TesseraError({
    code: 'binding_mismatch',
    check: 'x5t#S256',
    message: `the token is bound to certificate ${quote(cnf.x5tS256)} (cnf["x5t#S256"]), but the client certificate is ${quote(thumbprint)}`,
    expected: redact(cnf.x5tS256),
    actual: thumbprint,
  })
}
