import { quote, quoteList, redact, TesseraError } from '@tessera/verify'
import type { SamlExchangeRules } from './saml-subject.ts'

/** RFC 8693 §3 token type identifiers Tessera reads or writes. */
export const tokenTypes = Object.freeze({
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  // RFC 8693 §3: "a base64url-encoded SAML 2.0 assertion"; Tessera takes the Response around it.
  saml2: 'urn:ietf:params:oauth:token-type:saml2',
} as const)

/** A token type Tessera accepts as `actor_token_type`: every one is a JWT. */
export const actorTokenTypes: readonly string[] = Object.freeze([
  tokenTypes.jwt,
  tokenTypes.idToken,
  tokenTypes.accessToken,
])

/** A token type Tessera accepts as `subject_token_type`: a JWT, or a SAML 2.0 Response. */
export const presentedTokenTypes: readonly string[] = Object.freeze([
  ...actorTokenTypes,
  tokenTypes.saml2,
])

/** Token types Tessera can issue (an RFC 9068 JWT access token is both). */
export type IssuedTokenType = typeof tokenTypes.jwt | typeof tokenTypes.accessToken

/** A token type a caller may ask for with `requested_token_type`. */
export const issuedTokenTypes: readonly IssuedTokenType[] = Object.freeze([
  tokenTypes.accessToken,
  tokenTypes.jwt,
])

/**
 * The one request every exchange dialect parses into. Values are as the caller sent them
 * (after the dialect's decoding); the engine decides about them.
 */
export interface CanonicalExchange {
  /** The dialect that parsed the request (`token-exchange`, …), recorded in the audit log. */
  readonly dialect: string
  /** Correlation id for the audit record and the answer; empty lets the engine create one. */
  readonly correlationId: string
  readonly subjectToken: string
  readonly subjectTokenType: string
  readonly actorToken?: string
  readonly actorTokenType?: string
  /** Logical name of the target (RFC 8693 `audience`): an inventory audience identifier. */
  readonly audience?: string
  /** Absolute URI of the target (RFC 8693 / RFC 8707 `resource`). */
  readonly resource?: string
  readonly scopes: readonly string[]
  readonly requestedTokenType?: string
  /**
   * The client's `client_id`, when it sent one: recorded in the audit log only, never minted
   * (Tessera authenticates the subject token, not the client).
   */
  readonly clientId?: string
  /**
   * RFC 7638 thumbprint of the key of a DPoP proof the transport validated (RFC 9449 §5): the
   * minted token is bound to it (`cnf.jkt`) and answered as `token_type: DPoP`.
   */
  readonly dpopJkt?: string
  /**
   * The one allow policy the engine may grant by (AWS: the role the ARN names); deny policies
   * still apply. Without a target the policy's own target is minted for.
   */
  readonly policy?: string
  /** Requested lifetime, seconds (AWS `DurationSeconds`), capped by the policy and the issuer. */
  readonly ttlSeconds?: number
  /** A dialect's own rules for a SAML subject token (AWS `AssumeRoleWithSAML`). */
  readonly saml?: SamlExchangeRules
}

/**
 * Checks what can be decided about a canonical request without configuration: token types,
 * the actor pair, a target being named, and the shape of `resource`. Every dialect's output
 * passes through here (the engine calls it), so a dialect cannot skip it.
 *
 * @throws {TesseraError} `invalid_request`, `unsupported_token_type`
 */
export function validateCanonicalExchange(request: CanonicalExchange): void {
  if (request.subjectToken === '') throw missing('subject_token')
  checkTokenType('subject_token_type', request.subjectTokenType, presentedTokenTypes)
  // RFC 8693 §2.1: actor_token_type is REQUIRED with actor_token and MUST NOT appear without it.
  if (request.actorToken !== undefined && request.actorTokenType === undefined) {
    throw missing('actor_token_type', 'it is required when actor_token is present')
  }
  if (request.actorToken === undefined && request.actorTokenType !== undefined) {
    throw new TesseraError({
      code: 'invalid_request',
      message: 'actor_token_type is present without actor_token: send both or neither',
      expected: 'actor_token_type only together with actor_token',
      actual: 'actor_token_type without actor_token',
    })
  }
  if (request.actorTokenType !== undefined) {
    checkTokenType('actor_token_type', request.actorTokenType, actorTokenTypes)
  }
  if (request.requestedTokenType !== undefined) {
    checkTokenType('requested_token_type', request.requestedTokenType, issuedTokenTypes)
  }
  if (
    request.audience === undefined &&
    request.resource === undefined &&
    request.policy === undefined
  ) {
    throw new TesseraError({
      code: 'invalid_request',
      message: 'audience or resource is required: name the service the new token is for',
      expected: 'audience or resource',
      actual: 'neither',
    })
  }
  if (request.resource !== undefined) checkResource(request.resource)
}

function checkTokenType(parameter: string, value: string, accepted: readonly string[]): void {
  if (accepted.includes(value)) return
  throw new TesseraError({
    code: 'unsupported_token_type',
    message: `${parameter} ${quote(value)} is not one of ${quoteList(accepted)}`,
    expected: [...accepted],
    actual: redact(value),
  })
}

// RFC 8693 §2.1: resource "MUST be an absolute URI … and MUST NOT include a fragment component".
function checkResource(resource: string): void {
  const url = URL.parse(resource)
  if (url !== null && !resource.includes('#')) return
  throw new TesseraError({
    code: 'invalid_request',
    message: `resource ${quote(resource)} is not an absolute URI without a fragment`,
    expected: 'an absolute URI without a fragment',
    actual: redact(resource),
  })
}

/** An `invalid_request` for a missing parameter, shaped the same everywhere. */
export function missing(parameter: string, why?: string): TesseraError {
  return new TesseraError({
    code: 'invalid_request',
    message: `${parameter} is missing${why === undefined ? '' : `: ${why}`}`,
    expected: parameter,
    actual: 'missing',
  })
}
