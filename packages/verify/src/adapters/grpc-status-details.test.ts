import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import protobuf from 'protobufjs'
import {
  decodeErrorInfo,
  decodeStatusDetails,
  encodeErrorInfo,
  encodeStatusDetails,
  errorInfoDomain,
  errorInfoTypeUrl,
} from './grpc-status-details.ts'

// An independent protobuf implementation (protobufjs, installed with @grpc/proto-loader) reads
// and writes the same messages, so the hand-written wire format is checked against another one.
const root = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: {
              fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } },
            },
          },
        },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: 'int32', id: 1 },
                message: { type: 'string', id: 2 },
                details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
              },
            },
            ErrorInfo: {
              fields: {
                reason: { type: 'string', id: 1 },
                domain: { type: 'string', id: 2 },
                metadata: { keyType: 'string', type: 'string', id: 3 },
              },
            },
          },
        },
      },
    },
  },
} as protobuf.INamespace)
const Status = root.lookupType('google.rpc.Status')
const ErrorInfo = root.lookupType('google.rpc.ErrorInfo')

describe('grpc-status-details', () => {
  it('encodes google.rpc.Status with one ErrorInfo as protobufjs reads it', () => {
    const bytes = encodeStatusDetails(16, 'expired: the token expired — déjà', 'expired')
    const status = Status.toObject(Status.decode(bytes), { bytes: Buffer }) as {
      code: number
      message: string
      details: { type_url: string; value: Buffer }[]
    }
    assert.equal(status.code, 16)
    assert.equal(status.message, 'expired: the token expired — déjà')
    assert.equal(status.details.length, 1)
    assert.equal(status.details[0]?.type_url, errorInfoTypeUrl)
    const info = ErrorInfo.toObject(ErrorInfo.decode(status.details[0]?.value as Buffer))
    assert.deepEqual(info, { reason: 'expired', domain: errorInfoDomain })
  })

  it('encodes ErrorInfo metadata as the map protobufjs reads, and reads it back', () => {
    const bytes = encodeStatusDetails(16, 'm', 'audience_mismatch', { hint: 'trailing_slash' })
    const status = Status.toObject(Status.decode(bytes), { bytes: Buffer }) as {
      details: { value: Buffer }[]
    }
    const value = status.details[0]?.value as Buffer
    assert.deepEqual(ErrorInfo.toObject(ErrorInfo.decode(value)), {
      reason: 'audience_mismatch',
      domain: errorInfoDomain,
      metadata: { hint: 'trailing_slash' },
    })
    assert.deepEqual(decodeErrorInfo(value).metadata, { hint: 'trailing_slash' })
  })

  it('decodes what protobufjs writes, ErrorInfo metadata included', () => {
    const info = ErrorInfo.encode(
      ErrorInfo.create({ reason: 'replay', domain: 'tessera.dev', metadata: { k: 'v' } }),
    ).finish()
    const bytes = Buffer.from(
      Status.encode(
        Status.create({
          code: 300,
          message: 'm'.repeat(200),
          details: [{ type_url: errorInfoTypeUrl, value: info }],
        }),
      ).finish(),
    )
    const decoded = decodeStatusDetails(bytes)
    assert.equal(decoded.code, 300)
    assert.equal(decoded.message, 'm'.repeat(200))
    const decodedInfo = decodeErrorInfo(decoded.details[0]?.value as Buffer)
    assert.equal(decodedInfo.reason, 'replay')
    assert.equal(decodedInfo.domain, 'tessera.dev')
    assert.deepEqual(decodedInfo.metadata, { k: 'v' })
  })

  it('round-trips, omitting proto3 defaults', () => {
    assert.deepEqual(decodeStatusDetails(encodeStatusDetails(0, '', 'x')).code, 0)
    assert.deepEqual(decodeStatusDetails(encodeStatusDetails(300, 'm', 'x')).code, 300)
    assert.deepEqual(decodeErrorInfo(encodeErrorInfo({ reason: 'a', domain: 'b' })), {
      reason: 'a',
      domain: 'b',
    })
  })

  it('refuses truncated or unsupported input', () => {
    assert.throws(() => decodeStatusDetails(Buffer.from([0x08])), /truncated varint/)
    assert.throws(() => decodeStatusDetails(Buffer.from([0x12, 0x05, 0x61])), /truncated length/)
    assert.throws(() => decodeStatusDetails(Buffer.from([0x0d, 0, 0, 0, 0])), /wire type 5/)
    assert.throws(() => decodeStatusDetails(Buffer.from(Array(11).fill(0xff))), /varint too long/)
  })
})
