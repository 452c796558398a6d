import type { PolicyConfig } from '../../../policy/index.ts'
import type { EntraDialectSection } from './config-schema.ts'

/**
 * The trust policies an Entra section stands for: one allow policy per federated identity
 * credential (issuer, subject and audience exact), named `entra:<clientId>:<credential name>`,
 * so that the engine verifies, mints and audits Entra exchanges like every other. Only Entra
 * requests naming one (after matching the credential) may use it.
 */
export function entraPolicies(section: EntraDialectSection | undefined): PolicyConfig[] {
  if (section === undefined) return []
  return section.applications.flatMap((app) =>
    app.federatedCredentials.map((fic) => ({
      name: entraPolicyName(app, fic),
      dialect: 'entra',
      issuer: fic.issuer,
      audience: [...fic.audiences],
      subject: fic.subject,
      targets: [app.target],
    })),
  )
}

/** The name of the allow policy a federated credential implies: `entra:<clientId>:<name>`. */
export function entraPolicyName(
  application: { readonly clientId: string },
  credential: { readonly name: string },
): string {
  return `entra:${application.clientId}:${credential.name}`
}
