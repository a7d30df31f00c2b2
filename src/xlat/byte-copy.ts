import { copyWithinArena } from '../wire/packet-arena.js';

/**
 * Below this many bytes the loop beats a native call: `copyWithin` is a C++ builtin with a fixed
 * cost of tens of ns (bench/pipeline/byte-copy.bench.ts), a JIT-compiled loop moves about a
 * byte per ns.
 */
export const NATIVE_COPY_MIN_BYTES = 48;

/**
 * Moves `n` bytes from `src[srcOff…]` to `dst[dstOff…]` without allocating. Within one array it
 * is `copyWithin` (memmove: overlap in either direction is safe, and the engine copies natively);
 * between two windows of one `PacketArena` (the ports', the translator's and the frames' buffers
 * of a gateway node) it is `copyWithin` on the whole arena; otherwise a plain loop, because
 * `dst.set(src.subarray(…))` would allocate a view per call.
 * Callers never pass distinct views over overlapping memory.
 */
export function copyBytes(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number, n: number): void {
  if (n <= 0) return;
  if (src === dst) {
    if (srcOff !== dstOff) dst.copyWithin(dstOff, srcOff, srcOff + n);
    return;
  }
  if (n >= NATIVE_COPY_MIN_BYTES && copyWithinArena(src, srcOff, dst, dstOff, n)) return;
  copyBytesByLoop(src, srcOff, dst, dstOff, n);
}

/** The portable copy: what `copyBytes` does for arrays that share no arena. */
export function copyBytesByLoop(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number, n: number): void {
  let i = 0;
  const n8 = n & ~7;
  for (; i < n8; i += 8) {
    dst[dstOff + i] = src[srcOff + i]!;
    dst[dstOff + i + 1] = src[srcOff + i + 1]!;
    dst[dstOff + i + 2] = src[srcOff + i + 2]!;
    dst[dstOff + i + 3] = src[srcOff + i + 3]!;
    dst[dstOff + i + 4] = src[srcOff + i + 4]!;
    dst[dstOff + i + 5] = src[srcOff + i + 5]!;
    dst[dstOff + i + 6] = src[srcOff + i + 6]!;
    dst[dstOff + i + 7] = src[srcOff + i + 7]!;
  }
  for (; i < n; i++) dst[dstOff + i] = src[srcOff + i]!;
}
