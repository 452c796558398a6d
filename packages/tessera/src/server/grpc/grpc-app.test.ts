import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import {
  type Client,
  credentials,
  Metadata,
  makeGenericClientConstructor,
  type ServiceError,
  status,
} from '@grpc/grpc-js'
import { startTessera } from '../../app.ts'
import { parseConfig } from '../../config/index.ts'
import { captureLog, payments, writeFixtureConfig } from '../http/testing/tessera-fixture.ts'
import { tokenServiceDefinition } from './token-service-definition.ts'

type Unary = (
  request: unknown,
  metadata: Metadata,
  callback: (error: ServiceError | null) => void,
) => void

const minimal = (grpcListen: string) => `server:
  grpcListen: ${JSON.stringify(grpcListen)}
  publicUrl: https://tessera.test
trustDomain: example.org
issuer:
  keyEncryptionKey: env:KEK
store:
  kind: memory
`

describe('server.grpcListen', () => {
  it('compiles host:port, and is absent unless set', () => {
    const config = parseConfig(minimal('127.0.0.1:50051'), 'grpc.yaml')
    assert.deepEqual(config.server.grpcListen, { host: '127.0.0.1', port: 50051 })
    const without = parseConfig(minimal('x').replace(/ {2}grpcListen.*\n/, ''), 'plain.yaml')
    assert.equal(without.server.grpcListen, undefined)
  })

  it('refuses an address that is not host:port, naming /server/grpcListen', () => {
    assert.throws(
      () => parseConfig(minimal('50051'), 'bad.yaml'),
      (error: unknown) => {
        const e = error as { code: string; problems: { path: string; message: string }[] }
        assert.equal(e.code, 'invalid_config')
        assert.deepEqual(
          e.problems.map((p) => p.path),
          ['/server/grpcListen'],
        )
        assert.match(e.problems[0]?.message ?? '', /127\.0\.0\.1:50051/)
        return true
      },
    )
  })

  it('starts the gRPC token service with Tessera and closes it with Tessera', async () => {
    const files = await writeFixtureConfig()
    writeFileSync(
      files.configPath,
      files.configText().replace('  publicUrl:', '  grpcListen: 127.0.0.1:0\n  publicUrl:'),
    )
    const log = captureLog()
    const running = await startTessera({
      configPath: files.configPath,
      env: {},
      logger: log.logger,
    })
    let client: Client | undefined
    try {
      assert.match(running.grpcAddress ?? '', /^127\.0\.0\.1:\d+$/)
      const TokenService = makeGenericClientConstructor(tokenServiceDefinition(), 'TokenService')
      client = new TokenService(running.grpcAddress as string, credentials.createInsecure())
      const rpc = (client as unknown as Record<string, Unary>).IssueIdentityToken as Unary
      const error = await new Promise<ServiceError | null>((resolve) =>
        rpc.call(
          client,
          { join_token: 'tjt_unknown', audience: payments },
          new Metadata(),
          resolve,
        ),
      )
      // The same engine as HTTP: an unknown join token is refused, audited, with its code.
      assert.equal(error?.code, status.UNAUTHENTICATED)
      assert.deepEqual(error?.metadata.get('tessera-error-code'), ['join_token_invalid'])
      const started = log.lines.find((line) => line.msg === 'tessera started')
      assert.equal(started?.grpc, running.grpcAddress)
    } finally {
      client?.close()
      await running.close()
      files.remove()
    }
  })
})
