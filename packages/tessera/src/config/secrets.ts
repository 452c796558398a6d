import type { Problem } from '@tessera/verify'
import { parseSecretRef, type SecretRef } from '../issuer/index.ts'

/** The JSON Schema `pattern` of a field that holds a secret reference (what the issuer section uses). */
export const secretRefPattern = '^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$'

// Shapes of key material and credentials: PEM blocks, JWTs, and long runs of base64/hex
// with both letters and digits (a word or a path rarely is one).
function looksLikeSecret(value: string): boolean {
  if (/-----BEGIN [A-Z ]+-----/.test(value) || /^eyJ[\w-]+\.[\w-]+/.test(value)) return true
  return (
    value.length >= 16 &&
    /^[A-Za-z0-9+/_=.-]+$/.test(value) &&
    /\d/.test(value) &&
    /[A-Za-z]/.test(value)
  )
}

/**
 * Says what is wrong with a value where a secret reference (`env:NAME` or `file:PATH`) is
 * expected, or returns undefined when it has that form. Never echoes the value: it may be a
 * pasted key.
 */
export function secretRefProblem(value: string): string | undefined {
  if (new RegExp(secretRefPattern).test(value)) return undefined
  if (value === 'file:') return 'file:PATH needs a path'
  if (value.startsWith('env:'))
    return 'env:NAME needs an environment variable name ([A-Za-z_][A-Za-z0-9_]*)'
  if (looksLikeSecret(value)) {
    return 'looks like a secret itself: secrets never live in the file; put it in an environment variable (env:NAME) or a file (file:PATH) and reference that'
  }
  return 'must be a reference, env:NAME or file:PATH: secrets never live in the file'
}

/** Where a reference is and what it is resolved against. */
export interface SecretRefContext {
  /** JSON pointer of the field, for problems. */
  readonly path: string
  /** Directory a relative `file:` path is resolved against. */
  readonly baseDir: string
  /** When given, an `env:` reference must name a set, non-empty variable. */
  readonly env?: NodeJS.ProcessEnv
}

/**
 * Compiles a secret reference: its form, an absolute `file:` path, and (when an environment is
 * given) that an `env:` variable is set. The secret is never read here. Appends problems.
 */
export function compileSecretRef(
  value: string,
  context: SecretRefContext,
  problems: Problem[],
): SecretRef | undefined {
  const problem = secretRefProblem(value)
  if (problem !== undefined) {
    problems.push({ path: context.path, message: problem })
    return undefined
  }
  // The form was checked above, so parseSecretRef does not throw here.
  const ref = parseSecretRef(value, context.baseDir)
  if (ref.kind === 'env' && context.env !== undefined && !context.env[ref.name]) {
    problems.push({ path: context.path, message: `environment variable ${ref.name} is not set` })
    return undefined
  }
  return ref
}
