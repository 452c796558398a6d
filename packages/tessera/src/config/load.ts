import { dirname, resolve } from 'node:path'
import type { Problem } from '@tessera/verify'
import { compileConfig } from './compile.ts'
import { invalidConfig } from './config-error.ts'
import { parseYaml } from './parse-yaml.ts'
import { maxConfigFileBytes, readBoundedFile } from './read-bounded-file.ts'
import { configSchema } from './schema.ts'
import { schemaProblems } from './schema-problems.ts'
import type { CompiledConfig, ConfigOptions } from './types.ts'

/**
 * Parses, validates and compiles a `tessera.yaml` given as text: YAML 1.2 (syntax errors with
 * line and column; aliases bounded), then the JSON Schema (every error with its JSON pointer,
 * unknown keys with a "did you mean"), then the semantic checks of every section and the
 * policies. Relative paths are resolved against `options.baseDir`, by default the directory
 * of `source` (when `source` is a label, the current directory). `tessera lint` and tests
 * use it; `loadConfig` reads a file and calls it.
 *
 * @param source the file's path or a label (`<stdin>`); shown in the error and kept as `source`
 * @returns the compiled configuration, deeply frozen
 * @throws {TesseraError} `invalid_config` with every problem in `problems`
 * @example
 * ```ts
 * const config = parseConfig(text, 'tessera.yaml', { overrides: { listen: '127.0.0.1:0' } })
 * config.server.listen // { host: '127.0.0.1', port: 0 }
 * ```
 */
export function parseConfig(
  text: string,
  source: string,
  options: ConfigOptions = {},
): CompiledConfig {
  const bytes = Buffer.byteLength(text)
  if (bytes > maxConfigFileBytes) {
    throw invalidConfig(source, [
      {
        path: '',
        message: `the file is ${bytes} bytes, more than the limit of ${maxConfigFileBytes}`,
      },
    ])
  }
  const parsed = parseYaml(text)
  if (parsed.problems.length > 0) throw invalidConfig(source, parsed.problems, parsed.locate)
  const problems: Problem[] = schemaProblems(configSchema, parsed.value)
  const config = compileConfig(parsed.value, problems, {
    ...options,
    source,
    baseDir: options.baseDir ?? dirname(resolve(source)),
  })
  if (config === undefined) throw invalidConfig(source, problems, parsed.locate)
  return config
}

/**
 * Reads `path` (at most 1 MiB) and compiles it as `parseConfig` does; relative paths in it
 * are resolved against its directory.
 *
 * @throws {TesseraError} `invalid_config` with every problem, including an unreadable file
 * @example
 * ```ts
 * const config = await loadConfig('tessera.yaml', { env: process.env })
 * ```
 */
export async function loadConfig(
  path: string,
  options: ConfigOptions = {},
): Promise<CompiledConfig> {
  const read = await readBoundedFile(path)
  if ('problem' in read) {
    throw invalidConfig(path, [
      { path: '', message: `cannot read ${JSON.stringify(path)}: ${read.problem}` },
    ])
  }
  return parseConfig(read.bytes.toString('utf8'), path, {
    ...options,
    baseDir: options.baseDir ?? dirname(resolve(path)),
  })
}
