import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { maxCredentialBytes, readCredential } from './attestation.ts'
import { loadAgentConfig, maxAgentConfigBytes } from './config.ts'
import { readDeliveredToken } from './deliver/read-token.ts'
import { readBoundedFile } from './read-bounded-file.ts'
import { readStatusFile } from './status.ts'

const dir = mkdtempSync(join(tmpdir(), 'tessera-agent-read-'))
after(() => rmSync(dir, { recursive: true, force: true }))

function file(name: string, bytes: number): string {
  const path = join(dir, name)
  writeFileSync(path, Buffer.alloc(bytes, 0x61))
  return path
}

describe('readBoundedFile (agent)', () => {
  it('reads a file of exactly the cap and refuses one byte more, naming the cap', async () => {
    const exact = await readBoundedFile(file('five', 5), 5)
    assert.ok('bytes' in exact)
    assert.equal(exact.bytes.toString(), 'aaaaa')
    assert.deepEqual(await readBoundedFile(file('six', 6), 5), {
      refused: 'it is 6 bytes, more than the limit of 5',
    })
  })

  it('refuses /dev/zero and a pipe without reading or blocking', async () => {
    const refused = { refused: 'it is not a regular file of at most 5 bytes (a device or pipe)' }
    assert.deepEqual(await readBoundedFile('/dev/zero', 5), refused)
    const fifo = join(dir, 'fifo')
    execFileSync('mkfifo', [fifo])
    assert.deepEqual(await readBoundedFile(fifo, 5), refused)
  })

  it('gives the errno code of a missing file or a directory', async () => {
    assert.deepEqual(await readBoundedFile(join(dir, 'missing'), 5), { errno: 'ENOENT' })
    assert.deepEqual(await readBoundedFile(dir, 5), { errno: 'EISDIR' })
  })
})

describe('the agent refuses oversized and device files at once', () => {
  it('config: /dev/zero and one byte over the cap', async () => {
    await assert.rejects(loadAgentConfig('/dev/zero'), {
      code: 'invalid_config',
      message: new RegExp(`not a regular file of at most ${maxAgentConfigBytes} bytes`),
    })
    await assert.rejects(loadAgentConfig(file('big.yaml', maxAgentConfigBytes + 1)), {
      code: 'invalid_config',
      message: new RegExp(
        `${maxAgentConfigBytes + 1} bytes, more than the limit of ${maxAgentConfigBytes}`,
      ),
    })
  })

  it('status file: /dev/zero and one byte over the cap', async () => {
    const max = 1024 * 1024
    await assert.rejects(readStatusFile('/dev/zero'), {
      code: 'invalid_config',
      message: new RegExp(`not a regular file of at most ${max} bytes`),
    })
    await assert.rejects(readStatusFile(file('big.json', max + 1)), {
      code: 'invalid_config',
      message: new RegExp(`${max + 1} bytes, more than the limit of ${max}`),
    })
  })

  it('delivered token: /dev/zero and one byte over the cap', async () => {
    const max = 16 * 1024
    await assert.rejects(
      readDeliveredToken('/dev/zero', () => 0),
      {
        code: 'too_large',
        message: new RegExp(`not a regular file of at most ${max} bytes`),
      },
    )
    await assert.rejects(
      readDeliveredToken(file('big.jwt', max + 1), () => 0),
      {
        code: 'too_large',
        message: new RegExp(`${max + 1} bytes, more than the limit of ${max}`),
      },
    )
    await assert.rejects(
      readDeliveredToken(join(dir, 'absent.jwt'), () => 0),
      {
        code: 'missing_credentials',
        message: /cannot be read \(ENOENT\)/,
      },
    )
  })

  it('credential file: /dev/zero and one byte over the cap', async () => {
    await assert.rejects(readCredential({ kind: 'file', path: '/dev/zero' }, '/p', {}), {
      code: 'invalid_config',
      message: new RegExp(`not a regular file of at most ${maxCredentialBytes} bytes`),
    })
    const big = file('big.cred', maxCredentialBytes + 1)
    await assert.rejects(readCredential({ kind: 'file', path: big }, '/p', {}), {
      code: 'invalid_config',
      message: new RegExp(`more than the limit of ${maxCredentialBytes}`),
    })
  })
})
