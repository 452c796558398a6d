/**
 * `npm run bench`: the verification, exchange, adapter and SAML benches, one after the other
 * (never at the same time: each needs the machine to itself). Arguments are passed to each;
 * with `--json` their outputs are combined into one JSON object
 * `{ verify, exchange, adapters, saml }` on stdout.
 *
 *   npm run bench
 *   npm run bench -- --json
 */
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const args = process.argv.slice(2)
const json = args.includes('--json')
const benches = [
  ['verify', 'verify.bench.ts'],
  ['exchange', 'exchange.bench.ts'],
  ['adapters', 'adapters.bench.ts'],
  ['saml', 'saml.bench.ts'],
] as const

function run(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=tessera-source', join(here, file), ...args],
      { stdio: ['ignore', json ? 'pipe' : 'inherit', 'inherit'] },
    )
    let out = ''
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
    })
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${file} exited with ${code}`)),
    )
  })
}

const results: Record<string, unknown> = {}
for (const [name, file] of benches) {
  if (!json) console.log(`\n== ${name} (bench/${file})\n`)
  const out = await run(file)
  if (json) results[name] = JSON.parse(out)
}
if (json) console.log(JSON.stringify(results, null, 2))
