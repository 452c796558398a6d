import { resolve } from 'node:path'
import { createLocalKeySet, type Problem } from '@tessera/verify'
import { pointer } from '../json-pointer.ts'
import { readBoundedFileSync } from '../read-bounded-file.ts'
import type { TrustedIssuer } from '../types.ts'
import { keySourceKeys, type TrustedIssuerEntry } from './trusted-issuers.ts'

/** What compiling `trustedIssuers` needs besides the section. */
export interface TrustedIssuersContext {
  /** Directory `jwksFile` paths are relative to. */
  readonly baseDir: string
  /** Tessera's own issuer URL, when it is valid; it must not be listed. */
  readonly publicUrl?: string
  /** False for an entry with schema problems: it is skipped (default: every entry is clean). */
  readonly clean?: (index: number) => boolean
}

function isHttpUrl(value: string): boolean {
  return URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)
}

/**
 * Checks each trusted issuer (one key source, no duplicate, not Tessera itself, usable keys)
 * and returns them ready for `createVerifier`; every problem is appended to `problems`.
 * A `jwksFile` is read and parsed here, so a bad file is a load error, not a request error.
 */
export function compileTrustedIssuers(
  entries: readonly TrustedIssuerEntry[],
  context: TrustedIssuersContext,
  problems: Problem[],
): TrustedIssuer[] {
  const add = (path: string, message: string): void => {
    problems.push({ path, message })
  }
  const compiled: TrustedIssuer[] = []
  const seen = new Map<string, number>()
  entries.forEach((entry, i) => {
    if (context.clean?.(i) === false) return
    const at = (...tokens: (string | number)[]): string => pointer('trustedIssuers', i, ...tokens)
    const before = problems.length
    const { issuer } = entry
    if (issuer.trim() !== issuer) add(at('issuer'), 'has leading or trailing whitespace')
    const first = seen.get(issuer)
    if (first !== undefined) {
      add(
        at('issuer'),
        `duplicates ${pointer('trustedIssuers', first, 'issuer')} (${JSON.stringify(issuer)}): list each issuer once`,
      )
    } else seen.set(issuer, i)
    if (issuer === context.publicUrl) {
      add(at('issuer'), "is Tessera's own publicUrl, which is always trusted: remove this entry")
    }
    const sources = keySourceKeys.filter((k) => entry[k] !== undefined)
    if (sources.length !== 1) {
      add(
        at(),
        sources.length === 0
          ? 'needs a key source: one of discovery: true, jwksUri, jwks, jwksFile'
          : `has ${sources.join(' and ')}: give exactly one key source`,
      )
    }
    if (entry.discovery === true && !isHttpUrl(issuer)) {
      add(
        at('issuer'),
        'must be an absolute http(s) URL when discovery is used: the discovery document is fetched from it',
      )
    }
    if (entry.jwksUri !== undefined && !isHttpUrl(entry.jwksUri)) {
      add(at('jwksUri'), 'must be an absolute http(s) URL')
    }
    let jwks: { readonly keys: readonly unknown[] } | undefined = entry.jwks
    if (entry.jwks !== undefined)
      checkKeys(entry.jwks.keys, issuer, (j) => at('jwks', 'keys', j), add)
    if (entry.jwksFile !== undefined) {
      jwks = readJwksFile(entry.jwksFile, context.baseDir, at('jwksFile'), add)
      if (jwks !== undefined) {
        const file = JSON.stringify(entry.jwksFile)
        checkKeys(
          jwks.keys,
          issuer,
          () => at('jwksFile'),
          (path, message) => add(path, `${file}: ${message}`),
        )
      }
    }
    if (problems.length > before || sources.length !== 1) return
    const algorithms =
      entry.algorithms === undefined ? {} : { algorithms: [...new Set(entry.algorithms)] }
    if (jwks !== undefined) compiled.push({ issuer, ...algorithms, jwks })
    else if (entry.jwksUri !== undefined)
      compiled.push({ issuer, ...algorithms, jwksUri: entry.jwksUri })
    else compiled.push({ issuer, ...algorithms, discovery: true })
  })
  return compiled
}

function readJwksFile(
  file: string,
  baseDir: string,
  path: string,
  add: (path: string, message: string) => void,
): { readonly keys: readonly unknown[] } | undefined {
  const shown = JSON.stringify(file)
  const read = readBoundedFileSync(resolve(baseDir, file))
  if ('problem' in read) {
    add(path, `cannot read ${shown}: ${read.problem}`)
    return undefined
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(read.bytes.toString('utf8'))
  } catch (error) {
    add(path, `${shown} is not valid JSON: ${(error as Error).message}`)
    return undefined
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(keys)) {
    add(path, `${shown} is not a JWK Set: expected an object with a "keys" array`)
    return undefined
  }
  if (keys.length === 0) {
    add(path, `${shown} holds no keys`)
    return undefined
  }
  return { keys }
}

// Each key is imported alone so that a refusal names its position in the set.
function checkKeys(
  keys: readonly unknown[],
  issuer: string,
  pathOf: (index: number) => string,
  add: (path: string, message: string) => void,
): void {
  keys.forEach((jwk, j) => {
    const [rejected] = createLocalKeySet({ keys: [jwk] }, issuer).state().rejected
    if (rejected === undefined) return
    const kid = rejected.kid === undefined ? '' : ` (kid ${JSON.stringify(rejected.kid)})`
    add(pathOf(j), `key ${j}${kid} is not usable: ${rejected.reason}`)
  })
}
