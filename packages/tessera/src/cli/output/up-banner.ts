import type { Output } from './stream.ts'

/** What `tessera up` shows once the server listens. */
export interface UpBanner {
  /** The public issuer URL. */
  readonly issuer: string
  /** Where the server listens (shown when it differs from the issuer). */
  readonly url: string
  /** The `--config` and `--data-dir` to repeat in the example's store commands. */
  readonly storeFlags: string
  /** A SPIFFE ID in the trust domain for the example join token. */
  readonly spiffeId: string
  /** A target audience from the inventory for the example exchange. */
  readonly target: string
}

/**
 * Prints the issuer's endpoints and a ready-to-paste session: create a join token, mint an
 * identity token with it, exchange that for an access token. Shell variables carry the
 * tokens from one command to the next, so nothing secret has to be copied by hand.
 */
export function renderUpBanner(banner: UpBanner, output: Output): void {
  const { issuer, url } = banner
  output.out(output.style('bold', 'tessera is up'))
  output.out(`  issuer     ${issuer}`)
  output.out(`  discovery  ${issuer}/.well-known/openid-configuration`)
  output.out(`  token      ${issuer}/oauth2/token`)
  output.out(`  jwks       ${issuer}/.well-known/jwks.json`)
  if (url !== issuer) output.out(`  listening  ${url}`)
  output.out('')
  output.out('try it from another shell:')
  output.out(
    `  JOIN=$(tessera join-token create --spiffe-id ${banner.spiffeId}${banner.storeFlags})`,
  )
  // --url is where this process answers; the issuer URL may name a proxy in front of it.
  output.out(`  ID=$(tessera token mint --url ${url} --join-token "$JOIN" --audience ${issuer})`)
  output.out(`  tessera exchange --url ${url} --subject-token "$ID" --audience ${banner.target}`)
  output.out('')
  output.out(output.style('dim', 'stop with Ctrl-C (in-flight requests finish first)'))
}
