import { AddressConfigError } from '../addr/address-config-error.js';
import { Ipv4Prefix } from '../addr/ipv4-prefix.js';

export interface Rfc6791PoolOptions {
  /** Mixed into the hash so that the address a given router gets is not the same everywhere. */
  readonly seed?: number;
  /** Accept RFC 1918 / RFC 6598 space, which RFC 6791 §3.1 advises against (labs). */
  readonly allowPrivate?: boolean;
  /** Configuration path for error messages. */
  readonly path?: string;
}

export class Rfc6791PoolEmptyError extends AddressConfigError {
  readonly code = 'ERR_RFC6791_POOL_EMPTY';
  constructor(path = '') {
    super(path, '', 'the RFC 6791 pool needs at least one IPv4 address');
  }
}

export class Rfc6791PoolOverlapError extends AddressConfigError {
  readonly code = 'ERR_RFC6791_POOL_OVERLAP';
  constructor(value: string, other: string, path = '') {
    super(path, value, 'RFC 6791 pool prefix "' + value + '" overlaps "' + other + '"');
  }
}

export class Rfc6791PoolPrivateError extends AddressConfigError {
  readonly code = 'ERR_RFC6791_POOL_PRIVATE';
  constructor(value: string, space: string, path = '') {
    super(path, value, 'RFC 6791 pool prefix "' + value + '" lies in ' + space
      + ', which unicast RPF filters are likely to drop (RFC 6791 §3.1); set allowPrivate to use it anyway');
  }
}

const PRIVATE_SPACE: readonly [string, string][] = [
  ['10.0.0.0/8', 'RFC 1918 space'],
  ['172.16.0.0/12', 'RFC 1918 space'],
  ['192.168.0.0/16', 'RFC 1918 space'],
  ['100.64.0.0/10', 'RFC 6598 shared address space'],
];

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** One MurmurHash3 (x86_32) round: mixes a 32-bit word into the running hash. */
function mix(h: number, w: number): number {
  let k = Math.imul(w, 0xcc9e2d51);
  k = rotl(k, 15);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = rotl(h, 13);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function word(b: Uint8Array, o: number): number {
  return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
}

/**
 * IPv4 source addresses for ICMPv4 errors translated from ICMPv6 errors whose IPv6 source has
 * no IPv4 form (RFC 6791; RFC 7915 §5.2 and §4.4).
 *
 * RFC 6791 §5 recommends picking from the pool at random, so that the errors of one traceroute
 * do not all carry one address and look like a loop; §3.1 asks that the IPv4 receiver can tell
 * different IPv6 origins apart. A keyed hash of the error's IPv6 source and destination meets
 * both and is reproducible: each erroring router keeps one IPv4 address towards a given host
 * (a traceroute shows one stable address per hop), different routers spread over the pool,
 * and a capture replays to the same bytes. No per-packet randomness, no allocation.
 */
export class Rfc6791Pool {
  readonly prefixes: readonly Ipv4Prefix[];
  readonly seed: number;
  /** Number of addresses in the pool (up to 2^32). */
  readonly size: number;
  /** First pool index of each prefix, and each prefix's network address. */
  private readonly starts: Float64Array;
  private readonly bases: Uint32Array;

  constructor(prefixes: readonly Ipv4Prefix[], options: Rfc6791PoolOptions = {}) {
    const path = options.path ?? '';
    if (prefixes.length === 0) throw new Rfc6791PoolEmptyError(path);
    for (let i = 0; i < prefixes.length; i++) {
      const p = prefixes[i]!;
      const at = path === '' ? '[' + i + ']' : path + '[' + i + ']';
      for (let j = 0; j < i; j++) {
        const q = prefixes[j]!;
        if (p.covers(q) || q.covers(p)) throw new Rfc6791PoolOverlapError(p.toString(), q.toString(), at);
      }
      if (options.allowPrivate !== true) {
        for (const [space, name] of PRIVATE_SPACE) {
          const s = Ipv4Prefix.parse(space);
          if (s.covers(p) || p.covers(s)) throw new Rfc6791PoolPrivateError(p.toString(), name, at);
        }
      }
    }
    this.prefixes = Object.freeze(prefixes.slice());
    this.seed = (options.seed ?? 0) | 0;
    this.starts = new Float64Array(prefixes.length);
    this.bases = new Uint32Array(prefixes.length);
    let total = 0;
    prefixes.forEach((p, i) => {
      this.starts[i] = total;
      this.bases[i] = p.address;
      total += 2 ** (32 - p.length);
    });
    this.size = total;
  }

  /** From prefix texts (`192.0.2.0/28`, or a bare address). */
  static fromConfig(texts: readonly string[], options: Rfc6791PoolOptions = {}): Rfc6791Pool {
    const path = options.path ?? '';
    return new Rfc6791Pool(texts.map((t, i) => Ipv4Prefix.parse(t, path === '' ? '[' + i + ']' : path + '[' + i + ']')), options);
  }

  /** From packed 4-byte addresses (the `pool6791` form of the translator configuration). */
  static fromAddressBytes(bytes: Uint8Array, options: Rfc6791PoolOptions = {}): Rfc6791Pool {
    if (bytes.length % 4 !== 0) throw new RangeError('RFC 6791 pool bytes must be a multiple of 4, got ' + bytes.length);
    const prefixes: Ipv4Prefix[] = [];
    for (let o = 0; o < bytes.length; o += 4) prefixes.push(new Ipv4Prefix(word(bytes, o) >>> 0, 32, options.path ?? ''));
    return new Rfc6791Pool(prefixes, options);
  }

  /**
   * Writes the chosen IPv4 address (4 bytes at `out[outOff]`) for an ICMPv6 error whose IPv6
   * source is at `src[srcOff]` and destination at `dst[dstOff]` (16 bytes each).
   */
  select(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number, out: Uint8Array, outOff: number): void {
    let h = this.seed;
    for (let i = 0; i < 16; i += 4) h = mix(h, word(src, srcOff + i));
    for (let i = 0; i < 16; i += 4) h = mix(h, word(dst, dstOff + i));
    // MurmurHash3 finalisation: every input bit reaches every output bit.
    h ^= 32;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    const index = (h >>> 0) % this.size;
    const starts = this.starts;
    let i = starts.length - 1;
    while (starts[i]! > index) i--;
    const addr = (this.bases[i]! + (index - starts[i]!)) >>> 0;
    out[outOff] = addr >>> 24;
    out[outOff + 1] = (addr >>> 16) & 0xff;
    out[outOff + 2] = (addr >>> 8) & 0xff;
    out[outOff + 3] = addr & 0xff;
  }
}
