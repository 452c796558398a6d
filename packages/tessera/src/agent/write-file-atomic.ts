import { randomBytes } from 'node:crypto'
import { type FileHandle, open, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { quote, TesseraError } from '@tessera/verify'

/** Options of `writeFileAtomic`. */
export interface WriteFileAtomicOptions {
  /** Permission bits of the file (default 0o600: a token is a credential). */
  readonly mode?: number
  /** Owner to give the file (needs the privilege to chown); both or neither. */
  readonly uid?: number
  readonly gid?: number
}

/**
 * Replaces `path` with `data` so that a reader sees either the old or the new content, never
 * a part: a temporary file in the same directory (created exclusively, mode `mode`, owner set
 * before any byte is visible under the final name), fsync, rename over `path`, fsync of the
 * directory so the rename survives a crash. On failure the temporary file is removed and the
 * old file is left as it was.
 * @throws {TesseraError} `write_failed` naming the path and the errno code
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const mode = options.mode ?? 0o600
  const dir = dirname(path)
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  let handle: FileHandle | undefined
  let created = false
  let step = 'create a temporary file in'
  try {
    handle = await open(temp, 'wx', mode)
    created = true
    step = 'write'
    // open()'s mode is filtered by the umask; the file must have exactly `mode`.
    await handle.chmod(mode)
    if (options.uid !== undefined && options.gid !== undefined) {
      step = 'chown'
      await handle.chown(options.uid, options.gid)
    }
    step = 'write'
    await handle.writeFile(data)
    await handle.sync()
    await handle.close()
    handle = undefined
    step = 'rename a temporary file over'
    await rename(temp, path)
    created = false
  } catch (error) {
    await handle?.close().catch(() => undefined)
    if (created) await unlink(temp).catch(() => undefined)
    throw writeFailed(path, step, error)
  }
  await syncDirectory(dir)
}

// Best effort: some filesystems refuse fsync on a directory (EINVAL); the data is already in
// place and the rename is atomic either way.
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined)
  if (handle === undefined) return
  await handle.sync().catch(() => undefined)
  await handle.close().catch(() => undefined)
}

function writeFailed(path: string, step: string, error: unknown): TesseraError {
  const errno = (error as NodeJS.ErrnoException | null)?.code ?? 'unknown error'
  const where =
    step === 'create a temporary file in' ? `the directory of ${quote(path)}` : quote(path)
  return new TesseraError({
    code: 'write_failed',
    message: `cannot ${step} ${where}: ${errno}`,
    expected: `a writable directory ${quote(dirname(path))}`,
    actual: errno,
    cause: error,
  })
}
