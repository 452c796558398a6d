import { readBoundedFileSync } from '../config/read-bounded-file.ts'
import { usageError } from './usage-error.ts'

/** Largest file or stdin read as a token or key set (bytes). */
export const maxInputBytes = 1024 * 1024

/**
 * Reads a file the command line names, refusing devices and anything over `maxBytes` before
 * reading more than the cap (so `@/dev/zero` or a huge file fails at once).
 * @throws {TesseraError} `invalid_options` naming the file, and the errno code or the cap
 */
export function readBoundedInput(
  path: string,
  what: string,
  maxBytes = maxInputBytes,
  problemPath = '',
): Buffer {
  const read = readBoundedFileSync(path, maxBytes)
  if ('bytes' in read) return read.bytes
  const file = `${what} file ${JSON.stringify(path)}`
  if (read.tooLarge === true)
    throw usageError(`${file} is larger than ${maxBytes} bytes`, problemPath)
  throw usageError(`cannot read ${file}: ${read.errno ?? read.problem}`, problemPath)
}

/** Reads a file with a size cap, as UTF-8; a usage error names the file on failure. */
export function readTextFile(path: string, what: string): string {
  return readBoundedInput(path, what).toString('utf8')
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
