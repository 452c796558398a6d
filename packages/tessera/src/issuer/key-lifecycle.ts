// The key lifecycle as pure functions: given the stored keys, the time and the settings, which
// writes bring the store to the state the rotation rules ask for. No I/O, no clock, no crypto,
// so every transition can be tested exhaustively; key-manager.ts performs the actions.
import type { IssuerSettings, StoredSigningKey } from './types.ts'

/**
 * Seconds a retired key stays published beyond the longest token lifetime: the default leeway
 * of `@tessera/verify`, so a token accepted with clock skew still finds its key.
 */
export const retirementLeewaySeconds = 60

/** The settings the lifecycle reads. */
export type LifecycleSettings = Pick<
  IssuerSettings,
  'identityTokenTtlSeconds' | 'accessTokenTtlSeconds' | 'rotateEverySeconds' | 'prePublishSeconds'
>

/** The fields of a stored key the lifecycle reads. */
export type KeyTimes = Pick<
  StoredSigningKey,
  'kid' | 'state' | 'createdAt' | 'activatesAt' | 'retiredAt' | 'publishedUntil'
>

/** One write the key manager performs; lists are ordered so an active key always exists. */
export type LifecycleAction =
  | {
      readonly kind: 'create'
      readonly state: 'active' | 'pending'
      readonly activatesAt: number
    }
  | { readonly kind: 'activate'; readonly kid: string; readonly activatesAt: number }
  | {
      readonly kind: 'retire' | 'revoke'
      readonly kid: string
      readonly retiredAt: number
      readonly publishedUntil: number
    }
  | { readonly kind: 'delete'; readonly kid: string }

/** How long a key stays published after it stops signing: the longest token lifetime + leeway. */
export function retentionSeconds(settings: LifecycleSettings): number {
  return (
    Math.max(settings.identityTokenTtlSeconds, settings.accessTokenTtlSeconds) +
    retirementLeewaySeconds
  )
}

/**
 * Until when a retired or revoked key is kept (published if retired, for audit if revoked);
 * undefined for pending and active keys, which stay. A record without the field (written by
 * hand or by an older version) is kept for the retention after it stopped signing.
 */
export function publishedUntilOf(key: KeyTimes, settings: LifecycleSettings): number | undefined {
  if (key.state === 'pending' || key.state === 'active') return undefined
  return key.publishedUntil ?? (key.retiredAt ?? key.createdAt) + retentionSeconds(settings)
}

/** Whether the key belongs in the JWKS at `now`: pending, active, or retired and not yet past publishedUntil; never revoked. */
export function isPublished(key: KeyTimes, now: number, settings: LifecycleSettings): boolean {
  if (key.state === 'revoked') return false
  const until = publishedUntilOf(key, settings)
  return until === undefined || now < until
}

/** Orders keys by when they (would) start signing; ties broken so every process agrees. */
export function byActivation(a: KeyTimes, b: KeyTimes): number {
  return (
    a.activatesAt - b.activatesAt ||
    a.createdAt - b.createdAt ||
    (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0)
  )
}

/**
 * The writes that advance the lifecycle to `now`, in order:
 * 1. The key that should sign is the latest-activating of the active keys and the pending keys
 *    that are due; it is activated, every other one retired now (tokens it signed until now
 *    live on for the retention). With none, the earliest pending key is promoted at once (it
 *    has been published longest), or, with no key at all, an active key is created.
 * 2. When no pending key waits and the active key is due to rotate within `prePublishSeconds`,
 *    a pending key is created to activate at `activatesAt + rotateEverySeconds` — but never
 *    sooner than `prePublishSeconds` from now, so a late run still pre-publishes in full.
 * 3. Retired and revoked keys past their `publishedUntil` are deleted.
 * Running it again at the same `now` on the result yields no action (idempotent).
 */
export function planLifecycle(
  keys: readonly KeyTimes[],
  now: number,
  settings: LifecycleSettings,
): LifecycleAction[] {
  const actions: LifecycleAction[] = []
  const retention = retentionSeconds(settings)
  const due = keys
    .filter((k) => k.state === 'active' || (k.state === 'pending' && k.activatesAt <= now))
    .sort(byActivation)
  const current = due.at(-1)
  let activeSince: number
  let promoted: string | undefined
  if (current !== undefined) {
    if (current.state === 'pending') {
      actions.push({ kind: 'activate', kid: current.kid, activatesAt: current.activatesAt })
    }
    for (const superseded of due.slice(0, -1)) {
      actions.push({
        kind: 'retire',
        kid: superseded.kid,
        retiredAt: now,
        publishedUntil: now + retention,
      })
    }
    activeSince = current.activatesAt
  } else {
    const earliest = keys.filter((k) => k.state === 'pending').sort(byActivation)[0]
    if (earliest === undefined) {
      actions.push({ kind: 'create', state: 'active', activatesAt: now })
    } else {
      promoted = earliest.kid
      actions.push({ kind: 'activate', kid: earliest.kid, activatesAt: now })
    }
    activeSince = now
  }

  const waiting = keys.some(
    (k) => k.state === 'pending' && k.activatesAt > now && k.kid !== promoted,
  )
  const nextDue = activeSince + settings.rotateEverySeconds
  if (!waiting && now >= nextDue - settings.prePublishSeconds) {
    actions.push({
      kind: 'create',
      state: 'pending',
      activatesAt: Math.max(nextDue, now + settings.prePublishSeconds),
    })
  }

  for (const key of keys) {
    const until = publishedUntilOf(key, settings)
    if (until !== undefined && now >= until) actions.push({ kind: 'delete', kid: key.kid })
  }
  return actions
}

/**
 * The writes of a manual rotation: a pending key that activates after `prePublishSeconds`, or,
 * with `immediate`, an active key now and every active key retired (verifiers learn the new
 * kid only by refreshing: an emergency measure).
 */
export function planRotation(
  keys: readonly KeyTimes[],
  now: number,
  settings: LifecycleSettings,
  immediate: boolean,
): LifecycleAction[] {
  if (!immediate) {
    return [{ kind: 'create', state: 'pending', activatesAt: now + settings.prePublishSeconds }]
  }
  const publishedUntil = now + retentionSeconds(settings)
  return [
    { kind: 'create', state: 'active', activatesAt: now },
    ...keys
      .filter((k) => k.state === 'active')
      .map((k) => ({ kind: 'retire' as const, kid: k.kid, retiredAt: now, publishedUntil })),
  ]
}

/**
 * The writes that revoke `kid`: it leaves the JWKS at once and is kept for audit until its
 * `publishedUntil` (a retired key keeps its own; others get the retention from now). Revoking
 * the active key creates a fresh active key at once, so signing never stops; verifiers learn
 * its kid by refreshing on the unknown kid. A pending key keeps its schedule. Unknown or already
 * revoked: nothing to do.
 */
export function planRevocation(
  keys: readonly KeyTimes[],
  kid: string,
  now: number,
  settings: LifecycleSettings,
): LifecycleAction[] {
  const key = keys.find((k) => k.kid === kid)
  if (key === undefined || key.state === 'revoked') return []
  const actions: LifecycleAction[] = [
    {
      kind: 'revoke',
      kid,
      retiredAt: key.retiredAt ?? now,
      publishedUntil: publishedUntilOf(key, settings) ?? now + retentionSeconds(settings),
    },
  ]
  if (key.state === 'active') actions.push({ kind: 'create', state: 'active', activatesAt: now })
  return actions
}
