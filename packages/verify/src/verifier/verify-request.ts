import { actorOf, checkDelegation } from '../authorize/delegation.ts'
import type { RequestContext, RequestPolicy } from '../authorize/request-policy.ts'
import {
  checkCertificateBinding,
  checkKeyBinding,
  readConfirmation,
} from '../binding/check-binding.ts'
import { validateDpopProof } from '../dpop/validate-proof.ts'
import { quote } from '../explain/redact.ts'
import { isTesseraError, TesseraError } from '../explain/tessera-error.ts'
import type { JwtClaims } from '../token/types.ts'
import type { ResolvedVerifierOptions } from './options.ts'
import type {
  RequestBinding,
  RequestVerifyResult,
  VerifyRequestInput,
  VerifyResult,
} from './types.ts'

/** What a request revealed before it was accepted or rejected, for the decision event. */
export interface RequestProgress {
  result?: VerifyResult
  binding?: RequestBinding
  actor?: string
}

/** The scheme and token of an Authorization header. */
export interface Credentials {
  readonly scheme: 'bearer' | 'dpop'
  readonly token: string
}

function missing(message: string, actual: string): TesseraError {
  return new TesseraError({
    code: 'missing_credentials',
    message,
    expected: 'Bearer <token> or DPoP <token>',
    actual,
  })
}

/**
 * Parses an Authorization header value: scheme `Bearer` or `DPoP` (case-insensitive, RFC 9110
 * §11.1) and exactly one token after it.
 * @throws {TesseraError} `missing_credentials`
 */
export function parseAuthorization(value: string | undefined): Credentials {
  const text = typeof value === 'string' ? value.trim() : ''
  if (text === '') {
    throw missing(
      'the request has no Authorization header: send "Bearer <token>" or "DPoP <token>"',
      'no Authorization header',
    )
  }
  const parts = text.split(/ +/)
  const scheme = (parts[0] as string).toLowerCase()
  if (scheme !== 'bearer' && scheme !== 'dpop') {
    // The first word may be a bare token: quote() masks one.
    throw missing(
      `the Authorization scheme ${quote(parts[0])} is not accepted: send "Bearer <token>" or "DPoP <token>"`,
      parts.length === 1 ? 'no scheme' : `scheme ${quote(parts[0])}`,
    )
  }
  if (parts.length !== 2 || /\s/.test(parts[1] as string)) {
    throw missing(
      `the Authorization header has scheme ${quote(parts[0])} and ${parts.length - 1} tokens, expected exactly one`,
      `${parts.length - 1} tokens`,
    )
  }
  return { scheme, token: parts[1] as string }
}

const asList = (
  p: RequestPolicy | readonly RequestPolicy[] | undefined,
): readonly RequestPolicy[] => (p === undefined ? [] : typeof p === 'function' ? [p] : p)

/**
 * Runs the request checks in the contract's order: Authorization → token → DPoP proof and
 * `cnf.jkt` → `cnf["x5t#S256"]` → delegation → route policy → options policy. `progress`
 * is filled as checks pass, so a rejection can still be reported with what was learned.
 */
export async function runVerifyRequest(
  input: VerifyRequestInput,
  options: ResolvedVerifierOptions,
  verifyToken: (token: string) => Promise<VerifyResult>,
  progress: RequestProgress,
): Promise<RequestVerifyResult> {
  if (
    typeof input !== 'object' ||
    input === null ||
    typeof input.method !== 'string' ||
    input.method === '' ||
    typeof input.url !== 'string'
  ) {
    throw new TesseraError({
      code: 'invalid_request',
      check: 'request',
      message: 'verifyRequest needs { method, url } strings from the transport',
      expected: '{ method: string, url: string }',
      actual: typeof input === 'object' && input !== null ? 'method or url missing' : typeof input,
    })
  }
  const { scheme, token } = parseAuthorization(input.authorization)
  if (scheme === 'dpop' && options.dpop === undefined) {
    throw missing(
      'the DPoP scheme is not accepted by this receiver (its verifier has no dpop options): send "Bearer <token>"',
      'scheme "DPoP"',
    )
  }
  const result = await verifyToken(token)
  progress.result = result
  const claims = result.claims
  const actor = actorOf(claims)
  if (actor !== undefined) progress.actor = actor
  const cnf = readConfirmation(claims)
  let binding: RequestBinding = 'bearer'
  let dpopJkt: string | undefined
  if (scheme === 'dpop' && options.dpop !== undefined) {
    const proof = await validateDpopProof({
      proof: input.dpop,
      method: input.method,
      url: input.url,
      accessToken: token,
      options: options.dpop,
      clock: options.clock,
    })
    fail(checkKeyBinding(cnf, 'dpop', proof.jkt))
    binding = 'dpop'
    dpopJkt = proof.jkt
  } else fail(checkKeyBinding(cnf, 'bearer'))
  fail(checkCertificateBinding(cnf, input.clientCertificate))
  // RFC 9449 and RFC 8705 together: the DPoP key is the stronger, per-request proof.
  if (cnf.x5tS256 !== undefined && binding === 'bearer') binding = 'mtls'
  progress.binding = binding
  if (options.delegation !== undefined) fail(checkDelegation(claims, options.delegation))
  const context: RequestContext = {
    method: input.method,
    url: input.url,
    binding,
    ...(actor === undefined ? {} : { actor }),
  }
  for (const policy of [...asList(input.policy), ...options.policies])
    await applyPolicy(policy, claims, context)
  return {
    ...result,
    binding,
    ...(actor === undefined ? {} : { actor }),
    ...(dpopJkt === undefined ? {} : { dpopJkt }),
  }
}

function fail(error: TesseraError | undefined): void {
  if (error !== undefined) throw error
}

async function applyPolicy(
  policy: RequestPolicy,
  claims: JwtClaims,
  context: RequestContext,
): Promise<void> {
  if (typeof policy !== 'function') {
    throw new TesseraError({
      code: 'invalid_options',
      message: 'a route policy is not a RequestPolicy function',
      problems: [{ path: 'policy', message: 'must be a RequestPolicy function' }],
    })
  }
  const decision: unknown = await policy(claims, context)
  if (typeof decision === 'object' && decision !== null) {
    const d = decision as { allow?: unknown; error?: unknown }
    if (d.allow === true) return
    if (d.allow === false && isTesseraError(d.error)) throw d.error
  }
  throw new TesseraError({
    code: 'internal_error',
    check: 'request_policy',
    message: 'a request policy returned neither allow() nor deny(...)',
  })
}
