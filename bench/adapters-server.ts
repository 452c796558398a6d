/**
 * The server side of the adapter bench, run as a child process by `adapters.bench.ts` (so the
 * load generators and the servers never share an event loop or a core). It serves nine targets,
 * three per framework that differ only in how the token is verified:
 *
 *   fastify  GET /v1/orders/7 on Fastify 5: bare | by hand | with the `@tessera/verify/fastify` plugin
 *   express  GET /v1/orders/7 on Express 5: bare | by hand | behind `@tessera/verify/express`'s middleware
 *   grpc     unary `/bench.Orders/Get` on grpc-js: bare | by hand | with `@tessera/verify/grpc`'s interceptor
 *
 * `bare` verifies nothing. `byHand` is what a service writes without the adapter, in the handler:
 * read `authorization` (gRPC: the metadata), strip `Bearer `, `await verifier.verify(token)`, put
 * the claims on the request (gRPC: keep them for the call), answer — a 401 / UNAUTHENTICATED when
 * either step fails. So adapter vs by hand isolates what the adapter adds around the same
 * signature verification. Every target shares one verifier (ES256, a local JWKS, the system
 * clock) and answers the same bytes; a verifying handler first checks that it has claims (a
 * 500 / INTERNAL otherwise, which aborts the bench). It generates an ES256 key and a
 * pool of distinct tokens valid for an hour, sends `{ targets, tokens }` to the parent over
 * IPC, then answers the parent's requests: `cpu` (this process's CPU time, to charge each load
 * run its server CPU) and `verify-cost` (µs per `verifier.verify()` and per
 * `verifier.verifyRequest()` on the same pool, in this process, between load runs), until
 * `stop`.
 *
 *   node --conditions=tessera-source bench/adapters-server.ts [--pool 16]
 */
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { parseArgs } from 'node:util'
import {
  Server,
  ServerCredentials,
  type ServerInterceptor,
  type ServerUnaryCall,
  type ServiceDefinition,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js'
import { createVerifier, type JwtClaims } from '@tessera/verify'
import { tesseraMiddleware } from '@tessera/verify/express'
import { tesseraAuth } from '@tessera/verify/fastify'
import { tesseraResult, tesseraServerInterceptor } from '@tessera/verify/grpc'
import express from 'express'
import Fastify from 'fastify'
import { opsPerSecond, runSlice } from './measure.ts'

const { values } = parseArgs({ options: { pool: { type: 'string', default: '16' } } })
// A power of two, as runSlice requires.
const poolSize = 2 ** Math.max(1, Math.round(Math.log2(Number(values.pool) || 16)))

const issuer = 'https://issuer.bench.example'
const audience = 'https://orders.bench.example'
const kid = 'bench-es256-1'
const path = '/v1/orders/7'
const grpcPath = '/bench.Orders/Get'

/** The adapters under test. */
export type AdapterName = 'fastify' | 'express' | 'grpc'

/** How a target verifies: not at all, by hand in the handler, or through the adapter. */
export type Side = 'bare' | 'byHand' | 'adapter'

/** Where the parent reaches one framework's targets: HTTP base URLs, or gRPC `host:port`. */
export type TargetSet = Readonly<Record<Side, string>>

/** What the child sends the parent once every server is up. */
export interface AdaptersReady {
  readonly type: 'ready'
  readonly targets: Readonly<Record<AdapterName, TargetSet>>
  readonly path: string
  readonly grpcPath: string
  /** Distinct valid ES256 tokens (a power of two of them). */
  readonly tokens: readonly string[]
  readonly pid: number
}

/** A request from the parent, answered by a message with the same `id`. */
export type AdaptersCommand =
  | { readonly type: 'cpu'; readonly id: number }
  | { readonly type: 'verify-cost'; readonly id: number; readonly ms: number }
  | { readonly type: 'stop' }

/** The answers to `AdaptersCommand`s. */
export type AdaptersAnswer =
  | { readonly type: 'cpu'; readonly id: number; readonly micros: number }
  | {
      readonly type: 'verify-cost'
      readonly id: number
      readonly verifyUs: number
      readonly verifyRequestUs: number
    }

const b64u = (data: string | Uint8Array): string => Buffer.from(data).toString('base64url')

// ---------------------------------------------------------------------------------------------
// Key, JWKS and tokens (a service-to-service workload token).

const key = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const jwk = { ...key.publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }
const now = Math.floor(Date.now() / 1000)
const header = b64u(JSON.stringify({ alg: 'ES256', kid, typ: 'JWT' }))
const tokens: string[] = []
for (let i = 0; i < poolSize; i++) {
  const input = `${header}.${b64u(
    JSON.stringify({
      iss: issuer,
      sub: 'spiffe://prod.example/ns/shop/sa/checkout',
      aud: audience,
      iat: now - 5,
      nbf: now - 5,
      exp: now + 3600,
      jti: randomUUID(),
      scope: 'orders.read',
    }),
  )}`
  const signature = sign('sha256', Buffer.from(input), {
    key: key.privateKey,
    dsaEncoding: 'ieee-p1363',
  })
  // Flattened (not a cons string), as a token read off the wire is.
  tokens.push(Buffer.from(`${input}.${b64u(signature)}`, 'latin1').toString('latin1'))
}

const verifier = createVerifier({
  issuers: [{ issuer, jwks: { keys: [jwk] }, algorithms: ['ES256'] }],
  audience,
  maxLifetime: 7200,
  requiredClaims: ['jti', 'sub'],
})

const body = JSON.stringify({ id: 7, status: 'paid', total: '12.50' })
const reply = Buffer.from(body)

/** The by-hand targets' credential parsing: the token after `Bearer `, or undefined. */
function bearerToken(authorization: string | undefined): string | undefined {
  return authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined
}

/** `verifier.verify` of the Bearer token, or undefined when it is missing or rejected. */
async function verifyByHand(authorization: string | undefined): Promise<JwtClaims | undefined> {
  const token = bearerToken(authorization)
  if (token === undefined) return undefined
  try {
    return (await verifier.verify(token)).claims
  } catch {
    return undefined
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The by-hand target's verified claims. */
    claims: JwtClaims | null
  }
}
declare global {
  namespace Express {
    interface Request {
      /** The by-hand target's verified claims. */
      claims?: JwtClaims
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Fastify (separate instances: the plugin reaches every route).

async function fastifyTarget(side: Side): Promise<string> {
  const app = Fastify({ logger: false })
  if (side === 'adapter') {
    await app.register(tesseraAuth, { verifier })
    app.get(path, async (request, res) => {
      if (request.tessera === null) return res.code(500).send()
      return res.type('application/json').send(body)
    })
  } else if (side === 'byHand') {
    app.decorateRequest('claims', null)
    app.get(path, async (request, res) => {
      const claims = await verifyByHand(request.headers.authorization)
      if (claims === undefined) return res.code(401).send()
      request.claims = claims
      if (request.claims.sub === undefined) return res.code(500).send()
      return res.type('application/json').send(body)
    })
  } else {
    app.get(path, async (_request, res) => res.type('application/json').send(body))
  }
  return app.listen({ host: '127.0.0.1', port: 0 })
}

// ---------------------------------------------------------------------------------------------
// Express.

function expressTarget(side: Side): Promise<string> {
  const app = express()
  app.disable('x-powered-by')
  app.disable('etag')
  if (side === 'byHand') {
    app.get(path, async (req, res) => {
      const claims = await verifyByHand(req.headers.authorization)
      if (claims === undefined) {
        res.status(401).end()
        return
      }
      req.claims = claims
      if (req.claims.sub === undefined) res.status(500).end()
      else res.type('application/json').send(body)
    })
  } else if (side === 'adapter') {
    app.use(tesseraMiddleware({ verifier }))
    app.get(path, (req, res) => {
      if (req.tessera === undefined) res.status(500).end()
      else res.type('application/json').send(body)
    })
  } else {
    app.get(path, (_req, res) => {
      res.type('application/json').send(body)
    })
  }
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', (error?: Error) => {
      if (error) reject(error)
      else resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
    })
  })
}

// ---------------------------------------------------------------------------------------------
// grpc-js: one unary method on raw bytes (no protobuf runtime, so the serialisation cost is the
// same tiny copy on every side).

const identity = (b: Buffer): Buffer => b
const ordersService: ServiceDefinition = {
  Get: {
    path: grpcPath,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName: 'get',
  },
}

function grpcTarget(side: Side): Promise<string> {
  const interceptors: ServerInterceptor[] =
    side === 'adapter' ? [tesseraServerInterceptor({ verifier })] : []
  const server = new Server({ interceptors })
  type Handler = (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => void
  const handlers: Record<Side, Handler> = {
    bare: (_call, callback) => callback(null, reply),
    async byHand(call, callback) {
      const [authorization] = call.metadata.get('authorization')
      const claims = await verifyByHand(
        typeof authorization === 'string' ? authorization : undefined,
      )
      if (claims === undefined) callback({ code: status.UNAUTHENTICATED })
      else if (claims.sub === undefined) callback({ code: status.INTERNAL })
      else callback(null, reply)
    },
    adapter(call, callback) {
      if (tesseraResult(call) === undefined)
        callback({ code: status.INTERNAL, details: 'no verified result' })
      else callback(null, reply)
    },
  }
  server.addService(ordersService, { Get: handlers[side] })
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
      if (error) reject(error)
      else resolve(`127.0.0.1:${port}`)
    })
  })
}

// ---------------------------------------------------------------------------------------------
// Verification alone, on the same verifier and pool.

const authorizations = tokens.map((t) => `Bearer ${t}`)
const requestUrl = `http://127.0.0.1${path}`

async function verifyCost(ms: number): Promise<{ verifyUs: number; verifyRequestUs: number }> {
  const verify = { name: 'verify', kind: 'async', run: (t: string) => verifier.verify(t) } as const
  const verifyRequest = {
    name: 'verifyRequest',
    kind: 'async',
    run: (authorization: string) =>
      verifier.verifyRequest({ method: 'GET', url: requestUrl, authorization }),
  } as const
  const a = opsPerSecond(await runSlice(verify, tokens, ms))
  const b = opsPerSecond(await runSlice(verifyRequest, authorizations, ms))
  return { verifyUs: 1e6 / a, verifyRequestUs: 1e6 / b }
}

// ---------------------------------------------------------------------------------------------
// Start, then serve the parent.

async function targetSet(start: (side: Side) => Promise<string>): Promise<TargetSet> {
  return {
    bare: await start('bare'),
    byHand: await start('byHand'),
    adapter: await start('adapter'),
  }
}

const targets: Record<AdapterName, TargetSet> = {
  fastify: await targetSet(fastifyTarget),
  express: await targetSet(expressTarget),
  grpc: await targetSet(grpcTarget),
}
// Nothing may be measured doing nothing: the shared verifier accepts the whole pool.
for (const token of tokens) await verifier.verify(token)

// process.exit still writes a --cpu-prof profile. The parent went away: do not linger.
process.on('disconnect', () => process.exit(0))
process.on('message', async (message: AdaptersCommand) => {
  if (message.type === 'stop') process.exit(0)
  if (message.type === 'cpu') {
    const usage = process.cpuUsage()
    const answer: AdaptersAnswer = {
      type: 'cpu',
      id: message.id,
      micros: usage.user + usage.system,
    }
    process.send?.(answer)
  } else if (message.type === 'verify-cost') {
    const cost = await verifyCost(message.ms)
    const answer: AdaptersAnswer = { type: 'verify-cost', id: message.id, ...cost }
    process.send?.(answer)
  }
})
const ready: AdaptersReady = {
  type: 'ready',
  targets,
  path,
  grpcPath,
  tokens,
  pid: process.pid,
}
process.send?.(ready)
