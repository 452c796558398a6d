import { quote, redact } from '../explain/redact.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import type { JwtClaims } from '../token/types.ts'
import type { ReplayStore } from './replay-store.ts'

/**
 * Accepts each (iss, jti) once until exp + leeway. Runs last, so a token rejected for any
 * other reason never burns its jti.
 */
export function checkReplay(
  claims: JwtClaims,
  store: ReplayStore,
  now: number,
  leeway: number,
): TesseraError | undefined | Promise<TesseraError | undefined> {
  const jti = claims.jti
  if (jti === undefined || jti === '') {
    return new TesseraError({
      code: 'missing_claim',
      check: 'replay',
      message: 'jti is missing: single-use tokens need a unique jti',
      expected: 'jti (a unique string)',
      actual: 'missing',
    })
  }
  // exp is required by an earlier check; the fallback bounds memory if it ever is not.
  const until = (claims.exp ?? now) + leeway
  const key = `${claims.iss ?? ''}\u0000${jti}`
  const fresh = store.use(key, until)
  if (fresh instanceof Promise) return fresh.then((ok) => (ok ? undefined : replayed(jti)))
  return fresh ? undefined : replayed(jti)
}

function replayed(jti: string): TesseraError {
  return new TesseraError({
    code: 'replay',
    message: `jti ${quote(jti)} was already accepted once: this token is single-use`,
    expected: 'a jti not seen before',
    actual: redact(jti),
  })
}
