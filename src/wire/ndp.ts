import { EMPTY_BYTES, readU16, writeU16 } from './byte-order.js';
import { internetChecksum, verifyChecksum } from './checksum.js';
import { ETHERNET_ADDR_LEN } from './ethernet.js';
import { ICMPV6_OFF_CHECKSUM, ICMPV6_OFF_CODE, ICMPV6_OFF_TYPE, Icmpv6ParseFlag, Icmpv6Type } from './icmpv6.js';
import { WireDrop } from './wire-drop.js';

/**
 * Neighbor Solicitation and Neighbor Advertisement (RFC 4861 §4.3, §4.4): ICMPv6 messages of
 * type 135 and 136, followed by TLV options (§4.6).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |R|S|O|                     Reserved (NS: all reserved)         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                       Target Address (128 bits)               +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Options ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-
 *
 * Option (§4.6): | Type (8) | Length (8, units of 8 octets) | Value ... |
 */
export const NDP_NS_NA_LEN = 24;
export const NDP_OFF_FLAGS = 4;
export const NDP_OFF_TARGET = 8;
export const NDP_OFF_OPTIONS = 24;
export const NDP_TARGET_LEN = 16;
/** Option lengths count 8-octet units (RFC 4861 §4.6). */
export const NDP_OPTION_UNIT = 8;
/** A link-layer address option for an IEEE 802 address: length 1 (RFC 4861 §4.6.1). */
export const NDP_LLADDR_OPTION_LEN = 8;

/** Neighbor Advertisement flags, in the byte at `NDP_OFF_FLAGS` (RFC 4861 §4.4). */
export const NdpNaFlag = {
  Router: 0x80,
  Solicited: 0x40,
  Override: 0x20,
} as const;

/** Option types (RFC 4861 §4.6). */
export const NdpOptionType = {
  SourceLinkAddr: 1,
  TargetLinkAddr: 2,
  PrefixInfo: 3,
  RedirectedHeader: 4,
  Mtu: 5,
} as const;

/**
 * Walks NDP options without allocating. Reused: `reset` then `next()` until it returns false;
 * after each true, `type`, `off` (absolute offset of the type octet), `optLen` (whole option in
 * bytes), `dataOff` and `dataLen` describe the option. When `next()` returns false, `error` is 0
 * at the end of the area, else `WireDrop.code.badOption`: a length of zero, which RFC 4861 §4.6
 * says to drop the packet for, or an option past the end.
 */
export class NdpOptionIter {
  buf: Uint8Array = EMPTY_BYTES;
  private pos = 0;
  private end = 0;
  type = 0;
  off = 0;
  optLen = 0;
  dataOff = 0;
  dataLen = 0;
  error = 0;

  reset(buf: Uint8Array, off: number, len: number): this {
    this.buf = buf;
    this.pos = off;
    this.end = off + len;
    this.error = 0;
    return this;
  }

  next(): boolean {
    const p = this.pos, end = this.end;
    if (p >= end) return false;
    if (p + 2 > end) return this.fail();
    const l = this.buf[p + 1]! * NDP_OPTION_UNIT;
    if (l === 0 || p + l > end) return this.fail();
    this.type = this.buf[p]!;
    this.off = p;
    this.optLen = l;
    this.dataOff = p + 2;
    this.dataLen = l - 2;
    this.pos = p + l;
    return true;
  }

  private fail(): boolean {
    this.error = WireDrop.code.badOption;
    this.pos = this.end;
    return false;
  }
}

/**
 * Zero-copy view of a Neighbor Solicitation or Advertisement, bound to a buffer and reused. `off`
 * is the absolute offset of the ICMPv6 message in `buf`, `len` its length.
 */
export class NdpPacket {
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
   * Validates the fixed part (RFC 4861 §7.1.1, §7.1.2): NS or NA type, code 0, at least 24
   * bytes, target not multicast. Once it returns 0 the fixed part lies in the bound length. The
   * options are checked by `parseNdp`; the hop limit of 255 and the rules tied to the IP
   * addresses are the IP layer's to check.
   */
  check(): number {
    if (this.len < NDP_NS_NA_LEN) return WireDrop.code.truncated;
    const t = this.type();
    if (t !== Icmpv6Type.NeighborSolicitation && t !== Icmpv6Type.NeighborAdvertisement) return WireDrop.code.badType;
    if (this.code() !== 0) return WireDrop.code.badType;
    if (this.buf[this.off + NDP_OFF_TARGET] === 0xff) return WireDrop.code.badAddress;
    return WireDrop.code.none;
  }

  type(): number {
    return this.buf[this.off + ICMPV6_OFF_TYPE]!;
  }

  code(): number {
    return this.buf[this.off + ICMPV6_OFF_CODE]!;
  }

  checksum(): number {
    return readU16(this.buf, this.off + ICMPV6_OFF_CHECKSUM);
  }

  /** NA flags byte (`NdpNaFlag`); receivers ignore the reserved bits (RFC 4861 §4.4). */
  flags(): number {
    return this.buf[this.off + NDP_OFF_FLAGS]! & (NdpNaFlag.Router | NdpNaFlag.Solicited | NdpNaFlag.Override);
  }

  /** Absolute offset of the 16-byte target address. */
  targetOff(): number {
    return this.off + NDP_OFF_TARGET;
  }

  optionsOff(): number {
    return this.off + NDP_OFF_OPTIONS;
  }

  optionsLen(): number {
    return this.len - NDP_OFF_OPTIONS;
  }

  setType(v: number): void {
    this.buf[this.off + ICMPV6_OFF_TYPE] = v;
  }

  setCode(v: number): void {
    this.buf[this.off + ICMPV6_OFF_CODE] = v;
  }

  setChecksum(v: number): void {
    writeU16(this.buf, this.off + ICMPV6_OFF_CHECKSUM, v);
  }

  /** Writes the flags and zeroes the 29 reserved bits after them. */
  setFlags(v: number): void {
    const b = this.buf, p = this.off + NDP_OFF_FLAGS;
    b[p] = v & (NdpNaFlag.Router | NdpNaFlag.Solicited | NdpNaFlag.Override);
    b[p + 1] = 0; b[p + 2] = 0; b[p + 3] = 0;
  }

  /** True when the ICMPv6 checksum over the message and `pseudoSum` verifies. */
  verifyChecksum(pseudoSum: number): boolean {
    return verifyChecksum(this.buf, this.off, this.len, pseudoSum);
  }

  fillChecksum(pseudoSum: number): void {
    this.setChecksum(0);
    this.setChecksum(internetChecksum(this.buf, this.off, this.len, pseudoSum));
  }
}

/**
 * A Neighbor Solicitation or Advertisement as a value. Reused: parse overwrites every field.
 * `flags` is 0 for NS. Link-layer addresses are IEEE 802 (6 bytes); options of other types are
 * skipped, as RFC 4861 §4.6 requires, and not kept.
 */
export class NdpRepr {
  type: number = Icmpv6Type.NeighborSolicitation;
  flags = 0;
  readonly target = new Uint8Array(NDP_TARGET_LEN);
  hasSourceLinkAddr = false;
  readonly sourceLinkAddr = new Uint8Array(ETHERNET_ADDR_LEN);
  hasTargetLinkAddr = false;
  readonly targetLinkAddr = new Uint8Array(ETHERNET_ADDR_LEN);
}

/** Message length `emitNdp` writes: the fixed part and one 8-byte option per address present. */
export function ndpReprLen(repr: NdpRepr): number {
  return NDP_NS_NA_LEN + (repr.hasSourceLinkAddr ? NDP_LLADDR_OPTION_LEN : 0) +
    (repr.hasTargetLinkAddr ? NDP_LLADDR_OPTION_LEN : 0);
}

const iter = new NdpOptionIter();

/**
 * Parses and validates an NS or NA: fixed part (`check`), checksum, options. `pseudoSum` is the
 * IP view's `pseudoHeaderSum` for next header 58 and the message length; `flags` takes
 * `Icmpv6ParseFlag` bits. A link-layer address option whose length is not that of an IEEE 802
 * address is `badOption`.
 */
export function parseNdp(view: NdpPacket, out: NdpRepr, pseudoSum: number, flags = 0): number {
  const drop = view.check();
  if (drop !== 0) return drop;
  if ((flags & Icmpv6ParseFlag.skipChecksum) === 0 && !view.verifyChecksum(pseudoSum)) return WireDrop.code.badChecksum;
  const b = view.buf;
  const t = view.type();
  out.type = t;
  out.flags = t === Icmpv6Type.NeighborAdvertisement ? view.flags() : 0;
  const tgt = view.targetOff();
  for (let i = 0; i < NDP_TARGET_LEN; i++) out.target[i] = b[tgt + i]!;
  out.hasSourceLinkAddr = false;
  out.hasTargetLinkAddr = false;
  out.sourceLinkAddr.fill(0);
  out.targetLinkAddr.fill(0);
  const r = iter.reset(b, view.optionsOff(), view.optionsLen());
  while (r.next()) {
    if (r.type !== NdpOptionType.SourceLinkAddr && r.type !== NdpOptionType.TargetLinkAddr) continue;
    if (r.optLen !== NDP_LLADDR_OPTION_LEN) return WireDrop.code.badOption;
    const dst = r.type === NdpOptionType.SourceLinkAddr ? out.sourceLinkAddr : out.targetLinkAddr;
    for (let i = 0; i < ETHERNET_ADDR_LEN; i++) dst[i] = b[r.dataOff + i]!;
    if (r.type === NdpOptionType.SourceLinkAddr) out.hasSourceLinkAddr = true;
    else out.hasTargetLinkAddr = true;
  }
  return r.error;
}

/**
 * Writes the whole message: fixed part (reserved bits zero), the link-layer address options
 * present (source, then target) and the checksum. Afterwards `view.len` is `ndpReprLen(repr)`.
 * Throws RangeError (a caller bug) when the view is shorter than that.
 */
export function emitNdp(repr: NdpRepr, view: NdpPacket, pseudoSum: number): void {
  const total = ndpReprLen(repr);
  if (view.len < total) throw new RangeError('NDP message does not fit the view');
  view.len = total;
  view.setType(repr.type);
  view.setCode(0);
  view.setFlags(repr.type === Icmpv6Type.NeighborAdvertisement ? repr.flags : 0);
  const b = view.buf;
  const tgt = view.targetOff();
  for (let i = 0; i < NDP_TARGET_LEN; i++) b[tgt + i] = repr.target[i]!;
  let p = view.optionsOff();
  if (repr.hasSourceLinkAddr) p = writeLinkAddrOption(b, p, NdpOptionType.SourceLinkAddr, repr.sourceLinkAddr);
  if (repr.hasTargetLinkAddr) writeLinkAddrOption(b, p, NdpOptionType.TargetLinkAddr, repr.targetLinkAddr);
  view.fillChecksum(pseudoSum);
}

function writeLinkAddrOption(b: Uint8Array, p: number, type: number, addr: Uint8Array): number {
  b[p] = type;
  b[p + 1] = NDP_LLADDR_OPTION_LEN / NDP_OPTION_UNIT;
  for (let i = 0; i < ETHERNET_ADDR_LEN; i++) b[p + 2 + i] = addr[i]!;
  return p + NDP_LLADDR_OPTION_LEN;
}
