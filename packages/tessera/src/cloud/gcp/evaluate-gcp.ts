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
import { type CelInput, compileCel, conjuncts, equalityOf, runCel } from './cel.ts'
import { acceptedAudiences, type GcpProvider } from './provider.ts'

// Google's texts ([O] in shared/reference/cloud-semantics.md §2.3 and §7).
const invalidTarget =
  'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.'
const rejectedByCondition = 'The given credential is rejected by the attribute condition.'
/** Google limits `google.subject` to this many bytes. */
export const maxSubjectBytes = 127

const failure = (
  code: string,
  message: string,
  explanation: ConstructorParameters<typeof TesseraError>[0],
): CloudFailure => ({ code, message, explanation: new TesseraError(explanation) })

const withWords = (message: string, hint: Hint | undefined): string =>
  hint === undefined ? message : `${message}: ${hint.words}`

/**
 * Evaluates a token as Google STS would for a workload identity pool provider, offline:
 * provider state, `aud` against the allowed (or default) audiences, `iss` against the issuer
 * URI, expiry, the attribute mapping (CEL over `assertion`, `google.subject` required and at
 * most 127 bytes), then the attribute condition (CEL over `assertion`, `google`, `attribute`).
 */
export function evaluateGcp(provider: GcpProvider, token: CloudToken): CloudVerdict {
  const { claims, now } = token
  const failures: CloudFailure[] = []

  if (provider.state !== 'ACTIVE' || provider.disabled)
    failures.push(
      failure('invalid_target', invalidTarget, {
        code: 'target_not_allowed',
        check: provider.disabled ? 'gcp.provider.disabled' : 'gcp.provider.state',
        message: provider.disabled
          ? 'the provider is disabled'
          : `the provider's state is ${quote(provider.state)}, not "ACTIVE"`,
        expected: provider.disabled ? 'disabled: false' : 'ACTIVE',
        actual: provider.disabled ? 'disabled: true' : provider.state,
      }),
    )

  const aud = audiences(claims.aud)
  const accepted = acceptedAudiences(provider)
  if (!aud.some((a) => accepted.includes(a))) {
    const closest = findClosest(accepted, aud)
    const listed = provider.allowedAudiences.length > 0
    const usesDefault = listed && aud.some((a) => /^(https:)?\/\/iam\.googleapis\.com\//.test(a))
    failures.push(
      failure(
        'invalid_grant',
        `The audience in ID Token [${aud.join(', ')}] does not match the expected audience.`,
        {
          code: 'audience_mismatch',
          check: listed ? 'gcp.provider.oidc.allowedAudiences' : 'gcp.provider.default_audience',
          message: withWords(
            `aud ${quoteList(aud)} is not ${listed ? 'in allowedAudiences' : "the provider's default audience"} ${quoteList(accepted)}${usesDefault ? ' (allowedAudiences is set, so only its values are accepted, spelled exactly as listed)' : ''}`,
            closest?.hint,
          ),
          expected: [...accepted],
          actual: redactList(aud),
          ...(closest?.hint ? { hint: closest.hint.id } : {}),
        },
      ),
    )
  }

  if (claims.iss !== provider.issuerUri) {
    const hint =
      typeof claims.iss === 'string' ? detectHint(provider.issuerUri, claims.iss) : undefined
    failures.push(
      failure(
        'invalid_grant',
        `The issuer in ID Token ${String(claims.iss)} does not match the expected ones: ${provider.issuerUri}`,
        {
          code: 'issuer_mismatch',
          check: 'gcp.provider.oidc.issuerUri',
          message: withWords(
            `iss ${quote(claims.iss)} is not the provider's issuerUri ${quote(provider.issuerUri)}`,
            hint,
          ),
          expected: provider.issuerUri,
          actual: redact(claims.iss),
          ...(hint ? { hint: hint.id } : {}),
        },
      ),
    )
  }

  if (typeof claims.exp !== 'number' || claims.exp <= now)
    failures.push(
      // The "stale to sign-in" text is what Google returns for an expired token.
      failure('invalid_grant', `ID Token issued at ${String(claims.iat)} is stale to sign-in.`, {
        code: 'expired',
        check: 'gcp.token.exp',
        message:
          typeof claims.exp === 'number'
            ? `exp ${isoTime(claims.exp)} is not after now ${isoTime(now)}`
            : 'the token has no numeric exp claim',
        expected: `after ${isoTime(now)}`,
        ...(typeof claims.exp === 'number' ? { actual: isoTime(claims.exp) } : {}),
      }),
    )

  const mapped = mapAttributes(provider, claims)
  failures.push(...mapped.failures)
  if (provider.condition !== undefined && mapped.failures.length === 0) {
    const conditionFailure = evaluateCondition(provider.condition.expression, {
      assertion: claims,
      google: mapped.google,
      attribute: mapped.attribute,
    })
    if (conditionFailure !== undefined) failures.push(conditionFailure)
  }
  return verdictOf(failures)
}

function mapAttributes(
  provider: GcpProvider,
  claims: Readonly<Record<string, unknown>>,
): {
  google: Record<string, unknown>
  attribute: Record<string, unknown>
  failures: CloudFailure[]
} {
  const google: Record<string, unknown> = {}
  const attribute: Record<string, unknown> = {}
  const failures: CloudFailure[] = []
  for (const { attribute: name, program } of provider.mappings) {
    const outcome = runCel(program, { assertion: claims })
    const [space, key] = name.split('.') as [string, string]
    if ('error' in outcome) {
      // Google's wording for a mapping that cannot be computed is not known [U]; only
      // google.subject is required, so other attributes are left unset, as for a null value.
      if (name === 'google.subject')
        failures.push(
          failure('invalid_request', 'The mapped attribute google.subject could not be computed.', {
            code: 'missing_claim',
            check: 'gcp.provider.attributeMapping["google.subject"]',
            message: `the mapping ${quote(program.expression)} failed on this token: ${outcome.error}`,
            expected: program.expression,
            actual: `error: ${outcome.error}`,
          }),
        )
      continue
    }
    ;(space === 'google' ? google : attribute)[key] = outcome.value
  }
  const subject = google.subject
  if (failures.length === 0 && typeof subject !== 'string')
    failures.push(
      failure('invalid_request', 'The mapped attribute google.subject could not be computed.', {
        code: 'missing_claim',
        check: 'gcp.provider.attributeMapping["google.subject"]',
        message: `google.subject must map to a string, got ${subject === null ? 'null' : typeof subject}`,
        expected: 'a string',
        actual: subject === null ? 'null' : typeof subject,
      }),
    )
  else if (typeof subject === 'string' && Buffer.byteLength(subject) > maxSubjectBytes)
    failures.push(
      failure(
        'invalid_request',
        `The size of mapped attribute google.subject exceeds the ${maxSubjectBytes} bytes limit.`,
        {
          code: 'invalid_request',
          check: 'gcp.provider.attributeMapping["google.subject"]',
          message: `google.subject is ${Buffer.byteLength(subject)} bytes, Google allows at most ${maxSubjectBytes}: map a shorter value (e.g. fewer claims joined)`,
          expected: `at most ${maxSubjectBytes} bytes`,
          actual: `${Buffer.byteLength(subject)} bytes`,
        },
      ),
    )
  return { google, attribute, failures }
}

function evaluateCondition(expression: string, input: CelInput): CloudFailure | undefined {
  const whole = evaluateBool(expression, input)
  if (whole === true) return undefined
  const parts = conjuncts(expression)
  // The first conjunct that is not true is the clause to name (CEL's && is commutative for
  // errors, but a false conjunct is what users can act on).
  const index = parts.findIndex((part) => evaluateBool(part, input) !== true)
  const clause = parts[index] ?? expression
  const check = `gcp.provider.attributeCondition${parts.length > 1 ? `[clause ${index + 1} of ${parts.length}]` : ''}`
  const outcome = evaluateBool(clause, input)
  const equality = equalityOf(clause)
  if (equality !== undefined) {
    const operand = compileCel(equality.operand)
    const value = 'problem' in operand ? undefined : runCel(operand, input)
    if (value !== undefined && 'value' in value && typeof value.value === 'string') {
      const hint = detectHint(equality.literal, value.value)
      return failure('unauthorized_client', rejectedByCondition, {
        code: 'condition_failed',
        check,
        message: withWords(
          `the condition clause ${quote(clause)} is false: ${equality.operand} is ${quote(value.value)}, not ${quote(equality.literal)}`,
          hint,
        ),
        expected: equality.literal,
        actual: redact(value.value),
        ...(hint ? { hint: hint.id } : {}),
      })
    }
  }
  const shown = typeof outcome === 'string' ? outcome : String(outcome)
  return failure('unauthorized_client', rejectedByCondition, {
    code: 'condition_failed',
    check,
    message: `the condition clause ${quote(clause)} ${typeof outcome === 'string' ? `could not be evaluated (${outcome})` : `is ${shown}`}`,
    expected: clause,
    actual: redact(shown),
  })
}

// true, false, another value's type, or the error text.
function evaluateBool(expression: string, input: CelInput): boolean | string {
  const program = compileCel(expression)
  if ('problem' in program) return program.problem
  const outcome = runCel(program, input)
  if ('error' in outcome) return `error: ${outcome.error}`
  if (typeof outcome.value === 'boolean') return outcome.value
  return `not a bool: ${outcome.value === null ? 'null' : typeof outcome.value}`
}
