import type { X509Certificate } from 'node:crypto'
import type { TLSSocket } from 'node:tls'
import type { RequestPolicy } from '../authorize/request-policy.ts'
import { type Problem, TesseraError } from '../explain/tessera-error.ts'
import type { Verifier } from '../verifier/types.ts'
import { type ChallengeRenderer, createChallengeRenderer } from './challenge.ts'
import { checkPublicOrigin } from './request-url.ts'

/** Policies as the options accept them: one, or a list evaluated in order. */
export type PolicyOption = RequestPolicy | readonly RequestPolicy[]

/** Options every adapter shares. */
export interface AdapterOptions<Request> {
  /** The verifier that decides each request (`verifyRequest`). */
  readonly verifier: Verifier
  /**
   * The origin clients address (`https://api.example.com`), used for DPoP `htu` instead of the
   * request's Host and protocol. Required behind a proxy that rewrites Host or terminates TLS,
   * and recommended in production: without it the htu comes from the client-chosen Host header,
   * so a proof captured for one host name can be replayed, with that Host header, against a
   * sibling instance that shares the audience.
   */
  readonly publicOrigin?: string
  /** Evaluated on every request after verification, before any route policy. */
  readonly policy?: PolicyOption
  /** Return true to let a request through unverified (health checks, public routes). */
  readonly skip?: (request: Request) => boolean
  /** The `realm` of the WWW-Authenticate challenges (RFC 6750 §3); HTTP adapters only. */
  readonly realm?: string
}

/** Options after validation, frozen: what the hot path reads. */
export interface ResolvedAdapter<Request> {
  readonly verifier: Verifier
  readonly publicOrigin: string | undefined
  readonly policy: readonly RequestPolicy[] | undefined
  readonly skip: ((request: Request) => boolean) | undefined
  readonly challenges: ChallengeRenderer
}

function checkPolicies(
  value: unknown,
  path: string,
  problems: Problem[],
): RequestPolicy[] | undefined {
  if (value === undefined) return undefined
  const list = Array.isArray(value) ? value : [value]
  list.forEach((p, i) => {
    if (typeof p !== 'function')
      problems.push({
        path: Array.isArray(value) ? `${path}[${i}]` : path,
        message: 'must be a request policy function (claims, request) => decision',
      })
  })
  return list.length === 0 ? undefined : (list as RequestPolicy[])
}

/**
 * Validates an adapter's options once, at construction, reporting every problem.
 * @throws {TesseraError} `invalid_options`
 */
export function resolveAdapterOptions<Request>(
  adapter: string,
  options: AdapterOptions<Request>,
  checkOwn?: (options: Record<string, unknown>, problems: Problem[]) => void,
): ResolvedAdapter<Request> {
  const problems: Problem[] = []
  if (typeof options !== 'object' || options === null) {
    problems.push({ path: '', message: 'must be an object with a verifier' })
  } else {
    const verifier = options.verifier as Partial<Verifier> | undefined
    if (
      typeof verifier !== 'object' ||
      verifier === null ||
      typeof verifier.verifyRequest !== 'function'
    )
      problems.push({ path: 'verifier', message: 'must be a verifier from createVerifier' })
    if (options.skip !== undefined && typeof options.skip !== 'function')
      problems.push({ path: 'skip', message: 'must be a function (request) => boolean' })
    if (options.realm !== undefined && typeof options.realm !== 'string')
      problems.push({ path: 'realm', message: 'must be a string' })
    checkOwn?.(options as unknown as Record<string, unknown>, problems)
  }
  const input = (typeof options === 'object' && options !== null ? options : {}) as Partial<
    AdapterOptions<Request>
  >
  const publicOrigin = checkPublicOrigin(input.publicOrigin, problems)
  const policy = checkPolicies(input.policy, 'policy', problems)
  if (problems.length > 0) {
    throw new TesseraError({
      code: 'invalid_options',
      message: `${adapter} options are invalid: ${problems.map((p) => `${p.path || '(options)'} ${p.message}`).join('; ')}`,
      problems,
    })
  }
  const verifier = input.verifier as Verifier
  return Object.freeze({
    verifier,
    publicOrigin,
    policy: policy === undefined ? undefined : Object.freeze(policy),
    skip: input.skip,
    challenges: createChallengeRenderer({
      dpopAlgorithms: verifier.dpopAlgorithms ?? [],
      ...(input.realm === undefined ? {} : { realm: input.realm }),
    }),
  })
}

const combined = new WeakMap<object, readonly RequestPolicy[]>()

/**
 * The adapter's policies followed by a route's; the concatenation is cached per route policy
 * object, so a route pays for it once, not per request.
 */
export function withRoutePolicy(
  adapterPolicy: readonly RequestPolicy[] | undefined,
  routePolicy: PolicyOption | undefined,
): readonly RequestPolicy[] | RequestPolicy | undefined {
  if (routePolicy === undefined) return adapterPolicy
  if (adapterPolicy === undefined) return routePolicy
  let list = combined.get(routePolicy)
  if (list === undefined) {
    list = Object.freeze([
      ...adapterPolicy,
      ...(Array.isArray(routePolicy) ? routePolicy : [routePolicy as RequestPolicy]),
    ])
    combined.set(routePolicy, list)
  }
  return list
}

const peerCertificates = new WeakMap<object, X509Certificate | null>()

/**
 * The mTLS peer certificate of a TLS socket (RFC 8705 §3), parsed once per connection. The
 * certificate need not chain to a trusted CA: a certificate-bound token pins the exact
 * certificate by its thumbprint, which is what RFC 8705 §3 (self-signed binding) relies on.
 */
export function peerCertificate(socket: unknown): X509Certificate | undefined {
  const tls = socket as Partial<TLSSocket> | null | undefined
  if (typeof tls?.getPeerX509Certificate !== 'function') return undefined
  let cert = peerCertificates.get(tls)
  if (cert === undefined) {
    cert = tls.getPeerX509Certificate() ?? null
    peerCertificates.set(tls, cert)
  }
  return cert ?? undefined
}

/** True when an Authorization value uses the DPoP scheme (only read when rejecting). */
export function usesDpopScheme(authorization: string | undefined): boolean {
  return authorization !== undefined && /^dpop /i.test(authorization)
}
