import { type Clock, quote, systemClock, TesseraError } from '@tessera/verify'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import {
  type EntraErrorContext,
  entraExchange,
  entraVariants,
  matchFederatedCredential,
  parseEntraTokenRequest,
  renderEntraError,
  renderEntraToken,
} from '../../../sts/dialects/entra/index.ts'
import { withEntraWire } from '../../../sts/dialects/entra/wire-codes.ts'
import { auditingErrorHandler, bodyField } from '../audit-refusal.ts'
import { createErrorHandler } from '../error-handler.ts'
import { withStatus } from '../http-error.ts'
import type { ServerDeps } from '../server-deps.ts'

interface TenantParams {
  readonly tenant: string
}

// What a refusal's message may quote, gathered as the request is read (see EntraErrorContext).
const contexts = new WeakMap<FastifyRequest, Omit<EntraErrorContext, 'now'>>()

/**
 * The Entra dialect's endpoints, as `@azure/identity` (msal-node) calls them with
 * `authorityHost` set to Tessera and `disableInstanceDiscovery: true`:
 * `GET /{tenant}/v2.0/.well-known/openid-configuration` (the tenant's discovery document; its
 * `issuer` has the authority's origin, which MSAL checks) and `POST /{tenant}/oauth2/v2.0/token`
 * (client credentials with a client assertion). Both answer errors in Entra's JSON with
 * `AADSTS` codes. azure-identity refuses an `http` authority, so Tessera must serve TLS
 * (`server.tls`) for it. `clock` only dates the answers (`timestamp`); the engine decides time.
 * Every refusal of a token request is audited, those decided before the engine included
 * (tenant, client, federated credential, request checks).
 */
export function registerEntraRoutes(
  app: FastifyInstance,
  deps: ServerDeps,
  clock: Clock = systemClock,
): void {
  const errorHandler = (thrown: Error, request: FastifyRequest, reply: FastifyReply) => {
    const params = request.params as Partial<TenantParams> | undefined
    const context = contexts.get(request) ?? { tenant: params?.tenant ?? '' }
    return createErrorHandler((error, correlationId) =>
      renderEntraError(error, correlationId, { ...context, now: clock() }),
    )(thrown, request, reply)
  }

  app.get<{ Params: TenantParams }>(
    '/:tenant/v2.0/.well-known/openid-configuration',
    { errorHandler },
    async (request, reply) => {
      const { tenant } = request.params
      checkTenant(deps, tenant)
      const origin = new URL(deps.config().server.publicUrl).origin
      const base = `${origin}/${encodeURIComponent(tenant)}`
      return reply
        .header('cache-control', 'max-age=86400, private')
        .type('application/json; charset=utf-8')
        .send({
          token_endpoint: `${base}/oauth2/v2.0/token`,
          token_endpoint_auth_methods_supported: ['private_key_jwt'],
          jwks_uri: `${origin}/.well-known/jwks.json`,
          response_types_supported: ['token'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256', 'ES256'],
          // No interactive sign-in here; MSAL requires the field to be present.
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          issuer: `${base}/v2.0`,
          tenant_region_scope: null,
          cloud_instance_name: 'tessera',
        })
    },
  )

  const tokenErrorHandler = auditingErrorHandler(
    deps.engine,
    (request) => {
      const clientId = bodyField(request.body, 'client_id')
      const assertion = bodyField(request.body, 'client_assertion')
      return {
        dialect: 'entra',
        correlationId: request.id,
        ...(clientId === undefined || clientId === '' ? {} : { clientId }),
        ...(assertion === undefined ? {} : { subjectToken: assertion }),
      }
    },
    errorHandler,
  )

  app.post<{ Params: TenantParams }>(
    '/:tenant/oauth2/v2.0/token',
    { errorHandler: tokenErrorHandler },
    async (request, reply) => {
      const { tenant } = request.params
      const form = request.body
      contexts.set(request, { tenant })
      checkTenant(deps, tenant)
      if (!(form instanceof URLSearchParams)) {
        throw withStatus(
          new TesseraError({
            code: 'invalid_request',
            check: 'request',
            message: 'token request is not form-encoded: send application/x-www-form-urlencoded',
          }),
          form === undefined ? 400 : 415,
        )
      }
      // Read before any check, so that every refusal can quote what was sent.
      const sent = {
        tenant,
        ...optional('clientId', form.get('client_id')),
        ...optional('scope', form.get('scope')),
        ...optional('grantType', form.get('grant_type')),
      }
      contexts.set(request, sent)
      const parsed = parseEntraTokenRequest(form, tenant)
      const { claims, header } = parsed.decoded
      contexts.set(request, {
        ...sent,
        resource: parsed.resource,
        assertion: {
          iss: claims.iss,
          sub: claims.sub,
          aud: claims.aud,
          nbf: claims.nbf,
          iat: claims.iat,
          exp: claims.exp,
          kid: header.kid,
        },
      })
      const config = deps.config()
      const match = matchFederatedCredential(config.clouds.entra, parsed, config.policies)
      const result = await deps.engine.exchange(entraExchange(parsed, match, request.id))
      const rendered = renderEntraToken(result)
      return reply.code(rendered.status).headers(rendered.headers).send(rendered.body)
    },
  )
}

function optional<K extends string>(key: K, value: string | null): Partial<Record<K, string>> {
  return value === null || value === '' ? {} : ({ [key]: value } as Record<K, string>)
}

function checkTenant(deps: ServerDeps, tenant: string): void {
  const applications = deps.config().clouds.entra?.applications ?? []
  if (applications.some((a) => a.tenantId === tenant)) return
  throw withEntraWire(
    new TesseraError({
      code: 'no_matching_policy',
      check: 'tenant',
      message: `no Entra application is configured for tenant ${quote(tenant)}`,
    }),
    entraVariants.unknownTenant,
  )
}
