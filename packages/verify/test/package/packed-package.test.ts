// Packs @tessera/verify as it would be published, installs the tarball into an empty folder
// and uses it as a consumer would, without the repository's source condition: a missing file,
// an undeclared runtime import or a test file in the package fails here, before a release.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { generateTestKey, jwksOf, signJwt } from '../support/token-factory.ts'

const packageDir = fileURLToPath(new URL('../..', import.meta.url))
const tsc = fileURLToPath(new URL('../../../../node_modules/.bin/tsc', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'tessera-dist-'))
let files: string[] = []

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
