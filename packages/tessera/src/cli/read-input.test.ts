import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { after, describe, it } from 'node:test'
import { TesseraError } from '@tessera/verify'
import {
  maxInputBytes,
  readBoundedInput,
  readStdin,
  readTextFile,
  readTokenArgument,
} from './read-input.ts'

const dir = mkdtempSync(join(tmpdir(), 'tessera-read-input-'))
after(() => rmSync(dir, { recursive: true, force: true }))

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

/** Asserts a usage error: invalid_options from check "usage" with one problem at `path`. */
function isUsageError(message: string, path = '') {
  return (error: unknown): boolean => {
    assert.ok(error instanceof TesseraError, `expected a TesseraError, got ${String(error)}`)
    assert.deepEqual(error.toJSON(), {
      code: 'invalid_options',
      check: 'usage',
      message,
      problems: [{ path, message }],
    })
    return true
  }
}

describe('readTextFile', () => {
  it('reads a file as UTF-8', () => {
    assert.equal(readTextFile(file('utf8.txt', 'héllo\n'), 'token'), 'héllo\n')
  })

  it('names the file and the error code when the file cannot be read', () => {
    const missing = join(dir, 'missing.jwt')
    assert.throws(
      () => readTextFile(missing, 'token'),
      isUsageError(`cannot read token file ${JSON.stringify(missing)}: ENOENT`),
    )
    const folder = join(dir, 'a-folder')
    mkdirSync(folder)
    assert.throws(
      () => readTextFile(folder, 'key set'),
      isUsageError(`cannot read key set file ${JSON.stringify(folder)}: EISDIR`),
    )
  })

  it(`reads a file of exactly ${maxInputBytes} bytes and refuses a larger one`, () => {
    assert.equal(
      readTextFile(file('max.txt', Buffer.alloc(maxInputBytes, 0x61)), 'token').length,
      maxInputBytes,
    )
    const big = file('big.txt', Buffer.alloc(maxInputBytes + 1, 0x61))
    assert.throws(
      () => readTextFile(big, 'token'),
      isUsageError(`token file ${JSON.stringify(big)} is larger than ${maxInputBytes} bytes`),
    )
  })
  it('refuses a device such as /dev/zero at once, naming the cap', async () => {
    const refusal = isUsageError(
      `cannot read token file "/dev/zero": it is a character device, not a regular file of at most ${maxInputBytes} bytes`,
    )
    assert.throws(() => readTextFile('/dev/zero', 'token'), refusal)
    await assert.rejects(readTokenArgument('@/dev/zero'), refusal)
  })

  it('applies a smaller cap to readBoundedInput, one byte over refused', () => {
    const path = file('five.txt', 'hello')
    assert.equal(readBoundedInput(path, 'key', 5, 'key').toString(), 'hello')
    assert.throws(
      () => readBoundedInput(path, 'key', 4, 'key'),
      isUsageError(`key file ${JSON.stringify(path)} is larger than 4 bytes`, 'key'),
    )
  })
})

describe('readStdin', () => {
  it('concatenates string and Buffer chunks', async () => {
    assert.equal(await readStdin(Readable.from(['ab', 'cd'])), 'abcd')
    assert.equal(await readStdin(Readable.from([Buffer.from('ab'), Buffer.from('cd')])), 'abcd')
  })

  it('decodes a UTF-8 character split across chunks', async () => {
    const bytes = Buffer.from('é')
    assert.equal(await readStdin(Readable.from([bytes.subarray(0, 1), bytes.subarray(1)])), 'é')
  })

  it('returns an empty string for empty input', async () => {
    assert.equal(await readStdin(Readable.from([])), '')
  })

  it(`refuses more than ${maxInputBytes} bytes`, async () => {
    const chunk = Buffer.alloc(maxInputBytes / 2, 0x61)
    await assert.rejects(
      readStdin(Readable.from([chunk, chunk, Buffer.from('a')])),
      isUsageError(`standard input is larger than ${maxInputBytes} bytes`),
    )
    assert.equal((await readStdin(Readable.from([chunk, chunk]))).length, maxInputBytes)
  })
})

describe('readTokenArgument', () => {
  it('returns a literal token exactly as given, whitespace included', async () => {
    assert.equal(await readTokenArgument('a.b.c'), 'a.b.c')
    assert.equal(await readTokenArgument('a.b.c\n'), 'a.b.c\n')
    assert.equal(await readTokenArgument(' a.b.c'), ' a.b.c')
  })

  it('reads @FILE, dropping exactly one trailing newline', async () => {
    assert.equal(await readTokenArgument(`@${file('lf.jwt', 'a.b.c\n')}`), 'a.b.c')
    assert.equal(await readTokenArgument(`@${file('crlf.jwt', 'a.b.c\r\n')}`), 'a.b.c')
    assert.equal(await readTokenArgument(`@${file('two.jwt', 'a.b.c\n\n')}`), 'a.b.c\n')
    assert.equal(await readTokenArgument(`@${file('none.jwt', 'a.b.c')}`), 'a.b.c')
    assert.equal(await readTokenArgument(`@${file('space.jwt', 'a.b.c \n')}`), 'a.b.c ')
  })

  it('reads - from standard input, dropping exactly one trailing newline', async () => {
    assert.equal(await readTokenArgument('-', Readable.from(['a.b.c\n'])), 'a.b.c')
    assert.equal(await readTokenArgument('-', Readable.from(['a.b', '.c\r\n'])), 'a.b.c')
    assert.equal(await readTokenArgument('-', Readable.from(['a.b.c\n\n'])), 'a.b.c\n')
  })

  it('names an unreadable @FILE', async () => {
    const missing = join(dir, 'nope.jwt')
    await assert.rejects(
      readTokenArgument(`@${missing}`),
      isUsageError(`cannot read token file ${JSON.stringify(missing)}: ENOENT`),
    )
  })

  it('requires a token', async () => {
    for (const arg of [undefined, '']) {
      await assert.rejects(
        readTokenArgument(arg),
        isUsageError('missing token: pass TOKEN, @FILE or - for standard input', 'token'),
      )
    }
  })
})
