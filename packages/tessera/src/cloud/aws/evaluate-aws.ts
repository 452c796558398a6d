import {
  detectHint,
  findClosest,
  type Hint,
  quote,
  quoteList,
  redact,
  redactList,
  TesseraError,
} from '@tessera/verify'
import { audiences } from '../config-json.ts'
import { isoTime } from '../time-text.ts'
import { type CloudFailure, type CloudToken, type CloudVerdict, verdictOf } from '../verdict.ts'
import {
  type ClauseOutcome,
  type ConditionContext,
  evaluateClause,
  parseOperator,
} from './conditions.ts'
import { globHint, globMatch } from './glob.ts'
import type { AwsOidcProvider } from './provider.ts'
import type { ConditionClause, TrustPolicy, TrustStatement } from './trust-policy.ts'

/** What `AssumeRoleWithWebIdentity` is evaluated against. */
export interface AwsModel {
  readonly provider: AwsOidcProvider
  readonly trustPolicy: TrustPolicy
  /** The `RoleSessionName` the caller would send; checked only when given. */
  readonly roleSessionName?: string
}

const action = 'sts:AssumeRoleWithWebIdentity'
// AWS's own texts ([O] in shared/reference/cloud-semantics.md §1.5), quirks kept.
const notAuthorized = `Not authorized to perform ${action}`
const sessionNamePattern = /^[\w+=,.@-]*$/

const failure = (
  code: string,
  message: string,
  explanation: ConstructorParameters<typeof TesseraError>[0],
): CloudFailure => ({ code, message, explanation: new TesseraError(explanation) })

const withWords = (message: string, hint: Hint | undefined): string =>
  hint === undefined ? message : `${message}: ${hint.words}`

/**
 * Evaluates a token as AWS STS `AssumeRoleWithWebIdentity` would, offline: parameter
 * validation (RoleSessionName), provider lookup by `iss`, `aud` against the client-id list,
 * expiry, then the role's trust policy (an explicit Deny wins; otherwise an Allow whose
 * principal, action and every condition hold). Every failing rule is listed, in that order.
 */
export function evaluateAws(model: AwsModel, token: CloudToken): CloudVerdict {
  const { provider } = model
  const { claims, now } = token
  const failures: CloudFailure[] = []

  if (model.roleSessionName !== undefined) {
    const problem = sessionNameProblem(model.roleSessionName)
    if (problem !== undefined)
      failures.push(
        failure(
          'ValidationError',
          `1 validation error detected: Value '${model.roleSessionName}' at 'roleSessionName' failed to satisfy constraint: ${problem}`,
          {
            code: 'invalid_request',
            check: 'aws.RoleSessionName',
            message: `RoleSessionName ${quote(model.roleSessionName)} breaks STS's rule: ${problem}`,
            expected: '2 to 64 characters of [\\w+=,.@-]',
            actual: redact(model.roleSessionName),
          },
        ),
      )
  }

  const expectedIss = `https://${provider.url}`
  if (typeof claims.iss !== 'string') {
    failures.push(
      failure('InvalidIdentityToken', 'Missing a required claim: iss', {
        code: 'missing_claim',
        check: 'aws.provider.Url',
        message: 'the token has no iss claim, so STS cannot look up an OIDC provider',
        expected: expectedIss,
      }),
    )
  } else if (claims.iss !== expectedIss) {
    const hint = detectHint(expectedIss, claims.iss)
    failures.push(
      failure(
        'InvalidIdentityToken',
        `No OpenIDConnect provider found in your account for ${claims.iss}`,
        {
          code: 'issuer_mismatch',
          check: 'aws.provider.Url',
          message: withWords(
            `iss ${quote(claims.iss)} is not the provider's URL ${quote(expectedIss)} (IAM stores it as ${quote(provider.url)})`,
            hint,
          ),
          expected: expectedIss,
          actual: redact(claims.iss),
          ...(hint ? { hint: hint.id } : {}),
        },
      ),
    )
  }

  const aud = audiences(claims.aud)
  if (aud.length === 0) {
    failures.push(
      failure('InvalidIdentityToken', 'Missing a required claim: aud', {
        code: 'missing_claim',
        check: 'aws.provider.ClientIDList',
        message: `the token has no aud claim; the provider accepts ${quoteList(provider.clientIds)}`,
        expected: [...provider.clientIds],
      }),
    )
  } else if (!aud.some((a) => provider.clientIds.includes(a))) {
    const closest = findClosest(provider.clientIds, aud)
    failures.push(
      failure('InvalidIdentityToken', 'Incorrect token audience', {
        code: 'audience_mismatch',
        check: 'aws.provider.ClientIDList',
        message: withWords(
          `aud ${quoteList(aud)} is not in the provider's ClientIDList ${quoteList(provider.clientIds)}`,
          closest?.hint,
        ),
        expected: [...provider.clientIds],
        actual: redactList(aud),
        ...(closest?.hint ? { hint: closest.hint.id } : {}),
      }),
    )
  }

  if (typeof claims.exp !== 'number') {
    failures.push(
      failure('InvalidIdentityToken', 'Missing a required claim: exp', {
        code: 'missing_claim',
        check: 'aws.token.exp',
        message: 'the token has no numeric exp claim; STS accepts only tokens that expire',
      }),
    )
  } else if (claims.exp <= now) {
    failures.push(
      failure(
        'ExpiredTokenException',
        // No space before the second number: AWS's wording, kept.
        `Token expired: current date/time ${now} must be before the expiration date/time${claims.exp}`,
        {
          code: 'expired',
          check: 'aws.token.exp',
          message: `exp ${isoTime(claims.exp)} is not after now ${isoTime(now)} (${now - claims.exp} s ago)`,
          expected: `after ${isoTime(now)}`,
          actual: isoTime(claims.exp),
        },
      ),
    )
  }

  failures.push(...evaluateTrustPolicy(model, token))
  return verdictOf(failures)
}

function sessionNameProblem(name: string): string | undefined {
  if (name.length < 2) return 'Member must have length greater than or equal to 2'
  if (name.length > 64) return 'Member must have length less than or equal to 64'
  if (!sessionNamePattern.test(name))
    return 'Member must satisfy regular expression pattern: [\\w+=,.@-]*'
  return undefined
}

// The provider part of `arn:aws:iam::123456789012:oidc-provider/host/path`.
function providerOfArn(principal: string): string {
  const m = /^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/(.+)$/.exec(principal)
  return m?.[1] ?? principal
}

function principalMatches(statement: TrustStatement, url: string): boolean {
  return statement.federated.some((f) => f === '*' || providerOfArn(f) === url)
}

function actionMatches(statement: TrustStatement): boolean {
  const hit = statement.actions.some((a) => globMatch(a.toLowerCase(), action.toLowerCase()))
  return statement.notAction ? !hit : hit
}

/** The request context STS builds from a web identity token (IAM's documented keys). */
function buildContext(model: AwsModel, token: CloudToken): Map<string, readonly string[]> {
  const { url } = model.provider
  const { claims } = token
  const entries = new Map<string, readonly string[]>()
  const aud = audiences(claims.aud)
  // With azp, `:aud` holds azp and `:oaud` the token's aud (documented for Google).
  const azp = typeof claims.azp === 'string' ? claims.azp : undefined
  if (azp !== undefined || aud.length > 0)
    entries.set(`${url}:aud`, azp === undefined ? aud : [azp])
  if (aud.length > 0) entries.set(`${url}:oaud`, aud)
  if (typeof claims.sub === 'string') entries.set(`${url}:sub`, [claims.sub])
  const amr = audiences(claims.amr)
  if (amr.length > 0) entries.set(`${url}:amr`, amr)
  const arn = model.trustPolicy.statements
    .flatMap((s) => s.federated)
    .find((f) => f !== '*' && providerOfArn(f) === url)
  if (arn !== undefined) entries.set('aws:FederatedProvider', [arn])
  if (model.roleSessionName !== undefined)
    entries.set('sts:RoleSessionName', [model.roleSessionName])
  return entries
}

function lowerKeys(entries: Map<string, readonly string[]>): ConditionContext {
  return new Map([...entries].map(([k, v]) => [k.toLowerCase(), v]))
}

/**
 * The trust policy's failures: the matching Deny, or every failing clause of the Allow that
 * came closest (in document order, so the first is the one STS would trip on first), or why no
 * Allow applies. Empty when an Allow holds.
 */
function evaluateTrustPolicy(model: AwsModel, token: CloudToken): CloudFailure[] {
  const { url } = model.provider
  const named = buildContext(model, token)
  const context = lowerKeys(named)
  const applying = model.trustPolicy.statements.filter(
    (s) => principalMatches(s, url) && actionMatches(s),
  )
  const outcomes = applying.map((s) => ({
    statement: s,
    clauses: s.conditions.map((c) => ({ clause: c, outcome: evaluateClause(c, context) })),
  }))
  const holds = (o: (typeof outcomes)[number]): boolean => o.clauses.every((c) => c.outcome.ok)

  const deny = outcomes.find((o) => o.statement.effect === 'Deny' && holds(o))
  if (deny !== undefined)
    return [
      failure('AccessDenied', notAuthorized, {
        code: 'policy_denied',
        check: `aws.trust_policy.${deny.statement.label}`,
        message: `the Deny statement ${deny.statement.label} matches this token, and an explicit Deny overrides every Allow`,
        expected: 'no Deny statement matching the token',
        actual: deny.statement.label,
      }),
    ]
  const allows = outcomes.filter((o) => o.statement.effect === 'Allow')
  if (allows.some(holds)) return []

  if (allows.length === 0) return [noApplicableAllow(model)]
  // The Allow that came closest: fewest failing clauses, first in the document on a tie.
  const closest = allows.reduce((best, o) =>
    o.clauses.filter((c) => !c.outcome.ok).length < best.clauses.filter((c) => !c.outcome.ok).length
      ? o
      : best,
  )
  // Every failing clause, not only the first: `doctor` runs every check, so a token wrong in
  // both aud and sub hears about both at once.
  return closest.clauses
    .filter((c) => !c.outcome.ok)
    .map((c) => clauseFailure(closest.statement, c.clause, c.outcome, [...named.keys()], url))
}

function noApplicableAllow(model: AwsModel): CloudFailure {
  const { url } = model.provider
  const allows = model.trustPolicy.statements.filter((s) => s.effect === 'Allow')
  const withPrincipal = allows.find((s) => principalMatches(s, url))
  if (withPrincipal !== undefined)
    return failure('AccessDenied', notAuthorized, {
      code: 'no_matching_policy',
      check: `aws.trust_policy.${withPrincipal.label}.${withPrincipal.notAction ? 'NotAction' : 'Action'}`,
      message: `${withPrincipal.label} trusts the provider but does not allow ${action} (it lists ${quoteList(withPrincipal.actions)})`,
      expected: action,
      actual: [...withPrincipal.actions],
    })
  const federated = allows.flatMap((s) => s.federated)
  const closest = findClosest([url], federated.map(providerOfArn))
  return failure('AccessDenied', notAuthorized, {
    code: 'no_matching_policy',
    check: 'aws.trust_policy.Principal.Federated',
    message: withWords(
      `no Allow statement trusts the provider ${quote(`oidc-provider/${url}`)}; Principal.Federated lists ${quoteList(federated)}`,
      closest?.hint,
    ),
    expected: `arn:aws:iam::<account>:oidc-provider/${url}`,
    actual: federated,
    ...(closest?.hint ? { hint: closest.hint.id } : {}),
  })
}

function clauseFailure(
  statement: TrustStatement,
  clause: ConditionClause,
  outcome: ClauseOutcome,
  keys: readonly string[],
  url: string,
): CloudFailure {
  const check = `aws.trust_policy.${statement.label}.Condition.${clause.operator}[${JSON.stringify(clause.key)}]`
  const base = {
    code: 'claim_mismatch' as const,
    check,
    expected: [...clause.values],
  }
  if (outcome.unsupported !== undefined)
    return failure('AccessDenied', notAuthorized, {
      ...base,
      message: `${outcome.unsupported}; the clause on ${quote(clause.key)} is counted as failing`,
      ...(outcome.actual ? { actual: redactList(outcome.actual) } : {}),
    })
  if (outcome.actual === undefined) {
    // A key the request does not carry: most often the provider spelled differently in the
    // key (`host/:sub` for `host:sub`), so compare the key's provider part with the URL first.
    const colon = clause.key.lastIndexOf(':')
    const hint =
      (colon > 0 ? detectHint(url, clause.key.slice(0, colon)) : undefined) ??
      findClosest([clause.key], keys)?.hint
    return failure('AccessDenied', notAuthorized, {
      ...base,
      message: withWords(
        `${clause.operator} on ${quote(clause.key)}: the request has no such key (it has ${quoteList(keys)})`,
        hint,
      ),
      actual: [],
      ...(hint ? { hint: hint.id } : {}),
    })
  }
  const like = parseOperator(clause.operator).base.includes('Like')
  const negated = parseOperator(clause.operator).base.includes('Not')
  let hint: Hint | undefined
  if (!negated)
    for (const listed of clause.values) {
      for (const value of outcome.actual) {
        hint ??= like ? globHint(listed, value) : detectHint(listed, value)
      }
    }
  return failure('AccessDenied', notAuthorized, {
    ...base,
    message: withWords(
      `${clause.operator} on ${quote(clause.key)}: ${quoteList(outcome.actual)} ${negated ? 'matches one of' : 'does not match'} ${quoteList(clause.values)}`,
      hint,
    ),
    actual: redactList(outcome.actual),
    ...(hint ? { hint: hint.id } : {}),
  })
}
