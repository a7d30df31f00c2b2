/**
 * Network byte order (big-endian, RFC 791 Appendix B / RFC 8200 §1) field access on a byte
 * buffer: the one definition every wire codec uses.
 *
 * These are free functions taking the buffer, not methods on a shared view base class. A
 * base-class method would be called with every view class (Ipv4Packet, TcpPacket, ...) as its
 * receiver, so its `this.buf` / `this.off` loads would go megamorphic on the hot path; a free
 * function only ever sees a Uint8Array and a number, stays monomorphic and is inlined.
 */

/** Placeholder buffer a view holds before its first `bind`, so `buf` is never undefined. */
export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

/** The 16-bit unsigned big-endian value at `off`. */
export function readU16(buf: Uint8Array, off: number): number {
  return (buf[off]! << 8) | buf[off + 1]!;
}

/** The 32-bit unsigned big-endian value at `off` (`>>> 0`: 2^31 and above stay positive). */
export function readU32(buf: Uint8Array, off: number): number {
  return ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0;
}

/**
 * The big-endian 32 bits at `off` as a signed int32. Hot paths read addresses and sequence
 * numbers this way: an unsigned value of 2^31 or more is a heap number in V8, and returning
 * one from a call that is not inlined allocates.
 */
export function readI32(buf: Uint8Array, off: number): number {
  return (buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!;
}

/** Writes the low 16 bits of `v` big-endian at `off`; the byte stores drop higher bits. */
export function writeU16(buf: Uint8Array, off: number, v: number): void {
  buf[off] = v >>> 8;
  buf[off + 1] = v;
}

/** Writes the low 32 bits of `v` big-endian at `off`. */
export function writeU32(buf: Uint8Array, off: number, v: number): void {
  buf[off] = v >>> 24;
  buf[off + 1] = v >>> 16;
  buf[off + 2] = v >>> 8;
  buf[off + 3] = v;
}
