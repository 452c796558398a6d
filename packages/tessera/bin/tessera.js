#!/usr/bin/env node
// Runs the TypeScript CLI on Node >= 22.18 (type stripping). When started by an older system
// Node, re-executes itself with the Node 24 binary the repository pins as a dev dependency.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const [major, minor] = process.versions.node.split('.').map(Number)
const here = dirname(fileURLToPath(import.meta.url))
const supported = major > 22 || (major === 22 && minor >= 18)
const hasCondition = process.execArgv.some((a) => a.includes('tessera-source'))

if (supported && hasCondition) {
  // A reader that stops early (`tessera doctor cloud | head`) closes the pipe: stop quietly,
  // as other command-line tools do, instead of dying on an unhandled EPIPE.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
      throw error
    })
  }
  const { runCli } = await import(pathToFileURL(join(here, '../src/cli/main.ts')).href)
  process.exitCode = await runCli(process.argv.slice(2))
} else {
  let node = process.execPath
  if (!supported) {
    let dir = here
    for (;;) {
      const candidate = join(dir, 'node_modules', '.bin', 'node')
      if (existsSync(candidate)) {
        node = candidate
        break
      }
      const parent = dirname(dir)
      if (parent === dir) {
        process.stderr.write(`tessera needs Node.js >= 22.18; this is ${process.version}\n`)
        process.exit(2)
      }
      dir = parent
    }
  }
  const result = spawnSync(
    node,
    ['--conditions=tessera-source', fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  )
  process.exit(result.status ?? 2)
}
