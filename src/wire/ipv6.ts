import { EMPTY_BYTES, readU16, writeU16 } from './byte-order.js';
import { pseudoHeaderSum6 } from './checksum.js';
import { IpProtocol } from './ip-protocol.js';
import { WireDrop } from './wire-drop.js';

/**
 * IPv6 (RFC 8200 §3) and its extension headers (§4).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Source Address (128 bits)                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               Destination Address (128 bits)                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
export const IPV6_HEADER_LEN = 40;
export const IPV6_OFF_VER_TC_FLOW = 0;
export const IPV6_OFF_PAYLOAD_LEN = 4;
export const IPV6_OFF_NEXT_HEADER = 6;
export const IPV6_OFF_HOP_LIMIT = 7;
export const IPV6_OFF_SRC = 8;
export const IPV6_OFF_DST = 24;
/** Minimum link MTU (RFC 8200 §5). */
export const IPV6_MIN_MTU = 1280;

/**
 * Fragment header (RFC 8200 §4.5).
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Identification                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
export const IPV6_FRAG_HEADER_LEN = 8;
export const IPV6_FRAG_OFF_NEXT_HEADER = 0;
export const IPV6_FRAG_OFF_OFFSET_FLAGS = 2;
export const IPV6_FRAG_OFF_IDENT = 4;
export const IPV6_FRAG_OFFSET_MASK = 0xfff8;
export const IPV6_FRAG_FLAG_M = 0x0001;
export const IPV6_ADDR_LEN = 16;

/** Bits of the `flags` argument of `Ipv6Packet.check`, `parseIpv6` and the extension chain walk. */
export const Ipv6ParseFlag = {
  /**
   * The header is the one quoted in an ICMPv6 error (RFC 4443 §2.4 (c), RFC 7915 §5.3): the
   * packet after it is cut short, so a payload length beyond the buffer is expected rather than
   * `truncated`, and fragment consistency is not judged on the cut payload.
   */
  quoted: 1,
} as const;

/**
 * Zero-copy view of the IPv6 fixed header, bound to a buffer and reused. `off` is the absolute
 * offset of the header in `buf`, `len` the bytes available from there (may exceed 40 + payload
 * length when the frame was padded). IPv6 has no header checksum, so the setters are plain.
 */
export class Ipv6Packet {
  buf: Uint8Array = EMPTY_BYTES;
  off = 0;
  len = 0;

  bind(buf: Uint8Array, off: number, len: number): this {
    this.buf = buf;
    this.off = off;
    this.len = len;
    return this;
  }

  /**
   * Validates version and payload length. Once it returns 0 the fixed header lies in the bound
   * length, and so does the payload unless `Ipv6ParseFlag.quoted` was given.
   */
  check(flags = 0): number {
    if (this.len < IPV6_HEADER_LEN) return WireDrop.code.truncated;
    if (this.version() !== 6) return WireDrop.code.badVersion;
    const pl = this.payloadLen();
    // RFC 2675 §3: a zero payload length with a Hop-by-Hop header announces a jumbogram, which
    // no link this gateway serves can carry; any other HBH packet has at least 8 payload bytes.
    if (pl === 0 && this.nextHeader() === IpProtocol.HopByHop) return WireDrop.code.unsupported;
    if (IPV6_HEADER_LEN + pl > this.len && (flags & Ipv6ParseFlag.quoted) === 0) return WireDrop.code.truncated;
    return 0;
  }

  version(): number {
    return this.buf[this.off]! >>> 4;
  }

  trafficClass(): number {
    const b = this.buf;
    const p = this.off;
    return ((b[p]! & 0x0f) << 4) | (b[p + 1]! >>> 4);
  }

  flowLabel(): number {
    const b = this.buf;
    const p = this.off;
    return ((b[p + 1]! & 0x0f) << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }

  payloadLen(): number {
    return readU16(this.buf, this.off + IPV6_OFF_PAYLOAD_LEN);
  }

  nextHeader(): number {
    return this.buf[this.off + IPV6_OFF_NEXT_HEADER]!;
  }

  hopLimit(): number {
    return this.buf[this.off + IPV6_OFF_HOP_LIMIT]!;
  }

  /** Absolute offsets of the 16-byte addresses. */
  srcOff(): number {
    return this.off + IPV6_OFF_SRC;
  }

  dstOff(): number {
    return this.off + IPV6_OFF_DST;
  }

  /** Absolute offset of the first byte after the fixed header. */
  payloadOff(): number {
    return this.off + IPV6_HEADER_LEN;
  }

  /** Absolute end of the payload the header claims, clipped to the bound length (quoted packets). */
  payloadEnd(): number {
    const end = this.off + IPV6_HEADER_LEN + this.payloadLen();
    const avail = this.off + this.len;
    return end < avail ? end : avail;
  }

  /** Unfolded pseudo-header sum (RFC 8200 §8.1) for an upper layer `nextHeader` over `length` bytes. */
  pseudoHeaderSum(nextHeader: number, length: number): number {
    return pseudoHeaderSum6(this.buf, this.srcOff(), this.dstOff(), nextHeader, length);
  }

  /** Writes the version nibble with the traffic class and flow label (the whole first word). */
  setVersionTcFlow(trafficClass: number, flowLabel: number): void {
    const b = this.buf;
    const p = this.off;
    b[p] = 0x60 | ((trafficClass >>> 4) & 0x0f);
    b[p + 1] = ((trafficClass & 0x0f) << 4) | ((flowLabel >>> 16) & 0x0f);
    b[p + 2] = flowLabel >>> 8;
    b[p + 3] = flowLabel;
  }

  setTrafficClass(v: number): void {
    this.setVersionTcFlow(v, this.flowLabel());
  }

  setFlowLabel(v: number): void {
    this.setVersionTcFlow(this.trafficClass(), v);
  }

  setPayloadLen(v: number): void {
    writeU16(this.buf, this.off + IPV6_OFF_PAYLOAD_LEN, v);
  }

  setNextHeader(v: number): void {
    this.buf[this.off + IPV6_OFF_NEXT_HEADER] = v;
  }

  setHopLimit(v: number): void {
    this.buf[this.off + IPV6_OFF_HOP_LIMIT] = v;
  }

  /** Forwarding's hop-limit decrement (RFC 8200 §3); returns the new value. The caller drops
   * (and answers Time Exceeded) when the value it read was 0 or 1. */
  decrementHopLimit(): number {
    const v = (this.hopLimit() - 1) & 0xff;
    this.setHopLimit(v);
    return v;
  }

  /** Copies 16 bytes from `src[srcOff]` into the source address. */
  setSrc(src: Uint8Array, srcOff: number): void {
    copy16(src, srcOff, this.buf, this.off + IPV6_OFF_SRC);
  }

  setDst(src: Uint8Array, srcOff: number): void {
    copy16(src, srcOff, this.buf, this.off + IPV6_OFF_DST);
  }
}

/**
 * The IPv6 fixed header as a value. Reused: parse overwrites every field. `nextHeader` is the
 * fixed header's own field; the extension header chain is read by `Ipv6ExtChain`.
 */
export class Ipv6Repr {
  trafficClass = 0;
  flowLabel = 0;
  payloadLen = 0;
  nextHeader = 0;
  hopLimit = 64;
  readonly src = new Uint8Array(IPV6_ADDR_LEN);
  readonly dst = new Uint8Array(IPV6_ADDR_LEN);
}

/** Fixed header plus payload. */
export function ipv6ReprTotalLen(repr: Ipv6Repr): number {
  return IPV6_HEADER_LEN + repr.payloadLen;
}

export function parseIpv6(view: Ipv6Packet, out: Ipv6Repr, flags = 0): number {
  const drop = view.check(flags);
  if (drop !== 0) return drop;
  out.trafficClass = view.trafficClass();
  out.flowLabel = view.flowLabel();
  out.payloadLen = view.payloadLen();
  out.nextHeader = view.nextHeader();
  out.hopLimit = view.hopLimit();
  copy16(view.buf, view.srcOff(), out.src, 0);
  copy16(view.buf, view.dstOff(), out.dst, 0);
  return 0;
}

/** Writes all 40 bytes of the fixed header; the view must be bound to at least that many. */
export function emitIpv6(repr: Ipv6Repr, view: Ipv6Packet): void {
  view.setVersionTcFlow(repr.trafficClass, repr.flowLabel);
  view.setPayloadLen(repr.payloadLen);
  view.setNextHeader(repr.nextHeader);
  view.setHopLimit(repr.hopLimit);
  view.setSrc(repr.src, 0);
  view.setDst(repr.dst, 0);
}

function copy16(src: Uint8Array, so: number, dst: Uint8Array, d: number): void {
  for (let i = 0; i < IPV6_ADDR_LEN; i++) dst[d + i] = src[so + i]!;
}
