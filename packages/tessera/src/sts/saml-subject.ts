import type { KeyObject } from 'node:crypto'
import {
  type Clock,
  isTesseraError,
  type JwtClaims,
  quote,
  type ReplayStore,
  redact,
  TesseraError,
} from '@tessera/verify'
import type { PresentedToken } from '../policy/index.ts'
import {
  type SamlIdp,
  samlClaims,
  type ValidatedAssertion,
  validateSamlResponse,
} from '../saml/index.ts'

/** What SAML subject tokens are validated against: the configured IdPs and Tessera as an SP. */
export interface SamlTrust {
  readonly idps: readonly SamlIdp[]
  readonly spEntityId: string
  readonly acsUrl: string
  readonly clockSkewSeconds?: number
  /** Tessera's private key for EncryptedAssertion, when configured. */
  readonly decryptionKey?: KeyObject
}

/** An Audience and a Recipient/Destination a dialect accepts besides the configured ones. */
export interface SamlServiceProvider {
  readonly spEntityId: string
  readonly acsUrl: string
}

/** A dialect's own rules for a SAML subject token, applied by the engine. */
export interface SamlExchangeRules {
  /** Only this IdP (entity ID) may have issued the Response (AWS: the `PrincipalArn`'s). */
  readonly idpEntityId?: string
  /**
   * Service-provider identities tried, in order, when the configured one is refused for its
   * Audience, Recipient or Destination alone (AWS: `https://signin.aws.amazon.com/saml`).
   */
  readonly alternatives?: readonly SamlServiceProvider[]
  /**
   * Checks the validated assertion before any policy (AWS: the Role attribute pairs); may
   * shorten the requested lifetime. Throws a `TesseraError` to refuse.
   */
  readonly accept?: (assertion: ValidatedAssertion) => { readonly ttlSeconds?: number } | undefined
}

/** A validated SAML subject token and the ACS URL (Recipient) it was accepted for. */
export interface SamlOutcome {
  readonly assertion: ValidatedAssertion
  readonly acsUrl: string
}

/** A SAML subject token that passed, in the shape policies read. */
export interface SamlSubject extends SamlOutcome {
  readonly presented: PresentedToken
  readonly claims: JwtClaims
  /** The lifetime the dialect's rules allow, when they shortened it. */
  readonly ttlSeconds?: number
}

/** Largest SAML subject token accepted, bytes: AWS's SAMLAssertion limit (100000 characters). */
export const maxSamlTokenBytes = 100_000

// Refusals that only say "this Response was meant for another service provider".
const spMismatch = new Set(['audience_mismatch', 'recipient_mismatch', 'destination_mismatch'])

/**
 * Validates a SAML Response presented as a subject token — base64 (POST binding, AWS) or
 * base64url (RFC 8693 §3) — with `validateSamlResponse`, and turns it into claims policies
 * match like a JWT's: `iss` = the IdP's entity ID, `sub` = the NameID, attributes as claims.
 * The assertion ID is recorded in `replay` (each assertion is accepted once), so a Response
 * refused later by a policy is spent too, as at any SAML service provider.
 *
 * @throws {TesseraError} `unsupported_token_type` when no SAML IdP is configured, any code of
 * `validateSamlResponse`, or what the dialect's `accept` throws
 */
export async function verifySamlSubject(
  trust: SamlTrust | undefined,
  token: string,
  rules: SamlExchangeRules | undefined,
  replay: ReplayStore,
  clock: Clock,
): Promise<SamlSubject> {
  if (trust === undefined || trust.idps.length === 0) {
    throw new TesseraError({
      code: 'unsupported_token_type',
      check: 'saml',
      message:
        'a SAML subject token was presented, but no SAML IdP is configured: add samlIdps and saml to tessera.yaml',
      expected: 'samlIdps and saml in tessera.yaml',
      actual: 'none',
    })
  }
  const idps =
    rules?.idpEntityId === undefined
      ? trust.idps
      : trust.idps.filter((idp) => idp.entityId === rules.idpEntityId)
  if (idps.length === 0) {
    throw new TesseraError({
      code: 'issuer_unknown',
      check: 'saml',
      message: `the SAML IdP ${quote(rules?.idpEntityId)} the request names is not configured: its metadata did not load`,
      expected: trust.idps.map((idp) => idp.entityId),
      actual: redact(String(rules?.idpEntityId)),
    })
  }
  const input = standardBase64(token)
  const providers: SamlServiceProvider[] = [
    { spEntityId: trust.spEntityId, acsUrl: trust.acsUrl },
    ...(rules?.alternatives ?? []),
  ]
  let first: unknown
  let assertion: ValidatedAssertion | undefined
  let acsUrl = trust.acsUrl
  for (const provider of providers) {
    try {
      assertion = await validateSamlResponse(input, {
        idps,
        spEntityId: provider.spEntityId,
        acsUrl: provider.acsUrl,
        replay,
        clock,
        ...(trust.clockSkewSeconds === undefined
          ? {}
          : { clockSkewSeconds: trust.clockSkewSeconds }),
        ...(trust.decryptionKey === undefined ? {} : { decryptionKey: trust.decryptionKey }),
      })
      acsUrl = provider.acsUrl
      break
    } catch (error) {
      // The configured service provider's refusal is the one explained, unless an alternative
      // got past the Audience and Recipient and failed for a reason of its own.
      first ??= error
      if (!(isTesseraError(error) && spMismatch.has(error.code))) throw error
    }
  }
  if (assertion === undefined) throw first
  const accepted = rules?.accept?.(assertion)
  const claims = samlClaims(assertion) as JwtClaims
  return {
    presented: { issuer: assertion.issuer, claims, header: {} },
    claims,
    assertion,
    acsUrl,
    ...(accepted?.ttlSeconds === undefined ? {} : { ttlSeconds: accepted.ttlSeconds }),
  }
}

// A base64url token (RFC 8693) becomes the base64 the POST binding uses; base64 and XML pass.
function standardBase64(token: string): string {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(token) || !/[-_]/.test(token)) return token
  const base64 = token.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '')
  return base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '=')
}
