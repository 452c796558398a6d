// Compiled by `tsc -p packages/verify/test-d`: the request-verification types of issue #7.
import {
  allow,
  createDpopNonceSource,
  createVerifier,
  type DecisionEvent,
  deny,
  generateDpopKeyPair,
  type RequestDecision,
  type RequestPolicy,
  type RequestVerifyResult,
  requireScopes,
  type VerifierOptions,
} from '@tessera/verify'

const owner: RequestPolicy = (claims, request) =>
  claims.sub === 'admin' || request.binding === 'mtls' ? allow() : deny('owners only')

const options: VerifierOptions = {
  issuers: [{ issuer: 'https://idp.example.com', jwks: { keys: [] } }],
  audience: 'https://api.example.com',
  dpop: { algorithms: ['ES256'], nonce: createDpopNonceSource() },
  delegation: { maxDepth: 1, allowedActors: ['svc-*'] },
  policy: [owner, requireScopes('orders:read')],
  onDecision: (event: DecisionEvent) => void event.latencyMs,
}
const verifier = createVerifier(options)

async function use(): Promise<void> {
  const result: RequestVerifyResult = await verifier.verifyRequest({
    method: 'GET',
    url: 'https://api.example.com/x',
    authorization: 'DPoP token',
    dpop: 'proof',
  })
  const binding: 'bearer' | 'dpop' | 'mtls' = result.binding
  void binding
  const nonce: string | undefined = await verifier.dpopNonce()
  void nonce
}

function reason(decision: RequestDecision): string | undefined {
  // Only a refusal carries an error.
  return decision.allow ? undefined : decision.error.code
}

const badDpop: VerifierOptions = {
  ...options,
  // @ts-expect-error HMAC is never a DPoP algorithm
  dpop: { algorithms: ['HS256'] },
}
// @ts-expect-error only asymmetric algorithms make DPoP keys
generateDpopKeyPair('HS256')
void [use, reason, badDpop]
