import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { describe, it } from 'node:test'
import { Metadata, type ServerUnaryCall, type ServiceError, status } from '@grpc/grpc-js'
import { codes, TesseraError } from '@tessera/verify'
import { createLogger } from '../../telemetry/index.ts'
import { correlationIdOf, deadlinePassed, unaryHandler } from './unary-handler.ts'

const now = 1_800_000_000_000

// A fake of grpc-js's unary call: only what the handler reads (request, metadata, deadline,
// cancelled). The transport itself is exercised over loopback in token-service.test.ts.
function fakeCall(options: { deadline?: Date | number; cancelled?: boolean; requestId?: string }) {
  const metadata = new Metadata()
  if (options.requestId !== undefined) metadata.set('x-request-id', options.requestId)
  return Object.assign(new EventEmitter(), {
    request: { value: 1 },
    metadata,
    cancelled: options.cancelled ?? false,
    getDeadline: () => options.deadline ?? Number.POSITIVE_INFINITY,
  }) as unknown as ServerUnaryCall<{ value: number }, { ok: boolean }> & { cancelled: boolean }
}

function capture() {
  const lines: Record<string, unknown>[] = []
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => lines.push(JSON.parse(line)) },
  })
  return { logger, lines }
}

function run(
  handler: ReturnType<typeof unaryHandler<{ value: number }, { ok: boolean }>>,
  call: ReturnType<typeof fakeCall>,
): Promise<{ error: Partial<ServiceError> | null; response?: { ok: boolean } | undefined }> {
  return new Promise((resolve) => {
    handler(call, (error, response) =>
      resolve({ error: error as Partial<ServiceError> | null, response: response ?? undefined }),
    )
  })
}

describe('deadlinePassed', () => {
  it('compares a Date or epoch milliseconds with now; Infinity never passes', () => {
    assert.equal(deadlinePassed(new Date(now - 1), now), true)
    assert.equal(deadlinePassed(now, now), true)
    assert.equal(deadlinePassed(now + 1, now), false)
    assert.equal(deadlinePassed(Number.POSITIVE_INFINITY, now), false)
  })
})

describe('correlationIdOf', () => {
  it("takes the caller's safe x-request-id and replaces an unsafe one", () => {
    const safe = new Metadata()
    safe.set('x-request-id', 'abc-1.2_3')
    assert.equal(correlationIdOf(safe), 'abc-1.2_3')
    const unsafe = new Metadata()
    unsafe.set('x-request-id', 'a b"c')
    assert.notEqual(correlationIdOf(unsafe), 'a b"c')
    assert.match(correlationIdOf(new Metadata()), /^[0-9a-f-]{36}$/)
  })
})

describe('unaryHandler', () => {
  it('does no work for a call whose deadline passed while queued', async () => {
    const { logger, lines } = capture()
    let worked = false
    const handler = unaryHandler<{ value: number }, { ok: boolean }>(
      'Exchange',
      logger,
      async () => {
        worked = true
        return { ok: true }
      },
      () => now,
    )
    const { error } = await run(handler, fakeCall({ deadline: new Date(now - 1000) }))
    assert.equal(error?.code, status.DEADLINE_EXCEEDED)
    assert.equal(worked, false)
    assert.equal(lines.at(-1)?.method, 'Exchange')
  })

  it('answers within the deadline, passing the correlation id to the work', async () => {
    const { logger } = capture()
    const handler = unaryHandler<{ value: number }, { ok: boolean }>(
      'Exchange',
      logger,
      async (request, correlationId) => ({ ok: request.value === 1 && correlationId === 'r-1' }),
      () => now,
    )
    const { error, response } = await run(
      handler,
      fakeCall({ deadline: now + 5000, requestId: 'r-1' }),
    )
    assert.equal(error, null)
    assert.deepEqual(response, { ok: true })
  })

  it('drops an answer (or a refusal) that is ready only after the call was cancelled', async () => {
    const { logger, lines } = capture()
    for (const outcome of ['answer', 'refusal'] as const) {
      const call = fakeCall({})
      let answered = false
      const handler = unaryHandler<{ value: number }, { ok: boolean }>(
        'Exchange',
        logger,
        async () => {
          call.cancelled = true // the client gave up while the engine worked
          if (outcome === 'refusal') {
            throw new TesseraError({ code: 'invalid_request', message: 'bad' })
          }
          return { ok: true }
        },
        () => now,
      )
      handler(call, () => {
        answered = true
      })
      // Two turns of the microtask queue let the work and its continuation run.
      await new Promise((resolve) => setImmediate(resolve))
      assert.equal(answered, false, outcome)
    }
    assert.ok(lines.some((line) => String(line.msg).includes('after it was cancelled')))
  })

  it('answers an unexpected failure as an opaque INTERNAL internal_error and logs it in full', async () => {
    const { logger, lines } = capture()
    const handler = unaryHandler<{ value: number }, { ok: boolean }>(
      'IssueIdentityToken',
      logger,
      async () => {
        throw new Error('disk on fire')
      },
      () => now,
    )
    const { error } = await run(handler, fakeCall({}))
    assert.equal(error?.code, status.INTERNAL)
    assert.equal(error?.details, `internal_error: ${codes.internal_error.summary}`)
    assert.deepEqual(error?.metadata?.get('tessera-error-code'), ['internal_error'])
    const logged = lines.find((line) => line.msg === 'call failed')
    assert.equal(logged?.level, 50)
    assert.equal(logged?.code, 'internal_error')
  })
})
