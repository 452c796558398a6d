import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TesseraError } from '../explain/tessera-error.ts'
import {
  allow,
  allowSubjects,
  deny,
  type RequestContext,
  requireScopes,
  scopesOf,
} from './request-policy.ts'

const context: RequestContext = {
  method: 'GET',
  url: 'https://api.example.com/x',
  binding: 'bearer',
}

async function errorOf(
  decision: ReturnType<ReturnType<typeof requireScopes>>,
): Promise<TesseraError> {
  const d = await decision
  assert.equal(d.allow, false)
  return (d as { error: TesseraError }).error
}
const fields = (e: TesseraError) => ({
  code: e.code,
  check: e.check,
  expected: e.expected,
  actual: e.actual,
  hint: e.hint,
})

describe('allow and deny', () => {
  it('allow() lets the request through', () => {
    assert.deepEqual(allow(), { allow: true })
  })
  it('deny() refuses with policy_denied by default and the reason as message', () => {
    const d = deny('writes are closed')
    assert.equal(d.allow, false)
    const error = (d as { error: TesseraError }).error
    assert.deepEqual(fields(error), {
      code: 'policy_denied',
      check: 'policy',
      expected: undefined,
      actual: undefined,
      hint: undefined,
    })
    assert.equal(error.message, 'writes are closed')
  })
  it('deny() takes a code, expected and actual', () => {
    const error = (
      deny('needs admin', { code: 'insufficient_scope', expected: ['admin'], actual: [] }) as {
        error: TesseraError
      }
    ).error
    assert.deepEqual(fields(error), {
      code: 'insufficient_scope',
      check: 'request_policy',
      expected: ['admin'],
      actual: [],
      hint: undefined,
    })
  })
})

describe('scopesOf', () => {
  it('reads scope (space-separated), else scp (array or string)', () => {
    assert.deepEqual(scopesOf({ scope: 'a  b' }), ['a', 'b'])
    assert.deepEqual(scopesOf({ scp: ['a', 7, 'b'] }), ['a', 'b'])
    assert.deepEqual(scopesOf({ scp: 'a b' }), ['a', 'b'])
    assert.deepEqual(scopesOf({}), [])
  })
})

describe('requireScopes', () => {
  it('allows a token holding every required scope', async () => {
    assert.deepEqual(await requireScopes('a', 'b')({ scope: 'b c a' }, context), { allow: true })
  })
  it('insufficient_scope naming the missing scopes as expected', async () => {
    const error = await errorOf(
      requireScopes('orders:read', 'orders:write')({ scope: 'orders:read' }, context),
    )
    assert.deepEqual(fields(error), {
      code: 'insufficient_scope',
      check: 'request_policy',
      expected: ['orders:write'],
      actual: ['orders:read'],
      hint: undefined,
    })
    assert.equal(error.message, 'the token\'s scope ["orders:read"] lacks ["orders:write"]')
  })
  it('insufficient_scope with the case hint for a scope in other letter case', async () => {
    const error = await errorOf(requireScopes('orders:write')({ scp: ['Orders:Write'] }, context))
    assert.deepEqual(fields(error), {
      code: 'insufficient_scope',
      check: 'request_policy',
      expected: ['orders:write'],
      actual: ['Orders:Write'],
      hint: 'case',
    })
  })
  it('insufficient_scope for a token without scopes', async () => {
    const error = await errorOf(requireScopes('a')({}, context))
    assert.deepEqual(error.actual, [])
  })
  for (const bad of [[], [''], ['a b']] as string[][]) {
    it(`refuses ${JSON.stringify(bad)} with invalid_options`, () => {
      assert.throws(
        () => requireScopes(...bad),
        (e: unknown) => e instanceof TesseraError && e.code === 'invalid_options',
      )
    })
  }
})

describe('allowSubjects', () => {
  const policy = allowSubjects(['spiffe://example.org/svc/*', 'ci-deploy'])
  it('allows exact and glob matches', async () => {
    assert.deepEqual(await policy({ sub: 'ci-deploy' }, context), { allow: true })
    assert.deepEqual(await policy({ sub: 'spiffe://example.org/svc/a' }, context), { allow: true })
  })
  it('subject_not_allowed with the closest near-miss hint', async () => {
    const error = await errorOf(policy({ sub: 'CI-deploy' }, context))
    assert.deepEqual(fields(error), {
      code: 'subject_not_allowed',
      check: 'request_policy',
      expected: ['spiffe://example.org/svc/*', 'ci-deploy'],
      actual: 'CI-deploy',
      hint: 'case',
    })
  })
  it('subject_not_allowed without sub', async () => {
    const error = await errorOf(policy({}, context))
    assert.equal(error.code, 'subject_not_allowed')
    assert.equal(error.actual, 'missing')
    assert.equal(
      error.message,
      'sub is missing, not one of ["spiffe://example.org/svc/*", "ci-deploy"]',
    )
  })
  it('subject_not_allowed without a hint for an unrelated subject', async () => {
    const error = await errorOf(policy({ sub: 'zzz' }, context))
    assert.equal(error.hint, undefined)
  })
  for (const bad of [[], [''], 'ci' as unknown as string[]]) {
    it(`refuses ${JSON.stringify(bad)} with invalid_options`, () => {
      assert.throws(
        () => allowSubjects(bad),
        (e: unknown) => e instanceof TesseraError && e.code === 'invalid_options',
      )
    })
  }
})
