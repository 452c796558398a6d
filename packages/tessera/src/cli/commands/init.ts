import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { quote } from '@tessera/verify'
import { initTemplate } from '../../config/index.ts'
import { exitCodes } from '../exit-codes.ts'
import { defaultConfigPath } from '../open-store.ts'
import type { Output } from '../output/stream.ts'
import { usageError } from '../usage-error.ts'

export const initUsage = `usage: tessera init [--output FILE] [--force]

Writes a commented starting configuration (default ${defaultConfigPath}). An existing file is
kept unless --force is given.`

/** Writes `initTemplate()` to the output file, refusing to overwrite without `--force`. */
export async function runInit(argv: readonly string[], output: Output): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      output: { type: 'string', short: 'o' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    output.out(initUsage)
    return exitCodes.ok
  }
  const path = values.output ?? defaultConfigPath
  try {
    // 'wx' fails when the file exists, in the same system call that creates it: no window
    // between a check and the write in which another file could appear.
    writeFileSync(path, initTemplate(), { flag: values.force ? 'w' : 'wx', mode: 0o644 })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST')
      throw usageError(`${quote(path)} exists: pass --force to overwrite it`, 'output')
    throw usageError(`cannot write ${quote(path)}: ${code ?? 'error'}`, 'output')
  }
  output.out(`wrote ${path}`)
  output.out(`start the server with: tessera up --config ${path}`)
  return exitCodes.ok
}
