import { constants } from 'node:fs'
import { type FileHandle, open } from 'node:fs/promises'

/**
 * What reading a file gave: its bytes; the errno code when the system refused; or a message
 * (naming the cap) when the file is not a regular file or is larger than the cap.
 */
export type BoundedRead =
  | { readonly bytes: Buffer }
  | { readonly errno: string }
  | { readonly refused: string }

/**
 * Reads at most `maxBytes` of a regular file. The agent's part may import only
 * `@tessera/verify`, so it keeps this small reader instead of the config's: it refuses a
 * device (`/dev/zero` never ends), a pipe or a socket before reading, and a file over the cap
 * without reading more than one byte past it. Opened non-blocking so that a FIFO cannot hang
 * the open itself (regular files ignore the flag).
 */
export async function readBoundedFile(path: string, maxBytes: number): Promise<BoundedRead> {
  let handle: FileHandle | undefined
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
    const stat = await handle.stat()
    if (stat.isDirectory()) return { errno: 'EISDIR' }
    if (!stat.isFile())
      return { refused: `it is not a regular file of at most ${maxBytes} bytes (a device or pipe)` }
    if (stat.size > maxBytes) return tooLarge(stat.size, maxBytes)
    // One byte more than allowed tells a file that grew since fstat from one that did not.
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
    return { errno: (error as NodeJS.ErrnoException).code ?? 'unknown error' }
  } finally {
    await handle?.close()
  }
}

function tooLarge(size: number, maxBytes: number): BoundedRead {
  return { refused: `it is ${size} bytes, more than the limit of ${maxBytes}` }
}
