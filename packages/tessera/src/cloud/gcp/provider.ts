import { ConfigReader, isObject } from '../config-json.ts'
import { type CelProgram, compileCel } from './cel.ts'

/** One attribute mapping: the target attribute and its CEL expression over `assertion`. */
export interface AttributeMapping {
  readonly attribute: string
  readonly program: CelProgram
}

/** A workload identity pool OIDC provider, as `gcloud … providers describe --format=json` prints it. */
export interface GcpProvider {
  /** `projects/N/locations/global/workloadIdentityPools/P/providers/X`. */
  readonly name: string
  readonly state: string
  readonly disabled: boolean
  readonly issuerUri: string
  readonly allowedAudiences: readonly string[]
  readonly mappings: readonly AttributeMapping[]
  readonly condition?: CelProgram
}

// Limits Google documents for providers (cloud-semantics.md §2.4).
const maxAudiences = 10
const maxMappingChars = 2048
const maxConditionChars = 4096
const googleAttributes = new Set([
  'google.subject',
  'google.groups',
  'google.display_name',
  'google.profile_photo',
  'google.posix_username',
])
const customAttribute = /^attribute\.[a-z0-9_]{1,100}$/

/**
 * Parses and compiles a provider: `{name, state, disabled, attributeMapping,
 * attributeCondition, oidc: {issuerUri, allowedAudiences}}`. Every CEL expression is parsed
 * here, once; `google.subject` must be mapped (Google requires it for OIDC providers).
 * @throws {TesseraError} `invalid_config` listing every problem
 */
export function parseGcpProvider(text: string, source: string): GcpProvider {
  const read = new ConfigReader(`GCP workload identity provider file ${JSON.stringify(source)}`)
  const doc = read.object(text)
  if (doc === undefined) return read.done() as never
  const name = read.string(doc, 'name', 'name')
  if (
    name !== undefined &&
    !/^projects\/[^/]+\/locations\/[^/]+\/workloadIdentityPools\/[^/]+\/providers\/[^/]+$/.test(
      name,
    )
  )
    read.problem('name', 'expected projects/N/locations/global/workloadIdentityPools/P/providers/X')
  const state = read.string(doc, 'state', 'state', true) ?? 'ACTIVE'
  if (doc.disabled !== undefined && typeof doc.disabled !== 'boolean')
    read.problem('disabled', 'expected true or false')
  let issuerUri: string | undefined
  let allowedAudiences: string[] | undefined = []
  if (!isObject(doc.oidc)) read.problem('oidc', 'expected an OIDC provider (an "oidc" object)')
  else {
    issuerUri = read.string(doc.oidc, 'issuerUri', 'oidc.issuerUri')
    allowedAudiences = read.strings(doc.oidc, 'allowedAudiences', 'oidc.allowedAudiences', true)
    if ((allowedAudiences?.length ?? 0) > maxAudiences)
      read.problem('oidc.allowedAudiences', `Google allows at most ${maxAudiences} audiences`)
  }
  const mappings: AttributeMapping[] = []
  const rawMapping = doc.attributeMapping
  if (!isObject(rawMapping)) read.problem('attributeMapping', 'expected an object')
  else {
    if (!Object.hasOwn(rawMapping, 'google.subject'))
      read.problem('attributeMapping', 'google.subject must be mapped for an OIDC provider')
    for (const [attribute, expression] of Object.entries(rawMapping)) {
      const path = `attributeMapping[${JSON.stringify(attribute)}]`
      if (!googleAttributes.has(attribute) && !customAttribute.test(attribute))
        read.problem(path, 'expected google.<name> or attribute.<[a-z0-9_]{1,100}>')
      if (typeof expression !== 'string' || expression.length > maxMappingChars) {
        read.problem(path, `expected a CEL expression of at most ${maxMappingChars} characters`)
        continue
      }
      const program = compileCel(expression)
      if ('problem' in program) read.problem(path, program.problem)
      else mappings.push({ attribute, program })
    }
  }
  let condition: CelProgram | undefined
  const rawCondition = doc.attributeCondition
  if (rawCondition !== undefined && rawCondition !== '') {
    if (typeof rawCondition !== 'string' || rawCondition.length > maxConditionChars)
      read.problem(
        'attributeCondition',
        `expected a CEL expression of at most ${maxConditionChars} characters`,
      )
    else {
      const program = compileCel(rawCondition)
      if ('problem' in program) read.problem('attributeCondition', program.problem)
      else condition = program
    }
  }
  read.done()
  return Object.freeze({
    name: name as string,
    state,
    disabled: doc.disabled === true,
    issuerUri: issuerUri as string,
    allowedAudiences: Object.freeze([...(allowedAudiences as string[])]),
    mappings: Object.freeze(mappings),
    ...(condition === undefined ? {} : { condition }),
  })
}

/** The audiences a provider accepts: its list, or its default (both spellings) when empty. */
export function acceptedAudiences(provider: GcpProvider): readonly string[] {
  if (provider.allowedAudiences.length > 0) return provider.allowedAudiences
  return [`//iam.googleapis.com/${provider.name}`, `https://iam.googleapis.com/${provider.name}`]
}
