// The main job end to end (issue #4, Acceptance 1): a real Tessera from startTessera on a temp
// config with the SQLite store, a test CI issuer trusted through an inline JWKS, and nothing
// but HTTP between the test and the server — join token → workload identity token → RFC 8693
// exchange → an access token that @tessera/verify accepts when configured from discovery; a
// denial for each policy clause with its RFC error, Tessera code, hint, correlation id and
// audit record; single-use subject tokens; delegation one and two hops deep.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { createVerifier } from '@tessera/verify'
import { runCli } from '../../src/cli/main.ts'
import { memoryOutput } from '../../src/cli/output/stream.ts'
import {
  accessTokenType,
  assertHoldsNoToken,
  auditRecordFor,
  claimsOf,
  headerOf,
  identityToken,
  type JsonAnswer,
  jwtTokenType,
  postIdentity,
  postTokenExchange,
  startWorld,
  type World,
} from '../support/e2e-world.ts'

const ciIssuer = 'https://ci.example.com'
// Trusted, with its own key, but named by no policy: one trailing slash away from ciIssuer.
const ciSlashIssuer = 'https://ci.example.com/'
const k8sIssuer = 'https://k8s.example.com'
const payments = 'https://payments.example.org'
const orchestrator = 'https://orchestrator.example.org'
const mainBranch = 'repo:acme/payments:ref:refs/heads/main'

function body({ url, jwks }: { url: string; jwks: (name: string) => string }): string {
  return `trustDomain: example.org
issuer:
  keyEncryptionKey: env:TESSERA_TEST_KEK
trustedIssuers:
  - issuer: ${ciIssuer}
    jwks: ${jwks('ci')}
    algorithms: [ES256]
  - issuer: ${ciSlashIssuer}
    jwks: ${jwks('ci-slash')}
  - issuer: ${k8sIssuer}
    jwks: ${jwks('k8s')}
inventory:
  services:
    - name: payments-api
      audiences: [${payments}]
    - name: orchestrator
      audiences: [${orchestrator}]
policies:
  - name: block-experimental
    effect: deny
    issuer: ${ciIssuer}
    subject: "repo:acme/payments:ref:refs/heads/experimental"
  - name: ci-deploy
    issuer: ${ciIssuer}
    subject: "repo:acme/payments:ref:refs/heads/*"
    claims: { repository_owner: acme }
    condition: { expression: "claims.run_attempt == '1'", message: first attempts only }
    targets: [payments-api]
    scopes: [payments.read, payments.write]
    singleUse: true
  # Accepts presented tokens for the issuer URL plus "/", so the verifier lets such a token
  # through to ci-deploy's audience clause.
  - name: k8s-legacy
    issuer: ${k8sIssuer}
    audience: ${url}/
    subject: "system:serviceaccount:legacy:*"
    targets: [payments-api]
  - name: workloads
    issuer: ${url}
    audience: [${url}, ${orchestrator}]
    subject: "spiffe://example.org/**"
    actor: { issuer: ${url}, subject: "spiffe://example.org/agents/*" }
    targets: [payments-api, orchestrator]
    scopes: [payments.read, payments.write]
`
}

let world: World
before(async () => {
  world = await startWorld({ issuers: ['ci', 'ci-slash', 'k8s'], body, store: 'sqlite' })
})
after(() => world.close())

/** A CI token that ci-deploy accepts, with `changes` applied. */
function ciToken(changes: Record<string, unknown> = {}): string {
  return world.issuer('ci').sign({
    iss: ciIssuer,
    aud: world.url,
    sub: mainBranch,
    repository_owner: 'acme',
    run_attempt: '1',
    ...changes,
  })
}

function exchange(subjectToken: string, params: Record<string, string> = {}) {
  return postTokenExchange(world.url, {
    subject_token: subjectToken,
    subject_token_type: jwtTokenType,
    audience: payments,
    ...params,
  })
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

/** The verifier a resource server would run: Tessera's keys found through discovery. */
function resourceVerifier(audience: string) {
  return createVerifier({
    issuers: [{ issuer: world.url, discovery: true }],
    audience,
    typ: 'at+jwt',
    clock: world.now,
  })
}

/** The correlation id of an answer, after checking the header and the body agree. */
function correlationOf(answer: JsonAnswer): string {
  const id = answer.body.correlation_id
  assert.equal(typeof id, 'string')
  assert.equal(answer.headers.get('x-correlation-id'), id)
  return id as string
}

describe('join token → workload identity token → exchange → access token', () => {
  it('a join token from `tessera join-token create` buys a JWT whose sub is the SPIFFE ID', async () => {
    const output = memoryOutput()
    const status = await runCli(
      [
        'join-token',
        'create',
        '--spiffe-id',
        'spiffe://example.org/web',
        '--config',
        world.configPath,
      ],
      output,
    )
    assert.equal(status, 0, output.stderr.join('\n'))
    const joinToken = output.stdout[0] as string
    assert.match(joinToken, /^tjt_[A-Za-z0-9_-]{43}$/)

    const answer = await postIdentity(world.url, { joinToken, audience: world.url })
    assert.equal(answer.status, 200, JSON.stringify(answer.body))
    assert.equal(answer.body.sub, 'spiffe://example.org/web')
    assert.equal(answer.body.expires_in, 300)
    const token = answer.body.token as string
    assert.deepEqual(headerOf(token).typ, 'JWT')
    const claims = claimsOf(token)
    assert.equal(claims.iss, world.url)
    assert.equal(claims.sub, 'spiffe://example.org/web')
    assert.equal(claims.aud, world.url)
    assert.equal(claims.iat, world.now())
    assert.equal(claims.exp, world.now() + 300)
    assert.equal(typeof claims.jti, 'string')
  })

  it('a join token is single use: the second redemption is refused with join_token_invalid', async () => {
    const output = memoryOutput()
    const args = ['join-token', 'create', '--spiffe-id', 'spiffe://example.org/once']
    assert.equal(await runCli([...args, '--config', world.configPath], output), 0)
    const joinToken = output.stdout[0] as string
    assert.equal((await postIdentity(world.url, { joinToken, audience: world.url })).status, 200)
    const again = await postIdentity(world.url, { joinToken, audience: world.url })
    assert.equal(again.status, 400)
    assert.equal(again.body.error, 'invalid_grant')
    assert.equal(again.body.code, 'join_token_invalid')
    const record = await auditRecordFor(world.url, correlationOf(again))
    assert.equal(record.kind, 'identity')
    assert.equal(record.decision, 'deny')
    assert.equal(record.code, 'join_token_invalid')
    assertHoldsNoToken(record, joinToken)
  })

  it('exchanges the identity token for an at+jwt that @tessera/verify accepts from discovery', async () => {
    const identity = await identityToken(world, 'spiffe://example.org/web')
    const answer = await exchange(identity, { scope: 'payments.read' })
    assert.equal(answer.status, 200, JSON.stringify(answer.body))
    assert.equal(answer.headers.get('cache-control'), 'no-store')
    const accessToken = answer.body.access_token as string
    assert.deepEqual(answer.body, {
      access_token: accessToken,
      issued_token_type: accessTokenType,
      token_type: 'Bearer',
      expires_in: 900,
      scope: 'payments.read',
    })

    const verified = await resourceVerifier(payments).verify(accessToken)
    assert.equal(verified.header.typ, 'at+jwt')
    const { claims } = verified
    assert.equal(claims.iss, world.url)
    assert.equal(claims.sub, 'spiffe://example.org/web')
    assert.equal(claims.aud, payments)
    assert.equal(claims.client_id, 'workloads')
    assert.equal(claims.scope, 'payments.read')
    assert.equal(claims.iat, world.now())
    assert.equal(claims.exp, world.now() + 900)
    assert.equal(typeof claims.jti, 'string')
    assert.equal(claims.act, undefined)

    const record = await auditRecordFor(world.url, answer.headers.get('x-correlation-id') as string)
    assert.equal(record.decision, 'allow')
    assert.equal(record.policy, 'workloads')
    assert.deepEqual(record.issued, {
      sub: 'spiffe://example.org/web',
      aud: payments,
      scope: 'payments.read',
      exp: claims.exp,
      jti: claims.jti,
      tokenSha256: sha256(accessToken),
    })
    assertHoldsNoToken(record, identity, accessToken)
  })

  it('the access token is refused by a resource server of another audience', async () => {
    const identity = await identityToken(world, 'spiffe://example.org/web')
    const answer = await exchange(identity)
    assert.equal(answer.status, 200)
    await assert.rejects(
      resourceVerifier(orchestrator).verify(answer.body.access_token as string),
      {
        code: 'audience_mismatch',
      },
    )
  })

  it('exchanges a trusted CI token under its policy, client_id the policy, the claimed id recorded', async () => {
    const answer = await exchange(ciToken(), { scope: 'payments.write', client_id: 'deployer' })
    assert.equal(answer.status, 200, JSON.stringify(answer.body))
    const { claims } = await resourceVerifier(payments).verify(answer.body.access_token as string)
    assert.equal(claims.sub, mainBranch)
    // Clients are not authenticated: a caller cannot choose the client_id a resource server sees.
    assert.equal(claims.client_id, 'ci-deploy')
    assert.equal(claims.scope, 'payments.write')
    const record = await auditRecordFor(world.url, answer.headers.get('x-correlation-id') as string)
    assert.equal(record.clientId, 'deployer')
  })
})

/** One policy clause's refusal as the caller sees it. */
interface Denial {
  readonly name: string
  readonly token: () => string
  readonly params?: Record<string, string>
  /** Presents an actor token (a workload identity token) as well. */
  readonly withActor?: boolean
  /** The whole body except correlation_id. */
  readonly body: (url: string) => Record<string, unknown>
  /** Presented `iss` in the audit record. */
  readonly iss: string
  /** The audit record's message, when the test pins it: the detail the caller is not shown. */
  readonly message?: (url: string) => string
}

const denials: readonly Denial[] = [
  {
    name: 'no_matching_policy: an issuer no policy names, one trailing slash from one that is',
    token: () =>
      world.issuer('ci-slash').sign({ iss: ciSlashIssuer, aud: world.url, sub: mainBranch }),
    iss: ciSlashIssuer,
    body: () => ({
      error: 'invalid_grant',
      error_description: 'no trust policy allows this identity to obtain what it asked for',
      code: 'no_matching_policy',
      hint: 'trailing_slash',
    }),
  },
  {
    name: 'audience_mismatch: the presented aud differs from the policy audience by a trailing slash',
    token: () => ciToken({ aud: `${world.url}/` }),
    iss: ciIssuer,
    // A policy clause goes out at summary whatever its code's exposure: the accepted
    // audiences are the policy's, not the caller's to learn (the audit record has them).
    body: () => ({
      error: 'invalid_grant',
      error_description: "the token was issued for a different audience (policy 'ci-deploy')",
      code: 'audience_mismatch',
      hint: 'trailing_slash',
      policy: 'ci-deploy',
    }),
    message: (url) =>
      `policy "ci-deploy": aud "${url}/" is not one of ["${url}"]: the values differ only by a trailing slash`,
  },
  {
    name: 'subject_mismatch: a sub that matches the pattern only ignoring case, with the case hint',
    token: () => ciToken({ sub: 'repo:Acme/payments:ref:refs/heads/main' }),
    iss: ciIssuer,
    body: () => ({
      error: 'invalid_grant',
      error_description: "the sub claim is not one of the accepted subjects (policy 'ci-deploy')",
      code: 'subject_mismatch',
      hint: 'case',
      policy: 'ci-deploy',
    }),
    message: () =>
      'policy "ci-deploy": sub "repo:Acme/payments:ref:refs/heads/main" does not match "repo:acme/payments:ref:refs/heads/*": the value matches the pattern ignoring letter case (comparison is case-sensitive)',
  },
  {
    name: 'claim_mismatch: a claim that differs only by case, with the case hint',
    token: () => ciToken({ repository_owner: 'Acme' }),
    iss: ciIssuer,
    body: () => ({
      error: 'invalid_grant',
      error_description:
        "a claim of the presented token does not match the policy (policy 'ci-deploy')",
      code: 'claim_mismatch',
      hint: 'case',
      policy: 'ci-deploy',
    }),
  },
  {
    name: "condition_failed: the CEL condition is false, answered with the author's message",
    token: () => ciToken({ run_attempt: '2' }),
    iss: ciIssuer,
    body: () => ({
      error: 'invalid_grant',
      error_description:
        "the policy's condition evaluated to false (policy 'ci-deploy'): first attempts only",
      code: 'condition_failed',
      policy: 'ci-deploy',
    }),
  },
  {
    name: 'target_not_allowed: a target one trailing slash from the inventory audience',
    token: () => ciToken(),
    params: { audience: `${payments}/` },
    iss: ciIssuer,
    body: () => ({
      error: 'invalid_target',
      error_description:
        "the requested audience is not in the inventory or not allowed by the policy (policy 'ci-deploy')",
      code: 'target_not_allowed',
      hint: 'trailing_slash',
      policy: 'ci-deploy',
    }),
  },
  {
    name: 'scope_not_allowed: a scope the policy does not list',
    token: () => ciToken(),
    params: { scope: 'payments.read payments.admin' },
    iss: ciIssuer,
    body: () => ({
      error: 'invalid_scope',
      error_description: "a requested scope is not allowed by the policy (policy 'ci-deploy')",
      code: 'scope_not_allowed',
      policy: 'ci-deploy',
    }),
  },
  {
    name: 'actor_not_allowed: an actor token under a policy that allows no delegation',
    token: () => ciToken(),
    withActor: true,
    iss: ciIssuer,
    body: () => ({
      error: 'invalid_grant',
      error_description: "the actor token may not act for this subject (policy 'ci-deploy')",
      code: 'actor_not_allowed',
      policy: 'ci-deploy',
    }),
  },
  {
    name: 'policy_denied: a deny rule matches, winning over the allow policy',
    token: () => ciToken({ sub: 'repo:acme/payments:ref:refs/heads/experimental' }),
    iss: ciIssuer,
    body: () => ({
      error: 'invalid_grant',
      error_description: "a deny rule matched the presented identity (policy 'block-experimental')",
      code: 'policy_denied',
      policy: 'block-experimental',
    }),
  },
]

describe('a denial for each policy clause, over HTTP', () => {
  for (const denial of denials) {
    it(`${denial.name}; audited under its correlation id without the token`, async () => {
      const token = denial.token()
      const params: Record<string, string> = { ...denial.params }
      let actor: string | undefined
      if (denial.withActor === true) {
        actor = await identityToken(world, 'spiffe://example.org/agents/a1')
        params.actor_token = actor
        params.actor_token_type = jwtTokenType
      }
      const answer = await exchange(token, params)
      const correlationId = correlationOf(answer)
      assert.equal(answer.status, 400)
      assert.equal(answer.headers.get('www-authenticate'), null)
      assert.deepEqual(answer.body, { ...denial.body(world.url), correlation_id: correlationId })

      const record = await auditRecordFor(world.url, correlationId)
      const expected = denial.body(world.url)
      assert.equal(record.kind, 'exchange')
      assert.equal(record.dialect, 'token-exchange')
      assert.equal(record.decision, 'deny')
      assert.equal(record.code, expected.code)
      assert.equal(record.hint, expected.hint)
      const presented = record.presented as Record<string, unknown>
      assert.equal(presented.iss, denial.iss)
      assert.equal(presented.tokenSha256, sha256(token))
      assert.equal(record.issued, undefined)
      // The full explanation is the audit log's, whatever the caller was shown.
      assert.equal(typeof record.message, 'string')
      if (denial.message !== undefined) assert.equal(record.message, denial.message(world.url))
      assertHoldsNoToken(record, token, ...(actor === undefined ? [] : [actor]))
    })
  }

  it('the audit record carries the explanation the caller was not shown (claim_mismatch)', async () => {
    const answer = await exchange(ciToken({ repository_owner: 'acme-corp' }))
    assert.equal(answer.body.code, 'claim_mismatch')
    assert.equal(answer.body.hint, undefined)
    assert.ok(!JSON.stringify(answer.body).includes('acme-corp'))
    const record = await auditRecordFor(world.url, correlationOf(answer))
    assert.equal(
      record.message,
      'policy "ci-deploy": claim "repository_owner" "acme-corp" does not match "acme"',
    )
    assert.equal(record.policy, 'ci-deploy')
  })
})

describe('single-use subject tokens', () => {
  it('a subject token exchanged once is refused the second time with replay', async () => {
    const token = ciToken()
    const first = await exchange(token)
    assert.equal(first.status, 200, JSON.stringify(first.body))
    const second = await exchange(token)
    const correlationId = correlationOf(second)
    assert.equal(second.status, 400)
    assert.equal(second.body.error, 'invalid_grant')
    assert.equal(second.body.code, 'replay')
    const record = await auditRecordFor(world.url, correlationId)
    assert.equal(record.decision, 'deny')
    assert.equal(record.code, 'replay')
    assertHoldsNoToken(record, token)
  })

  it('a request refused by policy does not use the token up: it is still accepted once', async () => {
    const token = ciToken()
    const refused = await exchange(token, { scope: 'payments.admin' })
    assert.equal(refused.body.code, 'scope_not_allowed')
    assert.equal((await exchange(token, { scope: 'payments.read' })).status, 200)
    assert.equal((await exchange(token, { scope: 'payments.read' })).body.code, 'replay')
  })

  it('a policy without singleUse accepts the same token again', async () => {
    const identity = await identityToken(world, 'spiffe://example.org/web')
    assert.equal((await exchange(identity)).status, 200)
    assert.equal((await exchange(identity)).status, 200)
  })
})

describe('delegation (RFC 8693 actor_token)', () => {
  it('a subject and an actor token produce a nested act naming the actor', async () => {
    const subject = await identityToken(world, 'spiffe://example.org/web')
    const actor = await identityToken(world, 'spiffe://example.org/agents/a1')
    const answer = await exchange(subject, { actor_token: actor, actor_token_type: jwtTokenType })
    assert.equal(answer.status, 200, JSON.stringify(answer.body))
    const { claims } = await resourceVerifier(payments).verify(answer.body.access_token as string)
    assert.equal(claims.sub, 'spiffe://example.org/web')
    assert.deepEqual(claims.act, { sub: 'spiffe://example.org/agents/a1', iss: world.url })
    const record = await auditRecordFor(world.url, answer.headers.get('x-correlation-id') as string)
    assert.equal(
      (record.presented as Record<string, unknown>).actorSub,
      'spiffe://example.org/agents/a1',
    )
    assertHoldsNoToken(record, subject, actor, answer.body.access_token as string)
  })

  it('two hops: the delegated token exchanged again with a second actor nests two levels', async () => {
    const subject = await identityToken(world, 'spiffe://example.org/web')
    const first = await exchange(subject, {
      audience: orchestrator,
      actor_token: await identityToken(world, 'spiffe://example.org/agents/a1'),
      actor_token_type: jwtTokenType,
    })
    assert.equal(first.status, 200, JSON.stringify(first.body))
    const hop1 = first.body.access_token as string
    assert.deepEqual(claimsOf(hop1).act, { sub: 'spiffe://example.org/agents/a1', iss: world.url })

    const second = await exchange(hop1, {
      subject_token_type: accessTokenType,
      actor_token: await identityToken(world, 'spiffe://example.org/agents/a2'),
      actor_token_type: jwtTokenType,
    })
    assert.equal(second.status, 200, JSON.stringify(second.body))
    const { claims } = await resourceVerifier(payments).verify(second.body.access_token as string)
    assert.equal(claims.sub, 'spiffe://example.org/web')
    assert.deepEqual(claims.act, {
      sub: 'spiffe://example.org/agents/a2',
      iss: world.url,
      act: { sub: 'spiffe://example.org/agents/a1', iss: world.url },
    })
  })

  it('refuses an actor outside the policy actor pattern with actor_not_allowed', async () => {
    const subject = await identityToken(world, 'spiffe://example.org/web')
    const actor = await identityToken(world, 'spiffe://example.org/agent/a1')
    const answer = await exchange(subject, { actor_token: actor, actor_token_type: jwtTokenType })
    assert.equal(answer.status, 400)
    assert.deepEqual(answer.body, {
      error: 'invalid_grant',
      error_description: "the actor token may not act for this subject (policy 'workloads')",
      code: 'actor_not_allowed',
      policy: 'workloads',
      correlation_id: correlationOf(answer),
    })
  })
})

describe('lifetimes, on the injected clock', () => {
  it('a workload identity token is exchangeable for 300 s and then refused with expired', async () => {
    const identity = await identityToken(world, 'spiffe://example.org/web')
    const { exp } = claimsOf(identity) as { exp: number }
    world.advance(exp - world.now() - 1)
    assert.equal((await exchange(identity)).status, 200)
    // 119 s past exp: beyond the verifier's 60 s leeway, close enough to be called clock skew.
    world.advance(120)
    const answer = await exchange(identity)
    assert.equal(answer.status, 400)
    const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')
    assert.deepEqual(answer.body, {
      error: 'invalid_grant',
      error_description: `exp ${iso(exp)} is 119 s before now ${iso(exp + 119)} (leeway 60 s): 59 s beyond the leeway: this looks like clock skew between issuer and receiver`,
      code: 'expired',
      hint: 'clock_skew',
      expected: `exp after ${iso(exp + 59)}`,
      actual: `exp ${iso(exp)}`,
      correlation_id: correlationOf(answer),
    })
    const record = await auditRecordFor(world.url, correlationOf(answer))
    assert.equal(record.code, 'expired')
    assertHoldsNoToken(record, identity)
  })
})
