import { dirname, resolve } from 'node:path'
import { type Problem, TesseraError } from '@tessera/verify'
import type { TLocalizedValidationError } from 'typebox/error'
import { Settings } from 'typebox/system'
import { Value } from 'typebox/value'
import { parseDocument } from 'yaml'
import { agentConfigSchema } from './config-schema.ts'
import { readBoundedFile } from './read-bounded-file.ts'

/** Largest `tessera-agent.yaml` read, in bytes: the file holds a few audiences and paths. */
export const maxAgentConfigBytes = 64 * 1024

/** Where a secret is read from, at attestation time (never at load). */
export type SecretSource =
  | { readonly kind: 'env'; readonly name: string }
  | { readonly kind: 'file'; readonly path: string }

/** How the agent proves what it is; `path` is the JSON pointer of the configured field. */
export type AgentAttestation =
  | { readonly kind: 'joinToken'; readonly source: SecretSource; readonly path: string }
  | { readonly kind: 'kubernetesTokenFile'; readonly source: SecretSource; readonly path: string }
  | { readonly kind: 'oidcToken'; readonly source: SecretSource; readonly path: string }

/** One delivered token: its audience, the absolute file, and the owner to give it. */
export interface AgentTokenConfig {
  readonly audience: string
  readonly file: string
  readonly owner?: { readonly uid: number; readonly gid: number }
}

/** `tessera-agent.yaml`, checked, with defaults applied and paths absolute; frozen. */
export interface AgentConfig {
  /** The file it was read from (or a label). */
  readonly source: string
  /** Tessera's base URL, without a trailing slash. */
  readonly server: string
  readonly attestation: AgentAttestation
  readonly tokens: readonly AgentTokenConfig[]
  readonly refresh: {
    readonly at: number
    readonly jitter: number
    readonly backoff: { readonly initialSeconds: number; readonly maxSeconds: number }
    readonly timeoutSeconds: number
  }
  readonly status: { readonly file: string }
}

const attestationKinds = ['joinToken', 'kubernetesTokenFile', 'oidcToken'] as const

/**
 * Reads and checks `tessera-agent.yaml` (at most 64 KiB): YAML syntax, the schema, and the
 * rules across fields, every problem at once with its JSON pointer. References (`env:`,
 * `file:`) are resolved later, at each attestation; relative paths are resolved against the
 * file's directory.
 * @throws {TesseraError} `invalid_config` listing every problem
 */
export async function loadAgentConfig(path: string): Promise<AgentConfig> {
  const read = await readBoundedFile(path, maxAgentConfigBytes)
  if ('errno' in read)
    throw invalid(path, [
      { path: '', message: `cannot read ${JSON.stringify(path)} (${read.errno})` },
    ])
  if ('refused' in read)
    throw invalid(path, [
      { path: '', message: `cannot read ${JSON.stringify(path)}: ${read.refused}` },
    ])
  return parseAgentConfig(read.bytes.toString('utf8'), path, dirname(resolve(path)))
}

/**
 * Checks the text of an agent configuration as `loadAgentConfig` does.
 * @throws {TesseraError} `invalid_config` listing every problem
 */
export function parseAgentConfig(text: string, source: string, baseDir: string): AgentConfig {
  const doc = parseDocument(text, {
    strict: true,
    uniqueKeys: true,
    merge: false,
    prettyErrors: false,
    version: '1.2',
    schema: 'core',
  })
  const syntax = [...doc.errors, ...doc.warnings].map((e) => ({
    path: '',
    message: `yaml syntax error: ${e.message}`,
  }))
  if (syntax.length > 0) throw invalid(source, syntax)
  const value: unknown = doc.toJS({ maxAliasCount: 100 })
  const problems = schemaProblems(value)
  if (problems.length > 0) throw invalid(source, problems)
  const config = compile(value as RawConfig, source, baseDir, problems)
  if (problems.length > 0) throw invalid(source, problems)
  return deepFreeze(config)
}

interface RawConfig {
  server: string
  attestation: Partial<Record<(typeof attestationKinds)[number], string>>
  tokens: { audience: string; file: string; owner?: string }[]
  refresh?: {
    at?: number
    jitter?: number
    backoff?: { initialSeconds?: number; maxSeconds?: number }
    timeoutSeconds?: number
  }
  status?: { file: string }
}

function compile(raw: RawConfig, source: string, baseDir: string, problems: Problem[]) {
  let server = raw.server
  try {
    const url = new URL(raw.server)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme')
    if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
      throw new Error('parts')
    server = raw.server.replace(/\/+$/, '')
  } catch {
    problems.push({
      path: '/server',
      message: 'must be an absolute http(s) URL without query, fragment or credentials',
    })
  }
  const given = attestationKinds.filter((k) => raw.attestation[k] !== undefined)
  let attestation: AgentAttestation | undefined
  if (given.length !== 1) {
    problems.push({
      path: '/attestation',
      message: `must hold exactly one of ${attestationKinds.join(', ')}, got ${given.length === 0 ? 'none' : given.join(' and ')}`,
    })
  } else {
    const kind = given[0] as (typeof attestationKinds)[number]
    const value = raw.attestation[kind] as string
    const path = `/attestation/${kind}`
    const sourceOf: SecretSource =
      kind === 'kubernetesTokenFile'
        ? { kind: 'file', path: resolve(baseDir, value) }
        : value.startsWith('env:')
          ? { kind: 'env', name: value.slice(4) }
          : { kind: 'file', path: resolve(baseDir, value.slice(5)) }
    attestation = { kind, source: sourceOf, path }
  }
  const audiences = new Map<string, number>()
  const files = new Map<string, number>()
  const tokens = raw.tokens.map((t, i) => {
    const file = resolve(baseDir, t.file)
    const seenAudience = audiences.get(t.audience)
    if (seenAudience !== undefined)
      problems.push({
        path: `/tokens/${i}/audience`,
        message: `repeats the audience of /tokens/${seenAudience}: one token per audience`,
      })
    else audiences.set(t.audience, i)
    const seenFile = files.get(file)
    if (seenFile !== undefined)
      problems.push({
        path: `/tokens/${i}/file`,
        message: `is also the file of /tokens/${seenFile}: each token needs its own file`,
      })
    else files.set(file, i)
    const [uid, gid] = (t.owner ?? '').split(':').map(Number)
    return {
      audience: t.audience,
      file,
      ...(t.owner === undefined ? {} : { owner: { uid: uid as number, gid: gid as number } }),
    }
  })
  const backoff = {
    initialSeconds: raw.refresh?.backoff?.initialSeconds ?? 1,
    maxSeconds: raw.refresh?.backoff?.maxSeconds ?? 60,
  }
  if (backoff.maxSeconds < backoff.initialSeconds)
    problems.push({
      path: '/refresh/backoff/maxSeconds',
      message: `must be at least initialSeconds (${backoff.initialSeconds}), got ${backoff.maxSeconds}`,
    })
  const statusFile = resolve(baseDir, raw.status?.file ?? 'tessera-agent-status.json')
  if (files.has(statusFile))
    problems.push({
      path: raw.status === undefined ? '/status' : '/status/file',
      message: `is the file of /tokens/${files.get(statusFile)}: the status needs its own file`,
    })
  return {
    source,
    server,
    attestation: attestation as AgentAttestation,
    tokens,
    refresh: {
      at: raw.refresh?.at ?? 0.5,
      jitter: raw.refresh?.jitter ?? 0.1,
      backoff,
      timeoutSeconds: raw.refresh?.timeoutSeconds ?? 10,
    },
    status: { file: statusFile },
  }
}

/** Every schema error as a problem at its JSON pointer, in words for people. */
function schemaProblems(value: unknown): Problem[] {
  const saved = Settings.Get().maxErrors
  let errors: TLocalizedValidationError[]
  try {
    Settings.Set({ maxErrors: 100 })
    errors = Value.Errors(agentConfigSchema, value)
  } finally {
    Settings.Set({ maxErrors: saved })
  }
  const problems: Problem[] = []
  const seen = new Set<string>()
  const add = (p: Problem) => {
    const key = `${p.path}\n${p.message}`
    if (!seen.has(key)) problems.push(p)
    seen.add(key)
  }
  for (const error of errors) {
    const params = error.params as Record<string, unknown>
    if (error.keyword === 'additionalProperties') {
      for (const key of params.additionalProperties as string[])
        add({ path: `${error.instancePath}/${escapeToken(key)}`, message: 'is not a known key' })
    } else if (error.keyword === 'boolean' && error.schemaPath.endsWith('/additionalProperties')) {
      add({ path: error.instancePath, message: 'is not a known key' })
    } else if (error.keyword === 'required') {
      for (const key of params.requiredProperties as string[])
        add({ path: `${error.instancePath}/${escapeToken(key)}`, message: 'is required' })
    } else if (error.keyword === 'pattern' && String(params.pattern).includes('env:')) {
      // Never echo the value: it may be a pasted secret.
      add({
        path: error.instancePath,
        message: 'must be a reference, env:NAME or file:PATH: secrets never live in the file',
      })
    } else {
      add({ path: error.instancePath, message: error.message })
    }
  }
  return problems
}

function escapeToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1')
}

function invalid(source: string, problems: readonly Problem[]): TesseraError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`
  const lines = problems.map((p) => `  ${p.path === '' ? '(document)' : p.path}: ${p.message}`)
  return new TesseraError({
    code: 'invalid_config',
    check: 'agent_config',
    message: `${source} is invalid (${count}):\n${lines.join('\n')}`,
    problems,
  })
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}
