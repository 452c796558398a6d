import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildActClaim, maxActDepth } from './act-claim.ts'
import { rejectsWith } from './testing/assert-error.ts'

const idp = 'https://idp.example.com'
const tessera = 'https://tessera.example.org'

describe('buildActClaim', () => {
  it('is absent without an actor token and without a prior act', () => {
    assert.equal(buildActClaim({ sub: 'user' }, undefined), undefined)
  })

  it('names the actor as the current actor: { sub, iss }', () => {
    assert.deepEqual(buildActClaim({ sub: 'user' }, { issuer: idp, claims: { sub: 'svc-a' } }), {
      sub: 'svc-a',
      iss: idp,
    })
  })

  it("keeps the actor token's own act nested under the actor", () => {
    const act = buildActClaim(
      { sub: 'user' },
      { issuer: idp, claims: { sub: 'svc-a', act: { sub: 'svc-0', iss: idp } } },
    )
    assert.deepEqual(act, { sub: 'svc-a', iss: idp, act: { sub: 'svc-0', iss: idp } })
  })

  it("keeps the subject token's chain as the prior actors: two levels after two hops", () => {
    // Hop 1: svc-a acts for the user; hop 2: svc-b exchanges that token, acting in turn.
    const hop1 = buildActClaim({ sub: 'user' }, { issuer: idp, claims: { sub: 'svc-a' } })
    const hop2 = buildActClaim(
      { sub: 'user', act: hop1 },
      { issuer: tessera, claims: { sub: 'svc-b' } },
    )
    assert.deepEqual(hop2, { sub: 'svc-b', iss: tessera, act: { sub: 'svc-a', iss: idp } })
  })

  it("places the subject's prior chain below the actor's own chain when both exist", () => {
    const act = buildActClaim(
      { sub: 'user', act: { sub: 'svc-a' } },
      { issuer: tessera, claims: { sub: 'svc-b', act: { sub: 'svc-b0', iss: idp } } },
    )
    assert.deepEqual(act, {
      sub: 'svc-b',
      iss: tessera,
      act: { sub: 'svc-b0', iss: idp, act: { sub: 'svc-a' } },
    })
  })

  it("carries the subject token's act over when there is no new actor", () => {
    const act = buildActClaim({ sub: 'user', act: { sub: 'svc-a', iss: idp } }, undefined)
    assert.deepEqual(act, { sub: 'svc-a', iss: idp })
  })

  it('copies only sub, iss and act from nested claims (RFC 8693 §4.1)', () => {
    const act = buildActClaim(
      { sub: 'user', act: { sub: 'svc-a', iss: idp, exp: 1, aud: 'x', act: { sub: 'z', nbf: 2 } } },
      undefined,
    )
    assert.deepEqual(act, { sub: 'svc-a', iss: idp, act: { sub: 'z' } })
  })

  it('refuses an actor token without sub', async () => {
    await rejectsWith(() => buildActClaim({ sub: 'user' }, { issuer: idp, claims: {} }), {
      code: 'missing_claim',
      check: 'act',
      expected: 'sub (a string)',
      actual: 'missing',
      hint: undefined,
      message: 'sub is missing from the actor token: the actor must be identified',
    })
  })

  it('refuses an act that is not an object with a string sub', async () => {
    const cases: [unknown, string][] = [
      ['svc-a', 'svc-a'],
      [null, 'null'],
      [[], '[]'],
      [{ iss: idp }, `{"iss":"${idp}"}`],
      [{ sub: 'a', iss: 3 }, '{"sub":"a","iss":3}'],
      [{ sub: 'a', act: 5 }, '5'],
    ]
    for (const [act, actual] of cases) {
      await rejectsWith(() => buildActClaim({ sub: 'user', act }, undefined), {
        code: 'missing_claim',
        check: 'act',
        expected: 'act: { sub: string, iss?: string, act?: … }',
        actual,
        hint: undefined,
      })
    }
  })

  it('refuses a chain that would grow past the depth limit', async () => {
    let act: Record<string, unknown> | undefined
    for (let i = 0; i < maxActDepth; i++)
      act = act === undefined ? { sub: `s${i}` } : { sub: `s${i}`, act }
    assert.ok(buildActClaim({ sub: 'user', act }, undefined))
    await rejectsWith(
      () => buildActClaim({ sub: 'user', act }, { issuer: idp, claims: { sub: 'one-more' } }),
      {
        code: 'invalid_request',
        check: 'act',
        expected: `<= ${maxActDepth} actors`,
        actual: `${maxActDepth + 1} actors`,
        hint: undefined,
        message: `the delegation chain would be ${maxActDepth + 1} actors deep, more than the limit of ${maxActDepth}`,
      },
    )
  })

  it('refuses a presented chain already deeper than the limit', async () => {
    let act: Record<string, unknown> = { sub: 'deepest' }
    for (let i = 0; i < maxActDepth; i++) act = { sub: `s${i}`, act }
    await rejectsWith(() => buildActClaim({ sub: 'user', act }, undefined), {
      code: 'invalid_request',
      check: 'act',
      expected: `<= ${maxActDepth} actors`,
      actual: `> ${maxActDepth} actors`,
      hint: undefined,
      message: `the subject token act chain is more than ${maxActDepth} actors deep`,
    })
  })
})
