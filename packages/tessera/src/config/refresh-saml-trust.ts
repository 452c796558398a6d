import { isTesseraError, quote } from '@tessera/verify'
import type { IdpMetadata } from '../saml/index.ts'
import type { SamlTrust } from '../sts/index.ts'
import type { Logger } from '../telemetry/index.ts'
import {
  fetchIdpMetadata,
  type LoadSamlTrustOptions,
  loadSamlTrustWithMetadata,
  logMetadataWarnings,
  samlIdpOf,
} from './load-saml-trust.ts'
import type { CompiledConfig } from './types.ts'

/** Runs `fn` after `delayMs`; returns a cancel function. Tests inject a manual one. */
export type Schedule = (delayMs: number, fn: () => Promise<void>) => () => void

/** Options of `startSamlTrust`. */
export interface SamlTrustRefreshOptions extends LoadSamlTrustOptions {
  readonly logger: Pick<Logger, 'warn' | 'error' | 'info'>
  /** Default: unref'd `setTimeout`, so a pending refresh never keeps the process alive. */
  readonly schedule?: Schedule
  /** In [0, 1): spreads refreshes of many servers over time (default `Math.random`). */
  readonly random?: () => number
}

/** The SAML trust in force, kept fresh from the IdPs' metadata URLs. */
export interface SamlTrustRefresher {
  /** The trust the engine validates against now (undefined without a `saml` section). */
  current(): SamlTrust | undefined
  /** Cancels every pending refresh; a refresh in flight finishes without effect. */
  stop(): void
  /** Resolves when no refresh is in flight. */
  idle(): Promise<void>
}

/** Bounds of the refresh schedule, in seconds. */
export const refreshBounds = Object.freeze({
  /** Never more often than this, whatever cacheDuration says: the IdP is not ours to load. */
  floor: 300,
  /** Never less often than this: a rotation is seen within a day. */
  ceiling: 86_400,
  /** First retry after a failed fetch; doubled on each further failure. */
  retry: 60,
  /** Longest wait between retries. */
  retryCap: 3600,
  /** Share of the delay taken off at random. */
  jitter: 0.1,
})

const defaultSchedule: Schedule = (delayMs, fn) => {
  const timer = setTimeout(() => {
    fn().catch(() => undefined)
  }, delayMs)
  timer.unref()
  return () => clearTimeout(timer)
}

/**
 * Seconds until the next fetch of `metadata`: min(cacheDuration, time to validUntil, 24 h),
 * less up to 10 % jitter, never under 5 minutes.
 */
export function refreshDelaySeconds(metadata: IdpMetadata, now: number, random: number): number {
  const bounds: number[] = [refreshBounds.ceiling]
  if (metadata.cacheDurationSeconds !== undefined) bounds.push(metadata.cacheDurationSeconds)
  if (metadata.validUntil !== undefined) bounds.push(metadata.validUntil - now)
  const delay = Math.min(...bounds) * (1 - refreshBounds.jitter * random)
  return Math.max(refreshBounds.floor, delay)
}

/** Seconds until retry number `failures` (1, 2, …) after failed fetches. */
export function retryDelaySeconds(failures: number): number {
  return Math.min(refreshBounds.retryCap, refreshBounds.retry * 2 ** (failures - 1))
}

/**
 * Loads the SAML trust as `loadSamlTrust` does (refusing to start on the same errors), then
 * re-fetches each metadata URL on its schedule (`refreshDelaySeconds`). A refreshed document
 * replaces the IdP's certificates at once (a rotation is picked up without a restart); one
 * that cannot be fetched or read, or names another entity ID, is logged with its code and the
 * last good metadata stays, retried with capped backoff (`retryDelaySeconds`). Requests never
 * fail because a refresh did — until the kept metadata's validUntil passes, from when the
 * saml part refuses that IdP's Responses with `metadata_expired`. Expiry warnings are logged
 * at warn on every load.
 *
 * @throws {TesseraError} `invalid_config`, as `loadSamlTrust`
 */
export async function startSamlTrust(
  config: Pick<CompiledConfig, 'samlIdps' | 'saml'>,
  options: SamlTrustRefreshOptions,
): Promise<SamlTrustRefresher> {
  const loaded = await loadSamlTrustWithMetadata(config, options)
  let trust = loaded?.trust
  const schedule = options.schedule ?? defaultSchedule
  const random = options.random ?? Math.random
  const { logger, clock } = options
  const cancels = new Map<number, () => void>()
  const inFlight = new Set<Promise<void>>()
  let stopped = false

  const plan = (i: number, seconds: number, refresh: () => Promise<void>): void => {
    if (stopped) return
    cancels.set(
      i,
      schedule(seconds * 1000, () => {
        cancels.delete(i)
        const running = refresh().finally(() => inFlight.delete(running))
        inFlight.add(running)
        return running
      }),
    )
  }

  config.samlIdps.forEach((settings, i) => {
    const { source } = settings
    const first = loaded?.metadata[i]
    if (!('url' in source) || first === undefined) return
    const idp = { ...settings, source }
    let failures = 0
    const refresh = async (): Promise<void> => {
      const fields = { entityId: idp.entityId, url: source.url }
      let next: IdpMetadata
      try {
        next = await fetchIdpMetadata(idp, { clock, ...optional(options.timeoutMs) })
        if (next.entityId !== idp.entityId) {
          if (stopped) return
          failures += 1
          logger.error(
            { ...fields, code: 'issuer_mismatch', actual: next.entityId },
            `metadata refresh refused: the document at ${quote(source.url)} is for entity ID ${quote(next.entityId)}, not ${quote(idp.entityId)}; the last good metadata stays`,
          )
          return plan(i, retryDelaySeconds(failures), refresh)
        }
      } catch (error) {
        if (stopped) return
        failures += 1
        const retryIn = retryDelaySeconds(failures)
        logger.error(
          {
            ...fields,
            code: isTesseraError(error) ? error.code : 'internal_error',
            failures,
            retryInSeconds: retryIn,
          },
          `metadata refresh failed: ${(error as Error).message}; the last good metadata stays`,
        )
        return plan(i, retryIn, refresh)
      }
      if (stopped) return
      failures = 0
      const current = trust as SamlTrust
      // One assignment: a request reads either the old IdP list or the new, never a mix.
      trust = {
        ...current,
        idps: current.idps.map((old, j) => (j === i ? samlIdpOf(idp, next) : old)),
      }
      logger.info(
        { ...fields, certificates: next.signingCertificates.length },
        'SAML metadata refreshed',
      )
      logMetadataWarnings(logger, idp.entityId, next)
      plan(i, refreshDelaySeconds(next, clock(), random()), refresh)
    }
    plan(i, refreshDelaySeconds(first, clock(), random()), refresh)
  })

  return {
    current: () => trust,
    stop: () => {
      stopped = true
      for (const cancel of cancels.values()) cancel()
      cancels.clear()
    },
    idle: async () => {
      await Promise.all(inFlight)
    },
  }
}

function optional(timeoutMs: number | undefined): { timeoutMs?: number } {
  return timeoutMs === undefined ? {} : { timeoutMs }
}
