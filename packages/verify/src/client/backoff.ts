/** How long a token source waits after failed fetches before it tries again. */
export interface BackoffOptions {
  /** Ceiling of the first wait, in seconds (default 1). */
  readonly initialSeconds?: number
  /** Largest wait, in seconds (default 60). */
  readonly maxSeconds?: number
  /** Growth of the ceiling per consecutive failure (default 2). */
  readonly factor?: number
}

/** Backoff settings with every default applied. */
export interface ResolvedBackoff {
  readonly initialSeconds: number
  readonly maxSeconds: number
  readonly factor: number
}

/** The defaults: 1 s, doubling, at most 60 s. */
export const defaultBackoff: ResolvedBackoff = Object.freeze({
  initialSeconds: 1,
  maxSeconds: 60,
  factor: 2,
})

/**
 * The wait after the `failures`-th consecutive failure, in seconds: "full jitter" (a uniform
 * draw below an exponentially growing, capped ceiling), so that many clients that failed
 * together do not retry together.
 */
export function backoffDelay(
  failures: number,
  backoff: ResolvedBackoff,
  random: () => number,
): number {
  return random() * backoffCeiling(failures, backoff)
}

/** The capped ceiling `initial × factor^(failures−1)` that `backoffDelay` draws below. */
export function backoffCeiling(failures: number, backoff: ResolvedBackoff): number {
  const exponent = Math.max(0, failures - 1)
  // After ~1000 failures the power is Infinity; min() still yields the cap.
  return Math.min(backoff.maxSeconds, backoff.initialSeconds * backoff.factor ** exponent)
}
