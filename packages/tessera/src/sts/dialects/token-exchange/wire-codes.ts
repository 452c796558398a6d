import type { ErrorCode } from '@tessera/verify'

/** The `error` values of RFC 6749 §5.2 and RFC 8693 §2.2.2 this dialect answers with. */
export type TokenExchangeError =
  | 'invalid_request'
  | 'invalid_grant'
  | 'invalid_target'
  | 'invalid_scope'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_client'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'

/** How one Tessera code goes out on the token-exchange wire. */
export interface TokenExchangeWireCode {
  readonly error: TokenExchangeError
  readonly status: number
}

// RFC 8693 §2.2.2 puts an invalid subject/actor token and one "unacceptable based on policy"
// in one bucket (it names invalid_request for it). Tessera answers that bucket with
// invalid_grant, as GCP's STS (which this dialect stands in for) does: RFC 6749 §5.2 defines
// invalid_grant as a grant that is invalid or not acceptable, while invalid_request tells a
// client its request is malformed — the wrong fix. Policy denials stay in the same bucket
// (not unauthorized_client: Tessera authenticates the subject token, not the client, and
// §5.2's unauthorized_client is about the client). Precision is never lost: `code` says which.
const grant = { error: 'invalid_grant', status: 400 } as const
const request = { error: 'invalid_request', status: 400 } as const
// jwks_unavailable / discovery_mismatch: a trusted issuer's keys cannot be had now; the client
// may retry later (RFC 6749 §4.1.2.1 temporarily_unavailable, with 503 as the status).
const unavailable = { error: 'temporarily_unavailable', status: 503 } as const
const server = { error: 'server_error', status: 500 } as const

/**
 * Every Tessera error code mapped to its RFC 6749 / RFC 8693 `error` and HTTP status — one
 * table, so a code added to `@tessera/verify` without a row here fails to compile.
 * Statuses are 400 for every client error (RFC 6749 §5.2); no code maps to a 401, so no
 * `WWW-Authenticate` is ever owed (openid-client drops the body of a 401 that carries one).
 */
export const wireCodes = Object.freeze({
  malformed: grant,
  // A token over the size cap is refused as a request parameter, before it is read at all.
  too_large: request,
  alg_not_allowed: grant,
  key_type_mismatch: grant,
  unknown_key: grant,
  bad_signature: grant,
  issuer_unknown: grant,
  issuer_mismatch: grant,
  audience_mismatch: grant,
  expired: grant,
  not_yet_valid: grant,
  issued_in_future: grant,
  lifetime_exceeded: grant,
  token_too_old: grant,
  missing_claim: grant,
  subject_mismatch: grant,
  typ_mismatch: grant,
  crit_unsupported: grant,
  replay: grant,
  jwks_unavailable: unavailable,
  discovery_mismatch: unavailable,
  no_matching_policy: grant,
  policy_denied: grant,
  claim_mismatch: grant,
  condition_failed: grant,
  // RFC 8693 §2.2.2: "unwilling or unable to issue a token for any target service" → invalid_target.
  target_not_allowed: { error: 'invalid_target', status: 400 },
  scope_not_allowed: { error: 'invalid_scope', status: 400 },
  actor_not_allowed: grant,
  invalid_request: request,
  unsupported_grant_type: { error: 'unsupported_grant_type', status: 400 },
  // RFC 6749 §5.2 has no token-type error (RFC 7009's unsupported_token_type is for revocation).
  unsupported_token_type: request,
  join_token_invalid: grant,
  internal_error: server,
  // RFC 9449 §5 and §8: a token request with a bad proof, or without the nonce the server wants.
  missing_credentials: request,
  invalid_dpop_proof: { error: 'invalid_dpop_proof', status: 400 },
  dpop_replay: { error: 'invalid_dpop_proof', status: 400 },
  use_dpop_nonce: { error: 'use_dpop_nonce', status: 400 },
  binding_mismatch: grant,
  bound_token_as_bearer: grant,
  // Receiver-side decisions; a subject token is never judged by them, but every code has a row.
  insufficient_scope: { error: 'invalid_scope', status: 400 },
  subject_not_allowed: grant,
  delegation_too_deep: grant,
  // SAML assertions presented as subject tokens (the saml part): an invalid grant like any token.
  missing_signature: grant,
  untrusted_key: grant,
  multiple_assertions: grant,
  recipient_mismatch: grant,
  destination_mismatch: grant,
  in_response_to_mismatch: grant,
  status_not_success: grant,
  decryption_failed: grant,
  metadata_expired: grant,
  // Never produced by an exchange (doctor findings, the agent's own failures); rows for completeness.
  key_encrypted: server,
  key_certificate_mismatch: server,
  chain_incomplete: server,
  certificate_expired: server,
  drift_mismatch: server,
  drift_missing: server,
  drift_extra: server,
  stale_jwks: server,
  stale_thumbprint: server,
  upstream_unavailable: server,
  write_failed: server,
  invalid_options: server,
  invalid_config: server,
} as const satisfies Record<ErrorCode, TokenExchangeWireCode>)
