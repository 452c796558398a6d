import assert from 'node:assert/strict'
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { checkTokenDirectory } from './check-token-directory.ts'

const root = mkdtempSync(join(tmpdir(), 'tessera-token-dir-'))
after(() => rmSync(root, { recursive: true, force: true }))

function dir(name: string, mode: number): string {
  const path = join(root, name)
  mkdirSync(path)
  chmodSync(path, mode)
  return path
}

describe('checkTokenDirectory', () => {
  it('creates an absent directory with mode 0700', async () => {
    const path = join(root, 'new', 'tokens')
    await checkTokenDirectory(join(path, 'token'))
    assert.ok(statSync(path).isDirectory())
    assert.equal(statSync(path).mode & 0o777, 0o700)
  })

  it('accepts a private directory and a sticky world-writable one (as /tmp)', async () => {
    await checkTokenDirectory(join(dir('private', 0o700), 'token'))
    await checkTokenDirectory(join(dir('sticky', 0o1777), 'token'))
  })

  it('refuses a world- or group-writable directory without the sticky bit, naming path, mode and owner', async () => {
    const open = dir('open', 0o777)
    const uid = statSync(open).uid
    await assert.rejects(checkTokenDirectory(join(open, 'token')), {
      code: 'write_failed',
      message: `the directory ${JSON.stringify(open)} of the token file ${JSON.stringify(join(open, 'token'))} is writable by everyone without the sticky bit (mode 0777, owner uid ${uid}): another user could replace a token`,
    })
    await assert.rejects(checkTokenDirectory(join(dir('group', 0o770), 'token')), {
      code: 'write_failed',
      message: /is writable by its group without the sticky bit \(mode 0770/,
    })
  })

  it('refuses a directory owned by neither the agent nor root', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to give the directory another owner')
    const path = dir('theirs', 0o755)
    chownSync(path, 12345, 12345)
    await assert.rejects(checkTokenDirectory(join(path, 'token'), 0), {
      code: 'write_failed',
      message:
        /is owned by neither the agent's user \(uid 0\) nor root \(mode 0755, owner uid 12345\)/,
    })
    // The same directory is the agent's own when the agent runs as its owner.
    await checkTokenDirectory(join(path, 'token'), 12345)
  })

  it('refuses a symbolic link and a file in place of the directory', async () => {
    const link = join(root, 'link')
    symlinkSync(dir('target', 0o700), link)
    await assert.rejects(checkTokenDirectory(join(link, 'token')), {
      code: 'write_failed',
      message: /is a symbolic link, not a directory \(ENOTDIR; /,
    })
    const plain = join(root, 'plain')
    writeFileSync(plain, 'x')
    await assert.rejects(checkTokenDirectory(join(plain, 'token')), {
      code: 'write_failed',
      message: /plain" of the token file .* is not a directory \(ENOTDIR; /,
    })
    await assert.rejects(checkTokenDirectory(join(plain, 'sub', 'token')), {
      code: 'write_failed',
      message: /cannot be examined: ENOTDIR/,
    })
  })
})
