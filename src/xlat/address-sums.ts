/**
 * Unfolded one's-complement sums of address pairs, for the RFC 1624 checksum adjustments of
 * RFC 7915 §4.5/§5.5: a pseudo-header's addresses are its only part that changes family, so
 * the sum of the old pair out and the new pair in is the whole adjustment.
 */

/** Sum of the four words of two IPv4 addresses at `buf[o, o+8)`. */
export function sum4(buf: Uint8Array, o: number): number {
  return ((buf[o]! << 8) | buf[o + 1]!) + ((buf[o + 2]! << 8) | buf[o + 3]!) +
    ((buf[o + 4]! << 8) | buf[o + 5]!) + ((buf[o + 6]! << 8) | buf[o + 7]!);
}

/** Sum of the 16 words of two IPv6 addresses at `buf[o, o+32)`. Unrolled by four words: it
 * runs for every translated TCP, UDP and ICMPv6 packet. */
export function sum6(buf: Uint8Array, o: number): number {
  let s = 0;
  for (let i = o, e = o + 32; i < e; i += 8) {
    s += ((buf[i]! << 8) | buf[i + 1]!) + ((buf[i + 2]! << 8) | buf[i + 3]!) +
      ((buf[i + 4]! << 8) | buf[i + 5]!) + ((buf[i + 6]! << 8) | buf[i + 7]!);
  }
  return s;
}

/**
 * RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'), for the sums this file makes: `oldSum` and `newSum`
 * are unfolded sums below 2^31 (a few dozen words), so two end-around folds reduce any of them.
 * The same result as `adjustChecksum` of checksum.ts, without its loop for sums past 2^32; it
 * runs once per translated packet.
 *
 * Never returns 0x0000: eqn. 3 cannot tell a data sum of +0 from -0, and yields 0x0000 for an
 * all-zero message (an ICMPv4 Echo Reply with identifier, sequence and data zero), which a
 * receiver summing the message gets as 0 and rejects. 0xffff verifies for either sum, and it is
 * the value UDP requires anyway (RFC 768: a computed zero is sent as all ones).
 */
export function adjustAddresses(checksum: number, oldSum: number, newSum: number): number {
  oldSum = (oldSum & 0xffff) + (oldSum >>> 16);
  oldSum = (oldSum & 0xffff) + (oldSum >>> 16);
  newSum = (newSum & 0xffff) + (newSum >>> 16);
  newSum = (newSum & 0xffff) + (newSum >>> 16);
  let s = (~checksum & 0xffff) + (~oldSum & 0xffff) + newSum;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s === 0xffff ? 0xffff : ~s & 0xffff;
}
