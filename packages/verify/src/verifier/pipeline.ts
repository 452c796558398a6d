import { checkAlgorithm } from '../checks/algorithm.ts'
import { checkAudience } from '../checks/audience.ts'
import { checkCrit } from '../checks/crit.ts'
import { checkExpiry } from '../checks/expiry.ts'
import { checkIssuedAt } from '../checks/issued-at.ts'
import { checkIssuer } from '../checks/issuer.ts'
import { checkLifetime } from '../checks/lifetime.ts'
import { checkNotBefore } from '../checks/not-before.ts'
import { checkRequiredClaims } from '../checks/required-claims.ts'
import { checkSignatures } from '../checks/signature-with-keys.ts'
import { checkSubject } from '../checks/subject.ts'
import { checkTokenAge } from '../checks/token-age.ts'
import { checkTyp } from '../checks/typ.ts'
import type { TesseraError } from '../explain/tessera-error.ts'
import { TesseraError as Err } from '../explain/tessera-error.ts'
import type { VerificationKey } from '../keys/verification-key.ts'
import { checkReplay } from '../replay/check-replay.ts'
import type { ReplayStore } from '../replay/replay-store.ts'
import type { JwsAlgorithm } from '../token/algorithms.ts'
import { decodeJwt } from '../token/decode.ts'
import type { DecodedJwt } from '../token/types.ts'
import type { ResolvedIssuer, ResolvedVerifierOptions } from './options.ts'
import type { CheckName } from './types.ts'

/** What the checks learn about one token as they run. */
export interface CheckContext {
  readonly options: ResolvedVerifierOptions
  readonly token: string
  readonly now: number
  jwt: DecodedJwt | undefined
  issuer: ResolvedIssuer | undefined
  alg: JwsAlgorithm | undefined
  keys: readonly VerificationKey[] | undefined
}

type Outcome = TesseraError | undefined

/** One row of the pipeline: a check, what it needs to have passed, and when it applies. */
export interface Step {
  readonly name: CheckName
  readonly needs: readonly CheckName[]
  /** False when the options do not ask for this check (it is then skipped). */
  readonly applies: (o: ResolvedVerifierOptions) => boolean
  /** Replay records state: `evaluate` never runs it. */
  readonly recordsState?: boolean
  readonly run: (ctx: CheckContext) => Outcome | Promise<Outcome>
}

const always = (): boolean => true
const jwt = (ctx: CheckContext): DecodedJwt => ctx.jwt as DecodedJwt

/**
 * The single ordered table of checks. `verify` runs it and throws the first failure;
 * `evaluate` runs every row whose prerequisites passed. Order is a security property: the
 * issuer is checked before any key lookup (an untrusted iss never triggers a fetch), the
 * signature before any claim is trusted by a caller, and replay last (a jti is recorded only
 * for a token that passed everything else).
 */
export const pipeline: readonly Step[] = Object.freeze([
  {
    name: 'decode',
    needs: [],
    applies: always,
    run: (ctx) => {
      try {
        ctx.jwt = decodeJwt(ctx.token, ctx.options.maxTokenBytes)
        return undefined
      } catch (error) {
        if (error instanceof Err) return error
        throw error
      }
    },
  },
  { name: 'crit', needs: ['decode'], applies: always, run: (ctx) => checkCrit(jwt(ctx).header) },
  {
    name: 'typ',
    needs: ['decode'],
    applies: always,
    run: (ctx) => checkTyp(jwt(ctx).header.typ, ctx.options.typ),
  },
  {
    name: 'issuer',
    needs: ['decode'],
    applies: always,
    run: (ctx) => {
      const iss = jwt(ctx).claims.iss
      const error = checkIssuer(iss, ctx.options.issuerNames)
      if (error !== undefined) return error
      ctx.issuer = ctx.options.issuers.get(iss as string) as ResolvedIssuer
      return undefined
    },
  },
  {
    name: 'algorithm',
    needs: ['decode', 'issuer'],
    applies: always,
    run: (ctx) => {
      const alg = jwt(ctx).header.alg
      const issuer = ctx.issuer as ResolvedIssuer
      const error = checkAlgorithm(alg, issuer.algorithms, issuer.issuer)
      if (error === undefined) ctx.alg = alg as JwsAlgorithm
      return error
    },
  },
  {
    name: 'key',
    needs: ['algorithm', 'crit'],
    applies: always,
    run: (ctx) => {
      const issuer = ctx.issuer as ResolvedIssuer
      try {
        const keys = issuer.keys.select(jwt(ctx).header.kid, ctx.alg as JwsAlgorithm)
        if (keys instanceof Promise) {
          return keys.then(
            (k) => {
              ctx.keys = k
              return undefined
            },
            (error: unknown) => asOutcome(error),
          )
        }
        ctx.keys = keys
        return undefined
      } catch (error) {
        return asOutcome(error)
      }
    },
  },
  {
    name: 'signature',
    needs: ['key'],
    applies: always,
    run: (ctx) => checkSignatures(ctx.alg as JwsAlgorithm, ctx.keys ?? [], jwt(ctx)),
  },
  {
    name: 'audience',
    needs: ['decode'],
    applies: always,
    run: (ctx) => checkAudience(jwt(ctx).claims, ctx.options.audience),
  },
  {
    name: 'expiry',
    needs: ['decode'],
    applies: always,
    run: (ctx) => checkExpiry(jwt(ctx).claims.exp, ctx.now, ctx.options.leeway),
  },
  {
    name: 'not_before',
    needs: ['decode'],
    applies: always,
    run: (ctx) => checkNotBefore(jwt(ctx).claims.nbf, ctx.now, ctx.options.leeway),
  },
  {
    name: 'issued_at',
    needs: ['decode'],
    applies: always,
    run: (ctx) => checkIssuedAt(jwt(ctx).claims.iat, ctx.now, ctx.options.leeway),
  },
  {
    name: 'lifetime',
    needs: ['decode'],
    applies: (o) => o.maxLifetime !== undefined,
    run: (ctx) => {
      const c = jwt(ctx).claims
      return checkLifetime(c.iat, c.nbf, c.exp, ctx.options.maxLifetime as number)
    },
  },
  {
    name: 'token_age',
    needs: ['decode'],
    applies: (o) => o.maxTokenAge !== undefined,
    run: (ctx) =>
      checkTokenAge(
        jwt(ctx).claims.iat,
        ctx.now,
        ctx.options.maxTokenAge as number,
        ctx.options.leeway,
      ),
  },
  {
    name: 'subject',
    needs: ['decode'],
    applies: (o) => o.subject !== undefined,
    run: (ctx) => checkSubject(jwt(ctx).claims.sub, ctx.options.subject as readonly string[]),
  },
  {
    name: 'claims',
    needs: ['decode'],
    applies: (o) => o.requiredClaims.length > 0,
    run: (ctx) => checkRequiredClaims(jwt(ctx).claims, ctx.options.requiredClaims),
  },
  {
    name: 'replay',
    needs: ['decode'],
    applies: (o) => o.replay !== undefined,
    recordsState: true,
    run: (ctx) =>
      checkReplay(jwt(ctx).claims, ctx.options.replay as ReplayStore, ctx.now, ctx.options.leeway),
  },
] satisfies Step[])

function asOutcome(error: unknown): TesseraError {
  if (error instanceof Err) return error
  throw error
}
