import { rankFailures } from '../explain/rank.ts'
import { isTesseraError, type TesseraError } from '../explain/tessera-error.ts'
import type { JwsHeader, JwtClaims } from '../token/types.ts'
import { type ResolvedIssuer, resolveVerifierOptions } from './options.ts'
import { type CheckContext, pipeline, type Step } from './pipeline.ts'
import type {
  CheckName,
  CheckResult,
  DecisionEvent,
  Evaluation,
  RequestVerifyResult,
  Verifier,
  VerifierOptions,
  VerifyRequestInput,
  VerifyResult,
} from './types.ts'
import { type RequestProgress, runVerifyRequest } from './verify-request.ts'

/**
 * Creates a verifier for tokens from the configured issuers to this receiver. Options are
 * validated and key sets imported once, here; `verify` then runs the check pipeline and
 * throws the first failure as a `TesseraError` with expected, actual and a near-miss hint.
 *
 * @throws {TesseraError} `invalid_options` with every problem and its path
 * @example
 * const verifier = createVerifier({
 *   issuers: [{ issuer: 'https://idp.example.com', discovery: true, algorithms: ['ES256'] }],
 *   audience: 'https://api.example.com',
 * })
 * const { claims } = await verifier.verify(token)
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const resolved = resolveVerifierOptions(options)
  const steps = pipeline.filter((s) => s.applies(resolved))

  const onDecision = resolved.onDecision

  function verify(token: string): Promise<VerifyResult> {
    if (onDecision === undefined) return verifyToken(token)
    const started = performance.now()
    return verifyToken(token).then(
      (result) => {
        decide(onDecision, accepted('verify', result, {}, started))
        return result
      },
      (error: unknown) => {
        decide(onDecision, rejected('verify', error, {}, started))
        throw error
      },
    )
  }

  async function verifyRequest(input: VerifyRequestInput): Promise<RequestVerifyResult> {
    const started = performance.now()
    const progress: RequestProgress = {}
    try {
      const result = await runVerifyRequest(input, resolved, verifyToken, progress)
      if (onDecision !== undefined)
        decide(onDecision, accepted('request', result, progress, started))
      return result
    } catch (error) {
      if (onDecision !== undefined)
        decide(onDecision, rejected('request', error, progress, started))
      throw error
    }
  }

  function accepted(
    kind: DecisionEvent['kind'],
    result: VerifyResult,
    progress: RequestProgress,
    started: number,
  ): DecisionEvent {
    return {
      kind,
      outcome: 'accepted',
      ...identity(result, progress),
      latencyMs: performance.now() - started,
    }
  }

  function rejected(
    kind: DecisionEvent['kind'],
    error: unknown,
    progress: RequestProgress,
    started: number,
  ): DecisionEvent {
    return {
      kind,
      outcome: 'rejected',
      ...(isTesseraError(error) ? { code: error.code, check: error.check } : {}),
      ...(progress.result === undefined ? {} : identity(progress.result, progress)),
      latencyMs: performance.now() - started,
    }
  }

  // Only values from the configuration or a verified token: the audience is the configured
  // identifier the token matched, never an arbitrary aud.
  function identity(result: VerifyResult, progress: RequestProgress) {
    const aud = result.claims.aud
    const auds = typeof aud === 'string' ? [aud] : (aud ?? [])
    const audience = resolved.audience.find((a) => auds.includes(a))
    const subject = result.claims.sub
    return {
      issuer: result.issuer,
      ...(audience === undefined ? {} : { audience }),
      ...(subject === undefined ? {} : { subject }),
      ...(progress.actor === undefined ? {} : { actor: progress.actor }),
      ...(progress.binding === undefined ? {} : { binding: progress.binding }),
    }
  }

  // The fast path stays synchronous until a step returns a promise (a key fetch, an async
  // replay store); only then does it continue asynchronously from that step.
  function verifyToken(token: string): Promise<VerifyResult> {
    try {
      const ctx = newContext(token)
      for (let i = 0; i < steps.length; i++) {
        const outcome = (steps[i] as Step).run(ctx)
        if (outcome === undefined) continue
        if (outcome instanceof Promise) return continueFrom(ctx, i, outcome)
        return Promise.reject(outcome)
      }
      return Promise.resolve(resultOf(ctx))
    } catch (error) {
      // A throwing clock, key source or replay store rejects, as an async function would.
      return Promise.reject(error)
    }
  }

  async function continueFrom(
    ctx: CheckContext,
    index: number,
    pending: Promise<TesseraError | undefined>,
  ): Promise<VerifyResult> {
    const first = await pending
    if (first !== undefined) throw first
    for (let i = index + 1; i < steps.length; i++) {
      let outcome = (steps[i] as Step).run(ctx)
      if (outcome instanceof Promise) outcome = await outcome
      if (outcome !== undefined) throw outcome
    }
    return resultOf(ctx)
  }

  function newContext(token: string): CheckContext {
    // Every field present from the start keeps one object shape on the hot path.
    return {
      options: resolved,
      token,
      now: resolved.clock(),
      jwt: undefined,
      issuer: undefined,
      alg: undefined,
      keys: undefined,
    }
  }

  async function evaluate(token: string): Promise<Evaluation> {
    const ctx = newContext(token)
    const status = new Map<CheckName, CheckResult['status']>()
    const checks: CheckResult[] = []
    const failures: TesseraError[] = []
    for (const step of pipeline) {
      let result: CheckResult
      const blocked = step.needs.find((n) => status.get(n) !== 'ok')
      if (!step.applies(resolved))
        result = { name: step.name, status: 'skipped', reason: 'not configured' }
      else if (step.recordsState)
        result = {
          name: step.name,
          status: 'skipped',
          reason: 'not run when diagnosing (it would record the jti)',
        }
      else if (blocked !== undefined)
        result = { name: step.name, status: 'skipped', reason: `${blocked} did not pass` }
      else {
        let error = step.run(ctx)
        if (error instanceof Promise) error = await error
        if (error === undefined) result = { name: step.name, status: 'ok' }
        else {
          result = { name: step.name, status: 'failed', error }
          failures.push(error)
        }
      }
      status.set(step.name, result.status)
      checks.push(result)
      // Diagnosis goes on past an issuer mismatch when there is only one issuer it can mean:
      // whether the signature verifies with that issuer's keys is worth knowing.
      if (
        step.name === 'issuer' &&
        result.status === 'failed' &&
        resolved.issuers.size === 1 &&
        ctx.jwt
      ) {
        ctx.issuer = resolved.issuers.values().next().value as ResolvedIssuer
        status.set('issuer', 'ok')
      }
    }
    const primary = rankFailures(failures)
    const header: JwsHeader | undefined = ctx.jwt?.header
    const claims: JwtClaims | undefined = ctx.jwt?.claims
    return {
      valid: failures.length === 0,
      checks,
      ...(primary === undefined ? {} : { primary }),
      ...(header === undefined ? {} : { header }),
      ...(claims === undefined ? {} : { claims }),
    }
  }

  return Object.freeze({
    verify,
    evaluate,
    verifyRequest,
    dpopNonce: async () => {
      const nonce = resolved.dpop?.nonce
      return nonce === undefined ? undefined : await nonce.current()
    },
    dpopAlgorithms: resolved.dpop?.algorithms ?? Object.freeze([]),
    state: () =>
      [...resolved.issuers.values()].map((i) => ({
        issuer: i.issuer,
        algorithms: i.algorithms,
        keys: i.keys.state(),
      })),
  })
}

/** Tells the observer; its failures (thrown or rejected) never change a decision. */
function decide(onDecision: (event: DecisionEvent) => void, event: DecisionEvent): void {
  try {
    const returned: unknown = onDecision(event)
    if (returned instanceof Promise) returned.catch(() => {})
  } catch {
    // An observer's failure must not turn an accepted request into an error.
  }
}

function resultOf(ctx: CheckContext): VerifyResult {
  const jwt = ctx.jwt as NonNullable<CheckContext['jwt']>
  return { claims: jwt.claims, header: jwt.header, issuer: (ctx.issuer as ResolvedIssuer).issuer }
}
