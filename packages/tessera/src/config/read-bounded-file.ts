import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs'
import { open } from 'node:fs/promises'

/** Largest file config reads: tessera.yaml, a JWKS file, a TLS certificate or key (1 MiB). */
export const maxConfigFileBytes = 1_048_576

/**
 * What reading a file gave: its bytes, or a message saying why not, with the errno code when
 * the system refused (for callers that print it) and `tooLarge` when the cap refused.
 */
export type ReadResult =
  | { readonly bytes: Buffer }
  | { readonly problem: string; readonly errno?: string; readonly tooLarge?: true }

const reasons: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ELOOP: 'too many symbolic links',
  ENOTDIR: 'a parent is not a directory',
}

function failure(error: unknown): ReadResult {
  const code = (error as { code?: unknown }).code
  if (typeof code !== 'string') return { problem: String(error) }
  return { problem: reasons[code] ?? code, errno: code }
}

function tooLarge(size: number, maxBytes: number): ReadResult {
  return { problem: `it is ${size} bytes, more than the limit of ${maxBytes}`, tooLarge: true }
}

/**
 * Refuses what is neither a regular file nor a pipe: a directory, and devices such as
 * /dev/zero or /dev/urandom that never end. A pipe (`<(command)`) is read up to the cap.
 */
function notAFile(stat: Stats, maxBytes: number): ReadResult | undefined {
  if (stat.isFile() || stat.isFIFO()) return undefined
  if (stat.isDirectory()) return { problem: reasons.EISDIR as string, errno: 'EISDIR' }
  const kind = stat.isCharacterDevice()
    ? 'a character device'
    : stat.isBlockDevice()
      ? 'a block device'
      : 'a socket'
  return { problem: `it is ${kind}, not a regular file of at most ${maxBytes} bytes` }
}

/**
 * Reads at most `maxBytes` of a file synchronously (used while compiling, which is
 * synchronous so that `parseConfig` can be). A larger file is refused without reading it all,
 * so a config cannot make Tessera load an arbitrarily large file.
 */
export function readBoundedFileSync(path: string, maxBytes = maxConfigFileBytes): ReadResult {
  let fd: number | undefined
  try {
    fd = openSync(path, 'r')
    const stat = fstatSync(fd)
    const refused = notAFile(stat, maxBytes)
    if (refused !== undefined) return refused
    if (stat.size > maxBytes) return tooLarge(stat.size, maxBytes)
    // One byte more than allowed tells a file that grew since fstat from one that did not.
    const buffer = Buffer.alloc(maxBytes + 1)
    let length = 0
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null)
      if (read === 0) break
      length += read
      if (length > maxBytes) return tooLarge(length, maxBytes)
    }
    return { bytes: buffer.subarray(0, length) }
  } catch (error) {
    return failure(error)
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/** The asynchronous form of `readBoundedFileSync`, for the configuration file itself. */
export async function readBoundedFile(
  path: string,
  maxBytes = maxConfigFileBytes,
): Promise<ReadResult> {
  let handle: Awaited<ReturnType<typeof open>> | undefined
  try {
    handle = await open(path, 'r')
    const stat = await handle.stat()
    const refused = notAFile(stat, maxBytes)
    if (refused !== undefined) return refused
    if (stat.size > maxBytes) return tooLarge(stat.size, maxBytes)
    const buffer = Buffer.alloc(maxBytes + 1)
    let length = 0
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null)
      if (bytesRead === 0) break
      length += bytesRead
      if (length > maxBytes) return tooLarge(length, maxBytes)
    }
    return { bytes: buffer.subarray(0, length) }
  } catch (error) {
    return failure(error)
  } finally {
    await handle?.close()
  }
}
