import { quote, TesseraError } from '@tessera/verify'
import type { AwsSamlRequest } from './parse.ts'

/**
 * Refuses a parsed `AssumeRoleWithSAML`: the request is valid, but Tessera has no SAML identity
 * provider to validate the assertion against yet. The SAML issue replaces this with the
 * assertion's validation and an exchange through the engine.
 *
 * @throws {TesseraError} `invalid_request` (answered as ValidationError), always
 */
export function refuseSaml(request: AwsSamlRequest): never {
  throw new TesseraError({
    code: 'invalid_request',
    check: 'saml',
    message: `AssumeRoleWithSAML is not available until SAML is configured: Tessera has no SAML identity provider for ${quote(request.principalArn)}; use AssumeRoleWithWebIdentity with an OpenID Connect token`,
    expected: 'AssumeRoleWithWebIdentity',
    actual: 'AssumeRoleWithSAML',
  })
}
