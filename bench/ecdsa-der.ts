/**
 * JOSE ECDSA P-256 signatures are r‖s (32 + 32 bytes); node:crypto's fastest verify path takes
 * DER (ECDSA-Sig-Value). The same conversion as the ceiling of verify.bench.ts: one allocation.
 */
export function p1363ToDer(sig: Buffer): Buffer {
  let r = 0
  while (r < 31 && sig[r] === 0) r++
  let s = 32
  while (s < 63 && sig[s] === 0) s++
  const rPad = (sig[r] as number) >= 0x80 ? 1 : 0
  const sPad = (sig[s] as number) >= 0x80 ? 1 : 0
  const rLen = 32 - r + rPad
  const sLen = 64 - s + sPad
  const der = Buffer.allocUnsafe(6 + rLen + sLen)
  der[0] = 0x30
  der[1] = 4 + rLen + sLen
  der[2] = 0x02
  der[3] = rLen
  if (rPad) der[4] = 0
  sig.copy(der, 4 + rPad, r, 32)
  const o = 4 + rLen
  der[o] = 0x02
  der[o + 1] = sLen
  if (sPad) der[o + 2] = 0
  sig.copy(der, o + 2 + sPad, s, 64)
  return der
}

/**
 * DER ECDSA-Sig-Value (what `crypto.sign` returns for a bare EC KeyObject) to JOSE r‖s for
 * P-256. On Node 24, signing with a bare KeyObject and converting is faster than asking
 * node:crypto for `dsaEncoding: 'ieee-p1363'` through an options object.
 */
export function derToP1363(der: Buffer): Buffer {
  const out = Buffer.alloc(64)
  // 0x30 len 0x02 rLen r 0x02 sLen s (lengths < 128 for P-256).
  const rLen = der[3] as number
  const r = der.subarray(4, 4 + rLen)
  const sLen = der[5 + rLen] as number
  const s = der.subarray(6 + rLen, 6 + rLen + sLen)
  r.subarray(Math.max(0, r.length - 32)).copy(out, 32 - Math.min(32, r.length))
  s.subarray(Math.max(0, s.length - 32)).copy(out, 64 - Math.min(32, s.length))
  return out
}
