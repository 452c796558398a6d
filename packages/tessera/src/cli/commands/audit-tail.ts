import { parseArgs } from 'node:util'
import type { AuditPage, AuditRecord } from '../../sts/index.ts'
import { exitCodes } from '../exit-codes.ts'
import { isConnectionFailure, requestJson } from '../http-client.ts'
import { renderAuditLine } from '../output/audit-line.ts'
import { renderServerError } from '../output/server-error.ts'
import type { Output } from '../output/stream.ts'
import { defaultServerUrl, serverUrl } from '../server-url.ts'
import { usageError } from '../usage-error.ts'

export const auditTailUsage = `usage: tessera audit tail [--url URL] [--follow] [--decision allow|deny] [--limit N] [--json]

Prints the latest audit records of a running Tessera (GET /v1/audit; served to loopback
clients only), oldest first: every issuance and exchange, allowed or denied, with its code,
policy and identities — never a token. --follow keeps printing new records (every 2 s) until
interrupted. --json prints one JSON record per line. Default --url ${defaultServerUrl},
--limit 20.`

/** Seconds between two polls with `--follow`. */
export const followIntervalMs = 2000

// Pages read per poll with --follow before giving up on catching up (500 records each).
const maxPagesPerPoll = 20

/** What tests replace: the wait between polls. */
export interface AuditTailHooks {
  /**
   * Waits `ms` before the next poll; resolves false to stop following. Default: a timer,
   * ended early by SIGINT or SIGTERM.
   */
  readonly wait?: (ms: number) => Promise<boolean>
}

type Row = AuditRecord & { readonly id: string }

/** Reads the audit log from a running server and prints it (and, with `--follow`, what follows). */
export async function runAuditTail(
  argv: readonly string[],
  output: Output,
  _stdin?: NodeJS.ReadableStream,
  hooks: AuditTailHooks = {},
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      url: { type: 'string' },
      follow: { type: 'boolean', short: 'f', default: false },
      decision: { type: 'string' },
      limit: { type: 'string', short: 'n' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    output.out(auditTailUsage)
    return exitCodes.ok
  }
  const url = serverUrl(values.url, defaultServerUrl)
  const decision = values.decision
  if (decision !== undefined && decision !== 'allow' && decision !== 'deny')
    throw usageError(
      `--decision must be allow or deny, got ${JSON.stringify(decision)}`,
      'decision',
    )
  const limit = values.limit === undefined ? 20 : Number(values.limit)
  if (!/^\d+$/.test(values.limit ?? '20') || limit < 1 || limit > 500)
    throw usageError('--limit must be a whole number from 1 to 500', 'limit')

  const print = (rows: readonly Row[]) => {
    // Pages come newest first; a tail reads oldest first.
    for (const row of [...rows].reverse()) {
      if (values.json) output.out(JSON.stringify(row))
      else renderAuditLine(row, output)
    }
  }
  const filters = decision === undefined ? {} : { decision }
  try {
    const first = await fetchPage(url, { ...filters, limit: String(limit) }, output)
    if (first === undefined) return exitCodes.rejected
    print(first.records)
    if (!values.follow) return exitCodes.ok

    let cursor = cursorAfter(first.records, { seen: new Set<string>() })
    const wait = hooks.wait ?? waitUnlessSignalled
    while (await wait(followIntervalMs)) {
      const fresh: Row[] = []
      let before: string | undefined
      for (let page = 0; page < maxPagesPerPoll; page++) {
        const query: Record<string, string> = { ...filters, limit: '500' }
        if (cursor.since !== undefined) query.since = String(cursor.since)
        if (before !== undefined) query.before = before
        const result = await fetchPage(url, query, output)
        if (result === undefined) return exitCodes.rejected
        fresh.push(...result.records.filter((r) => !cursor.seen.has(r.id)))
        if (result.next === undefined) break
        before = result.next
      }
      print(fresh)
      cursor = cursorAfter(fresh, cursor)
    }
    return exitCodes.ok
  } catch (error) {
    if (!isConnectionFailure(error)) throw error
    output.err(`tessera audit tail: cannot read the audit log: ${error.message}`)
    return exitCodes.rejected
  }
}

/**
 * Where the next poll starts: `since` is inclusive, so the ids already printed at the newest
 * time are remembered and skipped rather than printed twice.
 */
function cursorAfter(
  rows: readonly Row[],
  previous: { readonly since?: number; readonly seen: ReadonlySet<string> },
): { readonly since?: number; readonly seen: ReadonlySet<string> } {
  if (rows.length === 0) return previous
  const newest = Math.max(...rows.map((r) => r.time))
  const seen = new Set(rows.filter((r) => r.time === newest).map((r) => r.id))
  if (newest === previous.since) for (const id of previous.seen) seen.add(id)
  return { since: newest, seen }
}

async function fetchPage(
  url: string,
  query: Record<string, string>,
  output: Output,
): Promise<AuditPage | undefined> {
  const response = await requestJson(`${url}/v1/audit?${new URLSearchParams(query)}`)
  const records = (response.body as { records?: unknown } | null)?.records
  if (response.status !== 200 || !Array.isArray(records)) {
    renderServerError('audit tail', response.status, response.body, output)
    return undefined
  }
  return response.body as AuditPage
}

function waitUnlessSignalled(ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (keepGoing: boolean) => {
      clearTimeout(timer)
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve(keepGoing)
    }
    const stop = () => done(false)
    const timer = setTimeout(() => done(true), ms)
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
}
