// Real cloud SDKs judge the expirations Tessera hands them on the wall clock, not on the clock
// a test injects. A test that runs Tessera at a fixed epoch against such an SDK passes only
// while that epoch is in the future, and then fails everywhere at once. So every SDK test
// anchors its world's clock at the current second (the clock then moves only when the test
// moves it); route tests without an SDK keep their fixed, deterministic epoch.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join, relative } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

/** `x.sdk.test.ts`, `x-sdk.test.ts`, `sdk.e2e.test.ts`, …: the tests that drive a real SDK. */
const sdkTestName = /(?:^|[.-])sdk[.-].*test\.ts$/

/**
 * SDK tests whose world cannot take `startAt` yet, each with why. An entry fails this test once
 * its file passes `startAt` (or is gone), so the list only shrinks.
 */
const pending: Readonly<Record<string, string>> = {}

function* sdkTests(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures') continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield* sdkTests(path)
    else if (sdkTestName.test(name)) yield path
  }
}

/** Ten-digit epoch-second literals (1_800_000_000, 1800000000, …) in `source`. */
function fixedEpochs(source: string): string[] {
  return source.match(/\b1(?:_?\d{3}){3}\b/g) ?? []
}

/** The `create…World(…)` calls in `source` whose arguments do not set `startAt`. */
function unanchoredWorlds(source: string): string[] {
  const found: string[] = []
  for (const match of source.matchAll(/\bcreate\w*World\(/g)) {
    // The call's argument text, up to its balancing parenthesis.
    let depth = 1
    let end = match.index + match[0].length
    while (end < source.length && depth > 0) {
      if (source[end] === '(') depth++
      else if (source[end] === ')') depth--
      end++
    }
    const call = source.slice(match.index, end)
    if (!/\bstartAt\b/.test(call)) found.push(call.replace(/\s+/g, ' '))
  }
  return found
}

describe('SDK tests run Tessera on a clock anchored at the wall clock', () => {
  const files = [...sdkTests(join(root, 'packages'))].map((f) => relative(root, f))

  it('finds the SDK tests', () => {
    const names = files.map((f) => basename(f))
    for (const name of ['aws-sts.sdk.test.ts', 'entra-sdk.test.ts', 'sdk.e2e.test.ts']) {
      assert.ok(names.includes(name), `${name} not found among ${names.join(', ')}`)
    }
  })

  it('no SDK test names a fixed epoch', () => {
    const offenders = files
      .map((file) => [file, fixedEpochs(readFileSync(join(root, file), 'utf8'))] as const)
      .filter(([, epochs]) => epochs.length > 0)
      .map(([file, epochs]) => `${file}: ${epochs.join(', ')}`)
    assert.deepEqual(offenders, [], 'start the clock at Math.floor(Date.now() / 1000) instead')
  })

  it('every world an SDK test creates is given startAt (pending ones listed with a reason)', () => {
    const offenders = files
      .filter((file) => pending[file] === undefined)
      .flatMap((file) =>
        unanchoredWorlds(readFileSync(join(root, file), 'utf8')).map((call) => `${file}: ${call}`),
      )
    assert.deepEqual(offenders, [], 'pass startAt: Math.floor(Date.now() / 1000)')
    const resolved = Object.keys(pending).filter(
      (file) =>
        !files.includes(file) ||
        unanchoredWorlds(readFileSync(join(root, file), 'utf8')).length === 0,
    )
    assert.deepEqual(resolved, [], 'remove these from `pending`: they no longer need it')
  })

  it('the detectors see what they look for', () => {
    assert.deepEqual(fixedEpochs('let now = 1_800_000_000; const t = 1800000000 + 5'), [
      '1_800_000_000',
      '1800000000',
    ])
    assert.deepEqual(fixedEpochs("const accountId = '123456789012'; const ms = 16384"), [])
    assert.deepEqual(
      unanchoredWorlds(
        'await createServerWorld({ clouds: f(x) })\nawait createEntraWorld({ tls: true, startAt: s })',
      ),
      ['createServerWorld({ clouds: f(x) })'],
    )
    assert.deepEqual(unanchoredWorlds('createGoogleStsWorld()'), ['createGoogleStsWorld()'])
  })
})
