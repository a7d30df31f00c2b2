import { internetChecksum, pseudoHeaderSum6, sumWords, finishChecksum } from '../wire/checksum.js';
import {
  ICMPV4_HEADER_LEN,
  ICMPV4_OFF_CHECKSUM,
  ICMPV4_OFF_CODE,
  ICMPV4_OFF_TYPE,
  Icmpv4Type,
  Icmpv4UnreachCode,
} from '../wire/icmpv4.js';
import {
  ICMPV6_ERROR_MAX_LEN,
  ICMPV6_HEADER_LEN,
  ICMPV6_OFF_CHECKSUM,
  ICMPV6_OFF_CODE,
  ICMPV6_OFF_TYPE,
  Icmpv6Type,
  Icmpv6UnreachCode,
} from '../wire/icmpv6.js';
import { IpProtocol } from '../wire/ip-protocol.js';
import {
  IPV4_FLAG_DF,
  IPV4_FRAG_OFFSET_MASK,
  IPV4_HEADER_LEN,
  IPV4_OFF_CHECKSUM,
  IPV4_OFF_DST,
  IPV4_OFF_FLAGS_FRAG,
  IPV4_OFF_IDENT,
  IPV4_OFF_PROTOCOL,
  IPV4_OFF_SRC,
  IPV4_OFF_TOS,
  IPV4_OFF_TOTAL_LEN,
  IPV4_OFF_TTL,
  IPV4_OFF_VER_IHL,
} from '../wire/ipv4.js';
import {
  IPV6_FRAG_OFF_NEXT_HEADER,
  IPV6_FRAG_OFF_OFFSET_FLAGS,
  IPV6_FRAG_OFFSET_MASK,
  IPV6_HEADER_LEN,
  IPV6_MIN_MTU,
  IPV6_OFF_DST,
  IPV6_OFF_HOP_LIMIT,
  IPV6_OFF_NEXT_HEADER,
  IPV6_OFF_PAYLOAD_LEN,
  IPV6_OFF_SRC,
  IPV6_OFF_VER_TC_FLOW,
} from '../wire/ipv6.js';
import { isIcmpv4Informational, isIcmpv6Error } from './icmp-mapping.js';

/**
 * ICMP errors the translator originates about a packet it drops (RFC 7915 §4.4, §5.4): a whole
 * IP packet, headers and checksums included, written into the caller's buffer.
 *
 * Size limits: an ICMPv4 error is at most 576 bytes (RFC 1812 §4.3.2.3, "as much of the
 * original datagram as possible without the length of the ICMP datagram exceeding 576
 * bytes"); an ICMPv6 error is at most the IPv6 minimum MTU, 1280 bytes (RFC 4443 §2.4 (c)).
 * The quote is truncated to fit those and the caller's capacity.
 */

/** RFC 1812 §4.3.2.3: largest ICMPv4 error datagram. */
export const ICMPV4_ERROR_MAX_PACKET_LEN = 576;
/** RFC 4443 §2.4 (c): largest ICMPv6 error packet, the IPv6 minimum MTU. */
export const ICMPV6_ERROR_MAX_PACKET_LEN = IPV6_MIN_MTU;
/** TTL / hop limit of generated errors (the IANA recommended default, RFC 1700). */
export const ICMP_ERROR_HOP_LIMIT = 64;
/** RFC 1812 §4.3.2.5: errors other than Source Quench SHOULD carry precedence 6
 * (Internetwork Control), i.e. a TOS byte of 0xc0. */
export const ICMPV4_ERROR_TOS = 0xc0;

/** RFC 7915 §4.4: unless stated otherwise, the ICMPv4 error for a dropped IPv4 packet is
 * Destination Unreachable, Communication Administratively Prohibited. */
export const XLAT_DROP_ICMPV4_TYPE = Icmpv4Type.DestUnreachable;
export const XLAT_DROP_ICMPV4_CODE = Icmpv4UnreachCode.AdminProhibited;
/** RFC 7915 §5.4: unless stated otherwise, the ICMPv6 error for a dropped IPv6 packet is
 * Destination Unreachable, Communication with destination administratively prohibited. */
export const XLAT_DROP_ICMPV6_TYPE = Icmpv6Type.DestUnreachable;
export const XLAT_DROP_ICMPV6_CODE = Icmpv6UnreachCode.AdminProhibited;

/** Addresses are read before the quote moves, since either may sit inside the quoted packet
 * that shares `out`. One module-level scratch, so building an error allocates nothing. */
const addrScratch = new Uint8Array(32);

/**
 * Builds an ICMPv4 error packet at `out[outOff, outOff + capacity)`.
 *
 * @param src, srcOff Source address (4 bytes): the translator's own or an RFC 6791 address.
 * @param dst, dstOff Destination address (4 bytes): the source of the offending packet.
 * @param type, code ICMPv4 type and code.
 * @param rest The 32-bit rest of the ICMP header: `pointer << 24` for Parameter Problem, the
 *   Next-Hop MTU for Fragmentation Needed, 0 otherwise.
 * @param quoted, quotedOff, quotedLen The offending packet from its IP header on. May be in
 *   `out` itself, overlapping the output.
 * @returns Bytes written (IPv4 header, ICMP header, quote), or 0 when `capacity` cannot hold
 *   the two headers.
 */
export function buildIcmpv4Error(
  out: Uint8Array, outOff: number, capacity: number,
  src: Uint8Array, srcOff: number,
  dst: Uint8Array, dstOff: number,
  type: number, code: number, rest: number,
  quoted: Uint8Array, quotedOff: number, quotedLen: number,
): number {
  const headers = IPV4_HEADER_LEN + ICMPV4_HEADER_LEN;
  let room = out.length - outOff;
  if (capacity < room) room = capacity;
  if (ICMPV4_ERROR_MAX_PACKET_LEN < room) room = ICMPV4_ERROR_MAX_PACKET_LEN;
  if (outOff < 0 || room < headers) return 0;
  const quoteLen = clampQuote(quoted, quotedOff, quotedLen, room - headers);

  const srcAddr = ((src[srcOff]! << 24) | (src[srcOff + 1]! << 16) | (src[srcOff + 2]! << 8) | src[srcOff + 3]!) >>> 0;
  const dstAddr = ((dst[dstOff]! << 24) | (dst[dstOff + 1]! << 16) | (dst[dstOff + 2]! << 8) | dst[dstOff + 3]!) >>> 0;
  const icmpOff = outOff + IPV4_HEADER_LEN;
  moveBytes(quoted, quotedOff, out, icmpOff + ICMPV4_HEADER_LEN, quoteLen);

  const total = headers + quoteLen;
  out[outOff + IPV4_OFF_VER_IHL] = 0x45;
  out[outOff + IPV4_OFF_TOS] = ICMPV4_ERROR_TOS;
  out[outOff + IPV4_OFF_TOTAL_LEN] = total >>> 8;
  out[outOff + IPV4_OFF_TOTAL_LEN + 1] = total & 0xff;
  // DF set and fragment offset 0 make the error an atomic datagram, whose Identification
  // RFC 6864 §4.1 lets the source set to any value: no per-destination ID state is needed. At
  // 576 bytes it fits every IPv4 path that can reassemble (RFC 791).
  out[outOff + IPV4_OFF_IDENT] = 0;
  out[outOff + IPV4_OFF_IDENT + 1] = 0;
  out[outOff + IPV4_OFF_FLAGS_FRAG] = IPV4_FLAG_DF >>> 8;
  out[outOff + IPV4_OFF_FLAGS_FRAG + 1] = 0;
  out[outOff + IPV4_OFF_TTL] = ICMP_ERROR_HOP_LIMIT;
  out[outOff + IPV4_OFF_PROTOCOL] = IpProtocol.Icmp;
  out[outOff + IPV4_OFF_CHECKSUM] = 0;
  out[outOff + IPV4_OFF_CHECKSUM + 1] = 0;
  writeU32(out, outOff + IPV4_OFF_SRC, srcAddr);
  writeU32(out, outOff + IPV4_OFF_DST, dstAddr);
  const ipSum = internetChecksum(out, outOff, IPV4_HEADER_LEN);
  out[outOff + IPV4_OFF_CHECKSUM] = ipSum >>> 8;
  out[outOff + IPV4_OFF_CHECKSUM + 1] = ipSum & 0xff;

  out[icmpOff + ICMPV4_OFF_TYPE] = type;
  out[icmpOff + ICMPV4_OFF_CODE] = code;
  out[icmpOff + ICMPV4_OFF_CHECKSUM] = 0;
  out[icmpOff + ICMPV4_OFF_CHECKSUM + 1] = 0;
  writeU32(out, icmpOff + 4, rest);
  // RFC 792: the ICMPv4 checksum covers the ICMP message only, no pseudo-header.
  const icmpSum = internetChecksum(out, icmpOff, ICMPV4_HEADER_LEN + quoteLen);
  out[icmpOff + ICMPV4_OFF_CHECKSUM] = icmpSum >>> 8;
  out[icmpOff + ICMPV4_OFF_CHECKSUM + 1] = icmpSum & 0xff;
  return total;
}

/**
 * Builds an ICMPv6 error packet at `out[outOff, outOff + capacity)`: IPv6 header (traffic
 * class and flow label 0, hop limit 64), ICMPv6 header with the RFC 8200 §8.1 pseudo-header
 * checksum, then as much of `quoted` as keeps the packet within 1280 bytes.
 *
 * @param src, srcOff Source address (16 bytes): the translator's own (configured) address.
 * @param dst, dstOff Destination address (16 bytes): the source of the offending packet.
 * @param type, code ICMPv6 type and code.
 * @param rest The 32-bit rest of the ICMPv6 header: the pointer for Parameter Problem, the MTU
 *   for Packet Too Big, 0 otherwise.
 * @param quoted, quotedOff, quotedLen The offending packet from its IPv6 header on. May be in
 *   `out` itself, overlapping the output.
 * @returns Bytes written, or 0 when `capacity` cannot hold the two headers.
 */
export function buildIcmpv6Error(
  out: Uint8Array, outOff: number, capacity: number,
  src: Uint8Array, srcOff: number,
  dst: Uint8Array, dstOff: number,
  type: number, code: number, rest: number,
  quoted: Uint8Array, quotedOff: number, quotedLen: number,
): number {
  const headers = IPV6_HEADER_LEN + ICMPV6_HEADER_LEN;
  let room = out.length - outOff;
  if (capacity < room) room = capacity;
  if (IPV6_HEADER_LEN + ICMPV6_ERROR_MAX_LEN < room) room = IPV6_HEADER_LEN + ICMPV6_ERROR_MAX_LEN;
  if (outOff < 0 || room < headers) return 0;
  const quoteLen = clampQuote(quoted, quotedOff, quotedLen, room - headers);

  for (let i = 0; i < 16; i++) {
    addrScratch[i] = src[srcOff + i]!;
    addrScratch[16 + i] = dst[dstOff + i]!;
  }
  const icmpOff = outOff + IPV6_HEADER_LEN;
  moveBytes(quoted, quotedOff, out, icmpOff + ICMPV6_HEADER_LEN, quoteLen);

  const icmpLen = ICMPV6_HEADER_LEN + quoteLen;
  writeU32(out, outOff + IPV6_OFF_VER_TC_FLOW, 0x60000000);
  out[outOff + IPV6_OFF_PAYLOAD_LEN] = icmpLen >>> 8;
  out[outOff + IPV6_OFF_PAYLOAD_LEN + 1] = icmpLen & 0xff;
  out[outOff + IPV6_OFF_NEXT_HEADER] = IpProtocol.Icmpv6;
  out[outOff + IPV6_OFF_HOP_LIMIT] = ICMP_ERROR_HOP_LIMIT;
  for (let i = 0; i < 16; i++) {
    out[outOff + IPV6_OFF_SRC + i] = addrScratch[i]!;
    out[outOff + IPV6_OFF_DST + i] = addrScratch[16 + i]!;
  }

  out[icmpOff + ICMPV6_OFF_TYPE] = type;
  out[icmpOff + ICMPV6_OFF_CODE] = code;
  out[icmpOff + ICMPV6_OFF_CHECKSUM] = 0;
  out[icmpOff + ICMPV6_OFF_CHECKSUM + 1] = 0;
  writeU32(out, icmpOff + 4, rest);
  // RFC 4443 §2.3: the checksum covers the RFC 8200 §8.1 pseudo-header and the whole message.
  const pseudo = pseudoHeaderSum6(out, outOff + IPV6_OFF_SRC, outOff + IPV6_OFF_DST, IpProtocol.Icmpv6, icmpLen);
  const icmpSum = finishChecksum(sumWords(out, icmpOff, icmpLen, pseudo));
  out[icmpOff + ICMPV6_OFF_CHECKSUM] = icmpSum >>> 8;
  out[icmpOff + ICMPV6_OFF_CHECKSUM + 1] = icmpSum & 0xff;
  return IPV6_HEADER_LEN + icmpLen;
}

/** Quote length: what the caller asked for, cut to the bytes `quoted` holds and to `room`. */
function clampQuote(quoted: Uint8Array, quotedOff: number, quotedLen: number, room: number): number {
  let n = quotedLen;
  const avail = quoted.length - quotedOff;
  if (avail < n) n = avail;
  if (room < n) n = room;
  return n > 0 && quotedOff >= 0 ? n : 0;
}

function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/**
 * Copies `n` bytes with memmove semantics: the quote often lives in the buffer the error is
 * written to (in-place rewrite), so source and destination may overlap in either direction.
 */
function moveBytes(from: Uint8Array, fromOff: number, to: Uint8Array, toOff: number, n: number): void {
  if (n <= 0) return;
  if (from === to) {
    to.copyWithin(toOff, fromOff, fromOff + n);
    return;
  }
  // Distinct views may still share memory; copy backwards when the destination starts after
  // the source in that memory, so no byte is overwritten before it is read.
  if (from.buffer === to.buffer && to.byteOffset + toOff > from.byteOffset + fromOff) {
    for (let i = n - 1; i >= 0; i--) to[toOff + i] = from[fromOff + i]!;
    return;
  }
  for (let i = 0; i < n; i++) to[toOff + i] = from[fromOff + i]!;
}

/**
 * RFC 1812 §4.3.2.7: may the translator answer the IPv4 packet at `buf[off, off+len)` with an
 * ICMPv4 error? No when the packet is
 * - an ICMP error message (types RFC 792 does not define as queries count as errors: an
 *   unknown type might be an error, and an error about an error is what the rule prevents);
 * - a non-initial fragment (it carries no transport header to quote usefully);
 * - destined to the limited broadcast address or to a multicast address (a directed broadcast
 *   is not recognisable without the subnet; the translator never forwards one anyway);
 * - from an address that "does not define a single host": 0.0.0.0/8, loopback 127/8, multicast
 *   224/4, Class E 240/4 (which includes 255.255.255.255).
 * A header too short or too malformed to judge also answers no.
 */
export function mayGenerateIcmpv4Error(buf: Uint8Array, off: number, len: number): boolean {
  if (off < 0 || len < IPV4_HEADER_LEN || off + len > buf.length) return false;
  const verIhl = buf[off + IPV4_OFF_VER_IHL]!;
  const ihl = (verIhl & 0x0f) << 2;
  if (verIhl >>> 4 !== 4 || ihl < IPV4_HEADER_LEN || ihl > len) return false;

  const fragWord = (buf[off + IPV4_OFF_FLAGS_FRAG]! << 8) | buf[off + IPV4_OFF_FLAGS_FRAG + 1]!;
  if ((fragWord & IPV4_FRAG_OFFSET_MASK) !== 0) return false;

  const src0 = buf[off + IPV4_OFF_SRC]!;
  if (src0 === 0 || src0 === 127 || src0 >= 224) return false;
  const dst0 = buf[off + IPV4_OFF_DST]!;
  if (dst0 >= 224 && dst0 <= 239) return false;
  if (dst0 === 255 && buf[off + IPV4_OFF_DST + 1] === 255 && buf[off + IPV4_OFF_DST + 2] === 255 && buf[off + IPV4_OFF_DST + 3] === 255) return false;

  if (buf[off + IPV4_OFF_PROTOCOL] === IpProtocol.Icmp) {
    if (len <= ihl) return false;
    return isIcmpv4Informational(buf[off + ihl]!);
  }
  return true;
}

/** Extension headers walked before the verdict is "cannot tell": bounds the work a crafted
 * chain can cause. */
const MAX_EXTENSION_HEADERS = 16;

/**
 * RFC 4443 §2.4 (e): may the translator answer the IPv6 packet at `buf[off, off+len)` with an
 * ICMPv6 error? No when the packet is
 * - (e.1) an ICMPv6 error message (type < 128), or (e.2) a Redirect, found by walking the
 *   extension header chain;
 * - (e.3) destined to a multicast address (ff00::/8). The exceptions (e.3.1) Packet Too Big and
 *   (e.3.2) Parameter Problem Code 2 permit an error but never require one; the translator
 *   does not forward multicast, so none is sent;
 * - (e.6) from an address that does not identify a single node: the unspecified address or a
 *   multicast address;
 * - a non-first fragment: it carries no upper-layer header, so (e.1) cannot be judged, and an
 *   RFC 7915 translator cannot translate it back into the ICMPv4 world anyway.
 * A header chain too short or too malformed to walk also answers no. (e.4) and (e.5) concern
 * link-layer addressing, which this layer does not see.
 */
export function mayGenerateIcmpv6Error(buf: Uint8Array, off: number, len: number): boolean {
  if (off < 0 || len < IPV6_HEADER_LEN || off + len > buf.length) return false;
  if (buf[off + IPV6_OFF_VER_TC_FLOW]! >>> 4 !== 6) return false;
  if (buf[off + IPV6_OFF_DST] === 0xff) return false;
  if (buf[off + IPV6_OFF_SRC] === 0xff) return false;
  let unspecified = true;
  for (let i = 0; i < 16; i++) {
    if (buf[off + IPV6_OFF_SRC + i] !== 0) {
      unspecified = false;
      break;
    }
  }
  if (unspecified) return false;

  const end = off + len;
  let next = buf[off + IPV6_OFF_NEXT_HEADER]!;
  let p = off + IPV6_HEADER_LEN;
  for (let n = 0; n <= MAX_EXTENSION_HEADERS; n++) {
    switch (next) {
      case IpProtocol.Icmpv6: {
        if (p >= end) return false;
        const type = buf[p]!;
        return !isIcmpv6Error(type) && type !== Icmpv6Type.Redirect;
      }
      case IpProtocol.Ipv6Frag: {
        if (p + 8 > end) return false;
        const offsetFlags = (buf[p + IPV6_FRAG_OFF_OFFSET_FLAGS]! << 8) | buf[p + IPV6_FRAG_OFF_OFFSET_FLAGS + 1]!;
        if ((offsetFlags & IPV6_FRAG_OFFSET_MASK) !== 0) return false;
        next = buf[p + IPV6_FRAG_OFF_NEXT_HEADER]!;
        p += 8;
        break;
      }
      case IpProtocol.HopByHop:
      case IpProtocol.Ipv6Route:
      case IpProtocol.Ipv6Opts:
      case IpProtocol.Mobility:
      case IpProtocol.Hip:
      case IpProtocol.Shim6: {
        // RFC 8200 §4.3-4.6: Hdr Ext Len counts 8-octet units past the first 8 octets.
        if (p + 2 > end) return false;
        next = buf[p]!;
        p += (buf[p + 1]! + 1) << 3;
        break;
      }
      case IpProtocol.Ah: {
        // RFC 4302 §2.2: Payload Len counts 4-octet units, minus 2.
        if (p + 2 > end) return false;
        next = buf[p]!;
        p += (buf[p + 1]! + 2) << 2;
        break;
      }
      default:
        // Any other upper layer (including ESP and No Next Header) is not an ICMPv6 message.
        return true;
    }
  }
  return false;
}
