import { type JwtClaims, redact, TesseraError } from '@tessera/verify'

/**
 * One link of an RFC 8693 §4.1 delegation chain: the outermost `act` is the current actor,
 * each nested `act` an earlier one, the least recent nested deepest.
 */
export interface ActClaim {
  readonly sub: string
  readonly iss?: string
  readonly act?: ActClaim
}

/** Most links a chain may have: each hop adds one, and a token must stay small. */
export const maxActDepth = 10

/**
 * Builds the `act` claim of an exchanged token.
 *
 * - With an actor token: the actor becomes the current actor,
 *   `{ sub: actor.sub, iss: actor.iss }`, keeping the actor token's own `act` nested under it
 *   (the actor was itself acting for someone, RFC 8693 §4.1).
 * - If the subject token already carries `act`, that chain is kept as the least recent part:
 *   it is attached below the new actor's links. RFC 8693 §4.1 says the nested claims record
 *   "prior actors"; dropping them would let a hop launder who acted before it.
 * - Without an actor token, the subject token's `act` (if any) is carried over unchanged for
 *   the same reason: re-exchanging a delegated token must not turn it into a plain one.
 *
 * Only `sub`, `iss` and `act` are copied: §4.1 says non-identity claims (exp, aud, …) are not
 * meaningful inside `act`.
 *
 * @throws {TesseraError} `missing_claim` when an `act` present is not an object with a string
 * `sub`, or the actor token has no `sub`; `invalid_request` when the chain would exceed
 * `maxActDepth` links
 */
export function buildActClaim(
  subject: JwtClaims,
  actor: { readonly issuer: string; readonly claims: JwtClaims } | undefined,
): ActClaim | undefined {
  const prior = subject.act === undefined ? undefined : readChain(subject.act, 'subject token act')
  if (actor === undefined) return prior
  const sub = actor.claims.sub
  if (typeof sub !== 'string' || sub === '') {
    throw new TesseraError({
      code: 'missing_claim',
      check: 'act',
      message: 'sub is missing from the actor token: the actor must be identified',
      expected: 'sub (a string)',
      actual: 'missing',
    })
  }
  const own =
    actor.claims.act === undefined ? [] : links(readChain(actor.claims.act, 'actor token act'))
  const chain = [{ sub, iss: actor.issuer }, ...own, ...(prior === undefined ? [] : links(prior))]
  if (chain.length > maxActDepth) {
    throw new TesseraError({
      code: 'invalid_request',
      check: 'act',
      message: `the delegation chain would be ${chain.length} actors deep, more than the limit of ${maxActDepth}`,
      expected: `<= ${maxActDepth} actors`,
      actual: `${chain.length} actors`,
    })
  }
  return nest(chain)
}

type Link = Omit<ActClaim, 'act'>

// Reads an untrusted act claim into a clean chain; the input depth is bounded by the token size
// (16 KiB), and the output depth by the check above.
function readChain(value: unknown, where: string): ActClaim {
  const found: Link[] = []
  let current: unknown = value
  while (current !== undefined) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) {
      throw badAct(where, current)
    }
    const { sub, iss, act } = current as Record<string, unknown>
    if (typeof sub !== 'string' || sub === '' || (iss !== undefined && typeof iss !== 'string')) {
      throw badAct(where, current)
    }
    found.push(iss === undefined ? { sub } : { sub, iss })
    if (found.length > maxActDepth) {
      throw new TesseraError({
        code: 'invalid_request',
        check: 'act',
        message: `the ${where} chain is more than ${maxActDepth} actors deep`,
        expected: `<= ${maxActDepth} actors`,
        actual: `> ${maxActDepth} actors`,
      })
    }
    current = act
  }
  return nest(found) as ActClaim
}

function links(chain: ActClaim): Link[] {
  const out: Link[] = []
  for (let link: ActClaim | undefined = chain; link !== undefined; link = link.act) {
    out.push(link.iss === undefined ? { sub: link.sub } : { sub: link.sub, iss: link.iss })
  }
  return out
}

function nest(chain: readonly Link[]): ActClaim | undefined {
  let act: ActClaim | undefined
  for (let i = chain.length - 1; i >= 0; i--) {
    const link = chain[i] as Link
    act = act === undefined ? { ...link } : { ...link, act }
  }
  return act
}

function badAct(where: string, value: unknown): TesseraError {
  return new TesseraError({
    code: 'missing_claim',
    check: 'act',
    message: `${where} is not an object with a string sub (RFC 8693 §4.1)`,
    expected: 'act: { sub: string, iss?: string, act?: … }',
    actual: redact(value),
  })
}
