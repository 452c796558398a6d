import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { loadAgentConfig, maxAgentConfigBytes, parseAgentConfig } from './config.ts'

const dir = mkdtempSync(join(tmpdir(), 'tessera-agent-config-'))
after(() => rmSync(dir, { recursive: true, force: true }))

function problemsOf(text: string): { path: string; message: string }[] {
  try {
    parseAgentConfig(text, 'agent.yaml', '/etc/tessera')
  } catch (error) {
    assert.equal((error as { code?: string }).code, 'invalid_config')
    return [...((error as { problems: { path: string; message: string }[] }).problems ?? [])]
  }
  assert.fail('expected invalid_config')
}

describe('parseAgentConfig', () => {
  it('applies defaults, resolves paths against the directory and freezes the result', () => {
    const config = parseAgentConfig(
      `server: http://127.0.0.1:8080/
attestation: { kubernetesTokenFile: sa/token }
tokens:
  - { audience: sts.amazonaws.com, file: aws/token, owner: "1000:1001" }
  - { audience: api://AzureADTokenExchange, file: /run/azure }
`,
      'agent.yaml',
      '/etc/tessera',
    )
    assert.equal(config.server, 'http://127.0.0.1:8080')
    assert.deepEqual(config.attestation, {
      kind: 'kubernetesTokenFile',
      source: { kind: 'file', path: '/etc/tessera/sa/token' },
      path: '/attestation/kubernetesTokenFile',
    })
    assert.deepEqual(config.tokens, [
      {
        audience: 'sts.amazonaws.com',
        file: '/etc/tessera/aws/token',
        owner: { uid: 1000, gid: 1001 },
      },
      { audience: 'api://AzureADTokenExchange', file: '/run/azure' },
    ])
    assert.deepEqual(config.refresh, {
      at: 0.5,
      jitter: 0.1,
      backoff: { initialSeconds: 1, maxSeconds: 60 },
      timeoutSeconds: 10,
    })
    assert.equal(config.status.file, '/etc/tessera/tessera-agent-status.json')
    assert.ok(Object.isFrozen(config.tokens[0]))
  })

  it('reads env: and file: references for join and OIDC tokens', () => {
    const join = parseAgentConfig(
      'server: https://t.example\nattestation: { joinToken: env:JOIN }\ntokens: [{ audience: a, file: f }]\n',
      'x',
      '/d',
    )
    assert.deepEqual(join.attestation.source, { kind: 'env', name: 'JOIN' })
    const oidc = parseAgentConfig(
      'server: https://t.example\nattestation: { oidcToken: file:ci.jwt }\ntokens: [{ audience: a, file: f }]\n',
      'x',
      '/d',
    )
    assert.deepEqual(oidc.attestation, {
      kind: 'oidcToken',
      source: { kind: 'file', path: '/d/ci.jwt' },
      path: '/attestation/oidcToken',
    })
  })

  it('lists every problem with its JSON pointer, never echoing a pasted secret', () => {
    const problems = problemsOf(`server: ftp://x
attestation: {}
tokens:
  - { audience: a, file: t, owner: me }
  - { audience: a, file: t, extra: 1 }
refresh: { at: 0, backoff: { initialSeconds: 5, maxSeconds: 1 } }
status: { file: t }
wat: 1
`)
    const paths = problems.map((p) => p.path)
    for (const path of ['/wat', '/tokens/0/owner', '/tokens/1/extra', '/refresh/at'])
      assert.ok(paths.includes(path), `${path} in ${JSON.stringify(problems)}`)
    const semantic = problemsOf(`server: ftp://x
attestation: {}
tokens:
  - { audience: a, file: t }
  - { audience: a, file: t }
refresh: { backoff: { initialSeconds: 5, maxSeconds: 1 } }
status: { file: t }
`).map((p) => p.path)
    assert.deepEqual(semantic, [
      '/server',
      '/attestation',
      '/tokens/1/audience',
      '/tokens/1/file',
      '/refresh/backoff/maxSeconds',
      '/status/file',
    ])
    const secret = problemsOf(
      'server: http://x\nattestation: { joinToken: abcdef0123456789abcdef }\ntokens: [{ audience: a, file: f }]\n',
    )
    assert.deepEqual(
      secret.map((p) => p.path),
      ['/attestation/joinToken'],
    )
    assert.ok(!secret[0]?.message.includes('abcdef0123456789'))
    const two = problemsOf(
      'server: http://x\nattestation: { joinToken: env:A, oidcToken: env:B }\ntokens: [{ audience: a, file: f }]\n',
    )
    assert.match(two[0]?.message ?? '', /exactly one .* got joinToken and oidcToken/)
  })

  it('refuses YAML syntax errors and a missing section', () => {
    assert.match(problemsOf('server: [\n')[0]?.message ?? '', /yaml syntax error/)
    assert.deepEqual(
      problemsOf('server: http://x\n').map((p) => p.path),
      ['/attestation', '/tokens'],
    )
  })
})

describe('loadAgentConfig', () => {
  it('reads a file and resolves against its directory', async () => {
    const path = join(dir, 'agent.yaml')
    writeFileSync(
      path,
      'server: http://x\nattestation: { joinToken: file:join }\ntokens: [{ audience: a, file: t }]\n',
    )
    const config = await loadAgentConfig(path)
    assert.equal(config.tokens[0]?.file, join(dir, 't'))
    assert.equal(config.source, path)
  })

  it('refuses a missing or oversized file with invalid_config', async () => {
    await assert.rejects(loadAgentConfig(join(dir, 'missing.yaml')), {
      code: 'invalid_config',
      message: /ENOENT/,
    })
    const big = join(dir, 'big.yaml')
    writeFileSync(big, `# ${'x'.repeat(maxAgentConfigBytes)}\n`)
    await assert.rejects(loadAgentConfig(big), {
      code: 'invalid_config',
      message: /limit of 65536/,
    })
  })
})
