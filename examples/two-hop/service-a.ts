// Service A: an HTTP API (Fastify) that a CI job calls with a token minted for A. To call B it
// does not forward that token: it exchanges it at Tessera (RFC 8693) for a token for B, with
// its own workload token as actor_token, so B sees who acts for whom (act.sub = A).
import {
  type Client,
  credentials,
  Metadata,
  makeGenericClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js'
import { type Clock, createVerifier } from '@tessera/verify'
import { tesseraExchangeFetcher } from '@tessera/verify/client'
import { tesseraAuth } from '@tessera/verify/fastify'
import Fastify, { type FastifyInstance } from 'fastify'
import {
  type LedgerEntry,
  type LedgerReceipt,
  ledgerService,
  serviceBAudience,
} from './service-b.ts'

/** A's audience identifier, as in the inventory of tessera.yaml. */
export const serviceAAudience = 'https://service-a.example.org'

/** What A needs to know. */
export interface ServiceAOptions {
  readonly tesseraUrl: string
  /** B's gRPC address, host:port. */
  readonly serviceB: string
  /** A's own workload token (its platform's service-account token), for actor_token. */
  readonly workloadToken: () => string | Promise<string>
  readonly clock?: Clock
}

/** A started service A. */
export interface ServiceA {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly app: FastifyInstance
  close(): Promise<void>
}

/** Calls B's ledger with `token` as the Bearer credential. */
export function recordAtB(
  client: Client,
  token: string,
  entry: LedgerEntry,
): Promise<LedgerReceipt> {
  const metadata = new Metadata()
  metadata.set('authorization', `Bearer ${token}`)
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      ledgerService.Record?.path as string,
      (value: LedgerEntry) => Buffer.from(JSON.stringify(value)),
      (bytes: Buffer) => JSON.parse(bytes.toString('utf8')) as LedgerReceipt,
      entry,
      metadata,
      { deadline: Date.now() + 5000 },
      (error: ServiceError | null, receipt?: LedgerReceipt) =>
        error === null && receipt !== undefined ? resolve(receipt) : reject(error),
    )
  })
}

/** A gRPC client of B's ledger (plaintext: loopback only in this example). */
export function ledgerClient(address: string): Client {
  const Ledger = makeGenericClientConstructor(ledgerService, 'Ledger')
  return new Ledger(address, credentials.createInsecure())
}

/**
 * Starts A on 127.0.0.1. `POST /deploy` is verified by the Fastify adapter (a token from
 * Tessera for A's audience), then records the deployment at B with a token exchanged for B.
 */
export async function startServiceA(options: ServiceAOptions): Promise<ServiceA> {
  const verifier = createVerifier({
    issuers: [{ issuer: options.tesseraUrl, discovery: true }],
    audience: serviceAAudience,
    typ: 'at+jwt',
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  })
  const b = ledgerClient(options.serviceB)
  const app = Fastify()
  await app.register(tesseraAuth, { verifier })
  app.post('/deploy', async (request) => {
    // The adapter verified this exact credential (scheme Bearer) before the handler ran.
    const incoming = (request.headers.authorization ?? '').replace(/^Bearer /i, '')
    const forB = await tesseraExchangeFetcher({
      tokenUrl: `${options.tesseraUrl}/oauth2/token`,
      subjectToken: () => incoming,
      actorToken: options.workloadToken,
      audience: serviceBAudience,
      scope: ['ledger.write'],
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    })()
    const receipt = await recordAtB(b, forB.token, {
      note: `deploy requested by ${String(request.tessera?.claims.sub)}`,
    })
    return { calledBy: request.tessera?.claims.sub, ledger: receipt }
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return {
    url,
    app,
    close: async () => {
      b.close()
      await app.close()
    },
  }
}
