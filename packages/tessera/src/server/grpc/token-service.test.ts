import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import {
  type Client,
  credentials,
  Metadata,
  makeGenericClientConstructor,
  type ServiceError,
  status,
} from '@grpc/grpc-js'
import { decodeErrorInfo, decodeStatusDetails, errorInfoTypeUrl } from '@tessera/verify/grpc'
import { createJoinToken } from '../../issuer/index.ts'
import { createWorld, decodeParts, payments, type World } from '../../sts/testing/world.ts'
import { createLogger } from '../../telemetry/index.ts'
import {
  maxGrpcMessageBytes,
  type RunningGrpcServer,
  startGrpcServer,
} from './start-grpc-server.ts'
import { tokenServiceDefinition } from './token-service-definition.ts'

const jwtType = 'urn:ietf:params:oauth:token-type:jwt'

type Unary = (
  request: Record<string, unknown>,
  metadata: Metadata,
  callback: (error: ServiceError | null, response?: Record<string, unknown>) => void,
) => void

/** Decodes a refused call's `grpc-status-details-bin` as a client reading gRPC's rich errors does. */
function statusDetailsOf(error: ServiceError | undefined) {
  const [bin] = error?.metadata.get('grpc-status-details-bin') ?? []
  assert.ok(Buffer.isBuffer(bin), 'grpc-status-details-bin is present')
  const decoded = decodeStatusDetails(bin)
  assert.equal(decoded.details.length, 1)
  assert.equal(decoded.details[0]?.typeUrl, errorInfoTypeUrl)
  return { ...decoded, info: decodeErrorInfo(decoded.details[0]?.value as Buffer) }
}

/** Calls one RPC of the real client, resolving with the response or the ServiceError. */
function call(
  client: Client,
  method: 'Exchange' | 'IssueIdentityToken',
  request: Record<string, unknown>,
  metadata = new Metadata(),
): Promise<{ response?: Record<string, unknown>; error?: ServiceError }> {
  const rpc = (client as unknown as Record<string, Unary>)[method] as Unary
  return new Promise((resolve) => {
    rpc.call(client, request, metadata, (error, response) =>
      resolve(error === null ? { response: response as Record<string, unknown> } : { error }),
    )
  })
}

describe('gRPC TokenService over loopback', () => {
  let world: World
  let server: RunningGrpcServer
  let client: Client
  const logs: Record<string, unknown>[] = []

  before(async () => {
    world = await createWorld()
    server = await startGrpcServer({
      engine: world.engine,
      listen: { host: '127.0.0.1', port: 0 },
      logger: createLogger({
        level: 'info',
        destination: { write: (line: string) => logs.push(JSON.parse(line)) },
      }),
    })
    const TokenService = makeGenericClientConstructor(tokenServiceDefinition(), 'TokenService')
    // The client may send anything: the server's limit is what is under test.
    client = new TokenService(server.address, credentials.createInsecure(), {
      'grpc.max_send_message_length': -1,
    })
  })
  after(async () => {
    client.close()
    await server.close()
    await server.close() // idempotent
  })

  it('exchanges a subject token (RFC 8693 fields) through the engine, dialect grpc', async () => {
    const metadata = new Metadata()
    metadata.set('x-request-id', 'req-42')
    const { response, error } = await call(
      client,
      'Exchange',
      {
        subject_token: world.idpToken({
          sub: 'repo:acme/payments:ref:refs/heads/main',
          repository: 'acme/payments',
          repository_owner: 'acme',
        }),
        subject_token_type: jwtType,
        audience: payments,
        scope: ['payments.read', 'payments.read'],
        client_id: 'deployer',
      },
      metadata,
    )
    assert.equal(error, undefined)
    assert.equal(response?.token_type, 'Bearer')
    assert.equal(response?.issued_token_type, 'urn:ietf:params:oauth:token-type:access_token')
    assert.equal(response?.scope, 'payments.read')
    assert.equal(response?.correlation_id, 'req-42')
    assert.equal(response?.expires_in, 600)
    const { header, claims } = decodeParts(response?.access_token as string)
    assert.equal(header.typ, 'at+jwt')
    assert.equal(claims.aud, payments)
    assert.equal(claims.sub, 'spiffe://example.org/ci/acme/payments')
    assert.equal(claims.client_id, 'ci-deploy')
    const record = world.audit.records.at(-1)
    assert.equal(record?.dialect, 'grpc')
    assert.equal(record?.decision, 'allow')
    assert.equal(record?.clientId, 'deployer')
    assert.equal(record?.correlationId, 'req-42')
  })

  it('issues a workload identity token for a join token', async () => {
    const { token: joinToken } = await createJoinToken({
      store: world.joinTokens,
      spiffeId: 'spiffe://example.org/svc/a',
      ttlSeconds: 600,
      clock: world.clock,
    })
    const { response, error } = await call(client, 'IssueIdentityToken', {
      join_token: joinToken,
      audience: payments,
      ttl_seconds: 60,
    })
    assert.equal(error, undefined)
    assert.equal(response?.subject, 'spiffe://example.org/svc/a')
    assert.equal(response?.audience, payments)
    assert.equal(response?.expires_in, 60)
    assert.equal(response?.expires_at, world.now + 60)
    assert.match(response?.correlation_id as string, /^[0-9a-f-]{36}$|^generated-/)
    const { claims } = decodeParts(response?.token as string)
    assert.equal(claims.sub, 'spiffe://example.org/svc/a')
    assert.equal(claims.aud, payments)
  })

  it('answers a policy denial as PERMISSION_DENIED with its code in the trailing metadata', async () => {
    const { error } = await call(client, 'Exchange', {
      subject_token: world.idpToken({ sub: 'repo:evil/thing' }),
      subject_token_type: jwtType,
      audience: payments,
    })
    assert.equal(error?.code, status.PERMISSION_DENIED)
    assert.deepEqual(error?.metadata.get('tessera-error-code'), ['policy_denied'])
    // policy_denied goes out at summary at most: the code's summary and the deciding policy.
    assert.match(error?.details ?? '', /^policy_denied: .+ \(policy "blocked"\)$/)
    assert.equal(error?.metadata.get('tessera-correlation-id').length, 1)
    const rich = statusDetailsOf(error)
    assert.equal(rich.code, status.PERMISSION_DENIED)
    assert.equal(rich.message, error?.details)
    assert.deepEqual(rich.info, { reason: 'policy_denied', domain: 'tessera.dev' })
    const record = world.audit.records.at(-1)
    assert.equal(record?.decision, 'deny')
    assert.equal(record?.code, 'policy_denied')
    assert.ok(logs.some((line) => line.code === 'policy_denied' && line.msg === 'call refused'))
  })

  it('gives the full message of a detail-exposure rejection, and its hint', async () => {
    const { error } = await call(client, 'Exchange', {
      subject_token: world.idpToken({
        sub: 'repo:acme/payments:x',
        aud: 'https://tessera.example.org/',
      }),
      subject_token_type: jwtType,
      audience: payments,
    })
    assert.equal(error?.code, status.UNAUTHENTICATED)
    assert.deepEqual(error?.metadata.get('tessera-error-code'), ['audience_mismatch'])
    assert.deepEqual(error?.metadata.get('tessera-error-hint'), ['trailing_slash'])
    assert.match(error?.details ?? '', /differ only by a trailing slash/)
    assert.doesNotMatch(error?.details ?? '', /^audience_mismatch: /)
    const rich = statusDetailsOf(error)
    assert.equal(rich.code, status.UNAUTHENTICATED)
    assert.deepEqual(rich.info, {
      reason: 'audience_mismatch',
      domain: 'tessera.dev',
      metadata: { hint: 'trailing_slash' },
    })
  })

  it('refuses a malformed request before the engine: INVALID_ARGUMENT, invalid_request', async () => {
    const before = world.audit.records.length
    const missing = await call(client, 'Exchange', {
      subject_token_type: jwtType,
      audience: payments,
    })
    assert.equal(missing.error?.code, status.INVALID_ARGUMENT)
    assert.deepEqual(missing.error?.metadata.get('tessera-error-code'), ['invalid_request'])
    const badScope = await call(client, 'Exchange', {
      subject_token: 'x.y.z',
      subject_token_type: jwtType,
      audience: payments,
      scope: ['two scopes'],
    })
    assert.equal(badScope.error?.code, status.INVALID_ARGUMENT)
    assert.match(badScope.error?.details ?? '', /one scope per entry/)
    const both = await call(client, 'IssueIdentityToken', {
      join_token: 'tjt_a',
      subject_token: 'x.y.z',
      audience: payments,
    })
    assert.deepEqual(both.error?.metadata.get('tessera-error-code'), ['invalid_request'])
    assert.equal(world.audit.records.length, before + 1) // only the missing subject reached the engine
  })

  it('refuses a message over 64 KiB with RESOURCE_EXHAUSTED before decoding it', async () => {
    const before = world.audit.records.length
    const { error } = await call(client, 'Exchange', {
      subject_token: 'a'.repeat(maxGrpcMessageBytes + 1),
      subject_token_type: jwtType,
      audience: payments,
    })
    assert.equal(error?.code, status.RESOURCE_EXHAUSTED)
    assert.equal(world.audit.records.length, before)
  })

  it('refuses a token over the presented-token limit inside the message limit: too_large', async () => {
    const { error } = await call(client, 'Exchange', {
      subject_token: 'a'.repeat(20 * 1024),
      subject_token_type: jwtType,
      audience: payments,
    })
    assert.equal(error?.code, status.UNAUTHENTICATED)
    assert.deepEqual(error?.metadata.get('tessera-error-code'), ['too_large'])
  })
})

describe('startGrpcServer', () => {
  it('serves over TLS with the certificate and key it is given', async () => {
    const world = await createWorld()
    const fixtures = new URL('../../config/fixtures/', import.meta.url)
    const cert = readFileSync(new URL('tls-cert.pem', fixtures), 'utf8')
    const server = await startGrpcServer({
      engine: world.engine,
      listen: { host: '127.0.0.1', port: 0 },
      tls: { cert, key: readFileSync(new URL('tls-key.pem', fixtures), 'utf8') },
      logger: createLogger({ level: 'silent' }),
    })
    const TokenService = makeGenericClientConstructor(tokenServiceDefinition(), 'TokenService')
    // The fixture certificate names localhost (CN); the client trusts exactly it.
    const client = new TokenService(server.address, credentials.createSsl(Buffer.from(cert)), {
      'grpc.ssl_target_name_override': 'localhost',
    })
    try {
      const { error } = await call(client, 'Exchange', { subject_token_type: jwtType })
      assert.deepEqual(error?.metadata.get('tessera-error-code'), ['invalid_request'])
    } finally {
      client.close()
      await server.close()
    }
  })

  it('refuses an address it cannot bind with invalid_config naming server.grpcListen', async () => {
    const world = await createWorld()
    // 192.0.2.1 (TEST-NET-1, RFC 5737) is on no interface of this host: binding fails at once.
    const started = startGrpcServer({
      engine: world.engine,
      listen: { host: '192.0.2.1', port: 0 },
      logger: createLogger({ level: 'silent' }),
    })
    started.then(
      (server) => server.close(),
      () => {},
    )
    await assert.rejects(started, (error: unknown) => {
      const e = error as { code?: string; problems?: { path: string }[] }
      assert.equal(e.code, 'invalid_config')
      assert.equal(e.problems?.[0]?.path, '/server/grpcListen')
      return true
    })
  })
})
