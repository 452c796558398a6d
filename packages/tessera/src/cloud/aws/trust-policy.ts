import { ConfigReader, isObject } from '../config-json.ts'

/** One condition clause: operator (with its set or IfExists qualifiers), key, listed values. */
export interface ConditionClause {
  readonly operator: string
  readonly key: string
  readonly values: readonly string[]
}

/** One statement of a role's trust policy, normalised to lists. */
export interface TrustStatement {
  /** `Statement[i]` plus the Sid when there is one, for messages. */
  readonly label: string
  readonly effect: 'Allow' | 'Deny'
  /** `Principal.Federated` values; `["*"]` for `"Principal": "*"`. */
  readonly federated: readonly string[]
  readonly actions: readonly string[]
  /** True when the statement lists `NotAction` instead of `Action`. */
  readonly notAction: boolean
  readonly conditions: readonly ConditionClause[]
}

/** A role's trust policy (its `AssumeRolePolicyDocument`). */
export interface TrustPolicy {
  readonly statements: readonly TrustStatement[]
}

const list = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value]

/**
 * Parses a trust policy document: the bare policy (`{Version, Statement}`), the output of
 * `aws iam get-role` (`{Role: {AssumeRolePolicyDocument}}`), or the document alone under
 * `AssumeRolePolicyDocument`. Condition values may be strings, numbers or booleans (IAM
 * compares their text).
 * @throws {TesseraError} `invalid_config` listing every problem
 */
export function parseTrustPolicy(text: string, source: string): TrustPolicy {
  const read = new ConfigReader(`AWS trust policy file ${JSON.stringify(source)}`)
  let doc = read.object(text)
  if (doc === undefined) return read.done() as never
  if (isObject(doc.Role)) doc = doc.Role
  if (isObject(doc.AssumeRolePolicyDocument)) doc = doc.AssumeRolePolicyDocument
  const raw = list(doc.Statement)
  if (raw.length === 0) read.problem('Statement', 'expected at least one statement')
  const statements: TrustStatement[] = []
  raw.forEach((s, i) => {
    const path = `Statement[${i}]`
    if (!isObject(s)) {
      read.problem(path, 'expected an object')
      return
    }
    const effect = s.Effect
    if (effect !== 'Allow' && effect !== 'Deny')
      read.problem(`${path}.Effect`, 'expected "Allow" or "Deny"')
    let federated: string[] = []
    if (s.Principal === '*') federated = ['*']
    else if (isObject(s.Principal)) federated = list(s.Principal.Federated).map(String)
    else if (s.NotPrincipal === undefined)
      read.problem(`${path}.Principal`, 'expected "*" or an object with Federated')
    const notAction = s.Action === undefined && s.NotAction !== undefined
    const actions = list(notAction ? s.NotAction : s.Action)
    if (actions.length === 0 || actions.some((a) => typeof a !== 'string'))
      read.problem(`${path}.Action`, 'expected an action or a list of actions')
    const conditions: ConditionClause[] = []
    if (s.Condition !== undefined && !isObject(s.Condition))
      read.problem(`${path}.Condition`, 'expected an object of operators')
    for (const [operator, block] of Object.entries(isObject(s.Condition) ? s.Condition : {})) {
      if (!isObject(block)) {
        read.problem(`${path}.Condition.${operator}`, 'expected an object of condition keys')
        continue
      }
      for (const [key, value] of Object.entries(block)) {
        const values = list(value)
        if (values.some((v) => !['string', 'number', 'boolean'].includes(typeof v))) {
          read.problem(`${path}.Condition.${operator}.${key}`, 'expected strings')
          continue
        }
        conditions.push({ operator, key, values: values.map(String) })
      }
    }
    statements.push({
      label:
        typeof s.Sid === 'string' && s.Sid !== '' ? `${path} (Sid ${JSON.stringify(s.Sid)})` : path,
      effect: effect === 'Deny' ? 'Deny' : 'Allow',
      // NotPrincipal is not modelled: such a statement never applies to a federated caller here.
      federated: s.NotPrincipal === undefined ? federated : [],
      actions: actions.map(String),
      notAction,
      conditions,
    })
  })
  read.done()
  return Object.freeze({ statements: Object.freeze(statements) })
}
