import type { KeyObject } from 'node:crypto'
import {
  type Clock,
  createLocalKeySet,
  isTesseraError,
  jwkThumbprint,
  type KeySource,
  type Problem,
  quote,
  redact,
  TesseraError,
} from '@tessera/verify'
import { generateSigningKey, publicJwkOf } from './generate-key.ts'
import {
  byActivation,
  isPublished,
  type LifecycleAction,
  planLifecycle,
  planRevocation,
  planRotation,
  publishedUntilOf,
} from './key-lifecycle.ts'
import { openPrivateKey, sealPrivateKey } from './seal.ts'
import type {
  IssuerSettings,
  JsonWebKeySet,
  KeyStore,
  SigningAlgorithm,
  SigningKey,
  SigningKeyInfo,
  StoredSigningKey,
} from './types.ts'

/** What `createKeyManager` needs. */
export interface KeyManagerOptions {
  readonly store: KeyStore
  readonly settings: IssuerSettings
  /** The 32-byte key-encryption key (`loadKeyEncryptionKey`). */
  readonly kek: Buffer
  /** Epoch seconds. */
  readonly clock: Clock
}

/** Tessera's signing keys: lifecycle, the active key, the published set. */
export interface KeyManager {
  /**
   * Reloads the keys from the store (another process may have rotated or revoked) and advances
   * the lifecycle to now: the first call on an empty store creates and activates a key; later
   * calls pre-publish, activate, retire and delete as due. Idempotent; call it on a timer.
   * @throws {TesseraError} `internal_error` when a key cannot be opened (wrong KEK, altered record)
   */
  ensure(): Promise<void>
  /**
   * The active key, opened. Synchronous: it is the state of the last `ensure`, `rotate` or `revoke`.
   * @throws {TesseraError} `internal_error` when there is no active key (ensure has not run)
   */
  signingKey(): SigningKey
  /** The public keys to publish: pending, active, retired until their publishedUntil; never revoked. */
  jwks(): JsonWebKeySet
  /**
   * Creates a key now. It is pre-published and activates after `prePublishSeconds`; with
   * `immediate` it signs at once and the current key is retired (verifiers holding a cached
   * key set fail on the new kid until they refresh: an emergency measure).
   * @throws {TesseraError} `internal_error` when the store or a key fails
   */
  rotate(options?: { readonly immediate?: boolean }): Promise<SigningKeyInfo>
  /**
   * Unpublishes a key at once (kept for audit until its publishedUntil). Revoking the active
   * key activates a fresh one. Revoking a revoked key does nothing.
   * @throws {TesseraError} `invalid_request` for a kid that is not stored
   */
  revoke(kid: string): Promise<void>
  /** Every stored key as of the last reload, by activation time, without private material. */
  list(): readonly SigningKeyInfo[]
  /** A `@tessera/verify` key source over `jwks()`, for verifying Tessera's own tokens in process. */
  keySource(): KeySource
}

const stateRank = { active: 0, pending: 1, retired: 2, revoked: 3 } as const
const expectedKeyType: Record<SigningAlgorithm, string> = {
  ES256: 'ec',
  EdDSA: 'ed25519',
  RS256: 'rsa',
}

/**
 * Creates the key manager. Nothing is read until `ensure()`. The relation checks of
 * `checkIssuerSettings` are the config's job; here only the shapes are checked.
 * @throws {TesseraError} `invalid_config` listing every problem with the options
 * @example
 * const keys = createKeyManager({ store, settings, kek, clock: systemClock })
 * await keys.ensure()
 * const { kid, privateKey } = keys.signingKey()
 */
export function createKeyManager(options: KeyManagerOptions): KeyManager {
  checkOptions(options)
  const { store, settings, kek, clock } = options
  let records: readonly StoredSigningKey[] = []
  let version = 0
  let active: SigningKey | undefined
  // Private keys are decrypted and imported once per kid, and only for keys that may sign.
  const opened = new Map<string, KeyObject>()
  const checkedKids = new Set<string>()
  let published: { version: number; validUntil: number; set: JsonWebKeySet } | undefined
  let source: { set: JsonWebKeySet; kids: string; keys: KeySource } | undefined
  // One operation at a time in this process, so two ensure() calls cannot both create a key.
  let queue: Promise<unknown> = Promise.resolve()

  function serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task).catch((error: unknown) => {
      if (isTesseraError(error)) throw error
      // A store or key-generation failure: reported in the one error type, its text redacted.
      throw new TesseraError({
        code: 'internal_error',
        message: `signing key operation failed: ${redact(error instanceof Error ? error.message : error)}`,
        cause: error,
      })
    })
    queue = run.catch(() => undefined)
    return run
  }

  async function apply(
    keys: readonly StoredSigningKey[],
    actions: readonly LifecycleAction[],
    now: number,
  ): Promise<StoredSigningKey[]> {
    const byKid = new Map(keys.map((k) => [k.kid, k]))
    const created: StoredSigningKey[] = []
    for (const action of actions) {
      if (action.kind === 'create') {
        const generated = await generateSigningKey(settings.algorithm)
        const der = generated.privateKey.export({ format: 'der', type: 'pkcs8' })
        const record: StoredSigningKey = Object.freeze({
          kid: generated.kid,
          algorithm: generated.algorithm,
          publicJwk: generated.publicJwk,
          sealedPrivateKey: sealPrivateKey(der, kek, generated.kid),
          state: action.state,
          createdAt: now,
          activatesAt: action.activatesAt,
        })
        der.fill(0)
        await store.put(record)
        opened.set(record.kid, generated.privateKey)
        checkedKids.add(record.kid)
        created.push(record)
        continue
      }
      if (action.kind === 'delete') {
        await store.delete(action.kid)
        continue
      }
      const key = byKid.get(action.kid) as StoredSigningKey
      const next: StoredSigningKey =
        action.kind === 'activate'
          ? { ...key, state: 'active', activatesAt: action.activatesAt }
          : {
              ...key,
              state: action.kind === 'retire' ? 'retired' : 'revoked',
              retiredAt: action.retiredAt,
              publishedUntil: action.publishedUntil,
            }
      await store.put(next)
      byKid.set(next.kid, next)
    }
    return created
  }

  /** Lists the store, plans at one instant, writes; reloads only when something changed. */
  async function step(
    plan: (keys: readonly StoredSigningKey[], now: number) => LifecycleAction[],
  ): Promise<StoredSigningKey[]> {
    const keys = await store.list()
    const now = clock()
    const actions = plan(keys, now)
    if (actions.length === 0) {
      adopt(keys)
      return []
    }
    const created = await apply(keys, actions, now)
    adopt(await store.list())
    return created
  }

  function openChecked(key: StoredSigningKey): KeyObject {
    const privateKey = openPrivateKey(key.sealedPrivateKey, kek, key.kid)
    // The sealed key is bound to its kid by AES-GCM's associated data; this also binds the kid
    // to the key itself, so a record cannot publish one key and sign with another.
    if (
      privateKey.asymmetricKeyType !== expectedKeyType[key.algorithm] ||
      publicJwkOf(privateKey, key.algorithm).kid !== key.kid
    ) {
      throw new TesseraError({
        code: 'internal_error',
        message: `the private key of kid ${quote(key.kid)} is not the ${key.algorithm} key its kid names`,
      })
    }
    return privateKey
  }

  function adopt(keys: readonly StoredSigningKey[]): void {
    const sorted = [...keys].sort(byActivation)
    for (const key of sorted) {
      if (!checkedKids.has(key.kid)) {
        if (jwkThumbprint(key.publicJwk) !== key.kid || key.publicJwk.kid !== key.kid) {
          throw new TesseraError({
            code: 'internal_error',
            message: `the stored public key of kid ${quote(key.kid)} does not have that kid as its RFC 7638 thumbprint`,
          })
        }
        checkedKids.add(key.kid)
      }
    }
    const signing = new Set(
      sorted.filter((k) => k.state === 'active' || k.state === 'pending').map((k) => k.kid),
    )
    // Opened now, not on first use: signingKey() stays synchronous, and a wrong KEK fails at
    // start-up rather than at the next rotation.
    for (const key of sorted) {
      if (signing.has(key.kid) && !opened.has(key.kid)) opened.set(key.kid, openChecked(key))
    }
    for (const kid of opened.keys()) if (!signing.has(kid)) opened.delete(kid)
    const current = sorted.filter((k) => k.state === 'active').at(-1)
    active =
      current === undefined
        ? undefined
        : Object.freeze({
            kid: current.kid,
            algorithm: current.algorithm,
            privateKey: opened.get(current.kid) as KeyObject,
          })
    records = Object.freeze(sorted)
    version += 1
  }

  function jwks(): JsonWebKeySet {
    const now = clock()
    if (published?.version === version && now < published.validUntil) return published.set
    const keys = records
      .filter((k) => isPublished(k, now, settings))
      // The active key first: the one a verifier needs most; then the next, then the old.
      .sort((a, b) => stateRank[a.state] - stateRank[b.state] || byActivation(b, a))
    const until = keys.map((k) => publishedUntilOf(k, settings) ?? Number.POSITIVE_INFINITY)
    const set: JsonWebKeySet = Object.freeze({ keys: Object.freeze(keys.map((k) => k.publicJwk)) })
    published = { version, validUntil: Math.min(Number.POSITIVE_INFINITY, ...until), set }
    return set
  }

  function currentKeySource(): KeySource {
    const set = jwks()
    if (source?.set === set) return source.keys
    const kids = set.keys.map((k) => String(k.kid)).join(' ')
    // Imported again only when the published kids change, not at every reload.
    if (source?.kids !== kids) {
      source = { set, kids, keys: createLocalKeySet(set, settings.issuerUrl) }
    } else source = { ...source, set }
    return source.keys
  }
  const keySource: KeySource = Object.freeze<KeySource>({
    select: (kid, alg) => currentKeySource().select(kid, alg),
    state: () => currentKeySource().state(),
  })

  return Object.freeze({
    ensure: () =>
      serialize(async () => {
        await step((keys, now) => planLifecycle(keys, now, settings))
      }),
    signingKey(): SigningKey {
      if (active === undefined) {
        throw new TesseraError({
          code: 'internal_error',
          message:
            'no active signing key: ensure() has not completed, or another process revoked the key since the last ensure()',
        })
      }
      return active
    },
    jwks,
    rotate: (rotateOptions: { readonly immediate?: boolean } = {}) =>
      serialize(async () => {
        await step((keys, now) => planLifecycle(keys, now, settings))
        const [created] = await step((keys, now) =>
          planRotation(keys, now, settings, rotateOptions.immediate === true),
        )
        await step((keys, now) => planLifecycle(keys, now, settings))
        const createdKey = created as StoredSigningKey
        // The record as it stands now: with prePublishSeconds 0 it is already active.
        return info(records.find((k) => k.kid === createdKey.kid) ?? createdKey)
      }),
    revoke: (kid: string) =>
      serialize(async () => {
        const keys = await store.list()
        if (!keys.some((k) => k.kid === kid)) {
          throw new TesseraError({
            code: 'invalid_request',
            message: `no signing key has kid ${quote(kid)}`,
            expected: keys.map((k) => k.kid),
            actual: redact(kid),
          })
        }
        await step((current, now) => planRevocation(current, kid, now, settings))
        await step((current, now) => planLifecycle(current, now, settings))
      }),
    list: () => Object.freeze(records.map(info)),
    keySource: () => keySource,
  })
}

function info(key: StoredSigningKey): SigningKeyInfo {
  const { sealedPrivateKey: _sealed, ...rest } = key
  return Object.freeze(rest)
}

const isWhole = (value: unknown, min: number): boolean =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= min

function checkOptions(options: KeyManagerOptions): void {
  const problems: Problem[] = []
  const o = (options ?? {}) as Partial<Record<keyof KeyManagerOptions, unknown>>
  const store = o.store as Partial<Record<keyof KeyStore, unknown>> | undefined
  if (
    typeof store !== 'object' ||
    store === null ||
    ['list', 'put', 'delete'].some((m) => typeof store[m as keyof KeyStore] !== 'function')
  ) {
    problems.push({ path: 'store', message: 'must be a KeyStore (list, put, delete)' })
  }
  if (!Buffer.isBuffer(o.kek) || o.kek.length !== 32) {
    problems.push({ path: '/issuer/keyEncryptionKey', message: 'must be a 32-byte key' })
  }
  if (typeof o.clock !== 'function') {
    problems.push({ path: 'clock', message: 'must be a function returning epoch seconds' })
  }
  const s = (o.settings ?? {}) as Partial<Record<keyof IssuerSettings, unknown>>
  if (typeof s.algorithm !== 'string' || !(s.algorithm in expectedKeyType)) {
    problems.push({ path: '/issuer/algorithm', message: 'must be ES256, EdDSA or RS256' })
  }
  for (const [field, min] of [
    ['identityTokenTtlSeconds', 1],
    ['accessTokenTtlSeconds', 1],
    ['rotateEverySeconds', 1],
    ['prePublishSeconds', 0],
    ['jwksMaxAgeSeconds', 0],
  ] as const) {
    if (!isWhole(s[field], min)) {
      problems.push({ path: `/issuer/${field}`, message: `must be a whole number >= ${min}` })
    }
  }
  if (typeof s.issuerUrl !== 'string' || s.issuerUrl === '') {
    problems.push({ path: '/server/publicUrl', message: 'issuerUrl must be a non-empty string' })
  }
  if (problems.length > 0) {
    throw new TesseraError({
      code: 'invalid_config',
      message: `invalid key manager options: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
      problems,
    })
  }
}
