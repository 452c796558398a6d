import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { writeFileAtomic } from './write-file-atomic.ts'

const dir = mkdtempSync(join(tmpdir(), 'tessera-atomic-'))
after(() => rmSync(dir, { recursive: true, force: true }))

describe('writeFileAtomic', () => {
  it('replaces the content with mode 0600 by default, leaving no temporary file', async () => {
    const path = join(dir, 'token')
    writeFileSync(path, 'old', { mode: 0o644 })
    await writeFileAtomic(path, 'new')
    assert.equal(readFileSync(path, 'utf8'), 'new')
    assert.equal(statSync(path).mode & 0o777, 0o600)
    await writeFileAtomic(path, Buffer.from('bytes'), { mode: 0o640 })
    assert.equal(statSync(path).mode & 0o777, 0o640)
    assert.deepEqual(readdirSync(dir), ['token'])
  })

  it('gives the file the configured owner', async () => {
    const path = join(dir, 'owned')
    const uid = process.getuid?.() ?? 0
    const gid = process.getgid?.() ?? 0
    await writeFileAtomic(path, 'x', { uid, gid })
    assert.equal(statSync(path).uid, uid)
    assert.equal(statSync(path).gid, gid)
  })

  it('fails with write_failed naming the path and errno, old content and directory untouched', async () => {
    const blocker = join(dir, 'blocker')
    writeFileSync(blocker, 'a file, not a directory')
    await assert.rejects(writeFileAtomic(join(blocker, 'token'), 'x'), (error: Error) => {
      assert.equal((error as { code?: string }).code, 'write_failed')
      assert.match(error.message, /blocker\/token.*ENOTDIR/)
      return true
    })
    // A rename onto a directory fails after the temporary file was written: it is removed.
    const target = join(dir, 'is-a-dir')
    rmSync(target, { recursive: true, force: true })
    const { mkdirSync } = await import('node:fs')
    mkdirSync(join(target, 'child'), { recursive: true })
    await assert.rejects(writeFileAtomic(target, 'x'), {
      code: 'write_failed',
      actual: /^E/,
    })
    assert.ok(!readdirSync(dir).some((n) => n.endsWith('.tmp')))
  })

  it('fails with write_failed when the owner cannot be set, leaving nothing', async (t) => {
    if (process.getuid?.() !== 0) {
      // Without privilege chown to another user is refused: the path this test proves.
      await assert.rejects(writeFileAtomic(join(dir, 'chown'), 'x', { uid: 0, gid: 0 }), {
        code: 'write_failed',
      })
      assert.ok(!readdirSync(dir).includes('chown'))
      return
    }
    t.diagnostic('running as root: chown to any id succeeds')
    await writeFileAtomic(join(dir, 'chown'), 'x', { uid: 4242, gid: 4242 })
    assert.equal(statSync(join(dir, 'chown')).uid, 4242)
  })
})

describe('writeFileAtomic over a symbolic link', () => {
  it('replaces the link itself and leaves its target untouched', async () => {
    const { lstatSync, symlinkSync } = await import('node:fs')
    const target = join(dir, 'elsewhere')
    writeFileSync(target, 'keep')
    const link = join(dir, 'linked-token')
    symlinkSync(target, link)
    await writeFileAtomic(link, 'new')
    assert.ok(lstatSync(link).isFile())
    assert.equal(readFileSync(link, 'utf8'), 'new')
    assert.equal(readFileSync(target, 'utf8'), 'keep')
  })
})
