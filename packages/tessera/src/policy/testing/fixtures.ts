import assert from 'node:assert/strict'
import { type HintId, type ShownValue, TesseraError } from '@tessera/verify'
import type { PolicyConfig, PolicyContext, PolicyRequest, PresentedToken } from '../types.ts'

/**
 * Shared test fixtures of the policy part: a context with two trusted issuers and a small
 * inventory, the example policy of main-job.md, a matching GitHub Actions token, and helpers
 * that assert an error's contract fields. Test-only: nothing in the part imports it.
 */

export const github = 'https://token.actions.githubusercontent.com'
export const gitlab = 'https://gitlab.example.com'
export const tessera = 'http://127.0.0.1:8080'
export const payments = 'https://payments.example.org'
export const paymentsV2 = 'https://payments.example.org/v2'
export const ledger = 'https://ledger.example.org'

export const context: PolicyContext = Object.freeze({
  inventory: {
    services: [
      { name: 'payments-api', audiences: [payments, paymentsV2], owner: 'team-payments' },
      { name: 'ledger', audiences: [ledger] },
    ],
  },
  trustDomain: 'example.org',
  issuerUrl: tessera,
  trustedIssuers: [github, gitlab],
})

/** The example policy of main-job.md (with two scopes). */
export const ciDeploy: PolicyConfig = Object.freeze({
  name: 'ci-deploy',
  issuer: github,
  audience: tessera,
  subject: 'repo:acme/payments:ref:refs/heads/*',
  claims: { repository_owner: 'acme' },
  condition: { expression: "claims.run_attempt == '1'", message: 'first attempts only' },
  targets: ['payments-api'],
  scopes: ['payments.read', 'payments.write'],
  maxTtlSeconds: 600,
  output: { subject: 'spiffe://{trustDomain}/ci/{claims.repository}' },
})

/** Claims of a GitHub Actions token that `ciDeploy` allows. */
export const ciClaims: Readonly<Record<string, unknown>> = Object.freeze({
  iss: github,
  aud: tessera,
  sub: 'repo:acme/payments:ref:refs/heads/main',
  repository_owner: 'acme',
  repository: 'acme/payments',
  run_attempt: '1',
  jti: 'jti-1',
})

/**
 * A presented token: `ciClaims` with `overrides` applied (an `undefined` override removes the
 * claim), issued by `issuer`.
 */
export function presented(
  overrides: Readonly<Record<string, unknown>> = {},
  issuer: string = github,
): PresentedToken {
  const claims: Record<string, unknown> = { ...ciClaims, iss: issuer }
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete claims[name]
    else claims[name] = value
  }
  return { issuer, claims, header: { alg: 'RS256', kid: 'k1', typ: 'JWT' } }
}

/** An exchange request for `payments-api` by the `ciClaims` token, with `overrides` applied. */
export function exchange(overrides: Partial<PolicyRequest> = {}): PolicyRequest {
  return { use: 'exchange', subject: presented(), target: 'payments-api', scopes: [], ...overrides }
}

/** The contract fields of an error, for one `deepEqual`. */
export interface Shown {
  readonly code: string
  readonly check: string
  readonly expected: ShownValue | undefined
  readonly actual: ShownValue | undefined
  readonly hint: HintId | undefined
}

/** Runs `fn`, asserts it throws a `TesseraError`, and returns the error. */
export function rejection(fn: () => unknown): TesseraError {
  try {
    fn()
  } catch (error) {
    assert.ok(error instanceof TesseraError, `expected a TesseraError, got ${String(error)}`)
    return error
  }
  assert.fail('expected a TesseraError to be thrown')
}

/** The contract fields of `error`. */
export function shown(error: TesseraError): Shown {
  const { code, check, expected, actual, hint } = error
  return { code, check, expected, actual, hint }
}
