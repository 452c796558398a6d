import { type Problem, TesseraError } from '@tessera/verify'
import { checkPublicUrl } from './sections/public-url.ts'
import { checkTrustDomain } from './sections/trust-domain.ts'

/** Options of `initTemplate`. */
export interface InitTemplateOptions {
  /** Tessera's public URL, its issuer identifier (default `http://127.0.0.1:8080`). */
  readonly publicUrl?: string
  /** The SPIFFE trust domain (default `example.org`). */
  readonly trustDomain?: string
}

/**
 * The commented starting `tessera.yaml` of `tessera init`: every section explained, valid as
 * it is (a loopback server, one example service and one policy), so `tessera up` runs on it.
 * @throws {TesseraError} `invalid_options` when `publicUrl` or `trustDomain` is not valid
 * @example
 * ```ts
 * writeFileSync('tessera.yaml', initTemplate({ publicUrl: 'https://tessera.example.org' }))
 * ```
 */
export function initTemplate(options: InitTemplateOptions = {}): string {
  const { publicUrl = 'http://127.0.0.1:8080', trustDomain = 'example.org' } = options
  const problems: Problem[] = []
  const urlProblem = checkPublicUrl(publicUrl)
  if (urlProblem !== undefined) problems.push({ path: 'publicUrl', message: urlProblem })
  const domainProblem = checkTrustDomain(trustDomain)
  if (domainProblem !== undefined) problems.push({ path: 'trustDomain', message: domainProblem })
  if (problems.length > 0) {
    throw new TesseraError({
      code: 'invalid_options',
      message: `init template options are invalid: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
      problems,
    })
  }
  // JSON strings are valid YAML double-quoted scalars, so any value stays one scalar.
  const url = JSON.stringify(publicUrl)
  const domain = JSON.stringify(trustDomain)
  return `# tessera.yaml — the configuration of Tessera (workload-identity federation).
# Every key is checked at load: an unknown key, a wrong type or a broken reference is an
# error that names its path and line, all of them at once, and a running server keeps its old
# configuration when an edited file has errors. The JSON Schema of this file is
# docs/tessera.schema.json in the Tessera repository.
# Secrets never live in this file: only references, env:NAME or file:PATH.

# The HTTP server, and the public URL that is Tessera's issuer identifier.
server:
  # Address the HTTP server binds: host:port ([::1]:8080 for IPv6). Loopback keeps it local;
  # 0.0.0.0:8080 listens on every interface.
  listen: 127.0.0.1:8080
  # The URL clients reach Tessera at. It is the issuer (iss) of every token and of the
  # discovery document, compared exactly by every verifier: no trailing slash.
  publicUrl: ${url}
  # HTTPS: PEM files, relative to this file.
  # tls: { certFile: ./tls/cert.pem, keyFile: ./tls/key.pem }
  bodyLimitBytes: 65536     # largest request body
  requestTimeoutMs: 10000   # longest a request may take

# The SPIFFE trust domain of the workload identities Tessera issues: spiffe://<trustDomain>/...
trustDomain: ${domain}

# Tessera's own issuer: how it signs, for how long tokens live, how keys rotate.
issuer:
  algorithm: ES256                 # ES256, EdDSA or RS256
  identityTokenTtlSeconds: 300     # workload identity tokens
  accessTokenTtlSeconds: 900       # exchanged tokens, unless a policy caps them lower
  rotateEverySeconds: 86400        # a new signing key every day
  prePublishSeconds: 3600          # published this long before it signs (>= jwksMaxAgeSeconds)
  jwksMaxAgeSeconds: 600           # how long verifiers may cache the key set
  # The key that encrypts signing keys at rest: env:NAME or file:PATH (relative to
  # store.dataDir; created with mode 0600 on first start when absent).
  keyEncryptionKey: file:kek

# External issuers whose tokens Tessera accepts; each with exactly one key source:
# discovery: true, jwksUri, jwks (inline public keys) or jwksFile (relative to this file).
# Tessera's own publicUrl is always trusted and is not listed here. For example:
#   - issuer: https://token.actions.githubusercontent.com
#     discovery: true
#     algorithms: [RS256]
trustedIssuers: []

# Every service tokens are issued for, with the audience identifiers (aud) it accepts: the one
# list of them. An audience belongs to exactly one service.
inventory:
  services:
    - name: example-api
      audiences: [https://api.example.org]
      owner: team-example

# Trust policies: which presented identities may obtain which credentials.
# issuer is exact; subject is exact or a glob (* stops at / and :, ** does not); targets name
# inventory services or audiences.
policies:
  - name: workloads-to-example-api
    issuer: ${url}      # tokens Tessera issued itself
    subject: "spiffe://${trustDomain}/*"
    targets: [example-api]
    scopes: [example.read]
    maxTtlSeconds: 600

# Where keys, join tokens, replay identifiers and audit records are kept.
store:
  kind: sqlite          # sqlite (one file, survives restarts) or memory
  dataDir: ./.tessera   # relative to this file

# Logs (JSON on stdout), metrics and tracing.
telemetry:
  logLevel: info        # fatal, error, warn, info, debug, trace or silent
`
}
