import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { createAttestor, maxCredentialBytes, readCredential } from './attestation.ts'

const dir = mkdtempSync(join(tmpdir(), 'tessera-attest-'))
after(() => rmSync(dir, { recursive: true, force: true }))

describe('createAttestor', () => {
  it('re-reads a Kubernetes token file at every attempt (projected tokens rotate)', async () => {
    const file = join(dir, 'sa-token')
    const attestor = createAttestor(
      {
        kind: 'kubernetesTokenFile',
        source: { kind: 'file', path: file },
        path: '/attestation/kubernetesTokenFile',
      },
      { currentToken: () => undefined },
    )
    writeFileSync(file, 'first\n')
    assert.deepEqual((await attestor.acquire()).attestation, { token: 'first' })
    writeFileSync(file, 'second')
    assert.deepEqual((await attestor.acquire()).attestation, { token: 'second' })
  })

  it('reads an OIDC token from the environment at attestation time', async () => {
    const env: NodeJS.ProcessEnv = {}
    const attestor = createAttestor(
      {
        kind: 'oidcToken',
        source: { kind: 'env', name: 'CI_TOKEN' },
        path: '/attestation/oidcToken',
      },
      { env, currentToken: () => undefined },
    )
    await assert.rejects(attestor.acquire(), {
      code: 'invalid_config',
      message: '/attestation/oidcToken: environment variable CI_TOKEN is not set',
    })
    env.CI_TOKEN = 'ci'
    assert.deepEqual((await attestor.acquire()).attestation, { token: 'ci' })
  })

  it('presents a join token one attempt at a time until one succeeds, then the agent token', async () => {
    let current: string | undefined
    const attestor = createAttestor(
      { kind: 'joinToken', source: { kind: 'env', name: 'JOIN' }, path: '/attestation/joinToken' },
      { env: { JOIN: 'join-1' }, currentToken: () => current },
    )
    const first = await attestor.acquire()
    assert.deepEqual(first.attestation, { joinToken: 'join-1' })
    // A second audience waits while the first attempt holds the join token.
    let secondSettled = false
    const second = attestor.acquire().then((lease) => {
      secondSettled = true
      return lease
    })
    await Promise.resolve()
    assert.equal(secondSettled, false)
    // Tessera unreachable: the join token was not used, the next attempt presents it again.
    first.release({ ok: false, error: new Error('ECONNREFUSED') })
    const retried = await second
    assert.deepEqual(retried.attestation, { joinToken: 'join-1' })
    current = 'agent-token'
    retried.release({ ok: true })
    assert.deepEqual((await attestor.acquire()).attestation, { token: 'agent-token' })
    // Every token expired and the join token is spent: nothing can attest.
    current = undefined
    await assert.rejects(attestor.acquire(), { code: 'join_token_invalid' })
  })

  it('counts a refused join token as spent', async () => {
    const attestor = createAttestor(
      { kind: 'joinToken', source: { kind: 'env', name: 'JOIN' }, path: '/attestation/joinToken' },
      { env: { JOIN: 'used' }, currentToken: () => undefined },
    )
    const lease = await attestor.acquire()
    lease.release({ ok: false, error: { code: 'join_token_invalid' } })
    await assert.rejects(attestor.acquire(), { code: 'join_token_invalid' })
  })

  it('hands the lock on when the join token cannot be read', async () => {
    const attestor = createAttestor(
      {
        kind: 'joinToken',
        source: { kind: 'file', path: join(dir, 'none') },
        path: '/attestation/joinToken',
      },
      { currentToken: () => undefined },
    )
    await assert.rejects(attestor.acquire(), { code: 'invalid_config', message: /ENOENT/ })
    await assert.rejects(attestor.acquire(), { code: 'invalid_config' })
  })
})

describe('readCredential', () => {
  it('refuses an empty or oversized credential without showing it', async () => {
    const empty = join(dir, 'empty')
    writeFileSync(empty, ' \n')
    await assert.rejects(readCredential({ kind: 'file', path: empty }, '/p', {}), {
      code: 'invalid_config',
      message: '/p: the credential is empty',
    })
    await assert.rejects(
      readCredential({ kind: 'env', name: 'X' }, '/p', { X: 'y'.repeat(maxCredentialBytes + 1) }),
      { code: 'invalid_config', message: /larger than/ },
    )
  })
})
