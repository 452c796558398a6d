import type { Rejection } from './rejection.ts'

// RFC 6750 §3: error and error_description values are limited to %x20-21 / %x23-5B / %x5D-7E.
// Values are quoted-strings (RFC 9110 §5.6.4), so `"` and `\` are escaped as quoted-pairs and
// anything outside printable ASCII becomes `?` rather than breaking the header.
const outsidePrintable = /[^\x20-\x7e]/g
const needsQuotedPair = /["\\]/g

/** Renders `value` as an HTTP quoted-string (RFC 9110 §5.6.4), printable ASCII only. */
export function quotedString(value: string): string {
  return `"${value.replace(outsidePrintable, '?').replace(needsQuotedPair, '\\$&')}"`
}

/** Which challenges an adapter offers; built once per adapter. */
export interface ChallengeOptions {
  /** Algorithms accepted for DPoP proofs; empty when the receiver does not accept DPoP. */
  readonly dpopAlgorithms: readonly string[]
  /** An optional realm (RFC 6750 §3), sent on every challenge. */
  readonly realm?: string
}

/** Renders the `WWW-Authenticate` value of rejections; one per adapter. */
export interface ChallengeRenderer {
  /**
   * The header value for `rejection`, or undefined when no challenge applies (5xx answers).
   * `usedDpop`: the request's Authorization scheme was DPoP, so its errors belong to that challenge.
   */
  render(rejection: Rejection, usedDpop: boolean): string | undefined
}

/**
 * Builds the challenges once: `Bearer` (RFC 6750 §3), and `DPoP` with `algs` when the receiver
 * accepts DPoP (RFC 9449 §7.1); both are offered when both schemes are accepted. The error goes
 * on the DPoP challenge for proof and binding codes and for requests made with the DPoP scheme,
 * and on the Bearer one otherwise. Rendered values are cached per code: they depend on nothing else.
 */
export function createChallengeRenderer(options: ChallengeOptions): ChallengeRenderer {
  const realm = options.realm === undefined ? '' : `realm=${quotedString(options.realm)}`
  const algs =
    options.dpopAlgorithms.length === 0
      ? ''
      : `algs=${quotedString(options.dpopAlgorithms.join(' '))}`
  const offersDpop = algs !== ''
  const challenge = (scheme: string, ...params: string[]): string => {
    const list = params.filter((p) => p !== '')
    return list.length === 0 ? scheme : `${scheme} ${list.join(', ')}`
  }
  const plainBearer = challenge('Bearer', realm)
  const plainDpop = challenge('DPoP', realm, algs)
  const plain = offersDpop ? `${plainBearer}, ${plainDpop}` : plainBearer
  const cache = new Map<string, string>()
  return {
    render(rejection, usedDpop) {
      if (rejection.status >= 500) return undefined
      if (rejection.challengeError === undefined) return plain
      const onDpop = offersDpop && (rejection.dpop || usedDpop)
      const key = `${rejection.code}:${onDpop}`
      const cached = cache.get(key)
      if (cached !== undefined) return cached
      const error = `error=${quotedString(rejection.challengeError)}`
      const description = `error_description=${quotedString(rejection.description)}`
      const value = onDpop
        ? `${plainBearer}, ${challenge('DPoP', realm, error, description, algs)}`
        : offersDpop
          ? `${challenge('Bearer', realm, error, description)}, ${plainDpop}`
          : challenge('Bearer', realm, error, description)
      cache.set(key, value)
      return value
    },
  }
}
