import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  type RequestHandler,
  sendJson,
  startLoopbackServer,
} from '../../test/support/http-server.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import { discoveryUrl, fetchDiscovery, isHttpUrl } from './discovery.ts'

const limits = { timeoutMs: 5000, maxBytes: 512 * 1024 }
const wellKnown = '/.well-known/openid-configuration'

async function rejection(promise: Promise<unknown>): Promise<TesseraError> {
  try {
    await promise
  } catch (error) {
    assert.ok(error instanceof TesseraError, `expected a TesseraError, got ${String(error)}`)
    return error
  }
  assert.fail('expected a rejection')
}

/** A loopback issuer whose discovery document is built from its own origin. */
async function issuerServing(
  t: Parameters<typeof startLoopbackServer>[0],
  document: (origin: string) => unknown,
): Promise<{ issuer: string; requests: () => readonly string[] }> {
  let origin = ''
  const handler: RequestHandler = (_req, res) => sendJson(res, document(origin))
  const server = await startLoopbackServer(t, handler)
  origin = server.origin
  return { issuer: origin, requests: () => server.paths }
}

describe('discoveryUrl', () => {
  it('appends the well-known path to an issuer without a trailing slash', () => {
    assert.equal(
      discoveryUrl('https://idp.example.com'),
      'https://idp.example.com/.well-known/openid-configuration',
    )
  })

  it('removes a terminating slash before appending the well-known path', () => {
    assert.equal(
      discoveryUrl('https://idp.example.com/'),
      'https://idp.example.com/.well-known/openid-configuration',
    )
  })

  it('appends the well-known path after the path of an issuer that has one', () => {
    assert.equal(
      discoveryUrl('https://login.example.com/tenant-1/v2.0'),
      'https://login.example.com/tenant-1/v2.0/.well-known/openid-configuration',
    )
    assert.equal(
      discoveryUrl('https://login.example.com/tenant-1/'),
      'https://login.example.com/tenant-1/.well-known/openid-configuration',
    )
  })
})

describe('isHttpUrl', () => {
  it('accepts absolute http and https URLs only', () => {
    assert.equal(isHttpUrl('https://idp.example.com/jwks'), true)
    assert.equal(isHttpUrl('http://127.0.0.1:8080/jwks'), true)
    assert.equal(isHttpUrl('file:///etc/passwd'), false)
    assert.equal(isHttpUrl('/jwks'), false)
    assert.equal(isHttpUrl('not a url'), false)
  })
})

describe('fetchDiscovery', () => {
  it('returns the document of an issuer whose document names it exactly', async (t) => {
    const { issuer, requests } = await issuerServing(t, (origin) => ({
      issuer: origin,
      jwks_uri: `${origin}/jwks`,
      id_token_signing_alg_values_supported: ['RS256'],
    }))
    const document = await fetchDiscovery(issuer, limits)
    assert.equal(document.issuer, issuer)
    assert.equal(document.jwks_uri, `${issuer}/jwks`)
    assert.deepEqual(document.id_token_signing_alg_values_supported, ['RS256'])
    assert.deepEqual(requests(), [wellKnown])
  })

  it('fetches the document below the path of an issuer with a path', async (t) => {
    const { issuer: origin, requests } = await issuerServing(t, (o) => ({
      issuer: `${o}/tenant-1`,
      jwks_uri: `${o}/tenant-1/keys`,
    }))
    const document = await fetchDiscovery(`${origin}/tenant-1`, limits)
    assert.equal(document.jwks_uri, `${origin}/tenant-1/keys`)
    assert.deepEqual(requests(), [`/tenant-1${wellKnown}`])
  })

  it('rejects a document whose issuer differs by a trailing slash, with the hint', async (t) => {
    const { issuer } = await issuerServing(t, (origin) => ({
      issuer: `${origin}/`,
      jwks_uri: `${origin}/jwks`,
    }))
    const error = await rejection(fetchDiscovery(issuer, limits))
    assert.equal(error.code, 'discovery_mismatch')
    assert.equal(error.check, 'discovery')
    assert.equal(error.expected, issuer)
    assert.equal(error.actual, `${issuer}/`)
    assert.equal(error.hint, 'trailing_slash')
    assert.equal(
      error.message,
      `discovery document issuer ${JSON.stringify(`${issuer}/`)} is not the configured issuer ${JSON.stringify(issuer)}: the values differ only by a trailing slash`,
    )
  })

  it('rejects a document that speaks for an unrelated issuer, without a hint', async (t) => {
    const { issuer } = await issuerServing(t, () => ({
      issuer: 'https://other-idp.example.net/realms/x',
      jwks_uri: 'https://other-idp.example.net/realms/x/certs',
    }))
    const error = await rejection(fetchDiscovery(issuer, limits))
    assert.equal(error.code, 'discovery_mismatch')
    assert.equal(error.expected, issuer)
    assert.equal(error.actual, 'https://other-idp.example.net/realms/x')
    assert.equal(error.hint, undefined)
    assert.equal(
      error.message,
      `discovery document issuer "https://other-idp.example.net/realms/x" is not the configured issuer ${JSON.stringify(issuer)}`,
    )
  })

  it('rejects a document without an issuer as a mismatch', async (t) => {
    const { issuer } = await issuerServing(t, (origin) => ({ jwks_uri: `${origin}/jwks` }))
    const error = await rejection(fetchDiscovery(issuer, limits))
    assert.equal(error.code, 'discovery_mismatch')
    assert.equal(error.expected, issuer)
    assert.equal(error.actual, 'missing')
    assert.equal(error.hint, undefined)
    assert.match(error.message, /has no issuer string: expected the configured issuer/)
  })

  it('rejects a document whose issuer is not a string as a mismatch', async (t) => {
    const { issuer } = await issuerServing(t, (origin) => ({
      issuer: 42,
      jwks_uri: `${origin}/jwks`,
    }))
    const error = await rejection(fetchDiscovery(issuer, limits))
    assert.equal(error.code, 'discovery_mismatch')
    assert.equal(error.expected, issuer)
    assert.equal(error.actual, 'number')
    assert.equal(error.hint, undefined)
  })

  it('rejects a document that is not a JSON object as jwks_unavailable', async (t) => {
    const { issuer } = await issuerServing(t, (origin) => [origin])
    const error = await rejection(fetchDiscovery(issuer, limits))
    assert.equal(error.code, 'jwks_unavailable')
    assert.equal(
      error.message,
      `discovery document ${JSON.stringify(discoveryUrl(issuer))} is not a JSON object`,
    )
    assert.equal(error.expected, 'a JSON object')
    assert.equal(error.actual, 'array')
    assert.equal(error.hint, undefined)
  })

  it('rejects a null document as jwks_unavailable', async (t) => {
    const { issuer } = await issuerServing(t, () => null)
    const error = await rejection(fetchDiscovery(issuer, limits))
    assert.equal(error.code, 'jwks_unavailable')
    assert.equal(error.actual, 'null')
  })

  it('rejects a document without jwks_uri as jwks_unavailable', async (t) => {
    const { issuer } = await issuerServing(t, (origin) => ({ issuer: origin }))
    const error = await rejection(fetchDiscovery(issuer, limits))
    assert.equal(error.code, 'jwks_unavailable')
    assert.equal(
      error.message,
      `discovery document ${JSON.stringify(discoveryUrl(issuer))} has no usable jwks_uri: expected an http or https URL, got missing`,
    )
    assert.equal(error.expected, 'an http or https URL')
    assert.equal(error.actual, 'missing')
    assert.equal(error.hint, undefined)
  })

  it('rejects a jwks_uri that is not an http or https URL', async (t) => {
    const { issuer } = await issuerServing(t, (origin) => ({
      issuer: origin,
      jwks_uri: 'file:///etc/passwd',
    }))
    const error = await rejection(fetchDiscovery(issuer, limits))
    assert.equal(error.code, 'jwks_unavailable')
    assert.match(
      error.message,
      /has no usable jwks_uri: expected an http or https URL, got "file:\/\/\/etc\/passwd"$/,
    )
    assert.equal(error.expected, 'an http or https URL')
    assert.equal(error.actual, 'file:///etc/passwd')
    assert.equal(error.hint, undefined)
  })

  it('reports a discovery endpoint that fails as jwks_unavailable naming the document', async (t) => {
    const server = await startLoopbackServer(t, (_req, res) =>
      sendJson(res, { error: 'nope' }, 404),
    )
    const error = await rejection(fetchDiscovery(server.origin, limits))
    assert.equal(error.code, 'jwks_unavailable')
    assert.equal(
      error.message,
      `could not fetch discovery document ${JSON.stringify(discoveryUrl(server.origin))}: HTTP 404`,
    )
    assert.equal(error.expected, '2xx')
    assert.equal(error.actual, 'HTTP 404')
    assert.equal(error.hint, undefined)
  })

  it('bounds the discovery request by the timeout', async (t) => {
    const server = await startLoopbackServer(t, () => {})
    const error = await rejection(fetchDiscovery(server.origin, { ...limits, timeoutMs: 200 }))
    assert.equal(error.code, 'jwks_unavailable')
    assert.match(error.message, /: timed out after 200 ms$/)
  })
})
