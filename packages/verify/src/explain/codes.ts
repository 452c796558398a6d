import type { HintId } from './hint-id.ts'

/**
 * The one table of stable error codes. Codes are an API: never renamed, never reused.
 * `docs/errors.md` is checked against this table in both directions by a test.
 */

/** How much of an error a remote caller may see; the audit log always gets everything. */
export type Exposure = 'detail' | 'summary' | 'opaque'

/** gRPC status names a code maps to (adapters translate names to numbers). */
export type GrpcStatusName =
  | 'INVALID_ARGUMENT'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'UNAVAILABLE'
  | 'RESOURCE_EXHAUSTED'
  | 'INTERNAL'

/** What the table says about one code. */
export interface CodeInfo {
  /** The check that normally produces the code (an error may name a more specific one). */
  readonly check: string
  readonly exposure: Exposure
  /** HTTP status a receiver answers with. */
  readonly http: number
  readonly grpc: GrpcStatusName
  /** One sentence: what the code means. */
  readonly summary: string
  /** One sentence: what to change. */
  readonly fix: string
  /** Near-miss hints this code can carry. */
  readonly hints: readonly HintId[]
}

export const codes = {
  malformed: {
    check: 'decode',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary: 'the token is not a well-formed compact JWS with JSON header and claims',
    fix: 'send the raw compact token (three base64url segments), without quotes, prefixes or whitespace',
    hints: ['whitespace'],
  },
  too_large: {
    check: 'decode',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary: 'the token or one of its parts exceeds a size limit',
    fix: 'mint smaller tokens (fewer claims) or raise maxTokenBytes if the size is expected',
    hints: [],
  },
  alg_not_allowed: {
    check: 'algorithm',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary: "the header's alg is not on the issuer's allow-list (none and HMAC never are)",
    fix: "add the algorithm to the issuer's algorithms, or make the issuer sign with an allowed one",
    hints: ['case'],
  },
  key_type_mismatch: {
    check: 'key',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary: "the key selected by kid cannot be used with the header's alg",
    fix: 'make the issuer sign with the algorithm its key is for, or publish the key with the right kty/crv/alg',
    hints: [],
  },
  unknown_key: {
    check: 'key',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary: "no usable key in the issuer's key set matches the token's kid and alg",
    fix: "check that the verifier reads the issuer's current JWKS; after a rotation wait for the refresh",
    hints: ['case', 'whitespace'],
  },
  bad_signature: {
    check: 'signature',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary: 'the signature does not verify with the selected key',
    fix: 'the token was altered or signed by another key with the same kid; re-issue it',
    hints: [],
  },
  issuer_unknown: {
    check: 'issuer',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary: 'the iss claim names no trusted issuer',
    fix: 'configure the issuer exactly as the token spells it, or obtain a token from a trusted issuer',
    hints: [],
  },
  issuer_mismatch: {
    check: 'issuer',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary: 'the iss claim differs from the issuer that was expected',
    fix: 'use the issuer URL exactly as the token spells it (scheme, host, path, trailing slash)',
    hints: ['whitespace', 'trailing_slash', 'scheme', 'case', 'environment', 'path'],
  },
  audience_mismatch: {
    check: 'audience',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary: 'the token was issued for a different audience',
    fix: "request the token for one of this receiver's audience identifiers",
    hints: [
      'whitespace',
      'trailing_slash',
      'scheme',
      'case',
      'environment',
      'path',
      'other_claim',
      'forwarded',
    ],
  },
  expired: {
    check: 'expiry',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary: 'the token expired (exp is in the past beyond the leeway)',
    fix: 'fetch a fresh token; if it was just minted, check both clocks (NTP)',
    hints: ['clock_skew'],
  },
  not_yet_valid: {
    check: 'not_before',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary: 'the token is not valid yet (nbf is in the future beyond the leeway)',
    fix: "check both clocks (NTP); the issuer's clock is ahead of this receiver's",
    hints: ['clock_skew'],
  },
  issued_in_future: {
    check: 'issued_at',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary: 'iat is in the future beyond the leeway',
    fix: "check both clocks (NTP); the issuer's clock is ahead of this receiver's",
    hints: ['clock_skew'],
  },
  lifetime_exceeded: {
    check: 'lifetime',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary: 'exp - iat is longer than the maximum lifetime this receiver accepts',
    fix: 'mint shorter-lived tokens, or raise maxLifetime deliberately',
    hints: [],
  },
  token_too_old: {
    check: 'token_age',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary: 'the token was issued longer ago than the maximum token age',
    fix: 'fetch a fresh token before each use, or raise maxTokenAge deliberately',
    hints: [],
  },
  missing_claim: {
    check: 'claims',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary: 'a required claim is absent or has the wrong JSON type',
    fix: 'make the issuer include the claim with the type RFC 7519 gives it',
    hints: ['other_claim'],
  },
  subject_mismatch: {
    check: 'subject',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary: 'the sub claim is not one of the accepted subjects',
    fix: 'obtain the token as the expected workload, or accept its subject',
    hints: ['whitespace', 'trailing_slash', 'scheme', 'case', 'environment', 'path'],
  },
  typ_mismatch: {
    check: 'typ',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary: 'the header typ is not the one this receiver requires',
    fix: 'present the kind of token required (for RFC 9068 access tokens typ is at+jwt)',
    hints: [],
  },
  crit_unsupported: {
    check: 'crit',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary: 'the header marks an extension critical that this verifier does not implement',
    fix: 'remove the crit header (or the extension) at the issuer',
    hints: [],
  },
  replay: {
    check: 'replay',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary: 'this token (its jti) was already accepted once',
    fix: 'fetch a fresh token for each use; single-use tokens cannot be retried',
    hints: [],
  },
  jwks_unavailable: {
    check: 'jwks',
    exposure: 'summary',
    http: 503,
    grpc: 'UNAVAILABLE',
    summary: "the issuer's key set could not be fetched or parsed",
    fix: 'check that the JWKS URL is reachable from this receiver and returns a JSON key set',
    hints: [],
  },
  discovery_mismatch: {
    check: 'discovery',
    exposure: 'summary',
    http: 503,
    grpc: 'UNAVAILABLE',
    summary: "the discovery document's issuer is not exactly the configured issuer",
    fix: "configure the issuer exactly as the discovery document's issuer spells it",
    hints: ['whitespace', 'trailing_slash', 'scheme', 'case', 'environment', 'path'],
  },
  no_matching_policy: {
    check: 'policy',
    exposure: 'summary',
    http: 403,
    grpc: 'PERMISSION_DENIED',
    summary: 'no trust policy allows this identity to obtain what it asked for',
    fix: 'add or fix a policy whose issuer, audience, subject and claims match the presented token',
    hints: ['whitespace', 'trailing_slash', 'scheme', 'case', 'environment', 'path'],
  },
  policy_denied: {
    check: 'policy',
    exposure: 'summary',
    http: 403,
    grpc: 'PERMISSION_DENIED',
    summary: 'a deny rule matched the presented identity',
    fix: 'the identity is denied on purpose; ask the policy owner',
    hints: [],
  },
  claim_mismatch: {
    check: 'policy',
    exposure: 'summary',
    http: 403,
    grpc: 'PERMISSION_DENIED',
    summary: 'a claim of the presented token does not match the policy',
    fix: 'mint the token with the claim the policy expects, or fix the policy',
    hints: ['whitespace', 'trailing_slash', 'scheme', 'case', 'environment', 'path'],
  },
  condition_failed: {
    check: 'policy',
    exposure: 'summary',
    http: 403,
    grpc: 'PERMISSION_DENIED',
    summary: "the policy's condition evaluated to false",
    fix: "see the policy author's message",
    hints: [],
  },
  target_not_allowed: {
    check: 'policy',
    exposure: 'summary',
    http: 400,
    grpc: 'PERMISSION_DENIED',
    summary: 'the requested audience is not in the inventory or not allowed by the policy',
    fix: 'request one of the targets the policy lists, spelled as the inventory spells it',
    hints: ['whitespace', 'trailing_slash', 'scheme', 'case', 'environment', 'path'],
  },
  scope_not_allowed: {
    check: 'policy',
    exposure: 'summary',
    http: 400,
    grpc: 'PERMISSION_DENIED',
    summary: 'a requested scope is not allowed by the policy',
    fix: 'request only scopes the policy lists',
    hints: ['case', 'whitespace'],
  },
  actor_not_allowed: {
    check: 'policy',
    exposure: 'summary',
    http: 403,
    grpc: 'PERMISSION_DENIED',
    summary: 'the actor token may not act for this subject',
    fix: 'present an actor the policy allows, and a subject token whose may_act names it',
    hints: ['whitespace', 'trailing_slash', 'scheme', 'case', 'environment', 'path'],
  },
  invalid_request: {
    check: 'request',
    exposure: 'detail',
    http: 400,
    grpc: 'INVALID_ARGUMENT',
    summary: 'the request is malformed: a parameter is missing, repeated or invalid',
    fix: 'send every required parameter once, form-encoded',
    hints: [],
  },
  unsupported_grant_type: {
    check: 'request',
    exposure: 'detail',
    http: 400,
    grpc: 'INVALID_ARGUMENT',
    summary: 'the grant_type is not one this endpoint supports',
    fix: 'use urn:ietf:params:oauth:grant-type:token-exchange',
    hints: [],
  },
  unsupported_token_type: {
    check: 'request',
    exposure: 'detail',
    http: 400,
    grpc: 'INVALID_ARGUMENT',
    summary: 'the subject, actor or requested token type is not supported',
    fix: 'use urn:ietf:params:oauth:token-type:jwt, id_token or access_token',
    hints: [],
  },
  join_token_invalid: {
    check: 'attestation',
    exposure: 'summary',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary: 'the join token is unknown, already used or expired',
    fix: 'create a new join token: each is single-use and short-lived',
    hints: [],
  },
  internal_error: {
    check: 'internal',
    exposure: 'opaque',
    http: 500,
    grpc: 'INTERNAL',
    summary: 'the server failed; the correlation id finds the details in its log',
    fix: 'retry; if it persists, give the correlation id to the operator',
    hints: [],
  },
  missing_credentials: {
    check: 'request',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary:
      'the request carries no token (no Authorization header or metadata with a Bearer or DPoP scheme)',
    fix: 'send the token as "Authorization: Bearer <token>" or, for a DPoP-bound token, "Authorization: DPoP <token>" with a DPoP proof',
    hints: [],
  },
  invalid_dpop_proof: {
    check: 'dpop',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary:
      'the DPoP proof breaks a rule of RFC 9449 §4.3 (check names it: typ, alg, jwk, signature, htm, htu, iat, jti, ath, nonce, count, malformed, too_large)',
    fix: "send exactly one fresh proof per request, signed by the bound key, with this request's method and URL (no query or fragment) and ath = hash of the access token",
    hints: ['trailing_slash', 'scheme', 'case', 'path', 'clock_skew'],
  },
  dpop_replay: {
    check: 'dpop',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary: "the DPoP proof's jti was already seen within the proof window",
    fix: 'generate a new proof (new jti) for every request',
    hints: [],
  },
  use_dpop_nonce: {
    check: 'dpop',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary: 'the server requires a DPoP nonce and the proof has none or a stale one',
    fix: 'retry with a proof whose nonce is the value of the DPoP-Nonce response header',
    hints: [],
  },
  binding_mismatch: {
    check: 'binding',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary:
      "the token's cnf (jkt or x5t#S256) does not match the proof key or the client certificate",
    fix: 'present the token with the key or certificate it was bound to when issued',
    hints: [],
  },
  bound_token_as_bearer: {
    check: 'binding',
    exposure: 'detail',
    http: 401,
    grpc: 'UNAUTHENTICATED',
    summary: 'a token bound to a key (cnf.jkt) was presented as a plain bearer token',
    fix: 'send it with the DPoP scheme and a proof signed by the bound key',
    hints: [],
  },
  insufficient_scope: {
    check: 'request_policy',
    exposure: 'detail',
    http: 403,
    grpc: 'PERMISSION_DENIED',
    summary: "the token's scope lacks a scope this request requires",
    fix: 'exchange for a token with the required scope (the policy must grant it)',
    hints: ['case', 'whitespace'],
  },
  subject_not_allowed: {
    check: 'request_policy',
    exposure: 'detail',
    http: 403,
    grpc: 'PERMISSION_DENIED',
    summary: "the token's subject is not among the subjects this request allows",
    fix: 'call with an identity the receiver allows, or add the subject to its allow-list',
    hints: ['whitespace', 'trailing_slash', 'scheme', 'case', 'environment', 'path'],
  },
  delegation_too_deep: {
    check: 'delegation',
    exposure: 'detail',
    http: 403,
    grpc: 'PERMISSION_DENIED',
    summary: "the token's act chain is longer than the receiver allows",
    fix: 'call with fewer delegation hops, or raise the maximum depth if the chain is expected',
    hints: [],
  },
  invalid_options: {
    check: 'options',
    exposure: 'opaque',
    http: 500,
    grpc: 'INTERNAL',
    summary: 'the options passed to a factory are invalid (every problem is listed)',
    fix: 'fix each listed problem at its path',
    hints: [],
  },
  invalid_config: {
    check: 'config',
    exposure: 'opaque',
    http: 500,
    grpc: 'INTERNAL',
    summary: 'the configuration file is invalid (every problem is listed)',
    fix: 'fix each listed problem at its path; the previous configuration stays in force',
    hints: [],
  },
} as const satisfies Record<string, CodeInfo>

/** Every stable error code, as a literal union. */
export type ErrorCode = keyof typeof codes

/** The codes in table order. */
export const errorCodes: readonly ErrorCode[] = Object.freeze(Object.keys(codes) as ErrorCode[])

/** Returns true when `value` is one of the stable codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(codes, value)
}
