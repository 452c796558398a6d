import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import {
  freePort,
  payments,
  startTesseraFixture,
  type TesseraFixture,
  trustDomain,
} from '../../server/http/testing/tessera-fixture.ts'
import { runCli } from '../main.ts'
import { memoryOutput } from '../output/stream.ts'
import { auditTailUsage, runAuditTail } from './audit-tail.ts'

let fixture: TesseraFixture
before(async () => {
  fixture = await startTesseraFixture()
  await exchange('first', payments)
  await exchange('second', `${payments}/`)
})
after(() => fixture.close())

async function cli(args: readonly string[]) {
  const output = memoryOutput()
  const status = await runCli(args, output)
  return { status, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') }
}

/** Mints an identity token for `name` and exchanges it for `audience` (allowed or denied). */
async function exchange(name: string, audience: string): Promise<void> {
  const join = await cli([
    'join-token',
    'create',
    '--spiffe-id',
    `spiffe://${trustDomain}/${name}`,
    '--config',
    fixture.configPath,
  ])
  const mint = await cli([
    'token',
    'mint',
    '--url',
    fixture.url,
    '--join-token',
    join.stdout,
    '--audience',
    fixture.url,
  ])
  await cli([
    'exchange',
    '--url',
    fixture.url,
    '--subject-token',
    mint.stdout,
    '--audience',
    audience,
  ])
}

describe('tessera audit tail', () => {
  it('prints the latest records oldest first, one line each, without tokens', async () => {
    const run = await cli(['audit', 'tail', '--url', fixture.url])
    assert.equal(run.status, 0, run.stderr)
    const lines = run.stdout.split('\n')
    // identity(first), exchange allow, identity(second), exchange deny
    assert.equal(lines.length, 4)
    assert.match(lines[0] ?? '', /^\d{4}-\d\d-\d\dT\S+Z {2}allow {2}identity /)
    assert.match(
      lines[1] ?? '',
      /allow {2}exchange +policy="workloads".*→ sub="spiffe:\/\/example\.org\/first" {2}aud="https:\/\/payments\.example\.org" {2}scope="payments\.read" {2}correlation=/,
    )
    assert.match(lines[3] ?? '', /deny {3}exchange +code=target_not_allowed {2}hint=trailing_slash/)
    assert.ok(!run.stdout.includes('eyJ'))
  })

  it('filters by decision, limits, and prints JSON lines', async () => {
    const run = await cli(['audit', 'tail', '--url', fixture.url, '--decision', 'deny', '--json'])
    assert.equal(run.status, 0, run.stderr)
    const records = run.stdout
      .split('\n')
      .map((l) => JSON.parse(l) as { decision: string; code: string })
    assert.deepEqual(
      records.map((r) => [r.decision, r.code]),
      [['deny', 'target_not_allowed']],
    )
    const one = await cli(['audit', 'tail', '--url', fixture.url, '--limit', '1', '--json'])
    assert.equal(one.stdout.split('\n').length, 1)
  })

  it('follows: prints each new record once, polling with a cursor', async () => {
    const output = memoryOutput()
    const waits: number[] = []
    const status = await runAuditTail(
      ['--url', fixture.url, '--follow', '--json'],
      output,
      undefined,
      {
        wait: async (ms) => {
          waits.push(ms)
          if (waits.length === 1) await exchange('third', payments)
          return waits.length < 3
        },
      },
    )
    assert.equal(status, 0)
    assert.deepEqual(waits, [2000, 2000, 2000])
    const ids = output.stdout.map((l) => (JSON.parse(l) as { id: string }).id)
    assert.equal(new Set(ids).size, ids.length, 'no record printed twice')
    assert.equal(ids.length, 6)
    const last = JSON.parse(output.stdout.at(-1) as string) as {
      kind: string
      issued: { sub: string }
    }
    assert.equal(last.kind, 'exchange')
    assert.equal(last.issued.sub, `spiffe://${trustDomain}/third`)
  })

  it('stops following on SIGINT when no wait hook is given', async () => {
    const listeners = process.listenerCount('SIGINT')
    const page = (await (await fetch(`${fixture.url}/v1/audit?limit=20`)).json()) as {
      records: unknown[]
    }
    const records = page.records.length
    let printed = 0
    const output = {
      ...memoryOutput(),
      out: () => {
        // After the first page's last line the command starts waiting, synchronously: a
        // microtask later it listens for the signal.
        printed += 1
        if (printed === records) queueMicrotask(() => process.emit('SIGINT', 'SIGINT'))
      },
    }
    const status = await runAuditTail(['--url', fixture.url, '--follow'], output)
    assert.equal(status, 0)
    assert.equal(printed, records)
    assert.equal(process.listenerCount('SIGINT'), listeners)
  })

  it('exits 1 with the server error when the audit log is refused', async (t) => {
    const server = createServer((_req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          code: 'policy_denied',
          check: 'audit_access',
          message: 'denied',
          correlationId: 'c-9',
        }),
      )
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    t.after(() => server.close())
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const run = await cli(['audit', 'tail', '--url', url, '--follow'])
    assert.equal(run.status, 1)
    assert.equal(run.stderr, 'tessera audit tail: policy_denied: denied\n  correlation id: c-9')
  })

  it('exits 1 when no server answers, and 2 for bad usage', async () => {
    const port = await freePort()
    const down = await cli(['audit', 'tail', '--url', `http://127.0.0.1:${port}`])
    assert.equal(down.status, 1)
    assert.match(
      down.stderr,
      /^tessera audit tail: cannot read the audit log: .*connection refused/,
    )
    const decision = await cli(['audit', 'tail', '--decision', 'maybe'])
    assert.equal(decision.status, 2)
    assert.ok(decision.stderr.includes('--decision must be allow or deny, got "maybe"'))
    for (const limit of ['0', '501', 'ten']) {
      const run = await cli(['audit', 'tail', '--limit', limit])
      assert.equal(run.status, 2, limit)
      assert.ok(run.stderr.includes('--limit must be a whole number from 1 to 500'))
    }
  })

  it('prints its usage with --help', async () => {
    assert.equal((await cli(['audit', 'tail', '--help'])).stdout, auditTailUsage)
  })
})
