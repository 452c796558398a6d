/**
 * @module @tessera/verify/fastify — a Fastify 5 plugin that verifies every request with
 * `verifier.verifyRequest` and puts the result on `request.tessera`.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { RequestPolicy } from '../authorize/request-policy.ts'
import type { Problem } from '../explain/tessera-error.ts'
import type { RequestVerifyResult } from '../verifier/types.ts'
import {
  type AdapterOptions,
  type PolicyOption,
  resolveAdapterOptions,
  withRoutePolicy,
} from './adapter-options.ts'
import { httpRejection } from './http-rejection.ts'
import { httpRequestInput } from './request-input.ts'
import { requestUrl } from './request-url.ts'

/** Route-level settings, under the route's `config.tessera`. */
export interface FastifyRouteTesseraConfig {
  /** Policies for this route, evaluated after the plugin's `policy`. */
  readonly policy?: RequestPolicy | readonly RequestPolicy[]
  /** True: this route is not verified (`request.tessera` stays null). */
  readonly skip?: boolean
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified request, or null on routes that were skipped or not verified yet. */
    tessera: RequestVerifyResult | null
  }
  interface FastifyContextConfig {
    tessera?: FastifyRouteTesseraConfig
  }
  interface FastifyInstance {
    /** Verifies one request (as a route's `onRequest` or `preHandler`); no-op once verified. */
    tesseraAuthenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>
  }
}

/** Options of the `tesseraAuth` plugin. */
export interface FastifyAdapterOptions extends AdapterOptions<FastifyRequest> {
  /**
   * Where the plugin verifies every route: `onRequest` (default: before the body is read, so a
   * rejected request costs no parsing), `preHandler`, or `none` to verify only the routes that
   * use `fastify.tesseraAuthenticate` as a hook.
   */
  readonly hook?: 'onRequest' | 'preHandler' | 'none'
}

const hooks: readonly unknown[] = ['onRequest', 'preHandler', 'none']

function checkHook(options: Record<string, unknown>, problems: Problem[]): void {
  if (options.hook !== undefined && !hooks.includes(options.hook))
    problems.push({ path: 'hook', message: 'must be "onRequest", "preHandler" or "none"' })
}

async function plugin(fastify: FastifyInstance, options: FastifyAdapterOptions): Promise<void> {
  const adapter = resolveAdapterOptions<FastifyRequest>('tesseraAuth', options, checkHook)
  const hook = options.hook ?? 'onRequest'
  const { verifier, publicOrigin, skip, challenges } = adapter

  async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    if (request.tessera !== null) return undefined
    const route = request.routeOptions.config.tessera
    if (route?.skip === true || skip?.(request)) return undefined
    const raw = request.raw
    const input = httpRequestInput(
      request.method,
      requestUrl(publicOrigin, request.protocol, request.host, request.url),
      raw.headers,
      raw.socket,
      withRoutePolicy(adapter.policy, route?.policy as PolicyOption | undefined),
    )
    try {
      request.tessera = await verifier.verifyRequest(input)
      return undefined
    } catch (error) {
      const answer = await httpRejection(verifier, challenges, error, input.authorization)
      // Returning the reply tells Fastify the hook answered (async hooks, Fastify docs "Hooks").
      return reply.code(answer.status).headers(answer.headers).send(answer.body)
    }
  }

  fastify.decorateRequest('tessera', null)
  fastify.decorate('tesseraAuthenticate', authenticate)
  if (hook !== 'none') fastify.addHook(hook, authenticate)
}

/**
 * The Fastify plugin: verifies requests with `options.verifier.verifyRequest` and decorates
 * `request.tessera` with the result; a rejection is answered with the code table's status, a
 * `WWW-Authenticate` challenge and a JSON body `{ error, error_description, code, hint? }`.
 * Not encapsulated (like `fastify-plugin`), so its hook and decorators reach every route
 * registered after it. Route settings: `config: { tessera: { policy, skip } }`.
 * @throws {TesseraError} `invalid_options` at registration when the options are invalid
 */
export const tesseraAuth: FastifyPluginAsync<FastifyAdapterOptions> = Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@tessera/verify',
  [Symbol.for('plugin-meta')]: { name: '@tessera/verify', fastify: '5.x' },
})
