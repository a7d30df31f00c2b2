import { EMPTY_BYTES, readU16, readU32, writeU16, writeU32 } from './byte-order.js';
import { adjustChecksum, adjustChecksum16, internetChecksum, pseudoHeaderSum4, verifyChecksum } from './checksum.js';
import { checkIpv4Options, IPV4_OPTIONS_MAX_LEN, Ipv4OptionKind } from './ipv4-options.js';
import { WireDrop } from './wire-drop.js';

/**
 * IPv4 (RFC 791).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
export const IPV4_HEADER_LEN = 20;
export const IPV4_MAX_HEADER_LEN = 60;
export const IPV4_OFF_VER_IHL = 0;
export const IPV4_OFF_TOS = 1;
export const IPV4_OFF_TOTAL_LEN = 2;
export const IPV4_OFF_IDENT = 4;
export const IPV4_OFF_FLAGS_FRAG = 6;
export const IPV4_OFF_TTL = 8;
export const IPV4_OFF_PROTOCOL = 9;
export const IPV4_OFF_CHECKSUM = 10;
export const IPV4_OFF_SRC = 12;
export const IPV4_OFF_DST = 16;
/** Flags/fragment-offset word bits. */
export const IPV4_FLAG_RESERVED = 0x8000;
export const IPV4_FLAG_DF = 0x4000;
export const IPV4_FLAG_MF = 0x2000;
export const IPV4_FRAG_OFFSET_MASK = 0x1fff;
/** Minimum MTU every IPv4 link supports (RFC 791). */
export const IPV4_MIN_MTU = 68;

/** Bits of the `flags` argument of `Ipv4Packet.check` and `parseIpv4`. */
export const Ipv4ParseFlag = {
  /** Do not verify the header checksum (the caller already did, or will recompute it). */
  skipChecksum: 1,
  /**
   * The header is the one quoted in an ICMP error (RFC 792, RFC 7915 §4.3): the datagram after
   * it is cut short, so a total length beyond the buffer is expected rather than `truncated`.
   */
  quoted: 2,
} as const;

/**
 * Zero-copy view of an IPv4 header, bound to a buffer and reused. `off` is the absolute offset of
 * the header in `buf`, `len` the bytes available from there (a frame may carry Ethernet padding
 * after the datagram, so `len` may exceed the total length).
 *
 * Setters named `set*` write the field only; `update*` also adjust the header checksum in place
 * by RFC 1624 eqn. 3, so a NAT rewrite costs a few additions instead of a header sum.
 */
export class Ipv4Packet {
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
   * Validates version and lengths. Once it returns 0 the whole header (options included) lies in
   * the bound length, and so does the datagram unless `Ipv4ParseFlag.quoted` was given.
   */
  check(flags = 0): number {
    if (this.len < IPV4_HEADER_LEN) return WireDrop.code.truncated;
    if (this.version() !== 4) return WireDrop.code.badVersion;
    const hl = this.headerLen();
    if (hl < IPV4_HEADER_LEN) return WireDrop.code.badHeaderLength;
    if (hl > this.len) return WireDrop.code.truncated;
    const total = this.totalLen();
    if (total < hl) return WireDrop.code.badTotalLength;
    if (total > this.len && (flags & Ipv4ParseFlag.quoted) === 0) return WireDrop.code.truncated;
    return 0;
  }

  version(): number {
    return this.buf[this.off + IPV4_OFF_VER_IHL]! >>> 4;
  }

  /** Header length in bytes (IHL × 4). */
  headerLen(): number {
    return (this.buf[this.off + IPV4_OFF_VER_IHL]! & 0x0f) << 2;
  }

  /** The whole Type of Service octet: DSCP (RFC 2474) and ECN (RFC 3168). */
  tos(): number {
    return this.buf[this.off + IPV4_OFF_TOS]!;
  }

  dscp(): number {
    return this.tos() >>> 2;
  }

  ecn(): number {
    return this.tos() & 0x03;
  }

  totalLen(): number {
    return readU16(this.buf, this.off + IPV4_OFF_TOTAL_LEN);
  }

  ident(): number {
    return readU16(this.buf, this.off + IPV4_OFF_IDENT);
  }

  /** The flags/fragment-offset word as on the wire. */
  flagsFrag(): number {
    return readU16(this.buf, this.off + IPV4_OFF_FLAGS_FRAG);
  }

  dontFragment(): boolean {
    return (this.flagsFrag() & IPV4_FLAG_DF) !== 0;
  }

  moreFragments(): boolean {
    return (this.flagsFrag() & IPV4_FLAG_MF) !== 0;
  }

  /** Fragment offset in bytes. */
  fragOffset(): number {
    return (this.flagsFrag() & IPV4_FRAG_OFFSET_MASK) << 3;
  }

  /** True for any fragment of a fragmented datagram (the first included), false when whole. */
  isFragment(): boolean {
    return (this.flagsFrag() & (IPV4_FLAG_MF | IPV4_FRAG_OFFSET_MASK)) !== 0;
  }

  ttl(): number {
    return this.buf[this.off + IPV4_OFF_TTL]!;
  }

  protocol(): number {
    return this.buf[this.off + IPV4_OFF_PROTOCOL]!;
  }

  checksum(): number {
    return readU16(this.buf, this.off + IPV4_OFF_CHECKSUM);
  }

  /** Source address as an unsigned 32-bit number. */
  src(): number {
    return readU32(this.buf, this.off + IPV4_OFF_SRC);
  }

  dst(): number {
    return readU32(this.buf, this.off + IPV4_OFF_DST);
  }

  /** Absolute offsets of the addresses, for code that maps addresses buffer to buffer. */
  srcOff(): number {
    return this.off + IPV4_OFF_SRC;
  }

  dstOff(): number {
    return this.off + IPV4_OFF_DST;
  }

  optionsOff(): number {
    return this.off + IPV4_HEADER_LEN;
  }

  optionsLen(): number {
    return this.headerLen() - IPV4_HEADER_LEN;
  }

  payloadOff(): number {
    return this.off + this.headerLen();
  }

  /** Payload length the header claims (total length − header length). */
  payloadLen(): number {
    return this.totalLen() - this.headerLen();
  }

  verifyChecksum(): boolean {
    return verifyChecksum(this.buf, this.off, this.headerLen());
  }

  /** Unfolded pseudo-header sum for an upper-layer checksum over `length` bytes (RFC 768, RFC 9293 §3.1). */
  pseudoHeaderSum(length: number): number {
    return pseudoHeaderSum4(this.buf, this.srcOff(), this.dstOff(), this.protocol(), length);
  }

  setVersionAndHeaderLen(headerLen: number): void {
    this.buf[this.off + IPV4_OFF_VER_IHL] = 0x40 | ((headerLen >>> 2) & 0x0f);
  }

  setTos(v: number): void {
    this.buf[this.off + IPV4_OFF_TOS] = v;
  }

  setTotalLen(v: number): void {
    writeU16(this.buf, this.off + IPV4_OFF_TOTAL_LEN, v);
  }

  setIdent(v: number): void {
    writeU16(this.buf, this.off + IPV4_OFF_IDENT, v);
  }

  setFlagsFrag(v: number): void {
    writeU16(this.buf, this.off + IPV4_OFF_FLAGS_FRAG, v);
  }

  setDontFragment(on: boolean): void {
    const w = this.flagsFrag();
    this.setFlagsFrag(on ? w | IPV4_FLAG_DF : w & ~IPV4_FLAG_DF);
  }

  setMoreFragments(on: boolean): void {
    const w = this.flagsFrag();
    this.setFlagsFrag(on ? w | IPV4_FLAG_MF : w & ~IPV4_FLAG_MF);
  }

  /** `bytes` must be a multiple of 8 (RFC 791 counts the offset in 8-octet units). */
  setFragOffset(bytes: number): void {
    this.setFlagsFrag((this.flagsFrag() & ~IPV4_FRAG_OFFSET_MASK) | ((bytes >>> 3) & IPV4_FRAG_OFFSET_MASK));
  }

  setTtl(v: number): void {
    this.buf[this.off + IPV4_OFF_TTL] = v;
  }

  setProtocol(v: number): void {
    this.buf[this.off + IPV4_OFF_PROTOCOL] = v;
  }

  setChecksum(v: number): void {
    writeU16(this.buf, this.off + IPV4_OFF_CHECKSUM, v);
  }

  setSrc(addr: number): void {
    writeU32(this.buf, this.off + IPV4_OFF_SRC, addr);
  }

  setDst(addr: number): void {
    writeU32(this.buf, this.off + IPV4_OFF_DST, addr);
  }

  /** Computes the header checksum over `headerLen()` bytes and stores it. */
  fillChecksum(): void {
    this.setChecksum(0);
    this.setChecksum(internetChecksum(this.buf, this.off, this.headerLen()));
  }

  updateTos(v: number): void {
    const old = readU16(this.buf, this.off + IPV4_OFF_VER_IHL);
    this.setTos(v);
    this.adjust16(old, readU16(this.buf, this.off + IPV4_OFF_VER_IHL));
  }

  updateTotalLen(v: number): void {
    const old = this.totalLen();
    this.setTotalLen(v);
    this.adjust16(old, v & 0xffff);
  }

  updateIdent(v: number): void {
    const old = this.ident();
    this.setIdent(v);
    this.adjust16(old, v & 0xffff);
  }

  updateFlagsFrag(v: number): void {
    const old = this.flagsFrag();
    this.setFlagsFrag(v);
    this.adjust16(old, v & 0xffff);
  }

  updateTtl(v: number): void {
    const old = readU16(this.buf, this.off + IPV4_OFF_TTL);
    this.setTtl(v);
    this.adjust16(old, readU16(this.buf, this.off + IPV4_OFF_TTL));
  }

  /** Forwarding's TTL decrement (RFC 1812 §5.3.1) with the checksum kept right; returns the new TTL.
   * The caller drops (and answers Time Exceeded) when the TTL it read was 0 or 1. */
  decrementTtl(): number {
    const ttl = (this.ttl() - 1) & 0xff;
    this.updateTtl(ttl);
    return ttl;
  }

  updateProtocol(v: number): void {
    const old = readU16(this.buf, this.off + IPV4_OFF_TTL);
    this.setProtocol(v);
    this.adjust16(old, readU16(this.buf, this.off + IPV4_OFF_TTL));
  }

  updateSrc(addr: number): void {
    const old = this.src();
    this.setSrc(addr);
    this.adjust32(old, addr);
  }

  updateDst(addr: number): void {
    const old = this.dst();
    this.setDst(addr);
    this.adjust32(old, addr);
  }

  private adjust16(oldWord: number, newWord: number): void {
    this.setChecksum(adjustChecksum16(this.checksum(), oldWord, newWord));
  }

  private adjust32(oldAddr: number, newAddr: number): void {
    const oldSum = (oldAddr >>> 16) + (oldAddr & 0xffff);
    const newSum = (newAddr >>> 16) + (newAddr & 0xffff);
    this.setChecksum(adjustChecksum(this.checksum(), oldSum, newSum));
  }
}

/**
 * An IPv4 header as a value. Reused: parse overwrites every field. The checksum is not part of
 * the value: parse verifies it and emit computes it.
 */
export class Ipv4Repr {
  tos = 0;
  ident = 0;
  dontFragment = false;
  moreFragments = false;
  /** Fragment offset in bytes, a multiple of 8. */
  fragOffset = 0;
  ttl = 64;
  protocol = 0;
  /** Addresses as unsigned 32-bit numbers. */
  src = 0;
  dst = 0;
  /** Bytes after the header (total length − header length). */
  payloadLen = 0;
  /** Raw options area, EOL padding included; `optionsLen` ≤ 40. Emit pads to a multiple of 4
   * with EOL octets (RFC 791 §3.1 "Padding"). */
  readonly options = new Uint8Array(IPV4_OPTIONS_MAX_LEN);
  optionsLen = 0;
}

export function ipv4ReprHeaderLen(repr: Ipv4Repr): number {
  return IPV4_HEADER_LEN + ((repr.optionsLen + 3) & ~3);
}

/** Header plus payload: the total length `emitIpv4` writes. */
export function ipv4ReprTotalLen(repr: Ipv4Repr): number {
  return ipv4ReprHeaderLen(repr) + repr.payloadLen;
}

/**
 * Parses and validates a header: lengths (`check`), checksum, reserved flag, options structure,
 * fragment fields. `flags` takes `Ipv4ParseFlag` bits.
 */
export function parseIpv4(view: Ipv4Packet, out: Ipv4Repr, flags = 0): number {
  const drop = view.check(flags);
  if (drop !== 0) return drop;
  const hl = view.headerLen();
  if ((flags & Ipv4ParseFlag.skipChecksum) === 0 && !view.verifyChecksum()) return WireDrop.code.badChecksum;
  const ff = view.flagsFrag();
  // RFC 791 §3.1: the first flag bit is reserved and must be zero.
  if ((ff & IPV4_FLAG_RESERVED) !== 0) return WireDrop.code.badFlags;
  const payloadLen = view.totalLen() - hl;
  const fragOffset = (ff & IPV4_FRAG_OFFSET_MASK) << 3;
  // RFC 791: a datagram is at most 65535 octets, so a fragment may not reach past that; RFC 791
  // also cuts every fragment but the last on an 8-octet boundary.
  if (fragOffset + hl + payloadLen > 0xffff) return WireDrop.code.badFragment;
  if ((ff & IPV4_FLAG_MF) !== 0 && (payloadLen & 7) !== 0) return WireDrop.code.badFragment;
  const optLen = hl - IPV4_HEADER_LEN;
  if (optLen > 0 && checkIpv4Options(view.buf, view.off + IPV4_HEADER_LEN, optLen) !== 0) return WireDrop.code.badOption;

  out.tos = view.tos();
  out.ident = view.ident();
  out.dontFragment = (ff & IPV4_FLAG_DF) !== 0;
  out.moreFragments = (ff & IPV4_FLAG_MF) !== 0;
  out.fragOffset = fragOffset;
  out.ttl = view.ttl();
  out.protocol = view.protocol();
  out.src = view.src();
  out.dst = view.dst();
  out.payloadLen = payloadLen;
  const b = view.buf;
  const o = view.off + IPV4_HEADER_LEN;
  for (let i = 0; i < optLen; i++) out.options[i] = b[o + i]!;
  out.optionsLen = optLen;
  return 0;
}

/**
 * Writes every header byte (options and their padding included) and the checksum. The view must
 * be bound to at least `ipv4ReprHeaderLen(repr)` bytes; the payload is not touched.
 */
export function emitIpv4(repr: Ipv4Repr, view: Ipv4Packet): void {
  const hl = ipv4ReprHeaderLen(repr);
  view.setVersionAndHeaderLen(hl);
  view.setTos(repr.tos);
  view.setTotalLen(hl + repr.payloadLen);
  view.setIdent(repr.ident);
  view.setFlagsFrag((repr.dontFragment ? IPV4_FLAG_DF : 0) | (repr.moreFragments ? IPV4_FLAG_MF : 0) |
    ((repr.fragOffset >>> 3) & IPV4_FRAG_OFFSET_MASK));
  view.setTtl(repr.ttl);
  view.setProtocol(repr.protocol);
  view.setSrc(repr.src);
  view.setDst(repr.dst);
  const b = view.buf;
  const o = view.off + IPV4_HEADER_LEN;
  const n = repr.optionsLen;
  for (let i = 0; i < n; i++) b[o + i] = repr.options[i]!;
  for (let i = n; i < hl - IPV4_HEADER_LEN; i++) b[o + i] = Ipv4OptionKind.Eol;
  view.fillChecksum();
}
