import type { X509Certificate } from 'node:crypto'
import { codes, type ShownValue, type TesseraError } from '@tessera/verify'
import type { DoctorJsonCheck } from '../../output/doctor-json.ts'
import type { Output } from '../../output/stream.ts'
import { formatTime } from '../../output/time.ts'
import { isSelfSigned, oneLine } from './inspect-chain.ts'
import type { KeyReport } from './inspect-key.ts'

/** One check of `doctor key`, as `doctor token` reports its checks. */
export interface KeyCheck {
  readonly name: string
  readonly status: 'ok' | 'failed' | 'skipped'
  /** What a passed check found, for the human report. */
  readonly detail?: string
  readonly error?: TesseraError
  readonly reason?: string
}

/** Everything `doctor key` found. */
export interface KeyDoctorReport {
  readonly valid: boolean
  /** The first failed check's error: checks run in order of dependence. */
  readonly primary?: TesseraError
  readonly key: KeyReport
  readonly checks: readonly KeyCheck[]
  readonly warnings: readonly string[]
  /** The leaf, then the other certificates given. */
  readonly certificates: readonly X509Certificate[]
  readonly root?: X509Certificate
  /** The time validity was judged at (epoch seconds). */
  readonly now: number
}

/** The JSON object `doctor key --json` prints: `doctor token`'s shape plus key, certificates and warnings. */
export interface KeyDoctorJson {
  readonly valid: boolean
  readonly code: string | null
  readonly hint: string | null
  readonly checks: readonly DoctorJsonCheck[]
  readonly key: {
    readonly encoding: 'PEM' | 'DER'
    readonly format: string
    readonly encrypted: boolean
    readonly type: string | null
    readonly bits: number | null
    readonly curve: string | null
  }
  readonly certificates: readonly {
    readonly subject: string
    readonly issuer: string
    readonly fingerprint256: string
    readonly validFrom: string
    readonly validTo: string
    readonly selfSigned: boolean
  }[]
  readonly root: string | null
  readonly warnings: readonly string[]
}

/** Builds the JSON object; never includes key material. */
export function toKeyJson(report: KeyDoctorReport): KeyDoctorJson {
  const { key } = report
  return {
    valid: report.valid,
    code: report.primary?.code ?? null,
    hint: report.primary?.hint ?? null,
    checks: report.checks.map(toCheck),
    key: {
      encoding: key.encoding,
      format: key.format,
      encrypted: key.encrypted,
      type: key.type ?? null,
      bits: key.bits ?? null,
      curve: key.curve ?? null,
    },
    certificates: report.certificates.map((c) => ({
      subject: oneLine(c.subject),
      issuer: oneLine(c.issuer),
      fingerprint256: c.fingerprint256,
      validFrom: c.validFromDate.toISOString(),
      validTo: c.validToDate.toISOString(),
      selfSigned: isSelfSigned(c),
    })),
    root: report.root === undefined ? null : oneLine(report.root.subject),
    warnings: report.warnings,
  }
}

function toCheck(c: KeyCheck): DoctorJsonCheck {
  const e = c.error
  return {
    name: c.name,
    ok: c.status === 'ok',
    ...(c.status === 'skipped' ? { skipped: true as const } : {}),
    code: e?.code ?? null,
    expected: e?.expected ?? null,
    actual: e?.actual ?? null,
    hint: e?.hint ?? null,
    message: c.status === 'skipped' ? `skipped: ${c.reason ?? ''}` : (e?.message ?? null),
  }
}

/** The JSON text, one line. */
export function renderKeyJson(report: KeyDoctorReport): string {
  return JSON.stringify(toKeyJson(report))
}

const show = (v: ShownValue): string =>
  typeof v === 'string' ? JSON.stringify(v) : `[${v.map((x) => JSON.stringify(x)).join(', ')}]`

/**
 * Prints one line per check (✓ passed, ✗ failed, – skipped) with expected/actual under each
 * failure, the warnings, then the root cause and what to change — as `doctor token` does.
 */
export function renderKeyHuman(report: KeyDoctorReport, output: Output): void {
  const { style } = output
  output.out(style('bold', 'tessera doctor key') + style('dim', ` — ${describeFiles(report)}`))
  const width = Math.max(...report.checks.map((c) => c.name.length))
  const pad = ' '.repeat(width + 6)
  for (const c of report.checks) {
    const name = c.name.padEnd(width)
    if (c.status === 'ok')
      output.out(`  ${style('green', '✓')} ${name}  ${style('dim', c.detail ?? '')}`.trimEnd())
    else if (c.status === 'skipped')
      output.out(style('dim', `  – ${name}  skipped: ${c.reason ?? ''}`))
    else if (c.error !== undefined) {
      const e = c.error
      output.out(`  ${style('red', '✗')} ${name}  ${e.code}: ${e.message}`)
      if (e.expected !== undefined) output.out(`${pad}expected: ${show(e.expected)}`)
      if (e.actual !== undefined) output.out(`${pad}actual:   ${show(e.actual)}`)
    }
  }
  for (const w of report.warnings) output.out(`  ${style('yellow', '!')} ${w}`)
  output.out('')
  const primary = report.primary
  if (report.valid || primary === undefined) {
    output.out(style('green', 'valid: every check passed'))
    return
  }
  const failed = report.checks.filter((c) => c.status === 'failed').length
  output.out(`${style('red', 'rejected')}: ${failed} check${failed === 1 ? '' : 's'} failed`)
  output.out(`root cause: ${style('bold', primary.code)} — ${primary.message}`)
  output.out(`what to change: ${codes[primary.code].fix}`)
}

function describeFiles(report: KeyDoctorReport): string {
  const n = report.certificates.length
  return `${report.key.encoding} key${n === 0 ? '' : `, ${n} certificate${n === 1 ? '' : 's'}`}, now ${formatTime(report.now)}`
}
