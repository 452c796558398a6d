import { lstat, mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import { quote, TesseraError } from '@tessera/verify'

/**
 * Makes sure only the agent (or root) can replace `file`, a token, in its directory: whoever can write a
 * directory can rename a file of their own over a token, whatever the token's mode. An absent
 * directory is created with mode 0700. Refused: a path that is not a directory (a symbolic
 * link is refused too, since its target is not what was checked), a directory group- or
 * world-writable without the sticky bit (with it, as in /tmp, only a file's owner may replace
 * it), or one owned by neither `uid` nor root.
 * @throws {TesseraError} `write_failed` naming the path, its mode and owner
 */
export async function checkTokenDirectory(
  file: string,
  uid: number | undefined = process.getuid?.(),
): Promise<void> {
  const dir = dirname(file)
  const refused = (why: string, cause?: unknown) => refusal(dir, file, why, cause)
  let stat = await lstat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw refused(`cannot be examined: ${error.code}`, error)
    return undefined
  })
  if (stat === undefined) {
    await mkdir(dir, { recursive: true, mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
      throw refused(`cannot be created: ${error.code}`, error)
    })
    stat = await lstat(dir)
  }
  const mode = `mode ${(stat.mode & 0o7777).toString(8).padStart(4, '0')}`
  const owner = `owner uid ${stat.uid}`
  if (!stat.isDirectory()) {
    const kind = stat.isSymbolicLink() ? 'a symbolic link, not a directory' : 'not a directory'
    throw refused(`is ${kind} (ENOTDIR; ${mode}, ${owner}); name the real directory`)
  }
  const sticky = (stat.mode & 0o1000) !== 0
  if ((stat.mode & 0o022) !== 0 && !sticky) {
    throw refused(
      `is writable by ${(stat.mode & 0o002) !== 0 ? 'everyone' : 'its group'} without the sticky bit (${mode}, ${owner}): another user could replace a token`,
    )
  }
  if (stat.uid !== 0 && uid !== undefined && stat.uid !== uid) {
    throw refused(
      `is owned by neither the agent's user (uid ${uid}) nor root (${mode}, ${owner}): its owner could replace a token`,
    )
  }
}

function refusal(dir: string, file: string, why: string, cause?: unknown): TesseraError {
  return new TesseraError({
    code: 'write_failed',
    check: 'agent',
    message: `the directory ${quote(dir)} of the token file ${quote(file)} ${why}`,
    expected: 'a directory owned by the agent or root, not writable by others (or sticky)',
    actual: why,
    ...(cause === undefined ? {} : { cause }),
  })
}
