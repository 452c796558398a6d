import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { status } from '@grpc/grpc-js'
import { codes, TesseraError } from '@tessera/verify'
import { decodeErrorInfo, decodeStatusDetails } from '@tessera/verify/grpc'
import { tokenTypes } from '../../sts/index.ts'
import { createWorld, payments } from '../../sts/testing/world.ts'
import { errorMetadataKeys, renderGrpcError } from './render-grpc-error.ts'

describe('renderGrpcError', () => {
  it("adds the policy author's message to a condition_failed summary", async () => {
    const world = await createWorld()
    const refused = await world.engine
      .exchange({
        dialect: 'grpc',
        correlationId: 'c-1',
        subjectToken: world.idpToken({ sub: 'cond:1', run_attempt: '2' }),
        subjectTokenType: tokenTypes.jwt,
        audience: payments,
        scopes: [],
      })
      .then(
        () => assert.fail('the condition should refuse'),
        (error: unknown) => error,
      )
    const answer = renderGrpcError(refused, 'c-1')
    assert.equal(answer.code, status.PERMISSION_DENIED)
    assert.equal(
      answer.details,
      `condition_failed: ${codes.condition_failed.summary} (policy "first-attempts"): first attempts only`,
    )
    assert.deepEqual(answer.metadata.get(errorMetadataKeys.code), ['condition_failed'])
    assert.deepEqual(answer.metadata.get(errorMetadataKeys.correlationId), ['c-1'])
  })

  it('shows an opaque code only as its code and summary, without hint', () => {
    const answer = renderGrpcError(
      new TesseraError({
        code: 'invalid_config',
        message: 'secret path /etc/x is unreadable',
        hint: 'case',
      }),
      'c-2',
    )
    assert.equal(answer.code, status.INTERNAL)
    assert.equal(answer.details, `invalid_config: ${codes.invalid_config.summary}`)
    assert.deepEqual(answer.metadata.get(errorMetadataKeys.hint), [])
    // The hint stays out of the status details too: they go to the same caller.
    const [bin] = answer.metadata.get(errorMetadataKeys.statusDetails)
    const details = decodeStatusDetails(bin as Buffer)
    assert.equal(details.code, status.INTERNAL)
    assert.deepEqual(decodeErrorInfo(details.details[0]?.value as Buffer), {
      reason: 'invalid_config',
      domain: 'tessera.dev',
    })
  })

  it('maps every code to the status named in the code table', () => {
    for (const [code, info] of Object.entries(codes)) {
      const answer = renderGrpcError(
        new TesseraError({ code: code as keyof typeof codes, message: 'm' }),
        'c',
      )
      assert.equal(answer.code, status[info.grpc], code)
    }
  })
})
