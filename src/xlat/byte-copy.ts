/**
 * Moves `n` bytes from `src[srcOff…]` to `dst[dstOff…]` without allocating. Within one array it
 * is `copyWithin` (memmove: overlap in either direction is safe, and the engine copies natively);
 * across arrays a plain loop, because `dst.set(src.subarray(…))` would allocate a view per call.
 * Callers never pass distinct views over overlapping memory.
 */
export function copyBytes(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number, n: number): void {
  if (n <= 0) return;
  if (src === dst) {
    if (srcOff !== dstOff) dst.copyWithin(dstOff, srcOff, srcOff + n);
    return;
  }
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
