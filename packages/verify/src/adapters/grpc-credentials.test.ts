import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import {
  type Client,
  credentials,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type ServiceError,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js'
import { closedPortOrigin } from '../../test/support/http-server.ts'
import { tesseraExchangeFetcher } from '../client/exchange-fetcher.ts'
import { createTokenSource, type TokenSource } from '../client/token-source.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import { tesseraCallCredentials } from './grpc-credentials.ts'

const fixtures = new URL('../../test/fixtures/tls/', import.meta.url)
const read = (name: string) => readFileSync(new URL(name, fixtures))

const identity = (value: Buffer) => value
// A one-method service without a .proto: raw bytes in, raw bytes out.
const echoService: ServiceDefinition = {
  whoAmI: {
    path: '/tessera.test.Echo/WhoAmI',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName: 'whoAmI',
  },
}

/** A TLS gRPC server on 127.0.0.1:0 that answers with the authorization metadata it got. */
async function startEchoServer(t: { after(fn: () => unknown): void }) {
  const seen: (string | undefined)[] = []
  const server = new Server()
  const implementation: UntypedServiceImplementation = {
    whoAmI: (
      call: { metadata: { get(key: string): unknown[] } },
      callback: (e: null, v: Buffer) => void,
    ) => {
      const authorization = call.metadata.get('authorization')[0] as string | undefined
      seen.push(authorization)
      callback(null, Buffer.from(authorization ?? ''))
    },
  }
  server.addService(echoService, implementation)
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      '127.0.0.1:0',
      ServerCredentials.createSsl(null, [
        { cert_chain: read('server.crt'), private_key: read('server.key') },
      ]),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    ),
  )
  t.after(() => server.forceShutdown())
  return { port, seen }
}

function client(port: number, source: TokenSource, t: { after(fn: () => unknown): void }) {
  const Echo = makeGenericClientConstructor(echoService, 'Echo')
  const instance = new Echo(
    `127.0.0.1:${port}`,
    credentials.combineChannelCredentials(
      credentials.createSsl(read('ca.crt')),
      tesseraCallCredentials(source),
    ),
    // SNI may not carry an IP address (RFC 6066): name the certificate's DNS SAN instead.
    { 'grpc.ssl_target_name_override': 'localhost' },
  ) as unknown as Client & {
    whoAmI(req: Buffer, cb: (e: ServiceError | null, v?: Buffer) => void): void
  }
  t.after(() => instance.close())
  return (): Promise<string> =>
    new Promise((resolve, reject) =>
      instance.whoAmI(Buffer.alloc(0), (error, value) =>
        error ? reject(error) : resolve((value as Buffer).toString()),
      ),
    )
}

describe('tesseraCallCredentials', () => {
  it('sends authorization: Bearer <token> from the source on every call', async (t) => {
    const { port, seen } = await startEchoServer(t)
    let fetched = 0
    const source = createTokenSource({
      fetchToken: async () => ({ token: `tok-${++fetched}`, expiresAt: 2000 }),
      clock: () => 1000,
    })
    const call = client(port, source, t)
    assert.equal(await call(), 'Bearer tok-1')
    assert.equal(await call(), 'Bearer tok-1')
    assert.deepEqual(seen, ['Bearer tok-1', 'Bearer tok-1'])
    assert.equal(fetched, 1)
  })

  it('fails the call before sending it when the source has no token, with the status of the code', async (t) => {
    const { port, seen } = await startEchoServer(t)
    const cases: [unknown, number, RegExp][] = [
      [
        new TesseraError({ code: 'jwks_unavailable', message: 'token endpoint answered HTTP 503' }),
        status.UNAVAILABLE,
        /tessera jwks_unavailable: token endpoint answered HTTP 503/,
      ],
      [
        new TesseraError({ code: 'no_matching_policy', message: 'no policy' }),
        status.PERMISSION_DENIED,
        /tessera no_matching_policy/,
      ],
      [new Error('boom'), status.INTERNAL, /tessera internal_error: the token source failed/],
    ]
    for (const [error, code, details] of cases) {
      const failing: TokenSource = { token: () => Promise.reject(error) }
      await assert.rejects(client(port, failing, t)(), (e: ServiceError) => {
        assert.equal(e.code, code)
        assert.match(e.details, details)
        return true
      })
    }
    assert.deepEqual(seen, [])
  })

  it('fails the call with UNAVAILABLE when the Tessera server cannot be reached', async (t) => {
    const { port, seen } = await startEchoServer(t)
    const tokenUrl = `${await closedPortOrigin()}/oauth2/token`
    const source = createTokenSource({
      fetchToken: tesseraExchangeFetcher({
        tokenUrl,
        subjectToken: () => 'subject',
        audience: 'https://payments.example.org',
      }),
    })
    await assert.rejects(client(port, source, t)(), (e: ServiceError) => {
      assert.equal(e.code, status.UNAVAILABLE)
      assert.ok(
        e.details.endsWith(
          `tessera upstream_unavailable: token exchange at ${new URL(tokenUrl).origin} failed: network error (ECONNREFUSED)`,
        ),
        e.details,
      )
      return true
    })
    assert.deepEqual(seen, [])
  })
})
