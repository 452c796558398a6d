import { Environment } from '@marcbachmann/cel-js'

/**
 * Google's attribute mapping and attribute condition, as one policy condition.
 *
 * Google evaluates `attributeMapping` (CEL over `assertion`, the token's claims) into `google.*`
 * and `attribute.*`, then `attributeCondition` (CEL over `assertion`, `google`, `attribute`).
 * The policy part already compiles, bounds and evaluates CEL over `claims`, and explains a
 * failure as `condition_failed`; binding Google's names to it with `cel.bind` reuses all of
 * that instead of a second CEL evaluator:
 *
 *   cel.bind(assertion, claims, cel.bind(google, {"subject": (m1)},
 *     cel.bind(attribute, {"repo": (m2)}, (condition))))
 *
 * Each piece is spliced in parentheses only after it parsed on its own, so no piece can close
 * a parenthesis of the wrapper and change what the rest means.
 */

/** The message Google answers a failed attribute condition with (`unauthorized_client`). */
export const attributeConditionMessage =
  'The given credential is rejected by the attribute condition.'

// Only parsing is done here, which needs no variables: types are checked when the whole
// condition is compiled with the policies.
const pieces = new Environment()

const customAttribute = /^attribute\.([a-z0-9_]{1,100})$/
const googleAttribute = /^google\.(subject|groups)$/
// `assertion.a.b` or `assertion["a"]`: a mapping the output subject template can express.
const claimPath = /^assertion((?:\.[A-Za-z_][A-Za-z0-9_]*)+)$/
const claimIndex = /^assertion\[\s*(?:"([A-Za-z0-9_.-]+)"|'([A-Za-z0-9_.-]+)')\s*\]$/

/** The combined condition, or the problem to show instead (through the policy compiler). */
export interface GoogleCondition {
  /** The condition's CEL over `claims`; an unparsable piece is returned alone so its parse
   * error is what the configuration check reports. */
  readonly expression: string
  /** The output subject placeholder for `google.subject` (`{sub}`, `{claims.x}`); absent with a problem. */
  readonly subjectPlaceholder?: string
}

function parses(expression: string): boolean {
  try {
    pieces.parse(expression)
    return true
  } catch {
    return false
  }
}

function placeholderOf(expression: string): string | undefined {
  const trimmed = expression.trim()
  const path =
    claimPath.exec(trimmed)?.[1]?.slice(1) ?? claimIndex.exec(trimmed)?.slice(1).find(Boolean)
  if (path === undefined) return undefined
  return path === 'sub' ? '{sub}' : `{claims.${path}}`
}

// An identifier the policy compiler refuses as an unknown variable, naming the problem.
function problem(words: string): GoogleCondition {
  return { expression: `gcp_${words.replace(/[^A-Za-z0-9]+/g, '_')}` }
}

/**
 * Builds the condition of a provider's implied policy from its attribute mapping (default
 * `google.subject = assertion.sub`) and attribute condition (default: accept).
 */
export function googleCondition(
  mapping: Readonly<Record<string, string>> | undefined,
  condition: string | undefined,
): GoogleCondition {
  const entries = Object.entries(mapping ?? { 'google.subject': 'assertion.sub' })
  const google: string[] = []
  const attribute: string[] = []
  for (const [key, expression] of entries) {
    if (!parses(expression)) return { expression }
    const name = googleAttribute.exec(key)?.[1] ?? customAttribute.exec(key)?.[1]
    if (name === undefined) {
      return problem(
        `attribute mapping key ${key} is not google.subject, google.groups or attribute.NAME of a-z 0-9 _`,
      )
    }
    ;(key.startsWith('google.') ? google : attribute).push(
      `${JSON.stringify(name)}: (${expression})`,
    )
  }
  const subject = entries.find(([key]) => key === 'google.subject')
  if (subject === undefined) return problem('attribute mapping must map google.subject')
  if (condition !== undefined && condition.trim() !== '' && !parses(condition)) {
    return { expression: condition }
  }
  const body = condition === undefined || condition.trim() === '' ? 'true' : condition
  // The minted sub is rendered by a policy template, which reads claims, not CEL.
  const subjectPlaceholder = placeholderOf(subject[1])
  if (subjectPlaceholder === undefined) {
    return problem('google.subject mapping must be a claim path such as assertion.sub')
  }
  return {
    expression: `cel.bind(assertion, claims, cel.bind(google, {${google.join(', ')}}, cel.bind(attribute, {${attribute.join(', ')}}, (${body}))))`,
    subjectPlaceholder,
  }
}
