/**
 * Verification throughput of Tessera against a hand-written node:crypto ceiling, jose and
 * fast-jwt, on the same realistic workload tokens (ES256, EdDSA, RS256 with RSA 2048).
 *
 *   npm run bench            # tables
 *   npm run bench -- --json  # JSON only
 *
 * Method: one process; warm-up, then rounds. In each round every (alg, contestant) pair runs
 * for a fixed time slice, in an order rotated from round to round, so slow drift (thermal,
 * neighbours) spreads over every contestant. Reported: the median ops/s over the rounds and
 * its ratio to the ceiling's median. Every loop is sequential (one verification at a time);
 * async APIs (tessera, jose) are awaited call by call, sync ones (ceiling, fast-jwt) are called
 * directly. The await cost of an async no-op is measured and printed for scale.
 */
import { type KeyObject, verify } from 'node:crypto'
import { cpus } from 'node:os'
import { createVerifier } from '@tessera/verify'
import { createVerifier as createFastJwtVerifier } from 'fast-jwt'
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose'
import { p1363ToDer } from './ecdsa-der.ts'
import {
  type Contestant,
  madPercent,
  median,
  opsPerSecond,
  rotate,
  runSlice,
  table,
} from './measure.ts'
import { audience, type BenchAlg, benchAlgs, type Fixture, issuer, makeFixture } from './tokens.ts'

const json = process.argv.includes('--json')
const rounds = 11
const sliceMs = 300
const warmupMs = 250
const poolSize = 64
const leeway = 60

// A fixed clock for every contestant that takes one, so no token expires mid-run.
const now = Math.floor(Date.now() / 1000)
const clock = (): number => now

// ---------------------------------------------------------------------------------------------
// Ceiling: the least work a correct verifier can do, on node:crypto's fastest path.

function makeCeiling(alg: BenchAlg, kid: string, key: KeyObject): (token: string) => unknown {
  const hash = alg === 'EdDSA' ? null : 'sha256'
  const ecdsa = alg === 'ES256'
  return (token) => {
    const a = token.indexOf('.')
    const b = token.indexOf('.', a + 1)
    if (a <= 0 || b === -1) throw new Error('malformed')
    const header = JSON.parse(Buffer.from(token.slice(0, a), 'base64url').toString())
    if (header.alg !== alg || header.kid !== kid) throw new Error('alg or kid')
    const claims = JSON.parse(Buffer.from(token.slice(a + 1, b), 'base64url').toString())
    const t = clock()
    if (claims.iss !== issuer) throw new Error('iss')
    const aud = claims.aud
    if (aud !== audience && !(Array.isArray(aud) && aud.includes(audience))) throw new Error('aud')
    if (typeof claims.exp !== 'number' || t >= claims.exp + leeway) throw new Error('exp')
    if (claims.nbf !== undefined && !(claims.nbf <= t + leeway)) throw new Error('nbf')
    const raw = Buffer.from(token.slice(b + 1), 'base64url')
    const sig = ecdsa ? (raw.length === 64 ? p1363ToDer(raw) : undefined) : raw
    if (sig === undefined || !verify(hash, Buffer.from(token.slice(0, b)), key, sig)) {
      throw new Error('signature')
    }
    return claims
  }
}

// ---------------------------------------------------------------------------------------------
// Contestants.

function contestants(f: Fixture): Contestant[] {
  const tessera = createVerifier({
    issuers: [{ issuer, jwks: f.jwks, algorithms: [f.alg] }],
    audience,
    leeway,
    maxLifetime: 3600,
    maxTokenAge: 3600,
    typ: 'JWT',
    requiredClaims: ['jti', 'sub'],
    clock,
  })
  const jwks = createLocalJWKSet(f.jwks as JSONWebKeySet)
  const joseOptions = {
    issuer,
    audience,
    algorithms: [f.alg],
    maxTokenAge: '1h',
    currentDate: new Date(now * 1000),
  }
  const fastJwt = createFastJwtVerifier({
    key: f.pem,
    algorithms: [f.alg],
    allowedIss: issuer,
    allowedAud: audience,
    cache: false,
  })
  return [
    { name: 'ceiling', kind: 'sync', run: makeCeiling(f.alg, f.kid, f.publicKey) },
    { name: 'tessera', kind: 'async', run: (t) => tessera.verify(t) },
    { name: 'jose', kind: 'async', run: (t) => jwtVerify(t, jwks, joseOptions) },
    { name: 'fast-jwt', kind: 'sync', run: (t) => fastJwt(t) },
  ]
}

/** Resolves to true when the contestant accepts the token, false when it throws or rejects. */
async function accepts(c: Contestant, token: string): Promise<boolean> {
  try {
    return (await c.run(token)) != null
  } catch {
    return false
  }
}

/** Nothing may be measured doing nothing: every contestant accepts the pool, rejects forgeries. */
async function sanity(f: Fixture, cs: readonly Contestant[]): Promise<void> {
  for (const c of cs) {
    for (const [i, token] of f.tokens.entries()) {
      if (!(await accepts(c, token))) throw new Error(`${f.alg} ${c.name} rejects valid token ${i}`)
    }
    if (await accepts(c, f.tamperedPayload))
      throw new Error(`${f.alg} ${c.name} accepts a forged payload`)
    if (await accepts(c, f.tamperedSignature))
      throw new Error(`${f.alg} ${c.name} accepts a flipped signature bit`)
  }
}

// ---------------------------------------------------------------------------------------------
// Run.

const progress = (text: string): void => {
  if (!json) process.stderr.write(text)
}

const fixtures = benchAlgs.map((alg) => makeFixture(alg, now, poolSize))
const suites = fixtures.map((f) => ({ fixture: f, contestants: contestants(f) }))
for (const s of suites) await sanity(s.fixture, s.contestants)

// For scale: what one awaited call costs by itself, and a sync call of the same no-op.
const asyncNoop: Contestant = { name: 'async no-op', kind: 'async', run: async (t) => t }
const syncNoop: Contestant = { name: 'sync no-op', kind: 'sync', run: (t) => t }
await runSlice(asyncNoop, fixtures[0]?.tokens ?? [], 50)
await runSlice(syncNoop, fixtures[0]?.tokens ?? [], 50)
const awaitUs =
  1e6 / opsPerSecond(await runSlice(asyncNoop, fixtures[0]?.tokens ?? [], 200)) -
  1e6 / opsPerSecond(await runSlice(syncNoop, fixtures[0]?.tokens ?? [], 200))

progress('warm-up ')
for (const s of suites) {
  for (const c of s.contestants) await runSlice(c, s.fixture.tokens, warmupMs)
}

const samples = new Map<string, number[]>()
const key = (alg: string, name: string): string => `${alg}/${name}`
for (let r = 0; r < rounds; r++) {
  progress(`| round ${r + 1}/${rounds} `)
  for (const s of rotate(suites, r)) {
    for (const c of rotate(s.contestants, r)) {
      const ops = opsPerSecond(await runSlice(c, s.fixture.tokens, sliceMs))
      const k = key(s.fixture.alg, c.name)
      samples.set(k, [...(samples.get(k) ?? []), ops])
    }
  }
}
progress('\n\n')

interface Row {
  readonly name: string
  readonly kind: 'sync' | 'async'
  readonly opsPerSec: number
  readonly usPerOp: number
  readonly ratioToCeiling: number
  /** Median over rounds of (this slice / the ceiling's slice of the same round). */
  readonly pairedRatio: number
  readonly noisePercent: number
  readonly samples: readonly number[]
}

const results = suites.map((s) => {
  const alg = s.fixture.alg
  const ceiling = samples.get(key(alg, 'ceiling')) ?? []
  const ceilingMedian = median(ceiling)
  const rows: Row[] = s.contestants.map((c) => {
    const xs = samples.get(key(alg, c.name)) ?? []
    const m = median(xs)
    return {
      name: c.name,
      kind: c.kind,
      opsPerSec: Math.round(m),
      usPerOp: 1e6 / m,
      ratioToCeiling: m / ceilingMedian,
      pairedRatio: median(xs.map((x, i) => x / (ceiling[i] ?? Number.NaN))),
      noisePercent: madPercent(xs),
      samples: xs.map(Math.round),
    }
  })
  return { alg, tokenBytes: s.fixture.tokens[0]?.length ?? 0, rows }
})

const target = 0.9
const tesseraRatios = results.map((r) => ({
  alg: r.alg,
  ratio: r.rows.find((row) => row.name === 'tessera')?.ratioToCeiling ?? 0,
}))
const missed = tesseraRatios.filter((t) => t.ratio < target)
const summary = `tessera/ceiling: ${tesseraRatios
  .map((t) => `${t.alg} ${t.ratio.toFixed(2)}×`)
  .join(', ')} — target ≥ ${target}× ${
  missed.length === 0 ? 'met for all' : `missed for ${missed.map((t) => t.alg).join(', ')}`
}`
const env = {
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  rounds,
  sliceMs,
  poolSize,
  awaitOverheadUs: awaitUs,
}

if (json) {
  console.log(JSON.stringify({ ...env, results, summary }, null, 2))
} else {
  console.log(`node ${env.node} · ${env.cpu} (${env.cores} cores)`)
  console.log(
    `${rounds} rounds × ${sliceMs} ms slices per contestant, rotated order, pool of ${poolSize} tokens per alg`,
  )
  console.log(
    `sequential loops; tessera and jose awaited per call (an awaited async no-op costs ${awaitUs.toFixed(2)} µs here)\n`,
  )
  for (const r of results) {
    console.log(`${r.alg} (token ${r.tokenBytes} bytes)`)
    console.log(
      table(
        ['contestant', 'ops/s', 'µs/op', '× ceiling', 'paired', '± noise'],
        r.rows.map((row) => [
          `${row.name}${row.kind === 'async' ? ' (await)' : ''}`,
          row.opsPerSec.toLocaleString('en-US'),
          row.usPerOp.toFixed(2),
          `${row.ratioToCeiling.toFixed(3)}×`,
          `${row.pairedRatio.toFixed(3)}×`,
          `${row.noisePercent.toFixed(1)}%`,
        ]),
      ),
    )
    console.log('')
  }
  console.log(summary)
}
