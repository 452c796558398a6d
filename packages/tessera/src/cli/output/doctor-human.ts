import {
  codes,
  type Evaluation,
  fingerprint,
  isJwsAlgorithm,
  quote,
  quoteList,
  type ShownValue,
  type TesseraError,
} from '@tessera/verify'
import type { Output } from './stream.ts'
import { formatTime } from './time.ts'

/** What the human report says about where the token and keys came from. */
export interface DoctorContext {
  readonly token: string
  readonly now: number
  readonly keys: string
}

const show = (v: ShownValue): string =>
  typeof v === 'string' ? JSON.stringify(v) : `[${v.map((x) => JSON.stringify(x)).join(', ')}]`

/**
 * Prints one line per check (✓ passed, ✗ failed, – skipped), expected/actual/hint under each
 * failure, then the most likely root cause and what to change. Never prints the token.
 */
export function renderDoctorHuman(
  evaluation: Evaluation,
  context: DoctorContext,
  output: Output,
): void {
  const { style } = output
  output.out(
    style('bold', 'tessera doctor token') +
      style(
        'dim',
        ` — token ${fingerprint(context.token)} (${context.token.length} bytes), keys from ${context.keys}, now ${formatTime(context.now)}`,
      ),
  )
  const shown = evaluation.checks.filter(
    (c) => c.reason !== 'not configured' && !c.reason?.startsWith('not run'),
  )
  const width = Math.max(...shown.map((c) => c.name.length))
  for (const c of shown) {
    const name = c.name.padEnd(width)
    if (c.status === 'ok')
      output.out(
        `  ${style('green', '✓')} ${name}  ${style('dim', passedDetail(c.name, evaluation))}`.trimEnd(),
      )
    else if (c.status === 'skipped')
      output.out(style('dim', `  – ${name}  skipped: ${c.reason ?? ''}`))
    else if (c.error) {
      const e = c.error
      output.out(`  ${style('red', '✗')} ${name}  ${e.code}: ${e.message}`)
      const pad = ' '.repeat(width + 6)
      if (e.expected !== undefined) output.out(`${pad}expected: ${show(e.expected)}`)
      if (e.actual !== undefined) output.out(`${pad}actual:   ${show(e.actual)}`)
      if (e.hint !== undefined) output.out(`${pad}hint:     ${e.hint}`)
    }
  }
  const unconfigured = evaluation.checks
    .filter((c) => c.reason === 'not configured')
    .map((c) => c.name)
  if (unconfigured.length > 0)
    output.out(style('dim', `  (not configured: ${unconfigured.join(', ')})`))
  output.out('')
  const primary = evaluation.primary
  if (evaluation.valid || primary === undefined) {
    output.out(style('green', 'valid: every check passed'))
    return
  }
  const failed = evaluation.checks.filter((c) => c.status === 'failed').length
  output.out(`${style('red', 'rejected')}: ${failed} check${failed === 1 ? '' : 's'} failed`)
  output.out(
    `root cause: ${style('bold', primary.code)}${primary.hint ? ` (${primary.hint})` : ''} — ${primary.message}`,
  )
  output.out(`what to change: ${whatToChange(primary)}`)
}

function whatToChange(e: TesseraError): string {
  // With a near miss, the expected value itself is the most useful instruction.
  if (
    e.hint !== undefined &&
    e.hint !== 'clock_skew' &&
    e.hint !== 'other_claim' &&
    e.expected !== undefined
  ) {
    const target =
      typeof e.expected === 'string'
        ? e.expected
        : e.expected.length === 1
          ? e.expected[0]
          : undefined
    if (target !== undefined)
      return `use ${JSON.stringify(target)} exactly, on both sides (${e.hint.replace('_', ' ')}); ${codes[e.code].fix}`
  }
  return codes[e.code].fix
}

function passedDetail(name: string, evaluation: Evaluation): string {
  const h = evaluation.header
  const c = evaluation.claims
  if (h === undefined || c === undefined) return ''
  switch (name) {
    case 'decode':
      return `${isJwsAlgorithm(h.alg) ? h.alg : quote(h.alg)} JWT${h.kid === undefined ? ', no kid' : `, kid ${quote(h.kid)}`}`
    case 'typ':
      return h.typ === undefined ? 'no typ' : `typ ${quote(h.typ)}`
    case 'issuer':
      return `iss ${quote(c.iss)}`
    case 'audience':
      return `aud ${typeof c.aud === 'string' ? quote(c.aud) : quoteList(c.aud ?? [])}`
    case 'expiry':
      return `exp ${formatTime(c.exp ?? 0)}`
    case 'subject':
      return `sub ${quote(c.sub)}`
    default:
      return ''
  }
}
