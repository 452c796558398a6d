// A hand-sized protobuf writer and reader for the one message the gRPC adapter sends in the
// `grpc-status-details-bin` trailer, so the adapter needs no protobuf runtime. Wire format:
// https://protobuf.dev/programming-guides/encoding/ (varint and length-delimited fields only).
//
//   google.rpc.Status    { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
//   google.protobuf.Any  { string type_url = 1; bytes value = 2; }
//   google.rpc.ErrorInfo { string reason = 1; string domain = 2; map<string, string> metadata = 3; }

/** The `type_url` of `google.rpc.ErrorInfo` inside a `google.protobuf.Any`. */
export const errorInfoTypeUrl = 'type.googleapis.com/google.rpc.ErrorInfo'

/** The `ErrorInfo.domain` of every Tessera error. */
export const errorInfoDomain = 'tessera.dev'

/** A decoded `google.rpc.Status` carrying `google.rpc.ErrorInfo` details. */
export interface GrpcStatusDetails {
  readonly code: number
  readonly message: string
  readonly details: readonly { readonly typeUrl: string; readonly value: Buffer }[]
}

/** A `google.rpc.ErrorInfo`; Tessera puts the near-miss hint id in `metadata.hint`. */
export interface ErrorInfo {
  readonly reason: string
  readonly domain: string
  /** Absent when the message has no metadata entries. */
  readonly metadata?: Readonly<Record<string, string>>
}

const WIRE_VARINT = 0
const WIRE_LEN = 2

function varint(value: number): number[] {
  const out: number[] = []
  // int32 negatives are sign-extended to 10 bytes on the wire; status codes are never negative.
  let v = value >>> 0
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80)
    v >>>= 7
  }
  out.push(v)
  return out
}

function lenField(field: number, bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(field << 3) | WIRE_LEN, ...varint(bytes.length)]), bytes])
}

/** Encodes `google.rpc.ErrorInfo { reason, domain, metadata }`. */
export function encodeErrorInfo(info: ErrorInfo): Buffer {
  const parts = [
    lenField(1, Buffer.from(info.reason, 'utf8')),
    lenField(2, Buffer.from(info.domain, 'utf8')),
  ]
  // A map field is a repeated entry message { string key = 1; string value = 2; }.
  for (const [key, value] of Object.entries(info.metadata ?? {})) {
    parts.push(
      lenField(
        3,
        Buffer.concat([
          lenField(1, Buffer.from(key, 'utf8')),
          lenField(2, Buffer.from(value, 'utf8')),
        ]),
      ),
    )
  }
  return Buffer.concat(parts)
}

/**
 * Encodes `google.rpc.Status { code, message, details: [Any(ErrorInfo{ reason, domain: "tessera.dev", metadata })] }`,
 * the value of the `grpc-status-details-bin` trailer (gRPC's richer error model). `reason` is
 * the Tessera error code; `metadata` carries `{ hint }` when the rejection has a near-miss hint.
 * @example
 * trailers.set('grpc-status-details-bin', encodeStatusDetails(status.UNAUTHENTICATED, details, 'expired'))
 */
export function encodeStatusDetails(
  code: number,
  message: string,
  reason: string,
  metadata?: Readonly<Record<string, string>>,
): Buffer {
  const any = Buffer.concat([
    lenField(1, Buffer.from(errorInfoTypeUrl, 'utf8')),
    lenField(
      2,
      encodeErrorInfo({
        reason,
        domain: errorInfoDomain,
        ...(metadata === undefined ? {} : { metadata }),
      }),
    ),
  ])
  const parts: Buffer[] = []
  // proto3 omits a field holding its default value (code 0, empty message).
  if (code !== 0) parts.push(Buffer.from([(1 << 3) | WIRE_VARINT, ...varint(code)]))
  if (message !== '') parts.push(lenField(2, Buffer.from(message, 'utf8')))
  parts.push(lenField(3, any))
  return Buffer.concat(parts)
}

interface Field {
  readonly field: number
  readonly value: number | Buffer
}

// Reads every top-level field of a message; throws on truncation or unsupported wire types.
function* fields(bytes: Buffer): Generator<Field> {
  let at = 0
  const readVarint = (): number => {
    let result = 0
    let shift = 0
    for (;;) {
      if (at >= bytes.length) throw new Error('protobuf: truncated varint')
      const b = bytes[at++] as number
      if (shift < 32) result += (b & 0x7f) * 2 ** shift
      if ((b & 0x80) === 0) return result
      shift += 7
      if (shift > 63) throw new Error('protobuf: varint too long')
    }
  }
  while (at < bytes.length) {
    const key = readVarint()
    const field = Math.floor(key / 8)
    const wire = key % 8
    if (wire === WIRE_VARINT) yield { field, value: readVarint() }
    else if (wire === WIRE_LEN) {
      const length = readVarint()
      if (at + length > bytes.length) throw new Error('protobuf: truncated length-delimited field')
      yield { field, value: bytes.subarray(at, at + length) }
      at += length
    } else throw new Error(`protobuf: unsupported wire type ${wire}`)
  }
}

/** Decodes a `google.rpc.Status` (the inverse of `encodeStatusDetails`, for clients and tests). */
export function decodeStatusDetails(bytes: Buffer): GrpcStatusDetails {
  let code = 0
  let message = ''
  const details: { typeUrl: string; value: Buffer }[] = []
  for (const f of fields(bytes)) {
    if (f.field === 1 && typeof f.value === 'number') code = f.value | 0
    else if (f.field === 2 && Buffer.isBuffer(f.value)) message = f.value.toString('utf8')
    else if (f.field === 3 && Buffer.isBuffer(f.value)) {
      let typeUrl = ''
      let value: Buffer = Buffer.alloc(0)
      for (const a of fields(f.value)) {
        if (a.field === 1 && Buffer.isBuffer(a.value)) typeUrl = a.value.toString('utf8')
        else if (a.field === 2 && Buffer.isBuffer(a.value)) value = a.value
      }
      details.push({ typeUrl, value })
    }
  }
  return { code, message, details }
}

/** Decodes a `google.rpc.ErrorInfo`. */
export function decodeErrorInfo(bytes: Buffer): ErrorInfo {
  let reason = ''
  let domain = ''
  const entries: [string, string][] = []
  for (const f of fields(bytes)) {
    if (f.field === 1 && Buffer.isBuffer(f.value)) reason = f.value.toString('utf8')
    else if (f.field === 2 && Buffer.isBuffer(f.value)) domain = f.value.toString('utf8')
    else if (f.field === 3 && Buffer.isBuffer(f.value)) {
      let key = ''
      let value = ''
      for (const e of fields(f.value)) {
        if (e.field === 1 && Buffer.isBuffer(e.value)) key = e.value.toString('utf8')
        else if (e.field === 2 && Buffer.isBuffer(e.value)) value = e.value.toString('utf8')
      }
      entries.push([key, value])
    }
  }
  // fromEntries defines own properties, so a "__proto__" key cannot reach the prototype.
  return entries.length === 0
    ? { reason, domain }
    : { reason, domain, metadata: Object.fromEntries(entries) }
}
