// Runs the two-hop example end to end on loopback:
//
//   CI job ──(CI token)──► Tessera ──► token for A
//   CI job ──(token for A)──► service A (Fastify)
//   service A ──(subject = token for A, actor = A's own token)──► Tessera ──► token for B, act.sub = A
//   service A ──(token for B)──► service B (gRPC)          accepted, B sees act
//   service A ──(token for A, forwarded)──► service B      refused: audience_mismatch
//
// node --conditions=tessera-source examples/two-hop/run.ts
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Clock, systemClock } from '@tessera/verify'
import { tesseraExchangeFetcher } from '@tessera/verify/client'
import { type RunningTessera, startTessera } from '../../packages/tessera/src/app.ts'
import type { Logger } from '../../packages/tessera/src/telemetry/index.ts'
import { type FakeIssuers, startFakeIssuers } from './fake-issuers.ts'
import {
  ledgerClient,
  recordAtB,
  type ServiceA,
  serviceAAudience,
  startServiceA,
} from './service-a.ts'
import type { LedgerReceipt } from './service-b.ts'
import { type ServiceB, startServiceB } from './service-b.ts'

/** Path of the example's configuration (example origins, replaced at start). */
export const exampleConfigPath = new URL('./tessera.yaml', import.meta.url)

/** Everything the example started. */
export interface TwoHop {
  readonly issuers: FakeIssuers
  readonly tessera: RunningTessera
  readonly tesseraUrl: string
  readonly a: ServiceA
  readonly b: ServiceB
  readonly clock: Clock
  close(): Promise<void>
}

/** What happened. */
export interface TwoHopReport {
  /** The token the CI job got for A (its sub is the CI-derived SPIFFE ID). */
  readonly tokenForA: string
  /** A's answer: B's receipt, recorded for the CI identity with A as actor. */
  readonly viaA: { readonly calledBy: string; readonly ledger: LedgerReceipt }
  /** What B answered when A's token was forwarded to it as is. */
  readonly forwarded: { readonly code: string; readonly details: string }
}

/** Starts the fake issuers, Tessera (examples/two-hop/tessera.yaml), B and A, on loopback. */
export async function startTwoHop(
  options: { readonly clock?: Clock; readonly logger?: Logger } = {},
): Promise<TwoHop> {
  const clock = options.clock ?? systemClock
  const issuers = await startFakeIssuers(clock)
  const dir = mkdtempSync(join(tmpdir(), 'tessera-two-hop-'))
  const stops: (() => Promise<void> | void)[] = [
    () => issuers.close(),
    () => rmSync(dir, { recursive: true, force: true }),
  ]
  const close = async () => {
    for (const stop of stops.reverse()) await stop()
  }
  try {
    // Tessera's public URL is its issuer: it must name the port before the server starts.
    const port = await freePort()
    const tesseraUrl = `http://127.0.0.1:${port}`
    const configPath = join(dir, 'tessera.yaml')
    writeFileSync(
      configPath,
      readFileSync(exampleConfigPath, 'utf8')
        .replaceAll('http://127.0.0.1:9900', issuers.origin)
        .replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`),
    )
    const tessera = await startTessera({
      configPath,
      env: {},
      clock,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    })
    stops.push(() => tessera.close())
    const b = await startServiceB({ tesseraUrl, clock })
    stops.push(() => b.close())
    const a = await startServiceA({
      tesseraUrl,
      serviceB: b.address,
      clock,
      workloadToken: () =>
        issuers.cluster.sign({ sub: 'system:serviceaccount:shop:service-a', aud: tesseraUrl }),
    })
    stops.push(() => a.close())
    return { issuers, tessera, tesseraUrl, a, b, clock, close }
  } catch (error) {
    await close()
    throw error
  }
}

/** Runs the two hops and the forwarding mistake; see the diagram at the top of this file. */
export async function runTwoHop(world: TwoHop): Promise<TwoHopReport> {
  const ciToken = world.issuers.ci.sign({
    sub: 'repo:acme/shop:ref:refs/heads/main',
    repository: 'acme/shop',
    aud: world.tesseraUrl,
  })
  const { token: tokenForA } = await tesseraExchangeFetcher({
    tokenUrl: `${world.tesseraUrl}/oauth2/token`,
    subjectToken: () => ciToken,
    audience: serviceAAudience,
    scope: ['deploy'],
    clock: world.clock,
  })()
  const response = await fetch(`${world.a.url}/deploy`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokenForA}` },
    signal: AbortSignal.timeout(10_000),
  })
  if (!response.ok)
    throw new Error(`service A answered ${response.status}: ${await response.text()}`)
  const viaA = (await response.json()) as TwoHopReport['viaA']

  // The mistake the example guards against: A forwarding the token it was given.
  const client = ledgerClient(world.b.address)
  let forwarded: TwoHopReport['forwarded']
  try {
    await recordAtB(client, tokenForA, { note: 'forwarded' })
    throw new Error('service B accepted a token minted for service A')
  } catch (error) {
    const { metadata, details } = error as {
      metadata?: { get(key: string): unknown[] }
      details?: string
    }
    if (metadata === undefined) throw error
    forwarded = { code: String(metadata.get('tessera-error-code')[0]), details: details ?? '' }
  } finally {
    client.close()
  }
  return { tokenForA, viaA, forwarded }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

if (import.meta.main) {
  const world = await startTwoHop()
  try {
    const report = await runTwoHop(world)
    process.stdout.write(
      `A was called by ${report.viaA.calledBy}\n` +
        `B recorded for ${report.viaA.ledger.recordedFor}, acting: ${report.viaA.ledger.actor}\n` +
        `B refused the forwarded token: ${report.forwarded.code} (${report.forwarded.details})\n`,
    )
  } finally {
    await world.close()
  }
}
