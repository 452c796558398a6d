// A loopback proxy in front of Tessera that a test switches to pass, fail (connection reset)
// or hang (never answer), and that logs every request with the test's clock.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { Socket } from 'node:net'

/** What the proxy does with the next requests. */
export type ProxyMode = 'pass' | 'fail' | 'hang'

/** One request seen by the proxy. */
export interface ProxyRequest {
  /** The test clock (epoch seconds) when the request arrived. */
  readonly at: number
  readonly mode: ProxyMode
  readonly path: string
  /** The attestation field the body carried: `joinToken` or `token`. */
  readonly attestation: string | undefined
}

/** A started proxy. */
export interface FaultProxy {
  readonly url: string
  readonly requests: ProxyRequest[]
  mode: ProxyMode
  close(): Promise<void>
}

/** Starts a proxy on 127.0.0.1:0 forwarding to `target` (an http:// base URL). */
export async function startFaultProxy(target: string, clock: () => number): Promise<FaultProxy> {
  const sockets = new Set<Socket>()
  const proxy: FaultProxy = {
    url: '',
    requests: [],
    mode: 'pass',
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
  const server: Server = createServer(async (request, response) => {
    const body = await readBody(request)
    const mode = proxy.mode
    proxy.requests.push({
      at: clock(),
      mode,
      path: request.url ?? '',
      attestation: attestationField(body),
    })
    if (mode === 'hang') return
    if (mode === 'fail') {
      request.socket.destroy()
      return
    }
    const answer = await fetch(`${target}${request.url ?? ''}`, {
      method: request.method ?? 'GET',
      headers: { 'content-type': request.headers['content-type'] ?? 'application/json' },
      ...(request.method === 'POST' ? { body } : {}),
    })
    response.writeHead(answer.status, {
      'content-type': answer.headers.get('content-type') ?? 'application/json',
    })
    response.end(Buffer.from(await answer.arrayBuffer()))
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  ;(proxy as { url: string }).url = `http://127.0.0.1:${port}`
  return proxy
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function attestationField(body: string): string | undefined {
  try {
    const record = JSON.parse(body) as Record<string, unknown>
    return ['joinToken', 'token'].find((k) => k in record)
  } catch {
    return undefined
  }
}
