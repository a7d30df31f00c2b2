/**
 * 32-bit hashing of fixed-width keys made of u32 words (addresses, ports, protocol, tenant).
 * Murmur3's block mix and finaliser: cheap, well spread in the low bits that index an
 * open-addressing table. Every table draws its own `seed` from the injected RNG so a flood of
 * crafted tuples cannot aim at one probe chain of a table it cannot see the seed of.
 */
export function hashWord(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * Murmur3 finaliser: every input bit reaches every output bit. The result is cut to 31 bits so
 * it stays a small integer for V8: a value of 2^31 or more is a heap number, and passing one to
 * a call that is not inlined allocates on every packet.
 */
export function finishHash(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & 0x7fffffff;
}
