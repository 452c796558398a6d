import { readFileSync } from 'node:fs'
import { usageError } from './usage-error.ts'

/** Largest file or stdin read as a token or key set (bytes). */
export const maxInputBytes = 1024 * 1024

/** Reads a file with a size cap, as UTF-8; a usage error names the file on failure. */
export function readTextFile(path: string, what: string): string {
  let data: Buffer
  try {
    data = readFileSync(path)
  } catch (error) {
    throw usageError(
      `cannot read ${what} file ${JSON.stringify(path)}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    )
  }
  if (data.length > maxInputBytes)
    throw usageError(`${what} file ${JSON.stringify(path)} is larger than ${maxInputBytes} bytes`)
  return data.toString('utf8')
}

/** Reads all of stdin with the same cap. */
export async function readStdin(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    size += buf.length
    if (size > maxInputBytes)
      throw usageError(`standard input is larger than ${maxInputBytes} bytes`)
    chunks.push(buf)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * Resolves the `<TOKEN | @FILE | ->` argument. A token read from a file or stdin loses one
 * trailing newline (editors and `echo` add it); anything else is kept, so the verifier can
 * still explain stray whitespace.
 */
export async function readTokenArgument(
  arg: string | undefined,
  stdin?: NodeJS.ReadableStream,
): Promise<string> {
  if (arg === undefined || arg === '')
    throw usageError('missing token: pass TOKEN, @FILE or - for standard input', 'token')
  if (arg === '-') return stripOneNewline(await readStdin(stdin))
  if (arg.startsWith('@')) return stripOneNewline(readTextFile(arg.slice(1), 'token'))
  return arg
}

function stripOneNewline(text: string): string {
  return text.replace(/\r?\n$/, '')
}
