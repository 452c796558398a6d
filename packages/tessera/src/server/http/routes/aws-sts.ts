import { TesseraError } from '@tessera/verify'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { policyMaxTtl } from '../../../policy/index.ts'
import {
  isAudited,
  parseAwsStsRequest,
  renderAssumeRoleWithSAML,
  renderAssumeRoleWithWebIdentity,
  renderAwsStsError,
  resolveSamlProvider,
  samlExchange,
} from '../../../sts/index.ts'
import { auditingErrorHandler, bodyField } from '../audit-refusal.ts'
import { toHttpError, withStatus } from '../http-error.ts'
import type { ServerDeps } from '../server-deps.ts'

/**
 * `POST /`: the AWS STS query API (`Action=AssumeRoleWithWebIdentity&Version=2011-06-15`,
 * form-encoded, unsigned — the SDK signs neither web-identity nor SAML calls). Roles are trust
 * policies addressed as `arn:aws:iam::<clouds.aws.accountId>:role/<policy name>`. Every answer,
 * errors included, is STS's XML with `x-amzn-RequestId` = the correlation id; without
 * `clouds.aws` the route answers InvalidAction explaining what to configure. A role's
 * MaxSessionDuration is its policy's `maxTtlSeconds`, at most the issuer's access-token
 * lifetime. Every refusal is audited, those decided before the engine included.
 */
export function registerAwsStsRoute(app: FastifyInstance, deps: ServerDeps): void {
  const errorHandler = auditingErrorHandler(
    deps.engine,
    (request) => ({
      dialect: 'aws-sts',
      correlationId: request.id,
      ...optionalToken(
        bodyField(request.body, 'WebIdentityToken') ?? bodyField(request.body, 'SAMLAssertion'),
      ),
    }),
    handleAwsStsError,
  )
  app.post('/', { errorHandler }, async (request, reply) => {
    const config = deps.config()
    const aws = config.clouds.aws
    if (aws === undefined) {
      throw new TesseraError({
        code: 'invalid_request',
        check: 'action',
        message:
          'the AWS STS dialect is not configured: add clouds.aws.accountId to tessera.yaml to answer AssumeRoleWithWebIdentity',
        expected: 'clouds.aws',
        actual: 'missing',
      })
    }
    const form = request.body
    if (!(form instanceof URLSearchParams)) {
      throw withStatus(
        new TesseraError({
          code: 'invalid_request',
          check: 'request',
          message:
            form === undefined
              ? 'STS request has no body: send Action, Version and the parameters form-encoded'
              : 'STS request is not form-encoded: send application/x-www-form-urlencoded',
        }),
        form === undefined ? 400 : 415,
      )
    }
    const parsed = parseAwsStsRequest(form, {
      correlationId: request.id,
      accountId: aws.accountId,
      policyNames: config.policies.policyNames,
      maxSessionSeconds: (role) =>
        Math.min(
          policyMaxTtl(config.policies, role) ?? Number.POSITIVE_INFINITY,
          config.issuer.accessTokenTtlSeconds,
        ),
    })
    if (parsed.action === 'AssumeRoleWithSAML') {
      const providers = config.samlIdps.flatMap((idp) =>
        idp.name === undefined ? [] : [{ name: idp.name, entityId: idp.entityId }],
      )
      const provider = resolveSamlProvider(parsed.principalArn, aws.accountId, providers)
      const result = await deps.engine.exchange(samlExchange(parsed, provider, request.id))
      const rendered = renderAssumeRoleWithSAML(result, parsed, provider)
      return reply.code(rendered.status).headers(rendered.headers).send(rendered.body)
    }
    const result = await deps.engine.exchange(parsed.exchange)
    const rendered = renderAssumeRoleWithWebIdentity(result, parsed)
    return reply.code(rendered.status).headers(rendered.headers).send(rendered.body)
  })
}

function optionalToken(token: string | undefined): { subjectToken?: string } {
  return token === undefined ? {} : { subjectToken: token }
}

// As the server's createErrorHandler (same logging, same transport statuses), but answered in
// STS's XML: that handler always sends JSON, which the SDK cannot parse as an STS error.
function handleAwsStsError(
  thrown: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const http = toHttpError(thrown)
  if (http.unexpected) request.log.error({ err: thrown }, 'request failed')
  else if (http.error.code === 'internal_error') {
    const { code, check, message } = http.error
    request.log.error({ code, check, message }, 'request failed')
  } else {
    const { code, check, hint } = http.error
    request.log[isAudited(http.error) ? 'info' : 'warn']({ code, check, hint }, 'request refused')
  }
  // AssumeRoleWithSAML answers some codes in its own words.
  const rendered = renderAwsStsError(http.error, request.id, bodyField(request.body, 'Action'))
  // A transport status (413, 415) is kept; it is a 4xx either way, never a 2xx the SDK would
  // take for a success.
  return reply
    .code(http.status ?? rendered.status)
    .headers(rendered.headers)
    .send(rendered.body)
}
