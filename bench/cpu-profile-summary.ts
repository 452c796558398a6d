/**
 * Where the time went in a V8 CPU profile (`node --cpu-prof`, e.g. from
 * `bench/exchange.bench.ts --profile DIR --only tessera`): self time per function and per area
 * (Tessera's parts, @tessera/verify, Fastify, pino, node:sqlite, GC, idle), and inclusive time
 * of the functions that matter for the exchange path.
 *
 *   node bench/cpu-profile-summary.ts DIR/CPU.*.cpuprofile [--top 30] [--json]
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
}
interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
  readonly children?: readonly number[]
}
interface Profile {
  readonly nodes: readonly ProfileNode[]
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' }, json: { type: 'boolean', default: false } },
})
const file = positionals[0]
if (file === undefined) throw new Error('usage: cpu-profile-summary.ts FILE.cpuprofile')
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile

const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)

// Self time per node, in microseconds (timeDeltas[i] is the time before sample i).
const selfUs = new Map<number, number>()
let totalUs = 0
for (const [i, id] of profile.samples.entries()) {
  const dt = profile.timeDeltas[i + 1] ?? 0
  selfUs.set(id, (selfUs.get(id) ?? 0) + dt)
  totalUs += dt
}

function shortUrl(url: string): string {
  const i = url.indexOf('/packages/')
  if (i >= 0) return url.slice(i + 1)
  const m = url.indexOf('/node_modules/')
  if (m >= 0) return url.slice(m + '/node_modules/'.length)
  return url.replace(/^file:\/\//, '')
}

function label(frame: CallFrame): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName
  return frame.url === '' ? name : `${name} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`
}

function area(frame: CallFrame): string {
  const { url, functionName } = frame
  if (url === '') {
    if (functionName === '(idle)') return 'idle'
    if (functionName === '(garbage collector)') return 'GC'
    if (functionName === '(program)') return 'V8/native (program)'
    return `native: ${functionName}`
  }
  const tessera = /packages\/tessera\/src\/([^/]+)/.exec(url)
  if (tessera !== null) return `tessera/${tessera[1]}`
  if (url.includes('packages/verify/src')) return '@tessera/verify'
  const mod = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (mod !== null) return mod[1] as string
  if (url.startsWith('node:')) return `node: ${url.slice(5).split('/')[0]}`
  return shortUrl(url)
}

// Self time by function and by area.
const byFunction = new Map<string, number>()
const byArea = new Map<string, number>()
for (const [id, us] of selfUs) {
  const frame = (byId.get(id) as ProfileNode).callFrame
  byFunction.set(label(frame), (byFunction.get(label(frame)) ?? 0) + us)
  byArea.set(area(frame), (byArea.get(area(frame)) ?? 0) + us)
}

// Inclusive time of each function (a frame counted once per sample even when recursive).
const inclusive = new Map<string, number>()
for (const [i, id] of profile.samples.entries()) {
  const dt = profile.timeDeltas[i + 1] ?? 0
  const seen = new Set<string>()
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const l = label((byId.get(n) as ProfileNode).callFrame)
    if (seen.has(l)) continue
    seen.add(l)
    inclusive.set(l, (inclusive.get(l) ?? 0) + dt)
  }
}

const top = Number(values.top)
const share = (us: number) => (100 * us) / totalUs
const busyUs = totalUs - (byArea.get('idle') ?? 0)
const rows = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n)

if (values.json) {
  const out = (m: Map<string, number>, n: number) =>
    rows(m, n).map(([name, us]) => ({
      name,
      ms: Math.round(us / 1000),
      percent: +share(us).toFixed(1),
    }))
  console.log(
    JSON.stringify(
      {
        totalMs: Math.round(totalUs / 1000),
        busyMs: Math.round(busyUs / 1000),
        areas: out(byArea, 50),
        selfTop: out(byFunction, top),
        inclusiveTop: out(inclusive, top),
      },
      null,
      2,
    ),
  )
} else {
  const line = ([name, us]: [string, number]) =>
    `${share(us).toFixed(1).padStart(6)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`
  console.log(
    `total ${(totalUs / 1000).toFixed(0)} ms, busy ${(busyUs / 1000).toFixed(0)} ms (${share(busyUs).toFixed(1)}%)\n`,
  )
  console.log('self time by area')
  for (const r of rows(byArea, 40)) console.log(line(r))
  console.log(`\nself time, top ${top} functions`)
  for (const r of rows(byFunction, top)) console.log(line(r))
  console.log(`\ninclusive time, top ${top} functions`)
  for (const r of rows(inclusive, top)) console.log(line(r))
}
