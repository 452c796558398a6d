// Service B: a gRPC ledger that only accepts tokens minted for it. The interceptor from
// @tessera/verify/grpc verifies every call before the handler runs; a token minted for another
// service (one forwarded by A) is refused with audience_mismatch.
import {
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServiceDefinition,
  type sendUnaryData,
} from '@grpc/grpc-js'
import { type Clock, createVerifier, type Verifier } from '@tessera/verify'
import { tesseraResult, tesseraServerInterceptor } from '@tessera/verify/grpc'

/** B's audience identifier, as in the inventory of tessera.yaml. */
export const serviceBAudience = 'https://service-b.example.org'

/** What B records, and answers with. */
export interface LedgerEntry {
  readonly note: string
}

/** B's answer: who the entry was recorded for, and who acted for them. */
export interface LedgerReceipt {
  readonly recordedFor: string
  readonly actor: string | null
  readonly note: string
}

const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer) => JSON.parse(bytes.toString('utf8')),
}

/** `twohop.Ledger/Record` with JSON messages (a real service would use a .proto). */
export const ledgerService: ServiceDefinition = {
  Record: {
    path: '/twohop.Ledger/Record',
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
}

/** A started service B. */
export interface ServiceB {
  /** `127.0.0.1:<port>` */
  readonly address: string
  /** B's verifier (the example's test asks it directly for the near-miss hint). */
  readonly verifier: Verifier
  close(): Promise<void>
}

/**
 * Starts B on 127.0.0.1: it trusts Tessera (`tesseraUrl`, keys by OIDC discovery), accepts
 * only at+jwt access tokens for its own audience, and only service A as a delegate.
 */
export async function startServiceB(options: {
  readonly tesseraUrl: string
  readonly clock?: Clock
}): Promise<ServiceB> {
  const verifier = createVerifier({
    issuers: [{ issuer: options.tesseraUrl, discovery: true }],
    audience: serviceBAudience,
    typ: 'at+jwt',
    // RFC 8693 §4.1: act.sub is who is acting; only A may act for anyone here.
    delegation: { maxDepth: 1, allowedActors: ['system:serviceaccount:shop:service-a'] },
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  })
  const server = new Server({ interceptors: [tesseraServerInterceptor({ verifier })] })
  server.addService(ledgerService, {
    Record: (
      call: ServerUnaryCall<LedgerEntry, LedgerReceipt>,
      done: sendUnaryData<LedgerReceipt>,
    ) => {
      // Set by the interceptor: the call only reaches the handler once its token verified.
      const verified = tesseraResult(call)
      done(null, {
        recordedFor: String(verified?.claims.sub),
        actor: verified?.actor ?? null,
        note: call.request.note,
      })
    },
  })
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error === null ? resolve(bound) : reject(error),
    ),
  )
  return {
    address: `127.0.0.1:${port}`,
    verifier,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  }
}
