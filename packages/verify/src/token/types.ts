/** The protected header of a JWS, as parsed: untrusted until the checks have run. */
export interface JwsHeader {
  readonly alg: string
  readonly kid?: string
  readonly typ?: string
  readonly crit?: readonly string[]
  readonly [parameter: string]: unknown
}

/** JWT claims (RFC 7519 §4.1) as parsed: registered claims typed, the rest unknown. */
export interface JwtClaims {
  readonly iss?: string
  readonly sub?: string
  readonly aud?: string | readonly string[]
  readonly exp?: number
  readonly nbf?: number
  readonly iat?: number
  readonly jti?: string
  readonly [claim: string]: unknown
}

/** A compact JWS split and decoded, its signature not yet checked. */
export interface DecodedJws {
  readonly header: JwsHeader
  /** The decoded payload bytes. */
  readonly payload: Buffer
  /** `base64url(header) "." base64url(payload)`: the bytes the signature covers. */
  readonly signingInput: string
  readonly signature: Buffer
}

/** A compact JWS whose payload is a JSON object of claims. */
export interface DecodedJwt extends DecodedJws {
  readonly claims: JwtClaims
}
