import { type CacheableResponse, cacheableJson } from './cacheable-response.ts'
import type { IssuerSettings, SigningAlgorithm } from './types.ts'

/** The OpenID Provider Metadata Tessera publishes (OIDC Discovery 1.0 §3, RFC 8414 §2). */
export interface DiscoveryDocument {
  readonly issuer: string
  readonly jwks_uri: string
  readonly token_endpoint: string
  readonly grant_types_supported: readonly string[]
  readonly id_token_signing_alg_values_supported: readonly SigningAlgorithm[]
  readonly response_types_supported: readonly string[]
  readonly subject_types_supported: readonly string[]
  readonly token_endpoint_auth_methods_supported: readonly string[]
}

/**
 * The discovery document for `issuerUrl`. `issuer` is the URL exactly as configured (OIDC
 * Discovery §4.3: verifiers compare it byte for byte); endpoints are appended to it without
 * doubling a trailing slash.
 */
export function discoveryDocument(
  issuerUrl: string,
  algorithm: SigningAlgorithm,
): DiscoveryDocument {
  const base = issuerUrl.endsWith('/') ? issuerUrl.slice(0, -1) : issuerUrl
  return Object.freeze({
    issuer: issuerUrl,
    jwks_uri: `${base}/.well-known/jwks.json`,
    token_endpoint: `${base}/oauth2/token`,
    grant_types_supported: ['urn:ietf:params:oauth:grant-type:token-exchange'],
    id_token_signing_alg_values_supported: [algorithm],
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    // Clients are not authenticated: Tessera authenticates the subject token, and a client
    // secret, if sent, is ignored. Advertising secret methods would promise a check not made.
    token_endpoint_auth_methods_supported: ['none'],
  })
}

/**
 * The body and headers of `GET /.well-known/openid-configuration`, cached as long as the JWKS
 * (`jwksMaxAgeSeconds`) with a strong ETag.
 */
export function discoveryResponse(
  settings: Pick<IssuerSettings, 'issuerUrl' | 'algorithm' | 'jwksMaxAgeSeconds'>,
): CacheableResponse {
  return cacheableJson(
    discoveryDocument(settings.issuerUrl, settings.algorithm),
    settings.jwksMaxAgeSeconds,
  )
}
