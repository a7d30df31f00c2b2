/**
 * Internet checksum (RFC 1071) with incremental update (RFC 1624) and the pseudo-headers of
 * RFC 768/793 (IPv4) and RFC 8200 §8.1 (IPv6).
 *
 * Partial sums are kept unfolded in a plain number (sums of 16-bit words never leave the safe
 * integer range for any packet a buffer can hold) and folded once at the end, so callers can
 * chain pseudo-header, header and payload sums without allocation.
 */

/** Unfolded sum of the 16-bit big-endian words of `buf[off, off+len)`, added to `initial`. An odd
 * trailing byte is padded with zero (RFC 1071 §4.1). */
export function sumWords(buf: Uint8Array, off: number, len: number, initial: number): number {
  let sum = initial;
  const end = off + (len & ~1);
  let i = off;
  // Unrolled by 4 words: the loop is the whole cost of checksumming a 1500-byte packet.
  const end8 = off + (len & ~7);
  for (; i < end8; i += 8) {
    sum += ((buf[i]! << 8) | buf[i + 1]!) + ((buf[i + 2]! << 8) | buf[i + 3]!) +
      ((buf[i + 4]! << 8) | buf[i + 5]!) + ((buf[i + 6]! << 8) | buf[i + 7]!);
  }
  for (; i < end; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if (len & 1) sum += buf[off + len - 1]! << 8;
  return sum;
}

/** Folds an unfolded sum to 16 bits (end-around carry). */
export function foldSum(sum: number): number {
  // 2^16 ≡ 1 (mod 0xffff), so moving the high part down keeps the ones' complement value. One
  // such step can leave a sum just above 2^32 (from 2^48 up), which `>>> 16` would truncate, so
  // repeat until it fits; below 2^32 two end-around folds suffice.
  while (sum > 0xffffffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** The checksum field value for data whose unfolded sum (checksum field zeroed) is `sum`. */
export function finishChecksum(sum: number): number {
  return ~foldSum(sum) & 0xffff;
}

/** Checksum of `buf[off, off+len)` plus `initial` (e.g. a pseudo-header sum). */
export function internetChecksum(buf: Uint8Array, off: number, len: number, initial = 0): number {
  return finishChecksum(sumWords(buf, off, len, initial));
}

/** True when data including its checksum field sums to 0xffff (RFC 1071 §2 verification). */
export function verifyChecksum(buf: Uint8Array, off: number, len: number, initial = 0): boolean {
  return foldSum(sumWords(buf, off, len, initial)) === 0xffff;
}

/** Unfolded IPv4 pseudo-header sum (RFC 768, RFC 793 §3.1): addresses at `srcOff`/`dstOff`
 * (4 bytes each), protocol and upper-layer length. */
export function pseudoHeaderSum4(buf: Uint8Array, srcOff: number, dstOff: number, protocol: number, length: number): number {
  return sumWords(buf, srcOff, 4, 0) + sumWords(buf, dstOff, 4, 0) + protocol + length;
}

/** Unfolded IPv6 pseudo-header sum (RFC 8200 §8.1): addresses at `srcOff`/`dstOff` (16 bytes
 * each), upper-layer packet length and next header. */
export function pseudoHeaderSum6(buf: Uint8Array, srcOff: number, dstOff: number, nextHeader: number, length: number): number {
  return sumWords(buf, srcOff, 16, 0) + sumWords(buf, dstOff, 16, 0) + nextHeader + (length >>> 16) + (length & 0xffff);
}

/**
 * RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). Replaces the data whose unfolded sum was `oldSum`
 * with data whose unfolded sum is `newSum` in a stored checksum field value `checksum`.
 * Eqn. 3 rather than eqn. 2 because it yields the value a full recomputation would, 0x0000 when
 * the new data sums to 0xffff (RFC 1624 §4); the two differ only for data that is all zero.
 * UDP callers map a 0x0000 result to 0xffff themselves (RFC 768).
 */
export function adjustChecksum(checksum: number, oldSum: number, newSum: number): number {
  const sum = (~checksum & 0xffff) + (~foldSum(oldSum) & 0xffff) + foldSum(newSum);
  return ~foldSum(sum) & 0xffff;
}

/** RFC 1624 update of `checksum` for one 16-bit word changing from `oldWord` to `newWord`. */
export function adjustChecksum16(checksum: number, oldWord: number, newWord: number): number {
  const sum = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
  return ~foldSum(sum) & 0xffff;
}
