import { quote, redact, TesseraError } from '@tessera/verify'
import type { CompiledPolicySet } from '../policy/index.ts'
import type { CanonicalExchange } from './canonical.ts'

/**
 * The one target of an exchange. RFC 8693 §2.1 lets a client name it by `audience` (a logical
 * name) and/or `resource` (a URI); Tessera mints one `aud`, so when both are sent they must name
 * the same inventory service. The policy then decides whether the target is allowed (and
 * explains a near miss); this only refuses a request that is ambiguous.
 *
 * @throws {TesseraError} `invalid_request` when audience and resource name different services
 */
export function resolveTarget(
  request: CanonicalExchange,
  policies: CompiledPolicySet,
): string | undefined {
  const { audience, resource } = request
  if (audience !== undefined && resource !== undefined && audience !== resource) {
    const byAudience = policies.audiencesFor(audience)
    const byResource = policies.audiencesFor(resource)
    if (byAudience === undefined || byAudience.service !== byResource?.service) {
      const service = (found: { service: string } | undefined) =>
        found === undefined ? 'no inventory service' : `service ${quote(found.service)}`
      throw new TesseraError({
        code: 'invalid_request',
        check: 'target',
        message: `audience ${quote(audience)} (${service(byAudience)}) and resource ${quote(resource)} (${service(byResource)}) do not name the same service: send one target`,
        expected: 'audience and resource naming one inventory service',
        actual: [
          `audience ${redact(audience)}: ${service(byAudience)}`,
          `resource ${redact(resource)}: ${service(byResource)}`,
        ],
      })
    }
  }
  // Undefined only when the request names a policy: validateCanonicalExchange refused the rest.
  return audience ?? resource
}
