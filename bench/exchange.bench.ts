/**
 * Token-exchange throughput of the full Tessera app against a node:crypto ceiling, over HTTP on
 * loopback, with the load generator and the server in separate processes (issue #4's bench).
 *
 *   npm run bench                                   # both benches, tables
 *   node --conditions=tessera-source bench/exchange.bench.ts [--json] [--duration 10]
 *        [--connections 10] [--rounds 2] [--warmup 3] [--log-level warn] [--profile DIR]
 *        [--only ceiling|tessera] [--ceiling-sign der|p1363] [--store sqlite|memory]
 *
 * Method: `exchange-server.ts` runs as a child process and serves (a) Tessera — startTessera,
 * SQLite audit on, ES256 — and (b) a bare Fastify route that parses the form and does one
 * crypto.verify of the subject token and one crypto.sign of a fixed claims object (the
 * ceiling; by default on the fastest node:crypto path, bare KeyObjects with the ECDSA
 * signature converted between r‖s and DER in JS — `--ceiling-sign p1363` has node:crypto
 * produce r‖s instead, a slower and so more flattering ceiling). This process runs autocannon
 * (10 connections, no pipelining) against each for `--duration` seconds, interleaved ceiling,
 * tessera, ceiling, tessera…, after a warm-up of each. Both get the same request bodies: a pool of distinct CI tokens valid for the whole run
 * (the policy has no singleUse), cycled per connection. Every response must be a 200 — a run
 * with any other status, error or timeout aborts the bench.
 *
 * Reported per target: req/s (2xx responses / run time, over all its runs), p50 and p99
 * latency in ms (exact, from every response time autocannon measured, not its 1 ms-resolution
 * histogram), and tessera/ceiling. Target (issue #4): ratio ≥ 0.75 and tessera p99 < 10 ms.
 * `--profile DIR` starts the server with `--cpu-prof --cpu-prof-dir=DIR` (profile written when
 * it stops; `--only tessera` keeps the ceiling's load out of it), and
 * `node bench/cpu-profile-summary.ts DIR/*.cpuprofile` says where the time went.
 */
import type { ChildProcess } from 'node:child_process'
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { type AutocannonResult, autocannon, percentile } from './autocannon.ts'
import type { ServerReady } from './exchange-server.ts'
import { startServerProcess, stopServerProcess } from './server-process.ts'

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '3' },
    'log-level': { type: 'string', default: 'warn' },
    pool: { type: 'string', default: '16' },
    profile: { type: 'string' },
    only: { type: 'string' },
    'ceiling-sign': { type: 'string', default: 'der' },
    store: { type: 'string', default: 'sqlite' },
  },
})
const json = values.json
const duration = Number(values.duration)
const connections = Number(values.connections)
const rounds = Number(values.rounds)
const warmup = Number(values.warmup)
const targets = (
  values.only === 'ceiling' || values.only === 'tessera' ? [values.only] : ['ceiling', 'tessera']
) as readonly ('ceiling' | 'tessera')[]
const targetRatio = 0.75
const targetP99Ms = 10

const progress = (text: string): void => {
  if (!json) process.stderr.write(text)
}

// ---------------------------------------------------------------------------------------------
// The server process.

function startServer(): Promise<{ child: ChildProcess; ready: ServerReady }> {
  return startServerProcess<ServerReady>(
    'exchange-server.ts',
    [
      '--log-level',
      values['log-level'],
      '--pool',
      values.pool,
      '--ceiling-sign',
      values['ceiling-sign'],
      '--store',
      values.store,
    ],
    values.profile,
  )
}

// ---------------------------------------------------------------------------------------------
// One load run.

interface Run {
  readonly target: 'ceiling' | 'tessera'
  readonly round: number
  readonly seconds: number
  readonly ok: number
  readonly reqPerSec: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** Response times (ms) of every 2xx, for the merged percentiles. */
  readonly latencies: number[]
}

async function load(
  url: string,
  bodies: readonly string[],
  seconds: number,
): Promise<{ result: AutocannonResult; latencies: number[] }> {
  const latencies: number[] = []
  const instance = autocannon({
    url,
    connections,
    pipelining: 1,
    duration: seconds,
    requests: bodies.map((body) => ({
      method: 'POST',
      path: '/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    })),
  })
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms)
  })
  const result = await instance
  const failures = result.errors + result.timeouts + result.non2xx + result.resets
  if (failures > 0) {
    throw new Error(
      `${url}: ${result.non2xx} non-2xx (${JSON.stringify(result.statusCodeStats)}), ${result.errors} errors, ${result.timeouts} timeouts, ${result.resets} resets — nothing refused may be measured`,
    )
  }
  return { result, latencies }
}

async function measure(
  target: Run['target'],
  url: string,
  bodies: readonly string[],
  round: number,
): Promise<Run> {
  const { result, latencies } = await load(url, bodies, duration)
  latencies.sort((a, b) => a - b)
  return {
    target,
    round,
    seconds: result.duration,
    ok: result['2xx'],
    reqPerSec: result['2xx'] / result.duration,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    latencies,
  }
}

// ---------------------------------------------------------------------------------------------
// Run.

const { child, ready } = await startServer()
const urls = { ceiling: ready.ceiling, tessera: ready.tessera } as const
const runs: Run[] = []
try {
  progress(`warm-up ${warmup} s each `)
  for (const target of targets) await load(urls[target], ready.bodies, warmup)
  for (let round = 1; round <= rounds; round++) {
    for (const target of targets) {
      progress(`| ${target} ${round}/${rounds} `)
      runs.push(await measure(target, urls[target], ready.bodies, round))
    }
  }
  progress('\n\n')
} finally {
  await stopServerProcess(child)
}

interface Summary {
  readonly target: Run['target']
  readonly reqPerSec: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly requests: number
}

function summarise(target: Run['target']): Summary {
  const mine = runs.filter((r) => r.target === target)
  const ok = mine.reduce((sum, r) => sum + r.ok, 0)
  const seconds = mine.reduce((sum, r) => sum + r.seconds, 0)
  const latencies = mine.flatMap((r) => r.latencies).sort((a, b) => a - b)
  return {
    target,
    reqPerSec: ok / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    requests: ok,
  }
}

const summaries = targets.map(summarise)
const ceiling = summarise('ceiling')
const tessera = summarise('tessera')
const ratio = tessera.reqPerSec / ceiling.reqPerSec
const pairedRatios = Array.from({ length: rounds }, (_, i) => {
  const c = runs.find((r) => r.target === 'ceiling' && r.round === i + 1)
  const t = runs.find((r) => r.target === 'tessera' && r.round === i + 1)
  return c === undefined || t === undefined ? Number.NaN : t.reqPerSec / c.reqPerSec
})
const meetsRatio = ratio >= targetRatio
const meetsP99 = tessera.p99Ms < targetP99Ms
const env = {
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  connections,
  durationSeconds: duration,
  rounds,
  tokenPool: ready.bodies.length,
  logLevel: values['log-level'],
  ceilingSign: values['ceiling-sign'],
  algorithm: 'ES256',
  store: values.store === 'memory' ? 'memory (diagnostic: audit not durable)' : 'sqlite (audit on)',
}
const round2 = (n: number): number => Math.round(n * 100) / 100

if (json) {
  console.log(
    JSON.stringify(
      {
        ...env,
        runs: runs.map(({ latencies: _, ...run }) => ({
          ...run,
          reqPerSec: round2(run.reqPerSec),
          p50Ms: round2(run.p50Ms),
          p99Ms: round2(run.p99Ms),
        })),
        summary: summaries.map((s) => ({
          ...s,
          reqPerSec: round2(s.reqPerSec),
          p50Ms: round2(s.p50Ms),
          p99Ms: round2(s.p99Ms),
        })),
        ratio: round2(ratio),
        pairedRatios: pairedRatios.map(round2),
        target: { ratio: targetRatio, p99Ms: targetP99Ms, meetsRatio, meetsP99 },
      },
      null,
      2,
    ),
  )
} else {
  console.log(`node ${env.node} · ${env.cpu} (${env.cores} cores)`)
  console.log(
    `POST /oauth2/token, ES256, ${connections} connections, ${rounds} × ${duration} s per target interleaved, ${env.tokenPool} subject tokens, server log level ${env.logLevel}, ceiling signs ${env.ceilingSign}, store ${env.store}`,
  )
  console.log('')
  const pad = (text: string, width: number) => text.padStart(width)
  console.log(`${'run'.padEnd(14)}${pad('req/s', 10)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}`)
  for (const r of runs) {
    console.log(
      `${`${r.target} ${r.round}`.padEnd(14)}${pad(r.reqPerSec.toFixed(0), 10)}${pad(r.p50Ms.toFixed(2), 9)}${pad(r.p99Ms.toFixed(2), 9)}`,
    )
  }
  console.log('')
  console.log(
    `${'target'.padEnd(14)}${pad('req/s', 10)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('vs ceiling', 12)}`,
  )
  for (const s of summaries) {
    console.log(
      `${s.target.padEnd(14)}${pad(s.reqPerSec.toFixed(0), 10)}${pad(s.p50Ms.toFixed(2), 9)}${pad(s.p99Ms.toFixed(2), 9)}${pad((s.reqPerSec / ceiling.reqPerSec).toFixed(2), 12)}`,
    )
  }
  console.log('')
  if (targets.length === 2)
    console.log(
      `tessera/ceiling ${ratio.toFixed(2)} (per round: ${pairedRatios.map((r) => r.toFixed(2)).join(', ')}); target ≥ ${targetRatio}: ${meetsRatio ? 'met' : 'NOT met'}; tessera p99 ${tessera.p99Ms.toFixed(2)} ms, target < ${targetP99Ms} ms: ${meetsP99 ? 'met' : 'NOT met'}`,
    )
}
