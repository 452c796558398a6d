import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compilePolicies } from '../compile.ts'
import { evaluatePolicies } from '../evaluate.ts'
import {
  ciDeploy,
  context,
  exchange,
  ledger,
  payments,
  paymentsV2,
  rejection,
  shown,
} from '../testing/fixtures.ts'
import type { PolicyConfig, PolicyRequest } from '../types.ts'

const set = compilePolicies([ciDeploy], context)

function only(policy: Partial<PolicyConfig>) {
  return compilePolicies([{ ...ciDeploy, ...policy }], context)
}

const noTarget: PolicyRequest = { use: 'exchange', subject: exchange().subject, scopes: [] }

describe('target clause', () => {
  it('resolves a service name to its first audience', () => {
    const grant = evaluatePolicies(set, exchange({ target: 'payments-api' }))
    assert.equal(grant.audience, payments)
    assert.equal(grant.service, 'payments-api')
  })

  it('resolves an audience identifier covered by a service target to itself', () => {
    const grant = evaluatePolicies(set, exchange({ target: paymentsV2 }))
    assert.equal(grant.audience, paymentsV2)
    assert.equal(grant.service, 'payments-api')
  })

  it("resolves a service name to the first of its audiences the policy's targets cover", () => {
    const grant = evaluatePolicies(
      only({ targets: [paymentsV2] }),
      exchange({ target: 'payments-api' }),
    )
    assert.equal(grant.audience, paymentsV2)
  })

  it("uses the policy's only target when no target is requested", () => {
    assert.equal(evaluatePolicies(set, noTarget).audience, payments)
  })

  it('refuses a target missing from the inventory with target_not_allowed and a hint', () => {
    const error = rejection(() => evaluatePolicies(set, exchange({ target: `${payments}/` })))
    assert.deepEqual(shown(error), {
      code: 'target_not_allowed',
      check: 'target',
      expected: [payments, paymentsV2],
      actual: `${payments}/`,
      hint: 'trailing_slash',
    })
    assert.equal(
      error.message,
      'policy "ci-deploy": target "https://payments.example.org/" is not in the inventory, expected one of ["https://payments.example.org", "https://payments.example.org/v2"]: the values differ only by a trailing slash',
    )
  })

  it("refuses an inventory target outside the policy's targets", () => {
    const error = rejection(() => evaluatePolicies(set, exchange({ target: 'ledger' })))
    assert.deepEqual(shown(error), {
      code: 'target_not_allowed',
      check: 'target',
      expected: [payments, paymentsV2],
      actual: 'ledger',
      hint: undefined,
    })
    assert.equal(
      error.message,
      `policy "ci-deploy": target "ledger" is not one of the policy's targets, expected one of ["https://payments.example.org", "https://payments.example.org/v2"]`,
    )
  })

  it("refuses an audience of a listed service that the policy's audience target does not cover", () => {
    const error = rejection(() =>
      evaluatePolicies(only({ targets: [paymentsV2, ledger] }), exchange({ target: payments })),
    )
    assert.deepEqual(shown(error), {
      code: 'target_not_allowed',
      check: 'target',
      expected: [paymentsV2, ledger],
      actual: payments,
      hint: 'path',
    })
  })

  it('refuses a request without target when the policy has several', () => {
    const error = rejection(() =>
      evaluatePolicies(only({ targets: ['payments-api', 'ledger'] }), noTarget),
    )
    assert.deepEqual(shown(error), {
      code: 'target_not_allowed',
      check: 'target',
      expected: [payments, paymentsV2, ledger],
      actual: 'missing',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'policy "ci-deploy": no target was requested and the policy has several, expected one of ["https://payments.example.org", "https://payments.example.org/v2", "https://ledger.example.org"]',
    )
  })
})

describe('scope clause', () => {
  it('grants every scope of the policy when none is requested', () => {
    assert.deepEqual(evaluatePolicies(set, exchange()).scopes, ['payments.read', 'payments.write'])
  })

  it('grants exactly the requested scopes, once each', () => {
    const grant = evaluatePolicies(set, exchange({ scopes: ['payments.read', 'payments.read'] }))
    assert.deepEqual(grant.scopes, ['payments.read'])
  })

  it('refuses scopes outside the policy with scope_not_allowed, naming only the extra ones', () => {
    const error = rejection(() =>
      evaluatePolicies(set, exchange({ scopes: ['payments.read', 'payments.Write', 'admin'] })),
    )
    assert.deepEqual(shown(error), {
      code: 'scope_not_allowed',
      check: 'scope',
      expected: ['payments.read', 'payments.write'],
      actual: ['payments.Write', 'admin'],
      hint: 'case',
    })
    assert.equal(
      error.message,
      'policy "ci-deploy": scope ["payments.Write", "admin"] is not allowed, expected a subset of ["payments.read", "payments.write"]: the values differ only by letter case',
    )
  })

  it('refuses every scope when the policy lists none', () => {
    const { scopes: _, ...withoutScopes } = ciDeploy
    const error = rejection(() =>
      evaluatePolicies(
        compilePolicies([withoutScopes], context),
        exchange({ scopes: ['payments.read'] }),
      ),
    )
    assert.deepEqual(shown(error), {
      code: 'scope_not_allowed',
      check: 'scope',
      expected: [],
      actual: ['payments.read'],
      hint: undefined,
    })
    assert.equal(
      error.message,
      'policy "ci-deploy": scope ["payments.read"] is not allowed: the policy grants no scopes',
    )
  })
})
