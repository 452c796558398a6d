import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compilePolicies } from '../compile.ts'
import { evaluatePolicies } from '../evaluate.ts'
import {
  ciDeploy,
  context,
  exchange,
  github,
  gitlab,
  presented,
  rejection,
  shown,
  tessera,
} from '../testing/fixtures.ts'

const agentSub = 'spiffe://example.org/agents/deployer'
const agent = presented({ sub: agentSub, aud: tessera }, tessera)

const delegated = compilePolicies(
  [
    {
      ...ciDeploy,
      actor: { issuer: tessera, subject: 'spiffe://example.org/agents/*', requireMayAct: true },
    },
  ],
  context,
)

const mayAct = { may_act: { sub: agentSub, iss: tessera } }

function refuse(subjectOverrides: Readonly<Record<string, unknown>>, actor = agent) {
  return rejection(() =>
    evaluatePolicies(delegated, exchange({ subject: presented(subjectOverrides), actor })),
  )
}

describe('actor clause', () => {
  it('passes when no actor token is presented', () => {
    assert.equal(evaluatePolicies(delegated, exchange()).policy, 'ci-deploy')
  })

  it('allows an actor named by may_act (RFC 8693 §4.4)', () => {
    const grant = evaluatePolicies(
      delegated,
      exchange({ subject: presented(mayAct), actor: agent }),
    )
    assert.equal(grant.policy, 'ci-deploy')
  })

  it('refuses an actor with actor_not_allowed when the policy allows no delegation', () => {
    const plain = compilePolicies([ciDeploy], context)
    const error = rejection(() => evaluatePolicies(plain, exchange({ actor: agent })))
    assert.deepEqual(shown(error), {
      code: 'actor_not_allowed',
      check: 'actor',
      expected: 'no actor',
      actual: agentSub,
      hint: undefined,
    })
    assert.equal(
      error.message,
      'policy "ci-deploy": an actor token (iss "http://127.0.0.1:8080", sub "spiffe://example.org/agents/deployer") was presented, but the policy allows no delegation',
    )
  })

  it("refuses an actor whose iss is not the policy's actor issuer, with a hint", () => {
    const error = refuse(mayAct, presented({ sub: agentSub }, `${tessera}/`))
    assert.deepEqual(shown(error), {
      code: 'actor_not_allowed',
      check: 'actor',
      expected: tessera,
      actual: `${tessera}/`,
      hint: 'trailing_slash',
    })
    assert.equal(
      error.message,
      'policy "ci-deploy": actor iss "http://127.0.0.1:8080/" is not "http://127.0.0.1:8080": the values differ only by a trailing slash',
    )
  })

  it("refuses an actor whose sub does not match the policy's actor subject", () => {
    const error = refuse(mayAct, presented({ sub: 'spiffe://example.org/agents/x/y' }, tessera))
    assert.deepEqual(shown(error), {
      code: 'actor_not_allowed',
      check: 'actor',
      expected: 'spiffe://example.org/agents/*',
      actual: 'spiffe://example.org/agents/x/y',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'policy "ci-deploy": actor sub "spiffe://example.org/agents/x/y" does not match "spiffe://example.org/agents/*"',
    )
  })

  it('refuses when requireMayAct is set and the subject token has no may_act', () => {
    const error = refuse({})
    assert.deepEqual(shown(error), {
      code: 'actor_not_allowed',
      check: 'actor',
      expected: `may_act.sub=${agentSub}`,
      actual: 'missing',
      hint: undefined,
    })
    assert.equal(
      error.message,
      `policy "ci-deploy": may_act is missing from the subject token, expected it to name the actor's sub "${agentSub}"`,
    )
  })

  it('refuses when may_act names another sub, with a hint', () => {
    const error = refuse({ may_act: { sub: `${agentSub}/` } })
    assert.deepEqual(shown(error), {
      code: 'actor_not_allowed',
      check: 'actor',
      expected: `may_act.sub=${agentSub}`,
      actual: `may_act.sub=${agentSub}/`,
      hint: 'trailing_slash',
    })
    assert.equal(
      error.message,
      `policy "ci-deploy": may_act.sub "${agentSub}/" is not the actor's sub "${agentSub}": the values differ only by a trailing slash`,
    )
  })

  it('refuses when may_act names another iss', () => {
    const error = refuse({ may_act: { sub: agentSub, iss: gitlab } })
    assert.deepEqual(shown(error), {
      code: 'actor_not_allowed',
      check: 'actor',
      expected: `may_act.iss=${tessera}`,
      actual: `may_act.iss=${gitlab}`,
      hint: undefined,
    })
    assert.equal(
      error.message,
      `policy "ci-deploy": may_act.iss "${gitlab}" is not the actor's iss "${tessera}"`,
    )
  })

  it('refuses when may_act has no sub', () => {
    const error = refuse({ may_act: { iss: tessera } })
    assert.deepEqual(shown(error), {
      code: 'actor_not_allowed',
      check: 'actor',
      expected: `may_act.sub=${agentSub}`,
      actual: 'missing',
      hint: undefined,
    })
  })

  it('accepts any actor sub of the issuer when the policy sets no actor subject', () => {
    const anyAgent = compilePolicies([{ ...ciDeploy, actor: { issuer: github } }], context)
    const actor = presented({ sub: 'repo:other/x:ref:refs/heads/main' })
    assert.equal(evaluatePolicies(anyAgent, exchange({ actor })).policy, 'ci-deploy')
  })
})
