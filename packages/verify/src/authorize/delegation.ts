import { findClosest } from '../explain/closest.ts'
import { quote, quoteList, redact, redactList } from '../explain/redact.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import type { JwtClaims } from '../token/types.ts'
import { matchGlob } from './glob.ts'

/** Rules for delegation chains (`act`, RFC 8693 §4.1) a receiver accepts. */
export interface DelegationOptions {
  /** Deepest `act` nesting accepted (default: unlimited); 0 refuses any `act`. */
  readonly maxDepth?: number
  /** Accepted outermost `act.sub` values: exact, or glob where `*` is any run of characters. */
  readonly allowedActors?: readonly string[]
  /** When true, a token with `act` must carry `may_act.sub` naming that actor (RFC 8693 §4.4). */
  readonly requireMayAct?: boolean
}

/** Nesting beyond this is refused whatever maxDepth says: it bounds the walk. */
export const maxActDepth = 32

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** The current actor: `act.sub` of the outermost `act` (RFC 8693 §4.1), when present. */
export function actorOf(claims: JwtClaims): string | undefined {
  const act = claims.act
  return isRecord(act) && typeof act.sub === 'string' ? act.sub : undefined
}

/** How many `act` objects are nested in the token (0 without `act`), up to `maxActDepth + 1`. */
export function actDepth(claims: JwtClaims): number {
  let depth = 0
  let act: unknown = claims.act
  while (isRecord(act) && depth <= maxActDepth) {
    depth++
    act = act.act
  }
  return depth
}

/**
 * Checks the token's delegation chain: depth at most `maxDepth` (`delegation_too_deep`), the
 * outermost actor in `allowedActors`, and with `requireMayAct` a `may_act.sub` naming it
 * (`actor_not_allowed`). A token without `act` always passes.
 */
export function checkDelegation(
  claims: JwtClaims,
  options: DelegationOptions,
): TesseraError | undefined {
  if (claims.act === undefined) return undefined
  const depth = actDepth(claims)
  const limit = Math.min(options.maxDepth ?? maxActDepth, maxActDepth)
  if (depth > limit) {
    return new TesseraError({
      code: 'delegation_too_deep',
      check: 'delegation',
      message:
        limit === 0
          ? 'the token carries a delegation chain (act), and this receiver accepts no delegation'
          : `the token's act chain is ${depth > maxActDepth ? `more than ${maxActDepth}` : depth} deep, more than the ${limit} this receiver accepts`,
      expected: `<= ${limit}`,
      actual: depth > maxActDepth ? `> ${maxActDepth}` : String(depth),
    })
  }
  const actor = actorOf(claims)
  if (actor === undefined) {
    return new TesseraError({
      code: 'actor_not_allowed',
      check: 'act',
      message: 'the token has an act claim without a string act.sub: the actor is unknown',
      expected: 'act.sub (a string)',
      actual: isRecord(claims.act) ? 'act without sub' : 'act is not an object',
    })
  }
  const allowedActors = options.allowedActors
  if (allowedActors !== undefined && !allowedActors.some((p) => matchGlob(p, actor))) {
    const near = findClosest(allowedActors, [actor])
    return new TesseraError({
      code: 'actor_not_allowed',
      check: 'act',
      message: `actor ${quote(actor)} (act.sub) is not one of ${quoteList(allowedActors)}${near?.hint ? `: ${near.hint.words}` : ''}`,
      expected: redactList(allowedActors),
      actual: redact(actor),
      ...(near?.hint ? { hint: near.hint.id } : {}),
    })
  }
  if (options.requireMayAct === true) {
    const mayAct = claims.may_act
    const named = isRecord(mayAct) && typeof mayAct.sub === 'string' ? mayAct.sub : undefined
    if (named !== actor) {
      return new TesseraError({
        code: 'actor_not_allowed',
        check: 'may_act',
        message:
          named === undefined
            ? `actor ${quote(actor)} acts for the subject, but the token has no may_act.sub authorising it (RFC 8693 §4.4)`
            : `actor ${quote(actor)} is not the one may_act.sub names, ${quote(named)}`,
        expected: redact(actor),
        actual: named === undefined ? 'missing' : redact(named),
      })
    }
  }
  return undefined
}
