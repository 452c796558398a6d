import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isTesseraError } from '@tessera/verify'
import { type FixtureName, fixtureNow, fixtureText, githubClaims } from '../testing/fixtures.ts'
import type { CloudVerdict } from '../verdict.ts'
import { evaluateAws } from './evaluate-aws.ts'
import { parseAwsProvider } from './provider.ts'
import { parseTrustPolicy } from './trust-policy.ts'

const provider = (name: FixtureName = 'aws-provider.json') =>
  parseAwsProvider(fixtureText(name), name)
const policy = (name: FixtureName = 'aws-trust-policy.json') =>
  parseTrustPolicy(fixtureText(name), name)
const policyOf = (doc: unknown) => parseTrustPolicy(JSON.stringify(doc), 'inline.json')

function run(
  changes: Record<string, unknown> = {},
  options: { provider?: FixtureName; policy?: ReturnType<typeof policy>; session?: string } = {},
): CloudVerdict {
  return evaluateAws(
    {
      provider: provider(options.provider),
      trustPolicy: options.policy ?? policy(),
      ...(options.session === undefined ? {} : { roleSessionName: options.session }),
    },
    { header: { alg: 'RS256', kid: 'k1' }, claims: githubClaims(changes), now: fixtureNow },
  )
}

function rejected(verdict: CloudVerdict) {
  assert.equal(verdict.accepted, false)
  if (verdict.accepted) throw new Error('unreachable')
  return verdict
}

const statement0 = 'aws.trust_policy.Statement[0] (Sid "GitHubActionsDeploy")'

describe('AWS AssumeRoleWithWebIdentity model', () => {
  it('accepts a GitHub token for main with aud sts.amazonaws.com', () => {
    assert.deepEqual(run(), { accepted: true })
  })

  it('names a trailing slash in the provider URL as the classic InvalidIdentityToken', () => {
    const v = rejected(run({}, { provider: 'aws-provider-trailing-slash.json' }))
    assert.equal(v.code, 'InvalidIdentityToken')
    assert.equal(
      v.message,
      'No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com',
    )
    assert.equal(v.explanation.code, 'issuer_mismatch')
    assert.equal(v.explanation.check, 'aws.provider.Url')
    assert.equal(v.explanation.expected, 'https://token.actions.githubusercontent.com/')
    assert.equal(v.explanation.actual, 'https://token.actions.githubusercontent.com')
    assert.equal(v.explanation.hint, 'trailing_slash')
    // The trust policy names the provider without the slash: listed too, with the same hint.
    const policyFailure = v.failures.at(-1)
    assert.equal(policyFailure?.code, 'AccessDenied')
    assert.equal(policyFailure?.explanation.code, 'no_matching_policy')
    assert.equal(policyFailure?.explanation.check, 'aws.trust_policy.Principal.Federated')
    assert.equal(policyFailure?.explanation.hint, 'trailing_slash')
  })

  it('names an iss with a trailing slash the provider does not have', () => {
    const v = rejected(run({ iss: 'https://token.actions.githubusercontent.com/' }))
    assert.equal(v.code, 'InvalidIdentityToken')
    assert.equal(v.explanation.hint, 'trailing_slash')
    assert.equal(v.failures.length, 1)
  })

  it('rejects an aud that is not in the client-id list with "Incorrect token audience"', () => {
    const v = rejected(run({ aud: 'https://github.com/acme' }))
    assert.equal(v.code, 'InvalidIdentityToken')
    assert.equal(v.message, 'Incorrect token audience')
    assert.equal(v.explanation.code, 'audience_mismatch')
    assert.equal(v.explanation.check, 'aws.provider.ClientIDList')
    assert.deepEqual(v.explanation.expected, ['sts.amazonaws.com'])
    assert.deepEqual(v.explanation.actual, ['https://github.com/acme'])
    // The trust policy's aud condition fails as well and is listed after.
    assert.equal(
      v.failures[1]?.explanation.check,
      `${statement0}.Condition.StringEquals["token.actions.githubusercontent.com:aud"]`,
    )
  })

  it('lists every failing clause of the closest Allow when both aud and sub are wrong', () => {
    // The provider accepts the aud, so only the trust policy's two clauses fail.
    const both = evaluateAws(
      {
        provider: parseAwsProvider(
          JSON.stringify({
            Url: 'token.actions.githubusercontent.com',
            ClientIDList: ['sts.amazonaws.com', 'https://github.com/acme'],
          }),
          'p.json',
        ),
        trustPolicy: policy(),
      },
      {
        header: { alg: 'RS256' },
        claims: githubClaims({
          aud: 'https://github.com/acme',
          sub: 'repo:Acme/payments:ref:refs/heads/main',
        }),
        now: fixtureNow,
      },
    )
    const v = rejected(both)
    assert.deepEqual(
      v.failures.map((f) => [
        f.code,
        f.explanation.code,
        f.explanation.check,
        f.explanation.expected,
        f.explanation.actual,
        f.explanation.hint,
      ]),
      [
        [
          'AccessDenied',
          'claim_mismatch',
          `${statement0}.Condition.StringEquals["token.actions.githubusercontent.com:aud"]`,
          ['sts.amazonaws.com'],
          ['https://github.com/acme'],
          undefined,
        ],
        [
          'AccessDenied',
          'claim_mismatch',
          `${statement0}.Condition.StringLike["token.actions.githubusercontent.com:sub"]`,
          ['repo:acme/payments:ref:refs/heads/main'],
          ['repo:Acme/payments:ref:refs/heads/main'],
          'case',
        ],
      ],
    )
    // The primary is still the first clause STS trips on.
    assert.equal(v.explanation.check, v.failures[0]?.explanation.check)
    assert.match(
      v.failures[1]?.explanation.message ?? '',
      /does not match .*differ only by letter case/,
    )
    // With the aud also missing from the provider, that comes first and both clauses follow.
    const all = rejected(run({ aud: 'https://github.com/acme', sub: 'repo:acme/payments:x' }))
    assert.deepEqual(
      all.failures.map((f) => f.explanation.check),
      [
        'aws.provider.ClientIDList',
        `${statement0}.Condition.StringEquals["token.actions.githubusercontent.com:aud"]`,
        `${statement0}.Condition.StringLike["token.actions.githubusercontent.com:sub"]`,
      ],
    )
    assert.equal(all.explanation.code, 'audience_mismatch')
  })

  it('gives a near-miss hint for an aud differing only in case', () => {
    const v = rejected(run({ aud: 'STS.amazonaws.com' }))
    assert.equal(v.explanation.hint, 'case')
  })

  it('says when aud is missing', () => {
    const v = rejected(run({ aud: undefined }))
    assert.equal(v.message, 'Missing a required claim: aud')
    assert.equal(v.explanation.code, 'missing_claim')
  })

  it('names the StringLike on sub that misses the ref the job ran on', () => {
    const v = rejected(
      run({ sub: 'repo:acme/payments:ref:refs/heads/release', ref: 'refs/heads/release' }),
    )
    assert.equal(v.code, 'AccessDenied')
    assert.equal(v.message, 'Not authorized to perform sts:AssumeRoleWithWebIdentity')
    assert.equal(v.explanation.code, 'claim_mismatch')
    assert.equal(
      v.explanation.check,
      `${statement0}.Condition.StringLike["token.actions.githubusercontent.com:sub"]`,
    )
    assert.deepEqual(v.explanation.expected, ['repo:acme/payments:ref:refs/heads/main'])
    assert.deepEqual(v.explanation.actual, ['repo:acme/payments:ref:refs/heads/release'])
    assert.equal(v.explanation.hint, undefined)
    assert.equal(v.failures.length, 1)
  })

  it('names the StringLike on sub a job in an environment misses, and a case-only miss', () => {
    const env = rejected(run({ sub: 'repo:acme/payments:environment:prod' }))
    assert.match(env.explanation.message, /"repo:acme\/payments:environment:prod"\] does not match/)
    const cased = rejected(run({ sub: 'repo:Acme/payments:ref:refs/heads/main' }))
    assert.equal(cased.explanation.hint, 'case')
  })

  it('lets an explicit Deny win over a matching Allow', () => {
    const trustPolicy = policyOf({
      Statement: [
        {
          Effect: 'Allow',
          Principal: {
            Federated:
              'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
          },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/*' } },
        },
        {
          Sid: 'NoPullRequests',
          Effect: 'Deny',
          Principal: {
            Federated:
              'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
          },
          Action: 'sts:*',
          Condition: {
            StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/*:pull_request' },
          },
        },
      ],
    })
    assert.equal(run({}, { policy: trustPolicy }).accepted, true)
    const v = rejected(run({ sub: 'repo:acme/payments:pull_request' }, { policy: trustPolicy }))
    assert.equal(v.code, 'AccessDenied')
    assert.equal(v.explanation.code, 'policy_denied')
    assert.equal(v.explanation.check, 'aws.trust_policy.Statement[1] (Sid "NoPullRequests")')
  })

  it('evaluates the get-role output with ForAnyValue on amr and a list of sub patterns', () => {
    const trustPolicy = policy('aws-get-role.json')
    assert.equal(
      run(
        { sub: 'repo:acme/payments:ref:refs/tags/v1.4.0', amr: ['pwd', 'mfa'] },
        { policy: trustPolicy },
      ).accepted,
      true,
    )
    const v = rejected(
      run({ sub: 'repo:acme/payments:environment:prod', amr: ['pwd'] }, { policy: trustPolicy }),
    )
    assert.equal(
      v.explanation.check,
      'aws.trust_policy.Statement[0].Condition.ForAnyValue:StringEquals["token.actions.githubusercontent.com:amr"]',
    )
    const missing = rejected(
      run({ sub: 'repo:acme/payments:environment:prod' }, { policy: trustPolicy }),
    )
    assert.deepEqual(missing.explanation.actual, [])
    assert.match(missing.explanation.message, /the request has no such key/)
  })

  it('uses azp for the :aud key and aud for :oaud', () => {
    const trustPolicy = policyOf({
      Statement: {
        Effect: 'Allow',
        Principal: {
          Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
        },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'client-app',
            'token.actions.githubusercontent.com:oaud': 'sts.amazonaws.com',
          },
        },
      },
    })
    assert.equal(run({ azp: 'client-app' }, { policy: trustPolicy }).accepted, true)
    assert.equal(run({}, { policy: trustPolicy }).accepted, false)
  })

  it('says which statement trusts the provider but not the action', () => {
    const trustPolicy = policyOf({
      Statement: [
        {
          Effect: 'Allow',
          Principal: {
            Federated:
              'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
          },
          Action: 'sts:AssumeRole',
        },
      ],
    })
    const v = rejected(run({}, { policy: trustPolicy }))
    assert.equal(v.explanation.code, 'no_matching_policy')
    assert.equal(v.explanation.check, 'aws.trust_policy.Statement[0].Action')
    assert.equal(v.explanation.expected, 'sts:AssumeRoleWithWebIdentity')
  })

  it('names a key spelled with another provider URL', () => {
    const trustPolicy = policyOf({
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              'token.actions.githubusercontent.com/:sub': 'repo:acme/payments:ref:refs/heads/main',
            },
          },
        },
      ],
    })
    const v = rejected(run({}, { policy: trustPolicy }))
    assert.equal(v.explanation.hint, 'trailing_slash')
  })

  it('fails closed on an operator it does not model', () => {
    const trustPolicy = policyOf({
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          NotAction: 'sts:AssumeRole',
          Condition: {
            DateGreaterThan: { 'token.actions.githubusercontent.com:sub': '2020-01-01T00:00:00Z' },
          },
        },
      ],
    })
    const v = rejected(run({}, { policy: trustPolicy }))
    assert.match(v.explanation.message, /"DateGreaterThan" is not modelled/)
  })

  it('rejects an expired token with ExpiredTokenException in AWS wording', () => {
    const v = rejected(run({ exp: fixtureNow - 10 }))
    assert.equal(v.code, 'ExpiredTokenException')
    assert.equal(
      v.message,
      `Token expired: current date/time ${fixtureNow} must be before the expiration date/time${fixtureNow - 10}`,
    )
    assert.equal(v.explanation.code, 'expired')
    const noExp = rejected(run({ exp: undefined }))
    assert.equal(noExp.message, 'Missing a required claim: exp')
  })

  it('says when iss is missing', () => {
    const v = rejected(run({ iss: undefined }))
    assert.equal(v.message, 'Missing a required claim: iss')
  })

  it('checks RoleSessionName as STS validates it, and offers it as sts:RoleSessionName', () => {
    assert.equal(run({}, { session: 'gha-1234' }).accepted, true)
    const bad = rejected(run({}, { session: 'deploy run' }))
    assert.equal(bad.code, 'ValidationError')
    assert.equal(
      bad.message,
      "1 validation error detected: Value 'deploy run' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    )
    assert.equal(bad.explanation.code, 'invalid_request')
    assert.match(
      rejected(run({}, { session: 'x'.repeat(65) })).message,
      /less than or equal to 64$/,
    )
    assert.match(rejected(run({}, { session: 'x' })).message, /greater than or equal to 2$/)
    const trustPolicy = policyOf({
      Statement: [
        {
          Effect: 'Allow',
          Principal: {
            Federated:
              'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
          },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringLike: { 'sts:RoleSessionName': 'gha-*' } },
        },
      ],
    })
    assert.equal(run({}, { policy: trustPolicy, session: 'gha-1' }).accepted, true)
    assert.equal(run({}, { policy: trustPolicy, session: 'dev-1' }).accepted, false)
  })
})

describe('AWS configuration files', () => {
  it('reads the provider as the CLI prints it, and a URL pasted with https://', () => {
    assert.equal(provider().url, 'token.actions.githubusercontent.com')
    const pasted = parseAwsProvider('{"Url":"https://x.example","ClientIDList":["a"]}', 'p.json')
    assert.equal(pasted.url, 'x.example')
    assert.deepEqual(pasted.thumbprints, [])
  })

  it('lists every problem of a provider file at once', () => {
    assert.throws(
      () => parseAwsProvider('{"Url": "", "ClientIDList": []}', 'p.json'),
      (e) =>
        isTesseraError(e) &&
        e.code === 'invalid_config' &&
        e.problems?.length === 2 &&
        e.message ===
          'AWS OIDC provider file "p.json" is invalid: Url: expected a non-empty string, got a string (and 1 more)',
    )
    assert.throws(() => parseAwsProvider('not json', 'p.json'), /not JSON/)
    assert.throws(() => parseAwsProvider('[]', 'p.json'), /expected a JSON object/)
    assert.throws(
      () =>
        parseAwsProvider(
          JSON.stringify({ Url: 'x?a=1', ClientIDList: Array(101).fill('a') }),
          'p.json',
        ),
      (e) => isTesseraError(e) && e.problems?.length === 2,
    )
  })

  it('lists every problem of a trust policy', () => {
    assert.throws(() => policyOf({ Statement: [] }), /expected at least one statement/)
    assert.throws(
      () =>
        policyOf({
          Statement: [
            1,
            { Effect: 'Maybe', Principal: 3, Action: [], Condition: { StringEquals: 'x' } },
            { Effect: 'Allow', Principal: '*', Action: 'a', Condition: [] },
            {
              Effect: 'Allow',
              Principal: '*',
              Action: 'a',
              Condition: { StringEquals: { k: [{}] } },
            },
          ],
        }),
      (e) => isTesseraError(e) && e.problems?.length === 7,
    )
  })
})
