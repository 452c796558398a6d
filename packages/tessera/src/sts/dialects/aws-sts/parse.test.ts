import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isTesseraError, type TesseraError } from '@tessera/verify'
import { tokenTypes } from '../../canonical.ts'
import { parseAwsStsRequest } from './parse.ts'

const accountId = '123456789012'
const options = { correlationId: 'req-1', accountId, policyNames: ['ci-deploy', 'workloads'] }
const token = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'
const base = {
  Action: 'AssumeRoleWithWebIdentity',
  Version: '2011-06-15',
  RoleArn: `arn:aws:iam::${accountId}:role/ci-deploy`,
  RoleSessionName: 'deploy-1',
  WebIdentityToken: token,
}

function parse(params: Record<string, string | undefined>) {
  const form = new URLSearchParams()
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) form.append(name, value)
  return parseAwsStsRequest(form, options)
}

function refusal(params: Record<string, string | undefined>): TesseraError {
  try {
    parse(params)
  } catch (error) {
    assert.ok(isTesseraError(error))
    return error
  }
  throw new Error('expected a refusal')
}

describe('parseAwsStsRequest', () => {
  it('parses AssumeRoleWithWebIdentity into an exchange restricted to the role', () => {
    const parsed = parse({ ...base, DurationSeconds: '1800' })
    assert.deepEqual(parsed, {
      action: 'AssumeRoleWithWebIdentity',
      exchange: {
        dialect: 'aws-sts',
        correlationId: 'req-1',
        subjectToken: token,
        subjectTokenType: tokenTypes.idToken,
        scopes: [],
        policy: 'ci-deploy',
        ttlSeconds: 1800,
      },
      role: { arn: base.RoleArn, accountId, name: 'ci-deploy' },
      sessionName: 'deploy-1',
      durationSeconds: 1800,
    })
  })

  it('defaults DurationSeconds to 3600 and keeps the token exactly as sent', () => {
    const parsed = parse({ ...base, WebIdentityToken: `${token}\n` })
    assert.equal(parsed.durationSeconds, 3600)
    assert.ok(parsed.action === 'AssumeRoleWithWebIdentity')
    assert.equal(parsed.exchange.subjectToken, `${token}\n`)
  })

  it('refuses an unknown or missing Action as InvalidAction (check action)', () => {
    const unknown = refusal({ ...base, Action: 'GetCallerIdentity' })
    assert.equal(unknown.code, 'invalid_request')
    assert.equal(unknown.check, 'action')
    assert.match(
      unknown.message,
      /Could not find operation "GetCallerIdentity" for version 2011-06-15/,
    )
    const missing = refusal({ ...base, Action: undefined })
    assert.equal(missing.check, 'action')
    assert.match(missing.message, /Action is missing/)
  })

  it('refuses another Version', () => {
    const error = refusal({ ...base, Version: '2010-01-01' })
    assert.equal(error.check, 'action')
    assert.match(error.message, /version "2010-01-01": send Version=2011-06-15/)
    assert.match(refusal({ ...base, Version: undefined }).message, /version "missing"/)
  })

  it("refuses a RoleSessionName outside STS's pattern in STS's words", () => {
    const error = refusal({ ...base, RoleSessionName: 'a:b' })
    assert.equal(error.code, 'invalid_request')
    assert.equal(
      error.message,
      "1 validation error detected: Value 'a:b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    )
  })

  it('checks RoleSessionName length 2–64 and presence', () => {
    assert.match(
      refusal({ ...base, RoleSessionName: 'x'.repeat(65) }).message,
      /at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64/,
    )
    assert.match(
      refusal({ ...base, RoleSessionName: 'x' }).message,
      /Member must have length greater than or equal to 2/,
    )
    assert.match(
      refusal({ ...base, RoleSessionName: undefined }).message,
      /Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null/,
    )
  })

  it('reports every problem at once', () => {
    const error = refusal({
      ...base,
      RoleSessionName: 'bad name',
      DurationSeconds: '1',
      WebIdentityToken: 'x',
    })
    assert.match(error.message, /^3 validation errors detected: /)
    assert.match(
      error.message,
      /'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900/,
    )
    assert.deepEqual(error.actual, [
      'durationSeconds out of bounds',
      'roleSessionName out of bounds',
      'webIdentityToken out of bounds',
    ])
  })

  it('checks DurationSeconds 900–43200 and its form', () => {
    assert.match(
      refusal({ ...base, DurationSeconds: '43201' }).message,
      /Member must have value less than or equal to 43200/,
    )
    assert.match(refusal({ ...base, DurationSeconds: '1h' }).message, /Member must be an integer/)
    assert.equal(parse({ ...base, DurationSeconds: '43200' }).durationSeconds, 43200)
    assert.equal(parse({ ...base, DurationSeconds: '900' }).durationSeconds, 900)
  })

  it("refuses DurationSeconds above the role's maximum as STS does, never shortening it", () => {
    const capped = {
      ...options,
      maxSessionSeconds: (role: string) => (role === 'ci-deploy' ? 1800 : 43_200),
    }
    const form = (params: Record<string, string>) => new URLSearchParams({ ...base, ...params })
    const error = (() => {
      try {
        parseAwsStsRequest(form({ DurationSeconds: '1801' }), capped)
      } catch (thrown) {
        assert.ok(isTesseraError(thrown))
        return thrown
      }
      throw new Error('expected a refusal')
    })()
    assert.equal(error.code, 'invalid_request')
    assert.equal(error.check, 'duration')
    assert.equal(error.expected, 'DurationSeconds <= 1800')
    assert.equal(error.actual, '1801')
    assert.ok(
      error.message.startsWith(
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role. DurationSeconds 1801 is above 1800, the longest session role "ci-deploy" grants',
      ),
    )
    // At the maximum it is kept; another role has its own maximum.
    const atMax = parseAwsStsRequest(form({ DurationSeconds: '1800' }), capped)
    assert.equal(atMax.durationSeconds, 1800)
    assert.ok(atMax.action === 'AssumeRoleWithWebIdentity')
    assert.equal(atMax.exchange.ttlSeconds, 1800)
    const other = form({
      DurationSeconds: '7200',
      RoleArn: `arn:aws:iam::${accountId}:role/workloads`,
    })
    assert.equal(parseAwsStsRequest(other, capped).durationSeconds, 7200)
    // Not sent: STS's default of one hour, shortened to a lower role maximum.
    const defaulted = parseAwsStsRequest(form({}), capped)
    assert.equal(defaulted.durationSeconds, 1800)
    assert.ok(defaulted.action === 'AssumeRoleWithWebIdentity')
    assert.equal(defaulted.exchange.ttlSeconds, 1800)
    // AssumeRoleWithSAML has the same rule.
    const saml = new URLSearchParams({
      Action: 'AssumeRoleWithSAML',
      Version: '2011-06-15',
      RoleArn: base.RoleArn,
      PrincipalArn: `arn:aws:iam::${accountId}:saml-provider/idp`,
      SAMLAssertion: 'PHNhbWxwOlJlc3BvbnNlLz4=',
      DurationSeconds: '3600',
    })
    assert.throws(() => parseAwsStsRequest(saml, capped), {
      code: 'invalid_request',
      check: 'duration',
    })
  })

  it('checks WebIdentityToken length 4–20000 without echoing it', () => {
    const long = refusal({ ...base, WebIdentityToken: `eyJ${'a'.repeat(20_000)}` })
    assert.match(
      long.message,
      /Value '\*\*\*' at 'webIdentityToken' failed to satisfy constraint: Member must have length less than or equal to 20000/,
    )
    assert.doesNotMatch(long.message, /aaaa/)
    assert.match(
      refusal({ ...base, WebIdentityToken: undefined }).message,
      /Value null at 'webIdentityToken'/,
    )
  })

  it('checks RoleArn length and form', () => {
    assert.match(
      refusal({ ...base, RoleArn: 'arn:aws:iam::1' }).message,
      /at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20/,
    )
    const malformed = refusal({ ...base, RoleArn: `arn:aws:iam::${accountId}:user/ci-deploy` })
    assert.equal(malformed.code, 'invalid_request')
    assert.match(malformed.message, /^Request ARN is invalid: /)
  })

  it('refuses a role of another account as no_matching_policy (AccessDenied)', () => {
    const error = refusal({ ...base, RoleArn: 'arn:aws:iam::999999999999:role/ci-deploy' })
    assert.equal(error.code, 'no_matching_policy')
    assert.equal(error.check, 'role')
    assert.match(
      error.message,
      /account "999999999999", but Tessera answers for account "123456789012"/,
    )
  })

  it('refuses a role of another partition, and names IAM does not allow (implied policies)', () => {
    const partition = refusal({ ...base, RoleArn: `arn:aws-cn:iam::${accountId}:role/ci-deploy` })
    assert.equal(partition.code, 'no_matching_policy')
    assert.equal(partition.check, 'role')
    assert.match(partition.message, /partition "aws-cn", but Tessera answers for the aws partition/)
    // Even when the name is a compiled policy: the GCP and Entra implied policies contain ':'.
    for (const name of ['gcp:sa:sa@x.iam.gserviceaccount.com', 'entra:app:fic', 'a'.repeat(65)]) {
      const form = new URLSearchParams({
        ...base,
        RoleArn: `arn:aws:iam::${accountId}:role/${name}`,
      })
      assert.throws(
        () => parseAwsStsRequest(form, { ...options, policyNames: [name] }),
        (e: TesseraError) =>
          e.code === 'no_matching_policy' &&
          e.check === 'role' &&
          /is not an IAM role name/.test(e.message),
        name,
      )
    }
  })

  it('refuses an unknown role naming the closest policy', () => {
    const error = refusal({ ...base, RoleArn: `arn:aws:iam::${accountId}:role/ci-deplo` })
    assert.equal(error.code, 'no_matching_policy')
    assert.match(
      error.message,
      /role "ci-deplo" is not a Tessera trust policy: the closest policy is "ci-deploy"/,
    )
    assert.equal(error.expected, 'ci-deploy')
    const cased = refusal({ ...base, RoleArn: `arn:aws:iam::${accountId}:role/CI-Deploy` })
    assert.equal(cased.hint, 'case')
  })

  it('says so when no policy is configured at all', () => {
    const form = new URLSearchParams(base)
    assert.throws(
      () => parseAwsStsRequest(form, { ...options, policyNames: [] }),
      (e: TesseraError) =>
        e.code === 'no_matching_policy' && /no trust policy is configured/.test(e.message),
    )
  })

  it('validates session policies per the service model, then refuses them clearly', () => {
    const refused = refusal({
      ...base,
      Policy: '{"Version":"2012-10-17"}',
      'PolicyArns.member.1.arn': 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    })
    assert.equal(refused.code, 'invalid_request')
    assert.match(
      refused.message,
      /session policies \(Policy, PolicyArns.member.1.arn\) are not supported/,
    )
    assert.match(
      refusal({ ...base, Policy: 'x'.repeat(2049) }).message,
      /at 'policy'.*less than or equal to 2048/,
    )
    assert.match(
      refusal({ ...base, Policy: '\u0001' }).message,
      /at 'policy'.*regular expression pattern/,
    )
    const eleven = Object.fromEntries(
      Array.from({ length: 11 }, (_, i) => [
        `PolicyArns.member.${i + 1}.arn`,
        'arn:aws:iam::aws:policy/ReadOnly',
      ]),
    )
    assert.match(
      refusal({ ...base, ...eleven }).message,
      /at 'policyArns'.*less than or equal to 10/,
    )
    assert.match(
      refusal({ ...base, 'PolicyArns.member.1.arn': 'arn:x' }).message,
      /at 'policyArns.member.arn'.*greater than or equal to 20/,
    )
  })

  it('refuses ProviderId, which is only for OAuth 2.0 access tokens', () => {
    const error = refusal({ ...base, ProviderId: 'www.amazon.com' })
    assert.equal(error.code, 'invalid_request')
    assert.match(error.message, /ProviderId "www.amazon.com" is only for OAuth 2.0 access tokens/)
  })

  it('refuses a parameter sent twice', () => {
    const form = new URLSearchParams(base)
    form.append('RoleSessionName', 'other')
    assert.throws(
      () => parseAwsStsRequest(form, options),
      (e: TesseraError) =>
        e.code === 'invalid_request' && /"RoleSessionName" is sent more than once/.test(e.message),
    )
  })

  it('parses AssumeRoleWithSAML into its skeleton, validating its parameters', () => {
    const saml = {
      Action: 'AssumeRoleWithSAML',
      Version: '2011-06-15',
      RoleArn: base.RoleArn,
      PrincipalArn: `arn:aws:iam::${accountId}:saml-provider/idp`,
      SAMLAssertion: 'PHNhbWxwOlJlc3BvbnNlLz4=',
    }
    assert.deepEqual(parse(saml), {
      action: 'AssumeRoleWithSAML',
      role: { arn: base.RoleArn, accountId, name: 'ci-deploy' },
      principalArn: saml.PrincipalArn,
      samlAssertion: saml.SAMLAssertion,
      durationSeconds: 3600,
    })
    assert.match(
      refusal({ ...saml, SAMLAssertion: 'abc' }).message,
      /Value '\*\*\*' at 'sAMLAssertion'.*greater than or equal to 4/,
    )
    assert.match(refusal({ ...saml, Policy: '{}' }).message, /session policies \(Policy\)/)
  })
})
