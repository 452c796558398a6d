// Packs @tessera/verify as it would be published, installs the tarball into an empty folder
// and uses it as a consumer would, without the repository's source condition: a missing file,
// an undeclared runtime import or a test file in the package fails here, before a release.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { generateTestKey, jwksOf, signJwt } from '../support/token-factory.ts'

const packageDir = fileURLToPath(new URL('../..', import.meta.url))
const repoModules = fileURLToPath(new URL('../../../../node_modules/', import.meta.url))
const tsc = fileURLToPath(new URL('../../../../node_modules/.bin/tsc', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'tessera-dist-'))
let files: string[] = []
/** What `npm install <tarball>` put into the consumer's node_modules, before peers were linked. */
let installed: string[] = []
const subpaths = ['fastify', 'express', 'grpc', 'redis', 'client'] as const
const peers = ['fastify', 'express', '@grpc/grpc-js'] as const

before(() => {
  rmSync(join(packageDir, 'dist'), { recursive: true, force: true })
  execFileSync(tsc, ['-p', join(packageDir, 'tsconfig.build.json')], { stdio: 'pipe' })
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: packageDir,
      encoding: 'utf8',
    }),
  ) as { filename: string; files: { path: string }[] }[]
  files = (packed[0]?.files ?? []).map((f) => f.path)
  const consumer = join(work, 'consumer')
  execFileSync('mkdir', ['-p', consumer])
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  )
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz')) as string
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', join(work, tarball)], {
    cwd: consumer,
    stdio: 'pipe',
  })
  const modules = join(consumer, 'node_modules')
  installed = readdirSync(modules).flatMap((name) =>
    name.startsWith('@') ? readdirSync(join(modules, name)).map((n) => `${name}/${n}`) : [name],
  )
  // The optional peers, linked (not installed) from the repository: Node resolves a link to its
  // real path, so each peer finds its own dependencies there. ESM ignores NODE_PATH.
  mkdirSync(join(modules, '@grpc'), { recursive: true })
  for (const peer of peers) symlinkSync(join(repoModules, peer), join(modules, peer), 'dir')
})

after(() => {
  rmSync(work, { recursive: true, force: true })
  rmSync(join(packageDir, 'dist'), { recursive: true, force: true })
})

describe('the packed @tessera/verify', () => {
  it('ships compiled JavaScript and declarations only, no sources or tests', () => {
    assert.ok(files.includes('dist/index.js'))
    assert.ok(files.includes('dist/index.d.ts'))
    assert.ok(files.includes('package.json'))
    assert.deepEqual(
      files.filter((f) => f.includes('.test.') || f.startsWith('src/') || f.startsWith('test')),
      [],
    )
  })

  it('verifies a token when imported by a consumer without the source condition', () => {
    const key = generateTestKey('ES256')
    const now = 1_800_000_000
    const token = signJwt(key, {
      iss: 'https://idp.example.com',
      aud: 'https://api.example.com',
      exp: now + 60,
      iat: now,
    })
    const script = `
      import { createVerifier, TesseraError } from '@tessera/verify'
      const v = createVerifier({ issuers: [{ issuer: 'https://idp.example.com', jwks: ${JSON.stringify(jwksOf(key))} }],
        audience: 'https://api.example.com', clock: () => ${now} })
      const ok = await v.verify(${JSON.stringify(token)})
      let code
      try { await v.verify(${JSON.stringify(token)}.slice(0, -4) + 'AAAA') } catch (e) { code = e instanceof TesseraError && e.code }
      console.log(JSON.stringify({ iss: ok.issuer, code }))`
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: join(work, 'consumer'),
      encoding: 'utf8',
    })
    assert.deepEqual(JSON.parse(out), { iss: 'https://idp.example.com', code: 'bad_signature' })
  })
})

describe('the packed subpath exports', () => {
  it('has no runtime dependency: installing it brings nothing else', () => {
    const manifest = JSON.parse(
      readFileSync(
        join(work, 'consumer', 'node_modules', '@tessera', 'verify', 'package.json'),
        'utf8',
      ),
    ) as Record<string, unknown>
    assert.equal(manifest.dependencies, undefined)
    assert.equal(manifest.optionalDependencies, undefined)
    assert.deepEqual(Object.keys(manifest.peerDependencies as object).sort(), [...peers].sort())
    assert.deepEqual(
      installed.filter((name) => !name.startsWith('.')),
      ['@tessera/verify'],
    )
  })

  for (const subpath of subpaths) {
    it(`imports @tessera/verify/${subpath} from dist with the same names as the source`, async () => {
      const script = `
        const m = await import('@tessera/verify/${subpath}')
        const url = import.meta.resolve('@tessera/verify/${subpath}')
        console.log(JSON.stringify({ url, names: Object.keys(m).sort() }))`
      const out = JSON.parse(
        execFileSync(process.execPath, ['--input-type=module', '-e', script], {
          cwd: join(work, 'consumer'),
          encoding: 'utf8',
        }),
      ) as { url: string; names: string[] }
      assert.match(out.url, /\/node_modules\/@tessera\/verify\/dist\/.+\.js$/)
      // This test process runs with the source condition: the same names from src/.
      const source = Object.keys(await import(`@tessera/verify/${subpath}`)).sort()
      assert.deepEqual(out.names, source)
      const expected = {
        fastify: ['tesseraAuth'],
        express: ['tesseraMiddleware'],
        grpc: ['tesseraServerInterceptor', 'tesseraCallCredentials', 'encodeStatusDetails'],
        redis: ['createRedisReplayStore'],
        client: ['createTokenSource', 'withTokens', 'tesseraExchangeFetcher', 'createDpopProof'],
      }[subpath]
      for (const name of expected) assert.ok(out.names.includes(name), `${subpath} exports ${name}`)
    })
  }
})
