import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Answers one request of a loopback test server. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void

/** A real HTTP server on 127.0.0.1 with a swappable handler and a request log. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly origin: string
  /** Requests received so far, all paths. */
  readonly requests: number
  /** The paths requested so far, in order. */
  readonly paths: readonly string[]
  /** An absolute URL on this server. */
  url(path: string): string
  /** Requests received so far for one path. */
  requestsTo(path: string): number
  /** Replaces the handler for the following requests. */
  setHandler(handler: RequestHandler): void
}

/** What `startLoopbackServer` needs from a `node:test` context: somewhere to register cleanup. */
export interface CleanupContext {
  after(fn: () => unknown): void
}

/**
 * Starts a server on 127.0.0.1, port 0, closed (with every open connection, including
 * hanging ones) when the test ends.
 */
export async function startLoopbackServer(
  t: CleanupContext,
  handler: RequestHandler,
): Promise<LoopbackServer> {
  let current = handler
  const paths: string[] = []
  const server = createServer((req, res) => {
    paths.push(req.url ?? '')
    current(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    get requests() {
      return paths.length
    },
    get paths() {
      return [...paths]
    },
    url: (path) => `${origin}${path}`,
    requestsTo: (path) => paths.filter((p) => p === path).length,
    setHandler: (next) => {
      current = next
    },
  }
}

/** Answers with a JSON body (status 200 unless given) and extra headers. */
export function sendJson(
  res: ServerResponse,
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  })
  res.end(text)
}

/** Returns the origin of a loopback port nothing listens on (a server was opened there and closed). */
export async function closedPortOrigin(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}
