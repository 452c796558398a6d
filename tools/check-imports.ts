// Fails when an import runs against the dependency direction of DESIGN.md / CONVENTIONS.md §4.3,
// naming the file, the import and the rule. Run by `npm test` (npm run check).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** For each part: the parts it may import. Parts are `<package>/<folder under src>`. */
export const rules: Readonly<Record<string, readonly string[]>> = {
  'verify/explain': [],
  'verify/token': ['verify/explain'],
  'verify/keys': ['verify/explain', 'verify/token'],
  'verify/checks': ['verify/explain', 'verify/token', 'verify/keys'],
  'verify/replay': ['verify/explain', 'verify/token'],
  'verify/dpop': ['verify/explain', 'verify/token', 'verify/keys', 'verify/replay'],
  'verify/binding': ['verify/explain', 'verify/token', 'verify/keys'],
  'verify/authorize': ['verify/explain', 'verify/token'],
  'verify/verifier': [
    'verify/explain',
    'verify/token',
    'verify/keys',
    'verify/checks',
    'verify/replay',
    'verify/dpop',
    'verify/binding',
    'verify/authorize',
  ],
  'verify/client': ['verify/explain', 'verify/token', 'verify/keys', 'verify/dpop'],
  'verify/adapters': [
    'verify/verifier',
    'verify/dpop',
    'verify/binding',
    'verify/authorize',
    'verify/explain',
    'verify/token',
    'verify/client',
  ],
  'verify/index.ts': ['*'],
  'tessera/saml': ['@tessera/verify'],
  'tessera/policy': ['@tessera/verify'],
  'tessera/issuer': ['@tessera/verify'],
  'tessera/watch': ['@tessera/verify'],
  'tessera/cloud': ['@tessera/verify'],
  'tessera/agent': ['@tessera/verify'],
  'tessera/sts': ['tessera/policy', 'tessera/issuer', 'tessera/saml', '@tessera/verify'],
  'tessera/store': ['*'],
  'tessera/config': ['*'],
  'tessera/telemetry': ['*'],
  'tessera/server': ['*'],
  'tessera/cli': ['*'],
  'tessera/app.ts': ['*'],
}

/** The optional peer dependencies `verify/adapters` may import (types or runtime). */
const adapterPeers = ['fastify', 'express', '@grpc/grpc-js']

const importPattern =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g

function partOf(file: string): string | undefined {
  const rel = relative(join(root, 'packages'), file).split(sep)
  if (rel.length < 3 || rel[1] !== 'src') return undefined
  return `${rel[0]}/${rel[2]}`
}

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield* sourceFiles(path)
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts'))
      yield path
  }
}

/** Checks every source file and returns one message per violation. */
export function checkImports(): string[] {
  const problems: string[] = []
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const src = join(root, 'packages', pkg, 'src')
    for (const file of sourceFiles(src)) {
      const part = partOf(file) as string
      const allowed = rules[part]
      const shown = relative(root, file)
      if (allowed === undefined) {
        problems.push(`${shown} is in ${part}, which is not a part in tools/check-imports.ts`)
        continue
      }
      const text = readFileSync(file, 'utf8')
      for (const match of text.matchAll(importPattern)) {
        const spec = (match[1] ?? match[2]) as string
        const problem = judge(pkg, part, file, spec, allowed)
        if (problem) problems.push(`${shown} imports ${spec}: ${problem}`)
      }
    }
  }
  return problems
}

function judge(
  pkg: string,
  part: string,
  file: string,
  spec: string,
  allowed: readonly string[],
): string | undefined {
  if (spec.startsWith('node:')) return undefined
  if (!spec.startsWith('.')) {
    if (pkg === 'verify') {
      // Adapters are subpath exports whose frameworks are optional peer dependencies.
      if (
        part === 'verify/adapters' &&
        adapterPeers.some((p) => spec === p || spec.startsWith(`${p}/`))
      )
        return undefined
      return '@tessera/verify has no runtime dependency: only node: built-ins may be imported'
    }
    if (spec === '@tessera/verify' || spec.startsWith('@tessera/verify/')) {
      return allowed.includes('*') || allowed.includes('@tessera/verify')
        ? undefined
        : `${part} may not import @tessera/verify`
    }
    return undefined
  }
  const target = resolve(dirname(file), spec)
  if (!target.startsWith(join(root, 'packages', pkg, 'src'))) {
    return `${part} reaches outside its package's src/ (tests and other packages are never imported by source)`
  }
  const targetPart = partOf(target)
  if (targetPart === undefined || targetPart === part) return undefined
  if (pkg === 'tessera' && !target.endsWith(`${sep}index.ts`) && !allowed.includes('*')) {
    return `another part is imported only through its index.ts`
  }
  if (allowed.includes('*') || allowed.includes(targetPart)) return undefined
  return `${part} may import only ${allowed.length ? allowed.join(', ') : 'nothing inside the repository'}`
}

if (import.meta.main) {
  const problems = checkImports()
  for (const p of problems) console.error(p)
  if (problems.length > 0) process.exit(1)
  console.log('imports: every import runs in the allowed direction')
}
