import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it, type TestContext } from 'node:test'
import { TesseraError } from '@tessera/verify'
import { decodeKek, loadKeyEncryptionKey, parseSecretRef } from './kek.ts'

const posix = process.platform !== 'win32'

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-kek-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** Awaits a rejection and returns the TesseraError. */
async function refusal(promise: Promise<unknown>): Promise<TesseraError> {
  try {
    await promise
  } catch (error) {
    assert.ok(error instanceof TesseraError, String(error))
    return error
  }
  assert.fail('expected a TesseraError')
}

function thrown(fn: () => unknown): TesseraError {
  try {
    fn()
  } catch (error) {
    assert.ok(error instanceof TesseraError, String(error))
    return error
  }
  assert.fail('expected a TesseraError')
}

const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i))

describe('parseSecretRef', () => {
  it('parses env:NAME', () => {
    assert.deepEqual(parseSecretRef('env:TESSERA_KEK', '/data'), {
      kind: 'env',
      name: 'TESSERA_KEK',
    })
  })

  it('resolves a relative file:PATH against the base directory and keeps an absolute one', () => {
    assert.deepEqual(parseSecretRef('file:kek', '/data'), { kind: 'file', path: '/data/kek' })
    assert.deepEqual(parseSecretRef('file:/etc/tessera/kek', '/data'), {
      kind: 'file',
      path: '/etc/tessera/kek',
    })
  })

  it('refuses an env reference without a valid variable name with invalid_config', () => {
    const error = thrown(() => parseSecretRef('env:1X', '/data'))
    assert.equal(error.code, 'invalid_config')
    assert.equal(error.problems?.[0]?.path, '/issuer/keyEncryptionKey')
  })

  it('refuses anything else without echoing it, since it may be a pasted key', () => {
    const pasted = key.toString('base64url')
    const error = thrown(() => parseSecretRef(pasted, '/data'))
    assert.equal(error.code, 'invalid_config')
    assert.ok(!JSON.stringify(error.toJSON()).includes(pasted))
    assert.equal(thrown(() => parseSecretRef('file:', '/data')).code, 'invalid_config')
  })
})

describe('decodeKek', () => {
  it('decodes base64url, padded base64 and hex (either case), ignoring surrounding whitespace', () => {
    assert.deepEqual(decodeKek(key.toString('base64url')), key)
    assert.deepEqual(decodeKek(`${key.toString('base64')}\n`), key)
    assert.deepEqual(decodeKek(key.toString('hex')), key)
    assert.deepEqual(decodeKek(` ${key.toString('hex').toUpperCase()} `), key)
  })

  it('refuses other lengths and non-canonical spellings', () => {
    assert.equal(decodeKek(randomBytes(16).toString('base64url')), undefined)
    assert.equal(decodeKek(randomBytes(31).toString('hex')), undefined)
    const b64u = key.toString('base64url')
    // The last of 43 characters carries 4 bits; changing the 2 unused ones is a typo.
    const sloppy = `${b64u.slice(0, 42)}${String.fromCharCode(b64u.charCodeAt(42) + 1)}`
    assert.equal(decodeKek(sloppy), undefined)
    assert.equal(decodeKek('correct horse battery staple'), undefined)
  })
})

describe('loadKeyEncryptionKey', () => {
  it('reads a base64url or hex key from the named environment variable', async () => {
    const ref = { kind: 'env', name: 'KEK' } as const
    assert.deepEqual(await loadKeyEncryptionKey(ref, { KEK: key.toString('base64url') }), key)
    assert.deepEqual(await loadKeyEncryptionKey(ref, { KEK: key.toString('hex') }), key)
  })

  it('refuses an unset variable with invalid_config naming it', async () => {
    const error = await refusal(loadKeyEncryptionKey({ kind: 'env', name: 'KEK' }, {}))
    assert.equal(error.code, 'invalid_config')
    assert.match(error.message, /environment variable KEK .* is not set/)
  })

  it('refuses a variable of the wrong length, reporting its length but never its value', async () => {
    const secret = 'hunter2-but-longer'
    const error = await refusal(loadKeyEncryptionKey({ kind: 'env', name: 'KEK' }, { KEK: secret }))
    assert.equal(error.code, 'invalid_config')
    assert.match(error.message, /got 18 characters/)
    assert.ok(!JSON.stringify(error.toJSON()).includes(secret))
  })

  it('creates an absent key file with mode 0600 and 32 random bytes, then reads the same key', async (t) => {
    const dir = await tempDir(t)
    const path = join(dir, 'data', 'kek')
    const first = await loadKeyEncryptionKey({ kind: 'file', path }, {})
    assert.equal(first.length, 32)
    const text = await readFile(path, 'utf8')
    assert.match(text, /^[A-Za-z0-9_-]{43}\n$/)
    if (posix) assert.equal((await stat(path)).mode & 0o777, 0o600)
    assert.deepEqual(await loadKeyEncryptionKey({ kind: 'file', path }, {}), first)
  })

  it('gives concurrent first starts the same key and leaves no temporary file', async (t) => {
    const dir = await tempDir(t)
    const path = join(dir, 'kek')
    const keys = await Promise.all(
      Array.from({ length: 8 }, () => loadKeyEncryptionKey({ kind: 'file', path }, {})),
    )
    for (const k of keys) assert.deepEqual(k, keys[0])
    assert.deepEqual(await readdir(dir), ['kek'])
  })

  it('reads an existing hex key file', async (t) => {
    const dir = await tempDir(t)
    const path = join(dir, 'kek')
    await writeFile(path, `${key.toString('hex')}\n`, { mode: 0o600 })
    assert.deepEqual(await loadKeyEncryptionKey({ kind: 'file', path }, {}), key)
  })

  it('refuses a key file that group or others may read, naming the mode', {
    skip: !posix,
  }, async (t) => {
    const dir = await tempDir(t)
    const path = join(dir, 'kek')
    await writeFile(path, key.toString('base64url'), { mode: 0o600 })
    await chmod(path, 0o644)
    const error = await refusal(loadKeyEncryptionKey({ kind: 'file', path }, {}))
    assert.equal(error.code, 'invalid_config')
    assert.match(error.message, /has mode 0644, which lets group or others in/)
    assert.ok(!error.message.includes(key.toString('base64url')))
  })

  it('refuses a key file of the wrong length without showing its content', async (t) => {
    const dir = await tempDir(t)
    const path = join(dir, 'kek')
    await writeFile(path, 'not-a-key-at-all\n', { mode: 0o600 })
    const error = await refusal(loadKeyEncryptionKey({ kind: 'file', path }, {}))
    assert.equal(error.code, 'invalid_config')
    assert.match(error.message, /got 16 characters/)
    assert.ok(!error.message.includes('not-a-key'))
  })

  it('refuses an oversized key file and a directory in its place', async (t) => {
    const dir = await tempDir(t)
    const big = join(dir, 'big')
    await writeFile(big, 'x'.repeat(4096), { mode: 0o600 })
    assert.match(
      (await refusal(loadKeyEncryptionKey({ kind: 'file', path: big }, {}))).message,
      /4096 bytes/,
    )
    const sub = join(dir, 'sub')
    await mkdir(sub, { mode: 0o700 })
    const error = await refusal(loadKeyEncryptionKey({ kind: 'file', path: sub }, {}))
    assert.equal(error.code, 'invalid_config')
    assert.match(error.message, /not a regular file/)
  })

  it('refuses a key file it cannot open, naming the errno', async (t) => {
    const dir = await tempDir(t)
    const notADirectory = join(dir, 'file')
    await writeFile(notADirectory, '', { mode: 0o600 })
    const error = await refusal(
      loadKeyEncryptionKey({ kind: 'file', path: join(notADirectory, 'kek') }, {}),
    )
    assert.equal(error.code, 'invalid_config')
    assert.match(error.message, /cannot read key file .*ENOTDIR/)
  })

  it('refuses a dangling symbolic link rather than writing through it', {
    skip: !posix,
  }, async (t) => {
    const dir = await tempDir(t)
    const path = join(dir, 'kek')
    await symlink(join(dir, 'missing', 'target'), path)
    const error = await refusal(loadKeyEncryptionKey({ kind: 'file', path }, {}))
    assert.equal(error.code, 'invalid_config')
    assert.match(error.message, /dangling symbolic link/)
  })

  it('refuses with invalid_config when the key file cannot be created', async (t) => {
    const dir = await tempDir(t)
    // A name the file system takes, but not with the temporary suffix appended.
    const path = join(dir, 'k'.repeat(250))
    const error = await refusal(loadKeyEncryptionKey({ kind: 'file', path }, {}))
    assert.equal(error.code, 'invalid_config')
    assert.match(error.message, /cannot create key file .*ENAMETOOLONG/)
    assert.deepEqual(await readdir(dir), [])
  })
})
