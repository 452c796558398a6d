import type { JwtClaims, VerifyResult } from '@tessera/verify'
import type { PresentedToken } from '../policy/index.ts'
import { type CanonicalExchange, tokenTypes } from './canonical.ts'
import { type SamlOutcome, verifySamlSubject } from './saml-subject.ts'
import type { EngineDeps } from './types.ts'

/** A verified token in the shape policies read. */
export function presentedToken(result: VerifyResult): PresentedToken {
  return { issuer: result.issuer, claims: result.claims, header: result.header }
}

/** A verified subject token: a JWT, or a SAML Response with its validated assertion. */
export interface VerifiedSubject {
  readonly presented: PresentedToken
  readonly issuer: string
  readonly claims: JwtClaims
  readonly saml?: SamlOutcome
  /** The requested lifetime after the dialect's SAML rules (AWS SessionDuration). */
  readonly ttlSeconds?: number
}

/**
 * Verifies the subject token by its type: a SAML Response through the saml part (against
 * `deps.saml()` and the request's SAML rules), anything else through the JWT verifier.
 */
export async function verifySubject(
  deps: EngineDeps,
  request: CanonicalExchange,
): Promise<VerifiedSubject> {
  if (request.subjectTokenType === tokenTypes.saml2) {
    const subject = await verifySamlSubject(
      deps.saml?.(),
      request.subjectToken,
      request.saml,
      deps.replay,
      deps.clock,
    )
    const ttlSeconds = subject.ttlSeconds ?? request.ttlSeconds
    return {
      presented: subject.presented,
      issuer: subject.assertion.issuer,
      claims: subject.claims,
      saml: { assertion: subject.assertion, acsUrl: subject.acsUrl },
      ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
    }
  }
  const verified = await deps.verifier.verify(request.subjectToken)
  return {
    presented: presentedToken(verified),
    issuer: verified.issuer,
    claims: verified.claims,
    ...(request.ttlSeconds === undefined ? {} : { ttlSeconds: request.ttlSeconds }),
  }
}
