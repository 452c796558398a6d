import type { KeyObject, X509Certificate } from 'node:crypto'
import type { Clock, ReplayStore, TesseraError } from '@tessera/verify'

/** One trusted IdP, from its metadata or the configuration. */
export interface SamlIdp {
  /** The IdP's entity ID: the Issuer of its Responses and Assertions. */
  readonly entityId: string
  /** Certificates whose keys may sign; several during a rollover. Never taken from a message. */
  readonly signingCertificates: readonly X509Certificate[]
  /** Accept RSA-SHA1 signatures and SHA-1 digests from this IdP; default false. */
  readonly allowSha1?: boolean
  /** Accept AES-CBC content encryption in an EncryptedAssertion; default false. */
  readonly allowCbc?: boolean
  /**
   * The metadata's validUntil (epoch seconds): from then on its certificates are no longer
   * trusted and this IdP's Responses are refused with `metadata_expired`.
   */
  readonly validUntil?: number
}

/** How a SAML Response is validated. */
export interface SamlValidationOptions {
  /** Trusted IdPs, selected by the Assertion's Issuer. */
  readonly idps: readonly SamlIdp[]
  /** This service provider's entity ID: the expected Audience. */
  readonly spEntityId: string
  /** The Assertion Consumer Service URL: the expected Destination and Recipient. */
  readonly acsUrl: string
  /** The ID of the outstanding AuthnRequest: the expected InResponseTo. */
  readonly requestId?: string
  /** Allowed clock difference for every time check, in seconds; default 60. */
  readonly clockSkewSeconds?: number
  /** Require an AudienceRestriction naming `spEntityId`; default true. */
  readonly requireAudience?: boolean
  /** Records assertion IDs so each is accepted once until it expires. */
  readonly replay?: ReplayStore
  /** The SP's private key, for an EncryptedAssertion. */
  readonly decryptionKey?: KeyObject
  readonly clock?: Clock
  /** Largest message accepted, in bytes of XML; default 256 KiB. Checked before parsing. */
  readonly maxBytes?: number
}

/** The facts of an Assertion that passed every check, read only from signed content. */
export interface ValidatedAssertion {
  readonly issuer: string
  readonly assertionId: string
  readonly nameId: string
  readonly nameIdFormat?: string
  readonly sessionIndex?: string
  readonly attributes: Readonly<Record<string, readonly string[]>>
  readonly audiences: readonly string[]
  readonly notBefore?: number
  readonly notOnOrAfter: number
  readonly authnInstant?: number
  readonly signedBy: {
    readonly fingerprint256: string
    readonly subject: string
    readonly validTo: string
  }
  readonly signedElement: 'Response' | 'Assertion'
}

/** The outcome of one named check in an evaluation. */
export interface SamlCheckResult {
  readonly name: SamlCheckName
  readonly status: 'ok' | 'failed' | 'skipped'
  readonly error?: TesseraError
  /** Why a `skipped` check did not run, when not because an earlier check failed. */
  readonly reason?: string
}

/** Every check a SAML Response goes through, in order. */
export type SamlCheckName =
  | 'decode'
  | 'structure'
  /** Only for a Response carrying an EncryptedAssertion. */
  | 'decryption'
  | 'issuer'
  | 'signature'
  | 'assertion'
  | 'status'
  | 'destination'
  | 'in_response_to'
  | 'subject_confirmation'
  | 'audience'
  | 'not_before'
  | 'expiry'
  | 'name_id'
  | 'replay'

/** Every check run on a Response, for `tessera doctor saml`. */
export interface SamlEvaluation {
  readonly valid: boolean
  readonly checks: readonly SamlCheckResult[]
  /** The most likely root cause among the failures. */
  readonly primary?: TesseraError
  readonly assertion?: ValidatedAssertion
}

/** A warning about IdP metadata: expired or soon to expire. */
export interface MetadataWarning {
  readonly code: 'metadata_expired' | 'certificate_expired'
  readonly message: string
}

/** What Tessera takes from an IdP's SAML metadata. */
export interface IdpMetadata {
  readonly entityId: string
  readonly signingCertificates: X509Certificate[]
  readonly ssoEndpoints: { readonly binding: string; readonly location: string }[]
  /** validUntil, in epoch seconds. */
  readonly validUntil?: number
  readonly cacheDurationSeconds?: number
  readonly warnings: MetadataWarning[]
}
