import type { SigningKeyInfo } from '../../issuer/index.ts'
import type { Output } from './stream.ts'
import { formatTime } from './time.ts'

/**
 * Prints signing keys as a table, in activation order: kid, algorithm, state, when it
 * activates (or did), when it retired and until when it stays published.
 */
export function renderKeysTable(keys: readonly SigningKeyInfo[], output: Output): void {
  if (keys.length === 0) {
    output.out('no signing keys yet: `tessera up` creates the first one')
    return
  }
  const rows = [...keys]
    .sort((a, b) => a.activatesAt - b.activatesAt)
    .map((key) => [
      key.kid,
      key.algorithm,
      key.state,
      formatTime(key.activatesAt),
      key.retiredAt === undefined ? '-' : formatTime(key.retiredAt),
      key.publishedUntil === undefined ? '-' : formatTime(key.publishedUntil),
    ])
  const header = ['KID', 'ALG', 'STATE', 'ACTIVATES', 'RETIRED', 'PUBLISHED UNTIL']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  output.out(output.style('bold', line(header)))
  for (const row of rows) output.out(line(row))
}

/** The public fields of a key, for `--json` (never the sealed private key). */
export function keyInfo(
  key: SigningKeyInfo & { readonly sealedPrivateKey?: unknown },
): SigningKeyInfo {
  const { sealedPrivateKey: _sealed, ...info } = key
  return info
}
