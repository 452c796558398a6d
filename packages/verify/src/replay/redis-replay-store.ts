import type { Problem } from '../explain/tessera-error.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import { type Clock, systemClock } from '../token/clock.ts'
import type { ReplayStore } from './replay-store.ts'

/**
 * The one Redis command the store needs, in the shape of node-redis v4+ (`client.set(key, value,
 * { NX: true, PXAT })`); other clients fit with a one-line wrapper. Keeping the client injected
 * keeps `@tessera/verify` free of a runtime dependency.
 */
export interface RedisSetClient {
  set(key: string, value: string, options: { NX: true; PXAT: number }): Promise<string | null>
}

/** Options of `createRedisReplayStore`. */
export interface RedisReplayStoreOptions {
  /** A connected node-redis (v4+) client, or anything with the same `set`. */
  readonly client: RedisSetClient
  /** Prepended to every key (default `tessera:replay:`); lets several receivers share one Redis. */
  readonly prefix?: string
  /** Epoch-seconds clock used to skip identifiers that have already expired (default: system clock). */
  readonly clock?: Clock
}

/**
 * A `ReplayStore` on Redis, shared by every instance of a receiver: `use(key, expiresAt)` is
 * `SET prefix+key 1 NX PXAT expiresAt*1000`, atomic on the server, and Redis drops the key when
 * it expires. An `expiresAt` already in the past is accepted without a round trip: such an
 * identifier cannot be replayed later, and writing it would only create a key that is born dead.
 * @throws {TesseraError} `invalid_options` when the options are invalid (every problem listed)
 */
export function createRedisReplayStore(options: RedisReplayStoreOptions): ReplayStore {
  const problems: Problem[] = []
  const input = (typeof options === 'object' && options !== null ? options : {}) as Partial<
    Record<keyof RedisReplayStoreOptions, unknown>
  >
  if (typeof options !== 'object' || options === null)
    problems.push({ path: '', message: 'must be an object with a client' })
  else if (
    typeof input.client !== 'object' ||
    input.client === null ||
    typeof (input.client as { set?: unknown }).set !== 'function'
  )
    problems.push({
      path: 'client',
      message: 'must be a Redis client with set(key, value, { NX, PXAT })',
    })
  if (input.prefix !== undefined && typeof input.prefix !== 'string')
    problems.push({ path: 'prefix', message: 'must be a string' })
  if (input.clock !== undefined && typeof input.clock !== 'function')
    problems.push({ path: 'clock', message: 'must be a function returning epoch seconds' })
  if (problems.length > 0) {
    throw new TesseraError({
      code: 'invalid_options',
      message: `createRedisReplayStore options are invalid: ${problems.map((p) => `${p.path || '(options)'} ${p.message}`).join('; ')}`,
      problems,
    })
  }
  const client = options.client
  const prefix = options.prefix ?? 'tessera:replay:'
  const clock = options.clock ?? systemClock
  return {
    async use(key: string, expiresAt: number): Promise<boolean> {
      // NaN or Infinity fall through to Redis, which refuses them: the store fails closed.
      if (expiresAt <= clock()) return true
      let reply: string | null
      try {
        reply = await client.set(`${prefix}${key}`, '1', {
          NX: true,
          PXAT: Math.ceil(expiresAt * 1000),
        })
      } catch (cause) {
        // Fail closed: without the store nobody can tell a first use from a replay.
        throw new TesseraError({
          code: 'internal_error',
          check: 'replay',
          message: 'the Redis replay store could not record an identifier; the request is refused',
          cause,
        })
      }
      // NX: "OK" when the key was set, null when it already existed (a replay).
      return reply !== null
    },
  }
}
