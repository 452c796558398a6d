import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { readBoundedFile, readBoundedFileSync } from './read-bounded-file.ts'

describe('readBoundedFile and readBoundedFileSync', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-read-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  const small = join(dir, 'small.txt')
  writeFileSync(small, 'hello')

  for (const [name, read] of [
    ['sync', async (path: string, max?: number) => readBoundedFileSync(path, max)],
    ['async', readBoundedFile],
  ] as const) {
    it(`${name}: reads a file within the limit`, async () => {
      const result = await read(small, 5)
      assert.ok('bytes' in result)
      assert.equal(result.bytes.toString(), 'hello')
    })

    it(`${name}: refuses a file over the limit without reading it all`, async () => {
      assert.deepEqual(await read(small, 4), {
        problem: 'it is 5 bytes, more than the limit of 4',
        tooLarge: true,
      })
    })

    it(`${name}: refuses a device such as /dev/zero, naming the limit`, async () => {
      assert.deepEqual(await read('/dev/zero', 4), {
        problem: 'it is a character device, not a regular file of at most 4 bytes',
      })
    })

    it(`${name}: says why a file cannot be read`, async () => {
      assert.deepEqual(await read(join(dir, 'missing')), {
        problem: 'no such file',
        errno: 'ENOENT',
      })
      assert.deepEqual(await read(dir), { problem: 'it is a directory', errno: 'EISDIR' })
      assert.deepEqual(await read(join(small, 'x')), {
        problem: 'a parent is not a directory',
        errno: 'ENOTDIR',
      })
    })
  }
})
