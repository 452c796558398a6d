import { TesseraError } from '@tessera/verify'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import {
  isAudited,
  parseAwsStsRequest,
  refuseSaml,
  renderAssumeRoleWithWebIdentity,
  renderAwsStsError,
} from '../../../sts/index.ts'
import { toHttpError, withStatus } from '../http-error.ts'
import type { ServerDeps } from '../server-deps.ts'

/**
 * `POST /`: the AWS STS query API (`Action=AssumeRoleWithWebIdentity&Version=2011-06-15`,
 * form-encoded, unsigned — the SDK signs neither web-identity nor SAML calls). Roles are trust
 * policies addressed as `arn:aws:iam::<clouds.aws.accountId>:role/<policy name>`. Every answer,
 * errors included, is STS's XML with `x-amzn-RequestId` = the correlation id; without
 * `clouds.aws` the route answers InvalidAction explaining what to configure.
 */
export function registerAwsStsRoute(app: FastifyInstance, deps: ServerDeps): void {
  app.post('/', { errorHandler: handleAwsStsError }, async (request, reply) => {
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
    })
    if (parsed.action === 'AssumeRoleWithSAML') refuseSaml(parsed)
    const result = await deps.engine.exchange(parsed.exchange)
    const rendered = renderAssumeRoleWithWebIdentity(result, parsed)
    return reply.code(rendered.status).headers(rendered.headers).send(rendered.body)
  })
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
  const rendered = renderAwsStsError(http.error, request.id)
  // A transport status (413, 415) is kept; it is a 4xx either way, never a 2xx the SDK would
  // take for a success.
  return reply
    .code(http.status ?? rendered.status)
    .headers(rendered.headers)
    .send(rendered.body)
}
