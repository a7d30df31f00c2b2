import { AddressConfigError } from '../addr/address-config-error.js';
import type { Ipv6Prefix } from '../addr/ipv6-prefix.js';

/**
 * IPv4-embedded IPv6 addresses (RFC 6052 §2.2). The IPv4 address follows the prefix, except
 * that bits 64-71 (the "u" octet, byte 8) are skipped and left zero; the suffix after the IPv4
 * address is zero:
 *
 *  +--+---+---+---+---+---+---+---+---+---+---+---+---+---+---+---+---+
 *  |PL| 0-------------32--40--48--56--64--72--80--88--96--104---------|
 *  +--+---+---+---+---+---+---+---+---+---+---+---+---+---+---+---+---+
 *  |32|     prefix    |v4(32)         | u | suffix                    |
 *  |40|     prefix        |v4(24)     | u |(8)| suffix                |
 *  |48|     prefix            |v4(16) | u | (16)  | suffix            |
 *  |56|     prefix                |(8)| u |  v4(24)   | suffix        |
 *  |64|     prefix                    | u |   v4(32)      | suffix    |
 *  |96|     prefix                                    |    v4(32)     |
 *  +--+---+---+---+---+---+---+---+---+---+---+---+---+---+---+---+---+
 */
export const RFC6052_PREFIX_LENGTHS: readonly number[] = Object.freeze([32, 40, 48, 56, 64, 96]);

/** Byte 8 of the IPv6 address: bits 64-71. */
export const RFC6052_U_OCTET = 8;

export class Rfc6052PrefixLengthError extends AddressConfigError {
  readonly code = 'ERR_RFC6052_PREFIX_LENGTH';
  constructor(value: string, path = '') {
    super(path, value, 'RFC 6052 prefix "' + value + '" must have length 32, 40, 48, 56, 64 or 96 (RFC 6052 §2.2)');
  }
}

export class Rfc6052UOctetError extends AddressConfigError {
  readonly code = 'ERR_RFC6052_U_OCTET';
  constructor(value: string, path = '') {
    super(path, value, 'RFC 6052 prefix "' + value + '" has bits 64-71 set; they must be zero (RFC 6052 §2.2)');
  }
}

/** Byte offsets, within the IPv6 address, of the four IPv4 octets for prefix length `len`. */
function positionsFor(len: number): readonly [number, number, number, number] {
  const first = len / 8;
  const pos: number[] = [];
  for (let i = first; pos.length < 4; i++) if (i !== RFC6052_U_OCTET) pos.push(i);
  return pos as unknown as [number, number, number, number];
}

/**
 * A validated RFC 6052 prefix (a Network-Specific Prefix or the Well-Known Prefix
 * 64:ff9b::/96) with the byte layout for its length precomputed, so embedding and extraction
 * are straight byte moves.
 *
 * Extraction ignores the u-octet and the suffix, as Jool does: RFC 6052 §2.2 makes the sender
 * responsible for zero in both (and asks receivers to ignore non-zero suffix bits), and a
 * translator that refused such addresses would only turn an odd address into a black hole.
 * Consequently extraction maps every address of the form prefix+v4+junk to the same IPv4
 * address; embedding always produces zeros there.
 */
export class Rfc6052Prefix {
  readonly prefix: Ipv6Prefix;
  private readonly p0: number;
  private readonly p1: number;
  private readonly p2: number;
  private readonly p3: number;
  /** Bytes of the prefix that are copied verbatim (prefix length / 8). */
  private readonly prefixBytes: number;

  constructor(prefix: Ipv6Prefix, path = '') {
    if (!RFC6052_PREFIX_LENGTHS.includes(prefix.length)) throw new Rfc6052PrefixLengthError(prefix.toString(), path);
    // §2.2: "When using a /96 Network-Specific Prefix, the administrators MUST ensure that the
    // bits 64 to 71 are set to zero." Shorter prefixes end before byte 8.
    if (prefix.bytes[RFC6052_U_OCTET] !== 0) throw new Rfc6052UOctetError(prefix.toString(), path);
    this.prefix = prefix;
    this.prefixBytes = prefix.length / 8;
    const [p0, p1, p2, p3] = positionsFor(prefix.length);
    this.p0 = p0;
    this.p1 = p1;
    this.p2 = p2;
    this.p3 = p3;
  }

  get length(): number {
    return this.prefix.length;
  }

  /** Whether the IPv6 address at `off` is under this prefix. */
  contains(v6: Uint8Array, off: number): boolean {
    const p = this.prefix.bytes;
    for (let i = 0; i < this.prefixBytes; i++) if (v6[off + i] !== p[i]) return false;
    return true;
  }

  /** Writes the 16-byte IPv4-embedded IPv6 address of the IPv4 address at `v4[v4Off]`. */
  embed(v4: Uint8Array, v4Off: number, out: Uint8Array, outOff: number): void {
    // Read all four octets before writing: `v4` and `out` may overlap.
    // int32 bits: an unsigned value of 2^31 or more would be boxed crossing the call.
    this.embedIpv4((v4[v4Off]! << 24) | (v4[v4Off + 1]! << 16) | (v4[v4Off + 2]! << 8) | v4[v4Off + 3]!, out, outOff);
  }

  /** Same as `embed`, for an IPv4 address held as a 32-bit number (signed or unsigned). */
  embedIpv4(addr: number, out: Uint8Array, outOff: number): void {
    const p = this.prefix.bytes;
    const n = this.prefixBytes;
    for (let i = 0; i < n; i++) out[outOff + i] = p[i]!;
    for (let i = n; i < 16; i++) out[outOff + i] = 0;
    out[outOff + this.p0] = addr >>> 24;
    out[outOff + this.p1] = (addr >>> 16) & 0xff;
    out[outOff + this.p2] = (addr >>> 8) & 0xff;
    out[outOff + this.p3] = addr & 0xff;
  }

  /**
   * Writes the IPv4 address embedded in the IPv6 address at `v6[v6Off]` as 4 bytes at
   * `out[outOff]`; returns false (writing nothing) when the address is not under this prefix.
   */
  extract(v6: Uint8Array, v6Off: number, out: Uint8Array, outOff: number): boolean {
    if (!this.contains(v6, v6Off)) return false;
    const a = v6[v6Off + this.p0]!;
    const b = v6[v6Off + this.p1]!;
    const c = v6[v6Off + this.p2]!;
    const d = v6[v6Off + this.p3]!;
    out[outOff] = a;
    out[outOff + 1] = b;
    out[outOff + 2] = c;
    out[outOff + 3] = d;
    return true;
  }

  /**
   * The embedded IPv4 address as int32 bits, for an address the caller checked with `contains`.
   * Hot paths use this form: an unsigned value of 2^31 or more is a heap number in V8 and
   * allocates when returned from a call that is not inlined.
   */
  extractIpv4Bits(v6: Uint8Array, v6Off: number): number {
    return (v6[v6Off + this.p0]! << 24) | (v6[v6Off + this.p1]! << 16) | (v6[v6Off + this.p2]! << 8) | v6[v6Off + this.p3]!;
  }

  /** The embedded IPv4 address as an unsigned 32-bit number, or -1 when not under the prefix. */
  extractIpv4(v6: Uint8Array, v6Off: number): number {
    if (!this.contains(v6, v6Off)) return -1;
    return ((v6[v6Off + this.p0]! << 24) | (v6[v6Off + this.p1]! << 16) | (v6[v6Off + this.p2]! << 8) | v6[v6Off + this.p3]!) >>> 0;
  }
}
