import { type Problem, TesseraError } from '@tessera/verify'
import type { SourcePosition } from './parse-yaml.ts'

/**
 * The `invalid_config` error for a document: every problem in `problems`, and a message that
 * lists them one per line with their line and column when known, e.g.
 * `tessera.yaml is invalid (2 problems):\n  /server/listen (line 2, column 11): …`.
 */
export function invalidConfig(
  source: string,
  problems: readonly Problem[],
  locate: (path: string) => SourcePosition | undefined = () => undefined,
): TesseraError {
  const lines = problems.map((p) => {
    const position = p.path === '' ? undefined : locate(p.path)
    const where =
      position === undefined ? '' : ` (line ${position.line}, column ${position.column})`
    return `  ${p.path === '' ? '(document)' : p.path}${where}: ${p.message}`
  })
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`
  return new TesseraError({
    code: 'invalid_config',
    message: `${source} is invalid (${count}):\n${lines.join('\n')}`,
    problems,
  })
}
