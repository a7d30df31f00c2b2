import { AddressConfigError } from '../addr/address-config-error.js';
import { Ipv4Prefix } from '../addr/ipv4-prefix.js';
import { Ipv6Prefix } from '../addr/ipv6-prefix.js';
import { LPM_NONE, LpmTable } from '../addr/lpm-table.js';

/** One Explicit Address Mapping (RFC 7757 §3.1): an IPv4 prefix paired with an IPv6 prefix. */
export interface EamtEntry {
  readonly ipv4: Ipv4Prefix;
  readonly ipv6: Ipv6Prefix;
}

/** Plain configuration form of an entry: prefixes as text (`192.0.2.0/24`, `2001:db8::/120`). */
export interface EamtEntryConfig {
  readonly ipv4: string;
  readonly ipv6: string;
}

export class EamtSuffixMismatchError extends AddressConfigError {
  readonly code = 'ERR_EAMT_SUFFIX_MISMATCH';
  constructor(value: string, suffix4: number, suffix6: number, path = '') {
    super(path, value, 'EAM "' + value + '" pairs a ' + suffix4 + '-bit IPv4 suffix with a ' + suffix6
      + '-bit IPv6 suffix; they must be equal (32 - IPv4 length == 128 - IPv6 length) so that suffix bits copy one to one');
  }
}

/**
 * The same IPv4 (or IPv6) prefix in two entries: one direction of the mapping would have two
 * answers and the table could no longer be read both ways.
 */
export class EamtDuplicateError extends AddressConfigError {
  readonly code = 'ERR_EAMT_DUPLICATE';
  constructor(value: string, other: string, path = '') {
    super(path, value, 'EAM "' + value + '" repeats a prefix of EAM "' + other + '"; each IPv4 and each IPv6 prefix may appear in one entry only');
  }
}

function describe(ipv4: Ipv4Prefix, ipv6: Ipv6Prefix): string {
  return ipv4.toString() + ' <-> ' + ipv6.toString();
}

const INITIAL_CAPACITY = 16;

/**
 * Explicit Address Mapping Table (RFC 7757). Each entry maps an IPv4 prefix to an IPv6 prefix
 * with the same number of suffix bits. (RFC 7757 §3.2 also admits an IPv6 suffix longer than
 * the IPv4 one, its extra low bits zero; this table refuses such entries so every mapping is a
 * bijection between the two prefixes.) An address is translated by the entry with the longest
 * prefix containing it, in either direction (§3.2: overlapping entries are allowed and the most
 * specific wins), and its suffix bits are copied unchanged.
 *
 * Per-entry data lives in typed arrays by entry id, and the two LPM tables map an address to
 * that id, so both translations are a trie walk plus a few word operations with no allocation.
 * Because the suffix is at most 32 bits, it always sits in the last 4 bytes of the IPv6
 * address; bytes 0-11 come from the IPv6 prefix verbatim.
 */
export class Eamt {
  private readonly lpm4 = new LpmTable(32);
  private readonly lpm6 = new LpmTable(128);
  private list: (EamtEntry | undefined)[] = [];
  private free: number[] = [];
  private count = 0;
  /** IPv4 prefix address and host mask by entry id. */
  private v4net: Uint32Array = new Uint32Array(INITIAL_CAPACITY);
  private hostMask: Uint32Array = new Uint32Array(INITIAL_CAPACITY);
  /** IPv6 prefix bytes by entry id (16 per entry), and its last 32 bits as a number. */
  private v6net: Uint8Array = new Uint8Array(INITIAL_CAPACITY * 16);
  private v6low: Uint32Array = new Uint32Array(INITIAL_CAPACITY);

  /** Builds a table from plain configuration; `path` names the list for error messages. */
  static fromConfig(entries: readonly EamtEntryConfig[], path = 'eamt'): Eamt {
    const t = new Eamt();
    entries.forEach((e, i) => {
      const at = path + '[' + i + ']';
      t.add(Ipv4Prefix.parse(e.ipv4, at + '.ipv4'), Ipv6Prefix.parse(e.ipv6, at + '.ipv6'), at);
    });
    return t;
  }

  get size(): number {
    return this.count;
  }

  /** Adds an entry; throws EamtSuffixMismatchError or EamtDuplicateError. */
  add(ipv4: Ipv4Prefix, ipv6: Ipv6Prefix, path = ''): void {
    const s4 = 32 - ipv4.length;
    const s6 = 128 - ipv6.length;
    if (s4 !== s6) throw new EamtSuffixMismatchError(describe(ipv4, ipv6), s4, s6, path);
    const dup4 = this.lpm4.get(ipv4.bytes, 0, ipv4.length);
    if (dup4 !== LPM_NONE) throw new EamtDuplicateError(describe(ipv4, ipv6), this.describeId(dup4), path);
    const dup6 = this.lpm6.get(ipv6.bytes, 0, ipv6.length);
    if (dup6 !== LPM_NONE) throw new EamtDuplicateError(describe(ipv4, ipv6), this.describeId(dup6), path);
    const id = this.free.length > 0 ? this.free.pop()! : this.list.length;
    if (id === this.list.length) this.list.push(undefined);
    this.ensureCapacity(id + 1);
    this.list[id] = { ipv4, ipv6 };
    this.v4net[id] = ipv4.address;
    this.hostMask[id] = ~ipv4.mask >>> 0;
    this.v6net.set(ipv6.bytes, id * 16);
    const b = ipv6.bytes;
    this.v6low[id] = ((b[12]! << 24) | (b[13]! << 16) | (b[14]! << 8) | b[15]!) >>> 0;
    this.lpm4.insert(ipv4.bytes, 0, ipv4.length, id);
    this.lpm6.insert(ipv6.bytes, 0, ipv6.length, id);
    this.count++;
  }

  /** Removes the entry whose IPv4 prefix or IPv6 prefix is exactly `prefix`. */
  remove(prefix: Ipv4Prefix | Ipv6Prefix): boolean {
    const id = prefix instanceof Ipv4Prefix
      ? this.lpm4.get(prefix.bytes, 0, prefix.length)
      : this.lpm6.get(prefix.bytes, 0, prefix.length);
    if (id === LPM_NONE) return false;
    const e = this.list[id]!;
    this.lpm4.remove(e.ipv4.bytes, 0, e.ipv4.length);
    this.lpm6.remove(e.ipv6.bytes, 0, e.ipv6.length);
    this.list[id] = undefined;
    this.free.push(id);
    this.count--;
    return true;
  }

  entries(): EamtEntry[] {
    return this.list.filter((e): e is EamtEntry => e !== undefined);
  }

  /** Whether some entry's IPv4 prefix contains the IPv4 address at `b[off]`. */
  contains4(b: Uint8Array, off: number): boolean {
    return this.lpm4.lookup(b, off) !== LPM_NONE;
  }

  /** Whether some entry's IPv4 prefix contains `addr` (unsigned 32-bit). */
  contains4Number(addr: number): boolean {
    return this.lpm4.lookupIpv4(addr) !== LPM_NONE;
  }

  /** Whether some entry's IPv6 prefix contains the IPv6 address at `b[off]`. */
  contains6(b: Uint8Array, off: number): boolean {
    return this.lpm6.lookup(b, off) !== LPM_NONE;
  }

  /**
   * RFC 7757 §3.2, IPv6 to IPv4: the longest IPv6 prefix containing `src[srcOff..+16]` gives
   * the IPv4 prefix; the suffix bits are copied. Writes 4 bytes at `dst[dstOff]`, or returns
   * false without writing when no entry matches.
   */
  translate6to4(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean {
    const id = this.lpm6.lookup(src, srcOff);
    if (id === LPM_NONE) return false;
    const low = ((src[srcOff + 12]! << 24) | (src[srcOff + 13]! << 16) | (src[srcOff + 14]! << 8) | src[srcOff + 15]!) >>> 0;
    const host = this.hostMask[id]!;
    const v4 = (this.v4net[id]! | (low & host)) >>> 0;
    dst[dstOff] = v4 >>> 24;
    dst[dstOff + 1] = (v4 >>> 16) & 0xff;
    dst[dstOff + 2] = (v4 >>> 8) & 0xff;
    dst[dstOff + 3] = v4 & 0xff;
    return true;
  }

  /**
   * RFC 7757 §3.2, IPv4 to IPv6: the longest IPv4 prefix containing `src[srcOff..+4]` gives the
   * IPv6 prefix; the suffix bits are copied. Writes 16 bytes at `dst[dstOff]`, or returns false
   * without writing when no entry matches.
   */
  translate4to6(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean {
    const id = this.lpm4.lookup(src, srcOff);
    if (id === LPM_NONE) return false;
    const v4 = ((src[srcOff]! << 24) | (src[srcOff + 1]! << 16) | (src[srcOff + 2]! << 8) | src[srcOff + 3]!) >>> 0;
    const low = (this.v6low[id]! | (v4 & this.hostMask[id]!)) >>> 0;
    const base = id * 16;
    const net = this.v6net;
    for (let i = 0; i < 12; i++) dst[dstOff + i] = net[base + i]!;
    dst[dstOff + 12] = low >>> 24;
    dst[dstOff + 13] = (low >>> 16) & 0xff;
    dst[dstOff + 14] = (low >>> 8) & 0xff;
    dst[dstOff + 15] = low & 0xff;
    return true;
  }

  private describeId(id: number): string {
    const e = this.list[id]!;
    return describe(e.ipv4, e.ipv6);
  }

  private ensureCapacity(n: number): void {
    if (n <= this.v4net.length) return;
    let cap = this.v4net.length;
    while (cap < n) cap *= 2;
    const grow32 = (a: Uint32Array): Uint32Array => {
      const b = new Uint32Array(cap);
      b.set(a);
      return b;
    };
    this.v4net = grow32(this.v4net);
    this.hostMask = grow32(this.hostMask);
    this.v6low = grow32(this.v6low);
    const net = new Uint8Array(cap * 16);
    net.set(this.v6net);
    this.v6net = net;
  }
}
