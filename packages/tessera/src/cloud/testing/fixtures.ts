import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * Cloud configuration files as the clouds' CLIs print them (`aws iam
 * get-open-id-connect-provider`, `aws iam get-role`, `gcloud iam workload-identity-pools
 * providers describe --format=json`, `az ad app federated-credential show`), and the claims of
 * a GitHub Actions ID token that matches them.
 */
export type FixtureName =
  | 'aws-provider.json'
  | 'aws-provider-trailing-slash.json'
  | 'aws-trust-policy.json'
  | 'aws-get-role.json'
  | 'gcp-provider.json'
  | 'gcp-provider-audiences.json'
  | 'azure-fic-main.json'
  | 'azure-fic-prod.json'

/** The absolute path of a fixture file. */
export function fixturePath(name: FixtureName): string {
  return fileURLToPath(new URL(name, import.meta.url))
}

/** The text of a fixture file. */
export function fixtureText(name: FixtureName): string {
  return readFileSync(fixturePath(name), 'utf8')
}

/** The time the fixtures' tokens are evaluated at (2027-01-15T08:00:00Z). */
export const fixtureNow = 1_800_000_000

/** The GCP provider of `gcp-provider.json`, with the `//iam.googleapis.com/` prefix. */
export const gcpProviderName =
  'projects/123456789012/locations/global/workloadIdentityPools/github/providers/actions'

/** Claims of a GitHub Actions ID token for a push to acme/payments main. */
export function githubClaims(changes: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: 'https://token.actions.githubusercontent.com',
    aud: 'sts.amazonaws.com',
    sub: 'repo:acme/payments:ref:refs/heads/main',
    ref: 'refs/heads/main',
    repository: 'acme/payments',
    repository_owner: 'acme',
    actor: 'octocat',
    event_name: 'push',
    jti: 'b4e1c0de-7a1f-4c3e-9a55-0d1e2f3a4b5c',
    iat: fixtureNow - 60,
    nbf: fixtureNow - 60,
    exp: fixtureNow + 240,
    ...changes,
  }
}
