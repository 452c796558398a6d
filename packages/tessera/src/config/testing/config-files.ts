// Test support: a temporary directory holding a tessera.yaml built from an object, so each
// test states only the part of the configuration it is about.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isTesseraError, type Problem, type TesseraError } from '@tessera/verify'
import { stringify } from 'yaml'
import { parseConfig } from '../load.ts'
import type { CompiledConfig, ConfigOptions } from '../types.ts'

/** The smallest valid document. */
export const minimal = Object.freeze({
  server: { publicUrl: 'http://127.0.0.1:8080' },
  trustDomain: 'example.org',
})

/** A fixed clock inside the fixture certificate's validity (2030-01-01T00:00:00Z). */
export const fixedClock = (): number => 1_893_456_000

/** A scratch directory for config files; removed by `remove()`. */
export interface ConfigDir {
  readonly dir: string
  readonly path: string
  /** Writes a file in the directory and returns its absolute path. */
  write(name: string, text: string): string
  /** Writes `document` as tessera.yaml and compiles it. */
  parse(document: unknown, options?: ConfigOptions): CompiledConfig
  /** Compiles `document` and returns the problems it must have. */
  problems(document: unknown, options?: ConfigOptions): readonly Problem[]
  /** Compiles `document` and returns the `invalid_config` error it must throw. */
  error(document: unknown, options?: ConfigOptions): TesseraError
  remove(): void
}

/** Creates a scratch directory for configuration tests. */
export function configDir(): ConfigDir {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-config-'))
  const path = join(dir, 'tessera.yaml')
  const write = (name: string, text: string): string => {
    const file = join(dir, name)
    writeFileSync(file, text)
    return file
  }
  const parse = (document: unknown, options: ConfigOptions = {}): CompiledConfig => {
    const text = typeof document === 'string' ? document : stringify(document)
    write('tessera.yaml', text)
    return parseConfig(text, path, { clock: fixedClock, ...options })
  }
  const error = (document: unknown, options?: ConfigOptions): TesseraError => {
    try {
      parse(document, options)
    } catch (caught) {
      if (isTesseraError(caught) && caught.code === 'invalid_config') return caught
      throw caught
    }
    throw new Error('expected invalid_config, the configuration compiled')
  }
  return {
    dir,
    path,
    write,
    parse,
    error,
    problems: (document, options) => error(document, options).problems ?? [],
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}
