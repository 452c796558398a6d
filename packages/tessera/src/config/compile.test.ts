import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, describe, it } from 'node:test'
import type { IssuerOptions } from '@tessera/verify'
import { configDir, minimal } from './testing/config-files.ts'

const files = configDir()
after(() => files.remove())

const doctorJwks = JSON.parse(
  readFileSync(new URL('../../../../examples/doctor/jwks.json', import.meta.url), 'utf8'),
) as { keys: Record<string, unknown>[] }
const publicKey = doctorJwks.keys[0] as Record<string, unknown>

const inventory = {
  services: [
    { name: 'payments-api', audiences: ['https://payments.example.org'] },
    { name: 'ledger-api', audiences: ['https://ledger.example.org'] },
  ],
}

describe('compileConfig: server', () => {
  it('parses an IPv6 listen address and asks for brackets when they are missing', () => {
    const config = files.parse({ ...minimal, server: { ...minimal.server, listen: '[::1]:9090' } })
    assert.deepEqual(config.server.listen, { host: '::1', port: 9090 })
    assert.deepEqual(
      files.problems({ ...minimal, server: { ...minimal.server, listen: '::1:9090' } }),
      [{ path: '/server/listen', message: 'an IPv6 address needs brackets: write "[::1]:9090"' }],
    )
  })

  it('refuses a publicUrl with a trailing slash after a path, a query, or another scheme', () => {
    const problems = (publicUrl: string) => files.problems({ ...minimal, server: { publicUrl } })
    assert.deepEqual(problems('https://example.org/tessera/'), [
      {
        path: '/server/publicUrl',
        message:
          'must not end with "/": write "https://example.org/tessera"; it is the issuer (iss) exactly as clients must configure it',
      },
    ])
    assert.deepEqual(problems('https://example.org/?a=1'), [
      {
        path: '/server/publicUrl',
        message:
          'must not have a query or fragment: an issuer identifier has neither (RFC 8414 §2)',
      },
    ])
    assert.deepEqual(problems('ws://example.org'), [
      { path: '/server/publicUrl', message: 'must be an http(s) URL, got scheme "ws"' },
    ])
  })

  it('keeps the origin root exactly as written, with or without its slash', () => {
    const url = 'https://tessera.example.org/'
    assert.equal(files.parse({ ...minimal, server: { publicUrl: url } }).issuer.issuerUrl, url)
  })

  it('checks every server field that passed the schema, despite a bad sibling', () => {
    assert.deepEqual(
      files.problems({
        ...minimal,
        server: { publicUrl: 'https://x.example/a/', listen: 80, tsl: {} },
      }),
      [
        { path: '/server/tsl', message: 'is not a known key; did you mean "tls"?' },
        { path: '/server/listen', message: 'must be a string, got the number 80' },
        {
          path: '/server/publicUrl',
          message:
            'must not end with "/": write "https://x.example/a"; it is the issuer (iss) exactly as clients must configure it',
        },
      ],
    )
  })
})

describe('compileConfig: TLS', () => {
  const fixture = (name: string) => new URL(`fixtures/${name}`, import.meta.url).pathname
  const tls = (certFile: string, keyFile: string) => ({
    ...minimal,
    server: { ...minimal.server, tls: { certFile, keyFile } },
  })

  it('reads the certificate and key, relative to the file', () => {
    files.write('cert.pem', readFileSync(fixture('tls-cert.pem'), 'utf8'))
    files.write('key.pem', readFileSync(fixture('tls-key.pem'), 'utf8'))
    const config = files.parse(tls('./cert.pem', 'key.pem'))
    assert.match(config.server.tls?.cert ?? '', /^-----BEGIN CERTIFICATE-----/)
    assert.match(config.server.tls?.key ?? '', /^-----BEGIN PRIVATE KEY-----/)
  })

  it('reports missing files, and files that are not PEM, without showing their contents', () => {
    files.write('garbage.pem', 'not a pem file')
    assert.deepEqual(files.problems(tls('./missing.pem', './garbage.pem')), [
      { path: '/server/tls/certFile', message: 'cannot read "./missing.pem": no such file' },
      { path: '/server/tls/keyFile', message: '"./garbage.pem" is not a PEM private key' },
    ])
    assert.deepEqual(files.problems(tls('./garbage.pem', fixture('tls-key.pem'))), [
      { path: '/server/tls/certFile', message: '"./garbage.pem" is not a PEM certificate' },
    ])
  })

  it('reports a key that does not belong to the certificate', () => {
    assert.deepEqual(files.problems(tls(fixture('tls-cert.pem'), fixture('other-key.pem'))), [
      {
        path: '/server/tls/keyFile',
        message: `${JSON.stringify(fixture('other-key.pem'))} is not the private key of the certificate in ${JSON.stringify(fixture('tls-cert.pem'))}`,
      },
    ])
  })

  it('reports a certificate outside its validity period at the injected time', () => {
    const document = tls(fixture('tls-cert.pem'), fixture('tls-key.pem'))
    const [expired] = files.problems(document, { clock: () => 5_000_000_000 })
    assert.equal(expired?.path, '/server/tls/certFile')
    assert.match(expired?.message ?? '', /^the certificate expired at 21\d\d-/)
    const [early] = files.problems(document, { clock: () => 1_000_000_000 })
    assert.match(early?.message ?? '', /^the certificate is not valid before 20\d\d-/)
  })
})

describe('compileConfig: trustDomain', () => {
  it('refuses a trust domain that is not a SPIFFE trust domain name', () => {
    assert.deepEqual(files.problems({ ...minimal, trustDomain: 'spiffe://example.org' }), [
      { path: '/trustDomain', message: 'must be the trust domain name only: write "example.org"' },
    ])
  })
})

describe('compileConfig: trustedIssuers', () => {
  it('compiles each key source for createVerifier; a jwksFile becomes jwks', () => {
    files.write('ci-jwks.json', JSON.stringify(doctorJwks))
    const config = files.parse({
      ...minimal,
      trustedIssuers: [
        {
          issuer: 'https://token.actions.githubusercontent.com',
          discovery: true,
          algorithms: ['RS256', 'RS256'],
        },
        { issuer: 'https://k8s.example.org', jwksUri: 'https://k8s.example.org/openid/v1/jwks' },
        { issuer: 'https://ci.example.org', jwksFile: './ci-jwks.json' },
        { issuer: 'inline', jwks: doctorJwks },
      ],
    })
    const issuers: readonly IssuerOptions[] = config.trustedIssuers
    assert.deepEqual(issuers, [
      {
        issuer: 'https://token.actions.githubusercontent.com',
        algorithms: ['RS256'],
        discovery: true,
      },
      { issuer: 'https://k8s.example.org', jwksUri: 'https://k8s.example.org/openid/v1/jwks' },
      { issuer: 'https://ci.example.org', jwks: doctorJwks },
      { issuer: 'inline', jwks: doctorJwks },
    ])
  })

  it('requires exactly one key source', () => {
    assert.deepEqual(
      files.problems({
        ...minimal,
        trustedIssuers: [
          { issuer: 'https://a.example' },
          { issuer: 'https://b.example', discovery: true, jwksUri: 'https://b.example/jwks' },
        ],
      }),
      [
        {
          path: '/trustedIssuers/0',
          message: 'needs a key source: one of discovery: true, jwksUri, jwks, jwksFile',
        },
        {
          path: '/trustedIssuers/1',
          message: 'has discovery and jwksUri: give exactly one key source',
        },
      ],
    )
  })

  it('refuses a duplicate issuer, Tessera itself, and URLs where URLs are needed', () => {
    assert.deepEqual(
      files.problems({
        ...minimal,
        trustedIssuers: [
          { issuer: 'https://a.example', discovery: true },
          { issuer: 'https://a.example', jwksUri: 'https://a.example/jwks' },
          { issuer: 'http://127.0.0.1:8080', discovery: true },
          { issuer: 'not a url', discovery: true },
          { issuer: ' https://c.example', jwksUri: 'jwks.json' },
        ],
      }),
      [
        {
          path: '/trustedIssuers/1/issuer',
          message:
            'duplicates /trustedIssuers/0/issuer ("https://a.example"): list each issuer once',
        },
        {
          path: '/trustedIssuers/2/issuer',
          message: "is Tessera's own publicUrl, which is always trusted: remove this entry",
        },
        {
          path: '/trustedIssuers/3/issuer',
          message:
            'must be an absolute http(s) URL when discovery is used: the discovery document is fetched from it',
        },
        { path: '/trustedIssuers/4/issuer', message: 'has leading or trailing whitespace' },
        { path: '/trustedIssuers/4/jwksUri', message: 'must be an absolute http(s) URL' },
      ],
    )
  })

  it('says why a jwksFile cannot be used', () => {
    files.write('bad.json', '{ nope')
    files.write('array.json', '[]')
    files.write('empty.json', '{"keys": []}')
    files.write('private.json', JSON.stringify({ keys: [{ ...publicKey, d: 'c2VjcmV0' }] }))
    const problems = files.problems({
      ...minimal,
      trustedIssuers: ['missing.json', 'bad.json', 'array.json', 'empty.json', 'private.json'].map(
        (jwksFile, i) => ({ issuer: `https://ci${i}.example`, jwksFile }),
      ),
    })
    assert.deepEqual(
      problems.map((p) => p.path),
      [0, 1, 2, 3, 4].map((i) => `/trustedIssuers/${i}/jwksFile`),
    )
    assert.equal(problems[0]?.message, 'cannot read "missing.json": no such file')
    assert.match(problems[1]?.message ?? '', /^"bad\.json" is not valid JSON: /)
    assert.equal(
      problems[2]?.message,
      '"array.json" is not a JWK Set: expected an object with a "keys" array',
    )
    assert.equal(problems[3]?.message, '"empty.json" holds no keys')
    assert.match(
      problems[4]?.message ?? '',
      /^"private\.json": key 0 \(kid "ci-2027-01"\) is not usable: /,
    )
    assert.ok(!problems[4]?.message.includes('c2VjcmV0'))
  })

  it('names an inline key that cannot be used by its position', () => {
    const problems = files.problems({
      ...minimal,
      trustedIssuers: [
        { issuer: 'https://ci.example', jwks: { keys: [publicKey, { kty: 'EC', crv: 'P-256' }] } },
      ],
    })
    assert.equal(problems.length, 1)
    assert.equal(problems[0]?.path, '/trustedIssuers/0/jwks/keys/1')
    assert.match(problems[0]?.message ?? '', /^key 1 is not usable: /)
  })

  it('refuses a forbidden algorithm without suggesting a near name', () => {
    assert.deepEqual(
      files.problems({
        ...minimal,
        trustedIssuers: [{ issuer: 'https://a.example', discovery: true, algorithms: ['HS256'] }],
      }),
      [
        {
          path: '/trustedIssuers/0/algorithms/0',
          message:
            '"HS256" is never accepted: only asymmetric algorithms are (RFC 8725), one of "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"',
        },
      ],
    )
  })

  it('still checks the entries that passed the schema when another did not', () => {
    assert.deepEqual(
      files.problems({
        ...minimal,
        trustedIssuers: [
          { issuer: 'https://a.example', discovery: false },
          { issuer: 'https://b.example' },
        ],
      }),
      [
        { path: '/trustedIssuers/0/discovery', message: 'must be true' },
        {
          path: '/trustedIssuers/1',
          message: 'needs a key source: one of discovery: true, jwksUri, jwks, jwksFile',
        },
      ],
    )
  })
})

describe('compileConfig: inventory and policies', () => {
  it('refuses a service name used twice and an audience in two services, naming both', () => {
    assert.deepEqual(
      files.problems({
        ...minimal,
        inventory: {
          services: [
            { name: 'payments-api', audiences: ['https://payments.example.org'] },
            { name: 'payments-api', audiences: ['https://payments2.example.org'] },
            {
              name: 'ledger-api',
              audiences: ['https://ledger.example.org', 'https://payments.example.org'],
            },
            {
              name: 'audit-api',
              audiences: ['https://audit.example.org', 'https://audit.example.org'],
            },
          ],
        },
      }),
      [
        {
          path: '/inventory/services/1/name',
          message:
            'service name "payments-api" is already used by /inventory/services/0: each service is listed once',
        },
        {
          path: '/inventory/services/2/audiences/1',
          message:
            'audience "https://payments.example.org" is in both "payments-api" (/inventory/services/0/audiences/0) and "ledger-api": an audience identifies exactly one service',
        },
        {
          path: '/inventory/services/3/audiences/1',
          message: 'audience "https://audit.example.org" is listed twice in service "audit-api"',
        },
      ],
    )
  })

  it('merges the problems compilePolicies finds with its own', () => {
    const problems = files.problems({
      ...minimal,
      trustDomain: 'Example.org',
      inventory,
      policies: [
        { name: 'p', issuer: 'https://unknown.example', subject: 'x', targets: ['payment-api'] },
      ],
    })
    assert.deepEqual(
      problems.map((p) => p.path),
      ['/trustDomain', '/policies/0/issuer', '/policies/0/targets/0'],
    )
    assert.match(problems[2]?.message ?? '', /payment-api/)
  })

  it('compiles the policies against the inventory, the trust domain and the trusted issuers', () => {
    const config = files.parse({
      ...minimal,
      trustedIssuers: [{ issuer: 'https://ci.example.org', jwks: doctorJwks }],
      inventory,
      policies: [
        {
          name: 'own',
          issuer: 'http://127.0.0.1:8080',
          subject: 'spiffe://example.org/ci/*',
          targets: ['payments-api'],
        },
        {
          name: 'ci',
          issuer: 'https://ci.example.org',
          claims: { ref: 'refs/heads/main' },
          targets: ['ledger-api'],
        },
      ],
    })
    assert.deepEqual(config.policies.policyNames, ['own', 'ci'])
    assert.deepEqual(config.policies.audiencesFor('ledger-api'), {
      audience: 'https://ledger.example.org',
      service: 'ledger-api',
    })
  })

  it('does not compile policies whose section has schema problems, and still checks the inventory', () => {
    assert.deepEqual(
      files.problems({
        ...minimal,
        inventory: { services: [inventory.services[0], inventory.services[0]] },
        policies: [{ name: 'p', issuer: 'https://unknown.example', subjct: 'x' }],
      }),
      [
        { path: '/policies/0/subjct', message: 'is not a known key; did you mean "subject"?' },
        {
          path: '/inventory/services/1/name',
          message:
            'service name "payments-api" is already used by /inventory/services/0: each service is listed once',
        },
        {
          path: '/inventory/services/1/audiences/0',
          message:
            'audience "https://payments.example.org" is in both "payments-api" (/inventory/services/0/audiences/0) and "payments-api": an audience identifies exactly one service',
        },
      ],
    )
  })
})

describe('compileConfig: issuer and secrets', () => {
  it('merges the problems checkIssuerSettings finds', () => {
    const problems = files.problems({
      ...minimal,
      issuer: { prePublishSeconds: 60, jwksMaxAgeSeconds: 600 },
    })
    assert.deepEqual(
      problems.map((p) => p.path),
      ['/issuer/prePublishSeconds'],
    )
    assert.match(problems[0]?.message ?? '', /^must be at least jwksMaxAgeSeconds \(600\), got 60/)
  })

  it('says that secrets never live in the file when a key is pasted in', () => {
    assert.deepEqual(
      files.problems({
        ...minimal,
        issuer: { keyEncryptionKey: 'q1VwC8n2t6Jd0Yb7kXg3Zr5mHs9LpA4eWf2Tu8Nc1Oi' },
      }),
      [
        {
          path: '/issuer/keyEncryptionKey',
          message:
            'looks like a secret itself: secrets never live in the file; put it in an environment variable (env:NAME) or a file (file:PATH) and reference that',
        },
      ],
    )
  })

  it('checks an env: reference against the environment when one is given', () => {
    const document = { ...minimal, issuer: { keyEncryptionKey: 'env:TESSERA_KEK' } }
    assert.deepEqual(files.parse(document).keyEncryptionKey, { kind: 'env', name: 'TESSERA_KEK' })
    assert.deepEqual(files.parse(document, { env: { TESSERA_KEK: 'k' } }).keyEncryptionKey, {
      kind: 'env',
      name: 'TESSERA_KEK',
    })
    assert.deepEqual(files.problems(document, { env: {} }), [
      { path: '/issuer/keyEncryptionKey', message: 'environment variable TESSERA_KEK is not set' },
    ])
  })

  it('resolves a file: key-encryption key against the data directory', () => {
    const config = files.parse({
      ...minimal,
      issuer: { keyEncryptionKey: 'file:keys/kek' },
      store: { dataDir: '/var/lib/tessera' },
    })
    assert.deepEqual(config.keyEncryptionKey, { kind: 'file', path: '/var/lib/tessera/keys/kek' })
  })
})
