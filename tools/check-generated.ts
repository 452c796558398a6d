// Fails when a generated document differs from what the code generates today.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { generatedDocs } from './generated-docs.ts'

const root = new URL('..', import.meta.url).pathname

/** Returns the stale documents' paths. */
export function staleDocs(): string[] {
  const stale: string[] = []
  for (const [path, text] of generatedDocs()) {
    let current = ''
    try {
      current = readFileSync(join(root, path), 'utf8')
    } catch {
      // a missing document is stale
    }
    if (current !== text) stale.push(path)
  }
  return stale
}

if (import.meta.main) {
  const stale = staleDocs()
  for (const path of stale)
    console.error(`${path} is out of date with the code: run npm run generate`)
  if (stale.length > 0) process.exit(1)
  console.log('generated docs: in sync')
}
