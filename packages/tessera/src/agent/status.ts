import { type ErrorCode, isErrorCode, quote, TesseraError } from '@tessera/verify'
import { readBoundedFile } from './read-bounded-file.ts'
import { writeFileAtomic } from './write-file-atomic.ts'

/** The last failure of an audience's refresh: code, message and what to do. */
export interface RefreshError {
  readonly code: ErrorCode
  readonly message: string
  readonly hint?: string
}

/** One audience as `tessera agent status` shows it: never the token. */
export interface AudienceStatus {
  readonly audience: string
  readonly file: string
  readonly subject?: string
  /** Epoch seconds. */
  readonly expiresAt?: number
  /** Epoch seconds of the last successful refresh. */
  readonly lastRefresh?: number
  readonly lastError?: RefreshError
}

/** What the status file holds. */
export interface AgentStatus {
  readonly audiences: readonly AudienceStatus[]
}

/** What the agent reports as it runs (no event carries a token). */
export type AgentEvent =
  | {
      readonly type: 'refreshed'
      readonly audience: string
      readonly file: string
      readonly subject?: string
      readonly expiresAt: number
    }
  | {
      readonly type: 'refresh_failed'
      readonly audience: string
      readonly code: ErrorCode
      readonly message: string
    }
  | { readonly type: 'expired'; readonly audience: string; readonly file: string }
  | { readonly type: 'status_write_failed'; readonly code: ErrorCode; readonly message: string }

/** Largest status file read, in bytes. */
const maxStatusBytes = 1024 * 1024

/**
 * Writes the status atomically (mode 0644: it holds no secret, and a monitoring user may read it).
 * @throws {TesseraError} `write_failed`
 */
export async function writeStatusFile(path: string, status: AgentStatus): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(status, null, 2)}\n`, { mode: 0o644 })
}

/**
 * Reads a status file written by a running agent and checks its shape.
 * @throws {TesseraError} `invalid_config` when it is missing, too large or not a status
 */
export async function readStatusFile(path: string): Promise<AgentStatus> {
  const problem = (message: string) =>
    new TesseraError({
      code: 'invalid_config',
      check: 'agent_status',
      message: `status file ${quote(path)}: ${message}`,
      problems: [{ path: '/status/file', message }],
    })
  const read = await readBoundedFile(path, maxStatusBytes)
  if ('errno' in read)
    throw problem(`cannot be read (${read.errno}); is the agent running with this configuration?`)
  if ('refused' in read) throw problem(`cannot be read: ${read.refused}`)
  const text = read.bytes.toString('utf8')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw problem('is not JSON')
  }
  const audiences = (value as { audiences?: unknown } | null)?.audiences
  if (!Array.isArray(audiences) || !audiences.every(isAudienceStatus))
    throw problem('is not an agent status ({ audiences: [{ audience, file, … }] })')
  return { audiences }
}

function isAudienceStatus(value: unknown): value is AudienceStatus {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  const optionalNumber = (x: unknown) => x === undefined || typeof x === 'number'
  const error = v.lastError as Record<string, unknown> | undefined
  return (
    typeof v.audience === 'string' &&
    typeof v.file === 'string' &&
    (v.subject === undefined || typeof v.subject === 'string') &&
    optionalNumber(v.expiresAt) &&
    optionalNumber(v.lastRefresh) &&
    (error === undefined ||
      (typeof error === 'object' &&
        error !== null &&
        isErrorCode(error.code) &&
        typeof error.message === 'string'))
  )
}
