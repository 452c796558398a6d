// Compiled by `tsc -p packages/verify/test-d` in npm test: these lines only need to type-check.
// A `@ts-expect-error` line fails the build when the error it expects disappears.
import {
  createVerifier,
  type ErrorCode,
  type HintId,
  MemoryReplayStore,
  TesseraError,
  type VerifierOptions,
  type VerifyResult,
} from '@tessera/verify'

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const assertType = <T extends true>(_: T): void => {}

// TesseraError['code'] is the literal union of the table, not string.
assertType<Equal<TesseraError['code'], ErrorCode>>(true)
assertType<'audience_mismatch' extends ErrorCode ? true : false>(true)
assertType<string extends ErrorCode ? false : true>(true)
assertType<Equal<NonNullable<TesseraError['hint']>, HintId>>(true)

const jwks = { keys: [] }
const ok: VerifierOptions = {
  issuers: [{ issuer: 'https://idp.example.com', jwks, algorithms: ['ES256'] }],
  audience: ['https://api.example.com'],
  replay: new MemoryReplayStore(),
  clock: () => 0,
}
createVerifier(ok)

// Exactly one key source per issuer.
const both: VerifierOptions = {
  // @ts-expect-error jwks and jwksUri together
  issuers: [{ issuer: 'https://idp.example.com', jwks, jwksUri: 'https://idp.example.com/jwks' }],
  audience: 'a',
}
// @ts-expect-error no key source at all
const neither: VerifierOptions = { issuers: [{ issuer: 'https://idp.example.com' }], audience: 'a' }
const hmac: VerifierOptions = {
  issuers: [
    {
      issuer: 'x',
      jwks,
      // @ts-expect-error HMAC is not an algorithm Tessera accepts
      algorithms: ['HS256'],
    },
  ],
  audience: 'a',
}
const discoveryFalse: VerifierOptions = {
  // @ts-expect-error discovery is `true` or absent
  issuers: [{ issuer: 'x', discovery: false }],
  audience: 'a',
}

async function narrow(result: Promise<VerifyResult>): Promise<void> {
  try {
    const { claims, issuer } = await result
    const aud: string | readonly string[] | undefined = claims.aud
    const iss: string = issuer
    void aud
    void iss
  } catch (error) {
    if (error instanceof TesseraError && error.code === 'expired') {
      const hint: HintId | undefined = error.hint
      void hint
    }
  }
}
void [both, neither, hmac, discoveryFalse, narrow]
