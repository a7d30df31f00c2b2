import type { AddressMapper } from './address-mapper.js';
import type { Rfc6052Prefix } from './rfc6052.js';
import { MAP_CTX_ICMP_ERROR, MAP_CTX_INNER } from './siit-address-mapper.js';

/**
 * Address mapping of stateful NAT64 (RFC 6146 §3.4-§3.5) for one packet at a time: the caller
 * looks the session up and `bind`s its inside address X' and pool address T before asking the
 * translator to translate. Then X' ⇄ T, and every other address maps through the RFC 6052
 * prefix (Y' = prefix + Z). The rule is by address, not by role, so the headers quoted in ICMP
 * errors (where X' is the destination) map with no extra cases.
 *
 * An ICMPv6 error may come from a router on the IPv6 side rather than from X'; its IPv4 form
 * is sourced from T, the only IPv4 address the NAT64 has for this session (RFC 6146 §3.5.4 says
 * the outer header is translated with the session's addresses).
 */
export class Nat64AddressMapper implements AddressMapper {
  /** Translator context bits (see `MapperContext`). */
  context = 0;
  /**
   * Set while a hairpinned packet is translated back to IPv6 (RFC 6146 §3.8): then T maps to X'
   * only where it names this session's inside host, as the outer destination or the quoted
   * source; as a source (or quoted destination) it is the other inside host's mapping, a
   * remote like any other, embedded in the prefix (Y' = prefix + T1). By address alone the two
   * cannot be told apart when both hosts are mapped to the same pool address.
   */
  hairpin = false;
  private readonly inside = new Uint8Array(16);
  private readonly outside = new Uint8Array(4);

  constructor(readonly pool6: Rfc6052Prefix) {}

  /** Binds the session of the packet about to be translated: X' as 4 words, T as a u32. */
  bind(insideWords: Uint32Array, outsideAddr: number): void {
    const b = this.inside;
    for (let w = 0; w < 4; w++) {
      const v = insideWords[w]!;
      b[w * 4] = v >>> 24;
      b[w * 4 + 1] = (v >>> 16) & 0xff;
      b[w * 4 + 2] = (v >>> 8) & 0xff;
      b[w * 4 + 3] = v & 0xff;
    }
    const o = this.outside;
    o[0] = outsideAddr >>> 24;
    o[1] = (outsideAddr >>> 16) & 0xff;
    o[2] = (outsideAddr >>> 8) & 0xff;
    o[3] = outsideAddr & 0xff;
  }

  source6to4(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean {
    if (this.isInside(src, srcOff) || (this.context & (MAP_CTX_ICMP_ERROR | MAP_CTX_INNER)) === MAP_CTX_ICMP_ERROR) {
      this.writeOutside(dst, dstOff);
      return true;
    }
    return this.pool6.extract(src, srcOff, dst, dstOff);
  }

  destination6to4(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean {
    if (this.isInside(src, srcOff)) {
      this.writeOutside(dst, dstOff);
      return true;
    }
    return this.pool6.extract(src, srcOff, dst, dstOff);
  }

  source4to6(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean {
    return this.map4to6(src, srcOff, dst, dstOff, !this.hairpin || (this.context & MAP_CTX_INNER) !== 0);
  }

  destination4to6(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean {
    return this.map4to6(src, srcOff, dst, dstOff, !this.hairpin || (this.context & MAP_CTX_INNER) === 0);
  }

  /** T ⇄ X' where `mayBeInside`; every other address through the prefix. */
  private map4to6(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number, mayBeInside: boolean): boolean {
    const o = this.outside;
    if (mayBeInside && src[srcOff] === o[0] && src[srcOff + 1] === o[1] && src[srcOff + 2] === o[2] && src[srcOff + 3] === o[3]) {
      dst.set(this.inside, dstOff);
      return true;
    }
    this.pool6.embed(src, srcOff, dst, dstOff);
    return true;
  }

  private isInside(b: Uint8Array, off: number): boolean {
    const x = this.inside;
    for (let i = 15; i >= 0; i--) if (b[off + i] !== x[i]) return false;
    return true;
  }

  private writeOutside(b: Uint8Array, off: number): void {
    const o = this.outside;
    b[off] = o[0]!;
    b[off + 1] = o[1]!;
    b[off + 2] = o[2]!;
    b[off + 3] = o[3]!;
  }
}
