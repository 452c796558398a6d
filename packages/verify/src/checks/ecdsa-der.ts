/**
 * Converts a JOSE ECDSA signature (RFC 7518 §3.4: r‖s, each exactly `partBytes` long) to the
 * DER `ECDSA-Sig-Value` node:crypto verifies fastest with a bare KeyObject. Returns undefined
 * for a signature of the wrong length; DER input is never accepted.
 */
export function joseToDer(signature: Uint8Array, partBytes: number): Buffer | undefined {
  if (signature.length !== partBytes * 2) return undefined
  const r = integerBounds(signature, 0, partBytes)
  const s = integerBounds(signature, partBytes, partBytes * 2)
  const rLen = r.end - r.start + r.pad
  const sLen = s.end - s.start + s.pad
  const body = 2 + rLen + 2 + sLen
  // P-521 signatures exceed 127 bytes of content: long-form length (X.690 §8.1.3.5).
  const head = body < 128 ? 2 : 3
  const der = Buffer.allocUnsafe(head + body)
  let o = 0
  der[o++] = 0x30
  if (head === 3) der[o++] = 0x81
  der[o++] = body
  o = writeInteger(der, o, signature, r, rLen)
  writeInteger(der, o, signature, s, sLen)
  return der
}

interface Bounds {
  start: number
  end: number
  /** 1 when a 0x00 byte must precede the value to keep it positive. */
  pad: number
}

function integerBounds(sig: Uint8Array, start: number, end: number): Bounds {
  let i = start
  // Minimal encoding (X.690 §8.3.2): drop leading zero bytes but keep one byte for zero.
  while (i < end - 1 && sig[i] === 0) i++
  return { start: i, end, pad: (sig[i] as number) & 0x80 ? 1 : 0 }
}

function writeInteger(
  der: Buffer,
  offset: number,
  sig: Uint8Array,
  b: Bounds,
  len: number,
): number {
  let o = offset
  der[o++] = 0x02
  der[o++] = len
  if (b.pad) der[o++] = 0
  der.set(sig.subarray(b.start, b.end), o)
  return o + (b.end - b.start)
}
