// The dialect end to end, without HTTP: the form body and headers real clients send (see
// shared/reference/sdk-wire-facts.md §4) → parse → engine → render.
import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import { tokenTypes } from '../../canonical.ts'
import { createWorld, decodeParts, payments, type World } from '../../testing/world.ts'
import { parseTokenExchange, tokenExchangeGrantType } from './parse.ts'
import type { TokenExchangeResponse } from './render.ts'
import { renderTokenExchange, renderTokenExchangeError } from './render.ts'

async function handle(
  world: World,
  body: string,
  headers: Record<string, string>,
): Promise<TokenExchangeResponse> {
  const correlationId = 'req-42'
  try {
    const request = parseTokenExchange(new URLSearchParams(body), headers, { correlationId })
    return renderTokenExchange(await world.engine.exchange(request))
  } catch (error) {
    return renderTokenExchangeError(error, correlationId)
  }
}

describe('token exchange dialect', () => {
  let world: World
  let subject: string
  beforeEach(async () => {
    world = await createWorld()
    subject = world.idpToken({
      sub: 'repo:acme/payments:ref:refs/heads/main',
      repository_owner: 'acme',
      repository: 'acme/payments',
    })
  })

  it("answers oauth4webapi's client_secret_basic request with a token", async () => {
    const body = `subject_token=${subject}&subject_token_type=${encodeURIComponent(tokenTypes.jwt)}&audience=${encodeURIComponent(payments)}&scope=payments.read+payments.write&grant_type=${encodeURIComponent(tokenExchangeGrantType)}`
    const response = await handle(world, body, {
      'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
      authorization: 'Basic bXklMkRjbGllbnQ6bXklMkRzZWNyZXQ=',
    })
    assert.equal(response.status, 200)
    assert.equal(response.body.token_type, 'Bearer')
    assert.equal(response.body.scope, 'payments.read payments.write')
    const { claims } = decodeParts(response.body.access_token as string)
    // The token names the granting policy; the unauthenticated client id is only recorded.
    assert.equal(claims.client_id, 'ci-deploy')
    assert.equal(world.audit.records[0]?.correlationId, 'req-42')
    assert.equal(world.audit.records[0]?.dialect, 'token-exchange')
    assert.equal(world.audit.records[0]?.clientId, 'my-client')
  })

  it('answers a refused exchange with RFC 6749 JSON and the explanation', async () => {
    const body = `grant_type=${tokenExchangeGrantType}&subject_token=${subject}&subject_token_type=${tokenTypes.jwt}&audience=payments-api&scope=payments.admin`
    const response = await handle(world, body, {})
    assert.deepEqual(response.body, {
      error: 'invalid_scope',
      error_description: "a requested scope is not allowed by the policy (policy 'ci-deploy')",
      code: 'scope_not_allowed',
      policy: 'ci-deploy',
      correlation_id: 'req-42',
    })
    assert.equal(response.status, 400)
  })

  it('answers a malformed request with invalid_request and what was wrong', async () => {
    const response = await handle(
      world,
      `grant_type=${tokenExchangeGrantType}&audience=a&audience=b`,
      {},
    )
    assert.deepEqual(response.body, {
      error: 'invalid_request',
      error_description:
        "'audience' is sent more than once: each parameter may appear once (RFC 6749 section 3.2)",
      code: 'invalid_request',
      expected: 'audience once',
      actual: 'audience more than once',
      correlation_id: 'req-42',
    })
  })
})
