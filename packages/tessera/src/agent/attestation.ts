import { quote, TesseraError } from '@tessera/verify'
import type { IdentityAttestation } from '@tessera/verify/client'
import type { AgentAttestation, SecretSource } from './config.ts'
import { readBoundedFile } from './read-bounded-file.ts'

/** Largest credential read from a file or variable, in bytes (a JWT is a few KiB). */
export const maxCredentialBytes = 64 * 1024

/** One use of the attestation: what to present, and how the attempt ended. */
export interface AttestationLease {
  readonly attestation: IdentityAttestation
  /** Called once the request settled; `error` is what it failed with. */
  release(outcome: { readonly ok: true } | { readonly ok: false; readonly error: unknown }): void
}

/** Hands out what the agent presents to `POST /v1/identity/token`, one attempt at a time. */
export interface Attestor {
  acquire(): Promise<AttestationLease>
}

/** What an attestor needs from the agent and the process. */
export interface AttestorOptions {
  /** Environment of `env:` references (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv
  /** The agent's newest workload token that is still valid, if any. */
  readonly currentToken: () => string | undefined
}

const noRelease = () => undefined

/**
 * Creates the attestor of a configuration. A Kubernetes token file or an OIDC token is read
 * anew at every attempt (Kubernetes rotates projected tokens). A join token is single-use:
 * it is presented by one attempt at a time until one succeeds; after that the agent presents
 * its own current workload token as `token`, which Tessera accepts through a `use: identity`
 * policy on its own issuer. When the join token is spent and every token of the agent has
 * expired, nothing can attest any more: `join_token_invalid`.
 * @throws {TesseraError} from `acquire`: `invalid_config` when a reference cannot be read,
 *   `join_token_invalid` when the join token is spent and no token of the agent is valid
 */
export function createAttestor(attestation: AgentAttestation, options: AttestorOptions): Attestor {
  const env = options.env ?? process.env
  if (attestation.kind !== 'joinToken') {
    return {
      acquire: async () => ({
        attestation: { token: await readCredential(attestation.source, attestation.path, env) },
        release: noRelease,
      }),
    }
  }
  let spent = false
  let queue: Promise<void> = Promise.resolve()
  return {
    async acquire() {
      const own = options.currentToken()
      if (own !== undefined) return { attestation: { token: own }, release: noRelease }
      // Audiences refreshing together must not present the single-use token twice.
      const previous = queue
      let unlock: () => void = noRelease
      queue = new Promise<void>((resolve) => {
        unlock = resolve
      })
      await previous
      try {
        const renewed = options.currentToken()
        if (renewed !== undefined) {
          unlock()
          return { attestation: { token: renewed }, release: noRelease }
        }
        if (spent) throw spentError()
        const joinToken = await readCredential(attestation.source, attestation.path, env)
        return {
          attestation: { joinToken },
          release(outcome) {
            const code = outcome.ok ? undefined : (outcome.error as { code?: unknown })?.code
            if (outcome.ok || code === 'join_token_invalid') spent = true
            unlock()
          },
        }
      } catch (error) {
        unlock()
        throw error
      }
    },
  }
}

function spentError(): TesseraError {
  return new TesseraError({
    code: 'join_token_invalid',
    check: 'attestation',
    message:
      'the join token was already used and every token of the agent has expired, so the agent cannot renew its identity',
    expected: 'a valid workload token of the agent, or an unused join token',
    actual: 'a spent join token',
  })
}

/**
 * Reads a credential from its reference: the variable or the file's content, trimmed (a file
 * written by `echo` ends with a newline). Never returns an empty string.
 * @throws {TesseraError} `invalid_config` naming the reference (never the credential)
 */
export async function readCredential(
  source: SecretSource,
  path: string,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const unreadable = (message: string) =>
    new TesseraError({
      code: 'invalid_config',
      check: 'attestation',
      message: `${path}: ${message}`,
      problems: [{ path, message }],
    })
  let text: string
  if (source.kind === 'env') {
    const value = env[source.name]
    if (value === undefined) throw unreadable(`environment variable ${source.name} is not set`)
    text = value
  } else {
    const read = await readBoundedFile(source.path, maxCredentialBytes)
    if ('errno' in read) throw unreadable(`cannot read ${quote(source.path)} (${read.errno})`)
    if ('refused' in read) throw unreadable(`cannot read ${quote(source.path)}: ${read.refused}`)
    text = read.bytes.toString('utf8')
  }
  if (Buffer.byteLength(text) > maxCredentialBytes)
    throw unreadable(`the credential is larger than ${maxCredentialBytes} bytes`)
  const trimmed = text.trim()
  if (trimmed === '') throw unreadable('the credential is empty')
  return trimmed
}
