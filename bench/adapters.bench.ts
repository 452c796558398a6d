/**
 * Throughput through each receiver adapter of `@tessera/verify` against the same route without
 * it, in one run (issue #7's bench). Per framework — Fastify with the `/fastify` plugin, Express
 * behind the `/express` middleware, a grpc-js unary method with the `/grpc` interceptor — three
 * targets: `bare` (no verification), `by hand` (the handler reads `authorization`, strips
 * `Bearer `, awaits `verifier.verify(token)` and keeps the claims: what a service writes without
 * the adapter) and `adapter`. ES256 verification (~80 µs) dwarfs a bare route (~15 µs), so only
 * adapter vs by hand says whether the adapter itself is thin.
 *
 *   npm run bench                                   # every bench, tables
 *   node --conditions=tessera-source bench/adapters.bench.ts [--json] [--duration 5]
 *        [--connections 10] [--rounds 3] [--warmup 2] [--pool 16] [--verify-ms 500]
 *        [--only fastify|express|grpc] [--profile DIR]
 *
 * Method: `adapters-server.ts` runs as a child process and serves the nine targets (one shared
 * verifier: ES256, local JWKS). This process loads them: HTTP with autocannon (`--connections`
 * connections, no pipelining), gRPC with a closed-loop generator written here (`--connections`
 * calls in flight on one channel, each starting the next as it completes; autocannon speaks
 * HTTP/1 only). Every request carries `Authorization: Bearer <token>` (gRPC: the
 * `authorization` metadata) from the same pool of distinct tokens valid for the run — the bare
 * targets receive it too and ignore it. After a warm-up of each target, rounds interleave the
 * three targets of each framework, their order rotated from round to round (with 3 rounds each
 * target runs once first, once second, once last), for `--duration` seconds per run. Every
 * answer must be a 200 / OK: a run with any other status, error or timeout aborts the bench.
 * After each round the child measures the verify-only cost in-process on the same verifier and
 * pool: µs per `verifier.verify()` (and, for scale, per `verifier.verifyRequest()`, which adds
 * the Authorization parsing and request rules).
 *
 * Reported per framework: bare, by-hand and adapter req/s (successful answers / run time over
 * all runs), exact p50/p99 latencies (every response time, not a histogram), the server's CPU
 * µs per request (process.cpuUsage around each run), adapter/by hand, and the adapter's
 * overhead = 1 − adapter req/s / by-hand req/s, over all runs and as the median of the
 * per-round pairs. Target (issue #7: overhead beyond the signature verification itself): ≤ 10 %.
 * `--profile DIR` starts the server with `--cpu-prof --cpu-prof-dir=DIR` (`--only` keeps the
 * other frameworks' load out of it); `node bench/cpu-profile-summary.ts DIR/*.cpuprofile` says
 * where the time went.
 */
import type { ChildProcess } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { Client, credentials, Metadata, type ServiceError, status } from '@grpc/grpc-js'
import type {
  AdapterName,
  AdaptersAnswer,
  AdaptersCommand,
  AdaptersReady,
  Side,
} from './adapters-server.ts'
import { autocannon, percentile } from './autocannon.ts'
import { median, rotate, table } from './measure.ts'
import { startServerProcess, stopServerProcess } from './server-process.ts'

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '2' },
    pool: { type: 'string', default: '16' },
    'verify-ms': { type: 'string', default: '500' },
    only: { type: 'string' },
    profile: { type: 'string' },
  },
})
const json = values.json
const duration = Number(values.duration)
const connections = Number(values.connections)
const rounds = Number(values.rounds)
const warmup = Number(values.warmup)
const verifyMs = Number(values['verify-ms'])
const allAdapters: readonly AdapterName[] = ['fastify', 'express', 'grpc']
const adapters = allAdapters.filter((a) => values.only === undefined || values.only === a)
if (adapters.length === 0) throw new Error(`--only must be one of ${allAdapters.join(', ')}`)
const targetPercent = 10

const progress = (text: string): void => {
  if (!json) process.stderr.write(text)
}

// ---------------------------------------------------------------------------------------------
// The server process.

function startServer(): Promise<{ child: ChildProcess; ready: AdaptersReady }> {
  return startServerProcess<AdaptersReady>(
    'adapters-server.ts',
    ['--pool', values.pool],
    values.profile,
  )
}

let nextId = 0
function ask(
  child: ChildProcess,
  command: DistributiveOmit<AdaptersCommand, 'id'>,
): Promise<AdaptersAnswer> {
  const id = ++nextId
  return new Promise((resolve) => {
    const onMessage = (message: AdaptersAnswer) => {
      if (message.id !== id) return
      child.off('message', onMessage)
      resolve(message)
    }
    child.on('message', onMessage)
    child.send({ ...command, id })
  })
}
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** The server's CPU time so far (user + system), µs. */
async function serverCpu(child: ChildProcess): Promise<number> {
  const answer = await ask(child, { type: 'cpu' })
  return answer.type === 'cpu' ? answer.micros : Number.NaN
}

/** µs per verify() and per verifyRequest(), measured in the server process. */
async function verifyCost(
  child: ChildProcess,
): Promise<{ verifyUs: number; verifyRequestUs: number }> {
  const answer = await ask(child, { type: 'verify-cost', ms: verifyMs })
  if (answer.type !== 'verify-cost') throw new Error('unexpected answer from the bench server')
  return { verifyUs: answer.verifyUs, verifyRequestUs: answer.verifyRequestUs }
}

// ---------------------------------------------------------------------------------------------
// Load generators. Both return the successes, the run time and every success's latency (ms).

interface Load {
  readonly ok: number
  readonly seconds: number
  readonly latencies: number[]
}

async function httpLoad(
  base: string,
  path: string,
  tokens: readonly string[],
  seconds: number,
): Promise<Load> {
  const latencies: number[] = []
  const instance = autocannon({
    url: base,
    connections,
    pipelining: 1,
    duration: seconds,
    requests: tokens.map((token) => ({
      method: 'GET',
      path,
      headers: { authorization: `Bearer ${token}` },
    })),
  })
  instance.on('response', (_client, code, _bytes, ms) => {
    if (code >= 200 && code < 300) latencies.push(ms)
  })
  const result = await instance
  const failures = result.errors + result.timeouts + result.non2xx + result.resets
  if (failures > 0) {
    throw new Error(
      `${base}: ${result.non2xx} non-2xx (${JSON.stringify(result.statusCodeStats)}), ${result.errors} errors, ${result.timeouts} timeouts, ${result.resets} resets — nothing refused may be measured`,
    )
  }
  return { ok: result['2xx'], seconds: result.duration, latencies }
}

const identity = (b: Buffer): Buffer => b
const request = Buffer.from('{"id":7}')

function grpcCall(
  client: Client,
  path: string,
  authorization: string | undefined,
): Promise<ServiceError | null> {
  // A fresh Metadata per call, as an application's call does.
  const metadata = new Metadata()
  if (authorization !== undefined) metadata.set('authorization', authorization)
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, identity, identity, request, metadata, (error) =>
      resolve(error ?? null),
    )
  })
}

/** Closed loop: `connections` calls in flight on one channel until `seconds` have passed. */
async function grpcLoad(
  client: Client,
  path: string,
  tokens: readonly string[],
  seconds: number,
): Promise<Load> {
  const authorizations = tokens.map((t) => `Bearer ${t}`)
  const latencies: number[] = []
  let failures = 0
  let firstFailure: ServiceError | undefined
  let n = 0
  const start = performance.now()
  const deadline = start + seconds * 1000
  const worker = async (offset: number): Promise<void> => {
    let i = offset
    while (performance.now() < deadline) {
      const t0 = performance.now()
      const error = await grpcCall(client, path, authorizations[i++ % authorizations.length])
      if (error === null) latencies.push(performance.now() - t0)
      else {
        failures++
        firstFailure ??= error
      }
      n++
    }
  }
  await Promise.all(Array.from({ length: connections }, (_, w) => worker(w)))
  const elapsed = (performance.now() - start) / 1000
  if (failures > 0) {
    throw new Error(
      `${path}: ${failures} of ${n} calls failed (first: ${firstFailure?.code} ${firstFailure?.details}) — nothing refused may be measured`,
    )
  }
  return { ok: latencies.length, seconds: elapsed, latencies }
}

// ---------------------------------------------------------------------------------------------
// Run.

const sides: readonly Side[] = ['bare', 'byHand', 'adapter']
const sideLabel: Readonly<Record<Side, string>> = {
  bare: 'bare',
  byHand: 'by hand',
  adapter: 'adapter',
}

const { child, ready } = await startServer()
const grpcClients: Record<Side, Client> = {
  bare: new Client(ready.targets.grpc.bare, credentials.createInsecure()),
  byHand: new Client(ready.targets.grpc.byHand, credentials.createInsecure()),
  adapter: new Client(ready.targets.grpc.adapter, credentials.createInsecure()),
}

function load(adapter: AdapterName, side: Side, seconds: number): Promise<Load> {
  if (adapter === 'grpc') return grpcLoad(grpcClients[side], ready.grpcPath, ready.tokens, seconds)
  return httpLoad(ready.targets[adapter][side], ready.path, ready.tokens, seconds)
}

/** Every target answers a token from the pool; only the verifying ones refuse a request without one. */
async function sanity(): Promise<void> {
  const token = ready.tokens[0] as string
  for (const adapter of adapters) {
    for (const side of sides) {
      let withToken: number | string
      let without: number | string
      if (adapter === 'grpc') {
        withToken =
          (await grpcCall(grpcClients[side], ready.grpcPath, `Bearer ${token}`))?.code ?? 0
        without = (await grpcCall(grpcClients[side], ready.grpcPath, undefined))?.code ?? 0
      } else {
        const url = `${ready.targets[adapter][side]}${ready.path}`
        withToken = (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status
        without = (await fetch(url)).status
      }
      const expected =
        adapter === 'grpc'
          ? [status.OK, side === 'bare' ? status.OK : status.UNAUTHENTICATED]
          : [200, side === 'bare' ? 200 : 401]
      if (withToken !== expected[0] || without !== expected[1])
        throw new Error(
          `${adapter} ${side}: with a token ${withToken}, without ${without}; expected ${expected.join(', ')}`,
        )
    }
  }
}

interface Run {
  readonly adapter: AdapterName
  readonly side: Side
  readonly round: number
  readonly ok: number
  readonly seconds: number
  readonly reqPerSec: number
  /** Server CPU time (user + system) per successful request, µs. */
  readonly serverCpuUs: number
  readonly latencies: number[]
}

const runs: Run[] = []
const verifyCosts: { verifyUs: number; verifyRequestUs: number }[] = []
try {
  await sanity()
  progress(`warm-up ${warmup} s each `)
  for (const adapter of adapters) {
    for (const side of sides) await load(adapter, side, warmup)
  }
  await verifyCost(child)
  for (let round = 1; round <= rounds; round++) {
    for (const adapter of rotate(adapters, round - 1)) {
      for (const side of rotate(sides, round - 1)) {
        progress(`| ${adapter} ${sideLabel[side]} ${round}/${rounds} `)
        const cpu0 = await serverCpu(child)
        const result = await load(adapter, side, duration)
        const cpu1 = await serverCpu(child)
        runs.push({
          adapter,
          side,
          round,
          ok: result.ok,
          seconds: result.seconds,
          reqPerSec: result.ok / result.seconds,
          serverCpuUs: (cpu1 - cpu0) / result.ok,
          latencies: result.latencies,
        })
      }
    }
    verifyCosts.push(await verifyCost(child))
  }
  progress('\n\n')
} finally {
  for (const client of Object.values(grpcClients)) client.close()
  await stopServerProcess(child)
}

// ---------------------------------------------------------------------------------------------
// Summary.

interface SideSummary {
  readonly reqPerSec: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly serverCpuUs: number
  readonly requests: number
}

function summariseSide(adapter: AdapterName, side: Side): SideSummary {
  const mine = runs.filter((r) => r.adapter === adapter && r.side === side)
  const ok = mine.reduce((sum, r) => sum + r.ok, 0)
  const seconds = mine.reduce((sum, r) => sum + r.seconds, 0)
  const latencies = mine.flatMap((r) => r.latencies).sort((a, b) => a - b)
  return {
    reqPerSec: ok / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    serverCpuUs: median(mine.map((r) => r.serverCpuUs)),
    requests: ok,
  }
}

/** Median over rounds of the adapter's overhead against by hand within the same round, %. */
function pairedOverheadPercent(adapter: AdapterName): number {
  const perRound = (round: number, side: Side): Run | undefined =>
    runs.find((r) => r.adapter === adapter && r.side === side && r.round === round)
  return median(
    Array.from({ length: rounds }, (_, i) => {
      const byHand = perRound(i + 1, 'byHand')
      const withAdapter = perRound(i + 1, 'adapter')
      return byHand === undefined || withAdapter === undefined
        ? Number.NaN
        : (1 - withAdapter.reqPerSec / byHand.reqPerSec) * 100
    }),
  )
}

const verifyUs = median(verifyCosts.map((c) => c.verifyUs))
const verifyRequestUs = median(verifyCosts.map((c) => c.verifyRequestUs))

const results = adapters.map((adapter) => {
  const bare = summariseSide(adapter, 'bare')
  const byHand = summariseSide(adapter, 'byHand')
  const withAdapter = summariseSide(adapter, 'adapter')
  const ratio = withAdapter.reqPerSec / byHand.reqPerSec
  const overheadPercent = (1 - ratio) * 100
  return {
    adapter,
    bare,
    byHand,
    withAdapter,
    adapterToByHand: ratio,
    overheadPercent,
    pairedOverheadPercent: pairedOverheadPercent(adapter),
    /** Server CPU the adapter adds per request over verifying by hand, µs. */
    adapterCpuUs: withAdapter.serverCpuUs - byHand.serverCpuUs,
    meetsTarget: overheadPercent <= targetPercent,
  }
})

const r2 = (n: number): number => Math.round(n * 100) / 100
const r4 = (n: number): number => Math.round(n * 10_000) / 10_000
const missed = results.filter((r) => !r.meetsTarget).map((r) => r.adapter)
const summary = `adapter overhead = 1 − adapter_rps / by_hand_rps: ${results
  .map((r) => `${r.adapter} ${r.overheadPercent.toFixed(1)}%`)
  .join(
    ', ',
  )} — target ≤ ${targetPercent}% ${missed.length === 0 ? 'met for all' : `missed for ${missed.join(', ')}`} (verify-only ${verifyUs.toFixed(1)} µs per verifier.verify())`
const env = {
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  loadAverage: loadavg().map(r2),
  connections,
  durationSeconds: duration,
  rounds,
  tokenPool: ready.tokens.length,
  algorithm: 'ES256',
}

if (json) {
  console.log(
    JSON.stringify(
      {
        ...env,
        verifyUs: r2(verifyUs),
        verifyRequestUs: r2(verifyRequestUs),
        verifyCosts: verifyCosts.map((c) => ({
          verifyUs: r2(c.verifyUs),
          verifyRequestUs: r2(c.verifyRequestUs),
        })),
        runs: runs.map(({ latencies: _, ...run }) => ({
          ...run,
          reqPerSec: r2(run.reqPerSec),
          serverCpuUs: r2(run.serverCpuUs),
        })),
        results: results.map((r) => ({
          adapter: r.adapter,
          bare: roundSide(r.bare),
          byHand: roundSide(r.byHand),
          withAdapter: roundSide(r.withAdapter),
          adapterToByHand: r4(r.adapterToByHand),
          overheadPercent: r2(r.overheadPercent),
          pairedOverheadPercent: r2(r.pairedOverheadPercent),
          adapterCpuUs: r2(r.adapterCpuUs),
          verifyUs: r2(verifyUs),
          meetsTarget: r.meetsTarget,
        })),
        target: { overheadPercent: targetPercent },
        summary,
      },
      null,
      2,
    ),
  )
} else {
  console.log(`node ${env.node} · ${env.cpu} (${env.cores} cores)`)
  console.log(
    `ES256 bearer tokens (pool of ${env.tokenPool}), ${connections} connections / calls in flight, ${rounds} × ${duration} s per target interleaved`,
  )
  console.log(`load average at the end: ${env.loadAverage.join(' ')}`)
  console.log(
    `verify-only, in the server process: ${verifyUs.toFixed(1)} µs per verifier.verify() (${verifyRequestUs.toFixed(1)} µs per verifyRequest())\n`,
  )
  console.log(
    table(
      ['target', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/req'],
      results.flatMap((r) =>
        sides.map((side) => {
          const s = side === 'bare' ? r.bare : side === 'byHand' ? r.byHand : r.withAdapter
          return [
            `${r.adapter} ${sideLabel[side]}`,
            s.reqPerSec.toFixed(0),
            s.p50Ms.toFixed(2),
            s.p99Ms.toFixed(2),
            s.serverCpuUs.toFixed(1),
          ]
        }),
      ),
    ),
  )
  console.log('')
  console.log(
    table(
      [
        'adapter',
        'bare req/s',
        'by hand req/s',
        'adapter req/s',
        'adapter/by hand',
        'overhead',
        'paired',
        'verify µs',
        'CPU µs bare',
        'CPU µs by hand',
        'CPU µs adapter',
        'adapter +CPU µs',
      ],
      results.map((r) => [
        r.adapter,
        r.bare.reqPerSec.toFixed(0),
        r.byHand.reqPerSec.toFixed(0),
        r.withAdapter.reqPerSec.toFixed(0),
        r.adapterToByHand.toFixed(3),
        `${r.overheadPercent.toFixed(1)}%`,
        `${r.pairedOverheadPercent.toFixed(1)}%`,
        verifyUs.toFixed(1),
        r.bare.serverCpuUs.toFixed(1),
        r.byHand.serverCpuUs.toFixed(1),
        r.withAdapter.serverCpuUs.toFixed(1),
        r.adapterCpuUs.toFixed(1),
      ]),
    ),
  )
  console.log('')
  console.log(summary)
}

function roundSide(s: SideSummary): SideSummary {
  return {
    reqPerSec: r2(s.reqPerSec),
    p50Ms: r2(s.p50Ms),
    p99Ms: r2(s.p99Ms),
    serverCpuUs: r2(s.serverCpuUs),
    requests: s.requests,
  }
}
