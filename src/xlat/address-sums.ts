/**
 * Unfolded one's-complement sums of the addresses the translator writes, for the RFC 1624
 * checksum adjustments of RFC 7915 §4.5/§5.5. The translated addresses sit back to back in a
 * small scratch array (source first), which is what these read.
 */

/** Sum of the 16 words of two IPv6 addresses at `addr[0, 32)`. */
export function addrSum6(addr: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < 32; i += 2) s += (addr[i]! << 8) | addr[i + 1]!;
  return s;
}

/** RFC 8200 §8.1 pseudo-header sum for the two IPv6 addresses at `addr[0, 32)`. */
export function pseudoSum6(addr: Uint8Array, nextHeader: number, len: number): number {
  return addrSum6(addr) + nextHeader + (len >>> 16) + (len & 0xffff);
}

/** Sum of the four words of two IPv4 addresses at `buf[o, o+8)`. */
export function sum4(buf: Uint8Array, o: number): number {
  return ((buf[o]! << 8) | buf[o + 1]!) + ((buf[o + 2]! << 8) | buf[o + 3]!) +
    ((buf[o + 4]! << 8) | buf[o + 5]!) + ((buf[o + 6]! << 8) | buf[o + 7]!);
}

/** Sum of the 16 words of two IPv6 addresses at `buf[o, o+32)`. */
export function sum6(buf: Uint8Array, o: number): number {
  let s = 0;
  for (let i = o, e = o + 32; i < e; i += 2) s += (buf[i]! << 8) | buf[i + 1]!;
  return s;
}
