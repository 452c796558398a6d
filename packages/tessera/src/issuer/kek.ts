import { randomBytes } from 'node:crypto'
import { link, mkdir, open, unlink } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { quote, TesseraError } from '@tessera/verify'

/** Where a secret lives: never the secret itself (`env:NAME` or `file:PATH` in `tessera.yaml`). */
export type SecretRef =
  | { readonly kind: 'env'; readonly name: string }
  | { readonly kind: 'file'; readonly path: string }

/** Length of a key-encryption key, in bytes (AES-256). */
export const kekBytes = 32

// A key file holds one encoded key and a newline; anything much larger is the wrong file.
const maxKeyFileBytes = 1024
const envName = /^[A-Za-z_][A-Za-z0-9_]*$/
const configPath = '/issuer/keyEncryptionKey'

/**
 * Parses `env:NAME` or `file:PATH`; a relative PATH is resolved against `baseDir` (the data
 * directory). The text is not echoed back when it is neither form: it may be a pasted key.
 * @throws {TesseraError} `invalid_config` with the problem at `/issuer/keyEncryptionKey`
 */
export function parseSecretRef(text: string, baseDir: string): SecretRef {
  if (typeof text === 'string' && text.startsWith('env:')) {
    const name = text.slice(4)
    if (envName.test(name)) return Object.freeze({ kind: 'env', name })
    return refuseRef('env:NAME needs an environment variable name ([A-Za-z_][A-Za-z0-9_]*)')
  }
  if (typeof text === 'string' && text.startsWith('file:') && text.length > 5) {
    return Object.freeze({ kind: 'file', path: resolve(baseDir, text.slice(5)) })
  }
  return refuseRef('must be env:NAME or file:PATH: a reference to the key, never the key itself')
}

function refuseRef(message: string): never {
  throw new TesseraError({
    code: 'invalid_config',
    message: `keyEncryptionKey ${message}`,
    problems: [{ path: configPath, message }],
  })
}

function refuse(message: string, cause?: unknown): never {
  throw new TesseraError({
    code: 'invalid_config',
    message,
    problems: [{ path: configPath, message }],
    ...(cause === undefined ? {} : { cause }),
  })
}

const keyForms: readonly (readonly [RegExp, BufferEncoding])[] = [
  [/^[A-Za-z0-9_-]{43}$/, 'base64url'],
  [/^[A-Za-z0-9+/]{43}=$/, 'base64'],
  [/^[0-9a-fA-F]{64}$/, 'hex'],
]

/**
 * Decodes a key written as 43 base64url characters, 44 padded base64 characters (what
 * `openssl rand -base64 32` prints) or 64 hex digits, surrounding whitespace ignored.
 * Returns undefined for anything else; callers report only the length, never the text.
 */
export function decodeKek(text: string): Buffer | undefined {
  const t = text.trim()
  for (const [pattern, encoding] of keyForms) {
    if (!pattern.test(t)) continue
    const key = Buffer.from(t, encoding)
    // A non-canonical last character means a typo, not another spelling of the same key.
    const canonical = encoding === 'hex' ? t.toLowerCase() : t
    return key.length === kekBytes && key.toString(encoding) === canonical ? key : undefined
  }
  return undefined
}

const expectedForms = '43 base64url characters, 44 base64 characters or 64 hex digits'

/**
 * Loads the 32-byte key-encryption key. `env:NAME` reads the variable; `file:PATH` reads the
 * file, first creating it (mode 0600, 32 random bytes as base64url and a newline, written
 * atomically: a concurrent starter reads the same key) when it does not exist.
 * @throws {TesseraError} `invalid_config` when the variable is unset, the key has the wrong
 * length or encoding, the file is not a regular file, or its mode lets group or others in
 */
export async function loadKeyEncryptionKey(
  ref: SecretRef,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Buffer> {
  if (ref.kind === 'env') {
    const value = env[ref.name]
    if (value === undefined || value === '') {
      return refuse(`environment variable ${ref.name} named by keyEncryptionKey is not set`)
    }
    return (
      decodeKek(value) ??
      refuse(
        `environment variable ${ref.name} does not hold a ${kekBytes}-byte key: expected ${expectedForms}, got ${value.trim().length} characters`,
      )
    )
  }
  const existing = await readKeyFile(ref.path)
  if (existing !== undefined) return existing
  await createKeyFile(ref.path)
  return (
    (await readKeyFile(ref.path)) ??
    refuse(
      `key file ${quote(ref.path)} is absent and could not be created in its place (a dangling symbolic link?)`,
    )
  )
}

async function readKeyFile(path: string): Promise<Buffer | undefined> {
  let handle: Awaited<ReturnType<typeof open>>
  try {
    handle = await open(path, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    return refuse(
      `cannot read key file ${quote(path)}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      error,
    )
  }
  try {
    // fstat on the open handle: the file checked is the file read.
    const stat = await handle.stat()
    if (!stat.isFile()) return refuse(`key file ${quote(path)} is not a regular file`)
    // POSIX permissions only; Windows reports synthetic modes.
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0')
      return refuse(
        `key file ${quote(path)} has mode ${mode}, which lets group or others in: run chmod 600 on it (Kubernetes: defaultMode 0400)`,
      )
    }
    if (stat.size > maxKeyFileBytes) {
      return refuse(`key file ${quote(path)} is ${stat.size} bytes: expected ${expectedForms}`)
    }
    const text = (await handle.readFile()).toString('utf8')
    return (
      decodeKek(text) ??
      refuse(
        `key file ${quote(path)} does not hold a ${kekBytes}-byte key: expected ${expectedForms}, got ${text.trim().length} characters`,
      )
    )
  } finally {
    await handle.close()
  }
}

async function createKeyFile(path: string): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 })
    const handle = await open(temporary, 'wx', 0o600)
    try {
      await handle.writeFile(`${randomBytes(kekBytes).toString('base64url')}\n`)
      await handle.sync()
    } finally {
      await handle.close()
    }
    // link() fails with EEXIST instead of replacing: when two processes start at once, the
    // first key wins and both read it (rename would let the second overwrite the first).
    await link(temporary, path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error
    })
  } catch (error) {
    refuse(
      `cannot create key file ${quote(path)}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      error,
    )
  } finally {
    // Absent when creating it failed; otherwise linked or discarded, never left behind.
    await unlink(temporary).catch(() => undefined)
  }
}
