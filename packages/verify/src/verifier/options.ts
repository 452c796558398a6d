import type { DelegationOptions } from '../authorize/delegation.ts'
import type { RequestPolicy } from '../authorize/request-policy.ts'
import {
  type DpopNonceSource,
  defaultMaxProofAge,
  defaultMaxProofBytes,
  defaultProofLeeway,
  type ResolvedDpopOptions,
} from '../dpop/types.ts'
import { type Problem, TesseraError } from '../explain/tessera-error.ts'
import { createJwksClient } from '../keys/jwks-client.ts'
import type { KeySource } from '../keys/key-source.ts'
import { createLocalKeySet } from '../keys/local-key-set.ts'
import { MemoryReplayStore } from '../replay/memory-replay-store.ts'
import type { ReplayStore } from '../replay/replay-store.ts'
import {
  isForbiddenAlgorithm,
  isJwsAlgorithm,
  type JwsAlgorithm,
  jwsAlgorithms,
} from '../token/algorithms.ts'
import { type Clock, systemClock } from '../token/clock.ts'
import { defaultMaxTokenBytes } from '../token/limits.ts'
import type { DecisionEvent, JwksCacheOptions, VerifierOptions } from './types.ts'

/** A trusted issuer after validation. */
export interface ResolvedIssuer {
  readonly issuer: string
  readonly algorithms: readonly JwsAlgorithm[]
  readonly keys: KeySource
}

/** Verifier options after validation: complete, normalised and frozen. */
export interface ResolvedVerifierOptions {
  readonly issuers: ReadonlyMap<string, ResolvedIssuer>
  readonly issuerNames: readonly string[]
  readonly audience: readonly string[]
  readonly leeway: number
  readonly maxLifetime?: number
  readonly maxTokenAge?: number
  readonly typ?: string
  readonly requiredClaims: readonly string[]
  readonly subject?: readonly string[]
  readonly replay?: ReplayStore
  readonly clock: Clock
  readonly maxTokenBytes: number
  /** Present when the DPoP scheme is accepted. */
  readonly dpop?: ResolvedDpopOptions
  readonly delegation?: DelegationOptions
  readonly policies: readonly RequestPolicy[]
  readonly onDecision?: (event: DecisionEvent) => void
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const knownOptions = new Set([
  'issuers',
  'audience',
  'leeway',
  'maxLifetime',
  'maxTokenAge',
  'typ',
  'requiredClaims',
  'subject',
  'replay',
  'clock',
  'maxTokenBytes',
  'dpop',
  'delegation',
  'policy',
  'onDecision',
])
const knownDpopOptions = new Set([
  'maxProofAge',
  'leeway',
  'algorithms',
  'replay',
  'nonce',
  'maxProofBytes',
])
const knownDelegationOptions = new Set(['maxDepth', 'allowedActors', 'requireMayAct'])
const knownIssuerOptions = new Set([
  'issuer',
  'algorithms',
  'cache',
  'jwks',
  'jwksUri',
  'discovery',
  'keySource',
])
const knownCacheOptions = new Set([
  'maxAgeSeconds',
  'cooldownSeconds',
  'staleIfErrorSeconds',
  'timeoutMs',
  'maxBytes',
])

function isAbsoluteUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:'
  } catch {
    return false
  }
}

/**
 * Validates every option at once and returns them resolved and frozen; key sets are imported
 * here, once. Unknown keys are problems too, so a typo cannot silently disable a check.
 * @throws {TesseraError} `invalid_options` with every problem and its path
 */
export function resolveVerifierOptions(options: VerifierOptions): ResolvedVerifierOptions {
  const problems: Problem[] = []
  const add = (path: string, message: string): void => {
    problems.push({ path, message })
  }
  if (!isRecord(options)) {
    throw new TesseraError({
      code: 'invalid_options',
      message: 'verifier options must be an object',
      problems: [{ path: '', message: 'must be an object' }],
    })
  }
  for (const key of Object.keys(options))
    if (!knownOptions.has(key)) add(key, 'is not a known option')

  const nonNegative = (path: string, value: unknown, integer = true): number | undefined => {
    if (value === undefined) return undefined
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value < 0 ||
      (integer && !Number.isInteger(value))
    ) {
      add(path, `must be a non-negative ${integer ? 'integer' : 'number'} of seconds`)
      return undefined
    }
    return value
  }
  const stringList = (path: string, value: unknown): string[] | undefined => {
    const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined
    if (
      list === undefined ||
      list.length === 0 ||
      list.some((v) => typeof v !== 'string' || v === '')
    ) {
      add(path, 'must be a non-empty string or a non-empty array of non-empty strings')
      return undefined
    }
    return [...new Set(list as string[])]
  }

  const audience = stringList('audience', options.audience)
  const leeway = nonNegative('leeway', options.leeway) ?? 60
  if (leeway > 300)
    add('leeway', 'must be at most 300 seconds; a larger tolerance hides broken clocks')
  const maxLifetime = nonNegative('maxLifetime', options.maxLifetime)
  const maxTokenAge = nonNegative('maxTokenAge', options.maxTokenAge)
  const maxTokenBytes = nonNegative('maxTokenBytes', options.maxTokenBytes) ?? defaultMaxTokenBytes
  if (maxTokenBytes < 64) add('maxTokenBytes', 'must be at least 64')
  if (options.typ !== undefined && (typeof options.typ !== 'string' || options.typ === ''))
    add('typ', 'must be a non-empty string')
  const requiredClaims =
    options.requiredClaims === undefined
      ? []
      : (stringList('requiredClaims', options.requiredClaims) ?? [])
  const subject = options.subject === undefined ? undefined : stringList('subject', options.subject)
  if (options.clock !== undefined && typeof options.clock !== 'function')
    add('clock', 'must be a function returning epoch seconds')
  const replay = options.replay
  if (
    replay !== undefined &&
    (!isRecord(replay) || typeof (replay as { use?: unknown }).use !== 'function')
  ) {
    add('replay', 'must be a ReplayStore (an object with a use(key, expiresAt) method)')
  }
  const clock = typeof options.clock === 'function' ? options.clock : systemClock
  const dpop = options.dpop === undefined ? undefined : resolveDpop(options.dpop, clock, add)
  const delegation =
    options.delegation === undefined
      ? undefined
      : resolveDelegation(options.delegation, add, stringList)
  const policies = resolvePolicies(options.policy, add)
  if (options.onDecision !== undefined && typeof options.onDecision !== 'function')
    add('onDecision', 'must be a function receiving a DecisionEvent')

  const issuers = new Map<string, ResolvedIssuer>()
  const seen = new Set<string>()
  if (!Array.isArray(options.issuers) || options.issuers.length === 0) {
    add('issuers', 'must be a non-empty array of trusted issuers')
  } else {
    for (const [i, raw] of (options.issuers as readonly unknown[]).entries()) {
      const at = `issuers[${i}]`
      if (!isRecord(raw)) {
        add(at, 'must be an object')
        continue
      }
      for (const key of Object.keys(raw))
        if (!knownIssuerOptions.has(key)) add(`${at}.${key}`, 'is not a known option')
      const issuer = raw.issuer
      let issuerOk = true
      if (typeof issuer !== 'string' || issuer === '') {
        add(`${at}.issuer`, 'must be a non-empty string')
        issuerOk = false
      } else if (raw.discovery !== undefined && !isAbsoluteUrl(issuer)) {
        add(`${at}.issuer`, 'must be an absolute http(s) URL when discovery is used')
        issuerOk = false
      } else if (seen.has(issuer)) {
        add(`${at}.issuer`, `duplicates issuer ${JSON.stringify(issuer)}`)
        issuerOk = false
      }
      if (typeof issuer === 'string') seen.add(issuer)
      const algorithms = resolveAlgorithms(`${at}.algorithms`, raw.algorithms, add)
      const sources = (['jwks', 'jwksUri', 'discovery', 'keySource'] as const).filter(
        (k) => raw[k] !== undefined,
      )
      if (sources.length !== 1) {
        add(
          at,
          sources.length === 0
            ? 'needs a key source: one of jwks, jwksUri, discovery: true'
            : `has ${sources.join(' and ')}: give exactly one key source`,
        )
      }
      const cache = resolveCache(`${at}.cache`, raw.cache, add)
      if (!issuerOk || sources.length !== 1) continue
      const name = issuer as string
      let keys: KeySource | undefined
      try {
        keys = createKeySource(name, raw, cache, clock, `${at}`, add)
      } catch (error) {
        if (error instanceof TesseraError) add(`${at}.${sources[0]}`, error.message)
        else throw error
      }
      if (keys !== undefined && algorithms !== undefined) {
        issuers.set(name, Object.freeze({ issuer: name, algorithms, keys }))
      }
    }
  }
  if (problems.length > 0 || audience === undefined) {
    throw new TesseraError({
      code: 'invalid_options',
      message: `verifier options are invalid: ${problems.map((p) => `${p.path || '(root)'} ${p.message}`).join('; ')}`,
      problems,
    })
  }
  return Object.freeze({
    issuers,
    issuerNames: Object.freeze([...issuers.keys()]),
    audience: Object.freeze(audience),
    leeway,
    ...(maxLifetime === undefined ? {} : { maxLifetime }),
    ...(maxTokenAge === undefined ? {} : { maxTokenAge }),
    ...(options.typ === undefined ? {} : { typ: options.typ }),
    requiredClaims: Object.freeze(requiredClaims),
    ...(subject === undefined ? {} : { subject: Object.freeze(subject) }),
    ...(replay === undefined ? {} : { replay }),
    clock,
    maxTokenBytes,
    ...(dpop === undefined ? {} : { dpop }),
    ...(delegation === undefined ? {} : { delegation }),
    policies,
    ...(typeof options.onDecision === 'function' ? { onDecision: options.onDecision } : {}),
  })
}

const isReplayStore = (value: unknown): boolean =>
  isRecord(value) && typeof (value as { use?: unknown }).use === 'function'

function resolveDpop(
  value: unknown,
  clock: Clock,
  add: (path: string, message: string) => void,
): ResolvedDpopOptions | undefined {
  if (!isRecord(value)) {
    add('dpop', 'must be an object (use {} for the defaults)')
    return undefined
  }
  let failed = false
  const note = (path: string, message: string): void => {
    failed = true
    add(path, message)
  }
  for (const key of Object.keys(value))
    if (!knownDpopOptions.has(key)) note(`dpop.${key}`, 'is not a known option')
  const integer = (key: string, fallback: number, min: number, max: number): number => {
    const v = value[key]
    if (v === undefined) return fallback
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      note(`dpop.${key}`, `must be an integer from ${min} to ${max}`)
      return fallback
    }
    return v
  }
  const maxProofAge = integer('maxProofAge', defaultMaxProofAge, 1, 3600)
  const leeway = integer('leeway', defaultProofLeeway, 0, 300)
  const maxProofBytes = integer('maxProofBytes', defaultMaxProofBytes, 256, 64 * 1024)
  const algorithms = resolveAlgorithms('dpop.algorithms', value.algorithms, note)
  if (value.replay !== undefined && !isReplayStore(value.replay))
    note('dpop.replay', 'must be a ReplayStore (an object with a use(key, expiresAt) method)')
  const nonce = value.nonce as Partial<DpopNonceSource> | undefined
  if (
    nonce !== undefined &&
    (!isRecord(nonce) || typeof nonce.current !== 'function' || typeof nonce.isValid !== 'function')
  ) {
    note('dpop.nonce', 'must be a DpopNonceSource (current() and isValid(nonce))')
  }
  if (failed || algorithms === undefined) return undefined
  return Object.freeze({
    maxProofAge,
    leeway,
    algorithms,
    replay: (value.replay as ReplayStore | undefined) ?? new MemoryReplayStore({ clock }),
    ...(nonce === undefined ? {} : { nonce: nonce as DpopNonceSource }),
    maxProofBytes,
  })
}

function resolveDelegation(
  value: unknown,
  add: (path: string, message: string) => void,
  stringList: (path: string, value: unknown) => string[] | undefined,
): DelegationOptions | undefined {
  if (!isRecord(value)) {
    add('delegation', 'must be an object')
    return undefined
  }
  for (const key of Object.keys(value))
    if (!knownDelegationOptions.has(key)) add(`delegation.${key}`, 'is not a known option')
  const { maxDepth, allowedActors, requireMayAct } = value
  if (
    maxDepth !== undefined &&
    (typeof maxDepth !== 'number' || !Number.isInteger(maxDepth) || maxDepth < 0)
  ) {
    add('delegation.maxDepth', 'must be a non-negative integer (0 refuses any act)')
  }
  let actors: string[] | undefined
  if (Array.isArray(allowedActors)) actors = stringList('delegation.allowedActors', allowedActors)
  else if (allowedActors !== undefined)
    add('delegation.allowedActors', 'must be a non-empty array of actor patterns (exact or glob)')
  if (requireMayAct !== undefined && typeof requireMayAct !== 'boolean')
    add('delegation.requireMayAct', 'must be a boolean')
  return Object.freeze({
    ...(typeof maxDepth === 'number' ? { maxDepth } : {}),
    ...(actors === undefined ? {} : { allowedActors: Object.freeze(actors) }),
    ...(requireMayAct === true ? { requireMayAct } : {}),
  })
}

function resolvePolicies(
  value: unknown,
  add: (path: string, message: string) => void,
): readonly RequestPolicy[] {
  if (value === undefined) return Object.freeze([])
  const list = Array.isArray(value) ? value : [value]
  let ok = true
  list.forEach((p: unknown, i) => {
    if (typeof p === 'function') return
    ok = false
    add(Array.isArray(value) ? `policy[${i}]` : 'policy', 'must be a RequestPolicy function')
  })
  return ok ? Object.freeze([...(list as RequestPolicy[])]) : Object.freeze([])
}

function resolveAlgorithms(
  path: string,
  value: unknown,
  add: (path: string, message: string) => void,
): readonly JwsAlgorithm[] | undefined {
  if (value === undefined) return jwsAlgorithms
  if (!Array.isArray(value) || value.length === 0) {
    add(path, 'must be a non-empty array of algorithm names')
    return undefined
  }
  let ok = true
  value.forEach((alg: unknown, j) => {
    if (isJwsAlgorithm(alg)) return
    ok = false
    const name = String(alg)
    add(
      `${path}[${j}]`,
      isForbiddenAlgorithm(name)
        ? `${JSON.stringify(name)} is never accepted: only asymmetric algorithms are (RFC 8725)`
        : `${JSON.stringify(name)} is not one of ${jwsAlgorithms.join(', ')}`,
    )
  })
  return ok ? Object.freeze([...new Set(value as JwsAlgorithm[])]) : undefined
}

function resolveCache(
  path: string,
  value: unknown,
  add: (path: string, message: string) => void,
): JwksCacheOptions {
  if (value === undefined) return {}
  if (!isRecord(value)) {
    add(path, 'must be an object')
    return {}
  }
  const out: Record<string, number> = {}
  for (const [key, v] of Object.entries(value)) {
    if (!knownCacheOptions.has(key)) add(`${path}.${key}`, 'is not a known option')
    else if (
      typeof v !== 'number' ||
      !Number.isInteger(v) ||
      v < (key === 'staleIfErrorSeconds' ? 0 : 1)
    ) {
      add(`${path}.${key}`, 'must be a positive integer')
    } else out[key] = v
  }
  return out
}

function createKeySource(
  issuer: string,
  raw: Record<string, unknown>,
  cache: JwksCacheOptions,
  clock: Clock,
  at: string,
  add: (path: string, message: string) => void,
): KeySource | undefined {
  if (raw.jwks !== undefined) return createLocalKeySet(raw.jwks, issuer)
  if (raw.keySource !== undefined) {
    const ks = raw.keySource as Partial<KeySource>
    if (!isRecord(ks) || typeof ks.select !== 'function' || typeof ks.state !== 'function') {
      add(`${at}.keySource`, 'must implement KeySource (select and state)')
      return undefined
    }
    return ks as KeySource
  }
  if (raw.jwksUri !== undefined) {
    if (typeof raw.jwksUri !== 'string' || !isAbsoluteUrl(raw.jwksUri)) {
      add(`${at}.jwksUri`, 'must be an absolute http(s) URL')
      return undefined
    }
    return createJwksClient({ source: issuer, jwksUri: raw.jwksUri, clock, ...cache })
  }
  if (raw.discovery !== true) {
    add(`${at}.discovery`, 'must be true when given')
    return undefined
  }
  return createJwksClient({ source: issuer, discovery: issuer, clock, ...cache })
}
