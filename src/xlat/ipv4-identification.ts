/**
 * Identification values for the IPv4 packets the translator originates from unfragmented IPv6
 * packets (RFC 7915 §5.1; RFC 6864 §4.2: a datagram that may be fragmented needs an ID unique
 * per source, destination and protocol for the datagram's lifetime).
 *
 * One counter per hash bucket of the destination, each starting at a keyed offset (RFC 7739
 * §5.3): consecutive IDs toward one destination stay unique for 65536 packets, while a host
 * cannot learn from its own IDs how many packets others are sending (a single global counter
 * would leak that, RFC 7739 §4). The key comes from configuration, so runs are reproducible.
 */
const BUCKETS = 1024;

export class Ipv4Identification {
  private readonly counters = new Uint16Array(BUCKETS);
  private readonly key: number;

  constructor(seed: number) {
    this.key = mix32(seed | 0);
    for (let i = 0; i < BUCKETS; i++) this.counters[i] = mix32(this.key ^ (i * 0x9e3779b9)) & 0xffff;
  }

  /** Next ID toward the IPv4 destination `dst` (32 bits, signed or unsigned). */
  next(dst: number): number {
    const i = mix32(dst ^ this.key) & (BUCKETS - 1);
    const id = this.counters[i]!;
    this.counters[i] = id + 1;
    return id;
  }
}

/** A 32-bit integer finaliser (Murmur3 fmix32): every input bit affects every output bit. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  // int32, not uint32: a value of 2^31 or more would be a heap number in V8 and allocate when
  // it crosses a call that is not inlined.
  return h | 0;
}
