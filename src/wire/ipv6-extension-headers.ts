import { EMPTY_BYTES, readU16, readU32, writeU16, writeU32 } from './byte-order.js';
import { IpProtocol } from './ip-protocol.js';
import {
  IPV6_FRAG_FLAG_M, IPV6_FRAG_HEADER_LEN, IPV6_FRAG_OFF_IDENT, IPV6_FRAG_OFF_NEXT_HEADER, IPV6_FRAG_OFF_OFFSET_FLAGS,
  IPV6_FRAG_OFFSET_MASK, IPV6_HEADER_LEN, IPV6_OFF_NEXT_HEADER, Ipv6ParseFlag, type Ipv6Packet,
} from './ipv6.js';
import { WireDrop } from './wire-drop.js';

/**
 * IPv6 extension headers (RFC 8200 §4): Hop-by-Hop Options (§4.3), Routing (§4.4), Fragment
 * (§4.5, layout in ipv6.ts) and Destination Options (§4.6), their options (§4.2), and a walker
 * that follows the chain to the upper-layer header.
 *
 * Hop-by-Hop and Destination Options headers, and the Routing header's first word:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Header  |  Hdr Ext Len  |  Options ... / Routing Type | Segments Left |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |       Options / type-specific data (Hdr Ext Len × 8 + 6 − 2 bytes)       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Hdr Ext Len counts 8-octet units after the first 8 octets.
 */
export const IPV6_EXT_OFF_NEXT_HEADER = 0;
export const IPV6_EXT_OFF_LENGTH = 1;
export const IPV6_EXT_MIN_LEN = 8;
/** (255 + 1) × 8. */
export const IPV6_EXT_MAX_LEN = 2048;
export const IPV6_OPTS_OFF_OPTIONS = 2;
export const IPV6_ROUTING_OFF_TYPE = 2;
export const IPV6_ROUTING_OFF_SEGMENTS_LEFT = 3;
export const IPV6_ROUTING_OFF_DATA = 4;
/** Option area capacity of a Hop-by-Hop or Destination Options header. */
export const IPV6_OPTIONS_MAX_LEN = IPV6_EXT_MAX_LEN - IPV6_OPTS_OFF_OPTIONS;
/** Type-specific data capacity of a Routing header. */
export const IPV6_ROUTING_DATA_MAX_LEN = IPV6_EXT_MAX_LEN - IPV6_ROUTING_OFF_DATA;
/**
 * Extension headers the walker follows before it gives up with `tooManyExtensionHeaders`. RFC
 * 8200 §4.1 recommends each kind at most once (Destination Options twice), which makes six; two
 * spare cover repeats seen in the wild without letting a crafted chain cost unbounded work.
 */
export const IPV6_MAX_EXTENSION_HEADERS = 8;

/** Option types (IANA "Destination Options and Hop-by-Hop Options"). */
export const Ipv6OptionType = {
  Pad1: 0x00,
  PadN: 0x01,
  TunnelEncapLimit: 0x04,
  RouterAlert: 0x05,
  Jumbo: 0xc2,
  HomeAddress: 0xc9,
} as const;

/** The two high-order bits of an option type: what a node that does not know it must do (RFC 8200 §4.2). */
export const Ipv6OptionAction = {
  Skip: 0,
  Discard: 1,
  DiscardSendIcmp: 2,
  DiscardSendIcmpUnlessMulticast: 3,
} as const;

export function ipv6OptionAction(type: number): number {
  return type >>> 6;
}

/** RFC 8200 §4.2: bit 3 of the option type says the data may change en route. */
export function ipv6OptionMayChange(type: number): boolean {
  return (type & 0x20) !== 0;
}

/** Next-header values the walker treats as extension headers. AH, ESP, Mobility, HIP and Shim6
 * are reported as the upper layer: a translator cannot carry them (RFC 7915 §5.1) and a NAT
 * cannot rewrite behind them, so following them would only delay the same verdict. */
export function isIpv6ExtensionHeader(nextHeader: number): boolean {
  return nextHeader === IpProtocol.HopByHop || nextHeader === IpProtocol.Ipv6Route ||
    nextHeader === IpProtocol.Ipv6Frag || nextHeader === IpProtocol.Ipv6Opts;
}

/**
 * Walks the options of one Hop-by-Hop or Destination Options header without allocating.
 * Reused: `reset` then `next()` until false; after each true, `type`, `off` (absolute offset of
 * the type octet), `optLen` (whole option: 1 for Pad1), `dataOff` and `dataLen` describe it.
 * When `next()` returns false, `error` is 0 at the end, else a WireDrop code.
 */
export class Ipv6OptionIter {
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
    const p = this.pos;
    if (p >= this.end) return false;
    const b = this.buf;
    const type = b[p]!;
    this.type = type;
    this.off = p;
    if (type === Ipv6OptionType.Pad1) {
      this.optLen = 1;
      this.dataOff = p + 1;
      this.dataLen = 0;
      this.pos = p + 1;
      return true;
    }
    if (p + 2 > this.end) return this.fail();
    const dataLen = b[p + 1]!;
    if (p + 2 + dataLen > this.end) return this.fail();
    this.optLen = dataLen + 2;
    this.dataOff = p + 2;
    this.dataLen = dataLen;
    this.pos = p + 2 + dataLen;
    return true;
  }

  private fail(): boolean {
    this.error = WireDrop.code.badOption;
    this.pos = this.end;
    return false;
  }
}

const optScratch = new Ipv6OptionIter();

/** 0 when `buf[off, off+len)` is a well-formed option TLV sequence, else `badOption`. */
export function checkIpv6Options(buf: Uint8Array, off: number, len: number): number {
  const it = optScratch.reset(buf, off, len);
  while (it.next()) { /* structure only */ }
  const error = it.error;
  it.buf = EMPTY_BYTES;
  return error;
}

/** Writes Pad1 (n = 1) or PadN (n ≥ 2) covering exactly `n` bytes at `off` (RFC 8200 §4.2). */
export function emitIpv6Padding(buf: Uint8Array, off: number, n: number): void {
  if (n <= 0) return;
  if (n === 1) {
    buf[off] = Ipv6OptionType.Pad1;
    return;
  }
  buf[off] = Ipv6OptionType.PadN;
  buf[off + 1] = n - 2;
  for (let i = 2; i < n; i++) buf[off + i] = 0;
}

/**
 * Writes one option at `off` with data copied from `data[dataOff, dataOff+dataLen)`; returns the
 * offset after it. Pad1 is written as one octet. Alignment (RFC 8200 §4.2 "xn+y") is the
 * caller's: precede the option with `emitIpv6Padding`.
 */
export function emitIpv6Option(buf: Uint8Array, off: number, type: number, data: Uint8Array, dataOff: number, dataLen: number): number {
  buf[off] = type;
  if (type === Ipv6OptionType.Pad1) return off + 1;
  buf[off + 1] = dataLen;
  for (let i = 0; i < dataLen; i++) buf[off + 2 + i] = data[dataOff + i]!;
  return off + 2 + dataLen;
}

/** Length in bytes of the extension header (not Fragment) whose Hdr Ext Len octet is `hdrExtLen`. */
function extLen(hdrExtLen: number): number {
  return (hdrExtLen + 1) << 3;
}

/** Zero-copy view of a Hop-by-Hop or Destination Options header, bound and reused. */
export class Ipv6OptionsHeader {
  buf: Uint8Array = EMPTY_BYTES;
  off = 0;
  len = 0;

  bind(buf: Uint8Array, off: number, len: number): this {
    this.buf = buf;
    this.off = off;
    this.len = len;
    return this;
  }

  /** Once this returns 0 the whole header lies in the bound length. */
  check(): number {
    if (this.len < 2 || this.len < this.headerLen()) return WireDrop.code.truncated;
    return 0;
  }

  nextHeader(): number {
    return this.buf[this.off + IPV6_EXT_OFF_NEXT_HEADER]!;
  }

  hdrExtLen(): number {
    return this.buf[this.off + IPV6_EXT_OFF_LENGTH]!;
  }

  headerLen(): number {
    return extLen(this.hdrExtLen());
  }

  optionsOff(): number {
    return this.off + IPV6_OPTS_OFF_OPTIONS;
  }

  optionsLen(): number {
    return this.headerLen() - IPV6_OPTS_OFF_OPTIONS;
  }

  setNextHeader(v: number): void {
    this.buf[this.off + IPV6_EXT_OFF_NEXT_HEADER] = v;
  }

  /** `bytes` must be a multiple of 8, from 8 to 2048. */
  setHeaderLen(bytes: number): void {
    this.buf[this.off + IPV6_EXT_OFF_LENGTH] = (bytes >>> 3) - 1;
  }
}

/** Zero-copy view of a Routing header (any Routing Type), bound and reused. */
export class Ipv6RoutingHeader {
  buf: Uint8Array = EMPTY_BYTES;
  off = 0;
  len = 0;

  bind(buf: Uint8Array, off: number, len: number): this {
    this.buf = buf;
    this.off = off;
    this.len = len;
    return this;
  }

  check(): number {
    if (this.len < 2 || this.len < this.headerLen()) return WireDrop.code.truncated;
    return 0;
  }

  nextHeader(): number {
    return this.buf[this.off + IPV6_EXT_OFF_NEXT_HEADER]!;
  }

  hdrExtLen(): number {
    return this.buf[this.off + IPV6_EXT_OFF_LENGTH]!;
  }

  headerLen(): number {
    return extLen(this.hdrExtLen());
  }

  routingType(): number {
    return this.buf[this.off + IPV6_ROUTING_OFF_TYPE]!;
  }

  segmentsLeft(): number {
    return this.buf[this.off + IPV6_ROUTING_OFF_SEGMENTS_LEFT]!;
  }

  dataOff(): number {
    return this.off + IPV6_ROUTING_OFF_DATA;
  }

  dataLen(): number {
    return this.headerLen() - IPV6_ROUTING_OFF_DATA;
  }

  setNextHeader(v: number): void {
    this.buf[this.off + IPV6_EXT_OFF_NEXT_HEADER] = v;
  }

  setHeaderLen(bytes: number): void {
    this.buf[this.off + IPV6_EXT_OFF_LENGTH] = (bytes >>> 3) - 1;
  }

  setRoutingType(v: number): void {
    this.buf[this.off + IPV6_ROUTING_OFF_TYPE] = v;
  }

  setSegmentsLeft(v: number): void {
    this.buf[this.off + IPV6_ROUTING_OFF_SEGMENTS_LEFT] = v;
  }
}

/** Zero-copy view of a Fragment header (layout in ipv6.ts), bound and reused. */
export class Ipv6FragmentHeader {
  buf: Uint8Array = EMPTY_BYTES;
  off = 0;
  len = 0;

  bind(buf: Uint8Array, off: number, len: number): this {
    this.buf = buf;
    this.off = off;
    this.len = len;
    return this;
  }

  check(): number {
    return this.len < IPV6_FRAG_HEADER_LEN ? WireDrop.code.truncated : 0;
  }

  nextHeader(): number {
    return this.buf[this.off + IPV6_FRAG_OFF_NEXT_HEADER]!;
  }

  /** The offset/flags word as on the wire. */
  offsetFlags(): number {
    return readU16(this.buf, this.off + IPV6_FRAG_OFF_OFFSET_FLAGS);
  }

  /** Fragment offset in bytes. */
  fragOffset(): number {
    return this.offsetFlags() & IPV6_FRAG_OFFSET_MASK;
  }

  moreFragments(): boolean {
    return (this.offsetFlags() & IPV6_FRAG_FLAG_M) !== 0;
  }

  ident(): number {
    return readU32(this.buf, this.off + IPV6_FRAG_OFF_IDENT);
  }

  setNextHeader(v: number): void {
    this.buf[this.off + IPV6_FRAG_OFF_NEXT_HEADER] = v;
  }

  /** Writes offset (bytes, multiple of 8) and M flag; the reserved bits are zeroed (RFC 8200 §4.5). */
  setOffsetFlags(fragOffset: number, more: boolean): void {
    const w = (fragOffset & IPV6_FRAG_OFFSET_MASK) | (more ? IPV6_FRAG_FLAG_M : 0);
    writeU16(this.buf, this.off + IPV6_FRAG_OFF_OFFSET_FLAGS, w);
  }

  setIdent(v: number): void {
    writeU32(this.buf, this.off + IPV6_FRAG_OFF_IDENT, v);
  }
}

/** A Hop-by-Hop or Destination Options header as a value. */
export class Ipv6OptionsHeaderRepr {
  nextHeader = 0;
  /** The option area, padding included. Emit pads it to a multiple of 8 (with the 2-byte header)
   * using Pad1/PadN. */
  readonly options = new Uint8Array(IPV6_OPTIONS_MAX_LEN);
  optionsLen = 0;
}

/** A Routing header as a value; the type-specific data after Segments Left is kept raw. */
export class Ipv6RoutingHeaderRepr {
  nextHeader = 0;
  routingType = 0;
  segmentsLeft = 0;
  /** Emit pads it with zero octets to a multiple of 8 (with the 4-byte start). */
  readonly data = new Uint8Array(IPV6_ROUTING_DATA_MAX_LEN);
  dataLen = 0;
}

export class Ipv6FragmentHeaderRepr {
  nextHeader = 0;
  /** Bytes, a multiple of 8. */
  fragOffset = 0;
  moreFragments = false;
  ident = 0;
}

export function ipv6OptionsHeaderReprLen(repr: Ipv6OptionsHeaderRepr): number {
  return (IPV6_OPTS_OFF_OPTIONS + repr.optionsLen + 7) & ~7;
}

export function ipv6RoutingHeaderReprLen(repr: Ipv6RoutingHeaderRepr): number {
  return (IPV6_ROUTING_OFF_DATA + repr.dataLen + 7) & ~7;
}

export function ipv6FragmentHeaderReprLen(_repr: Ipv6FragmentHeaderRepr): number {
  return IPV6_FRAG_HEADER_LEN;
}

export function parseIpv6OptionsHeader(view: Ipv6OptionsHeader, out: Ipv6OptionsHeaderRepr): number {
  const drop = view.check();
  if (drop !== 0) return drop;
  const o = view.optionsOff();
  const n = view.optionsLen();
  if (checkIpv6Options(view.buf, o, n) !== 0) return WireDrop.code.badOption;
  out.nextHeader = view.nextHeader();
  const b = view.buf;
  for (let i = 0; i < n; i++) out.options[i] = b[o + i]!;
  out.optionsLen = n;
  return 0;
}

/** Writes every byte of the header, padding included; the view must be bound to at least
 * `ipv6OptionsHeaderReprLen(repr)` bytes. */
export function emitIpv6OptionsHeader(repr: Ipv6OptionsHeaderRepr, view: Ipv6OptionsHeader): void {
  const hl = ipv6OptionsHeaderReprLen(repr);
  view.setNextHeader(repr.nextHeader);
  view.setHeaderLen(hl);
  const b = view.buf;
  const o = view.optionsOff();
  const n = repr.optionsLen;
  for (let i = 0; i < n; i++) b[o + i] = repr.options[i]!;
  emitIpv6Padding(b, o + n, hl - IPV6_OPTS_OFF_OPTIONS - n);
}

export function parseIpv6RoutingHeader(view: Ipv6RoutingHeader, out: Ipv6RoutingHeaderRepr): number {
  const drop = view.check();
  if (drop !== 0) return drop;
  out.nextHeader = view.nextHeader();
  out.routingType = view.routingType();
  out.segmentsLeft = view.segmentsLeft();
  const b = view.buf;
  const o = view.dataOff();
  const n = view.dataLen();
  for (let i = 0; i < n; i++) out.data[i] = b[o + i]!;
  out.dataLen = n;
  return 0;
}

export function emitIpv6RoutingHeader(repr: Ipv6RoutingHeaderRepr, view: Ipv6RoutingHeader): void {
  const hl = ipv6RoutingHeaderReprLen(repr);
  view.setNextHeader(repr.nextHeader);
  view.setHeaderLen(hl);
  view.setRoutingType(repr.routingType);
  view.setSegmentsLeft(repr.segmentsLeft);
  const b = view.buf;
  const o = view.dataOff();
  const n = repr.dataLen;
  for (let i = 0; i < n; i++) b[o + i] = repr.data[i]!;
  for (let i = n; i < hl - IPV6_ROUTING_OFF_DATA; i++) b[o + i] = 0;
}

export function parseIpv6FragmentHeader(view: Ipv6FragmentHeader, out: Ipv6FragmentHeaderRepr): number {
  const drop = view.check();
  if (drop !== 0) return drop;
  out.nextHeader = view.nextHeader();
  out.fragOffset = view.fragOffset();
  out.moreFragments = view.moreFragments();
  out.ident = view.ident();
  return 0;
}

/** Writes all 8 bytes; the reserved octet and bits are zero (RFC 8200 §4.5). */
export function emitIpv6FragmentHeader(repr: Ipv6FragmentHeaderRepr, view: Ipv6FragmentHeader): void {
  view.setNextHeader(repr.nextHeader);
  view.buf[view.off + 1] = 0;
  view.setOffsetFlags(repr.fragOffset, repr.moreFragments);
  view.setIdent(repr.ident);
}

/**
 * Follows an IPv6 extension header chain to the upper-layer header, without allocating.
 * Reused per packet: `walk` (or `walkIpv6`) resets every field. Offsets are absolute in the
 * walked buffer; -1 means "absent".
 *
 * A non-first fragment (offset ≠ 0) stops the walk at its Fragment header: what follows is
 * fragment data, so `upperProtocol` names the protocol but `upperOff` does not point at its
 * header (check `fragOffset`).
 */
export class Ipv6ExtChain {
  /** Number of extension headers walked; `types`, `offsets`, `lengths` hold them in order. */
  count = 0;
  readonly types = new Uint8Array(IPV6_MAX_EXTENSION_HEADERS);
  readonly offsets = new Int32Array(IPV6_MAX_EXTENSION_HEADERS);
  readonly lengths = new Uint16Array(IPV6_MAX_EXTENSION_HEADERS);
  /** Protocol after the chain (the last Next Header value) and where its header starts. */
  upperProtocol = 0;
  upperOff = 0;
  /** Offset of the Next Header octet that holds `upperProtocol` (in the fixed header when the
   * chain is empty): what a translator or a header remover rewrites. */
  upperNextHeaderOff = 0;
  fragHeaderOff = -1;
  /** Fragment offset in bytes, M flag and Identification of the Fragment header, if any. */
  fragOffset = 0;
  moreFragments = false;
  fragIdent = 0;
  routingHeaderOff = -1;
  routingType = 0;
  segmentsLeft = 0;

  /**
   * Walks headers starting at `off` whose type is `firstNextHeader` (named by the octet at
   * `nextHeaderOff`), within `buf[off, end)`. Returns 0 or a WireDrop code. `flags` takes
   * `Ipv6ParseFlag` bits: with `quoted`, a chain cut by `end` is `truncated`, not malformed.
   */
  walk(buf: Uint8Array, off: number, end: number, firstNextHeader: number, nextHeaderOff: number, flags = 0): number {
    this.count = 0;
    this.fragHeaderOff = -1;
    this.fragOffset = 0;
    this.moreFragments = false;
    this.fragIdent = 0;
    this.routingHeaderOff = -1;
    this.routingType = 0;
    this.segmentsLeft = 0;
    const quoted = (flags & Ipv6ParseFlag.quoted) !== 0;
    // Within a whole packet the payload length bounds the chain, so running past it is a
    // malformed chain; in a quoted packet the cut is the ICMP error's doing.
    const short = quoted ? WireDrop.code.truncated : WireDrop.code.badExtensionHeader;
    let nh = firstNextHeader;
    let nhOff = nextHeaderOff;
    let p = off;
    while (isIpv6ExtensionHeader(nh)) {
      // RFC 8200 §4.1: Hop-by-Hop Options only immediately after the IPv6 header.
      if (nh === IpProtocol.HopByHop && this.count > 0) return WireDrop.code.badExtensionHeader;
      if (this.count === IPV6_MAX_EXTENSION_HEADERS) return WireDrop.code.tooManyExtensionHeaders;
      let hl: number;
      if (nh === IpProtocol.Ipv6Frag) {
        // A second Fragment header would make the reported fragment fields ambiguous; RFC 8200
        // §4.1 allows one.
        if (this.fragHeaderOff >= 0) return WireDrop.code.badExtensionHeader;
        if (p + IPV6_FRAG_HEADER_LEN > end) return short;
        hl = IPV6_FRAG_HEADER_LEN;
        const w = readU16(buf, p + IPV6_FRAG_OFF_OFFSET_FLAGS);
        this.fragHeaderOff = p;
        this.fragOffset = w & IPV6_FRAG_OFFSET_MASK;
        this.moreFragments = (w & IPV6_FRAG_FLAG_M) !== 0;
        this.fragIdent = readU32(buf, p + IPV6_FRAG_OFF_IDENT);
      } else {
        if (p + 2 > end) return short;
        hl = extLen(buf[p + IPV6_EXT_OFF_LENGTH]!);
        if (p + hl > end) return short;
        if (nh === IpProtocol.Ipv6Route) {
          if (this.routingHeaderOff >= 0) return WireDrop.code.badExtensionHeader;
          this.routingHeaderOff = p;
          this.routingType = buf[p + IPV6_ROUTING_OFF_TYPE]!;
          this.segmentsLeft = buf[p + IPV6_ROUTING_OFF_SEGMENTS_LEFT]!;
        } else if (checkIpv6Options(buf, p + IPV6_OPTS_OFF_OPTIONS, hl - IPV6_OPTS_OFF_OPTIONS) !== 0) {
          return WireDrop.code.badOption;
        }
      }
      this.types[this.count] = nh;
      this.offsets[this.count] = p;
      this.lengths[this.count] = hl;
      this.count++;
      nhOff = p;
      nh = buf[p]!;
      p += hl;
      // Behind the Fragment header of a non-first fragment lies fragment data, not headers.
      if (this.fragHeaderOff === nhOff && this.fragOffset !== 0) break;
    }
    this.upperProtocol = nh;
    this.upperOff = p;
    this.upperNextHeaderOff = nhOff;
    if (this.fragHeaderOff >= 0 && !quoted) {
      const fragLen = end - (this.fragHeaderOff + IPV6_FRAG_HEADER_LEN);
      // RFC 8200 §4.5: a fragment with M set whose length is not a multiple of 8, or one that
      // would end past 65535 octets of reassembled payload, must be discarded.
      if (this.moreFragments && (fragLen & 7) !== 0) return WireDrop.code.badFragment;
      if (this.fragOffset + fragLen > 0xffff) return WireDrop.code.badFragment;
    }
    return 0;
  }

  /** True when the packet is one piece of a fragmented packet (not an atomic fragment, RFC 6946). */
  isFragment(): boolean {
    return this.fragHeaderOff >= 0 && (this.fragOffset !== 0 || this.moreFragments);
  }
}

/** Walks the chain of a checked IPv6 packet (`view.check(flags)` returned 0). */
export function walkIpv6(view: Ipv6Packet, chain: Ipv6ExtChain, flags = 0): number {
  return chain.walk(view.buf, view.off + IPV6_HEADER_LEN, view.payloadEnd(), view.nextHeader(),
    view.off + IPV6_OFF_NEXT_HEADER, flags);
}

