// Writes every generated document (see generated-docs.ts).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generatedDocs } from './generated-docs.ts'

const root = new URL('..', import.meta.url).pathname
for (const [path, text] of generatedDocs()) {
  writeFileSync(join(root, path), text)
  console.log(`wrote ${path}`)
}
