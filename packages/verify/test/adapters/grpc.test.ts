import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  type ChannelCredentials,
  credentials,
  type handleServerStreamingCall,
  type handleUnaryCall,
  Metadata,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type ServiceError,
  status,
} from '@grpc/grpc-js'
import {
  type GrpcAdapterOptions,
  tesseraResult,
  tesseraServerInterceptor,
} from '../../src/adapters/grpc.ts'
import { decodeErrorInfo, decodeStatusDetails } from '../../src/adapters/grpc-status-details.ts'
import { requireScopes } from '../../src/authorize/request-policy.ts'
import { createDpopProof } from '../../src/dpop/create-proof.ts'
import { generateDpopKeyPair } from '../../src/dpop/generate-key-pair.ts'
import { createDpopNonceSource } from '../../src/dpop/nonce-source.ts'
import { TesseraError } from '../../src/explain/tessera-error.ts'
import { jwkThumbprint } from '../../src/keys/import-jwk.ts'
import type { Verifier } from '../../src/verifier/types.ts'
import { audience, clock, now, subject, tampered, tls, token, verifier, x5t } from './support.ts'

type Who = { sub?: string; binding?: string; n?: number }
const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer) => JSON.parse(bytes.toString('utf8')) as Who,
}
const service: ServiceDefinition = {
  whoAmI: {
    path: '/tessera.test.Echo/WhoAmI',
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
  count: {
    path: '/tessera.test.Echo/Count',
    requestStream: false,
    responseStream: true,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
  ping: {
    path: '/tessera.test.Echo/Ping',
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
}
const EchoClient = makeGenericClientConstructor(service, 'Echo')
type UnaryMethod = (
  request: Who,
  metadata: Metadata,
  callback: (error: ServiceError | null, value: Who) => void,
) => void
interface Client {
  whoAmI: UnaryMethod
  ping: UnaryMethod
  count(request: Who, metadata: Metadata): NodeJS.ReadableStream
  close(): void
}

const whoAmI: handleUnaryCall<Who, Who> = (call, callback) => {
  const result = tesseraResult(call)
  callback(null, { sub: String(result?.claims.sub), binding: String(result?.binding) })
}
const count: handleServerStreamingCall<Who, Who> = (call) => {
  const result = tesseraResult(call)
  for (let n = 1; n <= 3; n++) call.write({ sub: String(result?.claims.sub), n })
  call.end()
}
const ping: handleUnaryCall<Who, Who> = (call, callback) => {
  callback(null, { binding: tesseraResult(call) === undefined ? 'none' : 'verified' })
}

async function serve(
  options: GrpcAdapterOptions,
  serverCredentials = ServerCredentials.createInsecure(),
  channel: ChannelCredentials = credentials.createInsecure(),
): Promise<{ server: Server; client: Client }> {
  const server = new Server({ interceptors: [tesseraServerInterceptor(options)] })
  server.addService(service, { whoAmI, count, ping })
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', serverCredentials, (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  )
  const client = new EchoClient(`127.0.0.1:${port}`, channel) as unknown as Client
  return { server, client }
}

function unary(client: Client, bearer?: string): Promise<Who> {
  const metadata = new Metadata()
  if (bearer !== undefined) metadata.set('authorization', bearer)
  return new Promise((resolve, reject) => {
    client.whoAmI({}, metadata, (error, value) => (error ? reject(error) : resolve(value)))
  })
}

function streamed(client: Client, bearer: string): Promise<Who[]> {
  const metadata = new Metadata()
  metadata.set('authorization', bearer)
  return new Promise((resolve, reject) => {
    const items: Who[] = []
    const call = client.count({}, metadata)
    call.on('data', (item: Who) => items.push(item))
    call.on('error', reject)
    call.on('end', () => resolve(items))
  })
}

/** Asserts a rejected call's status, details and trailers; returns the error. */
function assertRejected(error: unknown, code: number, tesseraCode: string, hint?: string): true {
  const e = error as ServiceError
  assert.equal(e.code, code)
  assert.match(e.details, new RegExp(`^${tesseraCode}: `))
  assert.deepEqual(e.metadata.get('tessera-error-code'), [tesseraCode])
  const [bin] = e.metadata.get('grpc-status-details-bin')
  assert.ok(Buffer.isBuffer(bin))
  const decoded = decodeStatusDetails(bin)
  assert.equal(decoded.code, code)
  assert.equal(decoded.message, e.details)
  assert.equal(decoded.details.length, 1)
  assert.equal(decoded.details[0]?.typeUrl, 'type.googleapis.com/google.rpc.ErrorInfo')
  assert.deepEqual(decodeErrorInfo(decoded.details[0]?.value as Buffer), {
    reason: tesseraCode,
    domain: 'tessera.dev',
    ...(hint === undefined ? {} : { metadata: { hint } }),
  })
  assert.deepEqual(e.metadata.get('tessera-error-hint'), hint === undefined ? [] : [hint])
  return true
}

describe('tesseraServerInterceptor (grpc-js)', () => {
  let server: Server
  let client: Client
  before(async () => {
    ;({ server, client } = await serve({
      verifier: verifier(),
      policy: requireScopes('read'),
      skip: (call) => call.path === '/tessera.test.Echo/Ping',
    }))
  })
  after(() => {
    client.close()
    server.forceShutdown()
  })

  it('accepts a valid Bearer token on a unary call; the handler sees the claims', async () => {
    assert.deepEqual(await unary(client, `Bearer ${token()}`), { sub: subject, binding: 'bearer' })
  })

  it('accepts a valid token on a server-streaming call', async () => {
    const items = await streamed(client, `Bearer ${token()}`)
    assert.deepEqual(
      items.map((i) => [i.sub, i.n]),
      [
        [subject, 1],
        [subject, 2],
        [subject, 3],
      ],
    )
  })

  it('rejects a call without credentials with UNAUTHENTICATED missing_credentials', async () => {
    await assert.rejects(unary(client), (e) =>
      assertRejected(e, status.UNAUTHENTICATED, 'missing_credentials'),
    )
  })

  it('rejects a bad token with UNAUTHENTICATED and the code in trailers and details', async () => {
    await assert.rejects(unary(client, `Bearer ${tampered(token())}`), (e) =>
      assertRejected(e, status.UNAUTHENTICATED, 'bad_signature'),
    )
  })

  it('carries the near-miss hint in a tessera-error-hint trailer and in ErrorInfo metadata', async () => {
    await assert.rejects(unary(client, `Bearer ${token({ aud: `${audience}/` })}`), (e) =>
      assertRejected(e, status.UNAUTHENTICATED, 'audience_mismatch', 'trailing_slash'),
    )
  })

  it('rejects a policy denial with PERMISSION_DENIED insufficient_scope', async () => {
    await assert.rejects(unary(client, `Bearer ${token({ scope: 'write' })}`), (e) =>
      assertRejected(e, status.PERMISSION_DENIED, 'insufficient_scope'),
    )
  })

  it('rejects a server-streaming call before the handler runs', async () => {
    await assert.rejects(streamed(client, `Bearer ${token({ exp: 1 })}`), (e) =>
      assertRejected(e, status.UNAUTHENTICATED, 'expired'),
    )
  })

  it('lets skipped methods through unverified', async () => {
    const value = await new Promise<Who>((resolve, reject) =>
      client.ping({}, new Metadata(), (error, v) => (error ? reject(error) : resolve(v))),
    )
    assert.deepEqual(value, { binding: 'none' })
  })

  it('refuses invalid options with invalid_options', () => {
    assert.throws(
      () => tesseraServerInterceptor({ verifier: {} as Verifier }),
      (error: unknown) => error instanceof TesseraError && error.code === 'invalid_options',
    )
  })
})

describe('delegation rules over gRPC', () => {
  const actor = 'spiffe://example.org/svc/gateway'
  const open = async (options: GrpcAdapterOptions) => {
    const served = await serve(options)
    return {
      client: served.client,
      close: () => {
        served.client.close()
        served.server.forceShutdown()
      },
    }
  }

  it('rejects an act chain deeper than maxDepth with PERMISSION_DENIED delegation_too_deep', async (t) => {
    const { client, close } = await open({ verifier: verifier({ delegation: { maxDepth: 1 } }) })
    t.after(close)
    assert.deepEqual(await unary(client, `Bearer ${token({ act: { sub: actor } })}`), {
      sub: subject,
      binding: 'bearer',
    })
    const nested = token({ act: { sub: actor, act: { sub: 'spiffe://example.org/svc/edge' } } })
    await assert.rejects(unary(client, `Bearer ${nested}`), (e) =>
      assertRejected(e, status.PERMISSION_DENIED, 'delegation_too_deep'),
    )
  })

  it('rejects an actor outside allowedActors with PERMISSION_DENIED actor_not_allowed', async (t) => {
    const { client, close } = await open({
      verifier: verifier({ delegation: { allowedActors: ['spiffe://example.org/svc/*'] } }),
    })
    t.after(close)
    assert.deepEqual(await unary(client, `Bearer ${token({ act: { sub: actor } })}`), {
      sub: subject,
      binding: 'bearer',
    })
    const outside = token({ act: { sub: 'spiffe://example.org/ns/ci/sa/runner' } })
    await assert.rejects(unary(client, `Bearer ${outside}`), (e) =>
      assertRejected(e, status.PERMISSION_DENIED, 'actor_not_allowed'),
    )
  })
})

describe('mTLS-bound tokens over gRPC', () => {
  let server: Server
  let client: Client
  before(async () => {
    ;({ server, client } = await serve(
      { verifier: verifier() },
      ServerCredentials.createSsl(
        tls.ca,
        [{ cert_chain: tls.server.cert, private_key: tls.server.key }],
        true,
      ),
      credentials.createSsl(tls.ca, tls.clientA.key, tls.clientA.cert),
    ))
  })
  after(() => {
    client.close()
    server.forceShutdown()
  })

  it("accepts a token bound to the client's certificate", async () => {
    const bound = token({ cnf: { 'x5t#S256': x5t(tls.clientA.cert) } })
    assert.deepEqual(await unary(client, `Bearer ${bound}`), { sub: subject, binding: 'mtls' })
  })

  it('rejects a token bound to another certificate with binding_mismatch', async () => {
    const bound = token({ cnf: { 'x5t#S256': x5t(tls.clientB.cert) } })
    await assert.rejects(unary(client, `Bearer ${bound}`), (e) =>
      assertRejected(e, status.UNAUTHENTICATED, 'binding_mismatch'),
    )
  })
})

describe('DPoP over gRPC', () => {
  it('answers a proof without nonce with use_dpop_nonce and a dpop-nonce trailer; the retry succeeds', async (t) => {
    const { server, client } = await serve({
      verifier: verifier({ dpop: { nonce: createDpopNonceSource({ clock }) } }),
      publicOrigin: 'https://api.tessera.test',
    })
    t.after(() => {
      client.close()
      server.forceShutdown()
    })
    const key = generateDpopKeyPair()
    const at = token({ cnf: { jkt: jwkThumbprint(key.publicJwk as Record<string, unknown>) } })
    const call = (nonce?: string) => {
      const metadata = new Metadata()
      metadata.set('authorization', `DPoP ${at}`)
      const url = 'https://api.tessera.test/tessera.test.Echo/WhoAmI'
      metadata.set(
        'dpop',
        createDpopProof({
          key,
          method: 'POST',
          url,
          accessToken: at,
          now,
          ...(nonce ? { nonce } : {}),
        }),
      )
      return new Promise<Who>((resolve, reject) =>
        client.whoAmI({}, metadata, (error, value) => (error ? reject(error) : resolve(value))),
      )
    }
    let nonce = ''
    await assert.rejects(call(), (e) => {
      assertRejected(e, status.UNAUTHENTICATED, 'use_dpop_nonce')
      nonce = String((e as ServiceError).metadata.get('dpop-nonce')[0])
      return true
    })
    assert.notEqual(nonce, '')
    assert.deepEqual(await call(nonce), { sub: subject, binding: 'dpop' })
  })
})
