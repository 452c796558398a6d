import type { VerifyResult } from '@tessera/verify'
import type { PresentedToken } from '../policy/index.ts'

/** A verified token in the shape policies read. */
export function presentedToken(result: VerifyResult): PresentedToken {
  return { issuer: result.issuer, claims: result.claims, header: result.header }
}
