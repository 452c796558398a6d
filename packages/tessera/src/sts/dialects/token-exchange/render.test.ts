import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { codes, TesseraError } from '@tessera/verify'
import { tokenTypes } from '../../canonical.ts'
import { createWorld, payments, type World } from '../../testing/world.ts'
import { renderTokenExchange, renderTokenExchangeError } from './render.ts'

const noStore = {
  'content-type': 'application/json',
  'cache-control': 'no-store',
  pragma: 'no-cache',
}

async function refusal(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run()
  } catch (error) {
    return error
  }
  throw new Error('expected a refusal')
}

describe('renderTokenExchange', () => {
  it('renders RFC 8693 §2.2.1 JSON with token_type and no caching', () => {
    const response = renderTokenExchange({
      accessToken: 'a.b.c',
      issuedTokenType: tokenTypes.accessToken,
      tokenType: 'Bearer',
      expiresIn: 600,
      scope: 'payments.read',
      correlationId: 'c',
    })
    assert.deepEqual(response, {
      status: 200,
      body: {
        access_token: 'a.b.c',
        issued_token_type: tokenTypes.accessToken,
        token_type: 'Bearer',
        expires_in: 600,
        scope: 'payments.read',
      },
      headers: noStore,
    })
  })

  it('leaves scope out when none was granted', () => {
    const { body } = renderTokenExchange({
      accessToken: 'a.b.c',
      issuedTokenType: tokenTypes.jwt,
      tokenType: 'Bearer',
      expiresIn: 60,
      correlationId: 'c',
    })
    assert.equal('scope' in body, false)
  })
})

describe('renderTokenExchangeError', () => {
  let world: World
  before(async () => {
    world = await createWorld()
  })

  it('shows a detail code with message, hint, expected and actual, as invalid_grant', () => {
    const error = new TesseraError({
      code: 'audience_mismatch',
      message:
        'aud "https://api.example.com/" is not one of ["https://api.example.com"]: the values differ only by a trailing slash',
      expected: ['https://api.example.com'],
      actual: ['https://api.example.com/'],
      hint: 'trailing_slash',
    })
    assert.deepEqual(renderTokenExchangeError(error, 'corr-1'), {
      status: 400,
      body: {
        error: 'invalid_grant',
        error_description:
          "aud 'https://api.example.com/' is not one of ['https://api.example.com']: the values differ only by a trailing slash",
        code: 'audience_mismatch',
        hint: 'trailing_slash',
        expected: ['https://api.example.com'],
        actual: ['https://api.example.com/'],
        correlation_id: 'corr-1',
      },
      headers: noStore,
    })
  })

  it('keeps error_description within the characters RFC 6749 §5.2 allows', () => {
    const error = new TesseraError({
      code: 'invalid_request',
      message: 'scope "a\\b" is… odd\u0007 é',
    })
    assert.equal(
      renderTokenExchangeError(error, 'c').body.error_description,
      "scope 'a?b' is... odd? ?",
    )
  })

  it('shows a summary code with its summary, the policy and the hint, without expected/actual', async () => {
    const error = await refusal(() =>
      world.engine.exchange({
        dialect: 'token-exchange',
        correlationId: 'c',
        subjectToken: world.idpToken({
          sub: 'repo:acme/payments:ref:refs/heads/main',
          repository_owner: 'acme',
          repository: 'acme/payments',
        }),
        subjectTokenType: tokenTypes.jwt,
        audience: `${payments}/`,
        scopes: [],
      }),
    )
    assert.deepEqual(renderTokenExchangeError(error, 'corr-2'), {
      status: 400,
      body: {
        error: 'invalid_target',
        error_description: `${codes.target_not_allowed.summary} (policy 'ci-deploy')`,
        code: 'target_not_allowed',
        hint: 'trailing_slash',
        policy: 'ci-deploy',
        correlation_id: 'corr-2',
      },
      headers: noStore,
    })
  })

  it('shows a policy clause of a detail code (subject_mismatch) at summary: no pattern, no value', async () => {
    const error = await refusal(() =>
      world.engine.exchange({
        dialect: 'token-exchange',
        correlationId: 'corr-5',
        subjectToken: world.idpToken({
          sub: 'repo:Acme/payments:ref:refs/heads/main',
          repository_owner: 'acme',
          repository: 'acme/payments',
        }),
        subjectTokenType: tokenTypes.jwt,
        audience: 'payments-api',
        scopes: [],
      }),
    )
    assert.deepEqual(renderTokenExchangeError(error, 'corr-5'), {
      status: 400,
      body: {
        error: 'invalid_grant',
        error_description: `${codes.subject_mismatch.summary} (policy 'ci-deploy')`,
        code: 'subject_mismatch',
        hint: 'case',
        policy: 'ci-deploy',
        correlation_id: 'corr-5',
      },
      headers: noStore,
    })
    // The pattern the caller is not shown is in the audit record.
    const record = world.audit.records.find((r) => r.correlationId === 'corr-5')
    assert.match(record?.message ?? '', /does not match "repo:acme\/payments:ref:refs\/heads\/\*"/)
  })

  it("adds the author's message to condition_failed", async () => {
    const error = await refusal(() =>
      world.engine.exchange({
        dialect: 'token-exchange',
        correlationId: 'c',
        subjectToken: world.idpToken({ sub: 'cond:1', run_attempt: '3' }),
        subjectTokenType: tokenTypes.jwt,
        audience: 'payments-api',
        scopes: [],
      }),
    )
    assert.deepEqual(renderTokenExchangeError(error, 'corr-3').body, {
      error: 'invalid_grant',
      error_description: `${codes.condition_failed.summary} (policy 'first-attempts'): first attempts only`,
      code: 'condition_failed',
      policy: 'first-attempts',
      correlation_id: 'corr-3',
    })
  })

  it('shows a summary code without a policy when none is known', () => {
    const error = new TesseraError({
      code: 'jwks_unavailable',
      message: 'fetch https://idp/jwks failed: ECONNREFUSED',
    })
    assert.deepEqual(renderTokenExchangeError(error, 'c'), {
      status: 503,
      body: {
        error: 'temporarily_unavailable',
        error_description: codes.jwks_unavailable.summary,
        code: 'jwks_unavailable',
        correlation_id: 'c',
      },
      headers: noStore,
    })
  })

  it('shows an opaque code with only its summary, code and correlation id', () => {
    const error = new TesseraError({
      code: 'internal_error',
      message: 'the audit record could not be written (disk full): the issued token is withheld',
    })
    assert.deepEqual(renderTokenExchangeError(error, 'corr-4'), {
      status: 500,
      body: {
        error: 'server_error',
        error_description: 'the server failed; the correlation id finds the details in its log',
        code: 'internal_error',
        correlation_id: 'corr-4',
      },
      headers: noStore,
    })
  })

  it('answers anything that is not a TesseraError as an opaque internal_error', () => {
    const { status, body } = renderTokenExchangeError(new Error('secret path /etc/x'), 'c')
    assert.equal(status, 500)
    assert.deepEqual(body, {
      error: 'server_error',
      error_description: codes.internal_error.summary,
      code: 'internal_error',
      correlation_id: 'c',
    })
  })

  it('never sets www-authenticate', () => {
    for (const code of Object.keys(codes) as (keyof typeof codes)[]) {
      const { headers } = renderTokenExchangeError(new TesseraError({ code, message: 'x' }), 'c')
      assert.equal(
        Object.keys(headers).some((h) => h.toLowerCase() === 'www-authenticate'),
        false,
      )
    }
  })
})
