/** Bytes of r and of s in a JOSE ECDSA signature: P-256, P-384, P-521 (RFC 7518 §3.4). */
export type EcdsaPartBytes = 32 | 48 | 66

/**
 * Converts the DER `ECDSA-Sig-Value` (`SEQUENCE { r INTEGER, s INTEGER }`, RFC 3279 §2.2.3)
 * that `crypto.sign` returns for a bare EC `KeyObject` into JOSE's `r‖s` (RFC 7518 §3.4), each
 * integer left-padded to `partBytes`.
 *
 * Why not ask node:crypto for `dsaEncoding: 'ieee-p1363'`: on Node 24 passing an options object
 * makes an ES256 signature cost ~2.5× the bare-KeyObject call (104–117 µs against 42 µs in the
 * exchange bench's profile), and this conversion costs well under a microsecond. It is an
 * encoding step, not a crypto primitive: the signature is node:crypto's. It is parsed strictly —
 * DER, not BER: a short-form length wherever one fits, no trailing bytes, two INTEGERs that are
 * positive, minimally encoded and no longer than `partBytes` — so that if node:crypto ever
 * returned anything else, minting fails loudly instead of publishing a mangled signature.
 *
 * @returns The `2 × partBytes` signature, or undefined for anything that is not such a value.
 */
export function derToJose(der: Uint8Array, partBytes: EcdsaPartBytes): Buffer | undefined {
  if (der[0] !== 0x30) return undefined
  let offset = 2
  let length = der[1]
  if (length === undefined) return undefined
  if (length === 0x81) {
    // Long form only for 128 bytes or more (X.690 §10.1): P-521's signatures, up to 138.
    length = der[2]
    offset = 3
    if (length === undefined || length < 0x80) return undefined
  } else if (length >= 0x80) {
    // Indefinite (0x80) is BER; 0x82 and longer exceed any ECDSA-Sig-Value.
    return undefined
  }
  if (offset + length !== der.length) return undefined
  const jose = Buffer.alloc(partBytes * 2)
  const afterR = readInteger(der, offset, jose, 0, partBytes)
  if (afterR === undefined) return undefined
  return readInteger(der, afterR, jose, partBytes, partBytes) === der.length ? jose : undefined
}

/**
 * Copies the INTEGER at `offset` right-aligned into `out[at, at + partBytes)`; returns the
 * offset just after it, or undefined when it is not a positive, minimally encoded INTEGER of at
 * most `partBytes` value bytes inside `der`.
 */
function readInteger(
  der: Uint8Array,
  offset: number,
  out: Buffer,
  at: number,
  partBytes: number,
): number | undefined {
  if (der[offset] !== 0x02) return undefined
  const length = der[offset + 1]
  // At most partBytes + 1 (a 0x00 before a high bit) <= 67: a long-form length is refused too.
  if (length === undefined || length === 0 || length > partBytes + 1) return undefined
  let start = offset + 2
  const end = start + length
  if (end > der.length) return undefined
  const first = der[start] as number
  // A set high bit is a negative number; r and s are in [1, n - 1].
  if (first & 0x80) return undefined
  if (first === 0) {
    // A leading zero only keeps the next byte's high bit from reading as a sign (X.690
    // §8.3.2); anything else is not minimal — and 0x00 alone is zero, never a valid r or s.
    if (length === 1 || ((der[start + 1] as number) & 0x80) === 0) return undefined
    start += 1
  }
  if (end - start > partBytes) return undefined
  out.set(der.subarray(start, end), at + partBytes - (end - start))
  return end
}
