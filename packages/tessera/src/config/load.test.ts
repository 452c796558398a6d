import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { isTesseraError } from '@tessera/verify'
import { loadConfig, parseConfig } from './load.ts'
import { configDir, minimal } from './testing/config-files.ts'

const files = configDir()
after(() => files.remove())

describe('parseConfig', () => {
  it('applies every default to a minimal file', () => {
    const config = files.parse(minimal)
    assert.deepEqual(config.server, {
      listen: { host: '127.0.0.1', port: 8080 },
      publicUrl: 'http://127.0.0.1:8080',
      bodyLimitBytes: 65_536,
      requestTimeoutMs: 10_000,
    })
    assert.deepEqual(config.issuer, {
      issuerUrl: 'http://127.0.0.1:8080',
      trustDomain: 'example.org',
      algorithm: 'ES256',
      identityTokenTtlSeconds: 300,
      accessTokenTtlSeconds: 900,
      rotateEverySeconds: 86_400,
      prePublishSeconds: 3_600,
      jwksMaxAgeSeconds: 600,
    })
    assert.deepEqual(config.store, { kind: 'sqlite', dataDir: join(files.dir, '.tessera') })
    assert.deepEqual(config.keyEncryptionKey, {
      kind: 'file',
      path: join(files.dir, '.tessera', 'kek'),
    })
    assert.deepEqual(config.trustedIssuers, [])
    assert.deepEqual(config.inventory, { services: [] })
    assert.deepEqual(config.policies.policyNames, [])
    assert.deepEqual(config.telemetry, { logLevel: 'info' })
    assert.equal(config.source, files.path)
  })

  it('returns a deeply frozen configuration', () => {
    const config = files.parse({
      ...minimal,
      inventory: { services: [{ name: 'api', audiences: ['https://api.example.org'] }] },
    })
    assert.ok(Object.isFrozen(config))
    assert.ok(Object.isFrozen(config.server.listen))
    assert.ok(Object.isFrozen(config.inventory.services[0]?.audiences))
    assert.ok(Object.isFrozen(config.policies))
    assert.throws(() => {
      ;(config.server as { publicUrl: string }).publicUrl = 'https://evil.example'
    }, TypeError)
  })

  it('resolves relative paths against the file, or against baseDir when given', () => {
    const config = parseConfig(
      'server: { publicUrl: "http://127.0.0.1:8080" }\ntrustDomain: example.org\nstore: { dataDir: data }\n',
      'label',
      { baseDir: '/srv/tessera' },
    )
    assert.equal(config.store.dataDir, '/srv/tessera/data')
    assert.deepEqual(config.keyEncryptionKey, { kind: 'file', path: '/srv/tessera/data/kek' })
  })

  it('applies overrides before compiling: listen, and dataDir relative to the current directory', () => {
    const config = files.parse(minimal, {
      overrides: { listen: '[::1]:0', dataDir: 'state' },
      cwd: '/home/ops',
    })
    assert.deepEqual(config.server.listen, { host: '::1', port: 0 })
    assert.equal(config.store.dataDir, '/home/ops/state')
    assert.deepEqual(config.keyEncryptionKey, { kind: 'file', path: '/home/ops/state/kek' })
  })

  it('reports a bad override at the key it replaces', () => {
    assert.deepEqual(files.problems(minimal, { overrides: { listen: '8080', dataDir: '' } }), [
      {
        path: '/server/listen',
        message:
          'override "8080": must be host:port, not only a port: write "127.0.0.1:8080" (loopback) or "0.0.0.0:8080" (every interface)',
      },
      { path: '/store/dataDir', message: 'override "": must not be empty' },
    ])
  })

  it('names an unknown key with a "did you mean", at the top and deeper', () => {
    assert.deepEqual(
      files.problems({ ...minimal, polices: [], server: { ...minimal.server, publicURL: 'x' } }),
      [
        { path: '/polices', message: 'is not a known key; did you mean "policies"?' },
        { path: '/server/publicURL', message: 'is not a known key; did you mean "publicUrl"?' },
      ],
    )
  })

  it('reports a YAML syntax error with its line and column, in the problem and the message', () => {
    const error = files.error(
      'server:\n  publicUrl: [http://127.0.0.1:8080\ntrustDomain: example.org\n',
    )
    assert.deepEqual(error.problems, [
      {
        path: '',
        message:
          'yaml syntax error at line 3, column 1: flow sequence in block collection must be sufficiently indented and end with a ]',
      },
    ])
    assert.match(
      error.message,
      /tessera\.yaml is invalid \(1 problem\):\n {2}\(document\): yaml syntax error at line 3, column 1/,
    )
  })

  it('refuses a document that is not a mapping, and an empty one', () => {
    assert.deepEqual(files.problems('- a\n- b\n'), [
      { path: '', message: 'must be a mapping (key: value), got a list' },
    ])
    assert.deepEqual(files.problems(''), [
      { path: '', message: 'must be a mapping (key: value), got nothing (null)' },
    ])
  })

  it('refuses a YAML merge key as an unknown key', () => {
    assert.deepEqual(
      files.problems(
        'defaults: &d { publicUrl: "http://127.0.0.1:8080" }\nserver:\n  <<: *d\ntrustDomain: example.org\n',
      ),
      [
        {
          path: '/defaults',
          message:
            'is not a known key (known: server, trustDomain, issuer, trustedIssuers, samlIdps, saml, inventory, policies, clouds, store, telemetry)',
        },
        { path: '/server/publicUrl', message: 'is required' },
        {
          path: '/server/<<',
          message:
            'is not a known key (known: listen, grpcListen, publicUrl, tls, bodyLimitBytes, requestTimeoutMs)',
        },
      ],
    )
  })

  it('refuses a text over 1 MiB before parsing it', () => {
    const text = `# ${'x'.repeat(1_048_576)}\n`
    assert.throws(
      () => parseConfig(text, 'big.yaml'),
      (error: unknown) => {
        assert.ok(isTesseraError(error))
        assert.deepEqual(error.problems, [
          { path: '', message: `the file is ${text.length} bytes, more than the limit of 1048576` },
        ])
        return true
      },
    )
  })

  it('reports every problem at once: five different errors give five problems', () => {
    const error = files.error({
      server: { listen: 'localhost', publicUrl: 'https://tessera.example.org/x/' },
      trustDomain: 'Example.org',
      trustedIssuers: [{ issuer: 'https://ci.example.org' }],
      telemetry: { logLevl: 'debug' },
    })
    assert.deepEqual(error.problems, [
      { path: '/telemetry/logLevl', message: 'is not a known key; did you mean "logLevel"?' },
      {
        path: '/server/listen',
        message: 'must be host:port, e.g. "127.0.0.1:8080" or "[::1]:8080"',
      },
      {
        path: '/server/publicUrl',
        message:
          'must not end with "/": write "https://tessera.example.org/x"; it is the issuer (iss) exactly as clients must configure it',
      },
      { path: '/trustDomain', message: 'must be lower-case (SPIFFE ID §2.1): write "example.org"' },
      {
        path: '/trustedIssuers/0',
        message: 'needs a key source: one of discovery: true, jwksUri, jwks, jwksFile',
      },
    ])
  })

  it('lists each problem with its line in the message', () => {
    const error = files.error(
      'server:\n  publicUrl: http://127.0.0.1:8080\n  listn: 1\ntrustDomain: example.org\n',
    )
    assert.equal(
      error.message,
      `${files.path} is invalid (1 problem):\n  /server/listn (line 3, column 3): is not a known key; did you mean "listen"?`,
    )
  })
})

describe('loadConfig', () => {
  it('reads a file and resolves its relative paths against its directory', async () => {
    const path = files.write(
      'loaded.yaml',
      'server: { publicUrl: "http://127.0.0.1:8080" }\ntrustDomain: example.org\n',
    )
    const config = await loadConfig(path)
    assert.equal(config.source, path)
    assert.equal(config.store.dataDir, join(files.dir, '.tessera'))
  })

  it('reports a file it cannot read as invalid_config', async () => {
    const path = join(files.dir, 'missing.yaml')
    await assert.rejects(loadConfig(path), (error: unknown) => {
      assert.ok(isTesseraError(error))
      assert.equal(error.code, 'invalid_config')
      assert.deepEqual(error.problems, [
        { path: '', message: `cannot read ${JSON.stringify(path)}: no such file` },
      ])
      return true
    })
  })
})
