import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Problem } from '@tessera/verify'
import { compilePolicies } from './compile.ts'
import { ciDeploy, context, github, rejection, tessera } from './testing/fixtures.ts'
import type { PolicyConfig } from './types.ts'

function problemsOf(...policies: readonly PolicyConfig[]): readonly Problem[] {
  const error = rejection(() => compilePolicies(policies, context))
  assert.equal(error.code, 'invalid_config')
  return error.problems ?? []
}

function compiles(...policies: readonly PolicyConfig[]): void {
  assert.doesNotThrow(() => compilePolicies(policies, context))
}

const ownSubject = (subject: string): PolicyConfig => ({ ...ciDeploy, issuer: tessera, subject })

const identityPolicy: PolicyConfig = {
  name: 'ci-identity',
  use: 'identity',
  issuer: github,
  subject: 'repo:acme/**',
  targets: ['payments-api'],
  output: { subject: 'spiffe://{trustDomain}/ci/{claims.repository}' },
}

describe('compilePolicies: issuers', () => {
  it('refuses an issuer with any glob or regex metacharacter', () => {
    for (const meta of ['*', '?', '[', '(', '|', '^', '$']) {
      assert.deepEqual(problemsOf({ ...ciDeploy, issuer: `https://ci.example.com/${meta}` }), [
        {
          path: '/policies/0/issuer',
          message: `issuer "https://ci.example.com/${meta}" contains "${meta}": issuers are compared exactly, and a pattern could span "/" or "."`,
        },
      ])
    }
  })

  it("accepts Tessera's own issuer URL", () => {
    compiles({ ...ciDeploy, issuer: tessera, subject: 'spiffe://example.org/ci/*' })
  })

  it('refuses an actor issuer that is not trusted, with a near-miss hint', () => {
    assert.deepEqual(problemsOf({ ...ciDeploy, actor: { issuer: 'HTTP://127.0.0.1:8080' } }), [
      {
        path: '/policies/0/actor/issuer',
        message:
          'issuer "HTTP://127.0.0.1:8080" is neither a trusted issuer nor Tessera\'s own issuer "http://127.0.0.1:8080": the values differ only by letter case (in the scheme)',
      },
    ])
  })
})

describe('compilePolicies: what an allow policy must say', () => {
  it('refuses an allow policy with neither subject nor claims', () => {
    const { subject: _, claims: __, ...unconstrained } = ciDeploy
    assert.deepEqual(problemsOf(unconstrained), [
      {
        path: '/policies/0',
        message: 'an allow policy must constrain the identity: set subject (not "**") or claims',
      },
    ])
  })

  it('treats a subject of ** with no claims as unconstrained', () => {
    const { claims: _, ...subjectOnly } = ciDeploy
    assert.deepEqual(problemsOf({ ...subjectOnly, subject: '**' }), [
      {
        path: '/policies/0',
        message: 'an allow policy must constrain the identity: set subject (not "**") or claims',
      },
    ])
  })

  it('accepts claims alone as the constraint', () => {
    const { subject: _, ...claimsOnly } = ciDeploy
    compiles(claimsOnly)
  })

  it('refuses an allow policy without targets', () => {
    const { targets: _, ...withoutTargets } = ciDeploy
    assert.deepEqual(problemsOf(withoutTargets), [
      {
        path: '/policies/0/targets',
        message: 'is required for an allow policy: the inventory services or audiences it grants',
      },
    ])
  })

  it('refuses a target outside the inventory with a near-miss hint', () => {
    assert.deepEqual(problemsOf({ ...ciDeploy, targets: ['Payments-API'] }), [
      {
        path: '/policies/0/targets/0',
        message:
          'target "Payments-API" is neither a service name nor an audience in the inventory: the values differ only by letter case',
      },
    ])
  })

  it('refuses a lifetime cap that is not a positive whole number', () => {
    assert.deepEqual(problemsOf({ ...ciDeploy, maxTtlSeconds: 1.5 }), [
      {
        path: '/policies/0/maxTtlSeconds',
        message: '1.5 is not a positive whole number of seconds',
      },
    ])
  })
})

describe('compilePolicies: deny policies', () => {
  it('lets a deny policy omit targets, subject and claims', () => {
    compiles({ name: 'deny-gitlab', effect: 'deny', issuer: 'https://gitlab.example.com' })
  })

  it('refuses fields that have no effect on a deny policy', () => {
    const deny: PolicyConfig = {
      name: 'deny',
      effect: 'deny',
      issuer: github,
      scopes: ['a'],
      maxTtlSeconds: 60,
      output: { subject: '{sub}' },
      singleUse: true,
      actor: { issuer: github },
    }
    assert.deepEqual(
      problemsOf(deny).map((p) => p.path),
      [
        '/policies/0/scopes',
        '/policies/0/maxTtlSeconds',
        '/policies/0/output',
        '/policies/0/singleUse',
        '/policies/0/actor',
      ],
    )
    assert.equal(problemsOf(deny)[0]?.message, 'has no effect on a deny policy')
  })
})

describe('compilePolicies: patterns that can never match', () => {
  it('refuses an empty subject', () => {
    assert.deepEqual(problemsOf({ ...ciDeploy, subject: '' }), [
      {
        path: '/policies/0/subject',
        message: 'is empty and can never match: no identity has an empty sub',
      },
    ])
  })

  it('refuses a run of three stars in a subject, a claim and a claim alternative', () => {
    const problems = problemsOf({
      ...ciDeploy,
      subject: 'repo:***',
      claims: { ref: 'refs/***', environment: ['prod', 'stag***'] },
    })
    assert.deepEqual(
      problems.map((p) => p.path),
      ['/policies/0/subject', '/policies/0/claims/ref', '/policies/0/claims/environment/1'],
    )
    assert.equal(
      problems[0]?.message,
      'pattern "repo:***" has a run of three or more "*": write "*" (within one segment) or "**" (any characters)',
    )
  })

  it('refuses an empty list of claim alternatives, escaping the claim name in the pointer', () => {
    assert.deepEqual(problemsOf({ ...ciDeploy, claims: { 'a/b~c': [] } }), [
      {
        path: '/policies/0/claims/a~1b~0c',
        message: 'an empty list of alternatives never matches',
      },
    ])
  })

  it('refuses subject patterns for its own tokens that no SPIFFE ID of the trust domain matches', () => {
    const cases: readonly (readonly [string, string])[] = [
      ['spiffe://other.org/ci/*', 'cannot match a value starting with "spiffe://example.org/"'],
      ['https://example.org/ci/*', 'cannot match a value starting with "spiffe://example.org/"'],
      ['spiffe://*', 'cannot match a value starting with "spiffe://example.org/"'],
      ['spiffe://example.org/', 'has an empty path'],
      ['spiffe://example.org/ci/**/', 'ends with "/"'],
      ['spiffe://example.org//ci', 'has a doubled "/"'],
      ['spiffe://example.org/ci//*', 'has a doubled "/"'],
      ['spiffe://example.org/ci/../admin', 'has a "." or ".." segment'],
      ['spiffe://example.org/ci/a b', 'has a character outside [A-Za-z0-9._-] in its path'],
    ]
    for (const [subject, why] of cases) {
      assert.deepEqual(problemsOf(ownSubject(subject)), [
        {
          path: '/policies/0/subject',
          message: `pattern "${subject}" can never match: Tessera's own tokens carry SPIFFE IDs of "example.org" as sub, and it ${why}`,
        },
      ])
    }
  })

  it('accepts SPIFFE subject patterns that can match, including a wildcard trust domain', () => {
    compiles(ownSubject('spiffe://example.org/ci/**'))
    compiles(ownSubject('spiffe://example.org/ci/*/deploy'))
    compiles(ownSubject('spiffe://*/ci/deploy'))
  })

  it('checks an actor subject for its own tokens the same way', () => {
    assert.deepEqual(
      problemsOf({
        ...ciDeploy,
        actor: { issuer: tessera, subject: 'spiffe://example.org/agents/' },
      }),
      [
        {
          path: '/policies/0/actor/subject',
          message:
            'pattern "spiffe://example.org/agents/" can never match: Tessera\'s own tokens carry SPIFFE IDs of "example.org" as sub, and it ends with "/"',
        },
      ],
    )
  })

  it('accepts any non-empty subject of an external issuer, // included', () => {
    compiles({ ...ciDeploy, subject: 'https://ci.example.org//jobs/*' })
  })
})

describe('compilePolicies: conditions', () => {
  const withExpression = (expression: string, message = 'm') =>
    problemsOf({ ...ciDeploy, condition: { expression, message } })

  it('refuses an expression that does not type-check', () => {
    assert.deepEqual(withExpression('nope == 1'), [
      {
        path: '/policies/0/condition/expression',
        message: 'CEL expression does not type-check: Unknown variable: nope (at offset 0)',
      },
    ])
  })

  it('refuses an expression that is not boolean', () => {
    assert.deepEqual(withExpression("'yes'"), [
      {
        path: '/policies/0/condition/expression',
        message: 'CEL expression evaluates to string, a condition must evaluate to bool',
      },
    ])
  })

  it('refuses matches() and nested comprehensions (evaluation bounds)', () => {
    assert.match(
      withExpression("claims.sub.matches('^repo:')")[0]?.message ?? '',
      /^matches\(\) is not allowed/,
    )
    assert.match(
      withExpression('claims.groups.exists(g, claims.groups.all(h, h == g))')[0]?.message ?? '',
      /^all\(\) inside another comprehension is not allowed/,
    )
  })

  it('refuses an empty message', () => {
    assert.deepEqual(withExpression('true', '  '), [
      {
        path: '/policies/0/condition/message',
        message: 'is empty: it is what a denied caller is told',
      },
    ])
  })
})

describe('compilePolicies: output', () => {
  it('refuses stray braces and unknown placeholders, with a near-miss suggestion', () => {
    const problems = problemsOf({
      ...ciDeploy,
      output: { subject: 'spiffe://{trustdomain}/{claims.repo', claims: { team: 'x}' } },
    })
    assert.deepEqual(problems, [
      {
        path: '/policies/0/output/subject',
        message:
          'unknown placeholder "{trustdomain}", allowed: {trustDomain}, {sub}, {iss}, {claims.NAME}: did you mean {trustDomain}?',
      },
      { path: '/policies/0/output/subject', message: '"{" at offset 23 is not closed' },
      { path: '/policies/0/output/claims/team', message: '"}" at offset 1 closes no placeholder' },
    ])
  })

  it('requires an identity policy to set an output subject in its trust domain', () => {
    const { output: _, ...withoutOutput } = identityPolicy
    assert.deepEqual(problemsOf(withoutOutput), [
      {
        path: '/policies/0/output/subject',
        message: 'is required for an identity policy: the issued sub must be a SPIFFE ID',
      },
    ])
    assert.deepEqual(
      problemsOf({ ...identityPolicy, output: { subject: 'spiffe://other.org/{sub}' } }),
      [
        {
          path: '/policies/0/output/subject',
          message:
            'template "spiffe://other.org/{sub}" must start with "spiffe://{trustDomain}/" or "spiffe://example.org/": an identity policy issues SPIFFE IDs of its own trust domain',
        },
      ],
    )
  })

  it('accepts an identity output subject spelling the trust domain literally', () => {
    compiles({
      ...identityPolicy,
      output: { subject: 'spiffe://example.org/ci/{claims.repository}' },
    })
  })

  it('refuses output claims that Tessera sets itself, __proto__ included', () => {
    const problems = problemsOf({
      ...ciDeploy,
      output: { claims: { aud: 'x', act: 'x', ['__proto__']: 'x', team: '{claims.team}' } },
    })
    assert.deepEqual(
      problems.map((p) => p.path),
      [
        '/policies/0/output/claims/aud',
        '/policies/0/output/claims/act',
        '/policies/0/output/claims/__proto__',
      ],
    )
  })
})
