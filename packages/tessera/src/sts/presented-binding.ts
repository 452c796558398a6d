import { type JwtClaims, quote, quoteList, redact, TesseraError } from '@tessera/verify'

/** Which presented token a binding check is about, for the message. */
export type PresentedRole = 'subject' | 'actor'

/**
 * Checks a presented (subject or actor) token's key binding against the exchange request. A
 * token with `cnf.jkt` (RFC 9449 §6) is only as good as its proof: the request must carry a
 * DPoP proof by that key — `dpopJkt`, the thumbprint the transport validated — or a stolen
 * bound token would be exchanged as a bearer token for an unbound one. The STS does not do
 * mutual TLS, so a `cnf["x5t#S256"]` token cannot be checked and is refused, as is a `cnf`
 * Tessera does not understand (RFC 7800 §3.1 jwk, jwe, jku, kid; not an object).
 *
 * @param dpopJkt the thumbprint of the request's validated DPoP proof key, if it sent one
 * @throws {TesseraError} `bound_token_as_bearer` (bound, no proof), `binding_mismatch`
 */
export function checkPresentedBinding(
  claims: JwtClaims,
  dpopJkt: string | undefined,
  role: PresentedRole,
): void {
  const cnf = claims.cnf
  if (cnf === undefined) return
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) {
    const kind = cnf === null ? 'null' : Array.isArray(cnf) ? 'array' : typeof cnf
    throw mismatch(
      'cnf',
      `the ${role} token's cnf claim is ${kind}, not a confirmation object (RFC 7800 §3.1): a binding that cannot be checked is refused`,
      'cnf with jkt',
      kind,
    )
  }
  const members = cnf as Record<string, unknown>
  if (members['x5t#S256'] !== undefined) {
    throw mismatch(
      'x5t#S256',
      `the ${role} token is bound to a client certificate (cnf["x5t#S256"]), and the token endpoint does not check client certificates: exchange a token bound to a DPoP key (cnf.jkt) or an unbound one`,
      'cnf.jkt or no cnf',
      'cnf["x5t#S256"]',
    )
  }
  if (members.jkt === undefined) {
    const names = Object.keys(members)
    throw mismatch(
      'cnf',
      `the ${role} token's cnf claim holds ${names.length === 0 ? 'no members' : `only ${quoteList(names)}`}: Tessera checks only cnf.jkt here, and refuses a binding it cannot check rather than exchange the token as a bearer token`,
      'cnf with jkt',
      names.length === 0 ? 'cnf {}' : `cnf members ${quoteList(names)}`,
    )
  }
  const jkt = String(members.jkt)
  if (dpopJkt === undefined) {
    throw new TesseraError({
      code: 'bound_token_as_bearer',
      check: 'jkt',
      message: `the ${role} token is bound to DPoP key ${quote(jkt)} (cnf.jkt), but the request carries no DPoP proof: send a DPoP header with a proof signed by that key (RFC 9449 §5)`,
      expected: 'a DPoP proof by the cnf.jkt key',
      actual: 'no DPoP proof',
    })
  }
  if (jkt === dpopJkt) return
  throw mismatch(
    'jkt',
    `the ${role} token is bound to DPoP key ${quote(jkt)} (cnf.jkt), but the DPoP proof is signed by key ${quote(dpopJkt)}`,
    redact(jkt),
    redact(dpopJkt),
  )
}

function mismatch(check: string, message: string, expected: string, actual: string) {
  return new TesseraError({ code: 'binding_mismatch', check, message, expected, actual })
}
